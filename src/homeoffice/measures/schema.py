"""The measure catalogue file format (YAML), validated on load.

A catalogue lists measures (tiltak). Each measure says what it targets (domains of the canonical
vocabulary, so one catalogue serves every instrument), who acts, which axis of the dynamic model
it serves, when it applies (declarative rules), what it may conflict with, which measure it must
be paired with, and the evidence (thesis section and the study cited there).

Rule grammar (``applies_when`` is a list of rules; a measure applies when any rule fires; a rule
fires when every part it gives holds):

- ``situations``: the respondent's situation (1-4) is in the list. Without it the rule fires in
  situations 1-3 and when the situation is unknown, never in situation 4 (thesis 5.4: keep the
  optimal situation, no improvement pushes).
- ``weak``: at least one of these domains is weak (see :mod:`homeoffice.measures.engine`).
- ``job_situations``: the job situation is one of these (Karasek; Nytrø 1995).
- ``flags``: at least one of these result flags is true (``iso_strain``, ``negative_acts_frequent``).
- ``context``: every condition holds, written ``"ctx_item op value"`` with op one of
  ``== != >= <= > < in, not in`` (e.g. ``"ctx_role in [1, 2, 3]"``). A condition on an item the
  instrument lacks, or that the respondent left blank, is false: the rule silently does not fire.
- ``instrument_lacks``: the instrument has none of these domains or context items. Used for
  fallback rules on short instruments such as ``thesis-2023``.
"""

from __future__ import annotations

import re
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from homeoffice.instruments.schema import Text

# The canonical domain vocabulary of scales (context.md); measures refer to these.
DOMAINS: dict[str, Text] = {
    # psychosocial work environment
    "demands": Text(nb="jobbkrav", en="job demands"),
    "working_hours": Text(nb="arbeidstid", en="working hours"),
    "control": Text(nb="kontroll", en="control"),
    "support": Text(nb="sosial støtte", en="social support"),
    "positive_relations": Text(nb="positive sosiale relasjoner", en="positive social relations"),
    "negative_relations": Text(nb="negative sosiale relasjoner", en="negative social relations"),
    "job_insecurity": Text(nb="jobbusikkerhet", en="job insecurity"),
    "development": Text(nb="utviklingsmuligheter", en="development opportunities"),
    "isolation": Text(nb="sosial isolasjon", en="social isolation"),
    "contact_threshold": Text(nb="terskelen for å ta kontakt", en="threshold for making contact"),
    "work_life_boundary": Text(nb="grensen mellom jobb og fritid", en="boundary between work and leisure"),
    # productivity (Palvalin 2019; AFI)
    "physical_environment": Text(nb="fysisk arbeidsplass hjemme", en="physical workplace at home"),
    "virtual_environment": Text(nb="digitale verktøy og kanaler", en="digital tools and channels"),
    "social_environment": Text(nb="sosialt arbeidsmiljø og oppfølging", en="social environment and follow-up"),
    "work_practices": Text(nb="arbeidsrutiner", en="work practices"),
    "wellbeing": Text(nb="velvære i arbeidet", en="well-being at work"),
    "flexibility": Text(nb="fleksibilitet", en="flexibility"),
    "peace_quiet": Text(nb="arbeidsro", en="peace and quiet"),
    "productivity": Text(nb="opplevd produktivitet", en="perceived productivity"),
    # other
    "attitude": Text(nb="holdning til hjemmekontor", en="attitude to home office"),
    "context": Text(nb="kontekst", en="context"),
}

# Domains whose scales are neutral in the model (demands) or descriptive (context): never weak.
NEVER_WEAK = frozenset({"demands", "context"})

# Display names of the standard context items, for instruments that lack them.
CONTEXT_NAMES: dict[str, Text] = {
    "ctx_days_home": Text(nb="antall hjemmekontordager", en="home-office days per week"),
    "ctx_arrangement": Text(nb="hybrid eller fullt hjemmekontor", en="hybrid or full-time home office"),
    "ctx_voluntary": Text(nb="om hjemmekontoret er frivillig", en="whether home office is voluntary"),
    "ctx_role": Text(nb="type stilling", en="type of role"),
    "ctx_room": Text(nb="arbeidsplassen hjemme", en="the workplace at home"),
    "ctx_commute": Text(nb="spart reisetid", en="commute time saved"),
    "ctx_household": Text(nb="hvem andre som er hjemme", en="who else is at home"),
    "ctx_sector": Text(nb="sektor", en="sector"),
}

