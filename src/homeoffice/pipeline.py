"""Answers -> scores -> classification: the one function every shell calls.

Data flows one way (architecture.md): raw codes (or scale-level means) in, one result row per
respondent out, with every scale and composite, the classification and its provenance.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from homeoffice.classification import (
    CutPolicy,
    classified_record,
    classify,
    classify_arrays,
    default_policy,
    fixed_policy,
    negative_acts_frequent,
    provenance,
)
from homeoffice.instruments import Instrument
from homeoffice.scoring import scale_raw_means, scale_scores, score_scale_values, score_scales

RECORD_PARTS = ("scores", "classification", "context", "provenance")


def score_table(
    codes: np.ndarray | None,
    instrument: Instrument,
    *,
    index: pd.Index,
    policy: CutPolicy | None = None,
    scale_values: np.ndarray | None = None,
    context: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Score and classify every respondent.

    Give item ``codes`` ((n, k) float, ``instrument.scored_items`` order, NaN missing) or, for
    instruments that accept it, ``scale_values`` (raw-metric scale means). ``policy`` None means
    the model's default for the sample size (:func:`default_policy`).
    Returns: scale and composite scores, context columns, classification and provenance.
    """
    if scale_values is not None:
        scores = score_scale_values(scale_values, instrument)
        exposure = None
    else:
        if codes is None:
            raise TypeError("score_table needs codes or scale_values")
        scores = score_scales(codes, instrument)
        exposure = negative_acts_frequent(codes, instrument)
    scores.index = index
    if policy is None:
        policy = default_policy(len(scores))
    result = classify(scores, instrument, policy, exposure=exposure)
    # One dict of columns and copy=False: no consolidation copy of a million-row table.
    columns = {name: scores[name].array for name in scores.columns}
    if context is not None:  # context answers are codes: whole numbers with missing values
        columns.update({name: _codes_array(context[name]) for name in context.columns})
    columns.update({name: result[name].array for name in result.columns})
    out = pd.DataFrame(columns, index=index, copy=False)
    out.index.name = "respondent_id"
    return out


def _codes_array(values: pd.Series) -> pd.api.extensions.ExtensionArray:
    x = values.to_numpy(dtype=float)
    finite = x[~np.isnan(x)]
    if finite.size and (finite != np.round(finite)).any():
        return values.array
    big = finite.size and np.abs(finite).max() > 32_767
    return pd.array(x, dtype="Int64" if big else "Int16")


def raw_scale_values(
    codes: np.ndarray | None, instrument: Instrument, *, index: pd.Index, scale_values: np.ndarray | None = None
) -> pd.DataFrame:
    """Scale values in the items' own metric, for thesis-style descriptives."""
    if scale_values is not None:
        df = pd.DataFrame(scale_values, columns=[s.id for s in instrument.spec.scales])
    else:
        if codes is None:
            raise TypeError("raw_scale_values needs codes or scale_values")
        df = scale_raw_means(codes, instrument)
    df.index = index
    return df


def codes_row(answers: Mapping[str, object], instrument: Instrument) -> np.ndarray:
    """One respondent's answers (item id -> code) as a (1, k) row of ``score_table`` codes:
    NaN where unanswered or answered not applicable."""
    codes = np.full((1, len(instrument.scored_items)), np.nan)
    for j, item in enumerate(instrument.scored_items):
        value = answers.get(item.id)
        if value is not None and int(value) not in instrument.response_set(item).na_codes:
            codes[0, j] = float(value)
    return codes


def codes_matrix(answers: Sequence[Mapping[str, object]], instrument: Instrument) -> tuple[np.ndarray, pd.DataFrame]:
    """Many respondents' answers (item id -> code dicts, as the web survey stores them) as
    ``score_table`` input: the (n, k) codes of ``instrument.scored_items`` (NaN where unanswered
    or not applicable) and the context answers (NaN where unanswered)."""
    n = len(answers)
    codes = np.empty((n, len(instrument.scored_items)))
    for j, item in enumerate(instrument.scored_items):
        col = np.fromiter((a.get(item.id, np.nan) for a in answers), dtype=float, count=n)
        na = list(instrument.response_set(item).na_codes)
        if na:
            col[np.isin(col, na)] = np.nan
        codes[:, j] = col
    context = pd.DataFrame(
        {
            item.id: np.fromiter((a.get(item.id, np.nan) for a in answers), dtype=float, count=n)
            for item in instrument.context_items
        }
    )
    return codes, context


def _plain_number(value: float) -> int | float | None:
    if math.isnan(value):
        return None
    return int(value) if value == round(value) else float(value)


def score_record(
    answers: Mapping[str, object], instrument: Instrument, *, policy: CutPolicy | None = None
) -> dict[str, dict[str, object]]:
    """One respondent scored as a plain JSON record: ``{"scores", "classification", "context",
    "provenance"}``, the values :func:`score_table` gives that respondent (a test proves it).

    The same scoring and classification functions on arrays, without building a table: this is
    the web survey's submit (a few hundred microseconds instead of a pandas table's ~9 ms).
    ``policy`` None means the fixed cut 50, the default for one respondent (model.md section 4).
    """
    policy = policy or fixed_policy()
    codes = codes_row(answers, instrument)
    scores = scale_scores(codes, instrument)
    classified = classify_arrays(scores, instrument, policy, exposure=negative_acts_frequent(codes, instrument))
    context = {}
    for item in instrument.context_items:
        value = answers.get(item.id)
        context[item.id] = None if value is None else _plain_number(float(value))
    return {
        "scores": {sid: None if math.isnan(scores[sid][0]) else float(scores[sid][0]) for sid in instrument.score_ids},
        "classification": classified_record(classified),
        "context": context,
        "provenance": {
            k: (None if isinstance(v, float) and math.isnan(v) else v)
            for k, v in provenance(instrument, policy, classified.cuts).items()
        },
    }
