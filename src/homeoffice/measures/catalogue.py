"""Load and validate measure catalogues; the built-in one is ``data/measures.yaml``.

Every problem is an :class:`~homeoffice.errors.InstrumentError` whose ``where`` names the file and
the key path with the measure id (``measures[3] (id hybrid_arrangement).targets[1]``) and whose
``params`` hold the ``measure`` id.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from homeoffice.datafiles import load_yaml
from homeoffice.errors import InstrumentError, Where
from homeoffice.measures.schema import DOMAINS, NEVER_WEAK, CatalogueSpec, Measure

_DATA = "homeoffice.measures"
BUILTIN = "measures.yaml"


@dataclass(frozen=True)
class Catalogue:
    """A validated measure catalogue, in file order."""

    spec: CatalogueSpec
    path: str
    by_id: dict[str, Measure] = field(repr=False)

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def version(self) -> str:
        return self.spec.version

    @property
    def measures(self) -> list[Measure]:
        return list(self.spec.measures)

    @property
    def ids(self) -> list[str]:
        return [m.id for m in self.spec.measures]

    def __getitem__(self, measure_id: str) -> Measure:
        return self.by_id[measure_id]

    def __iter__(self) -> Iterator[Measure]:
        return iter(self.spec.measures)

    def __len__(self) -> int:
        return len(self.spec.measures)

    def index(self, measure_id: str) -> int:
        """Position in the file; the engine uses it to break ties."""
        return self.ids.index(measure_id)


def _fail(path: str, key: str, message: str, *, code: str, measure: str | None, **params: object) -> InstrumentError:
    return InstrumentError(code, message, params={"measure": measure, **params}, where=Where(file=path, key=key))


def _key_path(loc: tuple, data: dict) -> tuple[str, str | None]:
    """A pydantic location as ``measures[3] (id x).title.en``, and the measure id on the way."""
    out, node, measure = "", data, None
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict) and "id" in node:
                out += f" (id {node['id']})"
                measure = measure or str(node["id"])
        else:
            out += ("." if out else "") + str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out or "(top)", measure


def catalogue_from_dict(data: object, path: str = "<memory>") -> Catalogue:
    """Validate a parsed catalogue file and check its cross-references."""
    if not isinstance(data, dict):
        raise _fail(
            path,
            "(top)",
            "the file must hold a mapping (key: value) at the top level",
            code="invalid_catalogue",
            measure=None,
        )
    try:
        spec = CatalogueSpec.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        key, measure = _key_path(err["loc"], data)
        msg = err["msg"].removeprefix("Value error, ")
        if len(exc.errors()) > 1:
            raise _fail(
                path,
                key,
                "%(problem)s (and %(more)s more problems)",
                code="invalid_catalogue",
                measure=measure,
                problem=msg,
                more=len(exc.errors()) - 1,
            ) from None
        raise _fail(path, key, "%(problem)s", code="invalid_catalogue", measure=measure, problem=msg) from None
    _check_references(spec, path)
    return Catalogue(spec=spec, path=path, by_id={m.id: m for m in spec.measures})


def _check_references(spec: CatalogueSpec, path: str) -> None:
    ids = [m.id for m in spec.measures]
    dup = [k for k, n in Counter(ids).items() if n > 1]
    if dup:
        raise _fail(
            path,
            f"measures (id {dup[0]})",
            "the measure id '%(measure)s' is used more than once",
            code="duplicate_id",
            measure=dup[0],
        )
    known = set(ids)
    by_id = {m.id: m for m in spec.measures}
    domains = ", ".join(DOMAINS)
    for n, m in enumerate(spec.measures):
        at = f"measures[{n}] (id {m.id})"

        def fail(key: str, message: str, code: str, m: Measure = m, at: str = at, **params: object) -> InstrumentError:
            return _fail(path, f"{at}.{key}", message, code=code, measure=m.id, **params)

        for k, d in enumerate(m.targets):
            if d not in DOMAINS:
                raise fail(
                    f"targets[{k}]",
                    "unknown domain '%(domain)s'; known domains: %(known)s",
                    "unknown_domain",
                    domain=d,
                    known=domains,
                )
        for r, rule in enumerate(m.applies_when):
            for k, d in enumerate(rule.weak):
                if d not in DOMAINS:
                    raise fail(
                        f"applies_when[{r}].weak[{k}]",
                        "unknown domain '%(domain)s'; known domains: %(known)s",
                        "unknown_domain",
                        domain=d,
                        known=domains,
                    )
                if d in NEVER_WEAK:
                    raise fail(
                        f"applies_when[{r}].weak[{k}]",
                        "'%(domain)s' scales are neutral and never weak; use job_situations instead",
                        "invalid_rule",
                        domain=d,
                    )
            for k, d in enumerate(rule.instrument_lacks):
                if d not in DOMAINS and not d.startswith("ctx_"):
                    raise fail(
                        f"applies_when[{r}].instrument_lacks[{k}]",
                        "'%(domain)s' is neither a known domain nor a context item (ctx_...); known domains: %(known)s",
                        "unknown_domain",
                        domain=d,
                        known=domains,
                    )
        for kind in ("conflicts", "pairs_with"):
            for k, link in enumerate(getattr(m, kind)):
                if link.id not in known:
                    raise fail(f"{kind}[{k}].id", "unknown measure '%(other)s'", "unknown_measure", other=link.id)
                if link.id == m.id:
                    raise fail(f"{kind}[{k}].id", "a measure cannot refer to itself", "invalid_link")
        if m.raises_interaction and not m.pairs_with:
            raise fail(
                "pairs_with",
                "a measure that raises social interaction must be paired with one that "
                "protects peace and quiet (thesis 5.4.3)",
                "missing_pair",
            )
        for k, link in enumerate(m.pairs_with):
            if by_id[link.id].raises_interaction:
                raise fail(
                    f"pairs_with[{k}].id",
                    "'%(other)s' raises social interaction itself, so it cannot protect peace and quiet",
                    "invalid_pair",
                    other=link.id,
                )


def load_catalogue_file(path: str | Path) -> Catalogue:
    """Read and validate a measure catalogue YAML file."""
    p = Path(path)
    data = load_yaml(p, InstrumentError, what="measure catalogue")
    return catalogue_from_dict(data, str(p))


@cache
def _load_builtin() -> Catalogue:
    ref = resources.files(_DATA).joinpath("data").joinpath(BUILTIN)
    with resources.as_file(ref) as p:
        return load_catalogue_file(p)


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """The built-in catalogue (``path`` None) or a catalogue file."""
    return _load_builtin() if path is None else load_catalogue_file(path)
