"""The action plan with the results, as the documentation Norwegian employers must keep (issue 4, point 4).

The working environment act (arbeidsmiljøloven § 3-1) asks the employer to map the working
environment, assess the risks, decide measures with a plan, and follow them up; the internal
control regulations (internkontrollforskriften § 5) ask for these steps to be documented. Per
released wave this module puts the four steps in one file, as PDF or XLSX:

1. **Mapping** (kartlegging): the wave, who was asked, how many answered, and a summary of every
   group whose results may be shown (the organisation and its units; hidden units only by count).
2. **Risk assessment** (vurdering): the situations of the dynamic model, the job situations and the
   dimensions clearly weaker than the cut, per shown group.
3. **Measures** (tiltak): every action of the wave with owner, deadline, status, notes and comments.
4. **Follow-up** (oppfølging): for each catalogue measure of the previous released wave, the change
   since then in the dimensions it targets (:func:`homeoffice.analysis.groups.measure_follow_up`),
   where the group is shown in both waves.

Group figures come only through :mod:`homeoffice.web.dashboards.groups`; nothing of a hidden group
but its response count is written.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pandas as pd
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from reportlab.platypus import Flowable, KeepTogether, Spacer

from homeoffice.analysis.groups import compare_waves, group_summary, measure_follow_up
from homeoffice.charts import TEXT as CHART_TEXT
from homeoffice.measures import load_catalogue
from homeoffice.web.accounts.audit import Verb, record
from homeoffice.web.accounts.guard import staff_lang, staff_view
from homeoffice.web.accounts.permissions import Access, Perm
from homeoffice.web.actions.models import Action
from homeoffice.web.actions.plans import action_title, visible_actions
from homeoffice.web.dashboards.groups import WaveGroups, previous_wave, wave_groups
from homeoffice.web.dashboards.reports import (
    TextTable,
    dimension_readings,
    fmt_int,
    fmt_num,
    fmt_pct,
    group_path,
    released_wave,
    response_rate,
)
from homeoffice.web.i18n import t
from homeoffice.web.surveys.emails import format_date
from homeoffice.web.surveys.models import Wave


@dataclass
class Section:
    heading: str
    paragraphs: list[str]
    tables: list[tuple[str, TextTable]] = field(default_factory=list)  # (caption, table)


@dataclass
class PlanDocumentation:
    lang: str
    title: str
    facts: list[tuple[str, str]]
    intro: list[str]
    sections: list[Section]


def _tree_order(groups: WaveGroups) -> list[int]:
    """Every unit, parents before children, siblings by name (the organisation's top unit first)."""
    out: list[int] = []
    todo = [groups.root_id]
    while todo:
        unit = todo.pop(0)
        out.append(unit)
        todo[0:0] = [c.pk for c in groups.children(unit)]
    return out


def _group_label(groups: WaveGroups, unit_id: int | None, lang: str) -> str:
    if unit_id is None or unit_id == groups.root_id:
        return t("plan_whole_org", lang)
    return group_path(groups, unit_id)


def _situation_text(summary, lang: str) -> str:
    parts = []
    for s in (1, 2, 3, 4):
        parts.append(f"{s}: {fmt_pct(summary.situations.loc[s, 'share'], lang)}")
    return "; ".join(parts)


def _job_text(summary, lang: str) -> str:
    parts = []
    for j in ("active", "high_strain", "low_strain", "passive"):
        name = t(f"data_job_short_{j}", lang)
        parts.append(f"{name} {fmt_pct(summary.job_situations.loc[j, 'share'], lang)}")
    return "; ".join(parts)


def _mean(summary, dim: str, lang: str) -> str:
    return fmt_num(summary.dimensions.loc[dim, "mean"], lang) if dim in summary.dimensions.index else "–"


def _mapping_and_assessment(groups: WaveGroups, lang: str) -> tuple[Section, Section]:
    head_map = tuple(
        t(k, lang)
        for k in (
            "plan_field_unit",
            "data_col_count",
            "data_plandoc_col_situations",
            "data_plandoc_col_pwe",
            "data_plandoc_col_productivity",
        )
    )
    head_assess = tuple(t(k, lang) for k in ("plan_field_unit", "data_col_job_situation", "data_plandoc_col_weak"))
    mapping_rows, assess_rows, hidden = [], [], []
    for unit_id in _tree_order(groups):
        key = groups.key(unit_id)
        n = groups.n(key)
        label = _group_label(groups, unit_id, lang)
        results = groups.results(key)
        if results is None:
            if n:
                hidden.append(t("data_report_hidden_item", lang, group=label, n=fmt_int(n, lang)))
            continue
        summary = group_summary(results, groups.instrument)
        weak, _ = dimension_readings(summary.dimensions, lang)
        mapping_rows.append(
            (
                label,
                fmt_int(n, lang),
                _situation_text(summary, lang),
                _mean(summary, "pwe_index", lang),
                _mean(summary, "productivity_index", lang),
            )
        )
        iso = t("data_report_iso_strain", lang, n=fmt_int(summary.iso_strain, lang))
        assess_rows.append((label, f"{_job_text(summary, lang)}. {iso}", "; ".join(weak) or "–"))
    wave = groups.wave
    n_all = groups.n(groups.key())
    facts = [
        t(
            "data_plandoc_mapping_how",
            lang,
            instrument=groups.instrument.spec.title.get(lang),
            mode=t(f"data_mode_{wave.mode}", lang),
        ),
        t("data_plandoc_mapping_n", lang, n=fmt_int(n_all, lang), rate=response_rate(wave, None, n_all, lang)),
        t("data_model_anonymity", lang, min=wave.min_group_size),
    ]
    if hidden:
        facts.append(t("data_plandoc_hidden_list", lang, groups="; ".join(hidden)))
    situations = "; ".join(f"{s} = {CHART_TEXT[lang][f'name_{s}']}" for s in (1, 2, 3, 4))
    mapping = Section(
        t("data_plandoc_sec_mapping", lang),
        [*facts, t("data_plandoc_situation_key", lang, situations=situations)],
        [(t("data_plandoc_mapping_table", lang), TextTable(head_map, mapping_rows))],
    )
    assessment = Section(
        t("data_plandoc_sec_assessment", lang),
        [t("data_plandoc_assessment_intro", lang), t("data_model_pwe_caveat", lang)],
        [(t("data_plandoc_assessment_table", lang), TextTable(head_assess, assess_rows))],
    )
    return mapping, assessment


def _day(day, lang: str) -> str:
    return format_date(day, lang) if day else "–"


def _measures(actions: list[Action], groups: WaveGroups, lang: str) -> Section:
    head = tuple(
        t(k, lang)
        for k in (
            "data_plandoc_col_action",
            "plan_field_unit",
            "plan_field_owner",
            "plan_field_deadline",
            "plan_field_status",
            "plan_field_notes",
            "plan_comments_heading",
        )
    )
    rows = []
    for action in actions:
        comments = " | ".join(
            f"{c.author_name}, {_day(timezone.localdate(c.created), lang)}: {c.text}" for c in action.comments.all()
        )
        rows.append(
            (
                action_title(action, lang),
                _group_label(groups, action.unit_id, lang),
                action.owner or "–",
                _day(action.deadline, lang),
                t(f"plan_status_{action.status}", lang),
                action.notes or "–",
                comments or "–",
            )
        )
    intro = [t("data_plandoc_measures_intro", lang)]
    if not rows:
        intro.append(t("data_plandoc_measures_none", lang))
    return Section(
        t("data_plandoc_sec_measures", lang),
        intro,
        [(t("data_plandoc_measures_table", lang), TextTable(head, rows))] if rows else [],
    )


def _follow_up(access: Access, groups: WaveGroups, lang: str) -> Section:
    heading = t("data_plandoc_sec_follow_up", lang)
    previous = previous_wave(groups.wave)
    if previous is None:
        return Section(heading, [t("data_plandoc_follow_up_none", lang)])
    before = wave_groups(previous)
    actions = list(visible_actions(access).filter(wave=previous).select_related("unit").order_by("unit_id", "pk"))
    paragraphs = [t("data_plandoc_follow_up_intro", lang, wave=previous.name)]
    if before is None or not actions:
        paragraphs.append(t("data_plandoc_follow_up_no_actions", lang, wave=previous.name))
        return Section(heading, paragraphs)
    catalogue = load_catalogue()
    head = tuple(
        t(k, lang)
        for k in (
            "data_plandoc_col_action",
            "plan_field_unit",
            "data_plandoc_col_dimension",
            "data_col_previous",
            "data_col_current",
            "data_plandoc_col_change",
            "data_plandoc_col_reading",
        )
    )
    rows, notes = [], []
    by_group: dict[int | None, list[Action]] = {}
    for action in actions:
        by_group.setdefault(action.unit_id, []).append(action)
    for unit_id, group_actions in by_group.items():
        label = _group_label(groups, unit_id, lang)
        measured = [a for a in group_actions if a.measure_id and a.measure_id in catalogue.ids]
        for a in group_actions:
            if a not in measured:
                notes.append(t("data_plandoc_follow_up_free", lang, action=action_title(a, lang), group=label))
        if not measured:
            continue
        now = groups.results(groups.key(unit_id)) if unit_id is None or unit_id in groups.units else None
        then = before.results(before.key(unit_id)) if unit_id is None or unit_id in before.units else None
        if now is None or then is None:
            for a in measured:
                notes.append(t("data_plandoc_follow_up_hidden", lang, action=action_title(a, lang), group=label))
            continue
        comparison = compare_waves(then, now, groups.instrument)
        follow = measure_follow_up([a.measure_id for a in measured], comparison, catalogue)
        titles = {a.measure_id: action_title(a, lang) for a in measured}
        for _, row in follow.iterrows():
            if not row["measured"]:
                continue
            change = row["change"]
            change_text = "–" if pd.isna(change) else ("+" if change > 0 else "") + fmt_num(change, lang)
            reading = row["reading"] if isinstance(row["reading"], str) else "unclear"
            rows.append(
                (
                    titles[row["measure_id"]],
                    label,
                    str(row[f"name_{lang}"]),
                    fmt_num(row["mean_previous"], lang),
                    fmt_num(row["mean_current"], lang),
                    change_text,
                    t(f"data_reading_{reading}", lang),
                )
            )
    tables = [(t("data_plandoc_follow_up_table", lang), TextTable(head, rows))] if rows else []
    return Section(heading, paragraphs + notes, tables)


def build_plan_documentation(access: Access, groups: WaveGroups, lang: str) -> PlanDocumentation:
    """The four steps for the released wave of ``groups`` (see the module docstring), in ``lang``."""
    wave: Wave = groups.wave
    actions = list(
        visible_actions(access)
        .filter(wave=wave)
        .select_related("unit")
        .prefetch_related("comments")
        .order_by("unit_id", "pk")
    )
    mapping, assessment = _mapping_and_assessment(groups, lang)
    facts = [
        (t("data_report_organisation", lang), wave.organisation.name),
        (t("plan_field_wave", lang), wave.name),
        (
            t("data_plandoc_period", lang),
            t(
                "data_report_period",
                lang,
                opens=format_date(wave.opens_on, lang),
                closes=format_date(wave.closes_on, lang),
            ),
        ),
        (t("data_report_released", lang), _day(wave.released_on, lang)),
        (t("data_plandoc_made_on", lang), format_date(timezone.localdate(), lang)),
    ]
    return PlanDocumentation(
        lang=lang,
        title=t("data_plandoc_title", lang),
        facts=facts,
        intro=[t("data_plandoc_law", lang), t("data_plandoc_steps", lang)],
        sections=[mapping, assessment, _measures(actions, groups, lang), _follow_up(access, groups, lang)],
    )


# --- files ----------------------------------------------------------------------------------------


def render_plan_pdf(doc: PlanDocumentation) -> bytes:
    from reportlab.lib import pagesizes

    from homeoffice.web.dashboards import report_pdf as rp

    st = rp.styles()
    buffer = io.BytesIO()
    pdf = rp.document(buffer, doc.title, doc.lang)
    pdf.pagesize = pagesizes.landscape(pagesizes.A4)
    width = pdf.pagesize[0] - 2 * rp.MARGIN
    pdf.width = width
    story: list[Flowable] = [rp.p(doc.title, st["title"])]
    story.append(rp.pairs_table(doc.facts, st, width * 0.6))
    story.append(Spacer(1, 6))
    story += [rp.p(x, st["body"]) for x in doc.intro]
    widths = {
        5: (0.3, 0.07, 0.35, 0.13, 0.15),
        3: (0.25, 0.4, 0.35),
        7: (0.18, 0.14, 0.1, 0.09, 0.08, 0.2, 0.21),
    }
    for section in doc.sections:
        story.append(rp.p(section.heading, st["h2"]))
        story += [rp.p(x, st["body"]) for x in section.paragraphs]
        for caption, table in section.tables:
            cols = len(table.header)
            story.append(KeepTogether([rp.p(caption, st["h3"])]))
            story.append(rp.text_table(table, st, width, widths.get(cols)))
    footer = rp.footer_for(doc.lang, doc.title, pdf.pagesize)
    pdf.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def render_plan_xlsx(doc: PlanDocumentation) -> bytes:
    """One sheet per step (and one with the facts), header rows in bold, columns sized to their text."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    about = book.active
    about.title = t("data_plandoc_sheet_about", doc.lang)
    about.append([doc.title])
    about["A1"].font = Font(bold=True, size=14)
    for name, value in doc.facts:
        about.append([name, value])
    about.append([])
    for paragraph in doc.intro:
        about.append([paragraph])
    about.column_dimensions["A"].width = 28
    about.column_dimensions["B"].width = 60
    for number, section in enumerate(doc.sections, start=1):
        sheet = book.create_sheet(t(f"data_plandoc_sheet_{number}", doc.lang))
        sheet.append([section.heading])
        sheet["A1"].font = Font(bold=True, size=13)
        for paragraph in section.paragraphs:
            sheet.append([paragraph])
        for caption, table in section.tables:
            sheet.append([])
            sheet.append([caption])
            sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
            sheet.append(list(table.header))
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
            for row in table.rows:
                sheet.append(list(row))
            for k, _ in enumerate(table.header, start=1):
                letter = sheet.cell(row=1, column=k).column_letter
                longest = max([len(str(r[k - 1])) for r in table.rows] + [len(table.header[k - 1]), 8])
                sheet.column_dimensions[letter].width = min(max(12, longest + 2), 60)
        for row in sheet.iter_rows():
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@staff_view(Perm.VIEW_ORG_DASHBOARD)
@require_GET
def plan_documentation(request: HttpRequest, access: Access, wave_id: int, fmt: str) -> HttpResponse:
    """The documentation of ``wave_id`` as ``fmt`` (pdf or xlsx): organisation-wide readers of the plan."""
    access.require(Perm.VIEW_ORG_DASHBOARD, None)
    access.require(Perm.VIEW_ACTION_PLAN, None)
    wave, groups = released_wave(access, wave_id)
    lang = staff_lang(request)
    doc = build_plan_documentation(access, groups, lang)
    if fmt == "pdf":
        data, content_type = render_plan_pdf(doc), "application/pdf"
    else:
        data = render_plan_xlsx(doc)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    record(
        request,
        Verb.EXPORTED,
        organisation=access.organisation,
        object_type="plan_documentation",
        object_id=wave.pk,
        wave=wave,
        format=fmt,
    )
    response = HttpResponse(data, content_type=content_type)
    name = f"plan-documentation-{access.organisation.slug}-wave-{wave.pk}-{lang}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


__all__ = ["build_plan_documentation", "plan_documentation", "render_plan_pdf", "render_plan_xlsx"]
