"""Helpers for the reader tests: answer files written on the fly."""

from __future__ import annotations

from pathlib import Path

THESIS_ITEMS = [
    "fam1", "fam2", "pos1", "pos2", "neg1", "inf1", "pinf1", "pinf2", "pinf3",
    "dem1", "dem2", "dem3", "con1", "con2", "sup1", "sup2", "sup3",
]  # fmt: skip


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def thesis_csv(rows: list[list[object]], *, sep: str = ",", id_name: str | None = "respondent_id") -> str:
    """A CSV of thesis-2023 item codes; each row holds an id (if ``id_name``) and 17 codes."""
    header = ([id_name] if id_name else []) + THESIS_ITEMS
    lines = [sep.join(header)] + [sep.join("" if v is None else str(v) for v in r) for r in rows]
    return "\n".join(lines) + "\n"
