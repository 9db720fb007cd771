"""Anonymity rules of issue 4, point 2 (src/homeoffice/anonymity).

Hand-built trees check each rule and its reason; an attacker then plays a reader of the shown
groups on random trees and filters (hypothesis) and tries every pairwise difference, every parent
minus any combination of its shown parts, and unions and differences of up to three shown groups;
a second attacker solves the shown sums as a linear system; a third intersects and subtracts
comment lists; a fourth compares an open wave's dashboard from one moment to the next. None may
isolate a non-empty set of fewer than the minimum. The last tests switch each rule off and check
that an attacker then does find something, so the attackers are known to bite.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.linalg import null_space

from homeoffice.anonymity import (
    Candidates,
    Group,
    GroupKey,
    Partition,
    Rest,
    Table,
    build_candidates,
    builtin_texts,
    check_min_size_change,
    check_release,
    check_release_history,
    disclose,
    load_texts,
)
from homeoffice.anonymity import engine as engine_module
from homeoffice.anonymity.texts import check_texts
from homeoffice.errors import HomeofficeError

U = GroupKey  # GroupKey("sales") is the Sales unit with its sub-units


def people(sizes: dict[Hashable, int]) -> list[Hashable]:
    """One respondent position per response, unit by unit."""
    return [unit for unit, k in sizes.items() for _ in range(k)]


def reasons(disc, key) -> list[str]:
    return [r.code for r in disc[key].reasons]


# --- attackers -------------------------------------------------------------------------------


def bits(members: np.ndarray) -> int:
    out = 0
    for i in members.tolist():
        out |= 1 << i
    return out


def is_small(s: int, m: int) -> bool:
    return 0 < s.bit_count() < m


def attack(cands: Candidates, disc, m: int, *, differencing: str = "contained") -> list[str]:
    """What a reader of the shown groups can single out: descriptions of sets of 1..m-1 people.

    Tries every shown group, every pairwise difference (with ``differencing="contained"`` those
    whose sums a reader can subtract: one group inside the other), every parent minus any
    combination of its shown parts, and unions and differences of up to three shown groups that
    a reader can compute from sums: X minus Y with Y inside X, X plus Y when they are disjoint.
    """
    shown = disc.shown
    sets = {k: bits(cands.members(k)) for k in shown}
    leaks = [f"shown {k}" for k in shown if is_small(sets[k], m)]
    for a, b in itertools.permutations(shown, 2):
        if (differencing == "any" or sets[b] & ~sets[a] == 0) and is_small(sets[a] & ~sets[b], m):
            leaks.append(f"{a} minus {b}")
    for p in cands.partitions:
        if p.parent not in sets:
            continue
        parts = [q for q in p.parts if q in sets]
        for r in range(1, len(parts) + 1):
            for combo in itertools.combinations(parts, r):
                left = sets[p.parent]
                for q in combo:
                    left &= ~sets[q]
                if is_small(left, m):
                    leaks.append(f"{p.parent} minus {combo}")
    one = [(frozenset([k]), s) for k, s in sets.items()]

    def combine(xs, ys):
        out = []
        for (ka, a), (kb, b) in itertools.product(xs, ys):
            if ka & kb:
                continue
            if b & ~a == 0:
                out.append((ka | kb, a & ~b))
            if a & ~b == 0:
                out.append((ka | kb, b & ~a))
            if a & b == 0:
                out.append((ka | kb, a | b))
        return out

    two = combine(one, one)
    for k, s in itertools.chain(two, combine(two, one)):
        if is_small(s, m):
            leaks.append(f"combination of {sorted(map(str, k))}")
    return leaks


def atoms(cands: Candidates) -> tuple[list[int], list[np.ndarray]]:
    """Weights of the finest sets every candidate group is a union of, and each group's atom mask."""
    sigs: dict[int, set] = {}
    for i, g in enumerate(cands.groups):
        for r in cands.members(g.key).tolist():
            sigs.setdefault(r, set()).add(i)
    classes: dict[frozenset, list[int]] = {}
    for r, s in sigs.items():
        classes.setdefault(frozenset(s), []).append(r)
    keys = sorted(classes, key=lambda s: min(classes[s]))
    weights = [len(classes[k]) for k in keys]
    masks = [np.array([i in k for k in keys], dtype=float) for i in range(len(cands.groups))]
    return weights, masks


