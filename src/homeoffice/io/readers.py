"""Read survey answers from the files users have: CSV (any common dialect), Excel and SPSS.

What is read (thesis chapter 3.4 and 4: answers on 1-5 scales, or the published category means):

* **Formats.** CSV with comma, semicolon or tab separators (sniffed from the first 64 KiB),
  decimal comma in semicolon files, UTF-8 with or without BOM, or Windows-1252 (used when the
  file is not valid UTF-8); XLSX via openpyxl (the first sheet, or ``sheet``); SPSS ``.sav``
  and ``.zsav`` via pyreadstat. Anything else, UTF-16 or binary data gets a clear error.
* **SPSS.** A value with a value label is read as its label (so labels, not the file's own
  numbers, decide the code, as for answer texts); a value without a label as its number.
  User-missing values are missing, except the response set's not-applicable codes, which are
  recorded as not applicable. Rows of a ``.sav`` file are case numbers (1 = the first case).
* **Header rows.** A mapping's ``header_rows`` (Qualtrics: 3) skips the rows under the names.
* **Answers.** Numeric codes, or the response set's answer texts in nb or en, ignoring case and
  spacing, as Microsoft Forms and Nettskjema export them. Not-applicable texts and codes become
  NaN. Item cells must be whole numbers within the response set's min..max.
* **Columns.** A column is recognised by the item id (``fam1``), the question text in nb or en,
  or a column-mapping file (:mod:`homeoffice.io.mapping`). Every scored item must have a column;
  context items and open questions are optional. Other columns are an error (so that a file of
  another instrument or version is not scored as if it fitted), except the id column and the
  metadata survey tools add: :data:`METADATA_COLUMNS` and Nettskjema's ``$``-columns. A mapping's
  ``ignore`` list or ``ignore_unknown: true`` skips further columns.
* **Respondent id.** ``id_column``, else the mapping's ``id_column``, else the first column named
  one of :data:`ID_COLUMNS` (any case), else row numbers ``"1"``, ``"2"``, ...
* **Unit.** The mapping's ``unit_column``, else a column named one of :data:`UNIT_COLUMNS`, is
  read as the respondent's unit label (``Answers.unit``).
* **Own exports.** A file with the columns :data:`EXPORT_MARKERS` is an export of this program
  (:mod:`homeoffice.io.exports`): its result columns (scores, classification, provenance) and
  group columns are skipped, and every row's ``instrument_id`` must be this instrument's.
* **Scale-level input.** When the instrument's scoring profile accepts it and the file has one
  column per scale (by id or name) and no item columns, the scale means are read (non-integer
  values allowed within the scale's range) into ``Answers.scale_values``. Table 4.2 of the thesis
  is read this way.

Every problem raises :class:`~homeoffice.errors.AnswersError` with a stable ``code`` and a location:
file, row (the 1-based line of the file or sheet, header = 1), column and item.
:func:`read_answers_checked` instead goes on reading and returns every problem (up to a limit),
each with its row and column: what an import preview shows.

Speed: a numeric UTF-8 CSV goes through ``pyarrow.csv`` (multi-threaded) with the item columns
typed as int8, then straight into one float32 matrix (codes are whole numbers, exact in float32);
ranges are checked with one min/max per column and searched cell by cell only when that fails.
Text answers and decimal commas take a
dictionary-encoded path that maps each distinct value once.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import os
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from homeoffice.classification import AXES
from homeoffice.errors import AnswersError, Where
from homeoffice.instruments import Instrument
from homeoffice.io.labels import Coder, check_mapping_labels, item_coder, parse_number, scale_coder
from homeoffice.io.mapping import ColumnMapping, norm

ID_COLUMNS = ("respondent_id", "respondent id", "id", "respondent", "informant")
"""Column names (compared ignoring case) taken as the respondent id, in this order of preference.
``ID`` and ``Respondent ID`` are Microsoft Forms' spellings."""

METADATA_COLUMNS = frozenset(
    {
        # Microsoft Forms (en, nb)
        "start time",
        "completion time",
        "last modified time",
        "email",
        "name",
        "starttidspunkt",
        "fullføringstidspunkt",
        "tidspunkt for siste endring",
        "e-post",
        "navn",
        # Google Forms and generic exports (en, nb)
        "timestamp",
        "tidsmerke",
        "email address",
        "e-postadresse",
    }
)
"""Columns survey tools add that carry no answers; skipped without error (compared ignoring case).
Nettskjema's system columns, whose names start with ``$`` (``$submission_id``, ``$created``), are
skipped too."""

UNIT_COLUMNS = ("unit", "enhet")
"""Column names (compared ignoring case) read as the respondent's unit when no mapping names one."""

EXPORT_MARKERS = ("instrument_id", "instrument_version", "homeoffice_version")
"""Provenance columns that mark a file as an export of this program (all three must be present)."""

RESULT_COLUMNS = frozenset(
    {
        "job_situation",
        "iso_strain",
        "negative_acts_frequent",
        "pwe_index",
        "pwe_level",
        "productivity_index",
        "productivity_level",
        "situation",
        "distance_to_optimal",
        "instrument_id",
        "instrument_version",
        "scoring_profile",
        "cut_policy",
        "cut_source",
        "homeoffice_version",
        *(f"cut_{axis}" for axis in AXES),
    }
)
"""Classification and provenance columns of a result table (``pipeline.score_table``), skipped in
this program's own exports together with the instrument's score ids."""

MAX_PROBLEMS = 10_000
""":func:`read_answers_checked` reports at most this many problems, then how many more there are."""

NULL_TEXTS = ["", "NA", "N/A", "n/a", "NaN", "nan", "#N/A", "null", "NULL"]
"""Cell texts read as missing answers."""

_SAMPLE_BYTES = 1 << 16
_TYPE_SAMPLE_ROWS = 100  # rows of the sample that decide a column's type for pyarrow
_PARALLEL_CELLS = 2_000_000  # below this, one thread is faster than starting a pool
_MAX_HEADER_BYTES = 1 << 24
_NOT_CSV = {".xls", ".ods", ".por", ".dta", ".sas7bdat", ".parquet", ".json", ".pdf", ".docx"}
_INT_TEXT = re.compile(r"^-?\d+$")
_DECIMAL_COMMA = re.compile(r"^\s*-?\d+,\d+\s*$")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
_SEP_HINT = re.compile(r"^sep=(.)\r?\n?$", re.IGNORECASE)
_DICT = pa.dictionary(pa.int32(), pa.string())
_CODE, _NUMBER, _TEXT = "code", "number", "text"


