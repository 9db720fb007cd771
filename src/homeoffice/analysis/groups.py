"""Group analyses for the dashboards: a group's summary, a heat map of groups, and wave comparisons.

Input is the result table of :func:`homeoffice.pipeline.score_table` (one row per respondent: a
0-100 column per scale and composite, ``pwe_index``, ``productivity_index``, ``job_situation``,
``situation`` and the provenance columns), possibly with extra columns (a unit, a pseudonymous
respondent key).

Dimensions are every scale and composite of the instrument plus the PWE and productivity indexes
(model.md sections 3-4). Each has a cut: the axes of the classification (demands, control and
support as the scoring profile names them, the PWE and productivity indexes) use the cut values
stored in the result table (``cut_demands`` ... ``cut_productivity``: the fixed, reference or
custom value, or the sample median the table was classified with); every other scale uses the
scale midpoint 50, the weakness cut of the measure engine (model.md section 5). A mean is
``above``, ``below`` or ``at`` its cut; its confidence interval (t distribution, 95 % by default)
lies ``above`` or ``below`` the cut or ``crosses`` it (the cut lies inside the interval, so the
group cannot be told apart from the cut). The PWE index is the product's own operationalisation
of the thesis, not a validated scale (model.md section 4).

Anonymity is the caller's job: these functions compute on whatever rows they are given. The
anonymity layer (issue 4) must pass only groups at or above the wave's minimum size, drop or hide
heat-map rows below it, suppress small cells of a transition matrix before showing it, and show a
person's :meth:`WaveComparison.trajectory` to that person only. Nothing here logs answers.

Everything is computed column-wise with numpy/pandas (no loop over respondents): the heat map of
100,000 respondents in 200 groups takes some tens of milliseconds.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from homeoffice.classification import AXES, JOB_SITUATIONS, MIDPOINT
from homeoffice.errors import HomeofficeError, PolicyError, Where
from homeoffice.instruments import Instrument
from homeoffice.instruments.schema import Text
from homeoffice.measures.catalogue import Catalogue, load_catalogue

CONFIDENCE = 0.95
UNCLASSIFIED = "unclassified"
SITUATION_KEYS: tuple[int | str, ...] = (1, 2, 3, 4, UNCLASSIFIED)
JOB_KEYS: tuple[str, ...] = (*JOB_SITUATIONS, UNCLASSIFIED)
INDEXES: dict[str, tuple[str, Text]] = {
    "pwe_index": (
        "pwe",
        Text(nb="PWE-indeks (psykososialt arbeidsmiljø)", en="PWE index (psychosocial work environment)"),
    ),
    "productivity_index": ("productivity", Text(nb="Produktivitetsindeks", en="Productivity index")),
}
PROVENANCE = (
    "instrument_id",
    "instrument_version",
    "scoring_profile",
    "cut_policy",
    *(f"cut_{a}" for a in AXES),
    "cut_source",
    "homeoffice_version",
)
_CUT_COLUMNS = frozenset(f"cut_{a}" for a in AXES)
_REQUIRED = ("situation", "job_situation", "cut_policy", *(f"cut_{a}" for a in AXES))
_DIMENSION_COLUMNS = ["name_nb", "name_en", "kind", "domain", "direction", "axis", "cut"]


# --- Results ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupSummary:
    """One group of respondents (model.md sections 3-4).

    ``situations``: index 1, 2, 3, 4, ``"unclassified"`` (no situation: an index was missing);
    columns ``n``, ``share`` (0-1 of the group) and ``percent``.
    ``job_situations``: index active, high_strain, low_strain, passive, ``"unclassified"``; the same columns.
    ``iso_strain``: how many are in high strain with low support.
    ``dimensions``: index dimension id (scales, composites, ``pwe_index``, ``productivity_index``);
    ``name_nb``, ``name_en``, ``kind``, ``domain``, ``direction``, ``axis``, ``cut``, ``n``, ``mean``,
    ``sd``, ``ci_low``, ``ci_high``, ``mean_side`` (above / below / at the cut) and ``ci_side``
    (above / below / crosses; None when n < 2).
    ``provenance``: instrument, scoring profile, cut policy, cut values and source, version.
    """

    n: int
    situations: pd.DataFrame
    job_situations: pd.DataFrame
    iso_strain: int
    dimensions: pd.DataFrame
    provenance: Mapping[str, object]
    confidence: float = CONFIDENCE


@dataclass(frozen=True)
class HeatMap:
    """Groups x dimensions: ``means`` and ``n`` (index group, columns dimension ids, same order).

    ``group_n`` is the number of respondents per group (rows), ``without_group`` how many rows had
    no group and were left out, ``dimensions`` the dimension table (names, direction, cut).
    """

    means: pd.DataFrame
    n: pd.DataFrame
    group_n: pd.Series
    dimensions: pd.DataFrame
    provenance: Mapping[str, object]
    without_group: int = 0


@dataclass(frozen=True)
class _Keyed:
    """Waves with their respondent keys as codes into one shared index of keys (-1: no key)."""

    results: Mapping[str, pd.DataFrame]
    codes: Mapping[str, np.ndarray]
    keys: pd.Index
    columns: tuple[str, ...]


@dataclass(frozen=True)
class WaveComparison:
    """The change from one wave to the next (model.md section 4: movement between situations).

    ``dimensions``: index dimension id; names, ``domain``, ``direction``, ``cut_previous``,
    ``cut_current``, ``n_``/``mean_``/``sd_`` per wave (suffix ``_previous``, ``_current``),
    ``change`` (current minus previous mean), ``ci_low``, ``ci_high`` (Welch), ``df``,
    ``change_side`` (up / down / unclear when the interval holds 0) and ``reading`` (better / worse
    for resource and risk scales, ``neutral`` for neutral ones, ``unclear`` when the interval holds 0).
    ``n_previous`` and ``n_current`` count the rows of each wave.
    ``situations``: index as in :class:`GroupSummary`; ``n_previous``, ``share_previous``,
    ``n_current``, ``share_current``, ``change`` (share, 0-1) and ``change_points`` (percentage points).
    ``transitions``: with a respondent key only, the counts of people by situation before (rows)
    and after (columns), among those who answered both waves; ``matched``, ``only_previous`` and
    ``only_current`` count them. ``cuts_differ`` is true when the waves were classified with other
    cut values, so situation shares are not measured against the same line.
    """

    dimensions: pd.DataFrame
    situations: pd.DataFrame
    provenance_previous: Mapping[str, object]
    provenance_current: Mapping[str, object]
    cuts_differ: bool
    n_previous: int = 0
    n_current: int = 0
    transitions: pd.DataFrame | None = None
    matched: int | None = None
    only_previous: int | None = None
    only_current: int | None = None
    confidence: float = CONFIDENCE
    _keyed: _Keyed | None = field(default=None, repr=False, compare=False)

    def trajectory(self, person: Hashable) -> pd.DataFrame:
        """One person's own scores and situation in each wave (rows ``previous``, ``current``).

        Only for confidential waves compared with a key; show it to that person only.
        Raises HomeofficeError ``no_key`` without a key, ``unknown_respondent`` for a key in neither wave.
        """
        if self._keyed is None:
            raise HomeofficeError(
                "no_key", "the waves were compared without a respondent key, so there are no trajectories"
            )
        return _trajectory(self._keyed, person)


# --- Checks and shared helpers ---------------------------------------------------------------------


def _check_table(results: object, instrument: Instrument) -> None:
    if not isinstance(results, pd.DataFrame):
        raise HomeofficeError(
            "not_a_table",
            "group analyses need the result table (a pandas DataFrame); got %(type)s",
            params={"type": type(results).__name__},
        )
    needed = [*instrument.score_ids, *INDEXES, *_REQUIRED]
    missing = [c for c in needed if c not in results.columns]
    if missing:
        raise HomeofficeError(
            "missing_columns",
            "the result table lacks the column(s) %(columns)s; analyse the output of score_table()",
            params={"columns": ", ".join(missing)},
        )
    if "instrument_id" in results.columns:
        found = sorted(str(v) for v in _distinct(results["instrument_id"]))
        if found and found != [instrument.id]:
            raise HomeofficeError(
                "instrument_mismatch",
                "the result table was scored with %(found)s, not with %(expected)s",
                params={"found": ", ".join(found), "expected": instrument.id},
                where=Where(column="instrument_id"),
            )


def _distinct(column: pd.Series) -> list[object]:
    """The distinct non-missing values of a column, cheaply for categoricals and numbers."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
        return list(column.cat.categories[np.flatnonzero(np.bincount(codes[codes >= 0]))])
    if pd.api.types.is_numeric_dtype(column.dtype):
        x = column.to_numpy(dtype=float, na_value=np.nan)
        x = x[~np.isnan(x)]
        if not x.size:
            return []
        return [float(x[0])] if x.min() == x.max() else np.unique(x).tolist()
    return list(pd.unique(column.dropna().astype(object)))