def linear_leaks(cands: Candidates, disc, m: int) -> list[tuple[int, ...]]:
    """Sets of fewer than m people whose sums are a linear combination of the shown groups' sums.

    The reader knows the sum (and so the mean, shares, distribution) of every shown group; a set
    is exposed when its indicator lies in the span of the shown groups' indicators. Every such set
    is a union of atoms, so sets of small atoms are tried, against the null space.
    """
    weights, masks = atoms(cands)
    shown = [masks[cands.index[k]] for k in disc.shown]
    if not shown:
        return []
    null = null_space(np.array(shown))
    small = [a for a, w in enumerate(weights) if w < m]
    found = []

    def grow(start: int, acc: np.ndarray, total: int, chosen: tuple[int, ...]) -> None:
        for j in range(start, len(small)):
            a = small[j]
            if total + weights[a] >= m:
                continue
            v = acc + null[a]
            if not v.size or np.abs(v).max() < 1e-8:
                found.append((*chosen, a))
            grow(j + 1, v, total + weights[a], (*chosen, a))

    grow(0, np.zeros(null.shape[1]), 0, ())
    return found


def comment_leaks(cands: Candidates, disc, cmin: int) -> list[str]:
    """Sets of 1..cmin-1 people a reader of the shown comment lists can isolate.

    Comment lists are records: any union, intersection or difference of up to three lists is
    tried, and every Boolean atom (people on exactly the same lists).
    """
    lists = {k: bits(cands.members(k)) for k in disc.with_comments}
    leaks = [f"list {k}" for k, s in lists.items() if is_small(s, cmin)]
    ops = (lambda a, b: a | b, lambda a, b: a & b, lambda a, b: a & ~b, lambda a, b: b & ~a)
    for (ka, a), (kb, b) in itertools.combinations(lists.items(), 2):
        for op in ops:
            if is_small(op(a, b), cmin):
                leaks.append(f"{ka} with {kb}")
            for kc, c in lists.items():
                if kc not in (ka, kb):
                    leaks += [f"{ka}, {kb}, {kc}" for op2 in ops if is_small(op2(op(a, b), c), cmin)]
    everyone = 0
    for s in lists.values():
        everyone |= s
    sig: dict[frozenset, int] = {}
    for r in range(everyone.bit_length()):
        if everyone >> r & 1:
            key = frozenset(k for k, s in lists.items() if s >> r & 1)
            sig[key] = sig.get(key, 0) + 1
    return leaks + [f"atom {sorted(map(str, k))}" for k, w in sig.items() if 0 < w < cmin]


# --- settings and texts ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"min_size": 2}, "at least 3"),
        ({"min_size": True}, "at least 3"),
        ({"min_size": 5.0}, "at least 3"),
        ({"min_size": 5, "comment_min": 4}, "open comments"),
        ({"differencing": "all"}, "differencing"),
    ],
)
def test_settings_below_the_floor_are_refused_with_a_message_in_both_languages(kwargs, fragment):
    cands = build_candidates({"org": None}, ["org"] * 6)
    with pytest.raises(HomeofficeError) as info:
        disclose(cands, **kwargs)
    assert info.value.code == "invalid_anonymity_setting"
    assert fragment in info.value.describe("en")
    assert info.value.describe("nb") != info.value.describe("en")


def test_the_minimum_can_only_be_raised_once_the_wave_has_opened():
    check_min_size_change(5, 4, opened=False)
    check_min_size_change(5, 7, opened=True)
    with pytest.raises(HomeofficeError) as info:
        check_min_size_change(5, 4, opened=True)
    assert info.value.code == "invalid_anonymity_setting"
    assert "kan bare økes" in info.value.describe("nb")
    with pytest.raises(HomeofficeError):
        check_min_size_change(5, 2, opened=False)


def test_three_is_the_smallest_minimum_allowed():
    cands = build_candidates({"org": None, "a": "org", "b": "org"}, people({"a": 3, "b": 3}))
    disc = disclose(cands, min_size=3, comment_min=3)
    assert disc.shown == [U("org"), U("a"), U("b")]


def test_the_text_file_has_every_reason_in_both_languages():
    data = builtin_texts()
    for entry in ("too_small", "complement", "secondary", "overlap", "combination", "release_too_close"):
        assert set(data[entry]) == {"nb", "en"}


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda d: d["reasons"].pop("overlap"), "'overlap' is missing"),
        (lambda d: d["reasons"]["too_small"].pop("nb"), "exactly the keys nb and en"),
        (lambda d: d["reasons"]["too_small"].update(nb="%(gruppe)s"), "same %(name)s placeholders"),
        (lambda d: d.pop("release"), "'release' is missing"),
    ],
)
def test_a_broken_text_file_is_refused_with_file_and_key(tmp_path, change, fragment):
    from importlib import resources

    import yaml

    path = tmp_path / "texts.yaml"
    builtin = yaml.safe_load((resources.files("homeoffice.anonymity") / "texts.yaml").read_text(encoding="utf-8"))
    change(builtin)
    path.write_text(yaml.safe_dump(builtin, allow_unicode=True), encoding="utf-8")
    with pytest.raises(HomeofficeError) as info:
        load_texts(path)
    assert fragment in str(info.value)
    assert str(path) in str(info.value)
    with pytest.raises(HomeofficeError):
        check_texts([])
    with pytest.raises(HomeofficeError) as missing:
        load_texts(tmp_path / "none.yaml")
    assert missing.value.code == "not_found"


