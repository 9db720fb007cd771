"""Data out (issue 4, point 6): a released wave's item answers and scores as CSV, XLSX, SPSS .sav or
Parquet, with a codebook, for those who may export data (researcher, HR, organisation admin).

What is written (one row per submitted response of the released table, in its order):

* ``respondent_id``: 1, 2, ... in the table's order (a number made for the file; nothing that links
  to a person, a response or another wave; confidential waves' respondent keys are never written).
* ``unit``: the unit's path "Company > Department > Team", **only for units whose results may be
  shown**. A respondent of a hidden unit carries the nearest unit above it that is shown. We do not
  drop those rows: the organisation's own figures are shown on the dashboard, and a file without the
  hidden unit's rows would give them back by subtraction. By the secondary-suppression rule the
  people carried up to a unit are 0 or at least the minimum group size; this module checks it again
  and carries a label further up if it ever is not. If the whole wave is below the minimum, nothing
  is exported.
* every item's raw code (not-applicable codes kept, empty = not answered), then the scores,
  classification and provenance of the released table (its cut policy: the wave's).
* open answers only for respondents whose unit label's comments may be shown (the stricter comment
  minimum), and only when the comments of every shown unit carried under another label may be shown
  too, so that no comment list can be subtracted from another (see :func:`comment_labels`).

Files: XLSX is one workbook with the sheets ``data``, ``codebook`` and ``about``; CSV, SAV and
Parquet come as a ZIP with the data file, ``codebook.csv`` and ``README.txt`` (what is in the file
and what was suppressed). Every download is written to the audit log (exported, format, rows).
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from homeoffice.io.exports import EXPORT_FORMATS, ExportResult, export_data
from homeoffice.io.readers import RESULT_COLUMNS
from homeoffice.web.accounts.audit import Verb, record
from homeoffice.web.accounts.guard import render_staff, staff_lang, staff_view
from homeoffice.web.accounts.permissions import Access, Perm
from homeoffice.web.dashboards.groups import WaveGroups
from homeoffice.web.dashboards.reports import fmt_int, group_path, released_wave
from homeoffice.web.dashboards.views import add_download_links
from homeoffice.web.i18n import t
from homeoffice.web.responses.models import Response
from homeoffice.web.surveys.emails import format_date
from homeoffice.web.surveys.models import Wave

CONTENT_TYPES = {
    "zip": "application/zip",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ExportRefused(Exception):
    """Nothing may be exported: the whole wave is below the minimum group size."""


@dataclass(frozen=True)
class WaveExport:
    """The tables of a wave's export, after the anonymity rules (see the module docstring)."""

    answers: pd.DataFrame
    scores: pd.DataFrame
    open_answers: pd.DataFrame | None
    groups: pd.DataFrame
    carried_up: int  # respondents whose unit is hidden, carried to a unit above
    label_counts: dict[str, int]
    comments_kept: int


def nearest_shown(groups: WaveGroups) -> dict[int, int | None]:
    """Each unit's nearest shown unit, itself included (None when not even the organisation is shown)."""
    out: dict[int, int | None] = {}

    def find(unit: int) -> int | None:
        chain = []
        node: int | None = unit
        while node is not None and node not in out:
            if groups.shown(groups.key(node)):
                out[node] = node
                break
            chain.append(node)
            node = groups.parent.get(node)
        found = out.get(node) if node is not None else None
        for c in chain:
            out[c] = found
        return out[unit]

    for unit in groups.units:
        find(unit)
    return out


def unit_labels(groups: WaveGroups, unit_ids: np.ndarray) -> np.ndarray:
    """The unit each respondent is exported under: the nearest shown unit, carried further up while the
    people under a label number 1 to min-1 (defence in depth; the rules should already prevent it).
    Raises :class:`ExportRefused` when the organisation itself cannot be shown."""
    minimum = groups.wave.min_group_size
    nearest = nearest_shown(groups)
    label = np.array([nearest.get(int(u)) for u in unit_ids], dtype=object)
    if len(label) == 0 or any(x is None for x in label):
        raise ExportRefused()
    while True:
        values, counts = np.unique(label.astype(np.int64), return_counts=True)
        small = [int(v) for v, c in zip(values, counts, strict=True) if c < minimum]
        if not small:
            return label.astype(np.int64)
        for unit in small:
            parent = groups.parent.get(unit)
            up = nearest.get(parent) if parent is not None else None
            if up is None:
                raise ExportRefused()
            label[label == unit] = up


