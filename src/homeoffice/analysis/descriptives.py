"""Descriptives in the thesis's style (chapter 4): most common value and the deviating values.

Chapter 4 describes each category of table 4.2 by its most common value and "the deviations":
the other values that occur. We report as deviations every value other than the most common one
(model.md section 4). Where two or more values are equally common, all of them are listed as most
common. Section 4.1 names only 3 as the deviation for familiarity although three informants
answered 4; the thesis is inconsistent there and we do not copy that special case.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from homeoffice.instruments import Instrument

COLUMNS = ["scale", "name", "n", "mean", "sd", "most_common", "deviations", "deviation_counts"]


def _clean(value: float) -> float | int:
    """4.0 -> 4 so lists read as the thesis writes them; other values rounded to 2 decimals."""
    r = round(float(value), 2)
    return int(r) if r.is_integer() else r


def describe_thesis_style(values: pd.DataFrame, instrument: Instrument, *, lang: str = "en") -> pd.DataFrame:
    """One row per scale: n, mean, SD, most common value(s) and deviating values.

    ``values`` holds scale values in the items' own metric (e.g. 1-5 category means, as in
    table 4.2), one column per scale id. SD is the sample SD (n - 1), as SPSS reports it.
    Values are compared after rounding to 2 decimals (means of 2 or 3 answers are exact there).

    Returns: columns ``scale, name, n, mean, sd, most_common, deviations, deviation_counts``;
    ``most_common`` and ``deviations`` are ascending lists, ``deviation_counts`` maps each
    deviating value to how many gave it.
    """
    rows = []
    for scale in instrument.spec.scales:
        if scale.id not in values:
            continue
        col = values[scale.id].to_numpy(dtype=float)
        col = col[~np.isnan(col)]
        n = int(col.size)
        if n == 0:
            rows.append([scale.id, scale.name.get(lang), 0, np.nan, np.nan, [], [], {}])
            continue
        rounded = pd.Series(np.round(col, 2)).value_counts()
        top = int(rounded.max())
        modes = sorted(_clean(v) for v, c in rounded.items() if c == top)
        others = {_clean(v): int(c) for v, c in sorted(rounded.items()) if c != top}
        sd = float(np.std(col, ddof=1)) if n > 1 else np.nan
        rows.append([scale.id, scale.name.get(lang), n, float(col.mean()), sd, modes, sorted(others), others])
    return pd.DataFrame(rows, columns=COLUMNS)