# --- the builder -----------------------------------------------------------------------------

TREE = {"org": None, "sales": "org", "north": "sales", "south": "sales", "dev": "org"}


def test_the_builder_lists_units_then_filter_cells_and_keeps_structural_groups_out_of_the_report():
    units = people({"north": 6, "south": 7, "sales": 2, "dev": 8})
    ages = ["<30", "30+"] * 11 + ["<30"]
    cands = build_candidates(TREE, units, {"age": ages}, unit_labels={"org": "Demo AS"})
    reportable = [g.key for g in cands.groups if g.reportable]
    assert reportable[:5] == [U("org"), U("sales"), U("north"), U("south"), U("dev")]
    assert reportable[5:7] == [U("org", "age", "30+"), U("org", "age", "<30")]
    assert {g.kind for g in cands.groups if g.reportable} == {"unit", "filter", "unit_filter"}
    assert cands.size(U("sales")) == 15 and cands.size(U("sales", own=True)) == 2
    assert cands.size(U("org", "age", None)) == 0  # nobody left the question out
    assert cands.groups[cands.index[U("org", "age", "<30")]].text("nb") == "age: <30"
    sales = next(p for p in cands.partitions if p.parent == U("sales") and p.by == "units")
    assert sales.parts == (U("north"), U("south"), U("sales", own=True))
    disc = disclose(cands)
    assert U("sales", own=True) not in [d.key for d in disc]
    assert not disc.is_shown(U("sales", own=True))
    assert disc.label(U("sales", own=True), "en") == "those placed directly in sales"


def test_missing_filter_answers_are_nobodys_cell_but_still_counted_in_the_unit():
    cands = build_candidates({"org": None}, ["org"] * 8, {"age": ["<30"] * 5 + [None, float("nan"), "30+"]})
    assert cands.size(U("org", "age", "<30")) == 5
    assert cands.size(U("org", "age", None)) == 2
    assert cands.size(U("org")) == 8


@pytest.mark.parametrize(
    ("tree", "units", "filters", "fragment"),
    [
        ({"a": None, "b": None}, [], None, "exactly one root"),
        ({"a": None, "b": "x"}, [], None, "is not a unit"),
        ({"a": None, "b": "c", "c": "b"}, [], None, "not below the root"),
        ({"a": None}, ["a", "zz"], None, "unknown unit"),
        ({"a": None}, ["a", "a"], {"age": [1]}, "has 1 values but there are 2"),
    ],
)
def test_the_builder_refuses_a_broken_tree_or_filter(tree, units, filters, fragment):
    with pytest.raises(HomeofficeError) as info:
        build_candidates(tree, units, filters)
    assert info.value.code == "invalid_groups"
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("groups", "members", "partitions", "fragment"),
    [
        ([Group("a"), Group("a")], {"a": [0]}, [], "more than once"),
        ([Group("a", "team")], {"a": [0]}, [], "unknown group kind"),
        ([Group("a")], {}, [], "no members"),
        ([Group("a")], {"a": [-1]}, [], "positions from 0"),
        ([Group("a")], {"a": [0.5]}, [], "whole-number"),
        ([Group("a"), Group("b")], {"a": [0], "b": [1]}, [Partition("a", ("b",))], "is not inside"),
        ([Group("a"), Group("b")], {"a": [0], "b": [0]}, [Partition("a", ("c",))], "unknown group"),
        (
            [Group("a"), Group("b"), Group("c")],
            {"a": [0, 1], "b": [0, 1], "c": [1]},
            [Partition("a", ("b", "c"))],
            "overlap",
        ),
        (
            [Group("a"), Group("b")],
            {"a": [0], "b": [0]},
            [Partition("a", ("b",)), Partition("b", ("a",))],
            "loop",
        ),
    ],
)
def test_candidates_from_member_arrays_are_checked(groups, members, partitions, fragment):
    with pytest.raises(HomeofficeError) as info:
        Candidates(groups, members, partitions)
    assert info.value.code == "invalid_groups"
    assert fragment in str(info.value)
    assert info.value.describe("nb") != info.value.describe("en")


def test_a_table_whose_cells_do_not_add_up_is_refused():
    groups = [Group(k) for k in ("all", "r1", "r2", "c1", "c2", "x11", "x12", "x21", "x22")]
    members = {"all": [0, 1, 2, 3], "r1": [0, 1], "r2": [2, 3], "c1": [0, 2], "c2": [1, 3]}
    members |= {"x11": [0], "x12": [1], "x21": [2], "x22": [2]}
    table = Table("all", ("r1", "r2"), ("c1", "c2"), (("x11", "x12"), ("x21", "x22")))
    with pytest.raises(HomeofficeError, match="disjoint union"):
        Candidates(groups, members, tables=[table])


