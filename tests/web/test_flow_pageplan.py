"""The questionnaire is cut into short pages: whole scales of 5-8 items, context on its own, open last."""

from __future__ import annotations

import pytest

from homeoffice.instruments import instrument_from_dict, load_instrument
from homeoffice.web.responses.pages import MAX_ITEMS, page_plan
from tests.conftest import build_instrument


def test_standard_plan_keeps_every_item_once_in_file_order():
    instrument = load_instrument("standard")
    plan = page_plan(instrument)
    ids = [i for p in plan for i in p.item_ids]
    assert ids == [i.id for i in instrument.spec.items]
    assert [p.number for p in plan] == list(range(1, len(plan) + 1))


def test_standard_plan_pages_are_short_and_scales_stay_whole():
    instrument = load_instrument("standard")
    plan = page_plan(instrument)
    scale_pages = [p for p in plan if p.kind == "scales"]
    assert all(4 <= p.size <= MAX_ITEMS for p in scale_pages)
    assert sum(p.size >= 5 for p in scale_pages) >= len(scale_pages) - 1
    pages_of_scale: dict[str, set[int]] = {}
    for p in scale_pages:
        for item_id in p.item_ids:
            pages_of_scale.setdefault(instrument.items_by_id[item_id].scale, set()).add(p.number)
    assert all(len(pages) == 1 for pages in pages_of_scale.values())


def test_context_questions_have_their_own_page_and_open_questions_come_last():
    instrument = load_instrument("standard")
    plan = page_plan(instrument)
    context = [p for p in plan if p.kind == "context"]
    assert len(context) == 1
    assert set(context[0].item_ids) == {i.id for i in instrument.context_items}
    assert plan[-1].kind == "open"
    assert plan[-1].open_ids == ("open_works_well", "open_would_help")
    assert plan[-1].item_ids == ()


def test_a_long_scale_is_cut_into_near_equal_pages():
    instrument = build_instrument({"long": 11, "short": 3})
    plan = page_plan(instrument)
    assert [p.size for p in plan] == [6, 5, 3]
    assert plan[0].item_ids[0] == "long_1" and plan[2].item_ids == ("short_1", "short_2", "short_3")


@pytest.mark.parametrize(
    "scales, sizes",
    [
        ({"a": 3, "b": 3, "c": 3}, [6, 3]),  # a third scale would make 9
        ({"a": 4, "b": 4, "c": 2}, [8, 2]),
        ({"a": 2, "b": 2, "c": 2, "d": 2}, [8]),
    ],
)
def test_scales_are_packed_whole_up_to_the_limit(scales, sizes):
    assert [p.size for p in page_plan(build_instrument(scales))] == sizes


def _with_context_in_the_middle():
    base = build_instrument({"a": 2, "b": 2}).spec.model_dump()
    ctx = {"id": "ctx1", "text": {"nb": "Hvor?", "en": "Where?"}, "response_set": "five"}
    base["items"] = [*base["items"][:2], ctx, *base["items"][2:]]
    return instrument_from_dict(base)


def test_context_between_scales_is_not_mixed_with_them():
    plan = page_plan(_with_context_in_the_middle())
    assert [(p.kind, p.item_ids) for p in plan] == [
        ("scales", ("a_1", "a_2")),
        ("context", ("ctx1",)),
        ("scales", ("b_1", "b_2")),
    ]
