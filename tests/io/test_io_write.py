"""Result tables are written in four formats and keep the respondent ids."""

from __future__ import annotations

import json

import numpy as np
import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest

from homeoffice.errors import AnswersError
from homeoffice.io import write_table


@pytest.fixture
def result() -> pd.DataFrame:
    index = pd.Index(["007", "b", "c"], name="respondent_id")
    return pd.DataFrame(
        {
            "control": [62.5, np.nan, 100.0],
            "job_situation": ["active", None, "passive"],
            "iso_strain": [False, None, True],
            "situation": pd.array([4, None, 1], dtype="Int64"),
            "instrument_id": ["thesis-2023"] * 3,
        },
        index=index,
    )


def test_csv(tmp_path, result):
    write_table(result, tmp_path / "r.csv")
    back = pd.read_csv(tmp_path / "r.csv", dtype={"respondent_id": str})
    assert back.columns[0] == "respondent_id"
    assert back["respondent_id"].tolist() == ["007", "b", "c"]
    assert back["control"].tolist()[::2] == [62.5, 100.0]
    assert np.isnan(back["control"][1])


def test_xlsx(tmp_path, result):
    write_table(result, tmp_path / "r.xlsx")
    rows = list(openpyxl.load_workbook(tmp_path / "r.xlsx").active.iter_rows(values_only=True))
    assert rows[0][:3] == ("respondent_id", "control", "job_situation")
    assert rows[1][:3] == ("007", 62.5, "active")
    assert rows[2][1] is None


def test_parquet(tmp_path, result):
    write_table(result, tmp_path / "r.parquet")
    back = pq.read_table(tmp_path / "r.parquet").to_pandas()
    assert back["respondent_id"].tolist() == ["007", "b", "c"]
    assert back["situation"].tolist()[0] == 4


def test_json_records_keep_the_id(tmp_path, result):
    write_table(result, tmp_path / "r.json")
    records = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert records[0]["respondent_id"] == "007"
    assert records[0]["job_situation"] == "active"
    assert records[1]["control"] is None


def test_unnamed_index_is_written_as_respondent_id(tmp_path, result):
    write_table(result.rename_axis(None), tmp_path / "r.json")
    assert json.loads((tmp_path / "r.json").read_text())[2]["respondent_id"] == "c"


def test_unknown_extension(tmp_path, result):
    with pytest.raises(AnswersError) as info:
        write_table(result, tmp_path / "r.sav")
    assert info.value.code == "unknown_format"
    assert "r.sav" in str(info.value)
    assert not (tmp_path / "r.sav").exists()


def test_unwritable_place(tmp_path, result):
    with pytest.raises(AnswersError) as info:
        write_table(result, tmp_path / "missing-dir" / "r.csv")
    assert info.value.code == "cannot_write"


def test_failed_write_leaves_no_partial_file(tmp_path, monkeypatch):
    import pandas as pd
    import pyarrow.parquet as pq
    import pytest

    from homeoffice.errors import AnswersError
    from homeoffice.io import write_table

    def broken(table, where, **kwargs):
        with open(where, "wb") as fh:
            fh.write(b"PAR1 half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pq, "write_table", broken)
    target = tmp_path / "scores.parquet"
    with pytest.raises(AnswersError) as err:
        write_table(pd.DataFrame({"a": [1.0]}, index=pd.Index(["1"], name="respondent_id")), target)
    assert err.value.code == "cannot_write" and "No space left" in str(err.value)
    assert list(tmp_path.iterdir()) == []
