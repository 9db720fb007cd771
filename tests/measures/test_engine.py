"""The engine recommends the right measures, in the right order, and says why."""

from __future__ import annotations

import functools
import math

import pandas as pd
import pytest

from homeoffice.errors import HomeofficeError, PolicyError
from homeoffice.instruments import Instrument, builtin_ids, instrument_from_dict, load_instrument
from homeoffice.measures import recommend_for_group, recommend_for_respondent, recommendations_frame, weak_scales
from tests.measures.helpers import make_row, standard_like_dict

STD, TH = "standard", "thesis"


@functools.cache
def get_instrument(name: str) -> Instrument:
    """``standard_like`` (in memory), ``standard`` (skipped until it ships) or ``thesis``."""
    if name == "standard_like":
        return instrument_from_dict(standard_like_dict())
    if name == "standard" and "standard" not in builtin_ids():
        pytest.skip("standard.yaml is not there yet")
    return load_instrument("thesis-2023" if name == "thesis" else name)


def case(measure_id, label, instrument, trigger, miss):
    """One case; standard cases run on the in-memory standard-like instrument and on ``standard``."""
    names = ["standard_like", "standard"] if instrument == STD else [instrument]
    return [pytest.param(measure_id, n, trigger, miss, id=f"{measure_id}: {label} [{n}]") for n in names]


# One or more (should trigger, should not trigger) pairs per measure; each pair differs in one respect.
CASES = [
    *case("communication_channels", "weak virtual env", STD,
         {"scores": {"virtual_environment": 50}}, {"scores": {"virtual_environment": 51}}),
    *case("communication_channels", "home 4 days", STD,
         {"context": {"ctx_days_home": 4}}, {"context": {"ctx_days_home": 3}}),
    *case("encourage_contact", "contact threshold", STD,
         {"scores": {"contact_threshold": 50}}, {"scores": {"contact_threshold": 49}}),
    *case("training_and_support", "weak development", STD,
         {"scores": {"development": 50}}, {"scores": {"development": 51}}),
    *case("interpersonal_role_tools", "adviser with weak skill use", STD,
         {"scores": {"skill_discretion": 30}, "context": {"ctx_role": 2}},
         {"scores": {"skill_discretion": 30}, "context": {"ctx_role": 4}}),
    *case("interpersonal_role_tools", "thesis fallback", TH,
         {"scores": {"increased_control": 25}}, {"scores": {"increased_control": 75}}),
    *case("low_negative_relations", "frequent negative acts", STD,
         {"negative_acts_frequent": True}, {"negative_acts_frequent": False}),
    *case("low_negative_relations", "negative relations scale", STD,
         {"scores": {"negative_relations": 50}}, {"scores": {"negative_relations": 49}}),
    *case("home_office_dialogue", "imposed", STD, {"context": {"ctx_voluntary": 3}}, {"context": {"ctx_voluntary": 1}}),
    *case("home_office_dialogue", "partly voluntary, weak support", STD,
         {"scores": {"instrumental_support": 40}, "context": {"ctx_voluntary": 2}},
         {"scores": {"instrumental_support": 40}, "context": {"ctx_voluntary": 1}}),
    *case("home_office_dialogue", "thesis negative experiences", TH,
         {"scores": {"negative_experiences": 75}}, {"scores": {"negative_experiences": 25}}),
    *case("hybrid_arrangement", "home 5 days, isolated", STD,
         {"scores": {"isolation": 70}, "context": {"ctx_days_home": 5}},
         {"scores": {"isolation": 70}, "context": {"ctx_days_home": 2}}),
    *case("hybrid_arrangement", "thesis fallback", TH,
         {"scores": {"increased_support": 25}}, {"scores": {"increased_support": 75}}),
    *case("digital_social_events", "weak support, 3 home days", STD,
         {"scores": {"socioemotional_support": 40}, "context": {"ctx_days_home": 3}},
         {"scores": {"socioemotional_support": 40}, "context": {"ctx_days_home": 2}}),
    *case("adjust_demands_interpersonal", "leader in high strain", STD,
         {"job_situation": "high_strain", "context": {"ctx_role": 1}},
         {"job_situation": "high_strain", "context": {"ctx_role": 4}}),
    *case("adjust_demands_interpersonal", "thesis high strain", TH,
         {"job_situation": "high_strain"}, {"job_situation": "active"}),
    *case("office_access", "imposed with poor facilities", STD,
         {"scores": {"physical_environment": 40}, "context": {"ctx_voluntary": 3}},
         {"scores": {"physical_environment": 40}, "context": {"ctx_voluntary": 1}}),
    *case("quiet_work_area", "shared room in situation 2", STD,
         {"context": {"ctx_room": 2}, "situation": 2}, {"context": {"ctx_room": 2}, "situation": 3}),
    *case("quiet_work_area", "thesis low productivity", TH,
         {"scores": {"positive_influence": 25}, "situation": 1},
         {"scores": {"positive_influence": 75}, "situation": 1}),
    *case("flexible_breaks", "weak wellbeing", STD, {"scores": {"wellbeing": 50}}, {"scores": {"wellbeing": 51}}),
    *case("autonomy_own_workday", "passive job", STD, {"job_situation": "passive"}, {"job_situation": "low_strain"}),
    *case("good_work_routines", "weak work practices", STD,
         {"scores": {"work_practices": 50}}, {"scores": {"work_practices": 51}}),
    *case("good_work_routines", "thesis low productivity", TH,
         {"scores": {"influence": 25}, "situation": 2}, {"scores": {"influence": 75}, "situation": 2}),
    *case("leader_follow_up", "weak social environment", STD,
         {"scores": {"social_environment": 45}}, {"scores": {"social_environment": 55}}),
    *case("ergonomic_equipment", "weak physical environment", STD,
         {"scores": {"physical_environment": 50}}, {"scores": {"physical_environment": 51}}),
    *case("ergonomic_equipment", "no fixed place in situation 1", STD,
         {"context": {"ctx_room": 3}, "situation": 1}, {"context": {"ctx_room": 1}, "situation": 1}),
    *case("work_life_boundaries", "blurred boundary", STD,
         {"scores": {"work_life_boundary": 50}}, {"scores": {"work_life_boundary": 49}}),
    *case("regular_team_meetings", "weak support, 3 home days", STD,
         {"scores": {"instrumental_support": 40}, "context": {"ctx_days_home": 3}},
         {"scores": {"instrumental_support": 40}, "context": {"ctx_days_home": 1}}),
    *case("concentration_home_collaboration_office", "concentration role, low productivity", STD,
         {"scores": {"perceived_productivity": 40}, "context": {"ctx_role": 4}, "situation": 2},
         {"scores": {"perceived_productivity": 40}, "context": {"ctx_role": 3}, "situation": 2}),
    *case("communication_norms", "weak peace and quiet", STD,
         {"scores": {"peace_quiet": 50}}, {"scores": {"peace_quiet": 51}}),
    *case("regular_surveys", "situation 4", STD, {"situation": 4}, {"situation": 2}),
    *case("regular_surveys", "high strain", STD, {"job_situation": "high_strain"}, {"job_situation": "active"}),
]  # fmt: skip