def test_candidates_from_member_arrays_decide_like_the_builder():
    units = people({"north": 6, "south": 7, "sales": 2, "dev": 8})
    ages = ["<30", "30+", None] * 7 + ["<30", "<30"]
    built = build_candidates(TREE, units, {"age": ages})
    members = {g.key: built.members(g.key) for g in built.groups}
    again = Candidates(built.groups, members, built.partitions, tables=built.tables, n_respondents=len(units))
    assert [(d.key, d.status, d.reasons) for d in disclose(built)] == [
        (d.key, d.status, d.reasons) for d in disclose(again)
    ]


# --- each rule on a small hand-built tree ----------------------------------------------------

# The seeded demo (web/surveys/management/commands/seed_demo.py): Kundesenter has 4 responses.
DEMO = {
    "Demo AS": None,
    "Salg og service": "Demo AS",
    "Team Nord": "Salg og service",
    "Team Sør": "Salg og service",
    "Kundesenter": "Salg og service",
    "Utvikling": "Demo AS",
    "Team App": "Utvikling",
    "Team Plattform": "Utvikling",
}
DEMO_SIZES = {"Team Nord": 38, "Team Sør": 35, "Kundesenter": 4, "Team App": 40, "Team Plattform": 33}


def test_the_seeded_demo_hides_kundesenter_and_the_smallest_sibling_that_would_give_it_away():
    cands = build_candidates(DEMO, people(DEMO_SIZES))
    disc = disclose(cands)
    assert reasons(disc, U("Kundesenter")) == ["too_small"]
    assert disc[U("Kundesenter")].n == 4  # counts of hidden groups may be shown
    assert reasons(disc, U("Team Sør")) == ["secondary"]
    assert disc[U("Team Sør")].reasons[0].causes == (U("Kundesenter"),)
    assert disc.shown == [
        U("Demo AS"),
        U("Salg og service"),
        U("Team Nord"),
        U("Utvikling"),
        U("Team App"),
        U("Team Plattform"),
    ]
    assert disc.explain("en") == [
        "Team Sør is hidden so that Kundesenter cannot be worked out by subtracting the groups shown from "
        "Salg og service.",
        "Kundesenter is hidden because it has 4 responses, fewer than the minimum of 5.",
    ]
    assert disc.explain("nb")[1] == "Kundesenter er skjult fordi gruppen har 4 svar, færre enn minstegrensen på 5."
    assert attack(cands, disc, 5) == []


def test_an_empty_group_is_empty_not_hidden_and_hides_nothing():
    cands = build_candidates({"org": None, "a": "org", "b": "org", "c": "org"}, people({"a": 7, "b": 6}))
    disc = disclose(cands)
    assert disc.empty == [U("c")]
    assert disc.hidden == []
    assert disc[U("c")].reasons == ()
    assert disc.explain("en") == []


def test_complement_hides_a_unit_that_is_nearly_all_of_its_parent():
    cands = build_candidates({"org": None, "big": "org", "tiny": "org"}, people({"big": 20, "tiny": 2}))
    disc = disclose(cands)
    assert reasons(disc, U("tiny")) == ["too_small"]
    assert reasons(disc, U("big")) == ["complement"]
    assert disc[U("big")].reasons[0].count == 2
    assert (
        disc.sentence(U("big"), "en") == "big is hidden because org without it has only 2 responses left, fewer than 5."
    )
    assert disc.is_shown(U("org"))


def test_secondary_protects_a_units_direct_members():
    # the department has 3 people of its own beside two teams: one team must go
    tree = {"org": None, "dept": "org", "t1": "dept", "t2": "dept", "other": "org"}
    cands = build_candidates(tree, people({"dept": 3, "t1": 9, "t2": 12, "other": 10}))
    disc = disclose(cands)
    assert reasons(disc, U("t1")) == ["secondary"]
    assert disc[U("t1")].reasons[0].causes == (U("dept", own=True),)
    assert disc.sentence(U("t1"), "en") == (
        "t1 is hidden so that those placed directly in dept cannot be worked out by subtracting the groups "
        "shown from dept."
    )
    assert disc.is_shown(U("t2")) and disc.is_shown(U("dept"))
    assert attack(cands, disc, 5) == []


def test_secondary_follows_a_hidden_unit_down_to_its_shown_sub_units():
    # a: 97 = a1 50 + a2 47 is hidden (org - a = 3); its teams would still give b away: org - a1 - a2 = b
    tree = {"org": None, "a": "org", "a1": "a", "a2": "a", "b": "org"}
    cands = build_candidates(tree, people({"a1": 50, "a2": 47, "b": 3}))
    disc = disclose(cands)
    assert reasons(disc, U("a")) == ["complement"]
    assert reasons(disc, U("a2")) == ["secondary"]
    assert disc.is_shown(U("a1"))
    assert attack(cands, disc, 5) == []


