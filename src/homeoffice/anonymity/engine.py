"""The fixed-point iteration behind :func:`homeoffice.anonymity.disclose` (issue 4, point 2).

Nodes are the candidate groups and, for every partition whose parts leave respondents over, a
*rest* node. Each partition is an equation: parent = parts + rest. A reader knows the sums (and
so means, shares, distributions) of the shown groups and of the empty ones, and can solve an
equation in which one node is unknown; the *known* nodes are the closure of the shown ones under
that step. A hidden node may still be partly *covered*: the reader rebuilds as much of it as the
parts of one of its equations are known or covered.

Rules (module docstring of :mod:`homeoffice.anonymity.rules` for the wording):
  rule 2 complement, once;
  rule 3 secondary, to a fixed point: (a) no known node holds 1..min-1 respondents, (b) in an
         equation with a known parent what the parts do not cover is 0 or >= min;
  rule 4 overlap and combination: pairs and triples of known groups (data-made containment);
  rule 3 for two-way tables: no small set of unknown cells is a linear combination of the known
         cells and totals;
and again from rule 3 until nothing changes. Hiding only shrinks what is known, so pairs,
triples and tables found clean stay clean.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np

from homeoffice.anonymity.candidates import Candidates, unique_rows


@dataclass(frozen=True)
class Reason:
    """Why a group (or its comments) is hidden.

    ``code``: too_small, complement, secondary, overlap, combination; for comments
    comments_too_small, comments_combined. ``causes``: the groups whose
    visibility (or size) made the rule fire - the parent for complement, the protected respondents
    for secondary, the other group(s) for overlap, combination and comments_combined. ``via``: the
    group whose partition or table was checked. ``count``: the number of responses the sentence
    names (the parent's remainder, the difference, the responses that would be singled out). A
    cause is a group key, or a :class:`Rest` for respondents a partition leaves over.
    """

    code: str
    causes: tuple[Hashable, ...] = ()
    via: Hashable | None = None
    count: int | None = None


@dataclass(frozen=True)
class Rest:
    """The implicit rest of a partition (its parent's respondents in none of its parts), as a cause."""

    parent: Hashable
    partition: int


Found = list[tuple[tuple[int, ...], int, str]]
"""Violations of rule 4: (groups, largest first, the last is hidden; responses singled out; code)."""


class Engine:
    """One run of the rules over a :class:`Candidates`; read ``shown`` and ``reasons`` afterwards."""

    def __init__(self, c: Candidates, min_size: int, differencing: str) -> None:
        self.c, self.m, self.differencing = c, min_size, differencing
        self.n_groups = len(c.groups)
        self.keys: list[Hashable] = [g.key for g in c.groups]
        self.mass: list[int] = c.n.tolist()
        self.members: list[list[int]] = []
        for p, (parent, parts) in enumerate(zip(c.part_parent, c.part_parts, strict=True)):
            rest = self.mass[parent] - sum(self.mass[q] for q in parts)
            eq = [parent, *parts]
            if rest > 0:
                eq.append(len(self.mass))
                self.mass.append(rest)
                self.keys.append(Rest(self.keys[parent], p))
            self.members.append(eq)
        n_nodes = len(self.mass)
        reportable = [g.reportable for g in c.groups] + [False] * (n_nodes - self.n_groups)
        self.shown = [r and k >= min_size for r, k in zip(reportable, self.mass, strict=True)]
        self.reasons: list[list[Reason]] = [[] for _ in self.mass]
        for g in range(self.n_groups):
            if reportable[g] and 0 < self.mass[g] < min_size:
                self.reasons[g].append(Reason("too_small"))
        # flat arrays of the equations for the vectorised closure and covers
        lengths = np.array([len(eq) for eq in self.members], dtype=np.int64)
        self.eq_flat = np.array([x for eq in self.members for x in eq], dtype=np.int64)
        self.eq_start = (np.cumsum(lengths) - lengths).astype(np.int64)
        self.eq_id = np.repeat(np.arange(len(self.members), dtype=np.int64), lengths)
        self.is_part = np.ones(self.eq_flat.size, dtype=bool)
        self.is_part[self.eq_start] = False
        self.eq_parent = self.eq_flat[self.eq_start] if self.members else np.zeros(0, np.int64)
        self.mass_np = np.array(self.mass, dtype=np.int64)
        level = [0] * n_nodes  # parts before parents
        under: list[list[int]] = [[] for _ in range(n_nodes)]
        for p, eq in enumerate(self.members):
            under[eq[0]].append(p)
        for g in c.order:
            if under[g]:
                level[g] = 1 + max(level[x] for p in under[g] for x in self.members[p][1:])
        eq_level = np.array([level[eq[0]] for eq in self.members], dtype=np.int64)
        self.levels = [np.flatnonzero(eq_level == lv) for lv in range(1, max(level, default=0) + 1)]
        total = int(np.count_nonzero(c.atom_of >= 0))
        self.top = {g for g in range(self.n_groups) if self.mass[g] == total and total >= min_size}
        self.passes = 0

    # --- bookkeeping ----------------------------------------------------------------------

    def hide(self, g: int, reason: Reason) -> bool:
        if not self.shown[g]:
            return False
        self.shown[g] = False
        self.reasons[g].append(reason)
        return True

    def complement(self) -> None:
        """Rule 2, once: it depends on sizes only."""
        for parent, parts in zip(self.c.part_parent, self.c.part_parts, strict=True):
            for q in parts:
                left = self.mass[parent] - self.mass[q]
                if 0 < left < self.m and self.mass[q] > 0:
                    reason = Reason("complement", (self.keys[parent],), self.keys[parent], left)
                    if not self.hide(q, reason) and self.reasons[q]:
                        self.reasons[q].append(reason)

    def analyse(self) -> None:
        """Known nodes (closure), their provenance, and covers; as arrays and as lists."""
        mass = self.mass_np
        shown = np.array(self.shown, dtype=bool)
        known = shown | (mass == 0)
        prov = np.full(mass.size, -1, dtype=np.int64)
        flat, start, eq_id = self.eq_flat, self.eq_start, self.eq_id
        while flat.size:
            unknown = ~known[flat]
            count = np.add.reduceat(unknown.astype(np.int64), start)
            solvable = count == 1
            entries = np.flatnonzero(unknown & solvable[eq_id])
            if not entries.size:
                break
            nodes, first = np.unique(flat[entries], return_index=True)
            known[nodes] = True
            prov[nodes] = eq_id[entries][first]
        cov = np.where(known, mass, 0)
        best = np.full(mass.size, -1, dtype=np.int64)
        psum = np.zeros(len(self.members), dtype=np.int64)
        for eqs in self.levels:  # parts are final before their parents are reached
            sums = np.add.reduceat(np.where(self.is_part, cov[flat], 0), start)
            psum[eqs] = sums[eqs]
            parents = self.eq_parent[eqs]
            open_ = ~known[parents] & (sums[eqs] > 0)
            eqs, parents, vals = eqs[open_], parents[open_], sums[eqs][open_]
            np.maximum.at(cov, parents, vals)
            win = vals == cov[parents]
            pick = np.full(mass.size, np.iinfo(np.int64).max, dtype=np.int64)
            np.minimum.at(pick, parents[win], eqs[win])
            best[parents[win]] = pick[parents[win]]
        if flat.size:
            psum = np.add.reduceat(np.where(self.is_part, cov[flat], 0), start)
        self.known_np, self.prov_np, self.cov_np, self.psum = known, prov, cov, psum
        self.known, self.prov = known.tolist(), prov.tolist()
        self.cov, self.best = cov.tolist(), best.tolist()

    def support(self, start: list[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
        """Shown groups the reader uses to rebuild ``start`` ((node, equation it is met in) pairs).

        Known nodes lead to what they were computed from, unknown ones to their covered parts. Each
        as (1 if it is the parent of the equation it was met in, steps away, size, index): the
        smallest is the group to hide - parts before parents, near before far, small first.
        """
        out, seen = [], set()
        todo = [(x, p, 0) for x, p in start]
        while todo:
            nxt = []
            for x, via, depth in todo:
                if x in seen:
                    continue
                seen.add(x)
                if self.shown[x]:
                    out.append((int(x == self.members[via][0]), depth, self.mass[x], x))
                elif self.known[x] and self.prov[x] >= 0:
                    p = self.prov[x]
                    nxt.extend((y, p, depth + 1) for y in self.members[p] if y != x and self.known[y])
                elif not self.known[x] and self.best[x] >= 0:
                    p = self.best[x]
                    nxt.extend((y, p, depth + 1) for y in self.members[p][1:] if self.cov[y])
            todo = nxt
        return out

    def pick(self, cands: list[tuple[int, int, int, int]]) -> int:
        """The group to hide among (rank, steps, size, index) candidates; the organisation last."""
        return min(cands, key=lambda c: (c[3] in self.top, *c))[3]

    def rebuilt_from(self, g: int) -> list[tuple[int, int, int, int]]:
        """Shown groups a known but hidden node ``g`` is computed from."""
        p = self.prov[g]
        return self.support([(y, p) for y in self.members[p] if y != g]) if p >= 0 else []

    # --- rule 3 ---------------------------------------------------------------------------

    def secondary(self) -> None:
        """Rule 3 to a fixed point.

        (a) no node the reader can compute may hold 1 to min - 1 respondents; (b) in an equation
        whose parent the reader can compute, the respondents its parts do not cover number 0 or
        at least min. A violation hides the first group of its :meth:`support`.
        """
        m = self.m
        while True:
            self.analyse()
            self.passes += 1
            known, mass = self.known_np, self.mass_np
            shown = np.array(self.shown, dtype=bool)
            problems: list[tuple[int, list[tuple[int, int]], tuple[int, ...], int]] = []
            small = np.flatnonzero(known & ~shown & (mass > 0) & (mass < m) & (self.prov_np >= 0))
            for x in small.tolist():
                p = self.prov[x]
                problems.append((p, [(y, p) for y in self.members[p] if y != x], (x,), self.mass[x]))
            if self.members:
                uncovered = mass[self.eq_parent] - self.psum
                bad = np.flatnonzero(known[self.eq_parent] & (uncovered > 0) & (uncovered < m))
                for p in bad.tolist():
                    eq = self.members[p]
                    hidden = tuple(x for x in eq[1:] if self.cov[x] < self.mass[x])
                    problems.append((p, [(y, p) for y in eq], hidden, int(uncovered[p])))
            chosen: dict[int, Reason] = {}
            for p, start, protected, count in problems:
                cands = self.support(start)
                if not cands or any(c[3] in chosen for c in cands):
                    continue  # a hide chosen in this pass may settle it; the next pass checks again
                causes = tuple(self.keys[x] for x in protected)
                chosen[self.pick(cands)] = Reason("secondary", causes, self.keys[self.members[p][0]], count)
            if not chosen:
                return
            for q, reason in sorted(chosen.items()):
                self.hide(q, reason)

    # --- rule 4: pairs and triples of known groups ----------------------------------------

    def pair_index(self) -> None:
        """Overlapping pairs of known groups, sorted for lookups and size windows."""
        a, b, both = self.c.overlaps
        known = self.known_np[: self.n_groups]
        keep = known[a] & known[b]
        a, b, both = a[keep], b[keep], both[keep]
        n = self.c.n
        self.big = int(n.max()) + 2 if n.size else 2
        self.pairs = (a, b, both)
        self.pair_code, self.pair_both = a * self.n_groups + b, both  # sorted: overlaps come sorted by (a, b)
        size_key = a * self.big + n[b]
        o = np.argsort(size_key, kind="stable")  # runs of one group each: timsort is fast here
        self.by_size = (a[o], b[o], both[o], size_key[o])

    def shared(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """|x ∩ y| for arrays of known groups (0 for groups that share nobody)."""
        if not self.pair_code.size:
            return np.zeros(x.size, dtype=np.int64)
        code = x * self.n_groups + y
        i = np.minimum(np.searchsorted(self.pair_code, code), self.pair_code.size - 1)
        return np.where(self.pair_code[i] == code, self.pair_both[i], 0)

    def find_pairs(self) -> Found:
        """Rule 4 for two groups."""
        m, n = self.m, self.c.n
        a, b, both = self.pairs
        diff = n[a] - n[b]
        bad = (both == n[b]) & (diff > 0) & (diff < m)  # b strictly inside a
        out: Found = [((int(x), int(y)), int(d), "overlap") for x, y, d in zip(a[bad], b[bad], diff[bad], strict=True)]
        if self.differencing == "any":
            shown = np.array(self.shown[: self.n_groups], dtype=bool)
            d1, d2 = n[a] - both, n[b] - both
            bad = (d1 > 0) & (d2 > 0) & (a < b) & shown[a] & shown[b] & ((d1 < m) | (d2 < m))
            for x, y, e1, e2 in zip(a[bad].tolist(), b[bad].tolist(), d1[bad].tolist(), d2[bad].tolist(), strict=True):
                small = min(e for e in (e1, e2) if e < m)
                outer, inner = (x, y) if (self.mass[x], -x) > (self.mass[y], -y) else (y, x)
                out.append(((outer, inner), small, "overlap"))
        return out

    def find_triples(self) -> Found:
        """Rule 4 for three known groups, for containment the data make.

        T1: X minus two disjoint groups inside it; T2: two disjoint groups minus one inside their
        union; T3: X minus (Y minus Z) with Z inside Y and Y minus Z inside X. Each result must
        hold 0 or at least min respondents (issue 4's attacker: unions and differences of up to
        three groups). Candidates come from size windows, so the search stays near linear.
        """
        m, n, big = self.m, self.c.n, self.big
        ga, gb, gboth, gkey = self.by_size
        nested = (gboth == n[gb]) & (n[ga] > n[gb])
        outer, inner, nkey = ga[nested], gb[nested], gkey[nested]
        trios: set[tuple[int, int, int, int]] = set()
        # T1: X ⊇ Y ⊔ Z, n_X - n_Y - n_Z in [1, m-1]
        lo = np.searchsorted(nkey, outer * big + np.maximum(n[outer] - n[inner] - m + 1, 0))
        hi = np.searchsorted(nkey, outer * big + n[outer] - n[inner])
        w, pos = _expand(lo, hi)
        x, y, z = outer[w], inner[w], inner[pos]
        keep = (y < z) & (self.shared(y, z) == 0)
        trios.update(zip(x[keep].tolist(), y[keep].tolist(), z[keep].tolist(), [1] * int(keep.sum()), strict=True))
        # T3: X ⊇ Y∖Z with Z ⊂ Y, n_X - (n_Y - n_Z) in [1, m-1]
        d = n[outer] - n[inner]
        lo = np.searchsorted(gkey, outer * big + d + 1)
        hi = np.searchsorted(gkey, outer * big + d + m)
        w, pos = _expand(lo, hi)
        yy, zz, xx, xy = outer[w], inner[w], gb[pos], gboth[pos]
        keep = (xx != zz) & (xy - self.shared(xx, zz) == d[w])
        trios.update(zip(xx[keep].tolist(), yy[keep].tolist(), zz[keep].tolist(), [3] * int(keep.sum()), strict=True))
        # T2: Z ⊆ X ⊔ Y, Z straddling X, n_X + n_Y - n_Z in [1, m-1]
        part = (gboth < n[ga]) & (gboth < n[gb]) & (n[gb] - gboth < m)  # X sticks out of Z by < m (so does Y)
        zs, xs, zx = ga[part], gb[part], gboth[part]
        lo = np.searchsorted(gkey, zs * big + np.maximum(n[zs] - n[xs] + 1, 0))
        hi = np.searchsorted(gkey, zs * big + np.maximum(n[zs] - n[xs] + m, 0))
        w, pos = _expand(lo, hi)
        z2, x2, y2 = zs[w], xs[w], gb[pos]
        keep = (x2 < y2) & (gboth[pos] == n[z2] - zx[w]) & (self.shared(x2, y2) == 0)
        trios.update(zip(x2[keep].tolist(), y2[keep].tolist(), z2[keep].tolist(), [2] * int(keep.sum()), strict=True))
        out: Found = []
        for x_, y_, z_, form in sorted(trios):
            sign = {1: (-1, -1), 2: (1, -1), 3: (-1, 1)}[form]
            r = self.mass[x_] + sign[0] * self.mass[y_] + sign[1] * self.mass[z_]
            order = tuple(sorted((x_, y_, z_), key=lambda g: (-self.mass[g], -g)))
            out.append((order, r, "combination"))
        return out

    def fix(self, found: Found) -> bool:
        """For every violation still standing, hide its most specific shown group; True if any."""
        chosen: dict[int, Reason] = {}
        for groups, count, code in found:
            if not all(self.known[g] for g in groups) or any(g in chosen for g in groups):
                continue
            target = next((g for g in reversed(groups[1:]) if self.shown[g]), None)
            if target is None:  # computed, not shown: hide what it is computed from
                cands = self.rebuilt_from(groups[-1])
                if not cands:
                    continue
                target = self.pick(cands)
            if target not in chosen:
                chosen[target] = Reason(code, tuple(self.keys[g] for g in groups if g != target), count=count)
        for q, reason in sorted(chosen.items()):
            self.hide(q, reason)
        return bool(chosen)

    # --- rule 3 for two-way tables ----------------------------------------------------------

    def tables(self, todo: list[int]) -> tuple[bool, list[int]]:
        """Solve each table as a reader would: any sum and difference of its known cells and totals.

        A set of unknown cells holding 1 to min - 1 respondents must not be a linear combination
        of the known cells, row totals, column totals and grand total. Known cells drop out, so
        the test runs on the unknown cells only. For a combination found, the smallest shown
        group it uses is hidden (cells before totals). Returns (hid anything, tables to check again).
        """
        m, mass, known = self.m, self.mass, self.known
        chosen: dict[int, Reason] = {}
        again: list[int] = []
        for ti in todo:
            grand, rows, cols, cells = self.c.table_ix[ti]
            n_r, n_c = len(rows), len(cols)
            flat = [g for row in cells for g in row]
            unknown = [k for k, g in enumerate(flat) if not known[g]]
            small = [k for k in unknown if mass[flat[k]] < m]
            if not small:
                continue
            owners = [(1, g, "row", i) for i, g in enumerate(rows) if known[g]]
            owners += [(1, g, "col", j) for j, g in enumerate(cols) if known[g]]
            owners += [(2, grand, "all", 0)] if known[grand] else []
            if not owners:
                continue
            sub = _owner_rows(owners, np.array(unknown), n_c)
            _, sv, vt = np.linalg.svd(sub, full_matrices=False)
            if not sv.size or sv[0] < 1e-12:
                continue
            basis = vt[: int((sv > 1e-9 * sv[0]).sum())]
            at = {k: u for u, k in enumerate(unknown)}
            # vectors on the small cells that lie in the span: the null space of (I - B'B) restricted to them
            cols = np.array([at[k] for k in small])
            outside = -basis.T @ basis[:, cols]
            outside[cols, np.arange(cols.size)] += 1.0
            _, sv2, vt2 = np.linalg.svd(outside, full_matrices=True)
            free = vt2[int((sv2 > 1e-9).sum()) :]
            if not free.size:
                continue
            small = [k for k, used_ in zip(small, (np.abs(free) > 1e-9).any(axis=0), strict=True) if used_]
            subsets = _small_subsets([mass[flat[k]] for k in small], m)
            targets = np.zeros((len(subsets), len(unknown)))
            for r, chosen_cells in enumerate(subsets):
                targets[r, [at[small[k]] for k in chosen_cells]] = 1.0
            resid = np.abs(targets - (targets @ basis.T) @ basis).max(axis=1) if subsets else np.zeros(0)
            leaks = np.flatnonzero(resid < 1e-7)
            if not leaks.size:
                continue
            again.append(ti)
            cells_t = [small[k] for k in subsets[leaks[0]]]
            used = self._certificate(flat, n_r, n_c, owners, cells_t)
            if any(g in chosen for _, g in used):
                continue
            cands = [(rank, 0, mass[g], g) for rank, g in used if self.shown[g]]
            cands += [
                (int(c[0]), c[1] + 1, c[2], c[3]) for _, g in used if not self.shown[g] for c in self.rebuilt_from(g)
            ]
            if not cands:
                continue
            q = self.pick(cands)
            protected = tuple(self.keys[flat[k]] for k in cells_t)
            count = sum(mass[flat[k]] for k in cells_t)
            chosen.setdefault(q, Reason("secondary", protected, self.keys[grand], count))
        for q, reason in sorted(chosen.items()):
            self.hide(q, reason)
        return bool(chosen), again

    def _certificate(
        self, flat: list[int], n_r: int, n_c: int, owners: list[tuple[int, int, str, int]], cells_t: list[int]
    ) -> list[tuple[int, int]]:
        """(rank, group) of the known cells and totals a combination giving ``cells_t`` uses."""
        known_cells = [k for k, g in enumerate(flat) if self.known[g]]
        vecs = np.vstack([np.eye(len(flat))[known_cells], _owner_rows(owners, np.arange(len(flat)), n_c)])
        ranks = [(0, flat[k]) for k in known_cells] + [(rank, g) for rank, g, _, _ in owners]
        t = np.zeros(len(flat))
        t[cells_t] = 1.0
        y = np.linalg.lstsq(vecs.T, t, rcond=None)[0]
        return [ranks[k] for k in np.flatnonzero(np.abs(y) > 1e-9)]

    # --- the whole run ----------------------------------------------------------------------

    def run(self) -> None:
        self.complement()
        self.secondary()
        self.pair_index()
        pairs, trios = self.find_pairs(), self.find_triples()
        todo = list(range(len(self.c.table_ix)))
        while True:
            if self.fix(pairs) or self.fix(trios):
                self.secondary()
                continue
            hid, todo = self.tables(todo)
            if not hid:
                return
            self.secondary()


def _owner_rows(owners: list[tuple[int, int, str, int]], cells: np.ndarray, n_c: int) -> np.ndarray:
    """Indicator rows over table ``cells`` (flat indexes) of known row totals, column totals, the grand total."""
    out = np.ones((len(owners), cells.size))
    for o, (_, _, kind, i) in enumerate(owners):
        if kind == "row":
            out[o] = cells // n_c == i
        elif kind == "col":
            out[o] = cells % n_c == i
    return out


def _expand(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For ranges [lo, hi): (which range, position) of every element."""
    counts = np.maximum(hi - lo, 0)
    which = np.repeat(np.arange(lo.size), counts)
    start = np.repeat(lo - np.cumsum(counts) + counts, counts)
    return which, start + np.arange(which.size)


def _small_subsets(masses: list[int], m: int) -> list[tuple[int, ...]]:
    """Index sets of ``masses`` (each >= 1) whose total lies in [1, m - 1]."""
    out: list[tuple[int, ...]] = []

    def grow(start: int, chosen: tuple[int, ...], total: int) -> None:
        for k in range(start, len(masses)):
            t = total + masses[k]
            if t < m:
                out.append((*chosen, k))
                grow(k + 1, (*chosen, k), t)

    grow(0, (), 0)
    return out


def comments(
    c: Candidates, shown: list[bool], comment_min: int, kinds: frozenset[str]
) -> tuple[list[bool], list[list[Reason]]]:
    """Which shown groups may show their open comments (issue 4: a higher minimum for comments).

    Comments are records: a reader holding several comment lists can intersect and subtract
    them, and isolates exactly the unions of their Boolean atoms (respondents with the same
    memberships of the lists shown). A list is shown only for a shown group of one of ``kinds``
    with at least ``comment_min`` respondents, and while an atom holds 1 to comment_min - 1
    people the smallest list that splits the smallest list around it is withdrawn (a list
    containing the atom first).
    """
    n = c.n
    keys = [g.key for g in c.groups]
    reasons: list[list[Reason]] = [[] for _ in keys]
    eligible = np.array([g.reportable and g.kind in kinds for g in c.groups], dtype=bool)
    ok = np.array(shown, dtype=bool) & (n >= comment_min) & eligible
    for g in np.flatnonzero(eligible & np.array(shown, dtype=bool) & (n < comment_min)).tolist():
        reasons[g].append(Reason("comments_too_small"))
    a, b, both = c.overlaps
    keep = ok[a] & ok[b]  # lists withdrawn later are masked out below
    a, b, both = a[keep], b[keep], both[keep]
    o = np.lexsort((b, a))
    a, b, both = a[o], b[o], both[o]
    bounds = np.searchsorted(a, np.arange(len(keys) + 1))
    weights = c.atom_weight
    while True:
        mask = ok[c.inc_group]
        ig, ia = c.inc_group[mask], c.inc_atom[mask]
        o = np.lexsort((ig, ia))
        ig, ia = ig[o], ia[o]
        per = np.bincount(ia, minlength=weights.size)
        width = max(int(per.max()) if per.size else 0, 1)
        starts = np.concatenate(([0], np.cumsum(per)[:-1]))
        table = np.full((weights.size, width), -1, dtype=np.int64)
        table[ia, np.arange(ia.size) - starts[ia]] = ig
        sigs, inv = unique_rows(table)
        w = np.bincount(inv, weights=weights, minlength=sigs.shape[0])
        small = np.flatnonzero((w > 0) & (w < comment_min) & (sigs[:, 0] >= 0))
        if not small.size:
            return ok.tolist(), reasons
        chosen: dict[int, int] = {}
        for s in small.tolist():
            sig = [int(g) for g in sigs[s] if g >= 0]
            inner = min(sig, key=lambda g: (n[g], g))
            lo, hi = bounds[inner], bounds[inner + 1]
            others, shared = b[lo:hi], both[lo:hi]
            split = others[(shared > 0) & (shared < n[inner]) & ok[others]].tolist()
            pool = [g for g in split if g in sig] or split or [inner]
            chosen.setdefault(min(pool, key=lambda x: (n[x], x)), inner)
        for g, other in sorted(chosen.items()):
            ok[g] = False
            reasons[g].append(Reason("comments_combined", (keys[other],)))
