"""Data in: survey-tool exports matched to an instrument, previewed with every problem, imported all or nothing."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from homeoffice.errors import AnswersError
from homeoffice.instruments import load_instrument
from homeoffice.io import load_mapping, mapping_from_dict, read_answers
from homeoffice.io.exports import answers_frame, export_data
from homeoffice.io.imports import import_answers, preview_import, propose_mapping
from homeoffice.io.mapping import mapping_to_dict, save_mapping
from homeoffice.io.presets import load_preset, load_preset_file, preset_from_dict, preset_ids
from homeoffice.io.readers import read_answers_checked
from homeoffice.pipeline import score_table
from tests.io.fixtures.make_fixtures import EXPECTED, ITEMS

FIXTURES = Path(__file__).parent / "fixtures"
TOOLS = {
    "nettskjema.csv": "nettskjema",
    "limesurvey.csv": "limesurvey",
    "msforms.xlsx": "msforms",
    "qualtrics.csv": "qualtrics",
    "survey.sav": None,
}
CODES = np.array([[np.nan if v is None else v for v in codes] for codes in EXPECTED.values()])


@pytest.fixture(scope="module")
def thesis():
    return load_instrument("thesis-2023")


@pytest.mark.parametrize("name", list(TOOLS))
def test_each_tool_export_imports_to_the_expected_codes(thesis, name):
    proposal = propose_mapping(FIXTURES / name, thesis)
    assert proposal.preset == TOOLS[name]
    assert proposal.complete, proposal.notes(thesis)
    assert proposal.missing == ()
    preview = preview_import(FIXTURES / name, thesis, proposal.mapping)
    assert preview.ok, preview.report()
    np.testing.assert_array_equal(preview.answers.codes, CODES)
    assert len(preview.scores) == 4 and preview.scores["situation"].notna().all()
    assert list(preview.rows.columns) == ITEMS
    assert preview.rows["inf1"].isna().tolist() == [False, False, True, False]


@pytest.mark.parametrize("name", [n for n, tool in TOOLS.items() if tool])
def test_giving_the_preset_gives_the_same_result(thesis, name):
    detected = propose_mapping(FIXTURES / name, thesis)
    given = propose_mapping(FIXTURES / name, thesis, TOOLS[name])
    assert mapping_to_dict(given.mapping) == mapping_to_dict(detected.mapping)


def test_qualtrics_reasons_ids_and_header_rows(thesis):
    proposal = propose_mapping(FIXTURES / "qualtrics.csv", thesis, "qualtrics")
    assert proposal.header_rows == 3 and proposal.mapping.header_rows == 3
    by_name = {c.name: c for c in proposal.columns}
    assert by_name["ResponseId"].role == "id"
    assert by_name["Q1"].target == "fam1" and by_name["Q1"].reason == "text_row"
    assert by_name["Q1"].why("en") == "the question text in header row 2 is the text of fam1"
    assert by_name["Q9_10"].target == "dem1" and by_name["Q9_10"].reason == "part"
    assert by_name["Duration (in seconds)"].role == "ignored" and by_name["Duration (in seconds)"].reason == "metadata"
    assert by_name["Duration (in seconds)"].why("nb") == "en kolonne Qualtrics legger til (ingen svar); hoppes over"
    preview = preview_import(FIXTURES / "qualtrics.csv", thesis, proposal.mapping)
    assert preview.answers.respondent_id[0] == "R_3kZR1xQ1aB9"


def test_limesurvey_answer_codes_are_proposed_by_position(thesis):
    proposal = propose_mapping(FIXTURES / "limesurvey.csv", thesis)
    fam1 = {lab.value: lab for lab in proposal.labels if lab.item == "fam1"}
    assert fam1["A4"].code == 4 and fam1["A4"].reason == "option" and fam1["A4"].applied
    assert fam1["A4"].why("en") == "answer option 4 of the response set, by its position (LimeSurvey)"
    assert proposal.mapping.labels["amount5"]["A2"] == 2
    dem1 = {lab.value: lab for lab in proposal.labels if lab.item == "dem1"}
    assert dem1["3"].reason == "code" and dem1["3"].count == 2
    assert {c.name: c.reason for c in proposal.columns}["Kjennskap[fam1]"] == "part"


def test_spss_value_labels_decide_the_codes(tmp_path, thesis):
    """A .sav coded 0-4 whose value labels are the instrument's texts imports as 1-5; user-missing is missing."""
    data = {"id": ["a", "b", "c"]}
    labels, missing = {}, {}
    for item in thesis.scored_items:
        rs = thesis.response_set(item)
        data[item.id] = [0.0, 4.0, 8.0]
        labels[item.id] = {float(code - 1): text.en for code, text in rs.labels.items()} | {8.0: "Don't know"}
        missing[item.id] = [8.0]
    pyreadstat.write_sav(
        pd.DataFrame(data), tmp_path / "zero.sav", variable_value_labels=labels, missing_ranges=missing
    )
    answers = read_answers(tmp_path / "zero.sav", thesis)
    assert answers.codes[:, 0].tolist()[:2] == [1.0, 5.0]
    assert np.isnan(answers.codes[2]).all()


