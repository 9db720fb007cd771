"""Every bad input gets an AnswersError with a stable code and a location: file, row, column."""

from __future__ import annotations

import numpy as np
import openpyxl
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from homeoffice.errors import AnswersError
from homeoffice.io import read_answers
from tests.io.helpers import THESIS_ITEMS, thesis_csv, write

ROW = [5, 4, 4, 3, 1, 4, 5, 2, 4, 1, 2, 1, 4, 4, 2, 2, 3]


def fails(path, instrument, code: str, *, row: int | None = None, column: str | None = None, **kw) -> str:
    """Read ``path``, expect ``code``; check the location in ``where`` and in the message."""
    with pytest.raises(AnswersError) as info:
        read_answers(path, instrument, **kw)
    err = info.value
    assert err.code == code, err.describe()
    text = str(err)
    assert str(path) in text
    if row is not None:
        assert err.where.row == row
        assert f"row {row}" in text
    if column is not None:
        assert err.where.column == column
        assert f"column '{column}'" in text
    return text


def with_cell(item: str, value: object, at: int = 1, rows: int = 3) -> str:
    """A thesis CSV of ``rows`` rows where data row ``at`` (0-based) has ``value`` for ``item``."""
    data = []
    for k in range(rows):
        r = list(ROW)
        if k == at:
            r[THESIS_ITEMS.index(item)] = value
        data.append([f"p{k}", *r])
    return thesis_csv(data)


def test_missing_file(tmp_path, thesis):
    fails(tmp_path / "nope.csv", thesis, "not_found")


def test_empty_file(tmp_path, thesis):
    fails(write(tmp_path / "a.csv", ""), thesis, "empty")


def test_header_only(tmp_path, thesis):
    fails(write(tmp_path / "a.csv", thesis_csv([]) + "\n\n"), thesis, "empty", row=1)


def test_header_only_xlsx(tmp_path, thesis):
    wb = openpyxl.Workbook()
    wb.active.append(THESIS_ITEMS)
    wb.save(tmp_path / "a.xlsx")
    fails(tmp_path / "a.xlsx", thesis, "empty")


def test_utf16_is_the_wrong_encoding(tmp_path, thesis):
    text = fails(write(tmp_path / "a.csv", thesis_csv([["a", *ROW]]), encoding="utf-16"), thesis, "wrong_encoding")
    assert "UTF-8" in text


def test_binary_is_the_wrong_encoding(tmp_path, thesis):
    (tmp_path / "a.csv").write_bytes(bytes(range(1, 32)) * 50)
    fails(tmp_path / "a.csv", thesis, "wrong_encoding")


def test_unsupported_format(tmp_path, thesis):
    (tmp_path / "a.sav").write_bytes(b"$FL2@(#) SPSS DATA FILE")
    fails(tmp_path / "a.sav", thesis, "unknown_format")


