"""Load and validate instrument files; the built-in ones live in ``data/``.

Errors name the file, the key path (``items[3].scale``) or item id, and the problem.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
from pydantic import ValidationError

from homeoffice.datafiles import load_yaml
from homeoffice.errors import InstrumentError, Where
from homeoffice.instruments.schema import (
    InstrumentSpec,
    Item,
    ResponseSet,
    Scale,
)

_DATA = "homeoffice.instruments"


@dataclass(frozen=True)
class Instrument:
    """A validated instrument with lookups the scoring code needs."""

    spec: InstrumentSpec
    path: str
    items_by_id: dict[str, Item] = field(repr=False)
    scales_by_id: dict[str, Scale] = field(repr=False)

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def version(self) -> str:
        return self.spec.version

    @property
    def scored_items(self) -> list[Item]:
        return [i for i in self.spec.items if i.scale]

    @property
    def context_items(self) -> list[Item]:
        return [i for i in self.spec.items if not i.scale]

    def response_set(self, item: Item) -> ResponseSet:
        return self.spec.response_sets[item.response_set]

    def items_of(self, scale_id: str) -> list[Item]:
        return [i for i in self.spec.items if i.scale == scale_id]

    def direction(self, score_id: str) -> str:
        """Direction of a scale or composite: resource, risk or neutral."""
        if score_id in self.scales_by_id:
            return self.scales_by_id[score_id].direction
        for c in self.spec.composites:
            if c.id == score_id:
                return c.direction
        raise KeyError(score_id)

    def name(self, score_id: str, lang: str = "en") -> str:
        """Display name of a scale or composite."""
        if score_id in self.scales_by_id:
            return self.scales_by_id[score_id].name.get(lang)
        for c in self.spec.composites:
            if c.id == score_id:
                return c.name.get(lang)
        return score_id

    @property
    def score_ids(self) -> list[str]:
        """Scales then composites, in file order: the score columns of a result."""
        return [s.id for s in self.spec.scales] + [c.id for c in self.spec.composites]

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Per scored item: (min, max) code arrays, in ``scored_items`` order."""
        rs = [self.response_set(i) for i in self.scored_items]
        return (np.array([r.min for r in rs], dtype=float), np.array([r.max for r in rs], dtype=float))


def _fail(path: str, key: str, message: str, code: str = "invalid_instrument", **params: object) -> InstrumentError:
    item = key.split("(id ", 1)[1].split(")", 1)[0] if "(id " in key else None
    return InstrumentError(code, message, params=params, where=Where(file=path, key=key, item=item))


def _key_path(loc: tuple, data: dict) -> str:
    """Turn a pydantic location into ``items[3] (id DC3).text.nb``."""
    out = ""
    node: object = data
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            if isinstance(node, list) and part < len(node):
                node = node[part]
                if isinstance(node, dict) and "id" in node:
                    out += f" (id {node['id']})"
            else:
                node = None
        else:
            out += ("." if out else "") + str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out or "(top)"


def instrument_from_dict(data: object, path: str = "<memory>") -> Instrument:
    """Validate a parsed instrument file and check its cross-references."""
    if not isinstance(data, dict):
        raise _fail(path, "(top)", "the file must hold a mapping (key: value) at the top level")
    try:
        spec = InstrumentSpec.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = _key_path(err["loc"], data)
        if len(exc.errors()) > 1:
            raise _fail(
                path, key, "%(problem)s (and %(more)s more problems)", problem=err["msg"], more=len(exc.errors()) - 1
            ) from None
        raise _fail(path, key, "%(problem)s", problem=err["msg"]) from None
    _check_references(spec, path)
    return Instrument(
        spec=spec,
        path=path,
        items_by_id={i.id: i for i in spec.items},
        scales_by_id={s.id: s for s in spec.scales},
    )