@dataclass(frozen=True)
class Answers:
    """Survey answers fitted to an instrument.

    ``codes``: float32 (respondents x ``instrument.scored_items``), raw codes, NaN = missing or not
    applicable (column-major). ``scale_values``: only for scale-level input, float64 (respondents x
    ``instrument.spec.scales``) raw-metric means; then ``codes`` is all NaN. ``context``: context
    item ids -> raw codes (all of the instrument's context items; NaN where absent). ``open_text``:
    open question ids -> text (pandas ``string``; all missing where absent). ``source``: file name.
    ``not_applicable``: for the items (scored or context) where someone answered "not applicable",
    the not-applicable code given (float32; NaN elsewhere); None when nobody did. ``codes`` and
    ``context`` hold NaN there, as the model reads such answers (model.md section 3).
    ``unit``: the unit label per respondent (pandas ``string``), or None without a unit column.
    """

    respondent_id: pd.Index
    codes: np.ndarray
    scale_values: np.ndarray | None
    context: pd.DataFrame
    open_text: pd.DataFrame
    source: str
    not_applicable: pd.DataFrame | None = None
    unit: pd.Series | None = None


# ---------------------------------------------------------------- columns


@dataclass
class _Plan:
    id_pos: int | None
    targets: dict[int, str]  # column position -> instrument id
    kinds: dict[int, str]  # column position -> _CODE | _NUMBER | _TEXT
    unnamed: list[int]  # positions of columns without a header, which must be empty
    scale_mode: bool
    unit_pos: int | None = None
    instrument_pos: int | None = None  # an own export's instrument_id column, checked row by row
    na_codes: dict[int, tuple[float, ...]] = field(default_factory=dict)  # position -> not-applicable codes


def _report(problems: list[AnswersError] | None, error: AnswersError) -> None:
    """Raise ``error``, or keep it when collecting every problem."""
    if problems is None:
        raise error
    problems.append(error)


def _col_label(header: Sequence[str], pos: int) -> str:
    return header[pos] if header[pos].strip() else f"(column {pos + 1}, no name)"


def _plan_columns(
    header: list[str],
    instrument: Instrument,
    mapping: ColumnMapping | None,
    id_column: str | None,
    file: str,
    problems: list[AnswersError] | None = None,
) -> _Plan:
    """Which column holds what. With ``problems``, header problems are kept there and planning goes on."""
    spec = instrument.spec
    scored = [i.id for i in instrument.scored_items]
    context = [i.id for i in instrument.context_items]
    opens = [q.id for q in spec.open_questions]
    scales = [s.id for s in spec.scales] if spec.scoring.accepts_scale_input else []
    all_ids = set(scored) | set(context) | set(opens) | set(scales)

    known: dict[str, str] = {}
    for ident in [*scored, *context, *opens, *scales]:
        known.setdefault(norm(ident), ident)
    for item in spec.items:
        for text in (item.text.nb, item.text.en):
            known.setdefault(norm(text), item.id)
    for q in spec.open_questions:
        for text in (q.text.nb, q.text.en):
            known.setdefault(norm(text), q.id)
    if scales:
        for s in spec.scales:
            for text in (s.name.nb, s.name.en):
                known.setdefault(norm(text), s.id)

    mapped: dict[str, str] = {}
    ignore: set[str] = set()
    if mapping is not None:
        for col, target in mapping.columns.items():
            if target not in all_ids:
                raise mapping.fail(
                    f"columns.{col}",
                    "'%(target)s' is no item, context item, open question or scale id of instrument %(instrument)s"
                    if scales
                    else "'%(target)s' is no item, context item, open question id of instrument %(instrument)s",
                    target=target,
                    instrument=instrument.id,
                )
            mapped[norm(col)] = target
        ignore = {norm(c) for c in mapping.ignore}
        check_mapping_labels(instrument, mapping)

    keys = [norm(h) for h in header]
    # An export of this program: its score, classification, provenance and group columns are no answers.
    export_mode = all(m in keys for m in EXPORT_MARKERS)
    export_skip = {norm(c) for c in RESULT_COLUMNS} | {norm(s) for s in instrument.score_ids}

    def named_column(wanted: str, code: str, message: str) -> int | None:
        exact = [p for p, h in enumerate(header) if h == wanted]
        loose = [p for p, k in enumerate(keys) if k == norm(wanted)]
        if not exact and not loose:
            _report(
                problems,
                AnswersError(
                    code,
                    message,
                    params={"wanted": wanted, "columns": _quote_list(header)},
                    where=Where(file=file, row=1, column=wanted),
                ),
            )
            return None
        return (exact or loose)[0]

    id_pos: int | None = None
    wanted = id_column or (mapping.id_column if mapping is not None else None)
    if wanted:
        id_pos = named_column(
            wanted, "missing_id_column", "there is no id column '%(wanted)s'; the columns are: %(columns)s"
        )
    else:
        for cand in ID_COLUMNS:
            if cand in keys and cand not in known and cand not in mapped:
                id_pos = keys.index(cand)
                break

    unit_pos: int | None = None
    if mapping is not None and mapping.unit_column:
        unit_pos = named_column(
            mapping.unit_column,
            "missing_unit_column",
            "there is no unit column '%(wanted)s'; the columns are: %(columns)s",
        )
    else:
        for cand in UNIT_COLUMNS:
            if cand in keys and cand not in known and cand not in mapped and keys.index(cand) != id_pos:
                unit_pos = keys.index(cand)
                break

    targets: dict[int, str] = {}
    by_target: dict[str, int] = {}
    unknown: list[int] = []
    unnamed: list[int] = []
    instrument_pos: int | None = None
    for pos, key in enumerate(keys):
        if pos in (id_pos, unit_pos):
            continue
        if not key:
            unnamed.append(pos)
            continue
        if key in mapped:
            target = mapped[key]
        elif key in ignore:
            continue
        elif export_mode and key in export_skip:
            if key == "instrument_id":
                instrument_pos = pos
            continue
        elif key in known:
            target = known[key]
        elif (
            key.startswith("$")
            or key in METADATA_COLUMNS
            or export_mode
            or (mapping is not None and mapping.ignore_unknown)
        ):
            continue
        else:
            unknown.append(pos)
            continue
        if target in by_target:
            first = by_target[target]
            _report(
                problems,
                AnswersError(
                    "duplicate_column",
                    "the columns '%(first)s' and '%(second)s' both hold %(target)s; keep one",
                    params={"first": header[first], "second": header[pos], "target": target},
                    where=Where(file=file, row=1, column=header[pos], item=target),
                ),
            )
            continue
        by_target[target] = pos
        targets[pos] = target

    has_items = any(t in scored for t in targets.values())
    has_scales = any(t in scales for t in targets.values())
    if has_items and has_scales:
        scale_cols = [header[p] for p, t in targets.items() if t in scales]
        _report(
            problems,
            AnswersError(
                "mixed_levels",
                "the file has both item columns and scale columns (%(scales)s); give either one column per "
                "item or one column per scale",
                params={"scales": _quote_list(scale_cols)},
                where=Where(file=file, row=1, column=scale_cols[0]),
            ),
        )
        targets = {p: t for p, t in targets.items() if t not in scales}
        by_target = {t: p for t, p in by_target.items() if t not in scales}
        has_scales = False
    scale_mode = has_scales
    required = scales if scale_mode else scored
    missing = [t for t in required if t not in by_target]
    collecting = problems is not None
    if missing:
        message = f"missing {'scale' if scale_mode else 'item'} columns: %(missing)s (%(n)s of %(total)s)"
        params: dict[str, object] = {"missing": ", ".join(missing), "n": len(missing)}
        params["total"] = len(required)
        if unknown and not collecting:  # when collecting, each unknown column is a problem of its own
            message += "; the file has columns the instrument does not know: %(unknown)s"
            params["unknown"] = _quote_list([header[p] for p in unknown])
        message += ". Name each column by its id or question text, or map the names with a mapping file"
        if scales and not scale_mode:
            message += " (this instrument also accepts one column per scale: %(scale_ids)s)"
            params["scale_ids"] = ", ".join(scales)
        _report(problems, AnswersError("missing_columns", message, params=params, where=Where(file=file, row=1)))
    if unknown:
        groups = [[p] for p in unknown] if collecting else [unknown]
        for group in groups:
            names = [header[p] for p in group]
            _report(
                problems,
                AnswersError(
                    "unknown_columns",
                    "unknown columns: %(names)s. Columns must be item, context or open question ids or texts of "
                    "instrument %(instrument)s, or the id column; list others under 'ignore:' in a mapping file",
                    params={"names": _quote_list(names), "instrument": instrument.id},
                    where=Where(file=file, row=1, column=names[0]),
                ),
            )

    kinds = {}
    for pos, target in targets.items():
        if target in opens:
            kinds[pos] = _TEXT
        elif target in scales:
            kinds[pos] = _NUMBER
        else:
            kinds[pos] = _CODE
    for pos in unnamed:
        kinds[pos] = _TEXT
    for pos in (id_pos, unit_pos, instrument_pos):
        if pos is not None:
            kinds[pos] = _TEXT
    return _Plan(id_pos, targets, kinds, unnamed, scale_mode, unit_pos, instrument_pos)