def test_secondary_runs_across_levels_until_nothing_changes():
    tree = {"org": None, "a": "org", "b": "org", "a1": "a", "a2": "a", "b1": "b", "b2": "b"}
    cands = build_candidates(tree, people({"a1": 2, "a2": 30, "b1": 40, "b2": 20}))
    disc = disclose(cands)
    assert reasons(disc, U("a1")) == ["too_small"]
    assert reasons(disc, U("a2")) == ["complement"]  # a without a2 keeps 2
    assert disc.is_shown(U("a"))
    assert attack(cands, disc, 5) == []
    assert linear_leaks(cands, disc, 5) == []


def test_overlap_hides_a_unit_that_a_filter_cell_nearly_equals():
    # all 7 of team t are under 30; the organisation has 9 under 30: the cell minus the team is 2 people
    tree = {"org": None, "t": "org", "u": "org"}
    units = people({"t": 7, "u": 12})
    ages = ["<30"] * 7 + ["<30", "<30"] + ["30+"] * 10
    cands = build_candidates(tree, units, {"age": ages}, cross=False)
    disc = disclose(cands)
    assert reasons(disc, U("t")) == ["overlap"]
    assert disc[U("t")].reasons[0].causes == (U("org", "age", "<30"),)
    assert (
        disc.sentence(U("t"), "en") == "t is hidden because it differs from age: <30 by only 2 responses, fewer than 5."
    )
    assert attack(cands, disc, 5) == []


def test_combination_hides_a_group_when_three_together_single_out_a_few():
    # a and b are all under 30, c has 2 under 30, d none: the under-30 cell minus a minus b is those 2
    tree = {"org": None, "a": "org", "b": "org", "c": "org", "d": "org"}
    units = people({"a": 6, "b": 7, "c": 20, "d": 10})
    ages = ["<30"] * 13 + ["<30", "<30"] + ["30+"] * 28
    cands = build_candidates(tree, units, {"age": ages}, cross=False)
    disc = disclose(cands)
    assert reasons(disc, U("a")) == ["combination"]
    assert set(disc[U("a")].reasons[0].causes) == {U("org", "age", "<30"), U("b")}
    assert disc.sentence(U("a"), "en") == (
        "a is hidden because, together with age: <30 and b, it would single out 2 responses, fewer than 5."
    )
    assert attack(cands, disc, 5) == []


def test_differencing_any_also_hides_the_smaller_of_two_overlapping_groups():
    # t (7) and the under-30 cell (9) overlap in 5: t minus the cell is 2 people
    tree = {"org": None, "t": "org", "u": "org"}
    units = people({"t": 7, "u": 12})
    ages = ["<30"] * 5 + ["30+"] * 2 + ["<30"] * 4 + ["30+"] * 8
    cands = build_candidates(tree, units, {"age": ages}, cross=False)
    assert disclose(cands).is_shown(U("t"))
    disc = disclose(cands, differencing="any")
    assert reasons(disc, U("t")) == ["overlap"]
    assert attack(cands, disc, 5, differencing="any") == []


def test_a_two_way_table_is_solved_like_a_reader_would():
    # sub-units x answers of one unit: the row and column sums give away two people (four groups needed)
    tree = {0: None, 1: 0, 2: 1, 3: 0, 4: 1, 5: 2, 6: 3, 7: 0}
    units = [4, 7, 1, 7, 6, 4, 1, 0, 5, 7, 5, 4, 3, 6, 6, 2, 5, 1, 7, 4, 7, 5, 3, 5, 6, 5, 2, 7, 5, 4, 2, 3, 2]
    f0 = [0, 0, 0, 1, 0, 1, None, 0, None, 0, 1, 0, 0, 0, 0, 1, 1, 0, None, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]
    cands = build_candidates(tree, units, {"f0": f0})
    disc = disclose(cands, min_size=3)
    assert attack(cands, disc, 3) == []
    assert linear_leaks(cands, disc, 3) == []


def test_the_organisation_is_never_hidden_while_it_is_large_enough():
    tree = {"org": None, "a": "org"}
    cands = build_candidates(tree, people({"a": 6, "org": 1}), {"x": ["y"] * 5 + ["z"] * 2})
    disc = disclose(cands)
    assert disc.is_shown(U("org"))
    assert not disc.is_shown(U("a"))  # org minus a is one person
    small = build_candidates({"org": None}, ["org"] * 4)
    assert reasons(disclose(small), U("org")) == ["too_small"]


def test_the_same_candidates_give_the_same_decisions_in_any_respondent_order():
    rng = np.random.default_rng(3)
    tree = {"org": None, "a": "org", "b": "org", "a1": "a", "a2": "a"}
    units = list(rng.choice(["a", "b", "a1", "a2", "org"], size=60))
    ages = list(rng.choice(["<30", "30-50", "50+"], size=60))
    order = rng.permutation(60)
    first = disclose(build_candidates(tree, units, {"age": ages}))
    second = disclose(build_candidates(tree, [units[i] for i in order], {"age": [ages[i] for i in order]}))
    assert [(d.key, d.status, d.n, d.reasons) for d in first] == [(d.key, d.status, d.n, d.reasons) for d in second]


