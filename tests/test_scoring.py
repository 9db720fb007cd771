"""Scoring rules of model.md section 3: reverse keying, not-applicable, 0-100, half rule, composites."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from homeoffice.errors import PolicyError
from homeoffice.instruments import load_instrument
from homeoffice.scoring import scale_raw_means, score_scale_values, score_scales
from tests.conftest import build_instrument

NAN = np.nan


def test_item_score_is_percent_of_maximum_possible(make_instrument):
    ins = make_instrument({"a": 1})
    got = score_scales(np.array([[1.0], [2.0], [3.0], [4.0], [5.0]]), ins)["a"].tolist()
    assert got == [0.0, 25.0, 50.0, 75.0, 100.0]


def test_reverse_keyed_item_is_flipped_before_scoring(make_instrument):
    ins = make_instrument({"a": 2}, reverse={"a_2"})
    # a_1 = 5 (100) and a_2 = 5 reversed to 1 (0): mean 50
    assert score_scales(np.array([[5.0, 5.0]]), ins)["a"].iloc[0] == 50.0
    assert score_scales(np.array([[5.0, 1.0]]), ins)["a"].iloc[0] == 100.0


def test_thesis_distractions_and_isolation_are_reverse_keyed():
    ins = load_instrument("thesis-2023")
    reversed_items = {i.id for i in ins.spec.items if i.reverse}
    assert reversed_items == {"pinf2", "sup2"}
    codes = np.full((1, len(ins.scored_items)), 5.0)
    raw = scale_raw_means(codes, ins)
    # three items at 5, one of them reversed to 1: (5 + 1 + 5) / 3
    assert raw["positive_influence"].iloc[0] == pytest.approx(11 / 3)
    assert raw["increased_support"].iloc[0] == pytest.approx(11 / 3)


def test_not_applicable_is_missing_not_zero(make_instrument):
    # Readers turn not-applicable codes into NaN; the scale mean ignores them.
    ins = make_instrument({"a": 3})
    score = score_scales(np.array([[5.0, NAN, 4.0]]), ins)["a"].iloc[0]
    assert score == pytest.approx(87.5)  # mean(100, 75), not mean(100, 0, 75)


@pytest.mark.parametrize(
    ("k", "answered", "scored"),
    [
        (2, 1, True),
        (2, 0, False),
        (3, 2, True),
        (3, 1, False),
        (4, 2, True),
        (4, 1, False),
        (5, 3, True),
        (5, 2, False),
    ],
)
def test_half_rule_at_each_boundary(make_instrument, k, answered, scored):
    ins = make_instrument({"a": k})
    row = [4.0] * answered + [NAN] * (k - answered)
    value = score_scales(np.array([row]), ins)["a"].iloc[0]
    assert (not math.isnan(value)) is scored
    if scored:
        assert value == 75.0


def test_composite_is_mean_of_its_scales_with_half_rule(make_instrument):
    ins = make_instrument({"workload": 2, "pace": 2}, composites={"demands": ["workload", "pace"]})
    out = score_scales(np.array([[5.0, 5.0, 1.0, 1.0], [5.0, 5.0, NAN, NAN], [NAN, NAN, NAN, NAN]]), ins)
    assert out["demands"].iloc[0] == 50.0
    assert out["demands"].iloc[1] == 100.0  # 1 of 2 sub-scales is enough
    assert math.isnan(out["demands"].iloc[2])


def test_scale_level_input_scores_category_means():
    ins = load_instrument("thesis-2023")
    values = np.array([[5, 4, 1, 4, 5, 1, 4, 2]], dtype=float)  # informant 1 of table 4.2
    out = score_scale_values(values, ins)
    assert out["increased_control"].iloc[0] == 75.0
    assert out["increased_support"].iloc[0] == 25.0
    assert out["negative_experiences"].iloc[0] == 0.0


def test_min_answered_must_be_a_share(make_instrument):
    ins = make_instrument({"a": 2})
    with pytest.raises(PolicyError) as err:
        score_scales(np.array([[1.0, 2.0]]), ins, min_answered=0)
    assert err.value.code == "bad_min_answered"


def _reference_scores(codes, ins, min_answered=0.5):
    """Slow, obviously-correct scoring: loops over people and items."""
    out = {}
    for scale in ins.spec.scales:
        items = ins.items_of(scale.id)
        col = []
        for row in codes:
            scored = []
            for item in items:
                x = row[[i.id for i in ins.scored_items].index(item.id)]
                if math.isnan(x):
                    continue
                rs = ins.response_set(item)
                if item.reverse:
                    x = rs.min + rs.max - x
                scored.append((x - rs.min) / (rs.max - rs.min) * 100)
            col.append(sum(scored) / len(scored) if len(scored) >= len(items) * min_answered else math.nan)
        out[scale.id] = col
    return out


MIXED = build_instrument({"a": 2, "b": 3, "c": 4, "d": 5}, reverse={"a_2", "c_1", "d_4", "d_5"})


@settings(max_examples=150, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(1, 25), st.just(14)),
        elements=st.one_of(st.integers(1, 5).map(float), st.just(math.nan)),
    )
)
def test_vectorised_scoring_agrees_with_reference(codes):
    fast = score_scales(codes, MIXED)
    slow = _reference_scores(codes, MIXED)
    for sid, values in slow.items():
        np.testing.assert_allclose(fast[sid].to_numpy(), np.array(values, dtype=float), rtol=1e-12, atol=1e-9)


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_vectorised_scoring_agrees_with_reference_on_thesis_instrument(data):
    ins = load_instrument("thesis-2023")
    n = data.draw(st.integers(1, 20))
    codes = data.draw(
        arrays(
            np.float64, (n, len(ins.scored_items)), elements=st.one_of(st.integers(1, 5).map(float), st.just(math.nan))
        )
    )
    fast = score_scales(codes, ins)
    slow = _reference_scores(codes, ins)
    for sid, values in slow.items():
        np.testing.assert_allclose(fast[sid].to_numpy(), np.array(values, dtype=float), atol=1e-9)


def test_large_tables_scored_in_threaded_blocks_match_small_ones():
    from homeoffice import scoring

    rng = np.random.default_rng(5)
    n = 2 * scoring.BLOCK_ROWS + 7
    codes = rng.integers(1, 6, size=(n, 14)).astype(float)
    codes[rng.random(codes.shape) < 0.2] = np.nan
    codes = np.asfortranarray(codes)
    whole = score_scales(codes, MIXED)
    parts = pd.concat([score_scales(codes[i : i + 1000], MIXED) for i in range(0, n, 1000)], ignore_index=True)
    pd.testing.assert_frame_equal(whole, parts)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_one_respondent_is_scored_to_the_same_bits_as_in_a_table(data):
    """The submit of the web survey scores one row on its own path: same operations, same bits,
    so a score exactly at a cut classifies the same either way."""
    ins = data.draw(st.sampled_from([MIXED, load_instrument("standard"), load_instrument("thesis-2023")]))
    dtype = data.draw(st.sampled_from([np.float64, np.float32]))
    low, high = ins.bounds()
    k = len(ins.scored_items)
    codes = data.draw(arrays(dtype, (3, k), elements=st.one_of(st.integers(1, 7).map(float), st.just(math.nan))))
    codes = np.clip(codes, low, high).astype(dtype)  # NaN stays NaN
    for score in (score_scales, scale_raw_means):
        table = score(codes, ins)
        for r in range(codes.shape[0]):
            alone = score(codes[r : r + 1], ins)
            pd.testing.assert_frame_equal(alone, table.iloc[r : r + 1].reset_index(drop=True), check_exact=True)
