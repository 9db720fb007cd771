"""Candidate groups for a report and the partitions that tie them together (issue 4, point 2).

A *group* is a set of respondents a view, chart, export or API call wants to report on: a unit with
its sub-units, a filter cell (everyone with one value of a background question), or a unit crossed
with a filter cell. A *partition* says that some groups are disjoint parts of a larger one, e.g. a
unit's sub-units, or a unit split by the values of a filter; what the parts leave over (the unit's
own direct members, respondents without a value for the filter) is the partition's implicit *rest*.

Respondents are positions 0..n-1. Internally respondents with the same memberships are merged into
*atoms* (for the builder: same unit and same filter values), so the rules work on a few thousand
atoms instead of 100,000 people.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import numpy as np
import pandas as pd

from homeoffice.anonymity.texts import compose
from homeoffice.errors import HomeofficeError

Label = str | Mapping[str, str]
"""A label: one text for every language, or ``{"nb": ..., "en": ...}``."""

KINDS = ("unit", "filter", "unit_filter", "group")


def label_text(label: Label, lang: str) -> str:
    """The text of ``label`` in ``lang`` (nb or en); a plain string serves both languages."""
    if isinstance(label, str):
        return label
    return str(label.get(lang) or label.get("en") or next(iter(label.values()), ""))


class GroupKey(NamedTuple):
    """Key of a builder group: a unit's subtree (``filter`` None) or its cell of one filter value.

    ``value`` None with a filter is the "no answer" cell; ``own`` True restricts the group to the
    unit's direct members (both structural: never shown, see :func:`build_candidates`).
    """

    unit: Hashable
    filter: str | None = None
    value: Hashable | None = None
    own: bool = False


@dataclass(frozen=True)
class Group:
    """One candidate group: ``key`` (any hashable, unique), ``kind`` (unit, filter, unit_filter or group), label.

    A group that is not ``reportable`` is never shown; it names respondents a reader could reach by
    subtraction (a unit's direct members, "no answer" cells) so that the rules protect them too.
    """

    key: Hashable
    kind: str = "group"
    label: Label = ""
    reportable: bool = True

    def text(self, lang: str = "en") -> str:
        """The label in nb or en (the key when there is no label)."""
        return label_text(self.label, lang) or str(self.key)


@dataclass(frozen=True)
class Partition:
    """Disjoint ``parts`` of ``parent``; the respondents of the parent in no part are the implicit rest.

    ``by`` names what splits the parent ("units" or a filter name); ``rest_label`` names the rest in
    explanations (e.g. "those placed directly in Sales").
    """

    parent: Hashable
    parts: tuple[Hashable, ...]
    by: str = "units"
    rest_label: Label = ""


@dataclass(frozen=True)
class Table:
    """A two-way table: ``grand`` split into ``rows`` and into ``cols``, ``cells[i][j]`` = row i ∩ col j.

    Every row is the disjoint union of its cells, every column of its cells, and ``grand`` of the
    rows and of the columns. The rules solve such a table as a reader would (any sum and difference
    of what is shown in it), e.g. a unit's sub-units and direct members crossed with one filter.
    """

    grand: Hashable
    rows: tuple[Hashable, ...]
    cols: tuple[Hashable, ...]
    cells: tuple[tuple[Hashable, ...], ...]


def unique_rows(table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of a 2-d int array in lexicographic order, and each row's index among them.

    Same result as ``np.unique(table, axis=0, return_inverse=True)``, several times faster for
    narrow tables (a lexsort over the columns instead of a sort of row records).
    """
    if not table.shape[0]:
        return table, np.zeros(0, dtype=np.int64)
    order = np.lexsort(table.T[::-1])
    ordered = table[order]
    new = np.ones(table.shape[0], dtype=bool)
    new[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
    ids = np.cumsum(new) - 1
    inverse = np.empty(table.shape[0], dtype=np.int64)
    inverse[order] = ids
    return ordered[new], inverse


def _invalid(message: str, **params: object) -> HomeofficeError:
    return HomeofficeError("invalid_groups", message, params=params)


class Candidates:
    """Validated candidate groups and partitions over ``n_respondents`` respondents.

    Build it with :func:`build_candidates` (unit tree + filter columns) or directly from member
    arrays: ``Candidates(groups, members, partitions, tables=...)`` where ``members[key]`` holds
    the positions (0-based ints) of the group's respondents. Raises :class:`HomeofficeError` (code
    ``invalid_groups``) for a duplicate key, a partition or table naming an unknown group, a part
    that is not inside its parent, overlapping parts, partitions that loop, a table whose cells do
    not add up, or positions out of range.
    """

    def __init__(
        self,
        groups: Sequence[Group],
        members: Mapping[Hashable, Sequence[int] | np.ndarray],
        partitions: Sequence[Partition] = (),
        *,
        tables: Sequence[Table] = (),
        n_respondents: int | None = None,
    ) -> None:
        self._set_groups(groups, partitions, tables)
        arrays = []
        for g in self.groups:
            if g.key not in members:
                raise _invalid("no members given for the group %(key)s", key=repr(g.key))
            arr = np.asarray(members[g.key])
            if arr.size and not np.issubdtype(arr.dtype, np.integer):
                raise _invalid("the members of %(key)s must be whole-number positions", key=repr(g.key))
            arrays.append(np.unique(arr.astype(np.int64, copy=False)))
        top = max((int(a[-1]) for a in arrays if a.size), default=-1)
        n = top + 1 if n_respondents is None else int(n_respondents)
        for g, a in zip(self.groups, arrays, strict=True):
            if a.size and (a[0] < 0 or a[-1] >= n):
                raise _invalid(
                    "the members of %(key)s must be positions from 0 to %(last)s", key=repr(g.key), last=n - 1
                )
        self.n_respondents = n
        self._atoms_from_members(arrays)
        self._check_partitions()
        self._check_tables()

    # --- construction helpers ---------------------------------------------------------------

    def _set_groups(self, groups: Sequence[Group], partitions: Sequence[Partition], tables: Sequence[Table]) -> None:
        self.groups: tuple[Group, ...] = tuple(groups)
        self.index: dict[Hashable, int] = {}
        for i, g in enumerate(self.groups):
            if g.key in self.index:
                raise _invalid("the group key %(key)s is used more than once", key=repr(g.key))
            if g.kind not in KINDS:
                raise _invalid(
                    "unknown group kind '%(kind)s'; use one of %(known)s", kind=g.kind, known=", ".join(KINDS)
                )
            self.index[g.key] = i
        self.partitions: tuple[Partition, ...] = tuple(partitions)
        self.part_parent: list[int] = []
        self.part_parts: list[list[int]] = []
        for p in self.partitions:
            for key in (p.parent, *p.parts):
                if key not in self.index:
                    raise _invalid("a partition names the unknown group %(key)s", key=repr(key))
            parts = [self.index[k] for k in p.parts]
            if len(set(parts)) != len(parts) or self.index[p.parent] in parts:
                raise _invalid("the partition of %(key)s lists a group twice", key=repr(p.parent))
            self.part_parent.append(self.index[p.parent])
            self.part_parts.append(parts)
        self.order = self._parts_first()
        self.tables: tuple[Table, ...] = tuple(tables)
        self.table_ix: list[tuple[int, list[int], list[int], list[list[int]]]] = []
        for t in self.tables:
            keys = [t.grand, *t.rows, *t.cols, *(k for row in t.cells for k in row)]
            for key in keys:
                if key not in self.index:
                    raise _invalid("a table names the unknown group %(key)s", key=repr(key))
            if len(t.cells) != len(t.rows) or any(len(row) != len(t.cols) for row in t.cells):
                raise _invalid("the table of %(key)s needs one cell per row and column", key=repr(t.grand))
            ix = self.index
            self.table_ix.append(
                (ix[t.grand], [ix[k] for k in t.rows], [ix[k] for k in t.cols], [[ix[k] for k in r] for r in t.cells])
            )

    def _parts_first(self) -> list[int]:
        """Group indexes with every part before the parents it belongs to; refuses loops."""
        n = len(self.groups)
        below: list[list[int]] = [[] for _ in range(n)]
        for parent, parts in zip(self.part_parent, self.part_parts, strict=True):
            below[parent].extend(parts)
        state = [0] * n  # 0 new, 1 on the path, 2 done
        order: list[int] = []
        for start in range(n):
            if state[start]:
                continue
            stack = [(start, 0)]
            state[start] = 1
            while stack:
                g, k = stack[-1]
                if k < len(below[g]):
                    stack[-1] = (g, k + 1)
                    q = below[g][k]
                    if state[q] == 1:
                        raise _invalid("the partitions loop back to %(key)s", key=repr(self.groups[q].key))
                    if state[q] == 0:
                        state[q] = 1
                        stack.append((q, 0))
                else:
                    state[g] = 2
                    order.append(g)
                    stack.pop()
        return order

    def _atoms_from_members(self, arrays: list[np.ndarray]) -> None:
        """Merge respondents with identical group memberships into atoms (exact, via np.unique on rows)."""
        n_groups = len(arrays)
        lengths = np.array([a.size for a in arrays], dtype=np.int64)
        rows = np.concatenate(arrays) if arrays else np.zeros(0, np.int64)
        cols = np.repeat(np.arange(n_groups, dtype=np.int64), lengths)
        order = np.lexsort((cols, rows))
        rows, cols = rows[order], cols[order]
        per_row = np.bincount(rows, minlength=self.n_respondents)
        width = int(per_row.max()) if per_row.size else 0
        starts = np.concatenate(([0], np.cumsum(per_row)[:-1]))
        pos = np.arange(rows.size) - starts[rows]
        table = np.full((self.n_respondents, max(width, 1)), -1, dtype=np.int64)
        table[rows, pos] = cols
        uniq, atom_of = unique_rows(table)
        keep = uniq[:, 0] >= 0  # the atom of respondents in no group is dropped
        new_id = np.cumsum(keep) - 1
        atom_of = np.where(keep[atom_of], new_id[atom_of], -1)
        uniq = uniq[keep]
        weights = np.bincount(atom_of[atom_of >= 0], minlength=uniq.shape[0])
        a_idx, slot = np.nonzero(uniq >= 0)
        self._set_atoms(atom_of, weights, uniq[a_idx, slot], a_idx)

    def _set_atoms(self, atom_of: np.ndarray, weights: np.ndarray, inc_group: np.ndarray, inc_atom: np.ndarray) -> None:
        self.atom_of = atom_of.astype(np.int64, copy=False)
        self.atom_weight = weights.astype(np.int64, copy=False)
        self.inc_group = inc_group.astype(np.int64, copy=False)
        self.inc_atom = inc_atom.astype(np.int64, copy=False)
        self.n = np.bincount(self.inc_group, weights=self.atom_weight[self.inc_atom], minlength=len(self.groups))
        self.n = self.n.astype(np.int64)

    def _check_partitions(self) -> None:
        """Every part inside its parent and the parts of one partition disjoint (atoms make this cheap)."""
        atoms_of = self._atoms_by_group
        for parent, parts in zip(self.part_parent, self.part_parts, strict=True):
            inside = atoms_of[parent]
            seen: set[int] = set()
            for q in parts:
                aq = atoms_of[q]
                if aq.size and not np.isin(aq, inside, assume_unique=True).all():
                    raise _invalid(
                        "%(part)s is not inside %(parent)s",
                        part=repr(self.groups[q].key),
                        parent=repr(self.groups[parent].key),
                    )
                overlap = seen.intersection(aq.tolist())
                if overlap:
                    raise _invalid(
                        "the parts of %(parent)s overlap (at %(part)s)",
                        parent=repr(self.groups[parent].key),
                        part=repr(self.groups[q].key),
                    )
                seen.update(aq.tolist())

    def _check_tables(self) -> None:
        """Rows and columns are the disjoint unions of their cells, the grand total of both."""
        atoms_of = self._atoms_by_group

        def union(groups: list[int]) -> np.ndarray | None:
            parts = [atoms_of[g] for g in groups]
            joined = np.concatenate(parts) if parts else np.zeros(0, np.int64)
            return None if np.unique(joined).size != joined.size else np.sort(joined)

        for (grand, rows, cols, cells), t in zip(self.table_ix, self.tables, strict=True):
            checks = [(grand, rows), (grand, cols)]
            checks += [(r, cells[i]) for i, r in enumerate(rows)]
            checks += [(c, [cells[i][j] for i in range(len(rows))]) for j, c in enumerate(cols)]
            for whole, parts in checks:
                joined = union(parts)
                if joined is None or not np.array_equal(joined, atoms_of[whole]):
                    raise _invalid(
                        "in the table of %(key)s, %(whole)s is not the disjoint union of its cells",
                        key=repr(t.grand),
                        whole=repr(self.groups[whole].key),
                    )

    # --- derived data -----------------------------------------------------------------------

    @cached_property
    def _atoms_by_group(self) -> list[np.ndarray]:
        order = np.argsort(self.inc_group, kind="stable")
        bounds = np.searchsorted(self.inc_group[order], np.arange(len(self.groups) + 1))
        atoms = self.inc_atom[order]
        return [np.sort(atoms[bounds[i] : bounds[i + 1]]) for i in range(len(self.groups))]

    @cached_property
    def _respondents_by_atom(self) -> tuple[np.ndarray, np.ndarray]:
        order = np.argsort(self.atom_of, kind="stable")
        bounds = np.searchsorted(self.atom_of[order], np.arange(-1, self.atom_weight.size + 1))
        return order, bounds[1:]

    @cached_property
    def overlaps(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(a, b, |a ∩ b|) for every ordered pair of distinct groups that share respondents, sorted by (a, b)."""
        from scipy import sparse

        n_groups, n_atoms = len(self.groups), self.atom_weight.size

        def csr(rows: np.ndarray, cols: np.ndarray, data: np.ndarray, n_rows: int, n_cols: int) -> sparse.csr_matrix:
            order = np.argsort(rows, kind="stable")
            indptr = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=n_rows))))
            return sparse.csr_matrix((data[order], cols[order], indptr), shape=(n_rows, n_cols))

        w = self.atom_weight[self.inc_atom].astype(np.float64)
        by_group = csr(self.inc_group, self.inc_atom, w, n_groups, n_atoms)
        by_atom = csr(self.inc_atom, self.inc_group, np.ones_like(w), n_atoms, n_groups)
        product = by_group @ by_atom
        product.sort_indices()
        both = product.tocoo()
        a, b = both.row.astype(np.int64), both.col.astype(np.int64)
        keep = a != b
        return a[keep], b[keep], np.rint(both.data[keep]).astype(np.int64)

    def members(self, key: Hashable) -> np.ndarray:
        """Sorted positions of the respondents in group ``key``."""
        order, bounds = self._respondents_by_atom
        atoms = self._atoms_by_group[self.index[key]]
        if not atoms.size:
            return np.zeros(0, np.int64)
        return np.sort(np.concatenate([order[bounds[a] : bounds[a + 1]] for a in atoms]))

    def size(self, key: Hashable) -> int:
        """Number of respondents in group ``key``."""
        return int(self.n[self.index[key]])

    def __len__(self) -> int:
        return len(self.groups)

    def __contains__(self, key: object) -> bool:
        return key in self.index

    @classmethod
    def _from_atoms(
        cls,
        groups: Sequence[Group],
        partitions: Sequence[Partition],
        tables: Sequence[Table] = (),
        *,
        atom_of: np.ndarray,
        weights: np.ndarray,
        inc_group: np.ndarray,
        inc_atom: np.ndarray,
    ) -> Candidates:
        """Trusted constructor for builders that know the atoms (no member arrays, no overlap checks)."""
        self = cls.__new__(cls)
        self._set_groups(groups, partitions, tables)
        self.n_respondents = int(atom_of.size)
        self._set_atoms(atom_of, weights, inc_group, inc_atom)
        return self


# --- the builder for the common case --------------------------------------------------------


def _codes(values: Sequence[object] | np.ndarray, name: str, n: int) -> tuple[np.ndarray, list[object]]:
    """Category codes (-1 missing) and the sorted categories of one filter column."""
    series = pd.Series(list(values) if not isinstance(values, np.ndarray) else values, dtype=object)
    if len(series) != n:
        raise _invalid(
            "the filter '%(filter)s' has %(got)s values but there are %(n)s respondents",
            filter=name,
            got=len(series),
            n=n,
        )
    try:
        codes, cats = pd.factorize(series, sort=True, use_na_sentinel=True)
    except TypeError:  # values that cannot be ordered keep the order they first appear in
        codes, cats = pd.factorize(series, sort=False, use_na_sentinel=True)
    return np.asarray(codes, dtype=np.int64), list(cats)


def _tree_order(unit_parent: Mapping[Hashable, Hashable | None]) -> tuple[list[Hashable], dict[Hashable, list]]:
    roots = [u for u, p in unit_parent.items() if p is None]
    if len(roots) != 1:
        raise _invalid("the unit tree needs exactly one root (a unit without parent); found %(n)s", n=len(roots))
    children: dict[Hashable, list] = {u: [] for u in unit_parent}
    for u, p in unit_parent.items():
        if p is not None:
            if p not in children:
                raise _invalid("the parent %(parent)s of unit %(unit)s is not a unit", parent=repr(p), unit=repr(u))
            children[p].append(u)
    order, stack = [], [roots[0]]
    while stack:
        u = stack.pop()
        order.append(u)
        stack.extend(reversed(children[u]))
    if len(order) != len(unit_parent):
        loose = next(u for u in unit_parent if u not in set(order))
        raise _invalid("the unit %(unit)s is not below the root (the tree loops)", unit=repr(loose))
    return order, children


def build_candidates(
    unit_parent: Mapping[Hashable, Hashable | None],
    respondent_unit: Sequence[Hashable] | np.ndarray,
    filters: Mapping[str, Sequence[object] | np.ndarray] | None = None,
    *,
    unit_labels: Mapping[Hashable, Label] | None = None,
    filter_labels: Mapping[str, Label] | None = None,
    value_labels: Mapping[str, Mapping[object, Label]] | None = None,
    cross: bool = True,
) -> Candidates:
    """Candidate groups of a unit tree and filter columns, with their partitions.

    ``unit_parent`` maps unit id -> parent id (None for the organisation); ``respondent_unit[i]`` is
    the unit respondent ``i`` answered for; ``filters`` maps a filter name to one category per
    respondent (None/NaN = no answer). Reportable groups, keyed by :class:`GroupKey`, in this order:
    every unit (its whole subtree, tree order), every filter cell of the organisation (kind
    ``filter``), then, if ``cross``, every unit x filter cell below the organisation (kind
    ``unit_filter``). Empty groups are kept (reported as empty, not hidden).

    Structural groups (never shown, ``reportable=False``) name what the partitions leave over, so
    that the rules can follow a reader who subtracts: a unit's direct members (``own=True``), the
    "no answer" cell of each filter (``value=None``) and, with ``cross``, the direct members' cells.
    Partitions: a unit into its child units and its direct members; a unit (every unit with
    ``cross``, else the organisation) into the values of each filter and "no answer"; with
    ``cross``, a cell into the same cell of the child units and of the direct members, and the
    direct members into the values of each filter.
    """
    order, children = _tree_order(unit_parent)
    labels = dict(unit_labels or {})
    unit_ix = {u: i for i, u in enumerate(order)}
    codes, seen = pd.factorize(
        pd.Series(
            list(respondent_unit) if not isinstance(respondent_unit, np.ndarray) else respondent_unit, dtype=object
        ),
        use_na_sentinel=False,
    )
    lookup = np.array([unit_ix.get(u, -1) for u in seen], dtype=np.int64)
    r_unit = lookup[codes] if codes.size else np.zeros(0, np.int64)
    n = int(r_unit.size)
    if (r_unit < 0).any():
        row = int(np.flatnonzero(r_unit < 0)[0])
        raise HomeofficeError(
            "invalid_groups",
            "respondent %(row)s belongs to the unknown unit %(unit)s",
            params={"row": row, "unit": repr(seen[codes[row]])},
        )
    filters = dict(filters or {})
    f_names = list(filters)
    f_codes, f_cats = [], []
    for name in f_names:
        codes, cats = _codes(filters[name], name, n)
        f_codes.append(codes)
        f_cats.append(cats)
    n_units = len(order)
    parent_ix = np.array([unit_ix[unit_parent[u]] if unit_parent[u] is not None else -1 for u in order])
    depth = np.zeros(n_units, dtype=np.int64)
    for i in range(1, n_units):
        depth[i] = depth[parent_ix[i]] + 1
    levels = int(depth.max()) + 1
    anc = np.full((n_units, levels), -1, dtype=np.int64)  # anc[u, k]: u's ancestor k steps up, or -1
    anc[:, 0] = np.arange(n_units)
    for k in range(1, levels):
        prev = anc[:, k - 1]
        anc[:, k] = np.where(prev >= 0, parent_ix[np.maximum(prev, 0)], -1)

    def unit_label(u: Hashable) -> Label:
        return labels.get(u, str(u))

    f_lab = {name: (filter_labels or {}).get(name, name) for name in f_names}
    v_lab = {name: dict((value_labels or {}).get(name, {})) for name in f_names}
    slots = [len(c) + 1 for c in f_cats]  # the values, then "no answer"
    offsets = np.cumsum([0, *slots])
    width = max(int(offsets[-1]), 1)
    cell_gid = np.full((n_units, width), -1, dtype=np.int64)
    own_gid = np.full(n_units, -1, dtype=np.int64)
    own_cell_gid = np.full((n_units, width), -1, dtype=np.int64)
    cell_units = list(range(n_units)) if cross else [0]
    inner = [ui for ui in range(n_units) if children[order[ui]]]
    groups: list[Group] = [Group(GroupKey(u), "unit", unit_label(u)) for u in order]

    def cell_label(ui: int, fi: int, vi: int) -> dict[str, str]:
        name = f_names[fi]
        value = f_cats[fi][vi]
        cell = compose("filter_cell", filter=f_lab[name], value=v_lab[name].get(value, str(value)))
        return cell if ui == 0 else compose("unit_cell", unit=unit_label(order[ui]), cell=cell)

    for ui in cell_units:  # reportable cells
        for fi, name in enumerate(f_names):
            for vi, value in enumerate(f_cats[fi]):
                cell_gid[ui, offsets[fi] + vi] = len(groups)
                kind = "filter" if ui == 0 else "unit_filter"
                groups.append(Group(GroupKey(order[ui], name, value), kind, cell_label(ui, fi, vi)))
    for ui in cell_units:  # structural: no answer
        for fi, name in enumerate(f_names):
            cell_gid[ui, offsets[fi] + slots[fi] - 1] = len(groups)
            label = compose("no_answer", unit=unit_label(order[ui]), filter=f_lab[name])
            groups.append(Group(GroupKey(order[ui], name, None), "group", label, reportable=False))
    for ui in inner:  # structural: direct members, and their cells
        u = order[ui]
        own_gid[ui] = len(groups)
        own = compose("direct_members", unit=unit_label(u))
        groups.append(Group(GroupKey(u, own=True), "group", own, reportable=False))
        if not cross:
            continue
        for fi, name in enumerate(f_names):
            for vi in range(slots[fi]):
                own_cell_gid[ui, offsets[fi] + vi] = len(groups)
                if vi < slots[fi] - 1:
                    value = f_cats[fi][vi]
                    cell = compose("filter_cell", filter=f_lab[name], value=v_lab[name].get(value, str(value)))
                else:
                    value, cell = None, compose("no_answer", unit=unit_label(u), filter=f_lab[name])
                groups.append(
                    Group(
                        GroupKey(u, name, value, own=True),
                        "group",
                        compose("unit_cell", unit=own, cell=cell),
                        reportable=False,
                    )
                )
    keys = [g.key for g in groups]

    partitions: list[Partition] = []
    for ui in inner:
        u = order[ui]
        parts = (*(GroupKey(c) for c in children[u]), keys[own_gid[ui]])
        partitions.append(Partition(GroupKey(u), parts, "units"))
    for ui in cell_units:
        u = order[ui]
        for fi, name in enumerate(f_names):
            row = range(offsets[fi], offsets[fi + 1])
            partitions.append(Partition(GroupKey(u), tuple(keys[cell_gid[ui, j]] for j in row), name))
            if cross and own_gid[ui] >= 0:
                partitions.append(Partition(keys[own_gid[ui]], tuple(keys[own_cell_gid[ui, j]] for j in row), name))
                for j in row:
                    kids = tuple(keys[cell_gid[unit_ix[c], j]] for c in children[u])
                    partitions.append(Partition(keys[cell_gid[ui, j]], (*kids, keys[own_cell_gid[ui, j]]), "units"))

    tables: list[Table] = []
    if cross:
        for ui in inner:
            u = order[ui]
            rows = (*(GroupKey(c) for c in children[u]), keys[own_gid[ui]])
            for fi in range(len(f_names)):
                cols_ix = range(offsets[fi], offsets[fi + 1])
                cells = [tuple(keys[cell_gid[unit_ix[c], j]] for j in cols_ix) for c in children[u]]
                cells.append(tuple(keys[own_cell_gid[ui, j]] for j in cols_ix))
                tables.append(Table(GroupKey(u), rows, tuple(keys[cell_gid[ui, j]] for j in cols_ix), tuple(cells)))

    # atoms: respondents with the same unit and the same filter values (missing = the last slot)
    code = r_unit.copy()
    for fi in range(len(f_names)):
        c = f_codes[fi]
        code = code * slots[fi] + np.where(c < 0, slots[fi] - 1, c)
    uniq, atom_of, weights = np.unique(code, return_inverse=True, return_counts=True)
    atom_of = atom_of.reshape(-1)
    slot = np.empty((uniq.size, len(f_names)), dtype=np.int64)
    left = uniq.copy()
    for fi in reversed(range(len(f_names))):
        slot[:, fi] = left % slots[fi] + offsets[fi]
        left //= slots[fi]
    atom_unit = left
    atom_ids = np.arange(uniq.size, dtype=np.int64)
    inc_g, inc_a = [], []

    def add(gid: np.ndarray, ok: np.ndarray) -> None:
        keep = ok & (gid >= 0)
        inc_g.append(gid[keep])
        inc_a.append(atom_ids[keep])

    for k in range(levels):
        up = anc[atom_unit, k]
        ok = up >= 0
        safe = np.maximum(up, 0)
        add(safe, ok)  # unit groups have ids equal to their tree position
        for fi in range(len(f_names)):
            add(cell_gid[safe, slot[:, fi]], ok)
    add(own_gid[atom_unit], np.ones(uniq.size, dtype=bool))
    for fi in range(len(f_names)):
        add(own_cell_gid[atom_unit, slot[:, fi]], np.ones(uniq.size, dtype=bool))
    return Candidates._from_atoms(
        groups,
        partitions,
        tables,
        atom_of=atom_of,
        weights=weights,
        inc_group=np.concatenate(inc_g),
        inc_atom=np.concatenate(inc_a),
    )