def _quote_list(names: Sequence[str], limit: int = 12) -> str:
    shown = ", ".join(f"'{n}'" for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


# ---------------------------------------------------------------- sources


class _Source:
    """A file opened for reading: its header, then the planned columns as arrow arrays.

    ``extra_header`` holds the header rows under the names (``header_rows`` > 1); ``labels`` the
    variable labels of an SPSS file (empty texts for other formats).
    """

    file: str
    header: list[str]
    extra_header: list[list[str]]
    labels: list[str]

    def read(self, plan: _Plan) -> tuple[dict[int, pa.ChunkedArray], int]:
        raise NotImplementedError

    def lines(self, rows: Sequence[int]) -> list[int]:
        """File lines (1-based, header = 1 for a header on the first line) of data rows."""
        raise NotImplementedError


def _not_text(file: str, sample: bytes) -> AnswersError:
    from charset_normalizer import from_bytes

    guess = from_bytes(sample[:4096]).best() if sample else None
    seen = " (it looks like %(encoding)s)" if guess is not None and guess.encoding else ""
    return AnswersError(
        "wrong_encoding",
        f"the file is neither UTF-8 nor Windows-1252 text{seen}; save it as CSV UTF-8 or as an Excel workbook",
        params={"encoding": guess.encoding} if seen else None,
        where=Where(file=file),
    )


def _detect_encoding(file: str, sample: bytes, whole: bool) -> str:
    """'utf-8-sig', 'utf-8' or 'cp1252', judged on a sample of the file."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in sample:
        raise _not_text(file, sample)
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(sample, final=whole)
        encoding = "utf-8"
    except UnicodeDecodeError:
        try:
            text = sample.decode("cp1252")
        except UnicodeDecodeError:
            raise _not_text(file, sample) from None
        encoding = "cp1252"
    if len(_CONTROLS.findall(text)) > len(text) // 100:
        raise _not_text(file, sample)
    return encoding


def _sniff_separator(text: str) -> str:
    """The separator that splits the first rows into the same number (> 1) of fields."""
    best, best_n = ",", 1
    for sep in (",", ";", "\t"):
        try:
            rows = [r for r in itertools.islice(csv.reader(io.StringIO(text), delimiter=sep), 60) if r][:50]
        except csv.Error:
            continue
        if not rows:
            continue
        n = len(rows[0])
        consistent = all(len(r) == n for r in rows[1:])
        if n > best_n and consistent:
            best, best_n = sep, n
    if best_n == 1:  # no consistent split: take the separator most frequent in the header line
        first = text.splitlines()[0] if text else ""
        counts = {sep: first.count(sep) for sep in (",", ";", "\t")}
        best = max(counts, key=lambda s: counts[s]) if any(counts.values()) else ","
    return best


class _CsvSource(_Source):
    def __init__(self, path: Path, file: str, header_rows: int = 1) -> None:
        self.path = path
        self.file = file
        self.header_rows = header_rows
        self.extra_header = []
        size = path.stat().st_size
        if size == 0:
            raise AnswersError("empty", "the file is empty", where=Where(file=file))
        want = _SAMPLE_BYTES
        while True:
            with path.open("rb") as f:
                raw = f.read(want)
            whole = len(raw) >= size
            self.encoding = _detect_encoding(file, raw[:_SAMPLE_BYTES], whole)
            text = codecs.getincrementaldecoder(self.encoding)(errors="replace").decode(raw, final=whole)
            if not whole:
                text = text[: text.rfind("\n") + 1]
            lines = text.splitlines(keepends=True)
            if not text.strip():
                if whole:
                    raise AnswersError("empty", "the file holds no text", where=Where(file=file))
            else:
                hint = _SEP_HINT.match(lines[0])  # Excel's "sep=;" first line
                self.skip_lines = 1 if hint else 0
                self.sep = hint.group(1) if hint else _sniff_separator(text)
                header_end = self._header(lines, whole)
                if header_end is not None or whole or want >= _MAX_HEADER_BYTES:
                    break
            want *= 4
        if header_end is None:
            raise AnswersError("bad_csv", "the header line never ends", where=Where(file=file, row=1))
        bom = len(codecs.BOM_UTF8) if self.encoding == "utf-8-sig" else 0
        codec = "utf-8" if self.encoding == "utf-8-sig" else self.encoding
        self.data_offset = bom + len("".join(lines[:header_end]).encode(codec, errors="replace"))
        self.newlines_in_values = any("\n" in cell or "\r" in cell for row in self.sample_rows for cell in row)
        if whole and not self.sample_rows:
            raise AnswersError("empty", "the file has a header but no answers", where=Where(file=file, row=1))
        cells = [c for row in self.sample_rows for c in row]
        decimal_comma = self.sep != "," and any(_DECIMAL_COMMA.match(c) for c in cells)
        self.decimal_point = "," if decimal_comma else "."

    def _header(self, lines: list[str], whole: bool) -> int | None:
        """Parse the header from the sample; the number of lines it spans, or None if cut off."""
        reader = csv.reader(lines[self.skip_lines :], delimiter=self.sep)
        try:
            header = next(r for r in reader if r)
        except StopIteration:
            return None
        except csv.Error as exc:
            raise AnswersError(
                "bad_csv",
                "cannot read the header: %(problem)s",
                params={"problem": str(exc)},
                where=Where(file=self.file, row=1),
            ) from None
        extra = []
        for _ in range(self.header_rows - 1):
            try:
                extra.append(next(r for r in reader if r))
            except (StopIteration, csv.Error):
                if not whole:
                    return None
                break
        end = reader.line_num + self.skip_lines
        if not whole and end >= len(lines):
            return None  # the header may go on past the sample
        self.header = [h.lstrip("\ufeff").strip() for h in header]
        self.extra_header = [[c.strip() for c in row] for row in extra]
        self.labels = [""] * len(self.header)
        try:
            rest = [r for r in reader if r]
        except csv.Error:
            rest = []
        if not whole and rest:
            rest = rest[:-1]  # the sample's last row may be cut off
        self.sample_rows = rest
        return end

    # -- reading

    def _types(self, plan: _Plan, all_dict: bool) -> dict[str, pa.DataType]:
        types: dict[str, pa.DataType] = {}
        for pos, kind in plan.kinds.items():
            if kind == _TEXT:
                types[f"c{pos}"] = pa.string()
                continue
            if all_dict:
                types[f"c{pos}"] = _DICT
                continue
            values = [r[pos].strip() for r in self.sample_rows[:_TYPE_SAMPLE_ROWS] if pos < len(r)]
            values = [v for v in values if v not in NULL_TEXTS]
            if kind == _CODE and all(_INT_TEXT.match(v) for v in values):
                types[f"c{pos}"] = pa.int8() if all(-128 <= int(v) <= 127 for v in values) else pa.float64()
            elif kind == _NUMBER and all(_is_number(v, self.decimal_point) for v in values):
                types[f"c{pos}"] = pa.float64()
            else:
                types[f"c{pos}"] = _DICT
        return types

    def read(self, plan: _Plan) -> tuple[dict[int, pa.ChunkedArray], int]:
        all_dict = False
        newlines = self.newlines_in_values
        names = [f"c{i}" for i in range(len(self.header))]
        include = [f"c{p}" for p in sorted(plan.kinds)]
        for _ in range(8):
            types = self._types(plan, all_dict)
            try:
                with pa.memory_map(str(self.path)) as src:
                    src.seek(self.data_offset)
                    table = pacsv.read_csv(
                        src,
                        read_options=pacsv.ReadOptions(
                            column_names=names,
                            encoding="utf8" if self.encoding.startswith("utf-8") else self.encoding,
                            block_size=1 << 22,
                        ),
                        parse_options=pacsv.ParseOptions(delimiter=self.sep, newlines_in_values=newlines),
                        convert_options=pacsv.ConvertOptions(
                            column_types=types,
                            include_columns=include,
                            null_values=NULL_TEXTS,
                            strings_can_be_null=True,
                            quoted_strings_can_be_null=True,
                            decimal_point=self.decimal_point,
                        ),
                    )
                break
            except UnicodeDecodeError:
                raise _not_text(self.file, self.path.read_bytes()[:_SAMPLE_BYTES]) from None
            except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
                msg = str(exc)
                if "UTF8" in msg or "UTF-8" in msg:
                    if self.encoding == "cp1252":
                        raise _not_text(self.file, self.path.read_bytes()[:_SAMPLE_BYTES]) from None
                    self.encoding = "cp1252"
                    continue
                if "Expected" in msg and "columns" in msg:
                    if not newlines:
                        newlines = True
                        continue
                    raise self._field_count_error() from None
                if "conversion error" in msg and not all_dict:
                    all_dict = True
                    continue
                raise AnswersError(
                    "bad_csv",
                    "cannot read the file as CSV: %(problem)s",
                    params={"problem": msg},
                    where=Where(file=self.file),
                ) from None
        else:  # pragma: no cover - every branch above either continues a bounded number of times or raises
            raise AnswersError("bad_csv", "cannot read the file as CSV", where=Where(file=self.file))
        return {p: table.column(f"c{p}") for p in plan.kinds}, table.num_rows

    def _rows(self):
        """(first line, fields) of each non-empty data row, as pyarrow sees them."""
        with self.path.open(encoding=self.encoding, errors="replace", newline="") as f:
            for _ in range(self.skip_lines):
                f.readline()
            reader = csv.reader(f, delimiter=self.sep)
            last = self.skip_lines
            header_left = self.header_rows
            for row in reader:
                start, last = last + 1, reader.line_num + self.skip_lines
                if not row:
                    continue
                if header_left:
                    header_left -= 1
                    continue
                yield start, row

    def lines(self, rows: Sequence[int]) -> list[int]:
        wanted = set(rows)
        found: dict[int, int] = {}
        for k, (line, _) in enumerate(self._rows()):
            if k in wanted:
                found[k] = line
                if len(found) == len(wanted):
                    break
        return [found.get(r, r + 2) for r in rows]

    def _field_count_error(self) -> AnswersError:
        n = len(self.header)
        for line, row in self._rows():
            if len(row) != n:
                return AnswersError(
                    "bad_csv",
                    "the row has %(got)s fields but the header has %(n)s (separator '%(sep)s')",
                    params={"got": len(row), "n": n, "sep": self.sep},
                    where=Where(file=self.file, row=line),
                )
        return AnswersError("bad_csv", "rows have different numbers of fields", where=Where(file=self.file))


def _is_number(text: str, decimal_point: str) -> bool:
    """Would pyarrow read ``text`` as a number with this decimal point?"""
    other = "." if decimal_point == "," else ","
    return parse_number(text) is not None and other not in text


class _XlsxSource(_Source):
    def __init__(self, path: Path, file: str, sheet: str | None, header_rows: int = 1) -> None:
        import zipfile

        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        self.file = file
        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
            raise AnswersError(
                "unknown_format",
                "cannot open the file as an Excel workbook (.xlsx): %(problem)s",
                params={"problem": str(exc) or type(exc).__name__},
                where=Where(file=file),
            ) from None
        try:
            names = wb.sheetnames
            if sheet is None:
                if not wb.worksheets:
                    raise AnswersError("empty", "the workbook has no worksheets", where=Where(file=file))
                ws = wb.worksheets[0]
            else:
                match = [n for n in names if n == sheet] or [n for n in names if norm(n) == norm(sheet)]
                if not match:
                    raise AnswersError(
                        "unknown_sheet",
                        "the workbook has no sheet '%(sheet)s'; its sheets are: %(names)s",
                        params={"sheet": sheet, "names": _quote_list(names)},
                        where=Where(file=file),
                    )
                ws = wb[match[0]]
            rows: list[tuple] = []
            lines: list[int] = []
            header: tuple | None = None
            extra: list[tuple] = []
            for number, row in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1):
                if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
                    continue
                if header is None:
                    header = row
                    continue
                if len(extra) < header_rows - 1:
                    extra.append(row)
                    continue
                rows.append(row)
                lines.append(number)
        finally:
            wb.close()
        if header is None:
            raise AnswersError("empty", "the sheet is empty", where=Where(file=file))
        if not rows:
            raise AnswersError("empty", "the sheet has a header but no answers", where=Where(file=file, row=1))
        width = max(len(header), *(len(r) for r in rows))
        self.header = [_cell_text(v).strip() if v is not None else "" for v in header] + [""] * (width - len(header))
        self.extra_header = [[_cell_text(v).strip() if v is not None else "" for v in row] for row in extra]
        self.labels = [""] * width
        self.rows = rows
        self.row_lines = lines

    def read(self, plan: _Plan) -> tuple[dict[int, pa.ChunkedArray], int]:
        out: dict[int, pa.ChunkedArray] = {}
        for pos, kind in plan.kinds.items():
            values = [r[pos] if pos < len(r) else None for r in self.rows]
            numeric = all(v is None or (isinstance(v, int | float) and not isinstance(v, bool)) for v in values)
            if kind != _TEXT and numeric:
                arr = pa.array(values, type=pa.float64())
            else:
                arr = pa.array([None if v is None else _cell_text(v) for v in values], type=pa.string())
                if kind != _TEXT:
                    arr = arr.dictionary_encode()
            out[pos] = pa.chunked_array([arr])
        return out, len(self.rows)

    def lines(self, rows: Sequence[int]) -> list[int]:
        return [self.row_lines[r] for r in rows]


class _SavSource(_Source):
    """An SPSS ``.sav``/``.zsav`` file read with pyreadstat (value labels and user-missing values kept)."""

    def __init__(self, path: Path, file: str) -> None:
        import pyreadstat

        self.file = file
        try:
            df, meta = pyreadstat.read_sav(str(path), user_missing=True)
        except Exception as exc:  # pyreadstat raises its own errors, OSError or ValueError for damaged files
            raise AnswersError(
                "unknown_format",
                "cannot open the file as an SPSS data file (.sav): %(problem)s",
                params={"problem": str(exc) or type(exc).__name__},
                where=Where(file=file),
            ) from None
        self.header = [str(n) for n in meta.column_names]
        if not self.header:
            raise AnswersError("empty", "the file is empty", where=Where(file=file))
        if len(df) == 0:
            raise AnswersError("empty", "the file has a header but no answers", where=Where(file=file, row=1))
        names_to_labels = meta.column_names_to_labels or {}
        self.labels = [(names_to_labels.get(n) or "").strip() for n in self.header]
        self.extra_header = []
        self.frame = df
        self.value_labels: dict[str, dict[float, str]] = {
            name: {float(v): str(t) for v, t in pairs.items() if isinstance(v, int | float)}
            for name, pairs in (meta.variable_value_labels or {}).items()
        }
        self.missing: dict[str, list[tuple[float, float]]] = {}
        for name, ranges in (meta.missing_ranges or {}).items():
            spans = [(r["lo"], r["hi"]) for r in ranges if isinstance(r.get("lo"), int | float)]
            if spans:
                self.missing[name] = [(float(lo), float(hi)) for lo, hi in spans]

    def _user_missing(self, name: str, values: np.ndarray) -> np.ndarray:
        out = np.zeros(len(values), dtype=bool)
        for lo, hi in self.missing.get(name, []):
            out |= (values >= lo) & (values <= hi)
        return out

    def read(self, plan: _Plan) -> tuple[dict[int, pa.ChunkedArray], int]:
        out: dict[int, pa.ChunkedArray] = {}
        for pos, kind in plan.kinds.items():
            name = self.header[pos]
            series = self.frame.iloc[:, pos]
            if not pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
                texts = [None if _is_blank(v) else _cell_text(v).strip() or None for v in series.tolist()]
                arr = pa.array(texts, type=pa.string())
                out[pos] = pa.chunked_array([arr.dictionary_encode() if kind != _TEXT else arr])
                continue
            values = series.to_numpy(dtype=float)
            labels = self.value_labels.get(name, {})
            if kind != _TEXT and not labels and name not in self.missing:
                out[pos] = pa.chunked_array([pa.array(values, from_pandas=True)])
                continue
            # One text per distinct value: its label, else its number; user-missing values are missing,
            # except the column's not-applicable codes, which the reader records as such.
            uniq, idx = np.unique(values, return_inverse=True)
            keep_na = np.isin(uniq, plan.na_codes.get(pos, ()))
            dropped = self._user_missing(name, uniq) & ~keep_na
            texts = [
                None if (np.isnan(v) or gone) else labels.get(float(v), _fmt_value(float(v)))
                for v, gone in zip(uniq.tolist(), dropped.tolist(), strict=True)
            ]
            gone_rows = np.array([t is None for t in texts], dtype=bool)[idx]
            dictionary = pa.array([t or "" for t in texts], type=pa.string())
            indices = pa.array(idx.astype(np.int32), mask=gone_rows)
            arr = pa.DictionaryArray.from_arrays(indices, dictionary)
            if kind == _TEXT:
                arr = arr.cast(pa.string())
            out[pos] = pa.chunked_array([arr])
        return out, len(self.frame)

    def lines(self, rows: Sequence[int]) -> list[int]:
        return [r + 1 for r in rows]


def _is_blank(v: object) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) or (isinstance(v, str) and not v.strip())


def _cell_text(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if hasattr(v, "isoformat"):
        return v.isoformat()  # type: ignore[union-attr]
    return str(v)


# ---------------------------------------------------------------- conversion


def _copy_numeric(chunk: pa.Array, dst: np.ndarray) -> None:
    """Copy a numeric arrow array into ``dst`` (float) in one casting pass; nulls become NaN.

    Reads the value buffer directly (no intermediate float array) and applies the validity
    bitmap only when the chunk has nulls.
    """
    n = len(chunk)
    data = chunk.buffers()[1]
    if data is None or chunk.null_count == n:
        dst[:] = np.nan
        return
    dtype = np.dtype(chunk.type.to_pandas_dtype())
    values = np.frombuffer(data, dtype=dtype, count=n, offset=chunk.offset * dtype.itemsize)
    np.copyto(dst, values, casting="unsafe")
    if chunk.null_count:
        bits = np.frombuffer(chunk.buffers()[0], dtype=np.uint8)
        valid = np.unpackbits(bits, count=chunk.offset + n, bitorder="little")[chunk.offset :]
        dst[valid == 0] = np.nan


def _fmt_value(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


class _Converter:
    """Turns planned columns into codes, raising located errors (or, when collecting, keeping them all)."""

    def __init__(
        self, source: _Source, header: list[str], problems: list[AnswersError] | None = None, limit: int = MAX_PROBLEMS
    ) -> None:
        self.source = source
        self.header = header
        self.problems = problems
        self.limit = limit
        self.pending: list[tuple[int, int, str, str, str | None, dict[str, object]]] = []
        self.more = 0  # problems beyond the limit
        self.not_applicable: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # target -> (rows, codes)

    def fail(self, code: str, message: str, pos: int, row: int | None, item: str | None, **params) -> AnswersError:
        line = self.source.lines([row])[0] if row is not None else 1
        return AnswersError(
            code,
            message,
            params=params,
            where=Where(file=self.source.file, row=line, column=_col_label(self.header, pos), item=item),
        )

    def keep(self, row: int, pos: int, code: str, message: str, item: str | None, **params: object) -> None:
        """Keep a cell problem (collecting mode); its file line is looked up once for all, in :meth:`finish`."""
        if len(self.pending) >= self.limit:
            self.more += 1
            return
        self.pending.append((row, pos, code, message, item, params))

    def finish(self) -> None:
        """Turn the kept cell problems into located errors, in file order."""
        if self.problems is None or not self.pending:
            return
        lines = self.source.lines([p[0] for p in self.pending])
        order = sorted(range(len(self.pending)), key=lambda k: (lines[k], self.pending[k][1]))
        for k in order:
            _, pos, code, message, item, params = self.pending[k]
            where = Where(file=self.source.file, row=lines[k], column=_col_label(self.header, pos), item=item)
            self.problems.append(AnswersError(code, message, params=params, where=where))
        self.pending.clear()

    def fill(self, col: pa.ChunkedArray, coder: Coder, out: np.ndarray, pos: int) -> None:
        """Write the codes of ``col`` into ``out`` (1-D float) and check them."""
        t = col.type
        if pa.types.is_integer(t) or pa.types.is_floating(t):
            at = 0
            for chunk in col.chunks:
                _copy_numeric(chunk, out[at : at + len(chunk)])
                at += len(chunk)
            if col.null_count == len(col):
                return
            if pa.types.is_integer(t):
                mm = pc.min_max(col)
                if mm["min"].as_py() >= coder.low and mm["max"].as_py() <= coder.high:
                    return  # the common case: one min/max pass, nothing to search
            self.check(out, coder, pos, col)
            return
        at = 0
        cache: dict[str, float | None] = {}
        unknown_rows: list[np.ndarray] = []
        for chunk in col.chunks:
            if not pa.types.is_dictionary(chunk.type):
                chunk = chunk.dictionary_encode()
            uniq = chunk.dictionary.to_pylist()
            mapped = np.empty(len(uniq))
            bad = np.zeros(len(uniq), dtype=bool)
            for k, text in enumerate(uniq):
                if text not in cache:
                    cache[text] = coder.code(text)
                value = cache[text]
                if value is None:
                    bad[k] = True
                    mapped[k] = np.nan
                else:
                    mapped[k] = value
            idx = chunk.indices.fill_null(0).to_numpy(zero_copy_only=False)
            part = mapped[idx] if len(mapped) else np.full(len(chunk), np.nan)
            if chunk.null_count:
                part[chunk.is_null().to_numpy(zero_copy_only=False)] = np.nan
            if bad.any() and (self.problems is not None or not unknown_rows):
                hit = bad[idx] & chunk.is_valid().to_numpy(zero_copy_only=False)
                if hit.any():
                    unknown_rows.append(at + np.flatnonzero(hit))
            out[at : at + len(chunk)] = part
            at += len(chunk)
        if unknown_rows:
            n_bad = sum(v is None for v in cache.values())
            if self.problems is None:
                unknown_at = int(unknown_rows[0][0])
                raise self.fail(
                    "unknown_label" if coder.whole else "not_a_number",
                    "%(what)s %(target)s must be %(expected)s; found '%(found)s'%(more)s. Other texts can be mapped "
                    "to codes under 'labels:' in a mapping file",
                    pos,
                    unknown_at,
                    coder.target,
                    what="item" if coder.whole else "scale",
                    target=coder.target,
                    expected=coder.expected(with_texts=True),
                    found=col[unknown_at].as_py(),
                    more=f" (and {n_bad - 1} other unknown texts)" if n_bad > 1 else "",
                )
            message = (
                "'%(found)s' is no answer to item %(target)s; give a code from %(low)s to %(high)s or an answer "
                "text, or map the text under 'labels:' in a mapping file"
                if coder.whole
                else "'%(found)s' is not a number; scale %(target)s takes numbers from %(low)s to %(high)s"
            )
            for row in np.concatenate(unknown_rows).tolist():
                self.keep(
                    row,
                    pos,
                    "unknown_answer",
                    message,
                    coder.target,
                    found=col[row].as_py(),
                    target=coder.target,
                    low=_fmt_value(coder.low),
                    high=_fmt_value(coder.high),
                )
        self.check(out, coder, pos, col)

    def check(self, x: np.ndarray, coder: Coder, pos: int, col: pa.ChunkedArray) -> None:
        """Not-applicable codes -> recorded, then NaN; then whole numbers within low..high, or a located error."""
        if coder.na_codes:
            na = np.isin(x, coder.na_codes)
            if na.any():
                rows = np.flatnonzero(na)
                self.not_applicable[coder.target] = (rows, x[rows].astype(np.float32))
                x[na] = np.nan
        problems: list[tuple[str, Callable[[], np.ndarray]]] = []  # masks made one after the other
        if coder.whole:
            problems.append(("not_whole", lambda: (x - np.floor(x)) > 0))
        problems.append(("out_of_range", lambda: (x < coder.low) | (x > coder.high)))
        for code, mask in problems:
            bad = mask()
            if not bad.any():
                continue
            if self.problems is None:
                row = int(np.argmax(bad))
                raw = col[row].as_py()
                raise self.fail(
                    code,
                    "%(what)s %(target)s must be %(expected)s; found '%(found)s'%(more)s",
                    pos,
                    row,
                    coder.target,
                    what="item" if coder.whole else "scale",
                    target=coder.target,
                    expected=coder.expected(),
                    found=_fmt_value(raw),
                    more=f" (in {count} rows; this is the first)" if (count := int(bad.sum())) > 1 else "",
                )
            if code == "not_whole":
                cell_code = "answer_not_whole"
                message = "%(found)s is not a whole number; item %(target)s takes codes from %(low)s to %(high)s"
            elif not coder.whole:
                cell_code = "answer_out_of_range"
                message = "%(found)s lies outside scale %(target)s's range %(low)s to %(high)s"
            elif coder.na_codes:
                cell_code = "answer_out_of_range"
                message = (
                    "%(found)s lies outside item %(target)s's codes %(low)s to %(high)s and is no "
                    "not-applicable code (%(na)s)"
                )
            else:
                cell_code = "answer_out_of_range"
                message = "%(found)s lies outside item %(target)s's codes %(low)s to %(high)s"
            extra = {"na": ", ".join(_fmt_value(c) for c in coder.na_codes)} if coder.na_codes else {}
            for row in np.flatnonzero(bad).tolist():
                self.keep(
                    row,
                    pos,
                    cell_code,
                    message,
                    coder.target,
                    found=_fmt_value(col[row].as_py()),
                    target=coder.target,
                    low=_fmt_value(coder.low),
                    high=_fmt_value(coder.high),
                    **extra,
                )
            x[bad] = np.nan

    def ids(self, col: pa.ChunkedArray, pos: int) -> pd.Index:
        col = pc.utf8_trim_whitespace(col.cast(pa.string()))
        empty = pc.fill_null(pc.equal(pc.utf8_length(col), 0), True).to_numpy(zero_copy_only=False)
        if empty.any():
            if self.problems is None:
                raise self.fail("missing_id", "the respondent id is empty", pos, int(np.argmax(empty)), None)
            for row in np.flatnonzero(empty).tolist():
                self.keep(row, pos, "missing_id", "the respondent id is empty", None)
        index = pd.Index(col.to_pandas(), name="respondent_id")
        if not _increasing_integers(col) and pc.count_distinct(col).as_py() != len(col):
            dup = np.asarray(index.duplicated()) & ~empty
            seconds = np.flatnonzero(dup).tolist() if self.problems is not None else [int(np.argmax(dup))]
            seconds = seconds[: max(self.limit, 1)]
            first_of = pd.Series(np.arange(len(index))).groupby(np.asarray(index, dtype=object)).transform("min")
            firsts = [int(first_of.iloc[r]) for r in seconds]
            found = self.source.lines(firsts + seconds)
            for k, second in enumerate(seconds):
                line1, line2 = found[k], found[len(seconds) + k]
                error = AnswersError(
                    "duplicate_id",
                    "the respondent id '%(id)s' appears in rows %(first)s and %(second)s; ids must be unique",
                    params={"id": index[second], "first": line1, "second": line2},
                    where=Where(file=self.source.file, row=line2, column=self.header[pos]),
                )
                if self.problems is None:
                    raise error
                if len(self.pending) + len(self.problems) >= self.limit:
                    self.more += 1
                else:
                    self.problems.append(error)
        return index

    def instrument_ids(self, col: pa.ChunkedArray, pos: int, instrument: Instrument) -> None:
        """Every row of an own export must name ``instrument``; the first row that does not is the problem."""
        values = pc.utf8_trim_whitespace(col.cast(pa.string()))
        wrong = pc.fill_null(pc.not_equal(values, instrument.id), False).to_numpy(zero_copy_only=False)
        if wrong.any():
            row = int(np.argmax(wrong))
            _report(
                self.problems,
                self.fail(
                    "wrong_instrument",
                    "the file was exported for instrument '%(found)s', not %(instrument)s",
                    pos,
                    row,
                    None,
                    found=values[row].as_py(),
                    instrument=instrument.id,
                ),
            )


def _increasing_integers(col: pa.ChunkedArray) -> bool:
    """True for ids such as 1, 2, 5, ... (strictly increasing whole numbers): unique without hashing."""
    try:
        ints = pc.cast(col, pa.int64()).to_numpy()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return False
    return bool(np.all(ints[1:] > ints[:-1]))


def _row_numbers(n: int) -> pd.Index:
    return pd.Index(pa.array(np.arange(1, n + 1)).cast(pa.string()).to_pandas(), name="respondent_id")


def _text_series(col: pa.ChunkedArray | None, index: pd.Index) -> pd.Series:
    if col is None:
        return pd.Series(pd.NA, index=index, dtype="string")
    values = pc.utf8_trim_whitespace(col.cast(pa.string()))
    values = pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)
    return pd.Series(values.to_pandas().astype("string").array, index=index)


# ---------------------------------------------------------------- entry point


def _open_source(p: Path, file: str, sheet: str | None, header_rows: int = 1) -> _Source:
    if not p.exists() or p.is_dir():
        raise AnswersError("not_found", "file not found", where=Where(file=file))
    with p.open("rb") as f:
        head = f.read(8)
    ext = p.suffix.lower()
    if head.startswith(b"PK\x03\x04"):
        return _XlsxSource(p, file, sheet, header_rows)
    if head.startswith((b"$FL2", b"$FL3")) or ext in (".sav", ".zsav"):
        if sheet is not None:
            raise AnswersError(
                "unknown_sheet",
                "a sheet ('%(sheet)s') was given but the file is an SPSS file, which has no sheets",
                params={"sheet": sheet},
                where=Where(file=file),
            )
        return _SavSource(p, file)
    if head.startswith(b"\xd0\xcf\x11\xe0") or ext in _NOT_CSV:
        raise AnswersError(
            "unknown_format",
            "cannot read '%(ext)s' files; save the answers as CSV (UTF-8), as an Excel workbook (.xlsx) or as an "
            "SPSS file (.sav)",
            params={"ext": ext or "this kind of"},
            where=Where(file=file),
        )
    if ext in (".xlsx", ".xlsm"):
        raise AnswersError("unknown_format", "the file is not a valid Excel workbook (.xlsx)", where=Where(file=file))
    if sheet is not None:
        raise AnswersError(
            "unknown_sheet",
            "a sheet ('%(sheet)s') was given but the file is CSV, which has no sheets",
            params={"sheet": sheet},
            where=Where(file=file),
        )
    return _CsvSource(p, file, header_rows)


def read_answers(
    path: str | Path,
    instrument: Instrument,
    *,
    sheet: str | None = None,
    mapping: ColumnMapping | None = None,
    id_column: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> Answers:
    """Read a CSV, XLSX or SPSS file of survey answers and fit it to ``instrument``.

    Returns: :class:`Answers` (row order of the file; see the module docstring for what is accepted).
    Raises: :class:`~homeoffice.errors.AnswersError` at the first problem, with codes ``not_found``,
    ``unknown_format``, ``wrong_encoding``, ``empty``, ``bad_csv``, ``unknown_sheet``, ``missing_columns``,
    ``unknown_columns``, ``duplicate_column``, ``mixed_levels``, ``missing_id_column``,
    ``missing_unit_column``, ``missing_id``, ``duplicate_id``, ``unknown_label``, ``not_a_number``,
    ``not_whole``, ``out_of_range``, ``wrong_instrument``, ``invalid_mapping``.
    Source: thesis chapter 4 (1-5 answers; table 4.2 as scale-level input).
    """
    answers = _read(path, instrument, sheet=sheet, mapping=mapping, id_column=id_column, progress=progress)
    assert answers is not None  # without a problem list every problem raises
    return answers


def read_answers_checked(
    path: str | Path,
    instrument: Instrument,
    *,
    sheet: str | None = None,
    mapping: ColumnMapping | None = None,
    id_column: str | None = None,
    limit: int = MAX_PROBLEMS,
) -> tuple[Answers | None, list[AnswersError]]:
    """Like :func:`read_answers`, but find every problem instead of stopping at the first.

    Returns ``(answers, [])`` when the file is fine, else ``(None, problems)``: each problem an
    :class:`~homeoffice.errors.AnswersError` with its row and column, in file order (header
    problems first). A problem that stops reading altogether (no such file, not CSV/XLSX/SAV,
    a broken mapping) is the only one. Cell problems have the codes ``unknown_answer``,
    ``answer_not_whole`` and ``answer_out_of_range``; after ``limit`` problems one
    ``too_many_problems`` problem says how many more there are.
    """
    problems: list[AnswersError] = []
    try:
        answers = _read(
            path, instrument, sheet=sheet, mapping=mapping, id_column=id_column, problems=problems, limit=limit
        )
    except AnswersError as exc:
        return None, [exc]
    if problems:
        return None, problems
    return answers, []


def _read(
    path: str | Path,
    instrument: Instrument,
    *,
    sheet: str | None,
    mapping: ColumnMapping | None,
    id_column: str | None,
    progress: Callable[[str], None] | None = None,
    problems: list[AnswersError] | None = None,
    limit: int = MAX_PROBLEMS,
) -> Answers | None:
    say = progress or (lambda _msg: None)
    p = Path(path)
    file = str(path)
    say(f"Reading {p.name}")
    source = _open_source(p, file, sheet, mapping.header_rows if mapping is not None else 1)
    header = source.header
    say("Checking columns")
    plan = _plan_columns(header, instrument, mapping, id_column, file, problems)
    spec = instrument.spec
    scored = [i.id for i in instrument.scored_items]
    ctx_ids = [i.id for i in instrument.context_items]
    coders: dict[int, Coder] = {}
    for pos, target in plan.targets.items():
        if target in instrument.items_by_id:
            coders[pos] = item_coder(instrument, target, mapping)
            plan.na_codes[pos] = coders[pos].na_codes
    arrays, n = source.read(plan)
    if n == 0:
        raise AnswersError("empty", "the file has a header but no answers", where=Where(file=file, row=1))
    conv = _Converter(source, header, problems, limit)

    say(f"Checking answers of {n} respondents")
    for pos in plan.unnamed:
        col = pc.utf8_trim_whitespace(arrays[pos].cast(pa.string()))
        filled = pc.fill_null(pc.not_equal(col, ""), False)
        if pc.any(filled).as_py():
            row = int(np.argmax(filled.to_numpy(zero_copy_only=False)))
            _report(
                problems,
                conv.fail(
                    "unknown_columns",
                    "a column without a name holds data; give it a name and map it, or delete it",
                    pos,
                    row,
                    None,
                ),
            )
    if plan.instrument_pos is not None:
        conv.instrument_ids(arrays.pop(plan.instrument_pos), plan.instrument_pos, instrument)
    pos_of = {t: p_ for p_, t in plan.targets.items()}
    codes = np.empty((n, len(scored)), dtype=np.float32, order="F")
    ctx = np.full((n, len(ctx_ids)), np.nan, order="F")
    scale_values = None
    # One job per column, each filling its own slice of a column-major matrix.
    jobs: list[tuple[pa.ChunkedArray, Coder, np.ndarray, int]] = []
    if plan.scale_mode:
        codes.fill(np.nan)
        scale_values = np.full((n, len(spec.scales)), np.nan, order="F")
        for j, s in enumerate(spec.scales):
            if s.id in pos_of:
                pos = pos_of[s.id]
                jobs.append((arrays.pop(pos), scale_coder(instrument, s.id), scale_values[:, j], pos))
    else:
        for j, item_id in enumerate(scored):
            if item_id in pos_of:
                pos = pos_of[item_id]
                jobs.append((arrays.pop(pos), coders[pos], codes[:, j], pos))
            else:  # only when collecting problems: the missing column is one of them
                codes[:, j] = np.nan
    for j, item_id in enumerate(ctx_ids):
        if item_id in pos_of:
            pos = pos_of[item_id]
            jobs.append((arrays.pop(pos), coders[pos], ctx[:, j], pos))

    def run(job: tuple[pa.ChunkedArray, Coder, np.ndarray, int]) -> None:
        conv.fill(*job)

    id_col = arrays.pop(plan.id_pos) if plan.id_pos is not None else None
    if n * len(jobs) < _PARALLEL_CELLS:
        index = conv.ids(id_col, plan.id_pos) if id_col is not None else _row_numbers(n)
        for job in jobs:
            run(job)
    else:  # numpy and arrow release the GIL: columns fill in parallel, the id check alongside
        with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
            ids = pool.submit(conv.ids, id_col, plan.id_pos) if id_col is not None else None
            done = pool.map(run, jobs)
            index = ids.result() if ids is not None else _row_numbers(n)
            for _ in done:
                pass
    del jobs
    if problems is not None:
        conv.finish()
        positions = {h: k for k, h in reversed(list(enumerate(header)))}
        problems.sort(key=lambda e: (e.where.row or 0, positions.get(e.where.column or "", -1)) if e.where else (0, -1))
        if conv.more:
            problems.append(
                AnswersError(
                    "too_many_problems",
                    "and %(more)s more problems; fix these first",
                    params={"more": conv.more},
                    where=Where(file=file),
                )
            )
        if problems:
            return None

    context = pd.DataFrame(ctx, index=index, columns=pd.Index(ctx_ids, dtype=object))
    open_text = pd.DataFrame(
        {q.id: _text_series(arrays.get(pos_of[q.id]) if q.id in pos_of else None, index) for q in spec.open_questions},
        index=index,
    )
    unit = None
    if plan.unit_pos is not None:
        unit = _text_series(arrays.get(plan.unit_pos), index).rename("unit")
    not_applicable = None
    if conv.not_applicable:
        order = [i.id for i in spec.items if i.id in conv.not_applicable]
        na = {}
        for item_id in order:
            rows, values = conv.not_applicable[item_id]
            column = np.full(n, np.nan, dtype=np.float32)
            column[rows] = values
            na[item_id] = column
        not_applicable = pd.DataFrame(na, index=index)
    say(f"Read {n} respondents")
    return Answers(
        respondent_id=index,
        codes=codes,
        scale_values=scale_values,
        context=context,
        open_text=open_text,
        source=p.name,
        not_applicable=not_applicable,
        unit=unit,
    )