def comment_labels(groups: WaveGroups, used: set[int]) -> set[int]:
    """The labels whose respondents' open answers may be written: the label's comments may be shown,
    and so may the comments of every label directly under it (whose people the label's rows lack)."""
    label_parent: dict[int, int | None] = {}
    for unit in used:
        node = groups.parent.get(unit)
        while node is not None and node not in used:
            node = groups.parent.get(node)
        label_parent[unit] = node
    allowed = set()
    for unit in used:
        if groups.comments(groups.key(unit)) is None:
            continue
        below = [u for u, p in label_parent.items() if p == unit]
        if all(groups.comments(groups.key(u)) is not None for u in below):
            allowed.add(unit)
    return allowed


def _raw_answers(wave: Wave, table: pd.DataFrame) -> list[dict]:
    """The stored answers of the table's rows, in its order (with not-applicable codes, which the table reads as
    missing). The wave is released, so its responses are frozen; a mismatch would be a bug and is refused."""
    rows = list(
        Response.objects.filter(wave=wave, submitted_on__isnull=False)
        .order_by("resume_hash")
        .values_list("unit_id", "answers")
    )
    if len(rows) != len(table) or any(int(u) != int(t_) for (u, _), t_ in zip(rows, table["unit_id"], strict=True)):
        raise RuntimeError("the released table and the stored responses of the wave differ")
    return [a or {} for _, a in rows]


def wave_export(groups: WaveGroups) -> WaveExport:
    """The answers, scores, open answers and unit labels of a released wave, anonymity rules applied."""
    wave, instrument, table = groups.wave, groups.instrument, groups.table
    units = table["unit_id"].to_numpy(dtype=np.int64)
    labels = unit_labels(groups, units)
    index = pd.Index([str(k) for k in range(1, len(table) + 1)], name="respondent_id")
    raw = _raw_answers(wave, table)
    answers = pd.DataFrame(
        {
            item.id: pd.array([a.get(item.id) for a in raw], dtype="Float64").astype("Int16")
            for item in instrument.spec.items
        },
        index=index,
    )
    keep = [c for c in table.columns if c in instrument.score_ids or c in RESULT_COLUMNS]
    scores = table[keep].copy()
    scores.index = index
    used = set(int(x) for x in np.unique(labels))
    allowed = comment_labels(groups, used)
    may = np.isin(labels, list(allowed))
    open_answers = None
    kept = 0
    opens = [q.id for q in instrument.spec.open_questions if q.id in table.columns]
    if opens and may.any():
        frame = {}
        for q in opens:
            col = table[q].astype("string").mask(lambda s: s.fillna("").str.strip() == "")
            frame[q] = col.where(may).to_numpy()
        open_answers = pd.DataFrame(frame, index=index).astype("string")
        kept = int(open_answers.notna().any(axis=1).sum())
    paths = {u: group_path(groups, u) for u in used}
    groups_frame = pd.DataFrame({"unit": pd.array([paths[int(x)] for x in labels], dtype="string")}, index=index)
    counts = {paths[u]: int((labels == u).sum()) for u in sorted(used, key=lambda u: paths[u])}
    return WaveExport(
        answers=answers,
        scores=scores,
        open_answers=open_answers,
        groups=groups_frame,
        carried_up=int((labels != units).sum()),
        label_counts=counts,
        comments_kept=kept,
    )


def readme(groups: WaveGroups, data: WaveExport, fmt: str, lang: str) -> str:
    """README.txt of the ZIP and the ``about`` sheet of the workbook: the file, the rules, the counts."""
    wave = groups.wave
    lines = [
        t("data_export_readme_title", lang, wave=wave.name, organisation=wave.organisation.name),
        t(
            "data_report_period",
            lang,
            opens=format_date(wave.opens_on, lang),
            closes=format_date(wave.closes_on, lang),
        ),
        "",
        t("data_export_readme_rows", lang, n=fmt_int(len(data.answers), lang), fmt=fmt),
        t("data_export_rule_units", lang, min=wave.min_group_size),
        t("data_export_carried", lang, n=fmt_int(data.carried_up, lang)),
        t("data_export_rule_comments", lang),
        t("data_export_comments_kept", lang, n=fmt_int(data.comments_kept, lang)),
        t("data_export_rule_ids", lang),
        t("data_export_readme_codebook", lang),
        "",
        t("data_export_units_heading", lang),
    ]
    lines += [f"- {name}: {fmt_int(n, lang)}" for name, n in data.label_counts.items()]
    return "\n".join(lines) + "\n"


