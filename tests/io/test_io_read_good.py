"""Files users actually have are read into codes in the instrument's item order."""

from __future__ import annotations

import numpy as np
import openpyxl
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from homeoffice.io import read_answers
from homeoffice.samples import write_sample
from tests.io.helpers import THESIS_ITEMS, thesis_csv, write

ROW_A = [5, 4, 4, 3, 1, 4, 5, 2, 4, 1, 2, 1, 4, 4, 2, 2, 3]
ROW_B = [3, 3, 3, 3, 5, 3, 2, 4, 2, 1, 1, 1, 4, 4, 2, 3, 2]


def test_comma_csv_with_codes(tmp_path, thesis):
    path = write(tmp_path / "answers.csv", thesis_csv([["r1", *ROW_A], ["r2", *ROW_B]]))
    answers = read_answers(path, thesis)
    assert list(answers.respondent_id) == ["r1", "r2"]
    assert answers.respondent_id.name == "respondent_id"
    assert answers.codes.dtype == np.float32  # whole-number codes are exact; half the memory
    np.testing.assert_array_equal(answers.codes, np.array([ROW_A, ROW_B], dtype=float))
    assert answers.scale_values is None
    assert answers.source == "answers.csv"


def test_columns_are_put_in_instrument_order_and_blanks_are_missing(tmp_path, thesis):
    order = list(reversed(THESIS_ITEMS))
    row = dict(zip(THESIS_ITEMS, ROW_A, strict=True))
    row["pos2"] = ""
    text = "id," + ",".join(order) + "\n7," + ",".join(str(row[i]) for i in order) + "\n"
    answers = read_answers(write(tmp_path / "a.csv", text), thesis)
    expected = np.array(ROW_A, dtype=float)
    expected[THESIS_ITEMS.index("pos2")] = np.nan
    np.testing.assert_array_equal(answers.codes[0], expected)
    assert list(answers.respondent_id) == ["7"]


def test_row_numbers_when_there_is_no_id_column(tmp_path, thesis):
    path = write(tmp_path / "a.csv", thesis_csv([ROW_A, ROW_B, ROW_A], id_name=None))
    assert list(read_answers(path, thesis).respondent_id) == ["1", "2", "3"]


def test_explicit_id_column(tmp_path, thesis):
    text = thesis_csv([["x", *ROW_A]], id_name="Løpenummer")
    answers = read_answers(write(tmp_path / "a.csv", text), thesis, id_column="Løpenummer")
    assert list(answers.respondent_id) == ["x"]


def test_semicolon_with_decimal_comma_scale_input(tmp_path, thesis):
    scales = [s.id for s in thesis.spec.scales]
    text = "informant;" + ";".join(scales) + "\n" + "Nr 1;4,5;4;1;3,5;5;1;4;2\n" + "Nr 2;5;4;1;5;4,67;1;4;2\n"
    answers = read_answers(write(tmp_path / "tabell.csv", text), thesis)
    assert list(answers.respondent_id) == ["Nr 1", "Nr 2"]
    assert answers.scale_values is not None
    assert answers.scale_values.shape == (2, len(scales))
    assert answers.scale_values[0, 0] == 4.5
    assert answers.scale_values[0, 3] == 3.5
    assert answers.scale_values[1, 4] == pytest.approx(4.67)
    assert np.isnan(answers.codes).all()


def test_thesis_table_4_2_as_scale_level_input(tmp_path, thesis):
    """Table 4.2 of the thesis: 8 informants x 8 category means."""
    answers = read_answers(write_sample("thesis-2023", tmp_path / "t42.csv"), thesis)
    assert list(answers.respondent_id) == [str(k) for k in range(1, 9)]
    assert answers.scale_values.tolist()[3] == [3, 3, 5, 3, 2, 1, 4, 2]  # informant 4
    assert answers.scale_values.tolist()[7] == [4, 5, 1, 5, 5, 2, 5, 5]  # informant 8


def test_scale_columns_may_be_named_by_scale_name(tmp_path, thesis):
    names = [s.name.nb for s in thesis.spec.scales]
    text = "Informant," + ",".join(names) + "\n1,5,4,1,4,5,1,4,2\n"
    answers = read_answers(write(tmp_path / "a.csv", text), thesis)
    assert answers.scale_values.tolist() == [[5, 4, 1, 4, 5, 1, 4, 2]]


def test_utf8_bom(tmp_path, thesis):
    path = write(tmp_path / "bom.csv", "\ufeff" + thesis_csv([["a", *ROW_A]]))
    answers = read_answers(path, thesis)
    assert list(answers.respondent_id) == ["a"]


