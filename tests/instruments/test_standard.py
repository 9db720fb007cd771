"""The built-in ``standard`` instrument (model.md sections 1-3) and the loader's errors on broken copies."""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel
from tests.measures.helpers import STANDARD_SCALES

from homeoffice.errors import InstrumentError
from homeoffice.instruments.loader import Instrument, builtin_ids, load_instrument
from homeoffice.instruments.schema import Text

# Scale id -> (domain, direction), as agreed for the standard instrument (model.md section 1).
SCALES = STANDARD_SCALES

# Every PWE and productivity construct of model.md section 1, as canonical domains.
MODEL_DOMAINS = {
    "demands", "working_hours", "control", "support", "positive_relations", "negative_relations",
    "job_insecurity", "development", "isolation", "contact_threshold", "work_life_boundary",
    "physical_environment", "virtual_environment", "social_environment", "work_practices", "wellbeing",
    "flexibility", "peace_quiet", "productivity",
}  # fmt: skip

COMPOSITES = {
    "demands": (["workload", "work_pace"], "demands", "neutral"),
    "control": (["skill_discretion", "decision_authority"], "control", "resource"),
    "support": (["socioemotional_support", "instrumental_support"], "support", "resource"),
}

# Context item id -> (min, max) raw codes (model.md section 1, "Context").
CONTEXT = {
    "ctx_days_home": (0, 5),
    "ctx_arrangement": (1, 2),
    "ctx_voluntary": (1, 3),
    "ctx_role": (1, 5),
    "ctx_room": (1, 3),
    "ctx_commute": (1, 4),
    "ctx_household": (1, 4),
    "ctx_sector": (1, 3),
}

# Rough answering time: a closed item about 7 s, an open question about 30 s.
SECONDS_PER_ITEM = 7
SECONDS_PER_OPEN_QUESTION = 30


@pytest.fixture(scope="module")
def standard() -> Instrument:
    return load_instrument("standard")


def _texts(node: object, path: str = "") -> Iterator[tuple[str, Text]]:
    """Every ``Text`` in the instrument, with where it sits."""
    if isinstance(node, Text):
        yield path, node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            ident = getattr(node, "id", None)
            where = f"{path}({ident})" if ident else path
            yield from _texts(getattr(node, name), f"{where}.{name}")
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _texts(value, f"{path}[{key}]")
    elif isinstance(node, list):
        for value in node:
            yield from _texts(value, path)


def test_standard_is_built_in_and_loads(standard: Instrument) -> None:
    assert "standard" in builtin_ids()
    assert standard.id == "standard"
    assert standard.version == "1.0"
    assert standard.spec.source == "homeoffice standard instrument"


def test_scales_have_the_agreed_ids_domains_and_directions(standard: Instrument) -> None:
    got = {s.id: (s.domain, s.direction) for s in standard.spec.scales}
    assert got == SCALES


def test_every_construct_of_the_model_is_measured(standard: Instrument) -> None:
    domains = {s.domain for s in standard.spec.scales}
    assert MODEL_DOMAINS - domains == set()


@pytest.mark.parametrize("scale_id", sorted(SCALES))
def test_scale_has_three_to_five_items(standard: Instrument, scale_id: str) -> None:
    assert 3 <= len(standard.items_of(scale_id)) <= 5


def test_every_scale_cites_its_source_and_describes_itself(standard: Instrument) -> None:
    for scale in standard.spec.scales:
        assert re.search(r"thesis \d", scale.source), scale.id
        assert scale.description is not None, scale.id


def test_every_text_has_different_nb_and_en(standard: Instrument) -> None:
    texts = list(_texts(standard.spec))
    assert len(texts) > 200  # items, labels, names, descriptions, open questions
    for where, text in texts:
        assert text.nb.strip() and text.en.strip(), where
        assert text.nb != text.en, where


def test_no_two_items_share_a_wording(standard: Instrument) -> None:
    for lang in ("nb", "en"):
        counts = Counter(i.text.get(lang) for i in standard.spec.items)
        assert [t for t, n in counts.items() if n > 1] == [], lang


def test_items_are_short(standard: Instrument) -> None:
    too_long = [i.id for i in standard.spec.items if len(i.text.en) > 140 or len(i.text.nb) > 140]
    assert too_long == []


def test_resource_scales_with_four_or_more_items_are_balanced(standard: Instrument) -> None:
    """Each such scale mixes keying: at least one reverse-keyed item, not all of them."""
    checked = {
        s.id: [i.reverse for i in standard.items_of(s.id)]
        for s in standard.spec.scales
        if s.direction == "resource" and len(standard.items_of(s.id)) >= 4
    }
    assert len(checked) >= 8
    unbalanced = [sid for sid, keys in checked.items() if not any(keys) or all(keys)]
    assert unbalanced == []


def test_ids_are_unique_and_readable(standard: Instrument) -> None:
    spec = standard.spec
    ids = [i.id for i in spec.items] + [s.id for s in spec.scales] + [c.id for c in spec.composites]
    ids += [q.id for q in spec.open_questions]
    assert [k for k, n in Counter(ids).items() if n > 1] == []
    unreadable = [i.id for i in spec.items if not re.fullmatch(r"[a-z][a-z0-9_]{1,15}", i.id)]
    assert unreadable == []


def test_composites_are_means_of_the_agreed_scales(standard: Instrument) -> None:
    got = {c.id: (c.of, c.domain, c.direction) for c in standard.spec.composites}
    assert got == COMPOSITES