def _ids(recs) -> list[str]:
    return [r.measure_id for r in recs]


def test_every_catalogue_measure_has_a_case(catalogue):
    assert {c.values[0] for c in CASES} == set(catalogue.ids)


@pytest.mark.parametrize("measure_id, instrument, trigger, miss", CASES)
def test_measure_triggers_and_near_miss_does_not(catalogue, measure_id, instrument, trigger, miss):
    inst = get_instrument(instrument)
    hit = recommend_for_respondent(make_row(inst, **trigger), inst, catalogue)
    assert measure_id in _ids(hit)
    rec = next(r for r in hit if r.measure_id == measure_id)
    assert rec.added_for is None, "triggered by its own rule, not only as a partner"
    assert measure_id not in _ids(recommend_for_respondent(make_row(inst, **miss), inst, catalogue))


@pytest.mark.parametrize("measure_id, instrument, trigger, miss", CASES)
def test_interaction_measures_always_come_with_their_partner(catalogue, measure_id, instrument, trigger, miss):
    inst = get_instrument(instrument)
    recs = recommend_for_respondent(make_row(inst, **trigger), inst, catalogue)
    by_id = {r.measure_id: r for r in recs}
    for r in recs:
        for link in catalogue[r.measure_id].pairs_with if catalogue[r.measure_id].raises_interaction else []:
            partner = by_id[link.id]
            assert link.id in r.paired_with and r.measure_id in partner.paired_with
            assert partner.title in " ".join(r.notes)
            assert r.title in partner.explanation
            if partner.added_for == r.measure_id:
                assert partner.rank == r.rank + 1


def test_partner_added_right_after_the_measure_that_needs_it(thesis, catalogue):
    recs = recommend_for_respondent(make_row(thesis, {"increased_support": 25}), thesis, catalogue)
    by_id = {r.measure_id: r for r in recs}
    norms, channels = by_id["communication_norms"], by_id["communication_channels"]
    assert norms.added_for == "communication_channels" and norms.rank == channels.rank + 1
    assert "raises social interaction" in norms.because and channels.title in norms.because
    assert by_id["concentration_home_collaboration_office"].added_for == "hybrid_arrangement"