def test_cp1252_with_norwegian_labels(tmp_path, thesis):
    """Windows Excel's "CSV (semikolondelt)": cp1252 and answer texts with æøå."""
    rs = {i: thesis.response_set(thesis.items_by_id[i]) for i in THESIS_ITEMS}
    labels = [rs[i].labels[c].nb for i, c in zip(THESIS_ITEMS, ROW_A, strict=True)]
    assert any(ch in "".join(labels) for ch in "æøå")
    text = "respondent_id;" + ";".join(THESIS_ITEMS) + "\nLærer Ås;" + ";".join(labels) + "\n"
    answers = read_answers(write(tmp_path / "svar.csv", text, encoding="cp1252"), thesis)
    assert list(answers.respondent_id) == ["Lærer Ås"]
    np.testing.assert_array_equal(answers.codes[0], ROW_A)


def test_nb_and_en_labels_ignore_case_and_spacing(tmp_path, thesis):
    rs = {i: thesis.response_set(thesis.items_by_id[i]) for i in THESIS_ITEMS}
    nb = [rs[i].labels[c].nb for i, c in zip(THESIS_ITEMS, ROW_A, strict=True)]
    en = [f"  {rs[i].labels[c].en.upper()} " for i, c in zip(THESIS_ITEMS, ROW_B, strict=True)]
    en[0] = en[0].replace(" ", "  ")
    text = "id," + ",".join(THESIS_ITEMS) + "\n1," + ",".join(nb) + "\n2," + ",".join(f'"{t}"' for t in en) + "\n"
    answers = read_answers(write(tmp_path / "a.csv", text), thesis)
    np.testing.assert_array_equal(answers.codes, np.array([ROW_A, ROW_B], dtype=float))


def test_codes_and_labels_mixed_in_one_column(tmp_path, thesis):
    row = [str(c) for c in ROW_A]
    row[0] = "Svært mye"  # fam1 = 5 as text
    text = "id," + ",".join(THESIS_ITEMS) + "\n1," + ",".join(row) + "\n2," + ",".join(map(str, ROW_B)) + "\n"
    answers = read_answers(write(tmp_path / "a.csv", text), thesis)
    np.testing.assert_array_equal(answers.codes, np.array([ROW_A, ROW_B], dtype=float))