def write_export(
    groups: WaveGroups, fmt: str, lang: str, folder: Path, *, stem: str = "data"
) -> tuple[ExportResult, WaveExport]:
    """Write the wave's export to ``folder`` (``<stem>.<fmt>`` and ``<stem>-codebook.csv``) with the core's
    :func:`homeoffice.io.exports.export_data`. Raises :class:`ExportRefused`."""
    data = wave_export(groups)
    written = export_data(
        folder / f"{stem}.{fmt}",
        data.answers,
        data.scores,
        groups.instrument,
        format=fmt,
        lang=lang,
        open_answers=data.open_answers,
        groups=data.groups,
    )
    return written, data


def export_bytes(groups: WaveGroups, fmt: str, lang: str, stem: str) -> tuple[bytes, str, str, WaveExport]:
    """The download: (bytes, content type, file name, the export's tables)."""
    with tempfile.TemporaryDirectory(prefix="homeoffice-export-") as tmp:
        folder = Path(tmp)
        written, data = write_export(groups, fmt, lang, folder, stem=stem)
        text = readme(groups, data, fmt, lang)
        if fmt == "xlsx":
            from openpyxl import load_workbook

            book = load_workbook(written.data)
            about = book.create_sheet("about")
            for line in text.splitlines():
                about.append([line])
            about.column_dimensions["A"].width = 120
            buffer = io.BytesIO()
            book.save(buffer)
            return buffer.getvalue(), CONTENT_TYPES["xlsx"], f"{stem}.xlsx", data
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.write(written.data, written.data.name)
            archive.write(written.codebook, "codebook.csv")
            archive.writestr("README.txt", text)
        return buffer.getvalue(), CONTENT_TYPES["zip"], f"{stem}-{fmt}.zip", data


# --- views ----------------------------------------------------------------------------------------


def _stem(access: Access, wave: Wave) -> str:
    return f"{access.organisation.slug}-wave-{wave.pk}"


@staff_view(Perm.EXPORT_DATA)
@require_GET
def export_page(request: HttpRequest, access: Access, wave_id: int) -> HttpResponse:
    wave, groups = released_wave(access, wave_id)
    lang = staff_lang(request)
    try:
        data = wave_export(groups)
    except ExportRefused:
        data = None
    record(
        request, Verb.VIEWED, organisation=access.organisation, object_type="wave_data", object_id=wave.pk, wave=wave
    )
    links = [
        (
            fmt,
            t(f"data_export_format_{fmt}", lang),
            reverse("data:export", args=[access.organisation.slug, wave.pk, fmt]),
        )
        for fmt in EXPORT_FORMATS
    ]
    return render_staff(
        request,
        "dashboards/data/export.html",
        {
            "lang": lang,
            "organisation": access.organisation,
            "wave": wave,
            "data": data,
            "rows": fmt_int(len(data.answers), lang) if data else "0",
            "carried": fmt_int(data.carried_up, lang) if data else "0",
            "comments": fmt_int(data.comments_kept, lang) if data else "0",
            "labels": [(name, fmt_int(n, lang)) for name, n in data.label_counts.items()] if data else [],
            "links": links,
        },
        status=200 if data else 409,
    )


@staff_view(Perm.EXPORT_DATA)
@require_GET
def export_file(request: HttpRequest, access: Access, wave_id: int, fmt: str) -> HttpResponse:
    wave, groups = released_wave(access, wave_id)
    lang = staff_lang(request)
    try:
        data, content_type, name, tables = export_bytes(groups, fmt, lang, _stem(access, wave))
    except ExportRefused:
        return render_staff(
            request,
            "dashboards/data/export.html",
            {"lang": lang, "organisation": access.organisation, "wave": wave, "data": None},
            status=409,
        )
    record(
        request,
        Verb.EXPORTED,
        organisation=access.organisation,
        object_type="wave_data",
        object_id=wave.pk,
        wave=wave,
        format=fmt,
        detail=f"rows={len(tables.answers)},lang={lang}",
    )
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- links on the dashboard ------------------------------------------------------------------------


def _download_links(request: HttpRequest, access: Access, wave: Wave, unit, key) -> list[dict]:
    """The data files on the organisation's dashboard, for those who may export data."""
    if unit is not None or getattr(key, "filter", None) is not None or not access.can(Perm.EXPORT_DATA):
        return []
    lang = staff_lang(request)
    return [
        {
            "label": t(f"data_link_export_{fmt}", lang),
            "url": reverse("data:export", args=[access.organisation.slug, wave.pk, fmt]) + f"?lang={lang}",
        }
        for fmt in ("sav", "xlsx", "csv", "parquet")
    ]


add_download_links(_download_links)
