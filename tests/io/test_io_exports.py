"""Data out: answers and scores as CSV, XLSX, SPSS .sav and Parquet with a codebook, and back again."""

from __future__ import annotations

import json

import numpy as np
import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pyreadstat
import pytest

from homeoffice.errors import AnswersError
from homeoffice.instruments import load_instrument
from homeoffice.io import read_answers
from homeoffice.io.exports import (
    CODEBOOK_COLUMNS,
    NOT_ANSWERED,
    answers_frame,
    codebook_path_for,
    export_data,
)
from homeoffice.pipeline import score_table
from homeoffice.samples.synthetic import synthetic_answers

N = 40


@pytest.fixture(scope="module")
def standard():
    return load_instrument("standard")


@pytest.fixture(scope="module")
def source(tmp_path_factory, standard):
    """A standard-instrument answers file with not-applicable answers, units and awkward open answers."""
    df = synthetic_answers(standard, N, seed=11).to_pandas()
    df.loc[2, "soc1"] = 9  # "no colleagues"
    df.loc[5, "mgr1" if "mgr1" in df else "soc2"] = 9
    df.loc[7, "ctx_days_home"] = None
    df.insert(1, "unit", ["Økonomi", "IT", "HR", "Salg"] * (N // 4))
    df["open_works_well"] = [None] * N
    df.loc[0, "open_works_well"] = 'Roen, og at "ingen" forstyrrer;\nny linje – æøå'
    df.loc[3, "open_works_well"] = "  Fleksibilitet  "
    path = tmp_path_factory.mktemp("src") / "answers.csv"
    df.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def original(source, standard):
    answers = read_answers(source, standard)
    scores = score_table(answers.codes, standard, index=answers.respondent_id, context=answers.context)
    return answers, scores


def _export(tmp_path, original, standard, fmt, lang="nb", **kwargs):
    answers, scores = original
    return export_data(
        tmp_path / f"export.{fmt}",
        answers_frame(answers, standard),
        scores,
        standard,
        lang=lang,
        open_answers=answers.open_text,
        groups=answers.unit.to_frame(),
        **kwargs,
    )


@pytest.mark.parametrize("fmt", ["sav", "csv", "xlsx"])
def test_round_trip_gives_identical_answers_and_scores(tmp_path, original, standard, fmt):
    answers, scores = original
    written = _export(tmp_path, original, standard, fmt)
    back = read_answers(written.data, standard)
    # identical answers: codes, not-applicable codes, context, open answers, units, ids, order
    assert back.respondent_id.equals(answers.respondent_id)
    np.testing.assert_array_equal(back.codes, answers.codes)
    pd.testing.assert_frame_equal(answers_frame(back, standard), answers_frame(answers, standard))
    pd.testing.assert_frame_equal(back.context, answers.context)
    assert back.not_applicable is not None and back.not_applicable.loc["3", "soc1"] == 9
    pd.testing.assert_series_equal(back.unit, answers.unit)
    pd.testing.assert_frame_equal(back.open_text, answers.open_text)
    # identical scores, exactly
    rescored = score_table(back.codes, standard, index=back.respondent_id, context=back.context)
    pd.testing.assert_frame_equal(rescored, scores, check_exact=True)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "sav"])
def test_the_exported_score_columns_hold_the_exact_scores(tmp_path, original, standard, fmt):
    _, scores = original
    written = _export(tmp_path, original, standard, fmt)
    if fmt == "csv":
        data = pd.read_csv(written.data, dtype={"respondent_id": str})
    elif fmt == "xlsx":
        data = pd.read_excel(written.data, sheet_name="data", dtype={"respondent_id": str})
    else:
        data, _ = pyreadstat.read_sav(str(written.data))
    data = data.set_index("respondent_id")
    for score_id in [*standard.score_ids, "pwe_index", "productivity_index", "distance_to_optimal"]:
        got, want = data[score_id].to_numpy(float), scores[score_id].to_numpy(float)
        if fmt == "xlsx":  # a workbook keeps 16 significant digits (Excel itself shows 15)
            np.testing.assert_allclose(got, want, rtol=1e-15, atol=0, err_msg=score_id)
        else:
            np.testing.assert_array_equal(got, want, err_msg=score_id)


