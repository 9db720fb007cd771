"""The measure catalogue loads, covers the thesis's measures, and bad files name file and measure."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from homeoffice.errors import InstrumentError
from homeoffice.measures import DOMAINS, catalogue_from_dict, load_catalogue, load_catalogue_file
from homeoffice.measures.schema import Condition

THESIS_MEASURES = {
    # thesis 5.2: the six PWE measures, hybrid and digital events
    "communication_channels",
    "encourage_contact",
    "training_and_support",
    "interpersonal_role_tools",
    "low_negative_relations",
    "home_office_dialogue",
    "hybrid_arrangement",
    "digital_social_events",
    # thesis 5.3, 5.4 and the list in chapter 6
    "quiet_work_area",
    "flexible_breaks",
    "autonomy_own_workday",
    "good_work_routines",
    "leader_follow_up",
    "ergonomic_equipment",
    "work_life_boundaries",
    "regular_team_meetings",
    "concentration_home_collaboration_office",
    "regular_surveys",
    "communication_norms",
}


@pytest.fixture(scope="module")
def builtin_data(catalogue) -> dict:
    return yaml.safe_load(Path(catalogue.path).read_text(encoding="utf-8"))


def _write(tmp_path: Path, data: dict) -> str:
    path = tmp_path / "my-measures.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return str(path)


def _measure(data: dict, measure_id: str) -> dict:
    return next(m for m in data["measures"] if m["id"] == measure_id)


def test_builtin_catalogue_loads_with_every_thesis_measure(catalogue):
    assert set(catalogue.ids) >= THESIS_MEASURES
    assert len(set(catalogue.ids)) == len(catalogue) == len(catalogue.ids)
    assert load_catalogue() is catalogue  # cached


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_every_measure_has_text_targets_and_evidence(catalogue, lang):
    for m in catalogue:
        assert m.title.get(lang).strip() and len(m.description.get(lang)) > 80, m.id
        assert set(m.targets) <= set(DOMAINS), m.id
        assert m.evidence.startswith("thesis "), m.id


def test_interaction_raising_measures_pair_with_a_quiet_one(catalogue):
    raisers = [m for m in catalogue if m.raises_interaction]
    assert {"communication_channels", "encourage_contact", "hybrid_arrangement"} <= {m.id for m in raisers}
    for m in raisers:
        assert m.pairs_with, m.id
        for link in m.pairs_with:
            partner = catalogue[link.id]
            assert not partner.raises_interaction
            assert "peace_quiet" in partner.targets, (m.id, link.id)


def test_the_yaml_header_documents_the_weakness_rule(catalogue):
    header = Path(catalogue.path).read_text(encoding="utf-8").split("\nid:")[0]
    assert "at or below 50" in header and "at or above 50" in header


def test_unknown_domain_names_file_and_measure(tmp_path, builtin_data):
    data = copy.deepcopy(builtin_data)
    _measure(data, "flexible_breaks")["targets"].append("happiness")
    path = _write(tmp_path, data)
    with pytest.raises(InstrumentError) as err:
        load_catalogue_file(path)
    e = err.value
    assert e.code == "unknown_domain"
    assert e.where.file == path and e.params["measure"] == "flexible_breaks"
    assert "my-measures.yaml" in str(e) and "flexible_breaks" in str(e) and "'happiness'" in str(e)


def test_unknown_domain_in_a_rule(tmp_path, builtin_data):
    data = copy.deepcopy(builtin_data)
    _measure(data, "quiet_work_area")["applies_when"][0]["weak"] = ["peace_and_quiet"]
    with pytest.raises(InstrumentError) as err:
        load_catalogue_file(_write(tmp_path, data))
    assert err.value.code == "unknown_domain" and "(id quiet_work_area).applies_when[0].weak[0]" in str(err.value)


def test_unknown_conflict_id_names_file_and_measure(tmp_path, builtin_data):
    data = copy.deepcopy(builtin_data)
    _measure(data, "leader_follow_up")["conflicts"][0]["id"] = "micromanagement"
    path = _write(tmp_path, data)
    with pytest.raises(InstrumentError) as err:
        load_catalogue_file(path)
    assert err.value.code == "unknown_measure"
    assert err.value.where.file == path and "leader_follow_up" in str(err.value) and "micromanagement" in str(err.value)


def test_missing_english_title_names_file_and_measure(tmp_path, builtin_data):
    data = copy.deepcopy(builtin_data)
    del _measure(data, "ergonomic_equipment")["title"]["en"]
    path = _write(tmp_path, data)
    with pytest.raises(InstrumentError) as err:
        load_catalogue_file(path)
    e = err.value
    assert e.code == "invalid_catalogue" and e.params["measure"] == "ergonomic_equipment"
    assert e.where.file == path and e.where.key.endswith("(id ergonomic_equipment).title.en")
    assert "required" in str(e).lower()


@pytest.mark.parametrize(
    "change, code, text",
    [
        (lambda m: m.update(raises_interaction=True, pairs_with=[]), "missing_pair", "peace and quiet"),
        (lambda m: m["applies_when"].append({"weak": ["demands"]}), "invalid_rule", "never weak"),
        (lambda m: m["applies_when"].append({"context": ["ctx_days_home about 4"]}), "invalid_catalogue",
         "cannot read the condition"),
        (lambda m: m["applies_when"].append({"context": ["ctx_role in 3"]}), "invalid_catalogue", "list of codes"),
        (lambda m: m["applies_when"].append({"instrument_lacks": ["ctx_role"]}), "invalid_catalogue",
         "at least one of"),
        (lambda m: m.update(actor="union"), "invalid_catalogue", "actor"),
        (lambda m: m["conflicts"].append({"id": "flexible_breaks", "reason": {"nb": "x", "en": "x"}}),
         "invalid_link", "itself"),
    ],
    ids=["pair", "neutral-weak", "syntax", "in-needs-list", "lacks-alone", "actor", "self-link"],
)  # fmt: skip
def test_bad_measure_entries(tmp_path, builtin_data, change, code, text):
    data = copy.deepcopy(builtin_data)
    change(_measure(data, "flexible_breaks"))
    with pytest.raises(InstrumentError) as err:
        load_catalogue_file(_write(tmp_path, data))
    assert err.value.code == code and text in str(err.value) and "flexible_breaks" in str(err.value)


def test_duplicate_measure_id(builtin_data):
    data = copy.deepcopy(builtin_data)
    data["measures"].append(copy.deepcopy(_measure(data, "flexible_breaks")))
    with pytest.raises(InstrumentError) as err:
        catalogue_from_dict(data, "dup.yaml")
    assert err.value.code == "duplicate_id" and "dup.yaml" in str(err.value)


def test_file_problems(tmp_path):
    with pytest.raises(InstrumentError) as err:
        load_catalogue_file(tmp_path / "none.yaml")
    assert err.value.code == "not_found"
    bad = tmp_path / "bad.yaml"
    bad.write_text("measures: [\n", encoding="utf-8")
    with pytest.raises(InstrumentError) as err:
        load_catalogue_file(bad)
    assert err.value.code == "yaml_syntax" and "bad.yaml" in str(err.value)
    with pytest.raises(InstrumentError) as err:
        catalogue_from_dict(["not", "a", "mapping"])
    assert err.value.code == "invalid_catalogue"


@pytest.mark.parametrize(
    "text, code, holds",
    [
        ("ctx_days_home >= 4", 4, True),
        ("ctx_days_home >= 4", 3, False),
        ("ctx_days_home > 4", 4, False),
        ("ctx_days_home < 2", 1, True),
        ("ctx_days_home <= 2", 3, False),
        ("ctx_voluntary == 3", 3, True),
        ("ctx_voluntary != 3", 3, False),
        ("ctx_role in [1, 2, 3]", 2, True),
        ("ctx_role in [1, 2, 3]", 4, False),
        ("ctx_room not in [1]", 1, False),
        ("ctx_room not  in [1]", 2, True),
    ],
)
def test_conditions(text, code, holds):
    cond = Condition.model_validate(text)
    assert cond.holds(float(code)) is holds
    assert str(cond) == " ".join(text.split())
