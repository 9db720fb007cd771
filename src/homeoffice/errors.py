"""Errors the user can fix; shells show the message and exit with status 2.

    HomeofficeError(ValueError)
      +-- InstrumentError   a bad instrument, catalogue or norm file (file, key path)
      +-- AnswersError      bad survey data (file, row, column, item)
      +-- PolicyError       bad cut policy or cut values

Each error has a stable ``code`` (tests and callers check it, never the message text),
the human message, its ``params`` and a ``where`` naming the location.
``describe(lang)`` gives the message in Norwegian bokmål (nb) or English (en); the texts
live in ``messages.yaml`` (code -> nb/en templates with the same ``%(name)s`` placeholders).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

LANGS = ("nb", "en")
_PLACEHOLDER = re.compile(r"%\((\w+)\)")

_WHERE = {
    "en": {"file": "file {}", "row": "row {}", "column": "column '{}'", "item": "item {}", "key": "at {}"},
    "nb": {"file": "fil {}", "row": "rad {}", "column": "kolonne '{}'", "item": "spørsmål {}", "key": "ved {}"},
}


@dataclass(frozen=True)
class Where:
    """Location of a problem. Rows are 1-based file lines (header is line 1)."""

    file: str | None = None
    row: int | None = None
    column: str | None = None
    item: str | None = None
    key: str | None = None

    def text(self, lang: str = "en") -> str:
        """The location as shells print it, in nb or en."""
        words = _WHERE.get(lang, _WHERE["en"])
        parts = []
        if self.file:
            parts.append(words["file"].format(self.file))
        if self.row is not None:
            parts.append(words["row"].format(self.row))
        if self.column:
            parts.append(words["column"].format(self.column))
        if self.item and self.item != self.column:
            parts.append(words["item"].format(self.item))
        if self.key:
            parts.append(words["key"].format(self.key))
        return ", ".join(parts)

    def __str__(self) -> str:
        return self.text("en")


class HomeofficeError(ValueError):
    """A problem in the user's input, with a stable code and a location."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        params: Mapping[str, object] | None = None,
        where: Where | None = None,
    ) -> None:
        self.code = code
        self.params = dict(params or {})
        self.where = where
        self.template = message
        self.message = message % self.params if self.params else message
        super().__init__(self.describe())

    def text(self, lang: str = "en") -> str:
        """The message without location; English when the catalogue has no text for this wording."""
        if lang == "en":
            return self.message
        template = translate(self.code, self.template, lang)
        if template is None:
            return self.message
        return template % self.params if self.params else template

    def describe(self, lang: str = "en") -> str:
        """The message with its location in front, as shells print it (lang: nb or en)."""
        message = self.text(lang)
        where = self.where.text(lang) if self.where else ""
        return f"{where}: {message}" if where else message


class InstrumentError(HomeofficeError):
    """An instrument, measure catalogue or norm table file is invalid."""


class AnswersError(HomeofficeError):
    """Survey answers cannot be read or do not fit the instrument."""


class PolicyError(HomeofficeError):
    """A cut policy or its cut values are invalid."""


def placeholders(template: str) -> set[str]:
    """The ``%(name)s`` parameter names a template uses."""
    return set(_PLACEHOLDER.findall(template))


def check_catalogue(data: object) -> dict[str, list[dict[str, str]]]:
    """Validate the parsed ``messages.yaml``; return code -> list of {nb, en} wordings.

    An entry is ``{nb: ..., en: ...}`` or, for a code raised with several wordings, a list of them;
    every wording needs both languages with the same placeholders. Codes listed under
    ``english_only`` have no nb text (their messages embed English from other libraries).
    """
    if not isinstance(data, dict) or not isinstance(data.get("messages"), dict):
        raise ValueError("messages.yaml must hold a 'messages' mapping")
    out: dict[str, list[dict[str, str]]] = {}
    for code, entry in data["messages"].items():
        variants = entry if isinstance(entry, list) else [entry]
        seen: set[str] = set()
        for n, v in enumerate(variants):
            if not isinstance(v, dict) or set(v) != set(LANGS):
                raise ValueError(f"messages.{code}[{n}]: give exactly the keys nb and en")
            if not all(isinstance(v[lang], str) and v[lang].strip() for lang in LANGS):
                raise ValueError(f"messages.{code}[{n}]: nb and en must be non-empty texts")
            if placeholders(v["nb"]) != placeholders(v["en"]):
                raise ValueError(
                    f"messages.{code}[{n}]: nb uses {sorted(placeholders(v['nb']))}, "
                    f"en uses {sorted(placeholders(v['en']))}"
                )
            if v["en"] in seen:
                raise ValueError(f"messages.{code}[{n}]: the en text appears twice")
            seen.add(v["en"])
        out[str(code)] = variants
    english_only = data.get("english_only") or []
    if not isinstance(english_only, list) or set(english_only) & set(out):
        raise ValueError("english_only must be a list of codes that have no entry under messages")
    return out


@cache
def catalogue() -> dict[str, list[dict[str, str]]]:
    """The message catalogue shipped as ``homeoffice/messages.yaml``, validated."""
    import yaml

    text = resources.files("homeoffice").joinpath("messages.yaml").read_text(encoding="utf-8")
    return check_catalogue(yaml.safe_load(text))


def translate(code: str, template: str, lang: str) -> str | None:
    """The ``lang`` template for the wording ``template`` (English) of error ``code``, or None."""
    if lang not in LANGS:
        return None
    for v in catalogue().get(code, []):
        if v["en"] == template:
            return v[lang]
    return None