def test_a_bad_file_reports_every_problem_with_row_and_column_and_writes_nothing(tmp_path, thesis):
    rows = list(csv.reader((FIXTURES / "nettskjema.csv").open(encoding="utf-8"), delimiter=";"))
    rows[1][5] = "Kjempemye"  # pos1: unknown text (line 2)
    rows[2][0] = rows[1][0]  # duplicate id (line 3)
    rows[3][10] = "7"  # pinf2 out of range (line 4)
    rows[3][11] = "Sjelden"  # pinf3 (extent5): an answer of another response set (line 4)
    rows[4][0] = ""  # empty id (line 5)
    rows[4][12] = "2.5"  # dem1 not whole (line 5)
    bad = tmp_path / "bad.csv"
    with bad.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, delimiter=";").writerows(rows)
    proposal = propose_mapping(bad, thesis)
    assert not proposal.complete
    assert {(lab.item, lab.value) for lab in proposal.open_labels} >= {("pos1", "Kjempemye"), ("pinf3", "Sjelden")}
    out = tmp_path / "answers.csv"
    preview = import_answers(bad, thesis, proposal.mapping, out)
    assert not preview.ok and not out.exists()
    assert preview.answers is None and preview.scores is None
    got = [(e.code, e.where.row, e.where.item) for e in preview.problems]
    assert got == [
        ("unknown_answer", 2, "pos1"),
        ("duplicate_id", 3, None),
        ("answer_out_of_range", 4, "pinf2"),
        ("unknown_answer", 4, "pinf3"),
        ("missing_id", 5, None),
        ("answer_not_whole", 5, "dem1"),
    ]
    assert all(e.where.column for e in preview.problems)
    table = preview.problem_table("nb")
    assert list(table.columns) == ["row", "column", "item", "code", "message"]
    assert table.loc[0, "message"].startswith("'Kjempemye' er ikke et svar på spørsmål pos1")
    assert preview.report("en")[2].endswith("7 lies outside item pinf2's codes 1 to 5")


def test_header_problems_are_each_reported(tmp_path, thesis):
    frame = pd.read_excel(FIXTURES / "msforms.xlsx")
    frame = frame.drop(columns=[thesis.items_by_id["sup3"].text.en, thesis.items_by_id["neg1"].text.en])
    frame["Favourite colour"] = ["red", "blue", "red", "green"]
    frame["Department code"] = ["a", "b", "c", "d"]
    frame.to_excel(tmp_path / "forms.xlsx", index=False)
    proposal = propose_mapping(tmp_path / "forms.xlsx", thesis)
    assert proposal.missing == ("neg1", "sup3")
    assert [c.name for c in proposal.unknown_columns] == ["Favourite colour", "Department code"]
    answers, problems = read_answers_checked(tmp_path / "forms.xlsx", thesis, mapping=proposal.mapping)
    assert answers is None
    codes = [(e.code, e.where.column) for e in problems]
    assert codes[0][0] == "missing_columns" and "neg1, sup3" in problems[0].message
    assert codes[1:] == [("unknown_columns", "Favourite colour"), ("unknown_columns", "Department code")]
    assert all(e.where.row == 1 for e in problems)


