"""The nb/en sentences of the anonymity rules, from ``texts.yaml`` beside this module.

The file is read with :func:`homeoffice.datafiles.load_yaml` and checked: every section and entry
in :data:`REQUIRED` is present, every entry has exactly nb and en, both non-empty and with the
same ``%(name)s`` placeholders. Problems raise :class:`HomeofficeError` (code ``invalid_catalogue``)
naming the file and the key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path

from homeoffice.datafiles import load_yaml
from homeoffice.errors import LANGS, HomeofficeError, Where, placeholders

BUILTIN = "texts.yaml"

REQUIRED: dict[str, tuple[str, ...]] = {
    "reasons": ("too_small", "complement", "secondary", "overlap", "combination"),
    "comments": ("comments_too_small", "comments_combined"),
    "release": ("release_ok", "release_too_small", "release_too_close"),
    "labels": ("filter_cell", "unit_cell", "direct_members", "no_answer", "rest_of", "list_and"),
}

Texts = dict[str, dict[str, str]]
"""entry id -> {"nb": template, "en": template}; entry ids are unique across sections."""


def _fail(path: str, key: str, problem: str) -> HomeofficeError:
    return HomeofficeError(
        "invalid_catalogue", "%(problem)s", params={"problem": problem}, where=Where(file=path, key=key)
    )


def check_texts(data: object, path: str = BUILTIN) -> Texts:
    """Validate the parsed text file; return entry id -> {nb, en}."""
    if not isinstance(data, dict):
        raise _fail(path, "(top)", "the file must hold a mapping of sections")
    out: Texts = {}
    for section, ids in REQUIRED.items():
        entries = data.get(section)
        if not isinstance(entries, dict):
            raise _fail(path, section, f"the section '{section}' is missing")
        for entry_id in ids:
            if entry_id not in entries:
                raise _fail(path, f"{section}.{entry_id}", f"the text '{entry_id}' is missing")
        for entry_id, entry in entries.items():
            key = f"{section}.{entry_id}"
            if not isinstance(entry, dict) or set(entry) != set(LANGS):
                raise _fail(path, key, "give exactly the keys nb and en")
            if not all(isinstance(entry[lang], str) and entry[lang].strip() for lang in LANGS):
                raise _fail(path, key, "nb and en must be non-empty texts")
            if placeholders(entry["nb"]) != placeholders(entry["en"]):
                raise _fail(path, key, "nb and en must use the same %(name)s placeholders")
            if entry_id in out:
                raise _fail(path, key, f"the text '{entry_id}' appears in two sections")
            out[str(entry_id)] = {lang: entry[lang] for lang in LANGS}
    return out


def load_texts(path: str | Path) -> Texts:
    """Read and validate a text file of the anonymity rules."""
    return check_texts(load_yaml(path, HomeofficeError, what="translation file"), str(path))


@cache
def builtin_texts() -> Texts:
    """The built-in texts (``homeoffice/anonymity/texts.yaml``), validated once."""
    ref = resources.files("homeoffice.anonymity").joinpath(BUILTIN)
    with resources.as_file(ref) as p:
        return load_texts(p)


def check_lang(lang: str) -> str:
    """``lang`` if it is nb or en; otherwise a HomeofficeError (code unknown_language)."""
    if lang not in LANGS:
        raise HomeofficeError(
            "unknown_language",
            "unknown language '%(lang)s'; use one of %(known)s",
            params={"lang": lang, "known": ", ".join(LANGS)},
        )
    return lang


def say(entry_id: str, lang: str, **params: object) -> str:
    """The text ``entry_id`` in ``lang`` with ``params`` filled in."""
    return builtin_texts()[entry_id][check_lang(lang)] % params


def join(items: Sequence[str], lang: str) -> str:
    """'a, b and c' in English, 'a, b og c' in Norwegian."""
    if len(items) <= 1:
        return "".join(items)
    return say("list_and", lang, head=", ".join(items[:-1]), last=items[-1])


class Composed(Mapping[str, str]):
    """A label in nb and en made from a label template and its parts, filled in when read.

    Builders label thousands of groups; most labels are never read, so none is formatted early.
    """

    __slots__ = ("entry_id", "params")

    def __init__(self, entry_id: str, params: dict[str, Mapping[str, str] | str]) -> None:
        self.entry_id, self.params = entry_id, params

    def __getitem__(self, lang: str) -> str:
        if lang not in LANGS:
            raise KeyError(lang)
        values = {k: v if isinstance(v, str) else v.get(lang) or v.get("en", "") for k, v in self.params.items()}
        return say(self.entry_id, lang, **values)

    def __iter__(self):
        return iter(LANGS)

    def __len__(self) -> int:
        return len(LANGS)

    def __repr__(self) -> str:
        return repr(self["en"])


def compose(entry_id: str, **params: Mapping[str, str] | str) -> Composed:
    """A label in both languages from a label template and per-language (or shared) parts."""
    return Composed(entry_id, params)
