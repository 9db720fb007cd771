"""User-facing texts of the web app, as data: ``translations.yaml`` per app (an app may split its
texts over several ``translations*.yaml`` files, e.g. ``translations_data.yaml``), nb and en.

Each file maps a key to ``{nb: ..., en: ...}`` with optional ``%(name)s`` placeholders. Files are
validated when first loaded (both languages present and non-blank, the same placeholders in both,
no key defined twice across apps), so a missing translation fails the tests, not a respondent.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from homeoffice.datafiles import load_yaml
from homeoffice.errors import InstrumentError, Where

LANGS = ("nb", "en")
_HERE = Path(__file__).resolve().parent
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _files() -> list[Path]:
    return sorted(_HERE.glob("*/translations*.yaml")) + sorted(_HERE.glob("translations.yaml"))


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """All texts, validated; key -> {lang: text}."""
    merged: dict[str, dict[str, str]] = {}
    origin: dict[str, str] = {}
    for path in _files():
        data = load_yaml(path, InstrumentError, what="translation file") or {}
        if not isinstance(data, dict):
            raise InstrumentError(
                "invalid_translations", "the file must map keys to texts", where=Where(file=str(path))
            )
        for key, texts in data.items():
            where = Where(file=str(path), key=str(key))
            if key in merged:
                raise InstrumentError("duplicate_key", f"the key is also defined in {origin[key]}", where=where)
            if not isinstance(texts, dict) or set(texts) != set(LANGS):
                raise InstrumentError("invalid_translations", "every text needs exactly nb and en", where=where)
            if any(not isinstance(v, str) or not v.strip() for v in texts.values()):
                raise InstrumentError("invalid_translations", "a text is blank", where=where)
            if set(_PLACEHOLDER.findall(texts["nb"])) != set(_PLACEHOLDER.findall(texts["en"])):
                raise InstrumentError("invalid_translations", "nb and en use different placeholders", where=where)
            merged[key] = {lang: texts[lang] for lang in LANGS}
            origin[key] = path.name if path.parent == _HERE else f"{path.parent.name}/{path.name}"
    return merged


def t(key: str, lang: str, **params: object) -> str:
    """The text for ``key`` in ``lang`` (nb when the language is unknown), placeholders filled."""
    texts = catalogue()[key]
    text = texts.get(lang) or texts["nb"]
    return text % params if params else text
