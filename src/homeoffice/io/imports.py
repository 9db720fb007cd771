"""Data in: answers collected elsewhere (CSV, XLSX, SAV; Nettskjema, LimeSurvey, Microsoft Forms,
Qualtrics exports), matched to an instrument, previewed, and imported all or nothing.

The steps the import screen and ``homeoffice import`` share:

1. :func:`propose_mapping` reads the file's header (and the question-text row or SPSS variable
   labels) and proposes, for each column, the item it holds or why it is skipped, and for each
   distinct answer text the code it stands for, with the reason (texts in nb and en). Its
   ``mapping`` is a :class:`~homeoffice.io.mapping.ColumnMapping` the screen lets the user edit.
   A saved mapping (``base``) is applied first, so a mapping is made once and reused.
2. :func:`preview_import` reads the whole file with a mapping and returns the parsed rows, a scored
   preview and **every** problem with its row and column (:func:`~homeoffice.io.read_answers_checked`).
3. Nothing is imported unless the preview has no problem: :func:`import_answers` writes the
   normalised answers only then; the web saves ``preview.answers`` in one transaction.

:func:`column_values` lists the distinct values of one column with the rows holding each (the
import screen maps a unit column's values to the organisation's units with it).

Mappings are saved with :func:`~homeoffice.io.mapping.save_mapping` (or ``mapping_to_dict`` for a
database) and loaded with :func:`~homeoffice.io.mapping.load_mapping` / ``mapping_from_dict``.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from homeoffice.classification import CutPolicy
from homeoffice.errors import AnswersError, Where
from homeoffice.instruments import Instrument
from homeoffice.instruments.schema import Item, ResponseSet
from homeoffice.io.exports import answers_frame
from homeoffice.io.labels import Coder, item_coder, parse_number
from homeoffice.io.mapping import ColumnMapping, norm
from homeoffice.io.presets import Preset, detect_preset, load_preset
from homeoffice.io.readers import (
    EXPORT_MARKERS,
    ID_COLUMNS,
    MAX_PROBLEMS,
    METADATA_COLUMNS,
    RESULT_COLUMNS,
    UNIT_COLUMNS,
    Answers,
    _open_source,
    _Plan,
    _Source,
    read_answers_checked,
)
from homeoffice.io.texts import text
from homeoffice.io.writers import write_table

_TEXTS = "import_texts.yaml"
MAX_LABELS_PER_COLUMN = 100
SIMILAR_COLUMN = 0.75  # difflib ratio from which a question text is offered as a suggestion
SIMILAR_LABEL = 0.8
_SKIPPED = ("id", "unit", "ignored")


# ---------------------------------------------------------------- proposal


@dataclass(frozen=True)
class ColumnProposal:
    """What one column of the file holds, and why.

    ``role``: ``item``, ``context``, ``open``, ``scale`` (with ``target`` the instrument id), ``id``,
    ``unit``, ``ignored`` or ``unknown`` (no target: the user must map or skip it). ``reason`` is a
    stable code; :meth:`why` gives the text. ``candidates``: for unknown columns, the closest
    instrument ids by question text, each with its similarity (0-1).
    """

    position: int
    name: str
    text: str
    role: str
    target: str | None
    reason: str
    params: tuple[tuple[str, object], ...] = ()
    candidates: tuple[tuple[str, float], ...] = ()

    def why(self, lang: str = "en") -> str:
        """The reason, in nb or en."""
        return text(_TEXTS, f"columns.{self.reason}", lang, **dict(self.params))


@dataclass(frozen=True)
class LabelProposal:
    """One distinct value of an item column and the code it stands for.

    ``code``: the proposed code (a not-applicable code when ``not_applicable``), or None when there is
    no proposal. ``applied``: the proposal's mapping already reads the value this way; otherwise the
    user must confirm it (a ``similar`` suggestion) or map it (``unknown``, ``out_of_range``).
    """

    column: str
    item: str
    value: str
    count: int
    code: int | None
    not_applicable: bool
    reason: str
    applied: bool
    params: tuple[tuple[str, object], ...] = ()

    def why(self, lang: str = "en") -> str:
        """The reason, in nb or en."""
        return text(_TEXTS, f"labels.{self.reason}", lang, **dict(self.params))


@dataclass(frozen=True)
class MappingProposal:
    """The proposed mapping of a file onto an instrument (see :func:`propose_mapping`)."""

    file: str
    instrument_id: str
    preset: str | None
    header_rows: int
    rows: int
    columns: tuple[ColumnProposal, ...]
    labels: tuple[LabelProposal, ...]
    missing: tuple[str, ...]
    mapping: ColumnMapping

    @property
    def unknown_columns(self) -> list[ColumnProposal]:
        return [c for c in self.columns if c.role == "unknown"]

    @property
    def open_labels(self) -> list[LabelProposal]:
        """Answer texts the mapping does not read yet."""
        return [lab for lab in self.labels if not lab.applied]

    @property
    def complete(self) -> bool:
        """Every column is matched or skipped, every item has a column, every answer text is read."""
        return not self.unknown_columns and not self.missing and not self.open_labels

    def notes(self, instrument: Instrument, lang: str = "en") -> list[str]:
        """What is left to do, one line each (the comments of a saved proposed mapping)."""
        name = Path(self.file).name
        if self.complete:
            return [text(_TEXTS, "notes.complete", lang, file=name, instrument=self.instrument_id)]
        out = [text(_TEXTS, "notes.header", lang, file=name, instrument=self.instrument_id)]
        for c in self.unknown_columns:
            out.append("- " + text(_TEXTS, "notes.unknown_column", lang, column=c.name, why=c.why(lang)))
        for item_id in self.missing:
            item = instrument.items_by_id[item_id]
            out.append("- " + text(_TEXTS, "notes.missing_item", lang, item=item_id, text=item.text.get(lang)))
        for lab in self.open_labels:
            out.append(
                "- "
                + text(
                    _TEXTS,
                    "notes.unknown_label",
                    lang,
                    column=lab.column,
                    value=lab.value,
                    count=lab.count,
                    item=lab.item,
                    why=lab.why(lang),
                )
            )
        return out


def _resolve_preset(preset: str | Preset | None) -> Preset | None:
    if preset is None or isinstance(preset, Preset):
        return preset
    return load_preset(preset)


def _known(instrument: Instrument) -> dict[str, tuple[str, str]]:
    """Normalised id or text -> (instrument id, 'id_name' or 'text')."""
    spec = instrument.spec
    known: dict[str, tuple[str, str]] = {}
    ids = [i.id for i in spec.items] + [q.id for q in spec.open_questions]
    scales = [s.id for s in spec.scales] if spec.scoring.accepts_scale_input else []
    for ident in [*ids, *scales]:
        known.setdefault(norm(ident), (ident, "id_name"))
    for item in spec.items:
        for t in (item.text.nb, item.text.en):
            known.setdefault(norm(t), (item.id, "text"))
    for q in spec.open_questions:
        for t in (q.text.nb, q.text.en):
            known.setdefault(norm(t), (q.id, "text"))
    for s in spec.scales if scales else []:
        for t in (s.name.nb, s.name.en):
            known.setdefault(norm(t), (s.id, "text"))
    return known


def _role_of(target: str, instrument: Instrument) -> str:
    if target in instrument.items_by_id:
        return "item" if instrument.items_by_id[target].scale else "context"
    if target in instrument.scales_by_id:
        return "scale"
    return "open"


def _similar(name: str, instrument: Instrument) -> tuple[tuple[str, float], ...]:
    """The instrument ids whose text or id is closest to ``name`` (at least :data:`SIMILAR_COLUMN`)."""
    key = norm(name)
    if not key:
        return ()
    best: dict[str, float] = {}
    entries = [(i.id, (i.id, i.text.nb, i.text.en)) for i in instrument.spec.items]
    entries += [(q.id, (q.id, q.text.nb, q.text.en)) for q in instrument.spec.open_questions]
    for ident, texts in entries:
        for t in texts:
            ratio = difflib.SequenceMatcher(None, key, norm(t)).ratio()
            if ratio >= SIMILAR_COLUMN and ratio > best.get(ident, 0.0):
                best[ident] = round(ratio, 2)
    return tuple(sorted(best.items(), key=lambda kv: -kv[1])[:3])


def _find(header: list[str], names: list[str]) -> int | None:
    keys = [norm(h) for h in header]
    for name in names:
        if name and norm(name) in keys:
            return keys.index(norm(name))
    return None


def propose_mapping(
    path: str | Path,
    instrument: Instrument,
    preset: str | Preset | None = None,
    *,
    base: ColumnMapping | None = None,
    sheet: str | None = None,
) -> MappingProposal:
    """Propose how the columns and answer texts of ``path`` map onto ``instrument``.

    ``preset``: a survey tool (``qualtrics``, ``limesurvey``, ``nettskjema``, ``msforms``) or None
    to recognise it from the header. ``base``: a saved mapping, applied first (reuse).
    Returns a :class:`MappingProposal`: every column with its role and reason, every distinct
    answer text of the matched item columns with its proposed code, the scored items no column
    holds, and the resulting ``mapping``. Raises ``AnswersError`` only when the file cannot be read
    at all (not found, unknown format, broken header) or ``preset`` is unknown.
    """
    chosen = _resolve_preset(preset)
    p = Path(path)
    file = str(path)
    header_rows = base.header_rows if base is not None and base.header_rows > 1 else 1
    if chosen is not None and header_rows == 1:
        header_rows = chosen.header_rows
    source = _open_source(p, file, sheet, header_rows)
    if chosen is None:
        chosen = detect_preset(source.header)
        if chosen is not None and chosen.header_rows != header_rows and not (base and base.header_rows > 1):
            header_rows = chosen.header_rows
            source = _open_source(p, file, sheet, header_rows)
    header = source.header
    row_texts: list[str] = [""] * len(header)
    text_row = chosen.text_row if chosen is not None else None
    if text_row is not None and len(source.extra_header) >= text_row - 1:
        row = source.extra_header[text_row - 2]
        row_texts = [(row[k] if k < len(row) else "").strip() for k in range(len(header))]
    labels_of = [lab.strip() for lab in getattr(source, "labels", [""] * len(header))]

    known = _known(instrument)
    tool = chosen.name.en if chosen is not None else ""
    saved_columns = {norm(c): t for c, t in (base.columns.items() if base else [])}
    saved_ignore = {norm(c) for c in (base.ignore if base else ())}
    export_mode = all(m in {norm(h) for h in header} for m in EXPORT_MARKERS)
    export_skip = {norm(c) for c in RESULT_COLUMNS} | {norm(s) for s in instrument.score_ids}

    id_pos = _find(header, [base.id_column] if base and base.id_column else [])
    if id_pos is None:
        id_pos = _find(header, list(chosen.id_columns) if chosen else [])
    if id_pos is None:
        id_pos = _find(header, [c for c in ID_COLUMNS if norm(c) not in known and norm(c) not in saved_columns])
    unit_pos = _find(header, [base.unit_column] if base and base.unit_column else [])
    if unit_pos is None:
        unit_pos = _find(header, [c for c in UNIT_COLUMNS if norm(c) not in known and norm(c) not in saved_columns])
        if unit_pos == id_pos:
            unit_pos = None

    proposals: list[ColumnProposal] = []
    held: dict[str, str] = {}
    for pos, name in enumerate(header):
        key = norm(name)
        sav_label = labels_of[pos] if pos < len(labels_of) else ""
        column_text = row_texts[pos] or sav_label
        params: dict[str, object] = {}
        candidates: tuple[tuple[str, float], ...] = ()
        target: str | None = None
        role = "ignored"
        found = None
        if pos == id_pos:
            role, reason = "id", "id_column"
        elif pos == unit_pos:
            role, reason = "unit", "unit_column"
        elif not key:
            reason = "unnamed"
        elif key in saved_columns:
            found = (saved_columns[key], "saved", {})
        elif key in saved_ignore:
            reason = "saved_ignore"
        elif export_mode and key in export_skip:
            reason = "export_result"
        else:
            found = _match(name, row_texts[pos], sav_label, chosen, known)
            if found is None:
                if chosen is not None and chosen.is_metadata(name):
                    reason, params = "metadata", {"tool": tool}
                elif key.startswith("$"):
                    reason = "system"
                elif key in METADATA_COLUMNS:
                    reason = "known_metadata"
                elif export_mode:
                    reason = "export_result"
                else:
                    role = "unknown"
                    candidates = _similar(column_text or name, instrument) or _similar(name, instrument)
                    if candidates:
                        reason = "similar"
                        params = {"candidates": ", ".join(f"{c} ({r:.2f})" for c, r in candidates)}
                    else:
                        reason = "no_match"
        if found is not None:
            target, reason, params = found
            if target in held:
                role, reason, params = "unknown", "duplicate", {"target": target, "other": held[target]}
                target = None
            else:
                held[target] = name
                role = _role_of(target, instrument)
                params = {"target": target, **params}
        proposals.append(
            ColumnProposal(pos, name, column_text, role, target, reason, tuple(params.items()), candidates)
        )

    scale_mode = any(c.role == "scale" for c in proposals) and not any(c.role == "item" for c in proposals)
    required = [s.id for s in instrument.spec.scales] if scale_mode else [i.id for i in instrument.scored_items]
    missing = tuple(t for t in required if t not in held)

    label_proposals, option_labels, n_rows = _propose_labels(source, proposals, instrument, base, chosen)
    labels: dict[str, dict[str, int | None]] = {o: dict(pairs) for o, pairs in (base.labels.items() if base else [])}
    for owner, pairs in option_labels.items():
        labels.setdefault(owner, {}).update({k: v for k, v in pairs.items() if k not in labels.get(owner, {})})
    mapping = ColumnMapping(
        columns={c.name: c.target for c in proposals if c.target is not None},
        id_column=header[id_pos] if id_pos is not None else None,
        unit_column=header[unit_pos] if unit_pos is not None else None,
        ignore=tuple(c.name for c in proposals if c.role == "ignored" and c.reason != "unnamed"),
        ignore_unknown=False,
        labels=labels,
        header_rows=header_rows,
        source=base.source if base is not None else "<proposal>",
    )
    return MappingProposal(
        file=file,
        instrument_id=instrument.id,
        preset=chosen.id if chosen is not None else None,
        header_rows=header_rows,
        rows=n_rows,
        columns=tuple(proposals),
        labels=tuple(label_proposals),
        missing=missing,
        mapping=mapping,
    )


def _match(
    name: str, row_text: str, sav_label: str, preset: Preset | None, known: dict[str, tuple[str, str]]
) -> tuple[str, str, dict[str, object]] | None:
    """The instrument id a column holds, by its name, question-text row, SPSS label or a preset pattern."""
    if norm(name) in known:
        target, how = known[norm(name)]
        return target, how, {}
    if row_text and norm(row_text) in known:
        return known[norm(row_text)][0], "text_row", {"row": preset.text_row if preset else 2}
    if sav_label and norm(sav_label) in known:
        return known[norm(sav_label)][0], "sav_label", {}
    if preset is not None:
        for source_text in (name, row_text, sav_label):
            for part in preset.name_parts(source_text) if source_text else []:
                if norm(part) in known:
                    return known[norm(part)][0], "part", {"part": part}
    return None


def _propose_labels(
    source: _Source,
    proposals: list[ColumnProposal],
    instrument: Instrument,
    base: ColumnMapping | None,
    preset: Preset | None,
) -> tuple[list[LabelProposal], dict[str, dict[str, int]], int]:
    """Each distinct value of the item columns, with its code; the option labels to add to the mapping."""
    coded = [c for c in proposals if c.role in ("item", "context")]
    plan = _Plan(None, {}, {c.position: "text" for c in coded}, [], False)
    for c in coded:
        rs = instrument.response_set(instrument.items_by_id[c.target])
        plan.na_codes[c.position] = tuple(float(k) for k in rs.na_codes)
    if not coded:
        plan.kinds = {0: "text"} if proposals else {}
    arrays, n = source.read(plan)
    out: list[LabelProposal] = []
    options: dict[str, dict[str, int]] = {}
    for c in coded:
        item = instrument.items_by_id[c.target]
        rs = instrument.response_set(item)
        coder = item_coder(instrument, item.id, base)
        saved = {}
        if base is not None:
            for owner in (item.response_set, item.id):
                saved.update({norm(k): v for k, v in base.labels.get(owner, {}).items()})
        col = pc.utf8_trim_whitespace(arrays[c.position].cast(pa.string()))
        counts = pc.value_counts(pc.drop_null(col))
        pairs = sorted(
            ((v.as_py(), n_.as_py()) for v, n_ in zip(counts.field(0), counts.field(1), strict=True)),
            key=lambda vc: (-vc[1], str(vc[0])),
        )
        for value, count in pairs[:MAX_LABELS_PER_COLUMN]:
            if value is None or not value.strip():
                continue
            out.append(_label(c.name, item, value, count, rs, coder, saved, preset, options))
    return out, options, n


def _label(
    column: str,
    item: Item,
    value: str,
    count: int,
    rs: ResponseSet,
    coder: Coder,
    saved: dict[str, int | None],
    preset: Preset | None,
    options: dict[str, dict[str, int]],
) -> LabelProposal:
    """The proposal for one distinct value; option-position codes are added to ``options``."""

    def make(code: int | None, na: bool, reason: str, applied: bool, **params: object) -> LabelProposal:
        return LabelProposal(column, item.id, value, count, code, na, reason, applied, tuple(params.items()))

    key = norm(value)
    if key in saved:
        code = saved[key]
        return make(code, code is not None and code in rs.na_codes, "saved", True)
    got = coder.code(value)
    number = parse_number(value)
    if got is not None and not np.isnan(got):
        code = int(got) if float(got).is_integer() else None
        if number is not None:
            if code is not None and code in rs.na_codes:
                return make(code, True, "na_code", True)
            if code is not None and rs.min <= code <= rs.max:
                return make(code, False, "code", True, low=rs.min, high=rs.max)
            return make(None, False, "out_of_range", False, low=rs.min, high=rs.max)
        if code is not None and code in rs.na_codes:
            return make(code, True, "na_label", True)
        return make(code, False, "label", True)
    n = preset.option_number(value) if preset is not None else None
    if n is not None and 1 <= n <= rs.max - rs.min + 1:
        code = rs.min + n - 1
        options.setdefault(item.response_set, {})[value.strip()] = code
        return make(code, False, "option", True, n=n, tool=preset.name.en if preset is not None else "")
    texts = {}
    for c, t in rs.labels.items():
        for s in (t.nb, t.en):
            texts.setdefault(norm(s), (c, s, False))
    for c, t in rs.na_codes.items():
        for s in (t.nb, t.en):
            texts.setdefault(norm(s), (c, s, True))
    close = difflib.get_close_matches(key, list(texts), n=1, cutoff=SIMILAR_LABEL)
    if close:
        c, shown, na = texts[close[0]]
        return make(c, na, "similar", False, label=shown)
    return make(None, False, "unknown", False)


# ---------------------------------------------------------------- one column's values


@dataclass(frozen=True)
class ColumnValue:
    """One distinct value of a column (trimmed; ``""`` for empty cells), how often it occurs and the
    file rows holding it (1-based, the header is row 1; SPSS case numbers for .sav)."""

    value: str
    count: int
    rows: tuple[int, ...]


def column_values(
    path: str | Path, column: str, *, header_rows: int = 1, sheet: str | None = None
) -> tuple[ColumnValue, ...]:
    """The distinct values of the column named ``column`` (compared as :func:`norm` does), in order of
    first appearance, each with every row it is in. An SPSS value with a value label is its label.

    Raises ``AnswersError``: the file's own read errors, and ``missing_columns`` when no column has that name.
    """
    p = Path(path)
    source = _open_source(p, str(path), sheet, header_rows)
    keys = [norm(h) for h in source.header]
    if norm(column) not in keys:
        raise AnswersError(
            "missing_columns",
            "the file has no column '%(column)s'",
            params={"column": column},
            where=Where(file=str(path), column=column),
        )
    pos = keys.index(norm(column))
    arrays, _ = source.read(_Plan(None, {}, {pos: "text"}, [], False))
    values = pc.utf8_trim_whitespace(arrays[pos].cast(pa.string())).to_pylist()
    lines = source.lines(range(len(values)))  # one pass over the file for every row
    positions: dict[str, list[int]] = {}
    for k, value in enumerate(values):
        positions.setdefault(value or "", []).append(lines[k])
    return tuple(ColumnValue(value, len(rows), tuple(rows)) for value, rows in positions.items())


# ---------------------------------------------------------------- preview and import


@dataclass(frozen=True)
class ImportPreview:
    """A file read with a mapping: the parsed rows, a scored preview, and every problem.

    ``ok`` is True when there is no problem; only then are ``answers``, ``rows`` (the normalised
    answers: unit, item codes with not-applicable codes kept, open answers) and ``scores``
    (:func:`~homeoffice.pipeline.score_table`) set. ``problems``: each with ``code``,
    ``where.row`` / ``where.column`` and ``describe(lang)``.
    """

    file: str
    mapping: ColumnMapping
    answers: Answers | None
    rows: pd.DataFrame | None
    scores: pd.DataFrame | None
    problems: tuple[AnswersError, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem_table(self, lang: str = "en") -> pd.DataFrame:
        """One row per problem: row, column, item, code and the message in ``lang``."""
        return pd.DataFrame(
            [
                {
                    "row": e.where.row if e.where else None,
                    "column": e.where.column if e.where else None,
                    "item": e.where.item if e.where else None,
                    "code": e.code,
                    "message": e.text(lang),
                }
                for e in self.problems
            ],
            columns=["row", "column", "item", "code", "message"],
        )

    def report(self, lang: str = "en") -> list[str]:
        """Every problem as one line with its location, in ``lang``."""
        return [e.describe(lang) for e in self.problems]


def normalised_answers(answers: Answers, instrument: Instrument) -> pd.DataFrame:
    """The answers as this program reads them best: unit, one column per item id (raw codes, not-applicable
    codes kept), open answers. Written by ``homeoffice import``; reads back with ``read_answers``."""
    frame = answers_frame(answers, instrument)
    parts: list[pd.DataFrame | pd.Series] = []
    if answers.unit is not None:
        parts.append(answers.unit.rename("unit"))
    parts.append(frame)
    opens = answers.open_text
    if opens is not None and len(opens.columns) and opens.notna().any().any():
        parts.append(opens)
    out = pd.concat(parts, axis=1)
    out.index.name = "respondent_id"
    return out


def preview_import(
    path: str | Path,
    instrument: Instrument,
    mapping: ColumnMapping | None,
    *,
    sheet: str | None = None,
    policy: CutPolicy | None = None,
    limit: int = MAX_PROBLEMS,
) -> ImportPreview:
    """Read ``path`` with ``mapping`` and report every problem with its row and column (up to ``limit``).

    The scored preview uses ``policy`` (default: the model's default for the number of rows).
    """
    from homeoffice.pipeline import score_table

    answers, problems = read_answers_checked(path, instrument, sheet=sheet, mapping=mapping, limit=limit)
    used = mapping if mapping is not None else ColumnMapping()
    if answers is None:
        return ImportPreview(str(path), used, None, None, None, tuple(problems))
    scores = score_table(
        answers.codes if answers.scale_values is None else None,
        instrument,
        index=answers.respondent_id,
        policy=policy,
        scale_values=answers.scale_values,
        context=answers.context,
    )
    rows = normalised_answers(answers, instrument) if answers.scale_values is None else None
    return ImportPreview(str(path), used, answers, rows, scores, ())


def import_answers(
    path: str | Path,
    instrument: Instrument,
    mapping: ColumnMapping | None,
    out: str | Path,
    *,
    sheet: str | None = None,
) -> ImportPreview:
    """Check ``path`` and, only if it has no problem, write its normalised answers to ``out``.

    All or nothing: with any problem nothing is written (``out`` is left as it was) and the
    preview's ``problems`` say what to fix. ``out``: .csv, .xlsx, .parquet or .json (atomic write).
    """
    preview = preview_import(path, instrument, mapping, sheet=sheet)
    if preview.ok:
        if preview.rows is None:
            raise AnswersError(
                "scale_level_export",
                "the file holds scale means (one column per scale), not item answers; only item answers can be "
                "imported (score the file with 'homeoffice score')",
                where=Where(file=str(path)),
            )
        write_table(preview.rows, out)
    return preview


__all__ = [
    "ColumnProposal",
    "ColumnValue",
    "ImportPreview",
    "LabelProposal",
    "MappingProposal",
    "column_values",
    "import_answers",
    "normalised_answers",
    "preview_import",
    "propose_mapping",
]
