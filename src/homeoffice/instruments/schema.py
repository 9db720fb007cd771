"""The instrument file format (YAML), validated on load.

An instrument lists response sets, items, scales, composites, context variables, open
questions and its scoring profile (model.md sections 2-4). Every text a respondent or a
user reads has a Norwegian bokmål (``nb``) and an English (``en``) version.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

LANGS = ("nb", "en")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """A text in both product languages."""

    nb: str = Field(min_length=1)
    en: str = Field(min_length=1)

    @field_validator("nb", "en")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("the text is blank")
        return v.strip()

    def get(self, lang: str) -> str:
        return self.nb if lang == "nb" else self.en


class ResponseSet(_Strict):
    """Numeric codes ``min..max`` with labels; ``na_codes`` mean "not applicable" (missing)."""

    min: int
    max: int
    labels: dict[int, Text] = Field(default_factory=dict)
    na_codes: dict[int, Text] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> ResponseSet:
        if self.max <= self.min:
            raise ValueError(f"max ({self.max}) must be greater than min ({self.min})")
        for code in self.labels:
            if not self.min <= code <= self.max:
                raise ValueError(f"label code {code} lies outside {self.min}..{self.max}")
        for code in self.na_codes:
            if self.min <= code <= self.max:
                raise ValueError(f"not-applicable code {code} lies inside the scale {self.min}..{self.max}")
        return self


class Item(_Strict):
    """One question. ``scale`` is empty for context variables."""

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    text: Text
    response_set: str
    scale: str | None = None
    reverse: bool = False
    help: Text | None = None


class Scale(_Strict):
    """A scale: the mean of its items' 0-100 scores (half rule)."""

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    name: Text
    direction: Literal["resource", "risk", "neutral"]
    domain: str
    source: str = ""
    description: Text | None = None


class Composite(_Strict):
    """A composite: the mean of scale scores, e.g. demands = mean(workload, pace)."""

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    name: Text
    of: list[str] = Field(min_length=2)
    direction: Literal["resource", "risk", "neutral"]
    domain: str
    source: str = ""


class OpenQuestion(_Strict):
    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    text: Text


class NegativeActs(_Strict):
    """Frequent exposure: any item of ``scale`` answered at code ``frequent_at`` or above."""

    scale: str
    frequent_at: int


class ScoringProfile(_Strict):
    """Which scales play which role in classification (model.md section 4)."""

    name: str
    min_answered: float = Field(default=0.5, gt=0, le=1)
    demands: str
    control: str
    support: str
    pwe: list[str] = Field(min_length=1)
    productivity: list[str] = Field(min_length=1)
    negative_acts: NegativeActs | None = None
    accepts_scale_input: bool = False


class InstrumentSpec(_Strict):
    """The whole instrument file."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    version: str
    title: Text
    description: Text
    source: str
    languages: list[Literal["nb", "en"]] = Field(default_factory=lambda: ["nb", "en"])
    response_sets: dict[str, ResponseSet]
    scales: list[Scale] = Field(min_length=1)
    composites: list[Composite] = Field(default_factory=list)
    items: list[Item] = Field(min_length=1)
    open_questions: list[OpenQuestion] = Field(default_factory=list)
    scoring: ScoringProfile

    @field_validator("version", mode="before")
    @classmethod
    def _version_str(cls, v: object) -> object:
        if isinstance(v, float):  # 1.10 would silently become "1.1"
            raise ValueError('write the version as a quoted string, e.g. "1.0"')
        return str(v) if isinstance(v, int) else v
