"""Presets for survey tools' export files: Nettskjema, LimeSurvey, Microsoft Forms, Qualtrics.

A preset is data (one YAML file per tool beside this module), checked when loaded. It tells the
import (:mod:`homeoffice.io.imports`) how the tool writes its exports:

* ``detect``: lists of column names (compared ignoring case); the preset fits a file whose header
  has every name of one list. ``detect_prefix``: or a column name starting with this text.
* ``header_rows``: rows the header spans (Qualtrics: 3); ``text_row``: the header row that holds
  the question texts (matched against the items' texts).
* ``id_columns``: the respondent id column, the first one present.
* ``metadata_columns`` / ``metadata_patterns``: columns the tool adds that hold no answers
  (names ignoring case; regular expressions searched ignoring case).
* ``name_patterns``: regular expressions with one group; the group, found in a column name or its
  question text, may be an item id or text (LimeSurvey ``code[wl1]``, Qualtrics "question - statement").
* ``option_patterns``: regular expressions with one group giving n; an answer written this way is
  the n-th option of the item's response set (LimeSurvey ``A3`` = the third option). These are
  proposals the mapping screen shows; they are saved in the mapping only as its ``labels``.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from homeoffice.datafiles import load_yaml
from homeoffice.errors import AnswersError, Where
from homeoffice.instruments.schema import Text
from homeoffice.io.mapping import MAX_HEADER_ROWS, norm


class Preset(BaseModel):
    """One survey tool's export format (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    name: Text
    description: Text
    detect: list[list[str]] = Field(default_factory=list)
    detect_prefix: str | None = None
    header_rows: int = Field(default=1, ge=1, le=MAX_HEADER_ROWS)
    text_row: int | None = Field(default=None, ge=2, le=MAX_HEADER_ROWS)
    id_columns: list[str] = Field(default_factory=list)
    metadata_columns: list[str] = Field(default_factory=list)
    metadata_patterns: list[str] = Field(default_factory=list)
    name_patterns: list[str] = Field(default_factory=list)
    option_patterns: list[str] = Field(default_factory=list)

    @field_validator("metadata_patterns", "name_patterns", "option_patterns")
    @classmethod
    def _regex(cls, patterns: list[str]) -> list[str]:
        for p in patterns:
            try:
                compiled = re.compile(p, re.IGNORECASE)
            except re.error as exc:
                raise ValueError(f"'{p}' is no regular expression: {exc}") from None
            if compiled.groups > 1:
                raise ValueError(f"'{p}' must have at most one group")
        return patterns

    @model_validator(mode="after")
    def _check(self) -> Preset:
        if self.text_row is not None and self.text_row > self.header_rows:
            raise ValueError(f"text_row {self.text_row} lies below the {self.header_rows} header rows")
        if not self.detect and not self.detect_prefix:
            raise ValueError("a preset needs 'detect' or 'detect_prefix' to be recognised")
        return self

    def fits(self, header: list[str]) -> bool:
        """Whether a file with this header looks like this tool's export."""
        keys = {norm(h) for h in header}
        if self.detect_prefix and any(h.strip().startswith(self.detect_prefix) for h in header):
            return True
        return any(all(norm(c) in keys for c in group) for group in self.detect)

    def is_metadata(self, name: str) -> bool:
        """Whether the column ``name`` is one of the tool's own columns (no answers)."""
        key = norm(name)
        if key in {norm(c) for c in self.metadata_columns}:
            return True
        return any(re.search(p, name.strip(), re.IGNORECASE) for p in self.metadata_patterns)

    def name_parts(self, text: str) -> list[str]:
        """The parts of a column name or question text that ``name_patterns`` pick out."""
        out = []
        for p in self.name_patterns:
            m = re.search(p, text.strip(), re.IGNORECASE)
            if m and m.groups() and m.group(1) and m.group(1).strip():
                out.append(m.group(1).strip())
        return out

    def option_number(self, value: str) -> int | None:
        """n when ``value`` names the n-th answer option (``option_patterns``), else None."""
        for p in self.option_patterns:
            m = re.fullmatch(p, value.strip(), re.IGNORECASE)
            if m and m.groups():
                try:
                    return int(m.group(1))
                except ValueError:
                    continue
        return None


def preset_from_dict(data: object, path: str = "<preset>") -> Preset:
    """Validate the parsed content of a preset file; errors name the file and key (``invalid_preset``)."""
    if not isinstance(data, dict):
        raise AnswersError(
            "invalid_preset",
            "the file must hold a mapping (key: value) at the top level",
            where=Where(file=path),
        )
    try:
        return Preset.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or "(top)"
        raise AnswersError(
            "invalid_preset",
            "%(problem)s",
            params={"problem": first["msg"]},
            where=Where(file=path, key=key),
        ) from None


def load_preset_file(path: str | Path) -> Preset:
    """Read and check a preset YAML file."""
    p = Path(path)
    return preset_from_dict(load_yaml(p, AnswersError, what="preset file"), str(p))


def preset_ids() -> list[str]:
    """The built-in presets, sorted."""
    return sorted(f.name.removesuffix(".yaml") for f in resources.files(__name__).iterdir() if f.name.endswith(".yaml"))


@cache
def load_preset(preset_id: str) -> Preset:
    """A built-in preset by id (``unknown_preset`` for others)."""
    if preset_id not in preset_ids():
        raise AnswersError(
            "unknown_preset",
            "unknown preset '%(name)s'; known: %(known)s",
            params={"name": preset_id, "known": ", ".join(preset_ids())},
        )
    with resources.as_file(resources.files(__name__).joinpath(f"{preset_id}.yaml")) as path:
        preset = load_preset_file(path)
    if preset.id != preset_id:
        raise AnswersError(
            "invalid_preset",
            "the preset's id '%(found)s' differs from its file name",
            params={"found": preset.id},
            where=Where(file=f"{preset_id}.yaml", key="id"),
        )
    return preset


def detect_preset(header: list[str]) -> Preset | None:
    """The built-in preset whose ``detect`` rule fits ``header``, or None."""
    for preset_id in preset_ids():
        preset = load_preset(preset_id)
        if preset.fits(header):
            return preset
    return None


__all__ = ["Preset", "detect_preset", "load_preset", "load_preset_file", "preset_from_dict", "preset_ids"]