def test_conflicting_measures_both_say_so(standard_like, catalogue):
    row = make_row(standard_like, {"social_environment": 30, "flexibility": 30})
    by_id = {r.measure_id: r for r in recommend_for_respondent(row, standard_like, catalogue)}
    follow, autonomy = by_id["leader_follow_up"], by_id["autonomy_own_workday"]
    assert "autonomy_own_workday" in follow.conflicts_with and "leader_follow_up" in autonomy.conflicts_with
    assert "surveillance" in " ".join(follow.notes) and "surveillance" in " ".join(autonomy.notes)


def test_situation_1_puts_pwe_first_and_situation_2_productivity(standard_like, catalogue):
    # Shallow PWE weakness (support 45) and deep productivity weakness (peace and quiet 5).
    scores = {"socioemotional_support": 45, "peace_quiet": 5}
    context = {"ctx_days_home": 5}
    s1 = recommend_for_respondent(make_row(standard_like, scores, context, situation=1), standard_like, catalogue)
    axes = [r.axis for r in s1]
    assert "productivity" in axes and "pwe" in axes
    last_pwe_side = max(i for i, a in enumerate(axes) if a in ("pwe", "both"))
    first_prod = min(i for i, a in enumerate(axes) if a == "productivity")
    assert last_pwe_side < first_prod
    s2 = recommend_for_respondent(make_row(standard_like, scores, context, situation=2), standard_like, catalogue)
    rank = {r.measure_id: r.rank for r in s2}
    assert rank["communication_norms"] < rank["hybrid_arrangement"]
    assert rank["communication_norms"] < rank["digital_social_events"]


def test_deeper_weakness_ranks_higher_within_a_tier(standard_like, catalogue):
    row = make_row(standard_like, {"negative_relations": 90, "development": 45})
    rank = {r.measure_id: r.rank for r in recommend_for_respondent(row, standard_like, catalogue)}
    assert rank["low_negative_relations"] < rank["training_and_support"]


def test_situation_1_states_the_trade_off(standard_like, catalogue):
    scores, context = {"isolation": 80}, {"ctx_days_home": 5}
    s1 = recommend_for_respondent(make_row(standard_like, scores, context, situation=1), standard_like, catalogue)
    traders = [r for r in s1 if catalogue[r.measure_id].trade_off is not None]
    assert {"hybrid_arrangement", "communication_channels"} <= {r.measure_id for r in traders}
    for r in traders:
        assert catalogue[r.measure_id].trade_off.note.en in r.because and r.params["trade_off"] is True
    # In situation 2 (keep the PWE), a measure that may cost productivity does not need the warning.
    s2 = recommend_for_respondent(make_row(standard_like, scores, context, situation=2), standard_like, catalogue)
    hybrid = next(r for r in s2 if r.measure_id == "hybrid_arrangement")
    assert "Trade-off" not in hybrid.because


@pytest.mark.parametrize("instrument", ["standard_like", STD, TH])
def test_situation_4_keeps_measuring_and_pushes_nothing(catalogue, instrument):
    inst = get_instrument(instrument)
    weak = {s.id: (80 if s.direction == "risk" else 20) for s in inst.spec.scales}
    recs = recommend_for_respondent(make_row(inst, weak, situation=4, job_situation="high_strain"), inst, catalogue)
    assert _ids(recs) == ["regular_surveys"]
    assert "keep measuring" in recs[0].because


def test_explanation_names_situation_weak_scales_and_context(standard_like, catalogue):
    row = make_row(standard_like, {"skill_discretion": 30, "decision_authority": 45}, {"ctx_role": 2})
    rec = next(
        r for r in recommend_for_respondent(row, standard_like, catalogue) if r.measure_id == "interpersonal_role_tools"
    )
    assert rec.because.startswith("Situation 3 (low PWE, high productivity)")
    assert "Skill discretion 30 (weakest)" in rec.because and "Decision authority 45" in rec.because
    assert "Question about ctx_role" in rec.because and "Adviser with much contact" in rec.because
    assert rec.params["context"] == {"ctx_role": 2.0} and rec.params["situation"] == 3
    assert {w["scale"] for w in rec.params["weak"]} == {"skill_discretion", "decision_authority"}
    assert rec.evidence.startswith("thesis") and rec.actor == "employer"
    nb = next(
        r
        for r in recommend_for_respondent(row, standard_like, catalogue, lang="nb")
        if r.measure_id == "interpersonal_role_tools"
    )
    assert nb.because.startswith("Situasjon 3") and "Adviser with much contact (nb)" in nb.because
    assert nb.title == catalogue["interpersonal_role_tools"].title.nb


def test_risk_scales_are_weak_at_or_above_the_cut(standard_like):
    row = make_row(standard_like, {"isolation": 50, "contact_threshold": 49, "development": 50, "flexibility": 51})
    weak = {w.score_id: w for w in weak_scales(row, standard_like)}
    assert set(weak) == {"isolation", "development"}
    assert weak["isolation"].direction == "risk" and weak["isolation"].depth == 0