def test_sav_metadata_labels_value_labels_missing_codes_and_measures(tmp_path, original, standard):
    written = _export(tmp_path, original, standard, "sav", lang="en")
    data, meta = pyreadstat.read_sav(str(written.data), user_missing=True)
    labels = meta.column_names_to_labels
    soc1 = standard.items_by_id["soc1"]
    assert labels["soc1"] == soc1.text.en
    assert labels["workload"] == standard.name("workload", "en")
    assert labels["unit"] == "Unit"
    values = meta.variable_value_labels
    rs = standard.response_set(soc1)
    assert values["soc1"][1.0] == rs.labels[1].en and values["soc1"][5.0] == rs.labels[5].en
    assert values["soc1"][9.0] == rs.na_codes[9].en
    assert values["soc1"][float(NOT_ANSWERED)] == "Not answered"
    missing = {(r["lo"], r["hi"]) for r in meta.missing_ranges["soc1"]}
    assert missing == {(-9.0, -9.0), (9.0, 9.0)}
    assert {(r["lo"], r["hi"]) for r in meta.missing_ranges["wl1"]} == {(-9.0, -9.0)}
    # not answered and not applicable are distinct user-missing codes in the data
    assert data.set_index("respondent_id").loc["3", "soc1"] == 9
    assert data.set_index("respondent_id").loc["8", "ctx_days_home"] == NOT_ANSWERED
    assert meta.variable_measure["wl1"] == "ordinal"
    assert meta.variable_measure["perf_self"] == "scale"  # 0-10 with end labels only
    assert meta.variable_measure["ctx_sector"] == "nominal"
    assert meta.variable_measure["workload"] == "scale"
    assert values["job_situation"] == {1.0: "active", 2.0: "high strain", 3.0: "low strain", 4.0: "passive"}
    assert values["situation"][3.0].startswith("3: low PWE")
    assert values["iso_strain"] == {0.0: "no", 1.0: "yes"}
    assert meta.file_label == standard.spec.title.en.encode()[:64].decode(errors="ignore")
    # Norwegian labels with --lang nb
    written_nb = _export(tmp_path / "..", original, standard, "sav", lang="nb")
    _, meta_nb = pyreadstat.read_sav(str(written_nb.data), metadataonly=True)
    assert meta_nb.column_names_to_labels["soc1"] == soc1.text.nb
    assert meta_nb.variable_value_labels["soc1"][float(NOT_ANSWERED)] == "Ikke besvart"


def test_codebook_describes_every_column(tmp_path, original, standard):
    written = _export(tmp_path, original, standard, "csv", lang="en")
    assert written.codebook == codebook_path_for(written.data) == tmp_path / "export-codebook.csv"
    data = pd.read_csv(written.data, nrows=1)
    book = pd.read_csv(written.codebook, keep_default_na=False).set_index("name")
    assert tuple(["name", *book.columns]) == CODEBOOK_COLUMNS
    assert list(book.index) == list(data.columns)
    wl1 = book.loc["wl1"]
    assert (wl1["label_nb"], wl1["label_en"]) == (
        standard.items_by_id["wl1"].text.nb,
        standard.items_by_id["wl1"].text.en,
    )
    assert wl1["role"] == "item" and wl1["belongs_to"] == "workload" and wl1["measure"] == "ordinal"
    assert wl1["values"].startswith("1 = ") and "empty cell = not answered" in wl1["missing"]
    assert "9 = " in book.loc["soc1", "missing"]
    workload = book.loc["workload"]
    assert workload["role"] == "scale"
    assert "wl1, wl2, wl3" in workload["computation"] and "at least 2 of 3" in workload["computation"]
    assert workload["reference"] == "docs/en/model.md, section 2"
    assert "demands" in workload["belongs_to"]
    reversed_items = [i.id for i in standard.scored_items if i.reverse]
    assert (
        reversed_items
        and f"{reversed_items[0]} (R)" in book.loc[standard.items_by_id[reversed_items[0]].scale, "computation"]
    )
    assert "100 − isolation" in book.loc["pwe_index", "computation"]
    assert "not a validated scale" in book.loc["pwe_index", "computation"]
    assert book.loc["situation", "reference"] == "docs/en/model.md, section 7"
    assert book.loc["unit", "role"] == "group"
    assert book.loc["job_situation", "values"].startswith("active = active")


def test_codebook_in_norwegian_and_as_an_xlsx_sheet(tmp_path, original, standard):
    written = _export(tmp_path, original, standard, "xlsx", lang="nb")
    wb = openpyxl.load_workbook(written.data, read_only=True)
    assert wb.sheetnames == ["data", "codebook"]
    sheet = pd.read_excel(written.data, sheet_name="codebook", keep_default_na=False).set_index("name")
    csv_book = pd.read_csv(written.codebook, keep_default_na=False).set_index("name")
    assert list(sheet.index) == list(csv_book.index)
    assert sheet.loc["workload", "reference"] == "docs/nb/modellen.md, avsnitt 2"
    assert "minst 2 av 3" in sheet.loc["workload", "computation"]
    assert sheet.loc["wl1", "role"] == "spørsmål"


def test_sav_codebook_uses_the_sav_coding(tmp_path, original, standard):
    written = _export(tmp_path, original, standard, "sav", lang="en")
    book = pd.read_csv(written.codebook, keep_default_na=False).set_index("name")
    assert book.loc["wl1", "missing"] == "-9 = Not answered"
    assert book.loc["job_situation", "values"].startswith("1 = active")
    assert book.loc["job_situation", "type"] == "numeric"


