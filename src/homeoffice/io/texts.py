"""The nb/en texts of data exports and imports, kept as YAML data files beside this module.

Each file is a tree whose leaves are ``{nb: ..., en: ...}`` texts with the same ``%(name)s``
placeholders in both languages; the files are checked when first loaded.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from homeoffice.errors import LANGS, check_catalogue


def check_texts(data: object, name: str) -> dict:
    """Validate a text tree: every leaf has exactly nb and en, non-empty, with matching placeholders."""
    if not isinstance(data, dict):
        raise ValueError(f"{name} must hold a mapping")
    leaves: dict[str, dict[str, str]] = {}

    def walk(node: object, at: str) -> None:
        if isinstance(node, dict) and set(node) == set(LANGS):
            leaves[at] = node
        elif isinstance(node, dict) and node:
            for key, value in node.items():
                walk(value, f"{at}.{key}" if at else str(key))
        else:
            raise ValueError(f"{name}: {at} must be a text with nb and en")

    walk(data, "")
    try:
        check_catalogue({"messages": leaves})
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None
    return data


@cache
def load_texts(name: str) -> dict:
    """The text tree of ``homeoffice/io/<name>``, validated."""
    import yaml

    raw = resources.files("homeoffice.io").joinpath(name).read_text(encoding="utf-8")
    return check_texts(yaml.safe_load(raw), name)


def text(name: str, path: str, lang: str, **params: object) -> str:
    """The ``lang`` text at the dotted ``path`` of the file ``name``, with ``params`` filled in."""
    node = load_texts(name)
    for part in path.split("."):
        node = node[part]
    template = node[lang if lang in LANGS else "en"]
    return template % params if params else template