def _check_references(spec: InstrumentSpec, path: str) -> None:
    ids = (
        [i.id for i in spec.items]
        + [s.id for s in spec.scales]
        + [c.id for c in spec.composites]
        + [q.id for q in spec.open_questions]
    )
    dup = [k for k, n in Counter(ids).items() if n > 1]
    if dup:
        raise _fail(path, dup[0], "the id '%(id)s' is used more than once", "duplicate_id", id=dup[0])
    scales = {s.id for s in spec.scales}
    for n, item in enumerate(spec.items):
        key = f"items[{n}] (id {item.id})"
        if item.response_set not in spec.response_sets:
            raise _fail(
                path,
                key + ".response_set",
                "unknown response set '%(name)s'; known: %(known)s",
                "unknown_response_set",
                name=item.response_set,
                known=", ".join(spec.response_sets),
            )
        if item.scale is not None and item.scale not in scales:
            raise _fail(path, key + ".scale", "unknown scale '%(name)s'", "unknown_scale", name=item.scale)
        if item.reverse and item.scale is None:
            raise _fail(path, key + ".reverse", "only items that belong to a scale can be reverse-keyed")
    for s in spec.scales:
        if not any(i.scale == s.id for i in spec.items) and not spec.scoring.accepts_scale_input:
            raise _fail(path, f"scales (id {s.id})", "the scale has no items", "empty_scale")
    known = set(scales)
    for n, c in enumerate(spec.composites):
        for part in c.of:
            if part not in known:
                raise _fail(
                    path, f"composites[{n}] (id {c.id}).of", "unknown scale '%(name)s'", "unknown_scale", name=part
                )
        known.add(c.id)
    prof = spec.scoring
    for role in ("demands", "control", "support"):
        ref = getattr(prof, role)
        if ref not in known:
            raise _fail(path, f"scoring.{role}", "unknown scale or composite '%(name)s'", "unknown_scale", name=ref)
    for role in ("pwe", "productivity"):
        for ref in getattr(prof, role):
            if ref not in known:
                raise _fail(path, f"scoring.{role}", "unknown scale or composite '%(name)s'", "unknown_scale", name=ref)
    if prof.negative_acts is not None:
        na = prof.negative_acts
        if na.scale not in scales:
            raise _fail(path, "scoring.negative_acts.scale", "unknown scale '%(name)s'", "unknown_scale", name=na.scale)
        for item in spec.items:
            if item.scale == na.scale:
                rs = spec.response_sets[item.response_set]
                if not rs.min <= na.frequent_at <= rs.max:
                    raise _fail(
                        path,
                        "scoring.negative_acts.frequent_at",
                        "%(value)s lies outside item %(item)s's codes %(low)s..%(high)s",
                        value=na.frequent_at,
                        item=item.id,
                        low=rs.min,
                        high=rs.max,
                    )


def load_instrument_file(path: str | Path) -> Instrument:
    """Read and validate an instrument YAML file."""
    p = Path(path)
    return instrument_from_dict(load_yaml(p, InstrumentError, what="instrument file"), str(p))


def builtin_ids() -> list[str]:
    """Ids of the instruments shipped with the package."""
    return list(_builtin_ids())


@cache
def _builtin_ids() -> tuple[str, ...]:
    files = resources.files(_DATA).joinpath("data").iterdir()
    return tuple(sorted(f.name.removesuffix(".yaml") for f in files if f.name.endswith(".yaml")))


@cache
def _load_builtin(instrument_id: str) -> Instrument:
    ref = resources.files(_DATA).joinpath("data", f"{instrument_id}.yaml")
    with resources.as_file(ref) as p:
        return load_instrument_file(p)


def load_instrument(id_or_path: str | Path) -> Instrument:
    """A built-in instrument by id, or an instrument file by path."""
    name = str(id_or_path)
    if name in builtin_ids():
        return _load_builtin(name)
    if name.endswith((".yaml", ".yml")) or Path(name).exists():
        return load_instrument_file(name)
    raise InstrumentError(
        "unknown_instrument",
        "unknown instrument '%(name)s'; built in: %(known)s, or give the path of a YAML file",
        params={"name": name, "known": ", ".join(builtin_ids())},
    )
