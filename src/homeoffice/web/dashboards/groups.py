"""The one door to a released wave's group results: every dashboard, chart, report, export and
API call asks here for the respondents of a group, and gets them only when the anonymity rules
allow it (issue 4, point 2; the rules are :mod:`homeoffice.anonymity`).

Groups are a unit's whole subtree (``GroupKey(unit_id)``) or, for the organisation as a whole, the
cell of one filter value (``GroupKey(root_id, "ctx_voluntary", 1)``); the filter is the context
question in :data:`FILTER_ITEMS`. Filters are not crossed with units and there is only one: the
anonymity core's attacker finds no combination of shown groups that singles out fewer than the
minimum in that design, while with units x filters, or several filters, a reader who combines four
or more groups can in rare data isolate a few people (measured by the core's linear attacker:
about 0.8% of small crossed organisations). Safety first; more filters need an exact audit.

The disclosure is decided once per released table (the population is frozen at release) with the
wave's minimum group size, and kept with the table in this process.

Nothing else should index the released table by unit or filter: use :meth:`WaveGroups.results`,
which returns None for a hidden or empty group.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db import connection

from homeoffice.anonymity import Candidates, Disclosure, GroupDecision, GroupKey, build_candidates, disclose
from homeoffice.instruments import Instrument, load_instrument
from homeoffice.web.dashboards.models import WaveTable
from homeoffice.web.dashboards.table import wave_table
from homeoffice.web.organisations.models import Unit
from homeoffice.web.surveys.models import Wave

# The context question offered as a filter of the organisation's results: whether home office is the
# person's own choice (the moderator the thesis found decisive: informant 4's imposed home office,
# chapters 4.6-4.7 and 5.3). One filter, not crossed with units: see the module docstring.
FILTER_ITEMS = ("ctx_voluntary",)
COMMENT_MIN = 10  # issue 4: a higher minimum for open comments
CACHE_WAVES = 8


@dataclass(frozen=True)
class WaveGroups:
    """A released wave's table, its organisation's units and the disclosure of every group."""

    wave: Wave
    instrument: Instrument
    table: pd.DataFrame
    units: dict[int, Unit]
    parent: dict[int, int | None]
    filters: tuple[str, ...]
    candidates: Candidates
    disclosure: Disclosure

    @property
    def root_id(self) -> int:
        return next(u for u, p in self.parent.items() if p is None)

    def key(self, unit_id: int | None = None, filter: str | None = None, value: Hashable | None = None) -> GroupKey:
        return GroupKey(self.root_id if unit_id is None else unit_id, filter, value)

    def decision(self, key: GroupKey) -> GroupDecision:
        return self.disclosure[key]

    def shown(self, key: GroupKey) -> bool:
        return key in self.candidates and self.disclosure.is_shown(key)

    def n(self, key: GroupKey) -> int:
        """The group's response count (a count may be shown for any group: counts are not answers)."""
        return self.candidates.size(key) if key in self.candidates else 0

    def results(self, key: GroupKey) -> pd.DataFrame | None:
        """The group's rows of the released table, or None when the rules hide it (or it is empty)."""
        if not self.shown(key):
            return None
        return self.table.iloc[self.candidates.members(key)]

    def positions(self, key: GroupKey) -> np.ndarray | None:
        """The group's row positions in the released table, or None when the rules hide it (or it is
        empty): ``results(key)`` is ``table.iloc[positions(key)]``. For computing one column over many
        shown groups at once (the dashboards' heat map) without copying every group's rows."""
        if not self.shown(key):
            return None
        return self.candidates.members(key)

    def comments(self, key: GroupKey) -> pd.DataFrame | None:
        """The group's rows for listing open comments (stricter minimum), or None."""
        if not (self.shown(key) and self.disclosure.comments_shown(key)):
            return None
        return self.table.iloc[self.candidates.members(key)]

    def children(self, unit_id: int) -> list[Unit]:
        return sorted((u for u in self.units.values() if self.parent[u.pk] == unit_id), key=lambda u: u.name)

    def filter_values(self, item_id: str) -> list[int]:
        """The codes of a filter question, in the response set's order."""
        item = self.instrument.items_by_id[item_id]
        rs = self.instrument.response_set(item)
        return list(range(rs.min, rs.max + 1))


def _unit_tree(wave: Wave) -> tuple[dict[int, Unit], dict[int, int | None]]:
    units = {u.pk: u for u in Unit.objects.filter(organisation_id=wave.organisation_id)}
    return units, {pk: u.parent_id for pk, u in units.items()}


def build_groups(wave: Wave, table: pd.DataFrame) -> WaveGroups:
    """Decide the disclosure of every unit and unit x filter cell of a released table."""
    instrument = load_instrument(wave.instrument_id)
    units, parent = _unit_tree(wave)
    filters = tuple(f for f in FILTER_ITEMS if f in table.columns)
    values = {}
    value_labels = {}
    for f in filters:
        col = table[f].to_numpy(dtype=float, na_value=np.nan)
        values[f] = [None if np.isnan(v) else int(v) for v in col]
        rs = instrument.response_set(instrument.items_by_id[f])
        value_labels[f] = {code: {"nb": text.nb, "en": text.en} for code, text in rs.labels.items()}
    filter_labels = {
        f: {"nb": instrument.items_by_id[f].text.nb, "en": instrument.items_by_id[f].text.en} for f in filters
    }
    candidates = build_candidates(
        parent,
        table["unit_id"].to_numpy(),
        values,
        unit_labels={pk: u.name for pk, u in units.items()},
        filter_labels=filter_labels,
        value_labels=value_labels,
        cross=False,
    )
    disclosure = disclose(candidates, min_size=wave.min_group_size, comment_min=max(COMMENT_MIN, wave.min_group_size))
    return WaveGroups(wave, instrument, table, units, parent, filters, candidates, disclosure)


_cache: OrderedDict[tuple, WaveGroups] = OrderedDict()
_lock = threading.Lock()


def wave_groups(wave: Wave) -> WaveGroups | None:
    """The groups of a released wave (None before release), decided once per released table."""
    build = WaveTable.objects.filter(wave=wave).values_list("build_id", flat=True).first()
    if build is None:
        return None
    key = (connection.alias, wave.pk, build, wave.min_group_size)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    table = wave_table(wave, build)
    if table is None:
        return None
    groups = build_groups(wave, table)
    with _lock:
        _cache[key] = groups
        while len(_cache) > CACHE_WAVES:
            _cache.popitem(last=False)
    return groups


def previous_wave(wave: Wave) -> Wave | None:
    """The organisation's latest released wave on the same instrument that closed before this one."""
    return (
        Wave.objects.filter(
            organisation_id=wave.organisation_id,
            instrument_id=wave.instrument_id,
            released_on__isnull=False,
            closes_on__lt=wave.opens_on,
        )
        .order_by("-closes_on")
        .first()
    )
