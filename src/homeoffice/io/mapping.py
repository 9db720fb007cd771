"""Column-mapping files: how a survey tool's export maps onto an instrument.

A mapping file is YAML. Every key is optional::

    # Which column holds the respondent id (else one of respondent_id, id, ID, respondent,
    # informant, Respondent ID is used, else row numbers 1, 2, ...).
    id_column: "Svar-ID"

    # Which column names the respondent's unit (department, team); else a column named unit or
    # enhet is used, if there is one.
    unit_column: "Avdeling"

    # How many rows the header spans (Qualtrics writes 3: names, question texts, import ids).
    # Column names are taken from the first; the others are skipped. Default 1.
    header_rows: 1

    # The file's column name -> an id of the instrument: a scored item, a context item,
    # an open question or (for scale-level input) a scale. Names match ignoring case and
    # repeated spaces.
    columns:
      "Hvor mye tilgang til hjemmekontor har du?": fam1
      "Hvor mye benytter du deg av dette tilbudet?": fam2

    # Further columns to skip (names as in the file) ...
    ignore: ["Kommentar fra HR"]
    # ... or skip every column the reader does not know (default false: unknown columns are an error).
    ignore_unknown: false

    # Extra answer texts -> codes, per response set id or per item id (an item's own entries win).
    # A code must lie within the response set's min..max or be one of its not-applicable codes;
    # null means "not applicable" (read as missing).
    labels:
      amount5:
        "Veldig lite": 1
        "Vet ikke": null
      fam1:
        "Har ikke tilgang": 1

``load_mapping`` checks the file's shape; ``read_answers`` checks it against the instrument
(unknown ids, codes out of range). Errors name the mapping file and the key.
``mapping_to_dict`` and ``save_mapping`` write a mapping back in this format, so that a mapping
made on the import screen or by ``homeoffice import --save-mapping`` is reused for the next file.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from homeoffice.datafiles import load_yaml
from homeoffice.errors import AnswersError, Where

_KEYS = ("version", "id_column", "unit_column", "header_rows", "columns", "ignore", "ignore_unknown", "labels")
MAX_HEADER_ROWS = 5
_WS = re.compile(r"\s+")


def norm(text: str) -> str:
    """Compare column names and answer labels ignoring case, accents' encoding and spacing."""
    return _WS.sub(" ", unicodedata.normalize("NFC", text)).strip().casefold()


@dataclass(frozen=True)
class ColumnMapping:
    """A parsed column-mapping file (see the module docstring for the format).

    ``labels`` maps a response set id or item id to ``{answer text: code or None}``.
    """

    columns: Mapping[str, str] = field(default_factory=dict)
    id_column: str | None = None
    ignore: tuple[str, ...] = ()
    ignore_unknown: bool = False
    labels: Mapping[str, Mapping[str, int | None]] = field(default_factory=dict)
    source: str = "<mapping>"
    unit_column: str | None = None
    header_rows: int = 1

    def fail(self, at: str, message: str, **params: object) -> AnswersError:
        """An ``invalid_mapping`` error naming this mapping's file and the key ``at``."""
        return AnswersError("invalid_mapping", message, params=params, where=Where(file=self.source, key=at))


def _fail(path: str, at: str, message: str, **params: object) -> AnswersError:
    return AnswersError("invalid_mapping", message, params=params, where=Where(file=path, key=at))


def _str_key(path: str, key: str, value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float) or str(value).strip() == "":
        raise _fail(path, key, "expected a non-empty text, got %(got)r", got=value)
    return str(value)


