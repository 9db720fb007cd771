"""One respondent scored without a table (the web submit) gives what the table path gives."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homeoffice.classification import AXES, fixed_policy, provenance
from homeoffice.instruments import load_instrument
from homeoffice.pipeline import RECORD_PARTS, codes_matrix, codes_row, score_record, score_table

STANDARD = load_instrument("standard")
THESIS = load_instrument("thesis-2023")


def table_record(answers: dict, instrument, policy) -> dict:
    """The reference: score a one-row table and read its row back as plain values."""
    context = pd.DataFrame(
        {i.id: [float(answers[i.id]) if answers.get(i.id) is not None else np.nan] for i in instrument.context_items}
    )
    row = score_table(
        codes_row(answers, instrument), instrument, index=pd.Index(["me"]), policy=policy, context=context
    ).iloc[0]

    def plain(v):
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            return None
        if isinstance(v, np.bool_ | bool):
            return bool(v)
        if isinstance(v, np.integer):
            return int(v)
        if isinstance(v, np.floating):
            return float(v)
        return v

    # The keys come from the table, not from score_record, so a value it forgot is a difference.
    scores = list(instrument.score_ids)
    context = [i.id for i in instrument.context_items]
    prov = list(provenance(instrument, policy, {a: 50.0 for a in AXES}))
    classification = [c for c in row.index if c not in {*scores, *context, *prov}]
    keys = {"scores": scores, "classification": classification, "context": context, "provenance": prov}
    return {part: {k: plain(row[k]) for k in keys[part]} for part in RECORD_PARTS}


def answers_strategy(instrument):
    items = list(instrument.scored_items) + list(instrument.context_items)
    choices = {}
    for item in items:
        rs = instrument.response_set(item)
        codes = list(range(rs.min, rs.max + 1)) + list(rs.na_codes)
        choices[item.id] = st.none() | st.sampled_from(codes)
    return st.fixed_dictionaries(choices).map(lambda d: {k: v for k, v in d.items() if v is not None})


@pytest.mark.parametrize("instrument", [STANDARD, THESIS], ids=lambda i: i.id)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_record_equals_the_table_row(instrument, data):
    answers = data.draw(answers_strategy(instrument))
    record = score_record(answers, instrument, policy=fixed_policy())
    assert record == table_record(answers, instrument, fixed_policy())


def test_record_of_no_answers_is_all_unknown_but_keeps_provenance():
    record = score_record({}, STANDARD)
    assert all(v is None for v in record["scores"].values())
    assert record["classification"]["situation"] is None
    assert record["classification"]["job_situation"] is None
    assert record["provenance"]["cut_policy"] == "fixed"
    assert record["provenance"]["cut_pwe"] == 50.0


def test_record_places_a_clearly_good_respondent_in_situation_4():
    answers = {}
    for item in STANDARD.scored_items:
        rs = STANDARD.response_set(item)
        good = rs.max if (item.reverse == (STANDARD.direction(item.scale) == "risk")) else rs.min
        answers[item.id] = good
    record = score_record(answers, STANDARD)
    assert record["classification"]["situation"] == 4
    assert record == table_record(answers, STANDARD, fixed_policy())


@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_many_answers_become_the_same_codes_as_one_by_one(data):
    people = data.draw(st.lists(answers_strategy(STANDARD), min_size=1, max_size=6))
    codes, context = codes_matrix(people, STANDARD)
    expected = np.vstack([codes_row(a, STANDARD) for a in people])
    np.testing.assert_array_equal(codes, expected)
    for item in STANDARD.context_items:
        want = [float(a[item.id]) if item.id in a else np.nan for a in people]
        np.testing.assert_array_equal(context[item.id].to_numpy(), want)
