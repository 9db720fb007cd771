"""Instrument files are validated on load; errors name the file, the item and the problem."""

from __future__ import annotations

import pytest
import yaml

from homeoffice.errors import InstrumentError
from homeoffice.instruments import builtin_ids, load_instrument, load_instrument_file
from homeoffice.instruments.loader import _load_builtin


def _thesis_dict() -> dict:
    return yaml.safe_load(open(_load_builtin("thesis-2023").path, encoding="utf-8"))


def _write(tmp_path, data) -> str:
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return str(path)


def test_builtin_instruments_load():
    assert {"thesis-2023", "standard"} <= set(builtin_ids())
    assert len(load_instrument("thesis-2023").scored_items) == 17


def test_unknown_instrument_lists_the_known_ones():
    with pytest.raises(InstrumentError) as err:
        load_instrument("copsoq")
    assert err.value.code == "unknown_instrument" and "thesis-2023" in str(err.value)


def test_item_with_unknown_scale_names_file_and_item(tmp_path):
    data = _thesis_dict()
    data["items"][3]["scale"] = "nonsense"
    with pytest.raises(InstrumentError) as err:
        load_instrument_file(_write(tmp_path, data))
    assert err.value.code == "unknown_scale"
    assert err.value.where.item == "pos2" and "mine.yaml" in str(err.value) and "nonsense" in str(err.value)


def test_missing_english_text_is_named(tmp_path):
    data = _thesis_dict()
    del data["items"][0]["text"]["en"]
    with pytest.raises(InstrumentError) as err:
        load_instrument_file(_write(tmp_path, data))
    assert "items[0] (id fam1).text.en" in str(err.value)


def test_blank_text_is_refused(tmp_path):
    data = _thesis_dict()
    data["items"][1]["text"]["nb"] = "   "
    with pytest.raises(InstrumentError) as err:
        load_instrument_file(_write(tmp_path, data))
    assert "fam2" in str(err.value) and "blank" in str(err.value)


def test_duplicate_keys_are_refused_with_line(tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text("id: x\nversion: '1'\nid: y\n", encoding="utf-8")
    with pytest.raises(InstrumentError) as err:
        load_instrument_file(path)
    assert err.value.code == "yaml_syntax" and err.value.where.row == 3 and "twice" in str(err.value)


def test_unquoted_decimal_version_is_refused(tmp_path):
    data = _thesis_dict()
    data["version"] = 1.10
    with pytest.raises(InstrumentError) as err:
        load_instrument_file(_write(tmp_path, data))
    assert "quoted" in str(err.value)


def test_not_applicable_code_inside_the_scale_is_refused(tmp_path):
    data = _thesis_dict()
    data["response_sets"]["amount5"]["na_codes"] = {3: {"nb": "Ikke aktuelt", "en": "Not applicable"}}
    with pytest.raises(InstrumentError) as err:
        load_instrument_file(_write(tmp_path, data))
    assert "inside the scale" in str(err.value)


def test_scoring_profile_must_name_known_scales(tmp_path):
    data = _thesis_dict()
    data["scoring"]["pwe"] = ["increased_control", "wellbeing"]
    with pytest.raises(InstrumentError) as err:
        load_instrument_file(_write(tmp_path, data))
    assert err.value.where.key == "scoring.pwe" and "wellbeing" in str(err.value)


def test_duplicate_ids_are_refused(tmp_path):
    data = _thesis_dict()
    data["items"][1]["id"] = "fam1"
    with pytest.raises(InstrumentError) as err:
        load_instrument_file(_write(tmp_path, data))
    assert err.value.code == "duplicate_id"


def test_not_yaml_is_refused(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(InstrumentError) as err:
        load_instrument_file(path)
    assert err.value.code == "yaml_syntax" and "broken.yaml" in str(err.value)


def test_missing_file():
    with pytest.raises(InstrumentError) as err:
        load_instrument_file("/nonexistent/instrument.yaml")
    assert err.value.code == "not_found"