def mapping_from_dict(data: object, path: str = "<mapping>") -> ColumnMapping:
    """Validate the parsed content of a mapping file."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise _fail(path, "(top)", "the file must hold a mapping (key: value) at the top level")
    for key in data:
        if key not in _KEYS:
            raise _fail(path, str(key), "unknown key '%(key)s'; known keys: %(known)s", key=key, known=", ".join(_KEYS))
    if data.get("version", 1) != 1:
        raise _fail(
            path, "version", "unsupported mapping version %(v)r; this program reads version 1", v=data["version"]
        )

    id_column = data.get("id_column")
    if id_column is not None:
        id_column = _str_key(path, "id_column", id_column)

    columns_raw = data.get("columns") or {}
    if not isinstance(columns_raw, dict):
        raise _fail(path, "columns", "expected 'file column name: instrument id' pairs")
    columns: dict[str, str] = {}
    seen: dict[str, str] = {}
    for name, target in columns_raw.items():
        col = _str_key(path, "columns", name)
        key = f"columns.{col}"
        target = _str_key(path, key, target)
        if norm(col) in seen:
            raise _fail(path, key, "the column '%(col)s' is listed twice", col=col)
        seen[norm(col)] = col
        columns[col] = target

    ignore_raw = data.get("ignore") or []
    if isinstance(ignore_raw, str):
        ignore_raw = [ignore_raw]
    if not isinstance(ignore_raw, list):
        raise _fail(path, "ignore", "expected a list of column names")
    ignore = tuple(_str_key(path, f"ignore[{n}]", v) for n, v in enumerate(ignore_raw))

    unit_column = data.get("unit_column")
    if unit_column is not None:
        unit_column = _str_key(path, "unit_column", unit_column)

    header_rows = data.get("header_rows", 1)
    if isinstance(header_rows, bool) or not isinstance(header_rows, int) or not 1 <= header_rows <= MAX_HEADER_ROWS:
        raise _fail(
            path,
            "header_rows",
            "expected a whole number from 1 to %(max)s, got %(got)r",
            max=MAX_HEADER_ROWS,
            got=header_rows,
        )

    ignore_unknown = data.get("ignore_unknown", False)
    if not isinstance(ignore_unknown, bool):
        raise _fail(path, "ignore_unknown", "expected true or false, got %(got)r", got=ignore_unknown)

    labels_raw = data.get("labels") or {}
    if not isinstance(labels_raw, dict):
        raise _fail(path, "labels", "expected response set or item ids, each with 'answer text: code' pairs")
    labels: dict[str, dict[str, int | None]] = {}
    for owner, pairs in labels_raw.items():
        owner_id = _str_key(path, "labels", owner)
        if not isinstance(pairs, dict) or not pairs:
            raise _fail(path, f"labels.{owner_id}", "expected 'answer text: code' pairs")
        out: dict[str, int | None] = {}
        for text, code in pairs.items():
            label = _str_key(path, f"labels.{owner_id}", text)
            key = f"labels.{owner_id}.{label}"
            if code is not None and (isinstance(code, bool) or not isinstance(code, int)):
                raise _fail(path, key, "expected a whole-number code or null (not applicable), got %(got)r", got=code)
            out[label] = code
        labels[owner_id] = out
    return ColumnMapping(
        columns=columns,
        id_column=id_column,
        ignore=ignore,
        ignore_unknown=ignore_unknown,
        labels=labels,
        source=path,
        unit_column=unit_column,
        header_rows=header_rows,
    )


def load_mapping(path: str | Path) -> ColumnMapping:
    """Read and check a column-mapping YAML file (format in the module docstring)."""
    p = Path(path)
    data = load_yaml(p, AnswersError, what="mapping file")
    return mapping_from_dict(data, str(p))


def mapping_to_dict(mapping: ColumnMapping) -> dict:
    """The mapping as the plain data of a mapping file (keys at their defaults are left out).

    ``mapping_from_dict(mapping_to_dict(m))`` gives ``m`` back (apart from ``source``).
    """
    out: dict[str, object] = {"version": 1}
    if mapping.id_column is not None:
        out["id_column"] = mapping.id_column
    if mapping.unit_column is not None:
        out["unit_column"] = mapping.unit_column
    if mapping.header_rows != 1:
        out["header_rows"] = mapping.header_rows
    if mapping.columns:
        out["columns"] = dict(mapping.columns)
    if mapping.ignore:
        out["ignore"] = list(mapping.ignore)
    if mapping.ignore_unknown:
        out["ignore_unknown"] = True
    if mapping.labels:
        out["labels"] = {owner: dict(pairs) for owner, pairs in mapping.labels.items()}
    return out


def mapping_to_yaml(mapping: ColumnMapping, comments: Sequence[str] = ()) -> str:
    """The text of a mapping file; ``comments`` become ``#`` lines at the end (notes for the person editing it)."""
    import yaml

    text = yaml.safe_dump(mapping_to_dict(mapping), allow_unicode=True, sort_keys=False, width=1000)
    for comment in comments:
        for line in comment.splitlines() or [""]:
            text += f"# {line}\n" if line else "#\n"
    return text


def save_mapping(mapping: ColumnMapping, path: str | Path, comments: Sequence[str] = ()) -> Path:
    """Write ``mapping`` as a YAML mapping file (atomically: a failed write leaves no partial file)."""
    p = Path(path)
    tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(mapping_to_yaml(mapping, comments), encoding="utf-8")
        os.replace(tmp, p)
    except OSError as exc:
        raise AnswersError(
            "cannot_write",
            "cannot write the file: %(problem)s",
            params={"problem": exc.strerror or str(exc)},
            where=Where(file=str(path)),
        ) from None
    finally:
        tmp.unlink(missing_ok=True)
    return p