JOB_SITUATIONS = ("active", "high_strain", "low_strain", "passive")
FLAGS = ("iso_strain", "negative_acts_frequent")
OPS = ("==", "!=", ">=", "<=", ">", "<", "in", "not in")

_CONDITION = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_]*)\s*(==|!=|>=|<=|>|<|not\s+in|in)\s*(.+?)\s*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(_Strict):
    """A test on a context item's raw code, e.g. ``ctx_days_home >= 4``."""

    item: str = Field(pattern=r"^ctx_[A-Za-z0-9_]+$")
    op: Literal["==", "!=", ">=", "<=", ">", "<", "in", "not in"]
    value: float | tuple[float, ...]

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, data: object) -> object:
        if not isinstance(data, str):
            return data
        m = _CONDITION.match(data)
        if not m:
            raise ValueError(
                f"cannot read the condition '{data}'; write 'ctx_item op value', "
                f"e.g. 'ctx_days_home >= 4' or 'ctx_role in [1, 2, 3]' (op one of {', '.join(OPS)})"
            )
        try:
            value = yaml.safe_load(m[3])
        except yaml.YAMLError:
            raise ValueError(f"cannot read the value '{m[3]}' in the condition '{data}'") from None
        return {"item": m[1], "op": " ".join(m[2].split()), "value": value}

    @model_validator(mode="after")
    def _check_value(self) -> Condition:
        is_list = isinstance(self.value, tuple)
        if self.op in ("in", "not in") and not is_list:
            raise ValueError(f"'{self.op}' needs a list of codes, e.g. [1, 2, 3]")
        if self.op not in ("in", "not in") and is_list:
            raise ValueError(f"'{self.op}' needs one number, not a list")
        return self

    def holds(self, code: float) -> bool:
        """Whether a (non-missing) raw code satisfies the condition."""
        v = self.value
        match self.op:
            case "==":
                return code == v
            case "!=":
                return code != v
            case ">=":
                return code >= v  # type: ignore[operator]
            case "<=":
                return code <= v  # type: ignore[operator]
            case ">":
                return code > v  # type: ignore[operator]
            case "<":
                return code < v  # type: ignore[operator]
            case "in":
                return code in v  # type: ignore[operator]
            case _:
                return code not in v  # type: ignore[operator]

    def __str__(self) -> str:
        def fmt(x: float) -> str:
            return str(int(x)) if float(x).is_integer() else str(x)

        value = "[" + ", ".join(fmt(x) for x in self.value) + "]" if isinstance(self.value, tuple) else fmt(self.value)
        return f"{self.item} {self.op} {value}"


class Rule(_Strict):
    """One way a measure can apply; every part given must hold (see the module docstring)."""

    situations: list[Literal[1, 2, 3, 4]] | None = Field(default=None, min_length=1)
    weak: list[str] = Field(default_factory=list)
    job_situations: list[Literal["active", "high_strain", "low_strain", "passive"]] = Field(default_factory=list)
    flags: list[Literal["iso_strain", "negative_acts_frequent"]] = Field(default_factory=list)
    context: list[Condition] = Field(default_factory=list)
    instrument_lacks: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _not_empty(self) -> Rule:
        if not (self.situations or self.weak or self.job_situations or self.flags or self.context):
            raise ValueError(
                "a rule needs at least one of situations, weak, job_situations, flags or context "
                "(instrument_lacks alone would fire for everyone)"
            )
        return self


class Link(_Strict):
    """A reference to another measure with the reason, for conflicts and pairings."""

    id: str
    reason: Text


class TradeOff(_Strict):
    """The axis a measure may cost; the note is shown in situation 1 (thesis 5.4.3)."""

    costs: Literal["pwe", "productivity"]
    note: Text


class Measure(_Strict):
    """One measure (tiltak)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: Text
    description: Text
    targets: list[str] = Field(min_length=1)
    actor: Literal["employee", "manager", "employer"]
    axis: Literal["pwe", "productivity", "both"]
    raises_interaction: bool = False
    applies_when: list[Rule] = Field(min_length=1)
    conflicts: list[Link] = Field(default_factory=list)
    pairs_with: list[Link] = Field(default_factory=list)
    trade_off: TradeOff | None = None
    evidence: str = Field(min_length=1)


class CatalogueSpec(_Strict):
    """The whole catalogue file."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    version: str
    source: str = ""
    measures: list[Measure] = Field(min_length=1)

    @field_validator("version", mode="before")
    @classmethod
    def _version_str(cls, v: object) -> object:
        return str(v) if isinstance(v, int | float) else v
