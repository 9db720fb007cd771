"""What a dashboard shows for one group of a released wave, computed once per released table (issue 4, point 3).

Every number here comes through the one door, :class:`~homeoffice.web.dashboards.groups.WaveGroups`:
a summary, a heat-map row, a recommendation or a comparison is computed only from
``WaveGroups.results(key)``, which is None for a hidden or empty group. A hidden group therefore
contributes its response count ``n`` (counts are not answers) and nothing else. The analyses are
the core's (:mod:`homeoffice.analysis.groups`, :mod:`homeoffice.group_charts`,
:func:`homeoffice.measures.engine.recommend_for_group`).

A released table never changes (the population is frozen at release), so what is computed from it
is kept in this process: summaries, recommendations, comparisons and heat maps in one LRU, the
rendered charts (SVG with their text alternatives) in a smaller one. Entries belong to one
``WaveGroups`` object (one released build and minimum group size); a rebuilt table gets new ones.

The transition matrix between two confidential waves is shown with small cells suppressed
(:func:`suppress_transitions`).
"""

from __future__ import annotations

import itertools
import math
import threading
import weakref
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from homeoffice.analysis.groups import (
    SITUATION_KEYS,
    GroupSummary,
    HeatMap,
    WaveComparison,
    compare_waves,
    group_summary,
)
from homeoffice.anonymity import EMPTY, HIDDEN, SHOWN, GroupKey
from homeoffice.errors import HomeofficeError
from homeoffice.group_charts import (
    ROWS_PER_PAGE,
    GroupChart,
    dimension_means_chart,
    heat_map_chart,
    situation_chart,
    wave_change_chart,
)
from homeoffice.measures.engine import GroupRecommendation, recommend_for_group
from homeoffice.web.dashboards.groups import WaveGroups
from homeoffice.web.i18n import t

CHART_NAMES = ("model", "means", "heatmap", "change")
HEAT_ROWS_PER_PAGE = ROWS_PER_PAGE
TOP_MEASURES = 5
DATA_ENTRIES = 6000  # summaries, heat maps, recommendations, comparisons (small: a few kB each)
CHART_ENTRIES = 160  # rendered charts (up to a few hundred kB each)

_lock = threading.Lock()
_serials: dict[int, tuple[weakref.ref, int]] = {}
_counter = itertools.count(1)
_data: OrderedDict[tuple, object] = OrderedDict()
_charts: OrderedDict[tuple, object] = OrderedDict()
_NONE = object()


def _serial(groups: WaveGroups | None) -> int:
    """A number that names this WaveGroups object for as long as it lives (never reused)."""
    if groups is None:
        return 0
    with _lock:
        entry = _serials.get(id(groups))
        if entry is not None and entry[0]() is groups:
            return entry[1]
        serial = next(_counter)
        _serials[id(groups)] = (weakref.ref(groups), serial)
        if len(_serials) > 4 * DATA_ENTRIES:  # drop the entries of objects that are gone
            for oid in [oid for oid, (ref, _) in _serials.items() if ref() is None]:
                del _serials[oid]
        return serial


def _cached(store: OrderedDict, limit: int, key: tuple, compute: Callable[[], object]) -> object:
    with _lock:
        if key in store:
            store.move_to_end(key)
            found = store[key]
            return None if found is _NONE else found
    value = compute()
    with _lock:
        store[key] = _NONE if value is None else value
        while len(store) > limit:
            store.popitem(last=False)
    return value


# --- one group ------------------------------------------------------------------------------------


def summary(groups: WaveGroups, key: GroupKey) -> GroupSummary | None:
    """Situations, job situations and dimension means with CIs of a shown group; None otherwise."""

    def compute() -> GroupSummary | None:
        rows = groups.results(key)
        if rows is None or len(rows) == 0:
            return None
        return group_summary(rows, groups.instrument)

    return _cached(_data, DATA_ENTRIES, (_serial(groups), "summary", key), compute)