def test_explain_refuses_an_unknown_language():
    disc = disclose(build_candidates(DEMO, people(DEMO_SIZES)))
    with pytest.raises(HomeofficeError) as info:
        disc.explain("de")
    assert info.value.code == "unknown_language"


def test_a_rest_the_partition_leaves_over_is_named_in_explanations():
    groups = [Group("all", label="Everyone"), Group("a", label="A"), Group("b", label="B")]
    members = {"all": range(20), "a": range(0, 10), "b": range(10, 18)}
    cands = Candidates(groups, members, [Partition("all", ("a", "b"))])
    disc = disclose(cands)
    assert reasons(disc, "b") == ["secondary"]
    assert disc["b"].reasons[0].causes == (Rest("all", 0),)
    assert disc.explain("nb") == [
        "B er skjult slik at resten av Everyone ikke kan regnes ut ved å trekke de viste gruppene fra Everyone."
    ]


# --- open comments ---------------------------------------------------------------------------


def test_open_comments_need_the_higher_minimum():
    tree = {"org": None, "a": "org", "b": "org", "a1": "a", "a2": "a"}
    cands = build_candidates(tree, people({"a1": 12, "a2": 9, "b": 30}))
    disc = disclose(cands)
    assert disc.is_shown(U("a2"))
    assert not disc.comments_shown(U("a2"))  # 9 < 10
    assert [r.code for r in disc[U("a2")].comment_reasons] == ["comments_too_small"]
    assert disc.comments_shown(U("org")) and disc.comments_shown(U("b")) and disc.comments_shown(U("a"))
    # a's list minus a1's list would be a2's 9 people
    assert [r.code for r in disc[U("a1")].comment_reasons] == ["comments_combined"]
    assert comment_leaks(cands, disc, 10) == []
    assert disc.explain("en", comments=True) == [
        "The open comments of a1 are not shown because comparing them with the comments of a would single out "
        "fewer than 10 people.",
        "The open comments of a2 are not shown because it has 9 responses, fewer than 10.",
    ]


def test_comment_lists_that_differ_by_a_few_people_are_withdrawn():
    # a has 6 people of its own beside a1 (14): enough for results, too few for comments
    tree = {"org": None, "a": "org", "b": "org", "a1": "a"}
    cands = build_candidates(tree, people({"a1": 14, "a": 6, "b": 30}))
    disc = disclose(cands)
    assert disc.shown == [U("org"), U("a"), U("a1"), U("b")]
    assert disc.with_comments == [U("org"), U("a"), U("b")]
    assert disc[U("a1")].comment_reasons[0].causes == (U("a"),)
    assert comment_leaks(cands, disc, 10) == []


# --- report to report ------------------------------------------------------------------------


def test_a_report_one_respondent_apart_from_the_last_one_is_refused():
    earlier = np.arange(20)
    one_more = np.arange(21)
    check = check_release(earlier, one_more)
    assert not check.allowed and check.reason == "release_too_close"
    assert (check.added, check.removed) == (1, 0)
    assert check_release(earlier, np.arange(25)).allowed
    assert not check_release(earlier, np.arange(1, 21)).allowed  # one withdrawn, one new
    assert check_release(earlier, earlier).allowed
    assert check_release(np.arange(3), np.arange(4)).reason == "release_too_small"
    assert "cannot be shown yet" in check.explain("en")
    assert "kan ikke vises ennå" in check.explain("nb")


def test_a_live_dashboard_checks_every_earlier_release_of_the_unit():
    tree = {"org": None, "a": "org", "b": "org"}
    now = disclose(build_candidates(tree, people({"a": 21, "b": 30})))
    checks = now.check_releases({U("a"): [np.arange(20)], U("b"): [np.arange(21, 41), np.arange(21, 46)]})
    assert not checks[U("a")].allowed  # one new response since the last release
    assert checks[U("b")].allowed  # b is positions 21..50: 5 more than at its last release
    history = [np.arange(10), np.arange(15)]
    assert not check_release_history(history, np.r_[np.arange(11), 15]).allowed  # close to the first


def open_wave(arrivals: list[tuple[bool, int]], m: int, *, rule_5: bool = True) -> list[set[int]]:
    """A unit's dashboard during an open wave: responses arrive (True) or are withdrawn (False);
    after each, the dashboard shows the new figures if rule 5 allows. Returns what was released."""
    present: set[int] = set()
    released: list[set[int]] = []
    for arrive, who in arrivals:
        if arrive:
            present.add(who)
        else:
            present.discard(who)
        current = np.array(sorted(present), dtype=np.int64)
        history = [np.array(sorted(r), dtype=np.int64) for r in released]
        if not rule_5 or check_release_history(history, current, min_size=m).allowed:
            released.append(set(present))
    return released