def test_missing_answers_are_never_weak(standard_like, catalogue):
    row = make_row(standard_like, {s.id: math.nan for s in standard_like.spec.scales}, {"ctx_days_home": 5},
                   situation=None, job_situation=None)  # fmt: skip
    recs = recommend_for_respondent(row, standard_like, catalogue)
    assert weak_scales(row, standard_like) == []
    assert _ids(recs) == ["communication_channels", "communication_norms"]
    assert "could not be determined" in recs[0].because


def test_context_rules_do_not_fire_when_the_instrument_lacks_the_item(thesis, catalogue):
    # The row carries a days-at-home code, but the thesis instrument has no such item.
    row = make_row(thesis, context={"ctx_days_home": 5, "ctx_voluntary": 3})
    assert recommend_for_respondent(row, thesis, catalogue) == []


def test_fallback_rules_only_for_instruments_that_lack_the_domain(standard_like, thesis, catalogue):
    std = recommend_for_respondent(make_row(standard_like, {"perceived_productivity": 30}, situation=2),
                                   standard_like, catalogue)  # fmt: skip
    assert "good_work_routines" not in _ids(std) and "ergonomic_equipment" not in _ids(std)
    th = recommend_for_respondent(make_row(thesis, {"influence": 25}, situation=2), thesis, catalogue)
    assert {"good_work_routines", "ergonomic_equipment"} <= set(_ids(th))
    assert "does not measure" in next(r for r in th if r.measure_id == "good_work_routines").because


def test_bad_options_raise_with_a_code(thesis, catalogue):
    row = make_row(thesis)
    with pytest.raises(HomeofficeError) as err:
        recommend_for_respondent(row, thesis, catalogue, lang="de")
    assert err.value.code == "unknown_language"
    with pytest.raises(PolicyError) as err:
        recommend_for_respondent(row, thesis, catalogue, cut=0)
    assert err.value.code == "invalid_cut"
    with pytest.raises(HomeofficeError) as err:
        recommend_for_group(pd.DataFrame(), thesis, catalogue)
    assert err.value.code == "empty_group"


def test_recommendations_frame(thesis, catalogue):
    recs = recommend_for_respondent(make_row(thesis, {"increased_support": 25}), thesis, catalogue)
    frame = recommendations_frame(recs)
    assert list(frame.index) == _ids(recs) and list(frame["rank"]) == list(range(1, len(recs) + 1))


def test_group_shares_weakest_scales_and_ranked_measures(standard_like, catalogue):
    rows = [
        make_row(standard_like, {"socioemotional_support": 30, "peace_quiet": 20}, situation=1),
        make_row(standard_like, {"socioemotional_support": 40, "peace_quiet": 20}, situation=3),
        make_row(standard_like, {"peace_quiet": 20}, situation=3),
        make_row(standard_like, {"peace_quiet": 20}, situation=None),
    ]
    results = pd.DataFrame(rows, index=["a", "b", "c", "d"])
    group = recommend_for_group(results, standard_like, catalogue)
    assert group.n == 4
    sit = group.situations
    assert list(sit["n"]) == [1, 0, 2, 0, 1] and list(sit["share"]) == [0.25, 0, 0.5, 0, 0.25]
    assert sit["situation"].isna().tolist() == [False] * 4 + [True]
    weakest = group.weakest_scales
    assert weakest.index[0] == "peace_quiet" and weakest.loc["peace_quiet", "weak"]
    assert weakest.loc["peace_quiet", "distance"] == pytest.approx(30)
    assert weakest.loc["socioemotional_support", "mean"] == pytest.approx(55)
    assert not weakest.loc["socioemotional_support", "weak"]
    assert "workload" not in weakest.index  # neutral
    measures = group.measures
    # Peace and quiet is weak for everyone, so the three measures that target it apply to the whole group;
    # the both-axis one ranks first, since most members are in situations 1 and 3 (PWE side first).
    everyone = {"communication_norms", "concentration_home_collaboration_office", "quiet_work_area"}
    assert set(measures.index[measures["share"] == 1.0]) == everyone
    assert measures.index[0] == "concentration_home_collaboration_office"
    assert measures.loc["training_and_support", "n"] == 2 and measures.loc["training_and_support", "share"] == 0.5
    assert "social support (2)" in measures.loc["training_and_support", "why"]
    assert list(measures["rank"]) == list(range(1, len(measures) + 1))
    assert measures["share"].is_monotonic_decreasing


def test_reason_is_because_without_the_shared_situation_sentence(thesis, catalogue):
    weak = {"increased_support": 25.0, "increased_control": 25.0}
    recs = recommend_for_respondent(make_row(thesis, weak, situation=1), thesis, catalogue, lang="en")
    assert recs
    for rec in recs:
        assert rec.because.startswith("Situation 1")
        assert rec.because.endswith(rec.reason) and not rec.reason.startswith("Situation")