def recommendations(groups: WaveGroups, key: GroupKey, lang: str) -> GroupRecommendation | None:
    """The measures recommended for a shown group (model.md section 5), in ``lang``; None otherwise."""

    def compute() -> GroupRecommendation | None:
        rows = groups.results(key)
        if rows is None or len(rows) == 0:
            return None
        return recommend_for_group(rows, groups.instrument, lang=lang)

    return _cached(_data, DATA_ENTRIES, (_serial(groups), "measures", key, lang), compute)


def _keyed(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows with empty respondent keys as missing (anonymous answers are never matched)."""
    keys = rows["respondent_key"].astype("string")
    return rows.assign(respondent_key=keys.mask(keys.str.len() == 0))


def comparison(groups: WaveGroups, previous: WaveGroups | None, key: GroupKey) -> WaveComparison | None:
    """The change since the previous released wave, when the group is shown in both waves.

    For two confidential waves the people are matched by their pseudonymous key, which gives the
    transition matrix (shown only through :func:`suppress_transitions`).
    """
    if previous is None or previous.instrument.id != groups.instrument.id:
        return None

    def compute() -> WaveComparison | None:
        now, before = groups.results(key), previous.results(key)
        if now is None or before is None or not len(now) or not len(before):
            return None
        confidential = groups.wave.mode == previous.wave.mode == "confidential"
        if confidential:
            try:
                return compare_waves(_keyed(before), _keyed(now), groups.instrument, key="respondent_key")
            except HomeofficeError:  # a key twice in a wave (imported data): compare without matching
                pass
        return compare_waves(before, now, groups.instrument)

    return _cached(_data, DATA_ENTRIES, (_serial(groups), _serial(previous), "compare", key), compute)


# --- the heat map ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeatRow:
    """One group of a heat map (or of the drill-down list): shown with values, hidden or empty (n only)."""

    key: GroupKey
    name: str
    n: int
    status: str

    @property
    def shown(self) -> bool:
        return self.status == SHOWN


def tree_order(groups: WaveGroups, top: int) -> list[int]:
    """``top`` and every unit below it, depth first, children by name."""
    out, todo = [], [top]
    while todo:
        unit = todo.pop()
        out.append(unit)
        todo.extend(reversed([c.pk for c in groups.children(unit)]))
    return out


def unit_name(groups: WaveGroups, unit_id: int) -> str:
    """The unit's name, with its parent's when another unit of the organisation has the same name."""
    unit = groups.units[unit_id]
    names = _cached(
        _data,
        DATA_ENTRIES,
        (_serial(groups), "names"),
        lambda: Counter(u.name for u in groups.units.values()),
    )
    parent = groups.parent.get(unit_id)
    if names[unit.name] > 1 and parent is not None:
        return f"{unit.name} ({groups.units[parent].name})"
    return unit.name


def status_of(groups: WaveGroups, key: GroupKey) -> str:
    """shown, hidden or empty."""
    if groups.shown(key):
        return SHOWN
    return EMPTY if groups.n(key) == 0 else HIDDEN


def filter_scope(groups: WaveGroups) -> frozenset[tuple[Hashable, str]]:
    """The (unit, filter) pairs the wave's groups are split by: the organisation's filter cells, and
    units crossed with filters only where the anonymity layer builds such groups."""

    def compute() -> frozenset[tuple[Hashable, str]]:
        return frozenset((d.key.unit, d.key.filter) for d in groups.disclosure if d.key.filter is not None)

    return _cached(_data, DATA_ENTRIES, (_serial(groups), "scope"), compute)


def is_group(groups: WaveGroups, key: GroupKey) -> bool:
    """Whether ``key`` names a group of the wave: a unit, or a filter cell of a unit the wave splits by
    that filter (a cell nobody chose is an empty group). Anything else has no page."""
    if key.unit not in groups.units or key.own:
        return False
    if key.filter is None:
        return key.value is None
    return (key.unit, key.filter) in filter_scope(groups) and key.value in groups.filter_values(key.filter)


def heat_rows(groups: WaveGroups, key: GroupKey, *, all_units: bool) -> list[HeatRow]:
    """The rows of the group's heat map: its child units (every unit below the organisation with
    ``all_units``), each in the same filter cell as the group; units not split by the filter are left
    out (with a filter and units not crossed with it, the map is empty)."""
    units = tree_order(groups, groups.root_id)[1:] if all_units else [c.pk for c in groups.children(key.unit)]
    rows = []
    for unit in units:
        k = GroupKey(unit, key.filter, key.value)
        if is_group(groups, k):
            rows.append(HeatRow(k, unit_name(groups, unit), groups.n(k), status_of(groups, k)))
    return rows


def _columns(groups: WaveGroups, dimensions: pd.Index) -> list[np.ndarray]:
    """The dimension columns of the whole released table as float arrays (NaN where missing), kept:
    read only at the positions of shown groups (:meth:`WaveGroups.positions`)."""

    def compute() -> list[np.ndarray]:
        out = []
        for c in dimensions:
            col = groups.table[c]
            if col.dtype != np.float64:
                col = pd.to_numeric(col, errors="coerce")
            out.append(col.to_numpy(dtype=float, na_value=np.nan))
        return out

    return _cached(_data, DATA_ENTRIES, (_serial(groups), "columns", tuple(dimensions)), compute)


def _means(columns: list[np.ndarray], positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each column's mean and count of known values at ``positions``, computed exactly as
    :func:`homeoffice.analysis.groups.group_summary` does (the same values in the same order)."""
    means = np.full(len(columns), np.nan)
    counts = np.zeros(len(columns), dtype=np.int64)
    for j, col in enumerate(columns):
        x = col[positions]
        x = x[~np.isnan(x)]
        counts[j] = x.size
        if x.size:
            means[j] = x.mean()
    return means, counts


