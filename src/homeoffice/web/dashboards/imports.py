"""Data in (issue 4, point 7): answers collected elsewhere imported into a wave that is not released.

The steps, for HR and organisation admins (``manage_waves``):

1. **Upload** a CSV, XLSX or SPSS file (at most :func:`max_bytes`), naming the survey tool or letting
   the header tell, and optionally a saved mapping. The file is kept in a folder of its own under
   :func:`import_dir` (named by a random token, known only to the uploader's session) until it is
   imported or a day has passed; nothing is written to the database.
2. **Mapping**: :func:`homeoffice.io.imports.propose_mapping` proposes, for every column, the item
   it holds (or id, unit, skip), and for every answer text the code; the values of the unit column
   are matched to the organisation's units by name or path ("A > B > C"). Every choice is a plain
   select the user can change; the mapping can be saved by name (:class:`SavedMapping`) for the next file.
3. **Preview**: :func:`homeoffice.io.imports.preview_import` reads the whole file with the mapping:
   the first rows, a summary of the scores, and **every** problem with its row and column (paged),
   including unit values that match no unit.
4. **Import**, all or nothing: only without a single problem, in one transaction, under a lock on
   the wave that refuses a released wave (its answers are frozen). Each row becomes a submitted
   :class:`~homeoffice.web.responses.models.Response`: answers (not-applicable codes kept), open
   answers, unit, the day as ``submitted_on`` (no time), the result of
   :func:`homeoffice.web.scoring.score_response`, no respondent key and a random resume code that is
   shown to no one: nothing links a row to a person. The audit log records the import with the row
   count and the file's SHA-256 (a second import of the same file is flagged on the preview).

:func:`check_import` and :func:`commit_import` are shared with ``homeoffice-web import_answers``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from homeoffice.errors import AnswersError, HomeofficeError
from homeoffice.instruments import Instrument, load_instrument
from homeoffice.io.imports import ImportPreview, MappingProposal, column_values, preview_import, propose_mapping
from homeoffice.io.mapping import ColumnMapping, mapping_from_dict, mapping_to_dict, norm
from homeoffice.io.presets import load_preset, preset_ids
from homeoffice.web.accounts.audit import Verb, log_event, record
from homeoffice.web.accounts.guard import render_staff, staff_lang, staff_view
from homeoffice.web.accounts.models import AuditEvent
from homeoffice.web.accounts.permissions import Access, Perm
from homeoffice.web.dashboards.models import SavedMapping
from homeoffice.web.dashboards.reports import fmt_int, fmt_num, fmt_pct
from homeoffice.web.i18n import t
from homeoffice.web.organisations.models import Organisation, Unit
from homeoffice.web.responses.models import Response, new_resume_code, resume_hash
from homeoffice.web.scoring import score_response
from homeoffice.web.surveys.actions import units_with_paths
from homeoffice.web.surveys.models import Wave

EXTENSIONS = (".csv", ".txt", ".xlsx", ".xlsm", ".sav", ".zsav")
MAX_BYTES = 20 * 1024 * 1024
KEEP_SECONDS = 24 * 3600
PROBLEMS_PER_PAGE = 50
PREVIEW_ROWS = 10
PREVIEW_ITEMS = 12
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,40}$")
ID, UNIT, SKIP, UNDECIDED, NOT_APPLICABLE = "__id__", "__unit__", "", "__undecided__", "__na__"


def max_bytes() -> int:
    """The largest file accepted (setting ``HOMEOFFICE_IMPORT_MAX_BYTES``, default 20 MiB)."""
    return int(getattr(settings, "HOMEOFFICE_IMPORT_MAX_BYTES", MAX_BYTES))


def import_dir() -> Path:
    """Where uploads wait for their import (setting ``HOMEOFFICE_IMPORT_DIR``, default ``<data dir>/imports``)."""
    return Path(getattr(settings, "HOMEOFFICE_IMPORT_DIR", settings.DATA_DIR / "imports"))


# --- units -----------------------------------------------------------------------------------------


def _path_parts(text: str) -> tuple[str, ...]:
    return tuple(norm(part) for part in str(text).split(">") if part.strip())


class UnitResolver:
    """Finds an organisation's unit by its name or path ("A > B > C", or its last parts), ignoring case and
    spacing; a text that fits several units is ambiguous (None)."""

    def __init__(self, organisation: Organisation | int) -> None:
        self.units = [(u, _path_parts(u.tree_path)) for u in units_with_paths(organisation)]
        self.paths = {u.pk: u.tree_path for u, _ in self.units}

    def find(self, text: str) -> Unit | None:
        want = _path_parts(text)
        if not want:
            return None
        found = [u for u, path in self.units if path[-len(want) :] == want]
        return found[0] if len(found) == 1 else None


# --- checking and importing (web and CLI) ----------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One problem of an import: the file row and column where known, and the message in one language."""

    row: int | None
    column: str | None
    message: str
    code: str

    def line(self, lang: str) -> str:
        where = []
        if self.row is not None:
            where.append(t("data_import_where_row", lang, row=self.row))
        if self.column:
            where.append(t("data_import_where_column", lang, column=self.column))
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass
class ImportCheck:
    """A file read with a mapping and unit choices: every problem, or the rows ready to import."""

    preview: ImportPreview
    problems: list[Problem]
    rows: pd.DataFrame | None
    units: list[int] | None  # the unit of every row, when there is no problem

    @property
    def ok(self) -> bool:
        return not self.problems and self.rows is not None


