"""Answer texts and numbers -> response codes, one distinct value at a time.

Survey tools export either codes ("4") or the answer text ("I stor grad", "To a large extent").
Each column gets a :class:`Coder` that knows the response set's labels in nb and en, its
not-applicable labels and codes, and the extra labels of a column mapping. Readers call it once
per distinct value of a column, never per cell.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from homeoffice.instruments import Instrument
from homeoffice.instruments.schema import ResponseSet
from homeoffice.io.mapping import ColumnMapping, norm

_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
NA = math.nan
_AMBIGUOUS = -math.inf  # a text that means two codes; never a valid code


def parse_number(text: str) -> float | None:
    """``"4"``, ``"4.5"`` or ``"4,5"`` (decimal comma) -> float; anything else -> None."""
    t = text.strip()
    if _NUMBER.match(t):
        return float(t.replace(",", "."))
    return None


@dataclass(frozen=True)
class Coder:
    """Codes for one column: its range, not-applicable codes and known answer texts.

    ``lookup`` maps normalised texts to codes: a not-applicable text gives its not-applicable
    code (readers record it and then read it as missing); NaN is a mapping's ``null``. ``whole``
    is False for scale-level input, whose values are means and may lie between codes.
    """

    target: str
    low: float
    high: float
    na_codes: tuple[float, ...] = ()
    lookup: dict[str, float] = field(default_factory=dict)
    whole: bool = True
    answers: str = ""  # "1 = Svært lite / Very little; 2 = ..." for messages

    def code(self, text: str) -> float | None:
        """The code of one distinct cell text; NaN for empty; None if unknown."""
        key = norm(text)
        if not key:
            return NA
        if key in self.lookup:
            value = self.lookup[key]
            return None if value == _AMBIGUOUS else value
        return parse_number(key)

    def expected(self, *, with_texts: bool = False) -> str:
        """What a cell may hold, for messages; ``with_texts`` lists the answer texts too."""
        low, high = _fmt(self.low), _fmt(self.high)
        what = f"a whole number from {low} to {high}" if self.whole else f"a number from {low} to {high}"
        if self.na_codes:
            what += " or " + ", ".join(_fmt(c) for c in self.na_codes) + " (not applicable)"
        if self.lookup:
            what += (
                f" or one of its answer texts ({self.answers})" if with_texts and self.answers else " or an answer text"
            )
        return what


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _add(lookup: dict[str, float], text: str, code: float, override: bool) -> None:
    key = norm(text)
    if not key:
        return
    if override or key not in lookup:
        lookup[key] = code
    elif not _same(lookup[key], code):
        lookup[key] = _AMBIGUOUS


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


def _set_lookup(rs: ResponseSet) -> dict[str, float]:
    lookup: dict[str, float] = {}
    for code, text in rs.labels.items():
        for label in (text.nb, text.en):
            _add(lookup, label, float(code), override=False)
    for code, text in rs.na_codes.items():  # kept as the code; readers record it, then read it as missing
        for label in (text.nb, text.en):
            _add(lookup, label, float(code), override=False)
    return lookup


def _mapping_code(mapping: ColumnMapping, owner: str, label: str, code: int | None, rs: ResponseSet) -> float:
    if code is None:
        return NA
    if not (rs.min <= code <= rs.max or code in rs.na_codes):
        raise mapping.fail(
            f"labels.{owner}.{label}",
            "code %(code)s lies outside %(low)s..%(high)s and is no not-applicable code",
            code=code,
            low=rs.min,
            high=rs.max,
        )
    return float(code)  # a not-applicable code stays a code until the reader records it


def check_mapping_labels(instrument: Instrument, mapping: ColumnMapping) -> None:
    """Every ``labels`` key must be a response set or item id; every code must fit."""
    spec = instrument.spec
    for owner, pairs in mapping.labels.items():
        if owner in instrument.items_by_id:
            rs = instrument.response_set(instrument.items_by_id[owner])
        elif owner in spec.response_sets:
            rs = spec.response_sets[owner]
        else:
            raise mapping.fail(
                f"labels.{owner}",
                "'%(owner)s' is neither an item nor a response set of instrument %(instrument)s",
                owner=owner,
                instrument=instrument.id,
            )
        for label, code in pairs.items():
            _mapping_code(mapping, owner, label, code, rs)


def item_coder(instrument: Instrument, item_id: str, mapping: ColumnMapping | None) -> Coder:
    """The coder of a scored or context item: its response set plus mapping labels."""
    item = instrument.items_by_id[item_id]
    rs = instrument.response_set(item)
    lookup = _set_lookup(rs)
    if mapping is not None:
        for owner in (item.response_set, item.id):  # the item's own entries win
            for label, code in mapping.labels.get(owner, {}).items():
                _add(lookup, label, _mapping_code(mapping, owner, label, code, rs), override=True)
    shown = [f"{c} = {t.nb} / {t.en}" for c, t in sorted(rs.labels.items())]
    shown += [f"{t.nb} / {t.en} (not applicable)" for t in rs.na_codes.values()]
    return Coder(
        target=item_id,
        low=float(rs.min),
        high=float(rs.max),
        na_codes=tuple(float(c) for c in rs.na_codes),
        lookup=lookup,
        answers="; ".join(shown),
    )


def scale_coder(instrument: Instrument, scale_id: str) -> Coder:
    """The coder of a scale-level column: numbers within the scale's response range.

    The range spans the response sets of the scale's items; a scale without items uses
    the range of all the instrument's response sets.
    """
    sets = [instrument.response_set(i) for i in instrument.items_of(scale_id)]
    if not sets:
        sets = list(instrument.spec.response_sets.values())
    return Coder(
        target=scale_id,
        low=float(min(r.min for r in sets)),
        high=float(max(r.max for r in sets)),
        whole=False,
    )