def test_scoring_profile(standard: Instrument) -> None:
    prof = standard.spec.scoring
    assert (prof.demands, prof.control, prof.support) == ("demands", "control", "support")
    assert prof.pwe == ["control", "support", "positive_relations", "job_insecurity", "isolation"]
    assert prof.productivity == ["perceived_productivity"]
    assert prof.negative_acts is not None
    assert (prof.negative_acts.scale, prof.negative_acts.frequent_at) == ("negative_relations", 4)
    assert prof.min_answered == 0.5
    assert prof.accepts_scale_input is False


def test_negative_acts_use_the_exposure_codes(standard: Instrument) -> None:
    items = standard.items_of("negative_relations")
    assert len(items) >= 4
    for item in items:
        rs = standard.response_set(item)
        labels = {code: rs.labels[code].en for code in range(rs.min, rs.max + 1)}
        assert labels == {1: "Never", 2: "Now and then", 3: "Monthly", 4: "Weekly", 5: "Daily"}, item.id
    # frequent exposure starts at "weekly"
    assert labels[standard.spec.scoring.negative_acts.frequent_at] == "Weekly"


def test_context_items_are_unscored_with_their_codes(standard: Instrument) -> None:
    got = {}
    for item in standard.context_items:
        rs = standard.response_set(item)
        got[item.id] = (rs.min, rs.max)
        assert set(rs.labels) == set(range(rs.min, rs.max + 1)), item.id
    assert got == CONTEXT


def test_self_rated_performance_is_zero_to_ten(standard: Instrument) -> None:
    item = standard.items_by_id["perf_self"]
    rs = standard.response_set(item)
    assert item.scale == "perceived_productivity"
    assert (rs.min, rs.max) == (0, 10)
    assert item.reverse is False


def test_open_questions(standard: Instrument) -> None:
    assert [q.id for q in standard.spec.open_questions] == ["open_works_well", "open_would_help"]


@pytest.mark.parametrize(
    "pattern, na_word",
    [(r"\bmanager\b", "manager"), (r"\bcolleagues?\b", "colleagues"), (r"(?<!home )\boffice\b", "office")],
)
def test_items_about_absent_people_or_places_offer_not_applicable(
    standard: Instrument, pattern: str, na_word: str
) -> None:
    """Someone with no manager, no colleagues or no office days can answer "not applicable" (model.md 3)."""
    about = [i for i in standard.scored_items if re.search(pattern, i.text.en, re.IGNORECASE)]
    assert about, pattern
    for item in about:
        na = standard.response_set(item).na_codes
        assert 9 in na and na_word in na[9].en, item.id
        assert na[9].nb.startswith("Ikke aktuelt"), item.id


def test_items_name_their_reference_period(standard: Instrument) -> None:
    for item in standard.scored_items:
        if item.response_set in ("freq5", "rating0_10"):
            assert "four weeks" in item.text.en and "fire ukene" in item.text.nb, item.id
        if item.response_set == "exposure5":
            assert "six months" in item.text.en and "seks månedene" in item.text.nb, item.id


def test_answering_time_is_about_ten_minutes(standard: Instrument) -> None:
    n_items = len(standard.spec.items)
    seconds = n_items * SECONDS_PER_ITEM + len(standard.spec.open_questions) * SECONDS_PER_OPEN_QUESTION
    assert 75 <= n_items <= 90
    assert seconds < 12 * 60


# --- Broken copies: the loader names the file and the item -----------------------------------------


def _standard_data() -> dict:
    ref = resources.files("homeoffice.instruments").joinpath("data", "standard.yaml")
    return yaml.safe_load(ref.read_text(encoding="utf-8"))


def _item(data: dict, item_id: str) -> dict:
    return next(i for i in data["items"] if i["id"] == item_id)


def _unknown_scale(data: dict) -> None:
    _item(data, "wl2")["scale"] = "workloadd"


def _missing_en(data: dict) -> None:
    del _item(data, "pace1")["text"]["en"]


def _unknown_response_set(data: dict) -> None:
    _item(data, "auth4")["response_set"] = "agree7"


def _reversed_context_item(data: dict) -> None:
    _item(data, "ctx_room")["reverse"] = True


@pytest.mark.parametrize(
    "breakage, item_id, code",
    [
        (_unknown_scale, "wl2", "unknown_scale"),
        (_missing_en, "pace1", "invalid_instrument"),
        (_unknown_response_set, "auth4", "unknown_response_set"),
        (_reversed_context_item, "ctx_room", "invalid_instrument"),
    ],
)
def test_broken_copy_names_file_and_item(
    tmp_path: Path, breakage: Callable[[dict], None], item_id: str, code: str
) -> None:
    data = copy.deepcopy(_standard_data())
    breakage(data)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    with pytest.raises(InstrumentError) as info:
        load_instrument(path)

    err = info.value
    assert err.code == code
    assert err.where is not None and err.where.file == str(path)
    assert str(path) in str(err)
    assert f"(id {item_id})" in str(err)


def test_unbroken_copy_loads(tmp_path: Path) -> None:
    """The round trip used above is sound: an untouched copy loads with the same items."""
    path = tmp_path / "copy.yaml"
    path.write_text(yaml.safe_dump(_standard_data(), allow_unicode=True, sort_keys=False), encoding="utf-8")
    copy_ = load_instrument(path)
    assert [i.id for i in copy_.spec.items] == [i.id for i in load_instrument("standard").spec.items]