def _answers_problems(preview: ImportPreview, lang: str) -> list[Problem]:
    out = []
    for e in preview.problems:
        where = e.where
        out.append(
            Problem(
                where.row if where else None,
                (where.column or where.item) if where else None,
                e.text(lang),
                e.code,
            )
        )
    return out


def check_import(
    path: Path,
    wave: Wave,
    mapping: ColumnMapping,
    unit_choices: dict[str, int | None],
    default_unit: int | None,
    *,
    lang: str,
    sheet: str | None = None,
) -> ImportCheck:
    """Read ``path`` with ``mapping`` for the wave's instrument and check every row, units included.

    ``unit_choices`` maps a value of the unit column to a unit id of the wave's organisation (None: not
    mapped); a value it does not name is looked up by unit name or path (:class:`UnitResolver`); rows
    without a unit value, or a file without a unit column, get ``default_unit``. Nothing is written.
    """
    instrument = load_instrument(wave.instrument_id)
    preview = preview_import(path, instrument, mapping, sheet=sheet)
    problems = _answers_problems(preview, lang)
    org_units = set(Unit.objects.filter(organisation_id=wave.organisation_id).values_list("pk", flat=True))
    if default_unit is not None and default_unit not in org_units:
        default_unit = None
    chosen = {norm(k): v for k, v in unit_choices.items() if v is None or v in org_units}
    if mapping.unit_column:
        try:
            values = column_values(path, mapping.unit_column, header_rows=mapping.header_rows, sheet=sheet)
        except AnswersError:
            values = ()  # the reader has reported the missing column already
        resolver = UnitResolver(wave.organisation_id)
        for v in values:
            if v.value and norm(v.value) not in chosen:
                found = resolver.find(v.value)
                chosen[norm(v.value)] = found.pk if found else None
        for v in values:
            unit = chosen.get(norm(v.value)) if v.value else default_unit
            if unit is not None:
                continue
            if v.value:
                message = t("data_import_unit_unknown", lang, value=v.value[:100])
                code = "unknown_unit"
            else:
                message = t("data_import_unit_blank", lang)
                code = "no_unit"
            problems += [Problem(row, mapping.unit_column, message, code) for row in v.rows]
    elif default_unit is None:
        problems.append(Problem(None, None, t("data_import_no_unit", lang), "no_unit"))
    if preview.ok and preview.rows is None:
        problems.append(Problem(None, None, t("data_import_scale_level", lang), "scale_level"))
    if preview.ok and preview.rows is not None and len(preview.rows) == 0:
        problems.append(Problem(None, None, t("data_import_empty", lang), "empty"))
    if problems or preview.rows is None:
        problems.sort(key=lambda p: (p.row is not None, p.row or 0))
        return ImportCheck(preview, problems, None, None)
    rows = preview.rows
    if "unit" in rows.columns:
        labels = rows["unit"].astype("string")
        units = [default_unit if pd.isna(x) else chosen.get(norm(str(x))) for x in labels]
    else:
        units = [default_unit] * len(rows)
    return ImportCheck(preview, [], rows, [int(u) for u in units])


class ImportRefused(HomeofficeError):
    """The wave's answers are frozen (released): nothing is imported."""