def heat(groups: WaveGroups, key: GroupKey, lang: str, *, all_units: bool) -> HeatMap | None:
    """Groups x dimensions: the mean of every shown row; hidden and empty rows carry their n and no
    values, labelled as such. None when the group itself or every row is hidden.

    The means are those of :func:`~homeoffice.analysis.groups.group_summary` for each row's group,
    computed column by column at the group's positions (no copy of each group's rows: 200 units of
    100,000 people take tens of milliseconds)."""

    def compute() -> HeatMap | None:
        own = summary(groups, key)
        rows = heat_rows(groups, key, all_units=all_units)
        if own is None or not any(r.shown for r in rows):
            return None
        dims = own.dimensions
        columns = _columns(groups, dims.index)
        labels, means, counts = [], [], []
        for r in rows:
            positions = groups.positions(r.key) if r.shown else None
            if positions is not None and len(positions):
                labels.append(r.name)
                m, k = _means(columns, positions)
            else:
                word = "dash_heat_hidden" if r.status == HIDDEN else "dash_heat_empty"
                labels.append(t(word, lang, name=r.name))
                m, k = np.full(len(columns), np.nan), np.zeros(len(columns), dtype=np.int64)
            means.append(m)
            counts.append(k)
        index = pd.Index(labels, name="group")
        return HeatMap(
            means=pd.DataFrame(np.vstack(means), index=index, columns=dims.index),
            n=pd.DataFrame(np.vstack(counts), index=index, columns=dims.index),
            group_n=pd.Series([r.n for r in rows], index=index, name="n"),
            dimensions=dims[["name_nb", "name_en", "kind", "domain", "direction", "axis", "cut"]],
            provenance=own.provenance,
        )

    return _cached(_data, DATA_ENTRIES, (_serial(groups), "heat", key, all_units, lang), compute)


def heat_pages(n_rows: int) -> int:
    return max(1, math.ceil(n_rows / HEAT_ROWS_PER_PAGE))


