"""Column-mapping files: a survey tool's own column names and answer texts, mapped to the instrument."""

from __future__ import annotations

import numpy as np
import pytest

from homeoffice.errors import AnswersError
from homeoffice.io import ColumnMapping, load_mapping, read_answers
from tests.io.helpers import write

MAPPING = """\
id_column: Svar-ID
columns:
  "Spørsmål 1 – hjelp": sup1
  "Spørsmål 2": sup2
  "Spørsmål 3": con1
  "Hvor mange dager": ctx_days
ignore: [Avdeling]
labels:
  agree:
    "Veldig enig": 5
    "Vet ikke": null
  con1:
    "Alltid": 5
"""

DATA = """\
Svar-ID;Avdeling;Spørsmål 1 – hjelp;Spørsmål 2;Spørsmål 3;Hvor mange dager
17;IT;Veldig enig;2;alltid;3
18;HR;Vet ikke;Helt uenig;1;
"""


def test_mapping_file_maps_columns_ids_and_labels(tmp_path, small):
    mapping = load_mapping(write(tmp_path / "map.yaml", MAPPING))
    assert isinstance(mapping, ColumnMapping)
    answers = read_answers(write(tmp_path / "a.csv", DATA), small, mapping=mapping)
    assert list(answers.respondent_id) == ["17", "18"]
    np.testing.assert_array_equal(answers.codes, [[5, 2, 5], [np.nan, 1, 1]])
    assert answers.context["ctx_days"].tolist()[0] == 3


def test_mapping_for_the_thesis_question_texts(tmp_path, thesis):
    lines = ["columns:"] + [f'  "Q{k}": {item.id}' for k, item in enumerate(thesis.scored_items, start=1)]
    mapping = load_mapping(write(tmp_path / "map.yaml", "\n".join(lines) + "\n"))
    header = ",".join(f"Q{k}" for k in range(1, 18))
    answers = read_answers(
        write(tmp_path / "a.csv", f"{header}\n" + ",".join(["3"] * 17) + "\n"), thesis, mapping=mapping
    )
    assert answers.codes.tolist() == [[3.0] * 17]


def test_ignore_unknown(tmp_path, small):
    mapping = load_mapping(write(tmp_path / "map.yaml", "ignore_unknown: true\n"))
    answers = read_answers(write(tmp_path / "a.csv", "sup1,sup2,con1,Whatever\n1,2,3,x\n"), small, mapping=mapping)
    assert answers.codes.tolist() == [[1, 2, 3]]


def test_explicit_id_column_wins_over_the_mapping(tmp_path, small):
    mapping = load_mapping(write(tmp_path / "map.yaml", "id_column: nr\n"))
    answers = read_answers(write(tmp_path / "a.csv", "nr,sup1,sup2,con1\n1,1,2,3\n"), small, mapping=mapping)
    assert list(answers.respondent_id) == ["1"]
    with pytest.raises(AnswersError) as info:
        read_answers(tmp_path / "a.csv", small, mapping=mapping, id_column="Svar-ID")
    assert info.value.code == "missing_id_column"


def mapping_fails(tmp_path, text: str, code: str, key: str | None = None, instrument=None, data: str = "") -> str:
    path = write(tmp_path / "map.yaml", text)
    with pytest.raises(AnswersError) as info:
        mapping = load_mapping(path)
        read_answers(write(tmp_path / "a.csv", data or "sup1,sup2,con1\n1,2,3\n"), instrument, mapping=mapping)
    err = info.value
    assert err.code == code, err.describe()
    assert str(path) in str(err)
    if key is not None:
        assert err.where.key == key
        assert key in str(err)
    return str(err)


def test_mapping_file_not_found(tmp_path):
    with pytest.raises(AnswersError) as info:
        load_mapping(tmp_path / "nope.yaml")
    assert info.value.code == "not_found"
    assert "nope.yaml" in str(info.value)


def test_mapping_yaml_syntax(tmp_path, small):
    text = mapping_fails(tmp_path, "columns:\n  a: [b\n", "yaml_syntax", instrument=small)
    assert "row" in text


def test_mapping_unknown_key(tmp_path, small):
    mapping_fails(tmp_path, "colums:\n  a: sup1\n", "invalid_mapping", key="colums", instrument=small)


def test_mapping_target_is_not_in_the_instrument(tmp_path, small):
    msg = mapping_fails(tmp_path, "columns:\n  Q1: sup7\n", "invalid_mapping", key="columns.Q1", instrument=small)
    assert "sup7" in msg


def test_mapping_label_code_out_of_range(tmp_path, small):
    text = "labels:\n  agree:\n    Veldig enig: 6\n"
    mapping_fails(tmp_path, text, "invalid_mapping", key="labels.agree.Veldig enig", instrument=small)


def test_mapping_label_owner_unknown(tmp_path, small):
    text = "labels:\n  agreement:\n    Veldig enig: 5\n"
    mapping_fails(tmp_path, text, "invalid_mapping", key="labels.agreement", instrument=small)


def test_mapping_label_code_not_a_number(tmp_path, small):
    text = "labels:\n  sup1:\n    Veldig enig: fem\n"
    mapping_fails(tmp_path, text, "invalid_mapping", key="labels.sup1.Veldig enig", instrument=small)


def test_mapping_column_listed_twice(tmp_path, small):
    text = "columns:\n  Q1: sup1\n  q1: sup2\n"
    mapping_fails(tmp_path, text, "invalid_mapping", key="columns.q1", instrument=small)


def test_mapping_must_be_a_mapping(tmp_path, small):
    mapping_fails(tmp_path, "- sup1\n- sup2\n", "invalid_mapping", key="(top)", instrument=small)