def _records(rows: pd.DataFrame, instrument: Instrument) -> list[tuple[dict, dict]]:
    """(answers, open answers) of every row: item id -> whole-number code, open question id -> text."""
    items = [i.id for i in instrument.spec.items if i.id in rows.columns]
    opens = [q.id for q in instrument.spec.open_questions if q.id in rows.columns]
    out = []
    codes = {i: rows[i].astype("Float64").to_numpy(dtype=float, na_value=float("nan")) for i in items}
    texts = {q: rows[q].astype("string").tolist() for q in opens}
    for k in range(len(rows)):
        answers = {i: int(codes[i][k]) for i in items if codes[i][k] == codes[i][k]}
        open_answers = {}
        for q in opens:
            value = texts[q][k]
            if value is not None and value is not pd.NA and str(value).strip():
                open_answers[q] = str(value).strip()
        out.append((answers, open_answers))
    return out


def import_day(wave: Wave, today: dt.date | None = None) -> dt.date:
    """The day stored as imported answers' ``submitted_on``: today, within the wave's open days."""
    today = today or timezone.localdate()
    return min(max(today, wave.opens_on), wave.closes_on)


def commit_import(wave: Wave, check: ImportCheck, *, user: object, sha256: str, source: str) -> int:
    """Create the submitted responses of a problem-free check, all or nothing; returns how many.

    The wave row is locked first and a released wave refused (:class:`ImportRefused`), so an import and
    a release cannot interleave. ``source`` is ``web`` or ``cli`` (written to the audit log).
    """
    if not check.ok:
        raise ValueError("only a check without problems can be imported")
    instrument = load_instrument(wave.instrument_id)
    records = _records(check.rows, instrument)
    day = import_day(wave)
    lang = (wave.language_list or ["nb"])[0]
    with transaction.atomic():
        locked = Wave.objects.select_for_update().get(pk=wave.pk)
        if locked.released_on is not None:
            raise ImportRefused(
                "wave_released",
                "the wave '%(wave)s' has been released; its answers are frozen and nothing can be imported",
                params={"wave": locked.name},
            )
        made = [
            Response(
                wave=locked,
                unit_id=unit,
                lang=lang,
                resume_hash=resume_hash(new_resume_code()),
                consented=True,
                answers=answers,
                open_answers=opens,
                submitted_on=day,
                result=score_response(wave.instrument_id, answers),
            )
            for (answers, opens), unit in zip(records, check.units, strict=True)
        ]
        Response.objects.bulk_create(made, batch_size=1000)
        Response.objects.filter(pk__in=[r.pk for r in made]).update(started_on=day)
        log_event(
            user,
            Verb.IMPORTED,
            organisation=locked.organisation,
            object_type="wave_answers",
            object_id=locked.pk,
            wave=locked,
            format=source,
            detail=f"rows={len(made)},sha256={sha256}",
        )
    return len(made)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def imported_before(wave: Wave, sha256: str) -> bool:
    """Whether a file with this SHA-256 was imported into the wave before (from the audit log)."""
    return AuditEvent.objects.filter(wave=wave, verb=Verb.IMPORTED, detail__contains=f"sha256={sha256}").exists()


# --- pending uploads ------------------------------------------------------------------------------


