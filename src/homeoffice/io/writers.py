"""Write result tables as CSV, Excel, Parquet or JSON, keeping the respondent ids.

The table's index (the respondent id) becomes the first column, named after the index
(``respondent_id`` when it has no name), in every format.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from homeoffice.errors import AnswersError, Where

FORMATS = (".csv", ".xlsx", ".parquet", ".json")
_EXCEL_MAX_ROWS = 1_048_575  # one row of the sheet holds the header


def _with_index(df: pd.DataFrame, file: str) -> pd.DataFrame:
    name = df.index.name or "respondent_id"
    if name in df.columns:
        raise AnswersError(
            "duplicate_column",
            "the table has a column '%(name)s' besides its index of the same name",
            params={"name": name},
            where=Where(file=file, column=str(name)),
        )
    out = df.reset_index(names=name)
    out.columns = [str(c) for c in out.columns]
    return out


def _arrow(df: pd.DataFrame) -> pa.Table | None:
    try:
        return pa.Table.from_pandas(df, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
        return None


def write_table(df: pd.DataFrame, path: str | Path) -> None:
    """Write ``df`` to ``path``; the format follows the extension.

    ``.csv`` UTF-8 with commas; ``.xlsx`` one sheet (openpyxl); ``.parquet`` (pyarrow);
    ``.json`` a list of records. Raises ``AnswersError`` ``unknown_format`` for other
    extensions, ``too_many_rows`` for Excel beyond its row limit, ``cannot_write`` when the
    file cannot be written.
    """
    p = Path(path)
    file = str(path)
    ext = p.suffix.lower()
    if ext not in FORMATS:
        raise AnswersError(
            "unknown_format",
            "cannot write '%(ext)s' files; use one of %(known)s",
            params={"ext": ext or "(no extension)", "known": ", ".join(FORMATS)},
            where=Where(file=file),
        )
    out = _with_index(df, file)
    if ext == ".xlsx" and len(out) > _EXCEL_MAX_ROWS:
        raise AnswersError(
            "too_many_rows",
            "an Excel sheet holds at most %(max)s rows, the table has %(n)s; write .csv or .parquet",
            params={"max": _EXCEL_MAX_ROWS, "n": len(out)},
            where=Where(file=file),
        )
    # Write beside the target and rename: a failure never leaves a half-written file behind.
    tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp")
    try:
        _write(out, tmp, ext)
        os.replace(tmp, p)
    except OSError as exc:
        raise AnswersError(
            "cannot_write",
            "cannot write the file: %(problem)s",
            params={"problem": exc.strerror or str(exc)},
            where=Where(file=file),
        ) from None
    finally:
        tmp.unlink(missing_ok=True)


def _write(out: pd.DataFrame, path: Path, ext: str) -> None:
    if ext == ".csv":
        table = _arrow(out)
        if table is not None:
            pacsv.write_csv(table, str(path))
        else:
            out.to_csv(path, index=False, encoding="utf-8")
    elif ext == ".parquet":
        table = _arrow(out)
        if table is None:
            table = pa.Table.from_pandas(out.astype({c: "string" for c in out.columns if out[c].dtype == object}))
        pq.write_table(table, str(path))
    elif ext == ".xlsx":
        out.to_excel(path, index=False, engine="openpyxl", sheet_name="results")
    else:
        out.to_json(path, orient="records", force_ascii=False, indent=1)


def write_files(jobs: Sequence[tuple[Path, Callable[[Path], None]]]) -> None:
    """Write several files all or nothing.

    Each ``(target, write)`` job writes a temporary file beside its target (``write(tmp)``); only
    when every job has succeeded are the files renamed into place. If a rename fails, the files
    already renamed are put back as they were, so a failure leaves neither a half-written file nor
    a data file without its companion. Raises ``AnswersError`` ``cannot_write`` naming the file.
    """

    def cannot(target: Path, exc: OSError) -> AnswersError:
        return AnswersError(
            "cannot_write",
            "cannot write the file: %(problem)s",
            params={"problem": exc.strerror or str(exc)},
            where=Where(file=str(target)),
        )

    pid = os.getpid()
    done: list[tuple[Path, Path]] = []
    placed: list[tuple[Path, Path | None]] = []  # target, backup of what was there before
    try:
        for target, write in jobs:
            tmp = target.with_name(f".{target.name}.{pid}.tmp")
            done.append((tmp, target))
            try:
                write(tmp)
            except OSError as exc:
                raise cannot(target, exc) from None
        for tmp, target in done:
            backup = None
            try:
                if target.is_file():
                    backup = target.with_name(f".{target.name}.{pid}.bak")
                    os.replace(target, backup)
                os.replace(tmp, target)
            except OSError as exc:
                if backup is not None:
                    os.replace(backup, target)
                for earlier, earlier_backup in reversed(placed):
                    if earlier_backup is not None:
                        os.replace(earlier_backup, earlier)
                    else:
                        earlier.unlink(missing_ok=True)
                placed.clear()
                raise cannot(target, exc) from None
            placed.append((target, backup))
    finally:
        for tmp, _ in done:
            tmp.unlink(missing_ok=True)
    for _, backup in placed:
        if backup is not None:
            backup.unlink(missing_ok=True)