def test_similar_columns_and_labels_are_suggested_not_applied(tmp_path, thesis):
    frame = pd.read_csv(FIXTURES / "nettskjema.csv", sep=";")
    text = thesis.items_by_id["fam2"].text.nb
    frame = frame.rename(columns={text: text.replace("benytter", "bruker").rstrip("?")})
    frame.iloc[0, 3] = "Svært mye!"  # fam1
    frame.to_csv(tmp_path / "n.csv", sep=";", index=False)
    proposal = propose_mapping(tmp_path / "n.csv", thesis)
    unknown = proposal.unknown_columns
    assert len(unknown) == 1 and unknown[0].reason == "similar" and unknown[0].candidates[0][0] == "fam2"
    assert "fam2" not in proposal.mapping.columns.values()
    label = next(lab for lab in proposal.labels if lab.value == "Svært mye!")
    assert (label.code, label.reason, label.applied) == (5, "similar", False)
    assert label.why("nb") == "ingen eksakt treff; nærmest er «Svært mye»"
    notes = proposal.notes(thesis, "en")
    assert notes[0].startswith("Proposed column mapping for n.csv")
    assert any("list it under columns: or ignore:" in n for n in notes)
    assert any("'Svært mye!'" in n and "labels:" in n for n in notes)


def test_a_saved_mapping_is_reused_for_the_next_file(tmp_path, thesis):
    rows = list(csv.reader((FIXTURES / "limesurvey.csv").open(encoding="utf-8")))
    rows[0][5] = "Q1"  # a heading the program cannot know
    first = tmp_path / "wave1.csv"
    with first.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    proposal = propose_mapping(first, thesis)
    assert [c.name for c in proposal.unknown_columns] == ["Q1"]
    # the user maps Q1 on the screen; the mapping is saved ...
    edited = mapping_to_dict(proposal.mapping)
    edited["columns"]["Q1"] = "fam1"
    saved = save_mapping(mapping_from_dict(edited), tmp_path / "limesurvey-map.yaml", comments=["made in a test"])
    assert saved.read_text(encoding="utf-8").rstrip().endswith("# made in a test")
    # ... and loaded for the next wave's file, which now imports without a question
    second = tmp_path / "wave2.csv"
    shutil.copy(first, second)
    reused = propose_mapping(second, thesis, base=load_mapping(saved))
    assert reused.complete
    assert {c.name: c.reason for c in reused.columns}["Q1"] == "saved"
    preview = preview_import(second, thesis, reused.mapping)
    assert preview.ok
    np.testing.assert_array_equal(preview.answers.codes, CODES)


def test_mapping_to_dict_round_trips(thesis):
    proposal = propose_mapping(FIXTURES / "qualtrics.csv", thesis)
    data = mapping_to_dict(proposal.mapping)
    assert data["header_rows"] == 3 and data["id_column"] == "ResponseId"
    again = mapping_from_dict(data)
    assert mapping_to_dict(again) == data
    assert again.header_rows == 3 and again.columns == proposal.mapping.columns


def test_import_writes_normalised_answers_that_read_back(tmp_path, thesis):
    out = tmp_path / "answers.csv"
    proposal = propose_mapping(FIXTURES / "survey.sav", thesis)
    preview = import_answers(FIXTURES / "survey.sav", thesis, proposal.mapping, out)
    assert preview.ok and out.exists()
    back = read_answers(out, thesis)
    np.testing.assert_array_equal(back.codes, CODES)
    assert list(back.respondent_id) == list(EXPECTED)


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"id": "x", "name": {"nb": "x"}, "description": {"nb": "a", "en": "b"}, "detect": [["a"]]}, "name.en"),
        ({"id": "x", "name": {"nb": "x", "en": "x"}, "description": {"nb": "a", "en": "b"}}, "(top)"),
        (
            {"id": "x", "name": {"nb": "x", "en": "x"}, "description": {"nb": "a", "en": "b"}, "detect_prefix": "$",
             "option_patterns": ["A(\\d"]},
            "option_patterns",
        ),
        (
            {"id": "x", "name": {"nb": "x", "en": "x"}, "description": {"nb": "a", "en": "b"}, "detect_prefix": "$",
             "header_row": 2},
            "header_row",
        ),
    ],
)  # fmt: skip
def test_broken_presets_are_refused_with_the_key(data, key):
    with pytest.raises(AnswersError) as info:
        preset_from_dict(data, "p.yaml")
    assert info.value.code == "invalid_preset"
    assert info.value.where.key == key and info.value.where.file == "p.yaml"


