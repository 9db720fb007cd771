"""Answers -> scores -> classification: the one function every shell calls.

Data flows one way (architecture.md): raw codes (or scale-level means) in, one result row per
respondent out, with every scale and composite, the classification and its provenance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from homeoffice.classification import CutPolicy, classify, default_policy, negative_acts_frequent
from homeoffice.instruments import Instrument
from homeoffice.scoring import scale_raw_means, score_scale_values, score_scales


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
