"""Data out: item answers and scores as CSV, XLSX, SPSS .sav or Parquet, each with a codebook.

One row per respondent: the respondent id, the group columns (unit ...), every item's raw answer
code, the open answers, then the scores, classification and provenance of
:func:`homeoffice.pipeline.score_table`. The codebook describes every column: name, label in nb and
en, type, measure level, value labels, missing codes, the scale an item belongs to and how each score
is computed, with a reference to the model page of the user guide (model.md sections 3-4).

* **Answers** are raw codes: NaN = not answered; a response set's not-applicable code (e.g. 9,
  "no manager") stays in the table as that code, so "not answered" and "not applicable" remain
  distinct (model.md section 3 reads both as missing).
* **CSV** (UTF-8, commas) and **Parquet** (the codebook also in the file's metadata) leave a cell
  empty for "not answered". **XLSX** has a ``data`` sheet and a ``codebook`` sheet.
* **SPSS .sav** has variable labels (the item text in ``lang``), value labels (the response set),
  user-missing codes (:data:`NOT_ANSWERED` = not answered, the not-applicable codes), measure
  levels, and numeric codes with value labels for the classification columns.
* The codebook is also written as CSV beside the data file (``<name>-codebook.csv``). Data and
  codebook are written all or nothing.
* **Anonymity** is the caller's job: pass ``suppress_units`` (a set of group labels, or a function
  label -> True to hide) and every group cell holding such a label is left empty (or, with
  ``suppressed_rows="drop"``, those respondents are left out). Deciding which groups are below the
  minimum, including complementary and secondary suppression, belongs to the anonymity rules that
  every export goes through; this module only applies their decision. It never logs answers.

Files written here read back with :func:`homeoffice.io.read_answers`, which recognises them as
this program's exports (:data:`homeoffice.io.readers.EXPORT_MARKERS`) and skips the result columns.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa

from homeoffice import __version__
from homeoffice.classification import JOB_SITUATIONS
from homeoffice.errors import LANGS, AnswersError, Where
from homeoffice.instruments import Instrument
from homeoffice.io.readers import RESULT_COLUMNS, Answers
from homeoffice.io.texts import load_texts, text
from homeoffice.io.writers import write_files
from homeoffice.scoring import EPS

EXPORT_FORMATS = ("csv", "xlsx", "sav", "parquet")
NOT_ANSWERED = -9
"""The SPSS user-missing code for "not answered" (other formats leave the cell empty)."""

CODEBOOK_COLUMNS = (
    "name",
    "role",
    "label_nb",
    "label_en",
    "type",
    "measure",
    "values",
    "missing",
    "belongs_to",
    "reverse",
    "computation",
    "reference",
)
_EXCEL_MAX_ROWS = 1_048_575
_SPSS_NAME = re.compile(r"^[A-Za-z@][A-Za-z0-9_.@#$]{0,63}$")
_SPSS_RESERVED = {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH"}
_JOB_CODES = {name: code for code, name in enumerate(JOB_SITUATIONS, start=1)}
_FLAGS = ("iso_strain", "negative_acts_frequent")
_LEVELS = ("pwe_level", "productivity_level")

Suppress = Collection[str] | Callable[[str], bool]


@dataclass(frozen=True)
class ExportResult:
    """What :func:`export_data` wrote: the data file, the codebook CSV, rows, columns and hidden cells."""

    data: Path
    codebook: Path
    format: str
    rows: int
    columns: int
    suppressed_cells: int


# ---------------------------------------------------------------- texts


def texts() -> dict:
    """The export texts (``export_texts.yaml``), validated."""
    return load_texts("export_texts.yaml")


def _t(path: str, lang: str, **params: object) -> str:
    return text("export_texts.yaml", path, lang, **params)


# ---------------------------------------------------------------- the table


def answers_frame(answers: Answers, instrument: Instrument) -> pd.DataFrame:
    """The raw answer codes of :func:`~homeoffice.io.read_answers` output, one column per item.

    Columns follow the instrument's item order (context and scored items); values are nullable
    integers: missing = not answered, a not-applicable code where one was given. The index is the
    respondent id. Scale-level input has no item answers: ``scale_level_export``.
    """
    if answers.scale_values is not None:
        raise AnswersError(
            "scale_level_export",
            "the answers are scale means (scale-level input), not item answers; export the scores with "
            "'homeoffice score' instead",
            where=Where(file=answers.source),
        )
    scored = {item.id: j for j, item in enumerate(instrument.scored_items)}
    na = answers.not_applicable
    columns: dict[str, pd.api.extensions.ExtensionArray] = {}
    for item in instrument.spec.items:
        if item.id in scored:
            x = answers.codes[:, scored[item.id]].astype(float)
        else:
            x = answers.context[item.id].to_numpy(dtype=float)
        if na is not None and item.id in na.columns:
            given = na[item.id].to_numpy(dtype=float)
            x = np.where(np.isnan(given), x, given)
        columns[item.id] = pd.array(np.where(np.isnan(x), np.nan, x), dtype="Int16")
    out = pd.DataFrame(columns, index=answers.respondent_id)
    out.index.name = "respondent_id"
    return out


def _fail(message: str, code: str = "invalid_export", **params: object) -> AnswersError:
    return AnswersError(code, message, params=params)


def _check_answers(answers: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """Item columns in instrument order as float codes; every value a code, a not-applicable code or NaN."""
    ids = [i.id for i in instrument.spec.items]
    unknown = [str(c) for c in answers.columns if c not in instrument.items_by_id]
    if unknown:
        raise _fail(
            "the answers have columns that are no items of instrument %(instrument)s: %(columns)s",
            instrument=instrument.id,
            columns=", ".join(unknown[:12]),
        )
    if not answers.index.is_unique:
        dup = answers.index[answers.index.duplicated()][0]
        raise _fail("the respondent id '%(id)s' appears more than once", id=dup)
    out = {}
    for item_id in ids:
        if item_id not in answers.columns:
            out[item_id] = np.full(len(answers), np.nan)
            continue
        try:
            x = pd.to_numeric(answers[item_id], errors="raise").to_numpy(dtype=float, na_value=np.nan)
        except (TypeError, ValueError):
            x = None
        rs = instrument.response_set(instrument.items_by_id[item_id])
        ok = None if x is None else (np.isnan(x) | ((x >= rs.min) & (x <= rs.max) & (x == np.floor(x))))
        if x is not None and rs.na_codes:
            ok |= np.isin(x, list(rs.na_codes))
        if x is None or not ok.all():
            row = 0 if x is None else int(np.argmin(ok))
            raise AnswersError(
                "invalid_export",
                "respondent %(respondent)s: the answer '%(value)s' to item %(item)s is no code of its response set",
                params={"respondent": answers.index[row], "value": answers[item_id].iloc[row], "item": item_id},
                where=Where(item=item_id),
            )
        out[item_id] = x
    return pd.DataFrame(out, index=answers.index)


def _bad_lang(lang: str) -> AnswersError:
    return AnswersError(
        "unknown_language",
        "unknown language '%(lang)s'; use one of %(known)s",
        params={"lang": lang, "known": ", ".join(LANGS)},
    )


def _is_suppressed(suppress: Suppress | None) -> Callable[[str], bool]:
    if suppress is None:
        return lambda _label: False
    if callable(suppress):
        return suppress
    hidden = {str(s) for s in suppress}
    return lambda label: label in hidden


def export_table(
    answers: pd.DataFrame,
    scores: pd.DataFrame,
    instrument: Instrument,
    *,
    open_answers: pd.DataFrame | None = None,
    groups: pd.DataFrame | None = None,
    suppress_units: Suppress | None = None,
    suppressed_rows: Literal["blank", "drop"] = "blank",
) -> tuple[pd.DataFrame, int]:
    """The table every export writes, and how many group cells were hidden.

    ``answers``: raw codes (index respondent id; columns item ids, any missing item is not answered;
    NaN = not answered; not-applicable codes kept), e.g. :func:`answers_frame` or a web wave's
    stored answers. ``scores``: :func:`~homeoffice.pipeline.score_table` output on the same index.
    ``open_answers``: open question ids -> text. ``groups``: group label columns (e.g. ``unit``).
    ``suppress_units``: group labels to hide (a collection, or a function label -> True); each group
    cell holding one is emptied, or with ``suppressed_rows="drop"`` the respondent is left out.
    """
    if suppressed_rows not in ("blank", "drop"):
        raise ValueError("suppressed_rows must be 'blank' or 'drop'")
    codes = _check_answers(answers, instrument)
    index = codes.index
    for name, frame in (("scores", scores), ("open_answers", open_answers), ("groups", groups)):
        if frame is not None and not frame.index.equals(index):
            raise _fail(
                "the %(table)s table does not have the same respondents, in the same order, as the answers",
                code="mismatched_tables",
                table=name,
            )
    taken = {"respondent_id", *codes.columns, *instrument.score_ids, *RESULT_COLUMNS}
    columns: dict[str, object] = {}
    hidden = 0
    drop = np.zeros(len(index), dtype=bool)
    if groups is not None:
        hide = _is_suppressed(suppress_units)
        for name in groups.columns:
            if str(name) in taken:
                raise _fail("the group column '%(name)s' has the name of another column", name=name)
            labels = groups[name].astype("string")
            mask = np.array([v is not pd.NA and hide(str(v)) for v in labels.tolist()], dtype=bool)
            hidden += int(mask.sum())
            drop |= mask
            columns[str(name)] = labels.mask(mask)
    for item_id in codes.columns:
        columns[item_id] = pd.array(codes[item_id].to_numpy(), dtype="Int16")
    if open_answers is not None:
        for q in instrument.spec.open_questions:
            if q.id in open_answers.columns:
                columns[q.id] = open_answers[q.id].astype("string")
    context_ids = {i.id for i in instrument.context_items}
    for name in scores.columns:
        if name in context_ids:
            continue  # score_table repeats the context answers; the answers columns hold them
        if name not in instrument.score_ids and name not in RESULT_COLUMNS:
            raise _fail("the scores table has a column '%(name)s' that score_table does not make", name=name)
        columns[name] = scores[name]
    table = pd.DataFrame(columns, index=index)
    table.index = pd.Index(index.astype(str), name="respondent_id")
    if suppressed_rows == "drop" and drop.any():
        table = table[~drop]
    return table, hidden


# ---------------------------------------------------------------- codebook


def _role(name: str, instrument: Instrument, groups: Collection[str]) -> str:
    if name == "respondent_id":
        return "id"
    if name in groups:
        return "group"
    if name in instrument.items_by_id:
        return "item" if instrument.items_by_id[name].scale else "context"
    if name in {q.id for q in instrument.spec.open_questions}:
        return "open"
    if name in instrument.scales_by_id:
        return "scale"
    if name in {c.id for c in instrument.spec.composites}:
        return "composite"
    if name.startswith("cut_") or name in ("instrument_id", "instrument_version", "scoring_profile"):
        return "provenance"
    if name in ("cut_policy", "homeoffice_version"):
        return "provenance"
    return "classification"


def _labels_of(name: str, role: str, instrument: Instrument) -> dict[str, str]:
    if role in ("item", "context"):
        text = instrument.items_by_id[name].text
        return {"nb": text.nb, "en": text.en}
    if role == "open":
        text = next(q.text for q in instrument.spec.open_questions if q.id == name)
        return {"nb": text.nb, "en": text.en}
    if role in ("scale", "composite"):
        return {lang: instrument.name(name, lang) for lang in LANGS}
    if name in texts()["labels"]:
        return dict(texts()["labels"][name])
    return {"nb": name, "en": name}


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _value_labels(name: str, role: str, instrument: Instrument, lang: str, spss: bool) -> dict[object, str]:
    """Value -> label of one column; SPSS codes for the classification columns when ``spss``."""
    if role in ("item", "context"):
        rs = instrument.response_set(instrument.items_by_id[name])
        return {code: text.get(lang) for code, text in sorted(rs.labels.items())}
    values = texts()["values"]
    if name == "job_situation":
        return {(_JOB_CODES[k] if spss else k): values["job_situation"][k][lang] for k in JOB_SITUATIONS}
    if name in _LEVELS:
        return {
            (0 if spss else "low"): values["level"]["low"][lang],
            (1 if spss else "high"): values["level"]["high"][lang],
        }
    if name in _FLAGS:
        return {
            (0 if spss else "false"): values["flag"]["no"][lang],
            (1 if spss else "true"): values["flag"]["yes"][lang],
        }
    if name == "situation":
        return {int(k): v[lang] for k, v in values["situation"].items()}
    return {}


def _missing_codes(name: str, role: str, instrument: Instrument, lang: str, spss: bool) -> dict[object, str]:
    if role not in ("item", "context"):
        return {}
    rs = instrument.response_set(instrument.items_by_id[name])
    out: dict[object, str] = {NOT_ANSWERED: _t("not_answered", lang)} if spss else {}
    out.update({code: text.get(lang) for code, text in sorted(rs.na_codes.items())})
    return out


def _needed(total: int, instrument: Instrument) -> int:
    return max(1, math.ceil(total * instrument.spec.scoring.min_answered - EPS))


def _belongs_to(name: str, role: str, instrument: Instrument) -> str:
    if role in ("item",):
        return instrument.items_by_id[name].scale or ""
    if role not in ("scale", "composite"):
        return ""
    profile = instrument.spec.scoring
    parts = [c.id for c in instrument.spec.composites if name in c.of]
    if name in profile.pwe:
        parts.append("pwe_index")
    if name in profile.productivity:
        parts.append("productivity_index")
    if name in (profile.demands, profile.control):
        parts.append("job_situation")
    if name == profile.support:
        parts.append("iso_strain")
    return ", ".join(parts)


def _computation(name: str, role: str, instrument: Instrument, lang: str) -> tuple[str, str]:
    """(how the column is computed, reference to the user guide's model page)."""
    profile = instrument.spec.scoring
    ref = texts()["references"]
    if role in ("id", "group", "open"):
        return _t(f"computation.{role}", lang), ""
    if role in ("item", "context"):
        item = instrument.items_by_id[name]
        rs = instrument.response_set(item)
        if role == "context":
            return _t("computation.context", lang), ""
        key = "computation.item_reverse" if item.reverse else "computation.item"
        return _t(key, lang, low=rs.min, high=rs.max), ref["scoring"][lang]
    if role == "scale":
        items = instrument.items_of(name)
        listed = ", ".join(f"{i.id} (R)" if i.reverse else i.id for i in items)
        total = len(items)
        return _t("computation.scale", lang, items=listed, needed=_needed(total, instrument), total=total), ref[
            "scoring"
        ][lang]
    if role == "composite":
        comp = next(c for c in instrument.spec.composites if c.id == name)
        total = len(comp.of)
        text = _t(
            "computation.composite", lang, scales=", ".join(comp.of), needed=_needed(total, instrument), total=total
        )
        return text, ref["scoring"][lang]
    if name.startswith("cut_") and name != "cut_policy" and name != "cut_source":
        return _t("computation.cut", lang), ref["cuts"][lang]
    if role == "provenance":
        return _t("computation.provenance", lang), ref["provenance"][lang]

    def parts(ids: list[str]) -> str:
        return ", ".join(f"100 − {s}" if instrument.direction(s) == "risk" else s for s in ids)

    params: dict[str, object] = {}
    reference = {
        "job_situation": "job_situation",
        "iso_strain": "job_situation",
        "negative_acts_frequent": "pwe",
        "pwe_index": "pwe",
        "pwe_level": "pwe",
        "productivity_index": "productivity",
        "productivity_level": "productivity",
        "situation": "situation",
        "distance_to_optimal": "situation",
    }.get(name, "situation")
    if name == "job_situation":
        params = {"demands": profile.demands, "control": profile.control}
    elif name == "iso_strain":
        params = {"support": profile.support}
    elif name == "negative_acts_frequent" and profile.negative_acts is not None:
        params = {"scale": profile.negative_acts.scale, "at": profile.negative_acts.frequent_at}
    elif name == "pwe_index":
        params = {"parts": parts(list(profile.pwe))}
    elif name == "productivity_index":
        params = {"parts": parts(list(profile.productivity))}
    if f"{name}" not in texts()["computation"]:
        return "", ""
    return _t(f"computation.{name}", lang, **params), ref[reference][lang]


def _listing(pairs: dict[object, str]) -> str:
    return "; ".join(f"{k} = {v}" for k, v in pairs.items())


def codebook(
    table: pd.DataFrame,
    instrument: Instrument,
    *,
    lang: str = "nb",
    spss: bool = False,
    groups: Collection[str] = (),
    suppressed: bool = False,
) -> pd.DataFrame:
    """One row per column of ``table`` (an :func:`export_table`), in :data:`CODEBOOK_COLUMNS`.

    ``spss``: describe the .sav coding (the :data:`NOT_ANSWERED` code, numeric classification codes).
    ``groups``: the names of the group columns. ``suppressed``: say that hidden group cells are empty.
    Values, missing codes and computations are in ``lang``; labels in both nb and en.
    """
    if lang not in LANGS:
        raise _bad_lang(lang)
    rows = []
    for name in ["respondent_id", *map(str, table.columns)]:
        role = _role(name, instrument, groups)
        labels = _labels_of(name, role, instrument)
        values = _value_labels(name, role, instrument, lang, spss)
        missing = _missing_codes(name, role, instrument, lang, spss)
        missing_text = _listing(missing)
        if role in ("item", "context") and not spss:
            missing_text = "; ".join(filter(None, [_t("empty_is_not_answered", lang), missing_text]))
        computation, reference = _computation(name, role, instrument, lang)
        if role == "group" and suppressed:
            computation = f"{computation} {_t('suppressed_note', lang)}"
        numeric = name != "respondent_id" and (
            role in ("item", "context", "scale", "composite")
            or (spss and name in ("job_situation", *_FLAGS, *_LEVELS))
            or (
                name in table.columns
                and pd.api.types.is_numeric_dtype(table[name].dtype)
                and not pd.api.types.is_bool_dtype(table[name].dtype)
            )
        )
        rows.append(
            {
                "name": name,
                "role": _t(f"roles.{role}", lang),
                "label_nb": labels["nb"],
                "label_en": labels["en"],
                "type": "numeric" if numeric else "text",
                "measure": _measure(name, role, instrument),
                "values": _listing(values),
                "missing": missing_text,
                "belongs_to": _belongs_to(name, role, instrument),
                "reverse": bool(instrument.items_by_id[name].reverse) if role == "item" else None,
                "computation": computation,
                "reference": reference,
            }
        )
    return pd.DataFrame(rows, columns=list(CODEBOOK_COLUMNS)).set_index("name")


def _measure(name: str, role: str, instrument: Instrument) -> str:
    """SPSS measure level: nominal, ordinal or scale."""
    if role == "item":
        rs = instrument.response_set(instrument.items_by_id[name])
        fully_labelled = set(rs.labels) == set(range(rs.min, rs.max + 1))
        return "ordinal" if fully_labelled else "scale"
    if role == "context":
        return "nominal"
    if role in ("scale", "composite") or name in ("pwe_index", "productivity_index", "distance_to_optimal"):
        return "scale"
    if name.startswith("cut_") and name not in ("cut_policy", "cut_source"):
        return "scale"
    if name in _LEVELS:
        return "ordinal"
    return "nominal"


# ---------------------------------------------------------------- writers


def _format_of(path: Path, fmt: str | None) -> str:
    suffix = path.suffix.lower().lstrip(".")
    chosen = (fmt or suffix).lower().lstrip(".")
    if chosen not in EXPORT_FORMATS:
        raise AnswersError(
            "unknown_format",
            "cannot export '%(ext)s'; use one of %(known)s",
            params={"ext": chosen or "(no extension)", "known": ", ".join(EXPORT_FORMATS)},
            where=Where(file=str(path)),
        )
    if fmt and suffix != chosen:
        raise AnswersError(
            "wrong_extension",
            "the format is %(format)s but the file name ends in '%(suffix)s'; name the file *.%(format)s",
            params={"format": chosen, "suffix": path.suffix or "(nothing)"},
            where=Where(file=str(path)),
        )
    return chosen


def _flat(table: pd.DataFrame) -> pd.DataFrame:
    return table.reset_index()


def _write_csv(table: pd.DataFrame, path: Path) -> None:
    import pyarrow.csv as pacsv

    pacsv.write_csv(pa.Table.from_pandas(_flat(table), preserve_index=False), str(path))


def _write_parquet(table: pd.DataFrame, book: pd.DataFrame, meta: dict, path: Path) -> None:
    import pyarrow.parquet as pq

    arrow = pa.Table.from_pandas(_flat(table), preserve_index=False)
    payload = dict(meta, codebook=json.loads(book.reset_index().to_json(orient="records", force_ascii=False)))
    merged = dict(arrow.schema.metadata or {})
    merged[b"homeoffice"] = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    pq.write_table(arrow.replace_schema_metadata(merged), str(path))


def _write_xlsx(table: pd.DataFrame, book: pd.DataFrame, path: Path) -> None:
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        _flat(table).to_excel(writer, sheet_name="data", index=False)
        book.reset_index().to_excel(writer, sheet_name="codebook", index=False)
        writer.sheets["data"].freeze_panes = "B2"
        writer.sheets["codebook"].freeze_panes = "B2"


def _cut(text: str, size: int) -> str:
    """``text`` cut to at most ``size`` bytes of UTF-8 (SPSS limits labels in bytes), whole characters only."""
    return text.encode("utf-8")[:size].decode("utf-8", errors="ignore")


def _spss_name(name: str) -> None:
    if not _SPSS_NAME.match(name) or name.upper() in _SPSS_RESERVED or name.endswith("."):
        raise _fail(
            "'%(name)s' cannot be an SPSS variable name (a letter first, then letters, digits or _ . @ # $; at most "
            "64 characters); rename the column",
            code="bad_variable_name",
            name=name,
        )


def _sav_frame(table: pd.DataFrame, instrument: Instrument, groups: Collection[str]) -> pd.DataFrame:
    """The table in SPSS coding: numbers as float (NaN = system missing), texts as str ('' = empty)."""
    out: dict[str, object] = {}
    flat = _flat(table)
    for name in flat.columns:
        col = flat[name]
        role = _role(str(name), instrument, groups)
        _spss_name(str(name))
        if role in ("item", "context"):
            out[name] = col.astype("Float64").fillna(NOT_ANSWERED).astype(float).to_numpy()
        elif name == "job_situation":
            out[name] = col.astype(object).map(lambda v: _JOB_CODES.get(v, np.nan)).astype(float).to_numpy()
        elif name in _LEVELS:
            out[name] = col.astype(object).map({"low": 0.0, "high": 1.0}).astype(float).to_numpy()
        elif (
            name in _FLAGS
            or pd.api.types.is_bool_dtype(col.dtype)
            or (pd.api.types.is_numeric_dtype(col.dtype) and role != "id")
        ):
            out[name] = col.astype("Float64").astype(float).to_numpy()
        else:
            out[name] = col.astype("string").fillna("").astype(object).to_numpy()
    return pd.DataFrame(out)


def _write_sav(
    table: pd.DataFrame, instrument: Instrument, lang: str, groups: Collection[str], codebook_name: str, path: Path
) -> None:
    import pyreadstat

    frame = _sav_frame(table, instrument, groups)
    labels: dict[str, str] = {}
    value_labels: dict[str, dict[float, str]] = {}
    missing: dict[str, list[float]] = {}
    measure: dict[str, str] = {}
    formats: dict[str, str] = {}
    for name in frame.columns:
        role = _role(name, instrument, groups)
        labels[name] = _cut(_labels_of(name, role, instrument)[lang], 255)
        values = _value_labels(name, role, instrument, lang, spss=True)
        na = _missing_codes(name, role, instrument, lang, spss=True)
        if values or na:
            value_labels[name] = {float(k): _cut(v, 120) for k, v in {**values, **na}.items()}
        if na:
            codes = sorted(float(k) for k in na)
            if len(codes) > 3:
                raise _fail(
                    "item %(item)s has more than two not-applicable codes; SPSS allows three missing codes "
                    "per variable",
                    code="too_many_missing_codes",
                    item=name,
                )
            missing[name] = codes
        measure[name] = _measure(name, role, instrument) if role not in ("id", "group", "open") else "nominal"
        if role in ("item", "context") or name in ("job_situation", "situation", *_FLAGS, *_LEVELS):
            formats[name] = "F3.0"
        elif frame[name].dtype == float:
            formats[name] = "F8.2"
    pyreadstat.write_sav(
        frame,
        str(path),
        file_label=_cut(instrument.spec.title.get(lang), 64),
        column_labels=labels,
        variable_value_labels=value_labels,
        missing_ranges=missing,
        variable_measure=measure,
        variable_format=formats,
        note=f"homeoffice {__version__}: {instrument.id} {instrument.version}; codebook: {codebook_name}",
    )


def codebook_path_for(path: str | Path) -> Path:
    """Where :func:`export_data` writes the codebook CSV of the data file ``path``."""
    p = Path(path)
    return p.with_name(f"{p.stem}-codebook.csv")


def export_data(
    path: str | Path,
    answers: pd.DataFrame,
    scores: pd.DataFrame,
    instrument: Instrument,
    *,
    format: str | None = None,
    lang: str = "nb",
    open_answers: pd.DataFrame | None = None,
    groups: pd.DataFrame | None = None,
    suppress_units: Suppress | None = None,
    suppressed_rows: Literal["blank", "drop"] = "blank",
    codebook_path: str | Path | None = None,
) -> ExportResult:
    """Write answers and scores to ``path`` in ``format`` (csv, xlsx, sav, parquet; default: the suffix).

    The tables and ``suppress_units`` are those of :func:`export_table`; ``lang`` (nb or en) picks
    the language of SPSS variable and value labels and of the codebook's texts. The codebook is
    written as CSV to ``codebook_path`` (default :func:`codebook_path_for`), and for XLSX also as
    a sheet. All files are written or none (a failure leaves no partial file).
    Raises ``AnswersError``: ``unknown_format``, ``wrong_extension``, ``invalid_export``,
    ``mismatched_tables``, ``bad_variable_name``, ``too_many_rows``, ``cannot_write``.
    Source: model.md sections 3-4 (what the scores mean), issue 4 point 6.
    """
    p = Path(path)
    fmt = _format_of(p, format)
    if lang not in LANGS:
        raise _bad_lang(lang)
    table, hidden = export_table(
        answers,
        scores,
        instrument,
        open_answers=open_answers,
        groups=groups,
        suppress_units=suppress_units,
        suppressed_rows=suppressed_rows,
    )
    group_names = [str(c) for c in groups.columns] if groups is not None else []
    book = codebook(
        table, instrument, lang=lang, spss=fmt == "sav", groups=group_names, suppressed=suppress_units is not None
    )
    book_path = Path(codebook_path) if codebook_path is not None else codebook_path_for(p)
    if book_path.resolve() == p.resolve():
        raise _fail("the codebook cannot be written over the data file", code="invalid_export")
    if fmt == "xlsx" and len(table) > _EXCEL_MAX_ROWS:
        raise AnswersError(
            "too_many_rows",
            "an Excel sheet holds at most %(max)s rows, the table has %(n)s; write .csv or .parquet",
            params={"max": _EXCEL_MAX_ROWS, "n": len(table)},
            where=Where(file=str(p)),
        )
    meta = {
        "instrument_id": instrument.id,
        "instrument_version": instrument.version,
        "homeoffice_version": __version__,
        "lang": lang,
    }
    if fmt == "csv":

        def write(tmp: Path) -> None:
            _write_csv(table, tmp)
    elif fmt == "parquet":

        def write(tmp: Path) -> None:
            _write_parquet(table, book, meta, tmp)
    elif fmt == "xlsx":

        def write(tmp: Path) -> None:
            _write_xlsx(table, book, tmp)
    else:
        _sav_frame(table.iloc[:0], instrument, group_names)  # check variable names before writing anything

        def write(tmp: Path) -> None:
            _write_sav(table, instrument, lang, group_names, book_path.name, tmp)

    def write_book(tmp: Path) -> None:
        book.reset_index().to_csv(tmp, index=False, encoding="utf-8")

    write_files([(p, write), (book_path, write_book)])
    return ExportResult(
        data=p, codebook=book_path, format=fmt, rows=len(table), columns=len(table.columns) + 1, suppressed_cells=hidden
    )