def _provenance(results: pd.DataFrame) -> dict[str, object]:
    """The provenance columns, each the same on every row (model.md: stored with every result)."""
    out: dict[str, object] = {}
    for column in PROVENANCE:
        if column not in results.columns:
            continue
        values = _distinct(results[column])
        if len(values) > 1:
            raise PolicyError(
                "mixed_cuts",
                "'%(column)s' must be the same on every row of one analysis; found %(values)s",
                params={"column": column, "values": ", ".join(sorted(map(str, values)))},
                where=Where(column=column),
            )
        if len(values) == 1:
            out[column] = float(values[0]) if column in _CUT_COLUMNS else values[0]  # type: ignore[arg-type]
    return out


def dimension_table(instrument: Instrument, cuts: Mapping[str, float], *, scale_cut: float = MIDPOINT) -> pd.DataFrame:
    """Every dimension with its names (nb, en), kind, domain, direction, axis and cut.

    ``cuts`` maps the axes (demands, control, support, pwe, productivity) to their cut values;
    scales that are no axis get ``scale_cut`` (the scale midpoint, model.md section 5).
    """
    prof = instrument.spec.scoring
    axis_of = {prof.demands: "demands", prof.control: "control", prof.support: "support"}
    rows = {}
    parts = [(s, "scale") for s in instrument.spec.scales] + [(c, "composite") for c in instrument.spec.composites]
    for spec, kind in parts:
        axis = axis_of.get(spec.id)
        cut = cuts.get(axis, np.nan) if axis else scale_cut
        rows[spec.id] = [spec.name.nb, spec.name.en, kind, spec.domain, spec.direction, axis, float(cut)]
    for index_id, (axis, name) in INDEXES.items():
        rows[index_id] = [name.nb, name.en, "index", None, "resource", axis, float(cuts.get(axis, np.nan))]
    table = pd.DataFrame.from_dict(rows, orient="index", columns=_DIMENSION_COLUMNS)
    table.index.name = "dimension"
    return table


