"""Reading the product's YAML data files: instruments, measure catalogues, mappings, norm tables.

One loader for all of them: UTF-8 (a BOM is allowed), YAML's safe subset, and a key given twice
in one mapping is an error rather than a silent overwrite. Errors name the file and the line.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from homeoffice.errors import HomeofficeError, Where


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses a key given twice in one mapping (a copy-paste slip)."""


def _construct_unique_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key '{key}' appears twice in one mapping", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping)


def load_yaml(path: str | Path, error: type[HomeofficeError], *, what: str = "data file") -> object:
    """Parse a YAML data file; raise ``error`` with code not_found, wrong_encoding or yaml_syntax."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (FileNotFoundError, IsADirectoryError):
        raise error("not_found", f"{what} not found", where=Where(file=str(p))) from None
    except UnicodeDecodeError:
        raise error("wrong_encoding", f"a {what} must be UTF-8 text", where=Where(file=str(p))) from None
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise error(
            "yaml_syntax",
            "not valid YAML: %(problem)s",
            params={"problem": getattr(exc, "problem", None) or str(exc)},
            where=Where(file=str(p), row=mark.line + 1 if mark else None),
        ) from None
