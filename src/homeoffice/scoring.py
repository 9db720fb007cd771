"""Item -> scale -> composite scores, vectorised over the whole table (model.md section 3).

Conventions follow COPSOQ scoring: reverse-keyed items become ``min + max - x``; each item is
scored as percent of maximum possible, ``(x - min) / (max - min) * 100``; "not applicable"
answers are missing, never zero; a scale is the mean of its answered item scores when at least
``min_answered`` (default half) of its items are answered (1 of 2, 2 of 3, 2 of 4, 3 of 5), else
missing. Composites are the mean of their scale scores under the same half rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from homeoffice.errors import PolicyError
from homeoffice.instruments import Instrument

EPS = 1e-9


def half_rule_mean(columns: Sequence[np.ndarray], min_answered: float) -> np.ndarray:
    """Row means over ``columns`` (k arrays of n) where at least ``min_answered`` of the k are present."""
    total = np.zeros(len(columns[0]))
    answered = np.zeros(len(columns[0]), dtype=np.int16)
    for col in columns:
        present = ~np.isnan(col)
        answered += present
        np.add(total, col, out=total, where=present)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / answered
    mean[answered < len(columns) * min_answered - EPS] = np.nan
    return mean


def _check_min_answered(min_answered: float) -> None:
    if not 0 < min_answered <= 1:
        raise PolicyError(
            "bad_min_answered",
            "min_answered must lie in (0, 1]; got %(value)s",
            params={"value": min_answered},
        )


BLOCK_ROWS = 65_536  # rows per block: one item column of a block (0.5 MB) stays in cache


def _scale_means(
    codes: np.ndarray, instrument: Instrument, *, pomp: bool, min_answered: float
) -> dict[str, np.ndarray]:
    """Per scale: the mean of its answered items (reverse keyed, 0-100 if ``pomp``), half rule.

    Works one item column at a time on blocks of rows, so a million-row table never needs a
    second full matrix; blocks run on two threads (numpy releases the GIL inside each operation).
    """
    low, high = instrument.bounds()
    rev = np.array([i.reverse for i in instrument.scored_items])
    index_of = {item.id: n for n, item in enumerate(instrument.scored_items)}
    plan = [(scale.id, [index_of[i.id] for i in instrument.items_of(scale.id)]) for scale in instrument.spec.scales]
    n = codes.shape[0]
    if n == 1:
        return _one_row_means(codes[0].tolist(), low.tolist(), high.tolist(), rev.tolist(), plan, pomp, min_answered)
    out = {scale_id: np.empty(n) for scale_id, _ in plan}

    def block(start: int) -> None:
        rows = slice(start, min(start + BLOCK_ROWS, n))
        for scale_id, cols in plan:
            total = np.zeros(rows.stop - rows.start)
            answered = np.zeros(rows.stop - rows.start, dtype=np.int16)
            for c in cols:
                col = codes[rows, c]
                present = ~np.isnan(col)
                answered += present
                x = _item_value(col, low[c], high[c], rev[c], pomp)
                np.add(total, x, out=total, where=present)
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = np.divide(total, answered, out=out[scale_id][rows])
            mean[answered < len(cols) * min_answered - EPS] = np.nan

    starts = range(0, n, BLOCK_ROWS)
    if n > 2 * BLOCK_ROWS:
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(block, starts))
    else:
        for start in starts:
            block(start)
    return out


def _item_value(code, lo: float, hi: float, reverse: bool, pomp: bool):
    """One item's contribution to its scale mean, for a column of codes or one code: POMP 0-100
    (reversed items from the top) or the raw code (reversed as ``lo + hi - code``). One function for
    both paths, so the table and the one-row path do the same operations in the same order."""
    if pomp:
        x = (hi - code) if reverse else (code - lo)
        x *= 100.0 / (hi - lo)  # in place for a column: no second array
        return x
    return (lo + hi - code) if reverse else code


def _one_row_means(
    row: list[float], low: list[float], high: list[float], rev: list[bool], plan: list, pomp: bool, min_answered: float
) -> dict[str, np.ndarray]:
    """``_scale_means`` of one respondent (the web survey's submit) in Python floats: the same
    operations in the same order as ``block`` (IEEE doubles either way, so the same bits, as a test
    checks), without ~500 numpy calls on one-element arrays (~1 ms)."""
    out = {}
    for scale_id, cols in plan:
        total, answered = 0.0, 0
        for c in cols:
            code = row[c]
            if code != code:  # NaN: not answered
                continue
            answered += 1
            total += _item_value(code, low[c], high[c], rev[c], pomp)
        too_few = answered < len(cols) * min_answered - EPS
        out[scale_id] = np.array([np.nan if too_few or not answered else total / answered])
    return out


def score_scales(codes: np.ndarray, instrument: Instrument, *, min_answered: float | None = None) -> pd.DataFrame:
    """Scale scores (0-100) per respondent from raw item codes.

    ``codes`` is (n, k) float in ``instrument.scored_items`` order, NaN for missing.
    Returns: one float column per scale id (NaN where too few items answered), then
    one per composite. Source: model.md section 3; COPSOQ III scoring conventions.
    """
    return pd.DataFrame(scale_scores(codes, instrument, min_answered=min_answered), copy=False)


def scale_scores(
    codes: np.ndarray, instrument: Instrument, *, min_answered: float | None = None
) -> dict[str, np.ndarray]:
    """:func:`score_scales` as a dict of arrays (scale ids, then composites): no DataFrame, so a
    single respondent (the web survey's submit) is scored without pandas' per-column overhead."""
    mins = instrument.spec.scoring.min_answered if min_answered is None else min_answered
    _check_min_answered(mins)
    out = _scale_means(codes, instrument, pomp=True, min_answered=mins)
    _add_composites(out, instrument, mins)
    return out


def scale_raw_means(codes: np.ndarray, instrument: Instrument, *, min_answered: float | None = None) -> pd.DataFrame:
    """Scale scores in the items' own metric (e.g. 1-5), reverse keying applied.

    This is how the thesis reports categories (table 4.2: the mean of 1-3 answers on 1-5).
    """
    mins = instrument.spec.scoring.min_answered if min_answered is None else min_answered
    _check_min_answered(mins)
    out = _scale_means(codes, instrument, pomp=False, min_answered=mins)
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
        out[comp.id] = half_rule_mean([out[s] for s in comp.of], min_answered)
