"""Anonymity rules for every result a view, chart, export or API call shows (issue 4, point 2).

One place decides which groups may be reported: build the candidate groups (units, filter cells,
unit x filter cells and the partitions between them), then :func:`disclose` them::

    cands = build_candidates(unit_parent, respondent_unit, {"age": ages})
    disc = disclose(cands, min_size=wave.min_group_size)
    disc.is_shown(GroupKey("sales"))           # results of the Sales unit
    disc.explain("nb")                          # HR's "what is hidden and why"

The rules (too_small, complement, secondary, overlap, report to report, and the higher minimum for
open comments) are described in :mod:`homeoffice.anonymity.rules`. Pure Python and numpy: no web,
no database, no answers - only who belongs to which group. Counts are the only thing about a hidden
group that may be displayed: response counts are not answers.
"""

from homeoffice.anonymity.candidates import (
    Candidates,
    Group,
    GroupKey,
    Label,
    Partition,
    Table,
    build_candidates,
    label_text,
)
from homeoffice.anonymity.engine import Rest
from homeoffice.anonymity.rules import (
    DEFAULT_COMMENT_MIN,
    DEFAULT_MIN_SIZE,
    DIFFERENCING,
    EMPTY,
    HIDDEN,
    SHOWN,
    Disclosure,
    GroupDecision,
    Reason,
    ReleaseCheck,
    check_min_size,
    check_min_size_change,
    check_release,
    check_release_history,
    check_settings,
    disclose,
)
from homeoffice.anonymity.texts import builtin_texts, load_texts

__all__ = [
    "DEFAULT_COMMENT_MIN",
    "DEFAULT_MIN_SIZE",
    "DIFFERENCING",
    "EMPTY",
    "HIDDEN",
    "SHOWN",
    "Candidates",
    "Disclosure",
    "Group",
    "GroupDecision",
    "GroupKey",
    "Label",
    "Partition",
    "Reason",
    "ReleaseCheck",
    "Rest",
    "Table",
    "build_candidates",
    "builtin_texts",
    "check_min_size",
    "check_min_size_change",
    "check_release",
    "check_release_history",
    "check_settings",
    "disclose",
    "label_text",
    "load_texts",
]