def test_broken_xlsx(tmp_path, thesis):
    (tmp_path / "a.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    fails(tmp_path / "a.xlsx", thesis, "unknown_format")


def test_unknown_sheet_lists_the_sheets(tmp_path, thesis):
    wb = openpyxl.Workbook()
    wb.active.title = "Svar"
    wb.create_sheet("Notater")
    wb.save(tmp_path / "a.xlsx")
    text = fails(tmp_path / "a.xlsx", thesis, "unknown_sheet", sheet="Answers")
    assert "'Svar'" in text and "'Notater'" in text


def test_missing_item_columns_are_listed(tmp_path, thesis):
    text = thesis_csv([["a", *ROW]]).replace(",pos2", ",posX").replace(",sup3", ",sup9")
    msg = fails(write(tmp_path / "a.csv", text), thesis, "missing_columns", row=1)
    assert "pos2, sup3" in msg
    assert "'posX'" in msg  # the unknown columns that were probably meant


def test_unknown_columns_are_listed(tmp_path, thesis):
    text = thesis_csv([["a", *ROW]])
    lines = text.splitlines()
    text = f"{lines[0]},Avdeling,Q18\n{lines[1]},IT,3\n"
    msg = fails(write(tmp_path / "a.csv", text), thesis, "unknown_columns", row=1, column="Avdeling")
    assert "'Q18'" in msg


def test_metadata_columns_are_not_unknown(tmp_path, thesis):
    lines = thesis_csv([["a", *ROW]]).splitlines()
    text = f"Tidsmerke,{lines[0]},E-post\n2023-01-02,{lines[1]},x@example.org\n"
    assert read_answers(write(tmp_path / "a.csv", text), thesis).codes.shape == (1, 17)


def test_unnamed_column_with_data(tmp_path, small):
    fails(write(tmp_path / "a.csv", "sup1,sup2,con1,\n1,2,3,\n1,2,3,x\n"), small, "unknown_columns", row=3)


def test_empty_unnamed_trailing_column_is_fine(tmp_path, small):
    assert read_answers(write(tmp_path / "a.csv", "sup1;sup2;con1;\n1;2;3;\n"), small).codes.tolist() == [[1, 2, 3]]


def test_same_item_twice(tmp_path, small):
    text = "sup1,sup2,con1,Do you decide?\n1,2,3,3\n"
    fails(write(tmp_path / "a.csv", text), small, "duplicate_column", row=1, column="Do you decide?")


def test_items_and_scales_mixed(tmp_path, thesis):
    lines = thesis_csv([["a", *ROW]]).splitlines()
    text = f"{lines[0]},familiarity\n{lines[1]},4.5\n"
    fails(write(tmp_path / "a.csv", text), thesis, "mixed_levels", row=1, column="familiarity")


def test_missing_scale_columns(tmp_path, thesis):
    text = "informant,familiarity,positivity\n1,4,5\n"
    msg = fails(write(tmp_path / "a.csv", text), thesis, "missing_columns", row=1)
    assert "negative_experiences" in msg


def test_duplicate_ids_name_both_rows(tmp_path, thesis):
    text = thesis_csv([["a", *ROW], ["b", *ROW], ["a", *ROW]])
    msg = fails(write(tmp_path / "a.csv", text), thesis, "duplicate_id", row=4, column="respondent_id")
    assert "rows 2 and 4" in msg


def test_duplicate_ids_after_blank_lines_count_file_lines(tmp_path, thesis):
    text = thesis_csv([["7", *ROW], ["8", *ROW]]) + "\n\n" + thesis_csv([["7", *ROW]]).splitlines()[1] + "\n"
    msg = fails(write(tmp_path / "a.csv", text), thesis, "duplicate_id", row=6)
    assert "rows 2 and 6" in msg


def test_empty_id(tmp_path, thesis):
    fails(write(tmp_path / "a.csv", thesis_csv([["a", *ROW], ["", *ROW]])), thesis, "missing_id", row=3)


def test_named_id_column_not_in_file(tmp_path, thesis):
    path = write(tmp_path / "a.csv", thesis_csv([["a", *ROW]]))
    fails(path, thesis, "missing_id_column", row=1, column="Svar-ID", id_column="Svar-ID")


def test_decimal_in_item_column(tmp_path, thesis):
    msg = fails(write(tmp_path / "a.csv", with_cell("pos1", 3.5)), thesis, "not_whole", row=3, column="pos1")
    assert "'3.5'" in msg


def test_decimal_comma_in_item_column(tmp_path, thesis):
    text = with_cell("pos1", '"3,5"', at=2)
    fails(write(tmp_path / "a.csv", text), thesis, "not_whole", row=4, column="pos1")


def test_code_out_of_range(tmp_path, thesis):
    msg = fails(write(tmp_path / "a.csv", with_cell("sup2", 7, at=0)), thesis, "out_of_range", row=2, column="sup2")
    assert "from 1 to 5" in msg and "'7'" in msg


def test_zero_is_out_of_range(tmp_path, thesis):
    fails(write(tmp_path / "a.csv", with_cell("fam1", 0, at=2)), thesis, "out_of_range", row=4, column="fam1")


def test_unknown_label(tmp_path, thesis):
    msg = fails(write(tmp_path / "a.csv", with_cell("con1", "Kanskje")), thesis, "unknown_label", row=3, column="con1")
    assert "'Kanskje'" in msg


def test_unknown_label_in_xlsx_names_the_sheet_row(tmp_path, thesis):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", *THESIS_ITEMS])
    ws.append(["a", *ROW])
    ws.append([None])
    ws.append(["b", *ROW[:-1], "Fantastisk"])
    wb.save(tmp_path / "a.xlsx")
    fails(tmp_path / "a.xlsx", thesis, "unknown_label", row=4, column="sup3")


def test_scale_value_out_of_range(tmp_path, thesis):
    scales = ",".join(s.id for s in thesis.spec.scales)
    text = f"id,{scales}\n1,5,4,1,4,5,1,4,2\n2,5,4,1,4,5.5,1,4,2\n"
    fails(write(tmp_path / "a.csv", text), thesis, "out_of_range", row=3, column="positive_influence")


def test_scale_value_not_a_number(tmp_path, thesis):
    scales = ";".join(s.id for s in thesis.spec.scales)
    text = f"id;{scales}\n1;5;4;1;4;5;1;4;2\n2;5;4;1;Høy;5;1;4;2\n"
    fails(write(tmp_path / "a.csv", text), thesis, "not_a_number", row=3, column="influence")


def test_row_with_too_many_fields(tmp_path, thesis):
    text = thesis_csv([["a", *ROW], ["b", *ROW, 4]])
    msg = fails(write(tmp_path / "a.csv", text), thesis, "bad_csv", row=3)
    assert "18" in msg


def test_na_code_is_only_allowed_where_defined(tmp_path, thesis, small):
    fails(write(tmp_path / "a.csv", with_cell("fam1", 9)), thesis, "out_of_range", row=3, column="fam1")
    assert np.isnan(read_answers(write(tmp_path / "b.csv", "sup1,sup2,con1\n9,1,1\n"), small).codes[0, 0])


def test_error_far_down_a_large_file_names_its_line(tmp_path, thesis):
    """The fast path finds the bad cell only after the cheap whole-column check fails."""
    rows = 130_000
    rng = np.random.default_rng(3)
    cols = {"respondent_id": pa.array(np.arange(1, rows + 1).astype(str))}
    for item in THESIS_ITEMS:
        x = rng.integers(1, 6, rows).astype(np.int8)
        if item == "dem2":
            x[120_000] = 6
        cols[item] = pa.array(x)
    path = tmp_path / "big.csv"
    pacsv.write_csv(pa.table(cols), str(path))
    fails(path, thesis, "out_of_range", row=120_002, column="dem2")


def test_sheet_for_a_csv_is_an_error(tmp_path, thesis):
    fails(write(tmp_path / "a.csv", thesis_csv([["a", *ROW]])), thesis, "unknown_sheet", sheet="Svar")


def test_rows_are_file_lines_after_a_separator_hint_and_blank_lines(tmp_path, small):
    text = "sep=;\nsup1;sup2;con1\n1;2;3\n\n4;5;1\n1;2;8\n"
    fails(write(tmp_path / "a.csv", text), small, "out_of_range", row=6, column="con1")