def wave_leaks(released: list[set[int]], m: int) -> list[tuple[int, int]]:
    """Two releases whose populations differ by 1..m-1 people (either way)."""
    return [
        (len(a - b), len(b - a))
        for a, b in itertools.combinations(released, 2)
        if 0 < len(a - b) < m or 0 < len(b - a) < m
    ]


@settings(max_examples=60, deadline=None)
@given(
    arrivals=st.lists(st.tuples(st.booleans(), st.integers(0, 40)), min_size=1, max_size=60),
    m=st.sampled_from([3, 5]),
)
def test_wave_to_wave_attacker_never_sees_two_releases_of_a_unit_differ_by_fewer_than_min(arrivals, m):
    assert wave_leaks(open_wave(arrivals, m), m) == []


# --- the attacker on random organisations ----------------------------------------------------


@st.composite
def organisations(draw, max_units: int = 7, max_size: int = 20, max_filters: int = 2):
    """A random unit tree, responses per unit (the org's own too) and up to two filters of 2-3 values."""
    n_units = draw(st.integers(1, max_units))
    tree = {0: None} | {u: draw(st.integers(0, u - 1)) for u in range(1, n_units)}
    sizes = draw(st.lists(st.integers(0, max_size), min_size=n_units, max_size=n_units))
    units = [u for u, k in enumerate(sizes) for _ in range(k)]
    filters = {}
    for f in range(draw(st.integers(0, max_filters))):
        k = draw(st.integers(2, 3))
        values = st.one_of(st.none(), st.integers(0, k - 1)) if draw(st.booleans()) else st.integers(0, k - 1)
        filters[f"f{f}"] = draw(st.lists(values, min_size=len(units), max_size=len(units)))
    return tree, units, filters, draw(st.sampled_from([3, 4, 5]))


ATTACK = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@ATTACK
@given(org=organisations(), cross=st.booleans())
def test_attacker_cannot_single_out_fewer_than_the_minimum(org, cross):
    tree, units, filters, m = org
    cands = build_candidates(tree, units, filters, cross=cross)
    disc = disclose(cands, min_size=m)
    assert attack(cands, disc, m) == []


@ATTACK
@given(org=organisations(max_units=6, max_size=10))
def test_attacker_cannot_single_out_fewer_than_the_minimum_with_differencing_any(org):
    tree, units, filters, m = org
    cands = build_candidates(tree, units, filters)
    disc = disclose(cands, min_size=m, differencing="any")
    assert attack(cands, disc, m, differencing="any") == []


@ATTACK
@given(org=organisations(max_filters=1))
def test_linear_attacker_finds_nothing_in_units_with_organisation_wide_filters(org):
    tree, units, filters, m = org
    cands = build_candidates(tree, units, filters, cross=False)
    disc = disclose(cands, min_size=m)
    assert linear_leaks(cands, disc, m) == []


@ATTACK
@given(org=organisations(max_filters=1))
def test_linear_attacker_finds_nothing_in_a_flat_organisation_crossed_with_one_filter(org):
    tree, units, filters, m = org
    flat = {u: None if u == 0 else 0 for u in tree}  # every unit directly below the organisation
    cands = build_candidates(flat, units, filters)
    disc = disclose(cands, min_size=m)
    assert linear_leaks(cands, disc, m) == []


@ATTACK
@given(org=organisations(max_size=20), cmin=st.sampled_from([5, 10]))
def test_comment_attacker_cannot_isolate_fewer_than_the_comment_minimum(org, cmin):
    tree, units, filters, m = org
    cands = build_candidates(tree, units, filters)
    disc = disclose(cands, min_size=m, comment_min=cmin)
    assert set(disc.with_comments) <= set(disc.shown)
    assert comment_leaks(cands, disc, cmin) == []
    every_kind = disclose(cands, min_size=m, comment_min=cmin, comment_kinds=("unit", "filter", "unit_filter"))
    assert comment_leaks(cands, every_kind, cmin) == []


SEEDED_TREE = {"org": None, "s": "org", "d": "org", "s1": "s", "s2": "s", "s3": "s", "d1": "d", "d2": "d"}
SEEDED_TREE |= {"d21": "d2", "d22": "d2"}