def test_builtin_presets_load_and_unknown_ones_are_named(tmp_path):
    assert preset_ids() == ["limesurvey", "msforms", "nettskjema", "qualtrics"]
    assert all(load_preset(p).name.nb for p in preset_ids())
    with pytest.raises(AnswersError) as info:
        load_preset("surveymonkey")
    assert info.value.code == "unknown_preset" and "qualtrics" in info.value.describe("nb")
    (tmp_path / "p.yaml").write_text("id: x\nid: y\n", encoding="utf-8")
    with pytest.raises(AnswersError) as info:
        load_preset_file(tmp_path / "p.yaml")
    assert info.value.code == "yaml_syntax"


def test_too_many_problems_are_cut_off_with_a_count(tmp_path, thesis):
    lines = [",".join(["respondent_id", *ITEMS])] + [",".join([str(n), *["9"] * 17]) for n in range(1, 31)]
    (tmp_path / "nines.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    answers, problems = read_answers_checked(tmp_path / "nines.csv", thesis, limit=50)
    assert answers is None and len(problems) == 51
    assert problems[-1].code == "too_many_problems" and problems[-1].params["more"] == 30 * 17 - 50
    assert problems[-1].describe("nb").endswith(f"og {30 * 17 - 50} problemer til; rett disse først")


def test_mapping_keys_for_units_and_header_rows_are_checked(tmp_path, thesis):
    with pytest.raises(AnswersError) as info:
        mapping_from_dict({"header_rows": 9}, "m.yaml")
    assert info.value.code == "invalid_mapping" and info.value.where.key == "header_rows"
    mapping = mapping_from_dict({"unit_column": "Avdeling"}, "m.yaml")
    answers, problems = read_answers_checked(FIXTURES / "nettskjema.csv", thesis, mapping=mapping)
    assert answers is None
    assert [(e.code, e.where.column) for e in problems] == [("missing_unit_column", "Avdeling")]
    assert (
        problems[0]
        .describe("nb")
        .endswith("det finnes ingen enhetskolonne 'Avdeling'; kolonnene er: " + problems[0].params["columns"])
    )


def test_a_unit_column_is_proposed_and_kept(tmp_path, thesis):
    frame = pd.read_csv(FIXTURES / "nettskjema.csv", sep=";")
    frame.insert(1, "Avdeling", ["Lønn", "IT", "IT", "Lønn"])
    frame.to_csv(tmp_path / "n.csv", sep=";", index=False)
    base = mapping_from_dict({"unit_column": "Avdeling"})
    proposal = propose_mapping(tmp_path / "n.csv", thesis, base=base)
    assert {c.name: c.role for c in proposal.columns}["Avdeling"] == "unit"
    preview = preview_import(tmp_path / "n.csv", thesis, proposal.mapping)
    assert preview.ok and preview.rows["unit"].tolist() == ["Lønn", "IT", "IT", "Lønn"]
    assert preview.rows.columns[0] == "unit"


def test_an_own_export_is_recognised_and_its_result_columns_skipped(tmp_path, thesis):
    mapping = propose_mapping(FIXTURES / "survey.sav", thesis).mapping
    answers = read_answers(FIXTURES / "survey.sav", thesis, mapping=mapping)
    scores = score_table(answers.codes, thesis, index=answers.respondent_id)
    export_data(tmp_path / "e.xlsx", answers_frame(answers, thesis), scores, thesis)
    proposal = propose_mapping(tmp_path / "e.xlsx", thesis)
    reasons = {c.name: c.reason for c in proposal.columns}
    assert reasons["familiarity"] == reasons["situation"] == reasons["cut_pwe"] == "export_result"
    assert reasons["fam1"] == "id_name" and proposal.complete