@dataclass
class Pending:
    """An uploaded file waiting for its import, and the choices made for it so far."""

    token: str
    folder: Path
    wave: int
    organisation: int
    user: int
    name: str
    file: str
    sha256: str
    preset: str = ""
    sheet: str | None = None
    mapping: dict | None = None
    units: dict[str, int | None] = dataclasses.field(default_factory=dict)
    default_unit: int | None = None

    @property
    def path(self) -> Path:
        return self.folder / self.file

    def save(self) -> None:
        data = {k: v for k, v in dataclasses.asdict(self).items() if k not in ("token", "folder")}
        (self.folder / "state.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    def column_mapping(self) -> ColumnMapping | None:
        return mapping_from_dict(self.mapping, f"<{self.name}>") if self.mapping is not None else None

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _sweep() -> None:
    """Remove uploads older than a day (never imported)."""
    root = import_dir()
    if not root.is_dir():
        return
    limit = time.time() - KEEP_SECONDS
    for folder in root.iterdir():
        try:
            if folder.is_dir() and folder.stat().st_mtime < limit:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def _pending(request: HttpRequest, access: Access, wave: Wave, token: str) -> Pending:
    """The upload ``token`` of this user, organisation and wave (404 for anything else)."""
    if not _TOKEN.match(token):
        raise Http404("no such upload")
    folder = import_dir() / token
    try:
        data = json.loads((folder / "state.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise Http404("no such upload") from None
    if (data.get("organisation"), data.get("wave"), data.get("user")) != (
        access.organisation.pk,
        wave.pk,
        request.user.pk,
    ):
        raise Http404("no such upload")
    return Pending(token=token, folder=folder, **data)


# --- views: upload ----------------------------------------------------------------------------------


def _wave(access: Access, wave_id: int) -> Wave:
    access.require(Perm.MANAGE_WAVES, None)
    return get_object_or_404(Wave.objects.select_related("organisation"), pk=wave_id, organisation=access.organisation)


def _urls(access: Access, wave: Wave, token: str = "") -> dict[str, str]:
    args = [access.organisation.slug, wave.pk]
    out = {"upload": reverse("data:import", args=args)}
    if token:
        out |= {
            "mapping": reverse("data:import_mapping", args=[*args, token]),
            "preview": reverse("data:import_preview", args=[*args, token]),
            "run": reverse("data:import_run", args=[*args, token]),
            "cancel": reverse("data:import_cancel", args=[*args, token]),
        }
    return out


class UploadForm(forms.Form):
    file = forms.FileField()
    preset = forms.ChoiceField(required=False)
    saved = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    sheet = forms.CharField(required=False, max_length=100)

    def __init__(self, *args: object, lang: str, saved: list[SavedMapping], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.lang = lang
        self.fields["file"].label = t("data_import_field_file", lang)
        self.fields["file"].help_text = t("data_import_help_file", lang, mb=max_bytes() // (1024 * 1024))
        self.fields["preset"].label = t("data_import_field_preset", lang)
        self.fields["preset"].choices = [("", t("data_import_preset_auto", lang))] + [
            (p, load_preset(p).name.get(lang)) for p in preset_ids()
        ]
        self.fields["saved"].label = t("data_import_field_saved", lang)
        self.fields["saved"].choices = [("", t("data_import_saved_none", lang))] + [(str(m.pk), m.name) for m in saved]
        self.fields["sheet"].label = t("data_import_field_sheet", lang)
        self.fields["sheet"].help_text = t("data_import_help_sheet", lang)
        for field in self.fields.values():
            field.error_messages = {
                "required": t("plan_error_required", lang),
                "invalid_choice": t("plan_error_choice", lang),
                "invalid": t("plan_error_invalid", lang),
                "empty": t("data_import_error_empty_file", lang),
                "max_length": t("plan_error_too_long", lang, limit_value=100),
            }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = Path(upload.name or "").name
        if Path(name).suffix.lower() not in EXTENSIONS:
            raise forms.ValidationError(t("data_import_error_type", self.lang))
        if upload.size > max_bytes():
            raise forms.ValidationError(t("data_import_error_size", self.lang, mb=max_bytes() // (1024 * 1024)))
        return upload


def _saved(access: Access, wave: Wave) -> list[SavedMapping]:
    return list(SavedMapping.objects.filter(organisation=access.organisation, instrument_id=wave.instrument_id))


def _refused(request: HttpRequest, access: Access, wave: Wave, lang: str) -> HttpResponse:
    return render_staff(
        request,
        "dashboards/data/import_refused.html",
        {"lang": lang, "organisation": access.organisation, "wave": wave},
        status=409,
    )


def _safe_name(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(name).stem)[:60] or "answers"
    return f"{stem}{Path(name).suffix.lower()}"


@staff_view(Perm.MANAGE_WAVES)
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, access: Access, wave_id: int) -> HttpResponse:
    wave = _wave(access, wave_id)
    lang = staff_lang(request)
    if wave.is_released:
        return _refused(request, access, wave, lang)
    saved = _saved(access, wave)
    form = UploadForm(request.POST or None, request.FILES or None, lang=lang, saved=saved)
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["saved"]
        saved_mapping = next((m for m in saved if m.pk == chosen), None)
        if chosen is not None and saved_mapping is None:
            form.add_error("saved", t("plan_error_choice", lang))
        else:
            _sweep()
            token = secrets.token_urlsafe(24)
            folder = import_dir() / token
            folder.mkdir(parents=True, mode=0o700)
            upload = form.cleaned_data["file"]
            pending = Pending(
                token=token,
                folder=folder,
                wave=wave.pk,
                organisation=access.organisation.pk,
                user=request.user.pk,
                name=Path(upload.name).name[:200],
                file=_safe_name(upload.name),
                sha256="",
                preset=form.cleaned_data["preset"] or (saved_mapping.preset if saved_mapping else ""),
                sheet=form.cleaned_data["sheet"].strip() or None,
            )
            with pending.path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            pending.sha256 = file_sha256(pending.path)
            if saved_mapping is not None:
                pending.mapping = dict(saved_mapping.mapping)
                pending.units = {str(k): v for k, v in (saved_mapping.units or {}).items()}
                pending.default_unit = saved_mapping.default_unit_id
            try:
                base = pending.column_mapping()
                propose_mapping(
                    pending.path,
                    load_instrument(wave.instrument_id),
                    pending.preset or None,
                    base=base,
                    sheet=pending.sheet,
                )
            except HomeofficeError as exc:
                pending.discard()
                form.add_error("file", exc.describe(lang).replace(str(pending.path), pending.name))
            else:
                pending.save()
                return redirect(_urls(access, wave, token)["mapping"])
    record(
        request, Verb.VIEWED, organisation=access.organisation, object_type="wave_import", object_id=wave.pk, wave=wave
    )
    return render_staff(
        request,
        "dashboards/data/import_upload.html",
        {
            "lang": lang,
            "organisation": access.organisation,
            "wave": wave,
            "form": form,
            "saved": saved,
            "urls": _urls(access, wave),
        },
        status=400 if request.method == "POST" else 200,
    )


@staff_view(Perm.MANAGE_WAVES)
@require_POST
def delete_mapping(request: HttpRequest, access: Access, wave_id: int, mapping_id: int) -> HttpResponse:
    wave = _wave(access, wave_id)
    mapping = get_object_or_404(SavedMapping, pk=mapping_id, organisation=access.organisation)
    mapping.delete()
    record(
        request,
        Verb.CHANGED,
        organisation=access.organisation,
        object_type="saved_mapping",
        object_id=mapping_id,
        detail="deleted",
    )
    messages.success(request, t("data_import_mapping_deleted", staff_lang(request)))
    return redirect(_urls(access, wave)["upload"])


# --- views: mapping ---------------------------------------------------------------------------------


def _targets(instrument: Instrument, lang: str) -> list[tuple[str, str]]:
    out = []
    for item in instrument.spec.items:
        out.append((item.id, f"{item.id} – {_short(item.text.get(lang))}"))
    for q in instrument.spec.open_questions:
        out.append((q.id, f"{q.id} – {_short(q.text.get(lang))}"))
    return out


def _short(text: str, n: int = 70) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _owner(instrument: Instrument, item_id: str) -> str:
    """The response set an answer text belongs to (a text is mapped for the whole response set)."""
    return instrument.items_by_id[item_id].response_set


def _code_choices(instrument: Instrument, item_id: str, lang: str) -> list[tuple[str, str]]:
    rs = instrument.response_set(instrument.items_by_id[item_id])
    choices = [(SKIP, t("data_import_label_unmapped", lang))]
    for code in range(rs.min, rs.max + 1):
        label = rs.labels.get(code)
        choices.append((str(code), f"{code} – {label.get(lang)}" if label else str(code)))
    for code, label in sorted(rs.na_codes.items()):
        choices.append((str(code), f"{code} – {label.get(lang)}"))
    choices.append((NOT_APPLICABLE, t("data_import_label_missing", lang)))
    return choices


_NATIVE = ("code", "na_code", "label", "na_label")  # read by the reader itself: numbers and the response set's texts


def _label_rows(proposal: MappingProposal, instrument: Instrument, lang: str) -> list[dict]:
    """The answer texts shown for a choice: one per response set and text (numbers read as codes left out)."""
    seen: set[tuple[str, str]] = set()
    rows = []
    for lab in proposal.labels:
        if lab.reason in _NATIVE:
            continue
        owner = _owner(instrument, lab.item)
        key = (owner, norm(lab.value))
        if key in seen:
            continue
        seen.add(key)
        if lab.code is not None and (lab.applied or lab.reason == "similar"):
            current = str(lab.code)
        elif lab.applied:  # a saved "not applicable" (null)
            current = NOT_APPLICABLE
        else:
            current = SKIP
        rows.append(
            {
                "owner": owner,
                "value": lab.value,
                "column": lab.column,
                "count": lab.count,
                "why": lab.why(lang),
                "choices": _code_choices(instrument, lab.item, lang),
                "current": current,
                "open": not lab.applied,
            }
        )
    return rows


def _unit_rows(pending: Pending, mapping: ColumnMapping, resolver: UnitResolver) -> list[dict]:
    if not mapping.unit_column:
        return []
    try:
        values = column_values(pending.path, mapping.unit_column, header_rows=mapping.header_rows, sheet=pending.sheet)
    except AnswersError:
        return []
    rows = []
    saved = {norm(k): v for k, v in pending.units.items()}
    for v in values:
        if not v.value:
            continue
        if norm(v.value) in saved:
            current = saved[norm(v.value)]
        else:
            found = resolver.find(v.value)
            current = found.pk if found else None
        rows.append({"value": v.value, "count": v.count, "current": "" if current is None else str(current)})
    return rows


def _column_rows(proposal: MappingProposal, mapping: ColumnMapping, lang: str) -> list[dict]:
    rows = []
    for c in proposal.columns:
        if c.role == "id":
            current = ID
        elif c.role == "unit":
            current = UNIT
        elif c.target:
            current = c.target
        elif c.role == "unknown":
            current = UNDECIDED
        else:
            current = SKIP
        rows.append(
            {
                "position": c.position,
                "name": c.name or t("data_import_column_unnamed", lang, n=c.position + 1),
                "text": c.text,
                "why": c.why(lang),
                "current": current,
                "unknown": c.role == "unknown",
            }
        )
    return rows


def _mapping_context(pending: Pending, wave: Wave, lang: str) -> dict:
    instrument = load_instrument(wave.instrument_id)
    proposal = propose_mapping(
        pending.path, instrument, pending.preset or None, base=pending.column_mapping(), sheet=pending.sheet
    )
    resolver = UnitResolver(wave.organisation_id)
    return {
        "proposal": proposal,
        "instrument": instrument,
        "columns": _column_rows(proposal, proposal.mapping, lang),
        "targets": _targets(instrument, lang),
        "labels": _label_rows(proposal, instrument, lang),
        "unit_rows": _unit_rows(pending, proposal.mapping, resolver),
        "unit_choices": list(resolver.paths.items()),
        "unit_column": proposal.mapping.unit_column or "",
        "default_unit": "" if pending.default_unit is None else str(pending.default_unit),
        "missing": [f"{i} – {_short(instrument.items_by_id[i].text.get(lang))}" for i in proposal.missing],
    }


def _mapping_from_post(
    post, ctx: dict, pending: Pending, lang: str
) -> tuple[ColumnMapping | None, dict[str, int | None], int | None, str | None, list[str]]:
    """The mapping, unit choices and default unit the form describes; errors as texts."""
    proposal: MappingProposal = ctx["proposal"]
    instrument: Instrument = ctx["instrument"]
    valid_targets = {k for k, _ in ctx["targets"]}
    unit_ids = {pk for pk, _ in ctx["unit_choices"]}
    errors: list[str] = []
    columns: dict[str, str] = {}
    ignore: list[str] = []
    id_column = unit_column = None
    taken: dict[str, str] = {}
    for c in proposal.columns:
        choice = post.get(f"col-{c.position}", UNDECIDED)
        label = c.name or t("data_import_column_unnamed", lang, n=c.position + 1)
        if choice == UNDECIDED:
            errors.append(t("data_import_error_undecided", lang, column=label))
        elif choice == ID:
            if id_column is not None:
                errors.append(t("data_import_error_two_ids", lang))
            id_column = c.name
        elif choice == UNIT:
            if unit_column is not None:
                errors.append(t("data_import_error_two_units", lang))
            unit_column = c.name
        elif choice == SKIP:
            if c.name:
                ignore.append(c.name)
        elif choice in valid_targets:
            if choice in taken:
                errors.append(t("data_import_error_twice", lang, target=choice, first=taken[choice], second=label))
            taken[choice] = label
            if c.name:
                columns[c.name] = choice
        else:
            errors.append(t("data_import_error_undecided", lang, column=label))
    labels: dict[str, dict[str, int | None]] = {}
    on_page: set[tuple[str, str]] = set()
    k = 0
    while f"lab-{k}-value" in post:
        owner, value, choice = (
            post.get(f"lab-{k}-owner", ""),
            post.get(f"lab-{k}-value", ""),
            post.get(f"lab-{k}", SKIP),
        )
        k += 1
        on_page.add((owner, norm(value)))
        if owner not in instrument.spec.response_sets or not value.strip() or choice == SKIP:
            continue
        if choice == NOT_APPLICABLE:
            labels.setdefault(owner, {})[value] = None
        elif re.fullmatch(r"-?\d{1,4}", choice):
            labels.setdefault(owner, {})[value] = int(choice)
    # keep the saved mapping's labels for texts not on this page (of other files, or of items' own entries)
    for owner, pairs in (proposal.mapping.labels or {}).items():
        for value, code in pairs.items():
            if (owner, norm(value)) not in on_page:
                labels.setdefault(owner, {}).setdefault(value, code)
    units: dict[str, int | None] = dict(pending.units)
    k = 0
    while f"unit-{k}-value" in post:
        value, choice = post.get(f"unit-{k}-value", ""), post.get(f"unit-{k}", "")
        k += 1
        if value.strip():
            units[value.strip()] = int(choice) if choice.isdigit() and int(choice) in unit_ids else None
    raw_default = post.get("default_unit", "")
    default_unit = int(raw_default) if raw_default.isdigit() and int(raw_default) in unit_ids else None
    if errors:
        return None, units, default_unit, unit_column, errors
    data = {
        "columns": columns,
        "ignore": ignore,
        "labels": {o: p for o, p in labels.items() if p},
        "header_rows": proposal.header_rows,
    }
    if id_column:
        data["id_column"] = id_column
    if unit_column:
        data["unit_column"] = unit_column
    try:
        mapping = mapping_from_dict(data, f"<{pending.name}>")
    except AnswersError as exc:
        return None, units, default_unit, unit_column, [exc.describe(lang)]
    return mapping, units, default_unit, unit_column, []


@staff_view(Perm.MANAGE_WAVES)
@require_http_methods(["GET", "POST"])
def mapping(request: HttpRequest, access: Access, wave_id: int, token: str) -> HttpResponse:
    wave = _wave(access, wave_id)
    lang = staff_lang(request)
    if wave.is_released:
        return _refused(request, access, wave, lang)
    pending = _pending(request, access, wave, token)
    ctx = _mapping_context(pending, wave, lang)
    errors: list[str] = []
    save_name = ""
    if request.method == "POST":
        save_name = request.POST.get("save_name", "").strip()[:100]
        built, units, default_unit, unit_column, errors = _mapping_from_post(request.POST, ctx, pending, lang)
        pending.units, pending.default_unit = units, default_unit
        if built is not None:
            pending.mapping = mapping_to_dict(built)
            pending.save()
            if save_name:
                SavedMapping.objects.update_or_create(
                    organisation=access.organisation,
                    instrument_id=wave.instrument_id,
                    name=save_name,
                    defaults={
                        "preset": pending.preset,
                        "mapping": pending.mapping,
                        "units": pending.units,
                        "default_unit_id": pending.default_unit,
                    },
                )
                record(
                    request, Verb.CHANGED, organisation=access.organisation, object_type="saved_mapping", detail="saved"
                )
                messages.success(request, t("data_import_mapping_saved", lang, name=save_name))
            if (unit_column or "") != request.POST.get("unit_column_shown", ""):
                messages.info(request, t("data_import_units_again", lang))
                return redirect(_urls(access, wave, token)["mapping"])
            return redirect(_urls(access, wave, token)["preview"])
        pending.save()
    return render_staff(
        request,
        "dashboards/data/import_mapping.html",
        {
            "lang": lang,
            "organisation": access.organisation,
            "wave": wave,
            "pending": pending,
            "errors": errors,
            "save_name": save_name,
            "urls": _urls(access, wave, token),
            "special": [
                (SKIP, t("data_import_col_skip", lang)),
                (ID, t("data_import_col_id", lang)),
                (UNIT, t("data_import_col_unit", lang)),
            ],
            "undecided": UNDECIDED,
            **ctx,
        },
        status=400 if errors else 200,
    )


# --- views: preview and import ----------------------------------------------------------------------


def _check(pending: Pending, wave: Wave, lang: str) -> ImportCheck:
    built = pending.column_mapping()
    if built is None:
        raise Http404("no mapping yet")
    return check_import(pending.path, wave, built, pending.units, pending.default_unit, lang=lang, sheet=pending.sheet)


def _summary(check: ImportCheck, lang: str) -> list[tuple[str, str]]:
    scores = check.preview.scores
    if scores is None or len(scores) == 0:
        return []
    out = [(t("data_import_summary_rows", lang), fmt_int(len(scores), lang))]
    situation = pd.to_numeric(scores["situation"], errors="coerce")
    for s in (1, 2, 3, 4):
        out.append((t("data_import_summary_situation", lang, n=s), fmt_pct(float((situation == s).mean()), lang)))
    for col, key in (("pwe_index", "data_plandoc_col_pwe"), ("productivity_index", "data_plandoc_col_productivity")):
        out.append((t(key, lang), fmt_num(pd.to_numeric(scores[col], errors="coerce").mean(), lang)))
    return out


def _rows_preview(check: ImportCheck, wave: Wave, lang: str) -> tuple[list[str], list[list[str]]]:
    rows = check.rows
    if rows is None:
        return [], []
    paths = UnitResolver(wave.organisation_id).paths
    items = [c for c in rows.columns if c != "unit"][:PREVIEW_ITEMS]
    head = [t("plan_field_unit", lang), *items]
    body = []
    for k in range(min(PREVIEW_ROWS, len(rows))):
        cells = [paths.get(check.units[k], "–")]
        for c in items:
            value = rows[c].iloc[k]
            cells.append("–" if pd.isna(value) else str(value))
        body.append(cells)
    return head, body


@staff_view(Perm.MANAGE_WAVES)
@require_http_methods(["GET"])
def preview(request: HttpRequest, access: Access, wave_id: int, token: str) -> HttpResponse:
    wave = _wave(access, wave_id)
    lang = staff_lang(request)
    if wave.is_released:
        return _refused(request, access, wave, lang)
    pending = _pending(request, access, wave, token)
    if pending.mapping is None:
        return redirect(_urls(access, wave, token)["mapping"])
    check = _check(pending, wave, lang)
    page = Paginator(check.problems, PROBLEMS_PER_PAGE).get_page(request.GET.get("page"))
    head, body = _rows_preview(check, wave, lang)
    return render_staff(
        request,
        "dashboards/data/import_preview.html",
        {
            "lang": lang,
            "organisation": access.organisation,
            "wave": wave,
            "pending": pending,
            "check": check,
            "count": fmt_int(len(check.problems), lang),
            "page": page,
            "problems": [p.line(lang) for p in page.object_list],
            "summary": _summary(check, lang),
            "head": head,
            "body": body,
            "twice": imported_before(wave, pending.sha256),
            "urls": _urls(access, wave, token),
        },
    )


@staff_view(Perm.MANAGE_WAVES)
@require_POST
def run(request: HttpRequest, access: Access, wave_id: int, token: str) -> HttpResponse:
    wave = _wave(access, wave_id)
    lang = staff_lang(request)
    pending = _pending(request, access, wave, token)
    if wave.is_released:
        return _refused(request, access, wave, lang)
    if pending.mapping is None:
        return redirect(_urls(access, wave, token)["mapping"])
    check = _check(pending, wave, lang)
    if not check.ok:
        messages.error(request, t("data_import_not_run", lang))
        return redirect(_urls(access, wave, token)["preview"])
    try:
        n = commit_import(wave, check, user=request.user, sha256=pending.sha256, source="web")
    except ImportRefused:
        return _refused(request, access, wave, lang)
    pending.discard()
    messages.success(request, t("data_import_done", lang, n=fmt_int(n, lang), wave=wave.name))
    return redirect(_urls(access, wave)["upload"])


@staff_view(Perm.MANAGE_WAVES)
@require_POST
def cancel(request: HttpRequest, access: Access, wave_id: int, token: str) -> HttpResponse:
    wave = _wave(access, wave_id)
    _pending(request, access, wave, token).discard()
    messages.info(request, t("data_import_cancelled", staff_lang(request)))
    return redirect(_urls(access, wave)["upload"])
