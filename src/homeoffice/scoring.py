"""Item -> scale -> composite scores, vectorised over the whole table (model.md section 3).

Conventions follow COPSOQ scoring: reverse-keyed items become ``min + max - x``; each item is
scored as percent of maximum possible, ``(x - min) / (max - min) * 100``; "not applicable"
answers are missing, never zero; a scale is the mean of its answered item scores when at least
``min_answered`` (default half) of its items are answered (1 of 2, 2 of 3, 2 of 4, 3 of 5), else
missing. Composites are the mean of their scale scores under the same half rule.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from homeoffice.errors import PolicyError
from homeoffice.instruments import Instrument

EPS = 1e-9


def item_scores(codes: np.ndarray, instrument: Instrument) -> np.ndarray:
    """0-100 item scores, reverse keying applied; NaN stays NaN.

    ``codes`` is (n, k) float in ``instrument.scored_items`` order.
    """
    low, high = instrument.bounds()
    rev = np.array([i.reverse for i in instrument.scored_items])
    x = np.where(rev, low + high - codes, codes)
    return (x - low) / (high - low) * 100.0


def _half_rule_mean(block: np.ndarray, min_answered: float) -> tuple[np.ndarray, np.ndarray]:
    """Row means of ``block`` where enough columns are present; also the answered counts."""
    present = ~np.isnan(block)
    answered = present.sum(axis=1)
    total = np.where(present, block, 0.0).sum(axis=1)
    need = block.shape[1] * min_answered - EPS
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / answered
    return np.where(answered >= need, mean, np.nan), answered


def _check_min_answered(min_answered: float) -> None:
    if not 0 < min_answered <= 1:
        raise PolicyError(
            "bad_min_answered",
            "min_answered must lie in (0, 1]; got %(value)s",
            params={"value": min_answered},
        )


def _scale_blocks(codes: np.ndarray, instrument: Instrument, *, pomp: bool):
    """Yield (scale id, block) with reverse keying (and 0-100 scoring if ``pomp``) applied.

    Works one scale at a time so a million-row table never holds a second full matrix.
    """
    low, high = instrument.bounds()
    rev = np.array([i.reverse for i in instrument.scored_items])
    index_of = {item.id: n for n, item in enumerate(instrument.scored_items)}
    for scale in instrument.spec.scales:
        cols = np.array([index_of[i.id] for i in instrument.items_of(scale.id)], dtype=int)
        if cols.size == 0:
            yield scale.id, np.full((codes.shape[0], 1), np.nan)
            continue
        block = codes[:, cols]  # a copy: fancy indexing
        lo, hi, rv = low[cols], high[cols], rev[cols]
        if rv.any():
            block[:, rv] = lo[rv] + hi[rv] - block[:, rv]
        if pomp:
            block -= lo
            block *= 100.0 / (hi - lo)
        yield scale.id, block


def score_scales(
    codes: np.ndarray, instrument: Instrument, *, min_answered: float | None = None
) -> pd.DataFrame:
    """Scale scores (0-100) per respondent from raw item codes.

    ``codes`` is (n, k) float in ``instrument.scored_items`` order, NaN for missing.
    Returns: one float column per scale id (NaN where too few items answered), then
    one per composite. Source: model.md section 3; COPSOQ III scoring conventions.
    """
    mins = instrument.spec.scoring.min_answered if min_answered is None else min_answered
    _check_min_answered(mins)
    out: dict[str, np.ndarray] = {}
    for scale_id, block in _scale_blocks(codes, instrument, pomp=True):
        out[scale_id], _ = _half_rule_mean(block, mins)
    _add_composites(out, instrument, mins)
    return pd.DataFrame(out, copy=False)


def scale_raw_means(codes: np.ndarray, instrument: Instrument, *, min_answered: float | None = None) -> pd.DataFrame:
    """Scale scores in the items' own metric (e.g. 1-5), reverse keying applied.

    This is how the thesis reports categories (table 4.2: the mean of 1-3 answers on 1-5).
    """
    mins = instrument.spec.scoring.min_answered if min_answered is None else min_answered
    _check_min_answered(mins)
    out = {}
    for scale_id, block in _scale_blocks(codes, instrument, pomp=False):
        out[scale_id], _ = _half_rule_mean(block, mins)
    return pd.DataFrame(out, copy=False)


def scale_range(instrument: Instrument, scale_id: str) -> tuple[float, float]:
    """The raw response range (min, max) shared by a scale's items.

    Scale-level input (category means) needs one range per scale; items of the thesis
    instrument all run 1-5.
    """
    items = instrument.items_of(scale_id)
    rs = {(instrument.response_set(i).min, instrument.response_set(i).max) for i in items}
    if len(rs) != 1:
        raise PolicyError(
            "mixed_ranges",
            "scale %(scale)s mixes response ranges %(ranges)s; scale-level input needs one range",
            params={"scale": scale_id, "ranges": sorted(rs)},
        )
    low, high = rs.pop()
    return float(low), float(high)


def score_scale_values(
    scale_values: np.ndarray, instrument: Instrument, *, min_answered: float | None = None
) -> pd.DataFrame:
    """0-100 scores from scale-level input (one raw mean per scale, as in thesis table 4.2).

    Reverse keying has already happened inside each published mean, so none is applied here.
    """
    mins = instrument.spec.scoring.min_answered if min_answered is None else min_answered
    _check_min_answered(mins)
    out: dict[str, np.ndarray] = {}
    for n, scale in enumerate(instrument.spec.scales):
        low, high = scale_range(instrument, scale.id)
        out[scale.id] = (scale_values[:, n] - low) / (high - low) * 100.0
    _add_composites(out, instrument, mins)
    return pd.DataFrame(out, copy=False)


def _add_composites(out: dict[str, np.ndarray], instrument: Instrument, min_answered: float) -> None:
    for comp in instrument.spec.composites:
        block = np.column_stack([out[s] for s in comp.of])
        out[comp.id], _ = _half_rule_mean(block, min_answered)