def test_xlsx_as_microsoft_forms_exports_it(tmp_path, thesis):
    """Forms: ID and metadata columns, question texts as headers, answer texts in cells."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    items = [thesis.items_by_id[i] for i in THESIS_ITEMS]
    ws.append(["ID", "Start time", "Completion time", "Email", "Name", *[i.text.en for i in items]])
    labels = [thesis.response_set(i).labels[c].en for i, c in zip(items, ROW_A, strict=True)]
    ws.append([1, "2023-03-01 10:00", "2023-03-01 10:04", "anonymous", None, *labels])
    ws.append([2, "2023-03-01 11:00", "2023-03-01 11:09", "anonymous", None, *ROW_B])
    wb.create_sheet("Notes")
    wb.save(tmp_path / "forms.xlsx")
    answers = read_answers(tmp_path / "forms.xlsx", thesis)
    assert list(answers.respondent_id) == ["1", "2"]
    np.testing.assert_array_equal(answers.codes, np.array([ROW_A, ROW_B], dtype=float))


def test_xlsx_named_sheet_with_nb_question_texts(tmp_path, thesis):
    wb = openpyxl.Workbook()
    wb.active.title = "Forside"
    ws = wb.create_sheet("Svar")
    ws.append(["Respondent", *[thesis.items_by_id[i].text.nb for i in THESIS_ITEMS]])
    ws.append(["a", *ROW_A])
    ws.append([None] * 18)  # an empty row is skipped
    ws.append(["b", *ROW_B])
    wb.save(tmp_path / "svar.xlsx")
    answers = read_answers(tmp_path / "svar.xlsx", thesis, sheet="svar")
    assert list(answers.respondent_id) == ["a", "b"]
    np.testing.assert_array_equal(answers.codes[1], ROW_B)


def test_nettskjema_system_columns_are_skipped(tmp_path, thesis):
    text = "$submission_id;$created;" + ";".join(THESIS_ITEMS) + "\n"
    text += "991;2023-02-01;" + ";".join(map(str, ROW_A)) + "\n"
    answers = read_answers(write(tmp_path / "nettskjema.csv", text), thesis)
    assert list(answers.respondent_id) == ["1"]
    np.testing.assert_array_equal(answers.codes[0], ROW_A)


def test_not_applicable_context_and_open_answers(tmp_path, small):
    text = (
        "id,sup1,sup2,con1,ctx_days,open_works_well\n"
        'a,9,Not applicable,4,3,"Quiet mornings, no commute"\n'
        "b,Helt enig,2,ikke relevant,,\n"
        'c,1,1,1,5,"Two lines:\nfocus and coffee"\n'
    )
    answers = read_answers(write(tmp_path / "a.csv", text), small)
    nan = np.nan
    np.testing.assert_array_equal(answers.codes, [[nan, nan, 4], [5, 2, nan], [1, 1, 1]])
    assert answers.context["ctx_days"].tolist()[::2] == [3, 5]
    assert np.isnan(answers.context.loc["b", "ctx_days"])
    assert list(answers.context.index) == ["a", "b", "c"]
    assert answers.open_text.loc["a", "open_works_well"] == "Quiet mornings, no commute"
    assert answers.open_text.loc["c", "open_works_well"] == "Two lines:\nfocus and coffee"
    assert answers.open_text["open_works_well"].isna().tolist() == [False, True, False]


def test_optional_context_and_open_columns_may_be_absent(tmp_path, small):
    answers = read_answers(write(tmp_path / "a.csv", "sup1,sup2,con1\n1,2,3\n"), small)
    assert list(answers.context.columns) == ["ctx_days"]
    assert answers.context["ctx_days"].isna().all()
    assert list(answers.open_text.columns) == ["open_works_well"]
    assert answers.open_text["open_works_well"].isna().all()


def test_tab_separated_with_crlf(tmp_path, small):
    answers = read_answers(write(tmp_path / "a.tsv", "sup1\tsup2\tcon1\r\n1\t2\t3\r\n4\t5\t1\r\n"), small)
    np.testing.assert_array_equal(answers.codes, [[1, 2, 3], [4, 5, 1]])


def test_progress_is_reported(tmp_path, small):
    seen: list[str] = []
    read_answers(write(tmp_path / "a.csv", "sup1,sup2,con1\n1,2,3\n"), small, progress=seen.append)
    assert len(seen) >= 3
    assert seen[0].endswith("a.csv")


def _big_csv(path, rows: int, *, late_cell: str | None = None, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    cols = {"respondent_id": pa.array(np.arange(1, rows + 1).astype(str))}
    for item in THESIS_ITEMS:
        cols[item] = pa.array(rng.integers(1, 6, rows).astype(np.int8), mask=rng.random(rows) < 0.02)
    pacsv.write_csv(pa.table(cols), str(path))
    if late_cell is not None:  # replace the last row's pos1 with a text after the sniffed sample
        lines = path.read_text().splitlines()
        cells = lines[-1].split(",")
        cells[1 + THESIS_ITEMS.index("pos1")] = late_cell
        lines[-1] = ",".join(cells)
        path.write_text("\n".join(lines) + "\n")


def test_many_rows_take_the_parallel_path(tmp_path, thesis):
    path = tmp_path / "big.csv"
    _big_csv(path, 130_000)
    answers = read_answers(path, thesis)
    table = pacsv.read_csv(str(path))
    assert answers.codes.shape == (130_000, 17)
    expected = table.column("sup3").to_numpy(zero_copy_only=False).astype(float)
    np.testing.assert_array_equal(answers.codes[:, 16], expected)
    assert answers.respondent_id[-1] == "130000"


def test_a_label_after_the_sniffed_sample_still_reads(tmp_path, thesis):
    path = tmp_path / "late.csv"
    _big_csv(path, 5_000, late_cell="I stor grad")
    answers = read_answers(path, thesis)
    assert answers.codes[-1, THESIS_ITEMS.index("pos1")] == 4


def test_cp1252_text_after_a_plain_ascii_sample(tmp_path, thesis):
    path = tmp_path / "late.csv"
    _big_csv(path, 5_000, late_cell="I svært stor grad")
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1252"))
    answers = read_answers(path, thesis)
    assert answers.codes[-1, THESIS_ITEMS.index("pos1")] == 5


@pytest.mark.parametrize("typ", [pa.int8(), pa.int64(), pa.float64()])
def test_numeric_copy_honours_offsets_and_nulls(typ):
    from homeoffice.io.readers import _copy_numeric

    arr = pa.array([1, None, 3, 4, None, 5, 2, 1, 3, None, 4], type=typ).slice(3, 7)
    out = np.empty(7)
    _copy_numeric(arr, out)
    np.testing.assert_array_equal(out, [4, np.nan, 5, 2, 1, 3, np.nan])


def test_excel_separator_hint_line(tmp_path, small):
    answers = read_answers(write(tmp_path / "a.csv", "sep=;\nsup1;sup2;con1\n1;2;3\n4;5;1\n"), small)
    np.testing.assert_array_equal(answers.codes, [[1, 2, 3], [4, 5, 1]])