def _axis_cuts(provenance: Mapping[str, object]) -> dict[str, float]:
    return {a: float(provenance[f"cut_{a}"]) for a in AXES if f"cut_{a}" in provenance}  # type: ignore[arg-type]


def _values(results: pd.DataFrame, columns: Sequence[str]) -> list[np.ndarray]:
    """The dimension columns as float arrays, NaN where missing (float64 columns are not copied)."""
    out = []
    for c in columns:
        col = results[c]
        if col.dtype != np.float64:
            col = pd.to_numeric(col, errors="coerce")
        out.append(col.to_numpy(dtype=float, na_value=np.nan))
    return out


def _group_stats(columns: Sequence[np.ndarray], codes: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """n, mean and sample SD (ddof 1) per group (rows) and column; ``codes`` 0..k-1 per value.

    Two passes per column with ``np.bincount`` (the SD from deviations, not from sums of squares).
    """
    shape = (k, len(columns))
    n, mean, sd = np.zeros(shape, dtype=np.int64), np.full(shape, np.nan), np.full(shape, np.nan)
    for j, x in enumerate(columns):
        known = ~np.isnan(x)
        if k == 1:  # one group: plain reductions (bincount into one bin is a slow serial chain)
            x = x[known]
            n[0, j] = x.size
            if x.size:
                mean[0, j] = x.mean()
            if x.size > 1:
                sd[0, j] = x.std(ddof=1)
            continue
        at, x = codes[known], x[known]
        count = np.bincount(at, minlength=k)
        with np.errstate(invalid="ignore", divide="ignore"):
            m = np.bincount(at, weights=x, minlength=k) / count
            dev = x - m[at]
            squares = np.bincount(at, weights=dev * dev, minlength=k)
            sd[:, j] = np.where(count > 1, np.sqrt(squares / (count - 1)), np.nan)
        n[:, j], mean[:, j] = count, m
    return n, mean, sd


def _t_quantile(confidence: float, df: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return stats.t.ppf(0.5 + confidence / 2.0, np.where(df > 0, df, np.nan))


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise HomeofficeError(
            "bad_confidence",
            "the confidence level must lie between 0 and 1 (e.g. 0.95); got %(value)s",
            params={"value": confidence},
        )


def _side(low: np.ndarray, high: np.ndarray, cut: np.ndarray, *, inside: str) -> list[str | None]:
    """``above`` when low > cut, ``below`` when high < cut, else ``inside``; None where undefined."""
    known = ~(np.isnan(low) | np.isnan(high) | np.isnan(cut))
    side = np.select([low > cut, high < cut], ["above", "below"], inside)
    return [s if k else None for s, k in zip(side.tolist(), known.tolist(), strict=True)]


def _counts(codes: np.ndarray, keys: Sequence[object], total: int) -> pd.DataFrame:
    """Counts of codes 0..len(keys)-1 as ``n``, ``share`` and ``percent`` rows named by ``keys``."""
    n = np.bincount(codes, minlength=len(keys))
    share = n / total if total else np.zeros(len(keys))
    table = pd.DataFrame({"n": n.astype(np.int64), "share": share, "percent": share * 100.0}, index=list(keys))
    return table


def _situation_codes(results: pd.DataFrame) -> np.ndarray:
    """0-3 for situations 1-4, 4 for unclassified (missing or not 1-4)."""
    x = pd.to_numeric(results["situation"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return np.where(np.isin(x, (1, 2, 3, 4)), np.nan_to_num(x) - 1, 4).astype(np.int64)


def _job_codes(results: pd.DataFrame) -> np.ndarray:
    """0-3 for the job situations in :data:`JOB_SITUATIONS` order, 4 for unclassified."""
    column = results["job_situation"]
    unknown = len(JOB_SITUATIONS)
    if isinstance(column.dtype, pd.CategoricalDtype):
        lookup = [JOB_SITUATIONS.index(c) if c in JOB_SITUATIONS else unknown for c in column.cat.categories]
        return np.array([*lookup, unknown], dtype=np.int64)[column.cat.codes.to_numpy()]  # code -1: the last
    codes = pd.Categorical(column.astype(object), categories=JOB_SITUATIONS).codes
    return np.where(codes < 0, unknown, codes).astype(np.int64)


# --- Group summary ---------------------------------------------------------------------------------


def group_summary(
    results: pd.DataFrame,
    instrument: Instrument,
    *,
    confidence: float = CONFIDENCE,
    scale_cut: float = MIDPOINT,
) -> GroupSummary:
    """Situations, job situations and every dimension's mean with its confidence interval against the cut.

    ``results``: the result table of one group (the caller has applied the minimum group size).
    Shares are of all rows in the group, the unclassified included. The CI is mean ± t(n-1) · SD/√n.
    Cuts as in the module docstring; the provenance of the result table is carried over.
    Raises HomeofficeError ``empty_group``, ``not_a_table``, ``missing_columns``,
    ``instrument_mismatch``, ``bad_confidence``; PolicyError ``mixed_cuts``.
    """
    _check_table(results, instrument)
    _check_confidence(confidence)
    if len(results) == 0:
        raise HomeofficeError("empty_group", "the group has no respondents")
    provenance = _provenance(results)
    table = dimension_table(instrument, _axis_cuts(provenance), scale_cut=scale_cut)
    total = len(results)
    n, mean, sd = _group_stats(_values(results, table.index), np.zeros(total, dtype=np.intp), 1)
    n, mean, sd = n[0], mean[0], sd[0]
    with np.errstate(invalid="ignore", divide="ignore"):
        half = _t_quantile(confidence, n - 1.0) * sd / np.sqrt(n)
    cut = table["cut"].to_numpy(dtype=float)
    table["n"] = n
    table["mean"] = mean
    table["sd"] = sd
    table["ci_low"] = mean - half
    table["ci_high"] = mean + half
    table["mean_side"] = _side(mean, mean, cut, inside="at")
    table["ci_side"] = _side(mean - half, mean + half, cut, inside="crosses")
    iso = results["iso_strain"] if "iso_strain" in results.columns else pd.Series(dtype="boolean")
    return GroupSummary(
        n=total,
        situations=_counts(_situation_codes(results), SITUATION_KEYS, total),
        job_situations=_counts(_job_codes(results), JOB_KEYS, total),
        iso_strain=int(pd.array(iso, dtype="boolean").sum()),
        dimensions=table,
        provenance=provenance,
        confidence=confidence,
    )


# --- Heat map --------------------------------------------------------------------------------------


def heat_map(
    results: pd.DataFrame,
    group_of: str | pd.Series | Sequence[Hashable],
    instrument: Instrument,
    *,
    dimensions: Sequence[str] | None = None,
    order: Sequence[Hashable] | None = None,
    scale_cut: float = MIDPOINT,
) -> HeatMap:
    """Mean and n of every dimension per group, for a heat map of groups x dimensions.

    ``group_of``: the name of a column of ``results``, or one group label per row (a Series aligned
    on the index, or a sequence in row order). Rows without a group are left out and counted.
    Groups come in sorted order, or in ``order`` (groups it leaves out are not shown; groups it names
    that have no rows get n 0). ``dimensions`` picks and orders the columns (default: all).
    The caller hides groups below the minimum size (``group_n``) before showing the map.
    """
    _check_table(results, instrument)
    provenance = _provenance(results)
    table = dimension_table(instrument, _axis_cuts(provenance), scale_cut=scale_cut)
    if dimensions is not None:
        table = _pick(table, dimensions)
    groups = _group_labels(results, group_of)
    codes, labels = pd.factorize(groups, sort=True, use_na_sentinel=True)
    keep = codes >= 0
    values = _values(results, table.index)
    if not keep.all():
        values = [x[keep] for x in values]
    n, mean, _ = _group_stats(values, codes[keep], len(labels))
    index = pd.Index(labels, name="group")
    means = pd.DataFrame(mean, index=index, columns=table.index)
    counts = pd.DataFrame(n, index=index, columns=table.index)
    group_n = pd.Series(np.bincount(codes[keep], minlength=len(labels)), index=index, name="n")
    if order is not None:
        wanted = pd.Index(list(order), name="group")
        means, counts, group_n = (
            means.reindex(wanted),
            counts.reindex(wanted, fill_value=0),
            group_n.reindex(wanted, fill_value=0),
        )
    return HeatMap(
        means=means,
        n=counts,
        group_n=group_n,
        dimensions=table,
        provenance=provenance,
        without_group=int((~keep).sum()),
    )


def _pick(table: pd.DataFrame, dimensions: Sequence[str]) -> pd.DataFrame:
    unknown = [d for d in dimensions if d not in table.index]
    if unknown:
        raise HomeofficeError(
            "unknown_dimension",
            "unknown dimension(s) %(names)s; the dimensions are %(known)s",
            params={"names": ", ".join(unknown), "known": ", ".join(table.index)},
        )
    return table.loc[list(dimensions)]


def _group_labels(results: pd.DataFrame, group_of: str | pd.Series | Sequence[Hashable]) -> pd.Series | np.ndarray:
    if isinstance(group_of, str):
        if group_of not in results.columns:
            raise HomeofficeError(
                "missing_columns",
                "the result table has no group column '%(column)s'",
                params={"column": group_of},
                where=Where(column=group_of),
            )
        return results[group_of]
    if isinstance(group_of, pd.Series):
        return group_of.reindex(results.index)
    labels = np.asarray(list(group_of), dtype=object)
    if len(labels) != len(results):
        raise HomeofficeError(
            "bad_groups",
            "give one group per row: %(got)s groups for %(rows)s rows",
            params={"got": len(labels), "rows": len(results)},
        )
    return labels


# --- Waves -----------------------------------------------------------------------------------------


def compare_waves(
    previous: pd.DataFrame,
    current: pd.DataFrame,
    instrument: Instrument,
    key: str | None = None,
    *,
    confidence: float = CONFIDENCE,
    scale_cut: float = MIDPOINT,
) -> WaveComparison:
    """Change per dimension and in situation shares from ``previous`` to ``current`` (same group, two waves).

    The CI of a change is Welch's (unequal variances, Welch-Satterthwaite df), treating the waves
    as independent samples. ``key``: the name of a column holding a pseudonymous respondent key in
    both tables (confidential waves); with it, the transition matrix of situations among people who
    answered both waves and :meth:`WaveComparison.trajectory`. Rows with an empty key are not matched.
    The caller applies the anonymity rules (module docstring) to both waves and to the matrix.
    Raises HomeofficeError as :func:`group_summary`, and ``missing_columns`` (key column),
    ``duplicate_key`` (a key twice in one wave).
    """
    before = group_summary(previous, instrument, confidence=confidence, scale_cut=scale_cut)
    after = group_summary(current, instrument, confidence=confidence, scale_cut=scale_cut)
    a, b = before.dimensions, after.dimensions
    table = a[["name_nb", "name_en", "kind", "domain", "direction", "axis"]].copy()
    table["cut_previous"], table["cut_current"] = a["cut"], b["cut"]
    for suffix, part in (("previous", a), ("current", b)):
        for column in ("n", "mean", "sd"):
            table[f"{column}_{suffix}"] = part[column]
    change, low, high, df = _welch(a, b, confidence)
    table["change"], table["ci_low"], table["ci_high"], table["df"] = change, low, high, df
    zero = np.zeros(len(table))
    table["change_side"] = [
        {"above": "up", "below": "down", "crosses": "unclear"}.get(s) if s else None
        for s in _side(low, high, zero, inside="crosses")
    ]
    table["reading"] = [_reading(s, d) for s, d in zip(table["change_side"], table["direction"], strict=True)]

    situations = pd.DataFrame(
        {
            "n_previous": before.situations["n"],
            "share_previous": before.situations["share"],
            "n_current": after.situations["n"],
            "share_current": after.situations["share"],
        }
    )
    situations["change"] = situations["share_current"] - situations["share_previous"]
    situations["change_points"] = situations["change"] * 100.0
    cut_keys = [f"cut_{a}" for a in AXES] + ["cut_policy"]
    differ = any(before.provenance.get(k) != after.provenance.get(k) for k in cut_keys)
    common = {
        "dimensions": table,
        "situations": situations,
        "provenance_previous": before.provenance,
        "provenance_current": after.provenance,
        "cuts_differ": differ,
        "n_previous": before.n,
        "n_current": after.n,
        "confidence": confidence,
    }
    if key is None:
        return WaveComparison(**common)
    keyed = _by_key({"previous": previous, "current": current}, key, a.index)
    before_codes, after_codes = keyed.codes["previous"], keyed.codes["current"]
    row_of = np.full(len(keyed.keys), -1)  # row in the current wave of each key
    has_key = after_codes >= 0
    row_of[after_codes[has_key]] = np.flatnonzero(has_key)
    rows_before = np.flatnonzero(before_codes >= 0)
    rows_after = row_of[before_codes[rows_before]]
    found = rows_after >= 0
    codes_before = _situation_codes(previous)[rows_before[found]]
    codes_after = _situation_codes(current)[rows_after[found]]
    size = len(SITUATION_KEYS)
    matrix = np.bincount(codes_before * size + codes_after, minlength=size * size).reshape(size, size)
    transitions = pd.DataFrame(
        matrix.astype(np.int64),
        index=pd.Index(SITUATION_KEYS, name="before"),
        columns=pd.Index(SITUATION_KEYS, name="after"),
    )
    return WaveComparison(
        **common,
        transitions=transitions,
        matched=int(found.sum()),
        only_previous=int((~found).sum()),
        only_current=int(has_key.sum() - found.sum()),
        _keyed=keyed,
    )


def _welch(
    a: pd.DataFrame, b: pd.DataFrame, confidence: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Difference of means (b - a) with Welch's CI; NaN where either wave has n < 2."""
    n1, n2 = a["n"].to_numpy(dtype=float), b["n"].to_numpy(dtype=float)
    v1, v2 = a["sd"].to_numpy(dtype=float) ** 2 / n1, b["sd"].to_numpy(dtype=float) ** 2 / n2
    change = b["mean"].to_numpy(dtype=float) - a["mean"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(v1 + v2)
        df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
        half = np.where(se == 0, 0.0, _t_quantile(confidence, df) * se)
    return change, change - half, change + half, df


def _reading(side: str | None, direction: str) -> str | None:
    if side is None:
        return None
    if side == "unclear":
        return "unclear"
    if direction == "neutral":
        return "neutral"
    good = "up" if direction == "resource" else "down"
    return "better" if side == good else "worse"


_KEY_MISSING = {
    "previous": "the previous wave has no respondent key column '%(column)s'",
    "current": "the current wave has no respondent key column '%(column)s'",
    "": "the wave '%(wave)s' has no respondent key column '%(column)s'",
}
_KEY_TWICE = {
    "previous": "a respondent key appears more than once in the previous wave; keys must be unique within a wave",
    "current": "a respondent key appears more than once in the current wave; keys must be unique within a wave",
    "": "a respondent key appears more than once in the wave '%(wave)s'; keys must be unique within a wave",
}


def _by_key(waves: Mapping[str, pd.DataFrame], key: str, dimensions: pd.Index) -> _Keyed:
    """The waves' respondent keys, factorised together (one hash pass); a key may occur once per wave."""
    for wave, results in waves.items():
        if key not in results.columns:
            raise HomeofficeError(
                "missing_columns",
                _KEY_MISSING.get(wave, _KEY_MISSING[""]),
                params={"wave": wave, "column": key},
                where=Where(column=key),
            )
    codes, keys = pd.factorize(pd.concat([r[key] for r in waves.values()], ignore_index=True), use_na_sentinel=True)
    split: dict[str, np.ndarray] = {}
    start = 0
    for wave, results in waves.items():
        part = codes[start : start + len(results)]
        start += len(results)
        if part.size and np.bincount(part[part >= 0], minlength=1).max() > 1:
            raise HomeofficeError(
                "duplicate_key", _KEY_TWICE.get(wave, _KEY_TWICE[""]), params={"wave": wave}, where=Where(column=key)
            )
        split[wave] = part
    return _Keyed(dict(waves), split, pd.Index(keys), (*dimensions, "situation", "job_situation"))


def _trajectory(keyed: _Keyed, person: Hashable) -> pd.DataFrame:
    """One row per wave in which ``person`` answered: the dimensions, situation and job situation."""
    code = keyed.keys.get_indexer([person])[0] if person in keyed.keys else -1
    found = {}
    for wave, codes in keyed.codes.items():
        rows = np.flatnonzero(codes == code) if code >= 0 else []
        if len(rows):
            found[wave] = keyed.results[wave].iloc[rows[0]][list(keyed.columns)]
    if not found:
        raise HomeofficeError("unknown_respondent", "no respondent with that key in the compared waves")
    out = pd.DataFrame(found).T
    out.index.name = "wave"
    numbers = [c for c in out.columns if c != "job_situation"]
    out[numbers] = out[numbers].apply(pd.to_numeric, errors="coerce")
    out["situation"] = out["situation"].astype("Int8")
    return out


def trajectory(waves: Mapping[str, pd.DataFrame], person: Hashable, instrument: Instrument, key: str) -> pd.DataFrame:
    """One person's own dimensions, situation and job situation in each of any number of waves.

    ``waves`` maps a wave label to its result table (with the ``key`` column); rows come in that
    order, a wave without the person is left out. Show it to that person only.
    Raises HomeofficeError ``missing_columns``, ``duplicate_key``, ``unknown_respondent``.
    """
    for results in waves.values():
        _check_table(results, instrument)
    labelled = {str(label): results for label, results in waves.items()}
    return _trajectory(_by_key(labelled, key, dimension_table(instrument, {}).index), person)


# --- Measures followed up --------------------------------------------------------------------------


def measure_follow_up(
    measure_ids: Sequence[str], comparison: WaveComparison, catalogue: Catalogue | None = None
) -> pd.DataFrame:
    """Per chosen measure, the change between waves in every dimension it targets (issue 4, action plan).

    A measure targets domains (its ``targets`` in the catalogue); every scale or composite of the
    instrument with that domain is listed, and the PWE or productivity index for the axis the
    measure serves (``both``: both). A targeted domain the instrument does not measure gets one row
    with ``measured`` false. Columns: ``measure_id``, ``title_nb``, ``title_en``, ``target_kind``
    (domain / axis), ``target``, ``dimension``, ``name_nb``, ``name_en``, ``direction``, ``measured``,
    ``mean_previous``, ``mean_current``, ``change``, ``ci_low``, ``ci_high``, ``reading``.
    Raises HomeofficeError ``unknown_measure``.
    """
    catalogue = catalogue if catalogue is not None else load_catalogue()
    dims = comparison.dimensions
    by_domain: dict[str, list[str]] = {}
    for dim, domain in dims["domain"].items():
        if isinstance(domain, str):
            by_domain.setdefault(domain, []).append(str(dim))
    picked: list[tuple[str, str, str, str | None]] = []  # measure, target kind, target, dimension
    for measure_id in measure_ids:
        if measure_id not in catalogue.ids:
            raise HomeofficeError("unknown_measure", "unknown measure '%(other)s'", params={"other": measure_id})
        measure = catalogue[measure_id]
        for domain in measure.targets:
            picked += [(measure_id, "domain", domain, d) for d in by_domain.get(domain, [None])]  # type: ignore[list-item]
        axes = ("pwe", "productivity") if measure.axis == "both" else (measure.axis,)
        picked += [(measure_id, "axis", axis, f"{axis}_index") for axis in axes]
    frame = pd.DataFrame(picked, columns=["measure_id", "target_kind", "target", "dimension"])
    frame.insert(1, "title_nb", [catalogue[m].title.nb for m in frame["measure_id"]])
    frame.insert(2, "title_en", [catalogue[m].title.en for m in frame["measure_id"]])
    frame["measured"] = frame["dimension"].notna()
    columns = ["name_nb", "name_en", "direction", "mean_previous", "mean_current", "change", "ci_low", "ci_high"]
    joined = dims.reindex(frame["dimension"].fillna(""))[[*columns, "reading"]].reset_index(drop=True)
    return pd.concat([frame, joined], axis=1)
