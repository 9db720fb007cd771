"""Which candidate groups may be reported, and why the others are hidden (issue 4, point 2).

The reader of a dashboard, chart, export or API answer knows the results (sums, means, shares,
distributions) of every shown group and the response count of every group. The rules make sure
that no set of 1 to ``min_size - 1`` respondents can be worked out from them, directly or by
difference:

1. **too_small** (primary): a group with 1 to ``min_size - 1`` respondents is hidden. A group with
   no respondents is *empty*: it has no results, but hides nothing.
2. **complement**: a part of a partition is hidden when its parent without it keeps 1 to
   ``min_size - 1`` respondents.
3. **secondary**: a reader solves partitions (parent = parts + rest) and two-way tables (a unit's
   sub-units and direct members crossed with a filter) with what is shown. No group, rest or set of
   table cells they can compute may hold 1 to ``min_size - 1`` respondents, and in every partition
   of a group they can compute, what its parts do not cover (hidden parts, the rest, followed down
   through hidden parts to *their* shown parts) must be 0 or at least ``min_size``. Otherwise the
   smallest shown group used is hidden (parts before totals, the nearest first).
4. **overlap** and **combination** (differencing): for two computable groups one inside the other,
   and for three (X minus two disjoint groups inside it; two disjoint groups minus one inside their
   union; X minus (Y minus Z)), the difference must be 0 or at least ``min_size``; otherwise the
   most specific shown group is hidden. These catch what the data make, not the structure: a small
   unit whose people all gave one answer nearly equals a filter cell. With ``differencing="any"``
   any two overlapping shown groups must also differ by 0 or at least ``min_size`` each way.
5. **report to report**: :func:`check_release` and :func:`check_release_history` compare a new
   report of a group with the ones released before (an open wave's dashboard, an earlier export):
   the new and the missing respondents must each number 0 or at least ``min_size``, so live figures
   move in steps of at least ``min_size``.

Rules 2-4 repeat until nothing changes (:mod:`homeoffice.anonymity.engine`). The organisation (the
group holding everyone) is never hidden while it has at least ``min_size`` respondents.

Open comments are records, not aggregates: whoever sees two comment lists can intersect or subtract
them. A group's comments are listed only if its results are shown, it has at least ``comment_min``
respondents, and every set of people the shown lists separate (their Boolean atoms) holds 0 or at
least ``comment_min`` (reason comments_combined otherwise). By default only units list comments.

Only counts may be displayed for hidden groups: response counts are not answers.

Known limit: a reader who combines four or more groups across several levels of the unit tree and
filters can, in rare data, solve for a few people (tests/test_anonymity.py measures it). Sources:
issue 4 point 2; shared/design/product.md ("anonymity rules").
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from homeoffice.anonymity.candidates import Candidates, Label, label_text
from homeoffice.anonymity.engine import Engine, Reason, Rest, comments
from homeoffice.anonymity.texts import check_lang, join, say
from homeoffice.errors import HomeofficeError

DEFAULT_MIN_SIZE = 5
DEFAULT_COMMENT_MIN = 10
FLOOR = 3
DIFFERENCING = ("contained", "any")
SHOWN, HIDDEN, EMPTY = "shown", "hidden", "empty"


@dataclass(frozen=True)
class GroupDecision:
    """One candidate group: its status (shown, hidden, empty), ``n`` and the reasons it is hidden.

    ``n`` is the only figure of a hidden group that may be displayed (response counts are not
    answers). ``comments`` tells whether its open comments may be shown.
    """

    key: Hashable
    kind: str
    label: Label
    n: int
    status: str
    reasons: tuple[Reason, ...] = ()
    comments: bool = False
    comment_reasons: tuple[Reason, ...] = ()

    @property
    def shown(self) -> bool:
        return self.status == SHOWN


def _setting_error(message: str, **params: object) -> HomeofficeError:
    return HomeofficeError("invalid_anonymity_setting", message, params=params)


def _whole(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def check_min_size(min_size: int) -> None:
    """Refuse a minimum group size under 3 (issue 4: "never below 3")."""
    if not _whole(min_size) or min_size < FLOOR:
        raise _setting_error(
            "the minimum group size must be a whole number of at least %(floor)s; got %(value)s",
            floor=FLOOR,
            value=min_size,
        )


def check_min_size_change(current: int, new: int, *, opened: bool) -> None:
    """Refuse a new minimum group size under 3, or lower than the current one once the wave has opened.

    Issue 4: the minimum "can only be raised once the wave has opened" - lowering it would show
    groups that readers saw hidden before, and the difference could give people away.
    """
    check_min_size(new)
    if opened and new < current:
        raise _setting_error(
            "the wave has opened, so its minimum group size can only be raised (now %(current)s); got %(value)s",
            current=current,
            value=new,
        )


def check_settings(min_size: int, comment_min: int, differencing: str = "contained") -> None:
    """Refuse a minimum under 3, a comment minimum under the minimum, an unknown differencing mode."""
    check_min_size(min_size)
    if not _whole(comment_min) or comment_min < min_size:
        raise _setting_error(
            "the minimum for open comments must be a whole number of at least the minimum group size "
            "(%(min)s); got %(value)s",
            min=min_size,
            value=comment_min,
        )
    if differencing not in DIFFERENCING:
        raise _setting_error(
            "unknown differencing rule '%(value)s'; use one of %(known)s",
            value=differencing,
            known=", ".join(DIFFERENCING),
        )


@dataclass(frozen=True)
class ReleaseCheck:
    """May a new report of a group be released after an earlier one (rule 5)?

    ``added``/``removed``: respondents in the new report but not the earlier one, and the reverse;
    each must be 0 or at least ``min_size``, and the new report needs 0 or at least ``min_size``
    respondents. ``reason``: release_ok, release_too_small or release_too_close.
    """

    allowed: bool
    reason: str
    n: int
    added: int
    removed: int
    min_size: int
    label: Label = ""

    def explain(self, lang: str = "en") -> str:
        """One sentence in nb or en."""
        return say(
            self.reason,
            lang,
            group=label_text(self.label, lang) or "?",
            n=self.n,
            added=self.added,
            removed=self.removed,
            min=self.min_size,
        )


def check_release(
    previous: Sequence[int] | np.ndarray,
    current: Sequence[int] | np.ndarray,
    *,
    min_size: int = DEFAULT_MIN_SIZE,
    label: Label = "",
) -> ReleaseCheck:
    """Whether ``current`` (respondent positions) may be released after ``previous`` of the same group.

    Rule 5 of issue 4: "no two reports whose populations differ by fewer than the minimum". An open
    wave's dashboard that gained one response since it was last shown must keep showing the old
    figures until ``min_size`` new responses have come in.
    """
    check_min_size(min_size)
    prev = np.unique(np.asarray(previous, dtype=np.int64))
    cur = np.unique(np.asarray(current, dtype=np.int64))
    both = np.intersect1d(prev, cur, assume_unique=True).size
    added, removed, n = int(cur.size - both), int(prev.size - both), int(cur.size)

    def ok(k: int) -> bool:
        return k == 0 or k >= min_size

    if not ok(n):
        reason = "release_too_small"
    elif not (ok(added) and ok(removed)):
        reason = "release_too_close"
    else:
        reason = "release_ok"
    return ReleaseCheck(reason == "release_ok", reason, n, added, removed, min_size, label)


def check_release_history(
    history: Iterable[Sequence[int] | np.ndarray],
    current: Sequence[int] | np.ndarray,
    *,
    min_size: int = DEFAULT_MIN_SIZE,
    label: Label = "",
) -> ReleaseCheck:
    """:func:`check_release` against every earlier release of the group: the first refusal, else the last check.

    Checking only the last release is not enough: a report could creep back towards an older one
    (five new responses, then four of them withdrawn with one older one).
    """
    result = check_release([], current, min_size=min_size, label=label)
    for previous in history:
        result = check_release(previous, current, min_size=min_size, label=label)
        if not result.allowed:
            return result
    return result


@dataclass
class Disclosure:
    """The outcome of :func:`disclose`: for every candidate group shown, hidden or empty, and why.

    Iterate for the decisions in candidate order; ``disclosure[key]`` gives one. Counts (``n``) are
    the only thing about a hidden group that may be displayed: response counts are not answers.
    """

    decisions: tuple[GroupDecision, ...]
    min_size: int
    comment_min: int
    differencing: str
    _candidates: Candidates = field(repr=False)
    _index: dict[Hashable, int] = field(repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._index = {d.key: i for i, d in enumerate(self.decisions)}

    def __getitem__(self, key: Hashable) -> GroupDecision:
        return self.decisions[self._index[key]]

    def __iter__(self) -> Iterator[GroupDecision]:
        return iter(self.decisions)

    def __len__(self) -> int:
        return len(self.decisions)

    def is_shown(self, key: Hashable) -> bool:
        """Whether the results of group ``key`` may be shown (never for a structural group)."""
        if key not in self._index and key in self._candidates:
            return False
        return self[key].status == SHOWN

    def comments_shown(self, key: Hashable) -> bool:
        """Whether the open comments of group ``key`` may be shown (never for a structural group)."""
        if key not in self._index and key in self._candidates:
            return False
        return self[key].comments

    def keys(self, status: str) -> list[Hashable]:
        """Keys with this status (shown, hidden or empty), in candidate order."""
        return [d.key for d in self.decisions if d.status == status]

    @property
    def shown(self) -> list[Hashable]:
        return self.keys(SHOWN)

    @property
    def hidden(self) -> list[Hashable]:
        return self.keys(HIDDEN)

    @property
    def empty(self) -> list[Hashable]:
        return self.keys(EMPTY)

    @property
    def with_comments(self) -> list[Hashable]:
        """Keys of the groups whose open comments may be shown, in candidate order."""
        return [d.key for d in self.decisions if d.comments]

    def label(self, key: Hashable, lang: str = "en") -> str:
        """The label of a group key, or of a :class:`Rest` cause, in nb or en."""
        c = self._candidates
        if isinstance(key, Rest):
            text = label_text(c.partitions[key.partition].rest_label, lang)
            return text or say("rest_of", lang, group=self.label(key.parent, lang))
        return c.groups[c.index[key]].text(lang)

    def sentence(self, key: Hashable, lang: str = "en", *, comments: bool = False) -> str:
        """Why group ``key`` (or its comments) is hidden, in one nb or en sentence ('' if it is not)."""
        check_lang(lang)
        d = self[key]
        reasons = d.comment_reasons if comments else d.reasons
        if not reasons:
            return ""
        r = reasons[0]
        params: dict[str, object] = {"group": self.label(key, lang)}
        params |= {"n": d.n, "min": self.min_size, "cmin": self.comment_min}
        if r.code == "complement":
            params |= {"parent": self.label(r.via, lang), "rest": r.count}
        elif r.code in ("overlap", "comments_combined"):
            params |= {"other": self.label(r.causes[0], lang), "diff": r.count}
        elif r.code == "combination":
            params |= {"others": join([self.label(k, lang) for k in r.causes], lang), "diff": r.count}
        elif r.code == "secondary":
            names = [self.label(k, lang) for k in r.causes]
            params |= {"parent": self.label(r.via, lang), "protected": join(names, lang)}
        return say(r.code, lang, **params)

    def explain(self, lang: str = "en", *, comments: bool = False) -> list[str]:
        """One sentence per hidden group (candidate order), for HR's "what is hidden and why" page.

        With ``comments=True``: one sentence per shown group whose open comments are withheld.
        """
        check_lang(lang)
        if comments:
            return [self.sentence(d.key, lang, comments=True) for d in self.decisions if d.comment_reasons]
        return [self.sentence(d.key, lang) for d in self.decisions if d.status == HIDDEN]

    def check_releases(
        self, history: Mapping[Hashable, Sequence[Sequence[int] | np.ndarray]]
    ) -> dict[Hashable, ReleaseCheck]:
        """Rule 5 for every shown group released before: key -> :class:`ReleaseCheck`.

        ``history`` maps a group key to the respondent positions of each of its earlier released
        reports (the same unit earlier in an open wave, an earlier export). A refused group keeps
        showing its last released figures, or nothing.
        """
        out = {}
        for key, releases in history.items():
            if self.is_shown(key):
                label = self._candidates.groups[self._candidates.index[key]].label
                current = self._candidates.members(key)
                out[key] = check_release_history(releases, current, min_size=self.min_size, label=label)
        return out


def disclose(
    candidates: Candidates,
    *,
    min_size: int = DEFAULT_MIN_SIZE,
    comment_min: int = DEFAULT_COMMENT_MIN,
    differencing: str = "contained",
    comment_kinds: Sequence[str] = ("unit",),
) -> Disclosure:
    """Decide, for every candidate group, whether its results and its open comments may be shown.

    ``min_size``: the wave's minimum group size (default 5; under 3 is refused). ``comment_min``:
    the minimum for open comments (default 10, never under ``min_size``). ``differencing``:
    "contained" checks rule 4 for groups inside one another; "any" also for partly overlapping
    ones. ``comment_kinds``: the kinds of group whose open comments may be listed (default units
    only: comment lists of filter cells would let a reader intersect them with a unit's).

    Returns a :class:`Disclosure`; deterministic: the same candidates give the same decisions.
    Rules and their order: see the module docstring (issue 4, point 2).
    """
    check_settings(min_size, comment_min, differencing)
    engine = Engine(candidates, int(min_size), differencing)
    engine.run()
    shown = engine.shown[: engine.n_groups]
    visible, why_not = comments(candidates, shown, int(comment_min), frozenset(comment_kinds))
    decisions = []
    for g, grp in enumerate(candidates.groups):
        if not grp.reportable:
            continue
        k = engine.mass[g]
        status = SHOWN if shown[g] else (EMPTY if k == 0 else HIDDEN)
        decisions.append(
            GroupDecision(
                key=grp.key,
                kind=grp.kind,
                label=grp.label,
                n=k,
                status=status,
                reasons=tuple(engine.reasons[g]) if status == HIDDEN else (),
                comments=bool(visible[g]),
                comment_reasons=tuple(why_not[g]) if status == SHOWN and not visible[g] else (),
            )
        )
    return Disclosure(tuple(decisions), int(min_size), int(comment_min), differencing, candidates)
