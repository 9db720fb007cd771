"""Benchmark of the anonymity rules (issue 4, point 2): 100,000 respondents in 200 units.

The organisation: 6 divisions, 5 departments each, teams below (200 units, depth 4), people
spread unevenly (some teams of a handful, departments with a few direct members), and three
filter columns of 4-5 categories with a little missing (age, gender, tenure). Times, as the
median of several runs in one process (a dashboard server is warm):

  build      build_candidates: groups, partitions, tables and atoms from the unit and filter columns
  disclose   disclose: rules 1-4, tables, open comments (overlaps computed afresh each run)

once with every unit crossed with every filter (2,600 reportable groups) and once with the filters
at organisation level only. Prints ``anonymity_ms: N`` last (build + disclose, crossed).

    .venv/bin/python benchmarks/anonymity.py
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from homeoffice.anonymity import build_candidates, disclose

N_RESPONDENTS = 100_000
RUNS = 7


def organisation(seed: int = 7) -> tuple[dict[str, str | None], np.ndarray, dict[str, np.ndarray]]:
    """Unit tree (unit -> parent), each respondent's unit, three filter columns."""
    rng = np.random.default_rng(seed)
    parent: dict[str, str | None] = {"org": None}
    for d in range(6):
        parent[f"d{d}"] = "org"
        for e in range(5):
            parent[f"d{d}.{e}"] = f"d{d}"
    teams = iter((f"d{d}.{e}.{t}", f"d{d}.{e}") for t in range(10) for d in range(6) for e in range(5))
    while len(parent) < 200:
        team, dept = next(teams)
        parent[team] = dept
    units = list(parent)
    inner = set(parent.values())
    weight = rng.gamma(1.0, 1.0, len(units)) * np.array([1.0 if u in inner else 8.0 for u in units])
    weight /= weight.sum()
    unit_of = rng.choice(np.array(units, dtype=object), size=N_RESPONDENTS, p=weight)

    def column(values: list[str | None], p: list[float]) -> np.ndarray:
        return rng.choice(np.array(values, dtype=object), size=N_RESPONDENTS, p=p)

    filters = {
        "age": column(["<30", "30-44", "45-59", "60+", None], [0.2, 0.35, 0.3, 0.1, 0.05]),
        "gender": column(["woman", "man", "other", "unsaid", None], [0.47, 0.47, 0.01, 0.02, 0.03]),
        "tenure": column(["<1", "1-3", "3-10", "10+", None], [0.1, 0.25, 0.35, 0.28, 0.02]),
    }
    return parent, unit_of, filters


def median_ms(fn) -> tuple[float, object]:
    times, out = [], None
    for _ in range(RUNS):
        start = time.perf_counter()
        out = fn()
        times.append(1000 * (time.perf_counter() - start))
    return statistics.median(times), out


def main() -> None:
    parent, unit_of, filters = organisation()
    disclose(build_candidates(parent, unit_of[:1000], {k: v[:1000] for k, v in filters.items()}))  # warm-up
    total = 0.0
    for cross in (True, False):
        build_ms, cands = median_ms(lambda cross=cross: build_candidates(parent, unit_of, filters, cross=cross))
        disclose_ms, disc = median_ms(
            lambda cross=cross: disclose(build_candidates(parent, unit_of, filters, cross=cross))
        )
        disclose_ms -= build_ms
        reportable = sum(g.reportable for g in cands.groups)
        print(
            f"cross={cross}: {reportable} groups ({len(cands)} with structural), {cands.atom_weight.size} atoms; "
            f"build {build_ms:.0f} ms, disclose {disclose_ms:.0f} ms; shown {len(disc.shown)}, "
            f"hidden {len(disc.hidden)}, empty {len(disc.empty)}, comments {len(disc.with_comments)}"
        )
        if cross:
            total = build_ms + disclose_ms
    print(f"anonymity_ms: {total:.0f}")


if __name__ == "__main__":
    main()
