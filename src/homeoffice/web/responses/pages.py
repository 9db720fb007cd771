"""Split an instrument into the short pages of the web survey (issue 3, point 4).

The rule, in file order of the instrument's items:

- A run of consecutive context items (items without a scale) gets its own page(s), at most
  ``MAX_ITEMS`` items each.
- Scale items are packed whole scale by whole scale: the next scale joins the current page while
  the page stays at ``MAX_ITEMS`` items or fewer; otherwise it starts a new page. A scale that is
  longer than ``MAX_ITEMS`` by itself is cut into near-equal chunks. Scales are never mixed with
  context items on one page. With the 3-5 item scales of the standard instrument this gives pages
  of 5-8 items (the last scale page can be shorter).
- All open questions come last, on one page of their own.

Pages are numbered from 1. The plan depends only on the instrument, so a saved page number keeps
pointing at the same questions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Literal

from homeoffice.instruments import Instrument, load_instrument
from homeoffice.instruments.schema import Item

MAX_ITEMS = 8

PageKind = Literal["context", "scales", "open"]


@dataclass(frozen=True)
class Page:
    """One page of the questionnaire: closed items (ids) or open questions (ids)."""

    number: int
    kind: PageKind
    item_ids: tuple[str, ...] = ()
    open_ids: tuple[str, ...] = ()

    @property
    def size(self) -> int:
        return len(self.item_ids) + len(self.open_ids)


def _chunks(ids: list[str], limit: int) -> list[list[str]]:
    """``ids`` cut into the fewest chunks of at most ``limit``, as equal in size as possible."""
    n = math.ceil(len(ids) / limit)
    size, extra = divmod(len(ids), n)
    out, start = [], 0
    for k in range(n):
        end = start + size + (1 if k < extra else 0)
        out.append(ids[start:end])
        start = end
    return out


def _runs(items: list[Item]) -> list[tuple[str | None, list[str]]]:
    """Consecutive items grouped by scale (None for context items)."""
    runs: list[tuple[str | None, list[str]]] = []
    for item in items:
        if runs and runs[-1][0] == item.scale:
            runs[-1][1].append(item.id)
        else:
            runs.append((item.scale, [item.id]))
    return runs


def page_plan(instrument: Instrument, *, max_items: int = MAX_ITEMS) -> list[Page]:
    """The pages of ``instrument``, in order (see the module docstring for the rule)."""
    groups: list[tuple[PageKind, list[str]]] = []
    current: list[str] = []

    def flush() -> None:
        nonlocal current
        if current:
            groups.append(("scales", current))
            current = []

    for scale, ids in _runs(instrument.spec.items):
        if scale is None:
            flush()
            groups.extend(("context", chunk) for chunk in _chunks(ids, max_items))
            continue
        if len(ids) > max_items:
            flush()
            groups.extend(("scales", chunk) for chunk in _chunks(ids, max_items))
            continue
        if len(current) + len(ids) > max_items:
            flush()
        current = current + ids
    flush()

    pages = [Page(number=n, kind=kind, item_ids=tuple(ids)) for n, (kind, ids) in enumerate(groups, start=1)]
    open_ids = tuple(q.id for q in instrument.spec.open_questions)
    if open_ids:
        pages.append(Page(number=len(pages) + 1, kind="open", open_ids=open_ids))
    return pages


@cache
def plan_for(instrument_id: str) -> tuple[Instrument, tuple[Page, ...]]:
    """The instrument and its page plan, loaded once per process."""
    instrument = load_instrument(instrument_id)
    return instrument, tuple(page_plan(instrument))