@pytest.mark.parametrize("seed", range(8))
def test_attacker_tries_every_filter_combination_and_subtraction_on_a_seeded_organisation(seed):
    """160 responses in 10 units on 3 levels, two filters crossed with every unit (issue 4's seeded attacker)."""
    rng = np.random.default_rng(seed)
    units = list(rng.choice(list(SEEDED_TREE), size=160, p=[0.02, 0.04, 0.04, 0.2, 0.15, 0.03, 0.2, 0.02, 0.15, 0.15]))
    filters = {
        "age": list(rng.choice(["<30", "30-49", "50+", None], 160, p=[0.3, 0.4, 0.27, 0.03])),
        "remote": list(rng.choice(["mostly", "some", "never"], 160, p=[0.5, 0.4, 0.1])),
    }
    cands = build_candidates(SEEDED_TREE, units, filters)
    disc = disclose(cands)
    assert len(disc.shown) > 20
    assert attack(cands, disc, 5) == []
    assert comment_leaks(cands, disc, 10) == []


# --- the attackers bite when a rule is switched off ------------------------------------------


def test_with_secondary_suppression_off_the_attacker_subtracts_three_teams(monkeypatch):
    # org minus a, b and c is d: four groups, beyond the three-group check
    tree = {"org": None, "a": "org", "b": "org", "c": "org", "d": "org"}
    cands = build_candidates(tree, people({"a": 10, "b": 11, "c": 12, "d": 3}))
    assert attack(cands, disclose(cands), 5) == []
    monkeypatch.setattr(engine_module.Engine, "secondary", lambda self: self.analyse())
    assert "minus (GroupKey(unit='a'" in " ".join(attack(cands, disclose(cands), 5))


def test_with_the_minimum_off_the_attacker_finds_the_small_group(monkeypatch):
    original = engine_module.Engine.__init__

    def lax(self, c, min_size, differencing):
        original(self, c, min_size, differencing)
        self.shown = [g < self.n_groups and c.groups[g].reportable and k > 0 for g, k in enumerate(self.mass)]

    monkeypatch.setattr(engine_module.Engine, "__init__", lax)
    monkeypatch.setattr(engine_module.Engine, "secondary", lambda self: self.analyse())
    cands = build_candidates(DEMO, people(DEMO_SIZES))
    assert "shown GroupKey(unit='Kundesenter', filter=None, value=None, own=False)" in attack(cands, disclose(cands), 5)


def test_with_rule_4_off_the_attacker_subtracts_one_group_from_another(monkeypatch):
    cands = Candidates([Group("cell"), Group("team")], {"cell": range(9), "team": range(7)})
    disc = disclose(cands)
    assert reasons(disc, "team") == ["overlap"] and attack(cands, disc, 5) == []
    monkeypatch.setattr(engine_module.Engine, "find_pairs", lambda self: [])
    assert "cell minus team" in attack(cands, disclose(cands), 5)


def test_with_triples_off_the_attacker_subtracts_two_groups_from_a_third(monkeypatch):
    groups = [Group("cell"), Group("a"), Group("b")]
    cands = Candidates(groups, {"cell": range(15), "a": range(6), "b": range(6, 13)})
    disc = disclose(cands)
    assert reasons(disc, "a") == ["combination"] and attack(cands, disc, 5) == []
    monkeypatch.setattr(engine_module.Engine, "find_triples", lambda self: [])
    assert any(leak.startswith("combination") for leak in attack(cands, disclose(cands), 5))


def test_with_the_table_check_off_the_linear_attacker_finds_two_people(monkeypatch):
    monkeypatch.setattr(engine_module.Engine, "tables", lambda self, todo: (False, []))
    tree = {0: None, 1: 0, 2: 1, 3: 0, 4: 1, 5: 2, 6: 3, 7: 0}
    units = [4, 7, 1, 7, 6, 4, 1, 0, 5, 7, 5, 4, 3, 6, 6, 2, 5, 1, 7, 4, 7, 5, 3, 5, 6, 5, 2, 7, 5, 4, 2, 3, 2]
    f0 = [0, 0, 0, 1, 0, 1, None, 0, None, 0, 1, 0, 0, 0, 0, 1, 1, 0, None, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]
    cands = build_candidates(tree, units, {"f0": f0})
    assert linear_leaks(cands, disclose(cands, min_size=3), 3)


def test_with_comment_atoms_off_the_comment_attacker_finds_the_few_people(monkeypatch):
    def no_atoms(c, shown, comment_min, kinds):
        ok = [s and c.n[g] >= comment_min and c.groups[g].kind in kinds for g, s in enumerate(shown)]
        return ok, [[] for _ in shown]

    monkeypatch.setattr("homeoffice.anonymity.rules.comments", no_atoms)
    tree = {"org": None, "a": "org", "b": "org", "a1": "a"}
    cands = build_candidates(tree, people({"a1": 14, "a": 6, "b": 30}))
    assert comment_leaks(cands, disclose(cands), 10)


def test_with_rule_5_off_the_wave_attacker_sees_one_respondent_arrive():
    arrivals = [(True, k) for k in range(21)]  # the same unit at two moments, one response apart
    assert (0, 1) in wave_leaks(open_wave(arrivals, 5, rule_5=False), 5)
    assert wave_leaks(open_wave(arrivals, 5), 5) == []