def test_parquet_keeps_types_and_carries_the_codebook(tmp_path, original, standard):
    _, scores = original
    written = _export(tmp_path, original, standard, "parquet", lang="en")
    table = pq.read_table(written.data)
    meta = json.loads(table.schema.metadata[b"homeoffice"])
    assert meta["instrument_id"] == "standard" and meta["lang"] == "en"
    assert [r["name"] for r in meta["codebook"]][:3] == ["respondent_id", "unit", standard.spec.items[0].id]
    data = table.to_pandas().set_index("respondent_id")
    assert str(data["soc1"].dtype) == "Int16" and data.loc["3", "soc1"] == 9
    np.testing.assert_array_equal(data["pwe_index"].to_numpy(), scores["pwe_index"].to_numpy())


def test_suppressed_units_are_blanked_or_dropped(tmp_path, original, standard):
    written = _export(tmp_path, original, standard, "csv", suppress_units={"HR"})
    data = pd.read_csv(written.data, dtype={"respondent_id": str, "unit": str})
    assert written.suppressed_cells == N // 4
    assert "HR" not in set(data["unit"].dropna()) and data["unit"].isna().sum() == N // 4
    assert len(data) == N
    book = pd.read_csv(written.codebook).set_index("name")
    assert "for liten" in book.loc["unit", "computation"]
    dropped = _export(tmp_path, original, standard, "sav", suppress_units=lambda u: u in ("HR", "IT"),
                      suppressed_rows="drop")  # fmt: skip
    frame, _ = pyreadstat.read_sav(str(dropped.data))
    assert len(frame) == N // 2 and set(frame["unit"]) == {"Økonomi", "Salg"}


def test_a_failed_export_writes_nothing(tmp_path, original, standard):
    answers, scores = original
    (tmp_path / "export-codebook.csv").mkdir()  # the codebook cannot be written: a directory is in the way
    with pytest.raises(AnswersError) as info:
        export_data(tmp_path / "export.sav", answers_frame(answers, standard), scores, standard)
    assert info.value.code == "cannot_write"
    assert not (tmp_path / "export.sav").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["export-codebook.csv"]


@pytest.mark.parametrize(
    ("name", "fmt", "code"),
    [
        ("out.txt", None, "unknown_format"),
        ("out.csv", "sav", "wrong_extension"),
        ("out.sav", "stata", "unknown_format"),
    ],
)
def test_format_and_extension_must_agree(tmp_path, original, standard, name, fmt, code):
    answers, scores = original
    with pytest.raises(AnswersError) as info:
        export_data(tmp_path / name, answers_frame(answers, standard), scores, standard, format=fmt)
    assert info.value.code == code
    assert list(tmp_path.iterdir()) == []


def test_bad_answers_and_mismatched_tables_are_refused(tmp_path, original, standard):
    answers, scores = original
    frame = answers_frame(answers, standard)
    bad = frame.copy()
    bad.loc["4", "wl1"] = 7
    with pytest.raises(AnswersError) as info:
        export_data(tmp_path / "x.csv", bad, scores, standard)
    assert info.value.code == "invalid_export" and info.value.params["item"] == "wl1"
    assert info.value.params["respondent"] == "4"
    with pytest.raises(AnswersError) as info:
        export_data(tmp_path / "x.csv", frame.iloc[::-1], scores, standard)
    assert info.value.code == "mismatched_tables"
    with pytest.raises(AnswersError) as info:
        export_data(
            tmp_path / "x.sav", frame, scores, standard, groups=pd.DataFrame({"min enhet": "a"}, index=frame.index)
        )
    assert info.value.code == "bad_variable_name"
    assert "SPSS-variabelnavn" in info.value.describe("nb")
    assert list(tmp_path.iterdir()) == []


def test_scale_level_answers_cannot_be_exported_as_items(tmp_path):
    from homeoffice.samples import write_sample

    thesis = load_instrument("thesis-2023")
    answers = read_answers(write_sample("thesis-2023", tmp_path / "t42.csv"), thesis)
    with pytest.raises(AnswersError) as info:
        answers_frame(answers, thesis)
    assert info.value.code == "scale_level_export"


def test_a_file_exported_for_another_instrument_is_refused(tmp_path, original, standard):
    written = _export(tmp_path, original, standard, "csv")
    data = pd.read_csv(written.data, dtype=str)
    data.loc[5, "instrument_id"] = "thesis-2023"
    data.to_csv(tmp_path / "edited.csv", index=False)
    with pytest.raises(AnswersError) as info:
        read_answers(tmp_path / "edited.csv", standard)
    assert info.value.code == "wrong_instrument"
    # line 8 of the file: the header, five rows, and one open answer that spans two lines
    assert info.value.where.row == 8 and info.value.where.column == "instrument_id"
