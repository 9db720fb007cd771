"""The result in words (report.py) and the points for the talk with the manager (dialogue.py), without a database."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from homeoffice.instruments import load_instrument
from homeoffice.measures import recommend_for_respondent
from homeoffice.web.results.dialogue import MAX_POINTS, MIN_POINTS, dialogue_points, thesis_sections
from homeoffice.web.results.report import build_report
from homeoffice.web.scoring import result_row, score_response
from tests.web.factories_results import CONTEXT_EASY, CONTEXT_HARD, extreme_answers

DAY = dt.date(2025, 3, 4)


def _report(answers=None, *, result=None, lang="nb", instrument_id="standard"):
    answers = answers if answers is not None else extreme_answers(good=True)
    return build_report(
        result=result, instrument_id=instrument_id, answers=answers, lang=lang, survey="S", submitted_on=DAY
    )


def _line(report, score_id):
    return next(line for g in report.groups for line in g.lines if line.score_id == score_id)


def _points(answers, lang="nb", instrument_id="standard"):
    instrument = load_instrument(instrument_id)
    result = score_response(instrument_id, answers)
    row = result_row(result)
    recs = recommend_for_respondent(row, instrument, lang=lang)
    return dialogue_points(row, instrument, recs, lang=lang), recs


def test_dates_are_written_for_people():
    assert _report(lang="nb").date_text == "4. mars 2025"
    assert _report(lang="en").date_text == "4 March 2025"


def test_a_score_exactly_on_the_cut_is_weak_for_resources_and_risks_and_low_for_demands():
    result = score_response("standard", extreme_answers(good=True))
    on_cut = copy.deepcopy(result)
    for score_id in ("control", "isolation", "demands"):
        on_cut["scores"][score_id] = 50.0
    report = _report(result=on_cut)
    assert _line(report, "control").reading == "weak"
    assert _line(report, "isolation").reading == "weak"
    assert _line(report, "demands").reading == "low"
    assert _line(report, "demands").reading_text == "Lave krav – verken bra eller dårlig alene"


def test_missing_scores_read_as_too_few_answers():
    answers = {k: v for k, v in extreme_answers(good=True).items() if not k.startswith("flex")}
    line = _line(_report(answers), "flexibility")
    assert line.score is None and line.shown == "–" and line.reading_text == "For få svar til en skåre"


def test_composites_come_before_their_parts_which_name_them():
    pwe = _report().groups[0]
    ids = [line.score_id for line in pwe.lines]
    assert ids[:3] == ["demands", "workload", "work_pace"]
    assert ids.index("control") + 1 == ids.index("skill_discretion")
    assert _line(_report(), "skill_discretion").part_of == "Kontroll"


def test_the_pwe_level_note_explains_a_high_index_held_low_by_high_strain():
    result = score_response("standard", extreme_answers(good=True))
    strained = copy.deepcopy(result)
    strained["classification"].update(pwe_index=70.0, pwe_level="low", job_situation="high_strain", situation=3)
    report = _report(result=strained)
    assert report.level_note == (
        "PWE-indeksen din er over grensen, men arbeidsmiljøet regnes likevel som lavt fordi jobbsituasjonen er "
        "høystress."
    )
    assert _report(result=result).level_note == ""


def test_an_unknown_situation_is_said_plainly():
    result = score_response("standard", {})
    report = _report({}, result=result, lang="en")
    assert report.situation is None and report.job == "unknown"
    assert report.situation_text.startswith("The situation could not be determined")
    assert "Your point is missing" in report.chart_alt


def test_measure_explanations_drop_the_repeated_situation_sentence():
    report = _report(extreme_answers(good=False))
    assert report.measures
    assert not any(m.explanation.startswith(("Situasjon", "Situation")) for m in report.measures)
    assert all(m.evidence.startswith("oppgaven") for m in report.measures)


def test_the_thesis_instrument_works_too():
    answers = {i.id: 4 for i in load_instrument("thesis-2023").scored_items}
    report = _report(answers, instrument_id="thesis-2023")
    assert [g.axis for g in report.groups] == ["pwe", "productivity", "other"]
    assert report.situation in (1, 2, 3, 4)
    points, _ = _points(answers, instrument_id="thesis-2023")
    assert MIN_POINTS <= len(points) <= MAX_POINTS


# --- dialogue ---------------------------------------------------------------------------------


def test_hard_home_office_gives_concrete_points_with_negative_acts_first():
    points, _ = _points(extreme_answers(good=False, context=CONTEXT_HARD))
    ids = [p.id for p in points]
    assert MIN_POINTS <= len(points) <= MAX_POINTS
    assert ids[0] == "negative_acts"
    assert {"room_none", "high_strain", "household"} <= set(ids)
    assert ids[-1] == "measures"
    household = next(p for p in points if p.id == "household")
    assert "(barn)" in household.text and household.cite == "oppgaven 5.3, 6"


def test_context_changes_the_points_for_the_same_scores():
    calm = {**CONTEXT_EASY, "ctx_household": 1, "ctx_room": 1, "ctx_voluntary": 1, "ctx_role": 4}
    hard_ids = {p.id for p in _points(extreme_answers(good=False, context=CONTEXT_HARD))[0]}
    calm_ids = {p.id for p in _points(extreme_answers(good=False, context=calm))[0]}
    assert "room_none" in hard_ids and "room_none" not in calm_ids
    assert "household" not in calm_ids


def test_imposed_home_office_is_raised_even_when_all_is_well_except_that():
    points, _ = _points(extreme_answers(good=False, context={**CONTEXT_HARD, "ctx_voluntary": 3}))
    assert "days_imposed" in {p.id for p in points} or len(points) == MAX_POINTS
    only_imposed = extreme_answers(good=True, context={**CONTEXT_EASY, "ctx_voluntary": 3})
    assert "days_imposed" in {p.id for p in _points(only_imposed)[0]}


def test_the_optimal_situation_gets_keep_it_and_general_dialogue_topics():
    points, _ = _points(extreme_answers(good=True))
    ids = [p.id for p in points]
    assert ids[0] == "keep" and len(points) == MIN_POINTS
    assert "review" not in ids  # "keep" already says to measure again
    assert "days_default" in ids


def test_the_measures_point_names_only_what_the_manager_or_employer_does():
    points, recs = _points(extreme_answers(good=False), lang="en")
    text = next(p.text for p in points if p.id == "measures")
    for rec in recs:
        if f"“{rec.title}”" in text:
            assert rec.actor in ("manager", "employer")
    assert text.startswith("Measures your manager or employer can start")


@pytest.mark.parametrize("lang, word", [("nb", "oppgaven"), ("en", "thesis")])
def test_every_point_cites_the_thesis_in_the_language(lang, word):
    points, _ = _points(extreme_answers(good=False), lang=lang)
    assert all(p.cite.startswith(f"{word} ") and p.sections[0].isdigit() for p in points)


def test_thesis_sections_are_collected_sorted_once():
    assert thesis_sections(["thesis 5.3, 6; Oddane (2021)", "thesis 4.7.2, 5.3", "Palvalin (2019)"]) == "4.7.2, 5.3, 6"