# --- charts ----------------------------------------------------------------------------------------


def chart(
    groups: WaveGroups,
    previous: WaveGroups | None,
    key: GroupKey,
    name: str,
    lang: str,
    *,
    all_units: bool = False,
    page: int = 1,
) -> GroupChart | None:
    """A chart of a shown group (SVG and its text alternative), or None: hidden or empty group, no
    such chart (no previous wave to compare with, no heat-map row shown), no such page."""
    if name not in CHART_NAMES or not groups.shown(key):
        return None

    def compute() -> GroupChart | None:
        if name == "model":
            rows = groups.results(key)
            return None if rows is None else situation_chart(rows, lang=lang, kind="model")
        if name == "means":
            s = summary(groups, key)
            return None if s is None else dimension_means_chart(s, lang=lang)
        if name == "change":
            c = comparison(groups, previous, key)
            return None if c is None else wave_change_chart(c, lang=lang)
        h = heat(groups, key, lang, all_units=all_units)
        if h is None or not 1 <= page <= heat_pages(len(h.means)):
            return None
        return heat_map_chart(h, lang=lang, page=page, rows_per_page=HEAT_ROWS_PER_PAGE)

    parts = (_serial(groups), _serial(previous) if name == "change" else 0, name, key, lang, all_units, page)
    return _cached(_charts, CHART_ENTRIES, parts, compute)


# --- transitions -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transitions:
    """The situation before (rows) and after (columns) of the people who answered both waves.

    ``cells[i][j]`` is a count, or None where it is suppressed; ``keys`` are the situations
    (1-4, "unclassified"); ``matched`` how many people were matched.
    """

    keys: tuple[Hashable, ...]
    cells: tuple[tuple[int | None, ...], ...]
    matched: int
    suppressed: int


def suppress_transitions(matrix: pd.DataFrame, min_size: int) -> tuple[list[list[int | None]], int]:
    """Suppress every cell under ``min_size`` (0 included), then more cells until, in every row, every
    column and the whole matrix, the suppressed cells add up to 0 or at least ``min_size``.

    The reader may know each row and column total (a wave's situation counts when everybody answered
    both waves) and the matrix total, so a lone small suppressed cell in a line, or small suppressed
    cells that add up to a small number, could be worked out by subtraction; the smallest shown cell
    of such a line is suppressed too, until nothing changes. Returns the cells (None where
    suppressed) and the number of suppressed cells.
    """
    values = matrix.to_numpy(dtype=np.int64)
    hide = values < min_size

    def small(total: int) -> bool:
        return 0 < total < min_size

    changed = True
    while changed:
        changed = False
        coords = [[(i, j) for j in range(values.shape[1])] for i in range(values.shape[0])]
        coords += [[(i, j) for i in range(values.shape[0])] for j in range(values.shape[1])]
        coords.append([(i, j) for i in range(values.shape[0]) for j in range(values.shape[1])])
        for cells in coords:
            total = sum(int(values[c]) for c in cells if hide[c])
            if not small(total):
                continue
            open_cells = [c for c in cells if not hide[c]]
            if not open_cells:
                continue
            smallest = min(open_cells, key=lambda c: (int(values[c]), c))
            hide[smallest] = True
            changed = True
    out = [[None if hide[i, j] else int(values[i, j]) for j in range(values.shape[1])] for i in range(values.shape[0])]
    return out, int(hide.sum())


def transitions(comp: WaveComparison | None, min_size: int) -> Transitions | None:
    """The suppressed transition matrix, or None (no matching, or fewer than ``min_size`` matched)."""
    if comp is None or comp.transitions is None or (comp.matched or 0) < min_size:
        return None
    cells, suppressed = suppress_transitions(comp.transitions, min_size)
    return Transitions(
        keys=tuple(SITUATION_KEYS),
        cells=tuple(tuple(row) for row in cells),
        matched=int(comp.matched or 0),
        suppressed=suppressed,
    )
