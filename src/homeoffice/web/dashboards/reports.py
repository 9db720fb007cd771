"""Group reports of a released wave (issue 4, point 5): the organisation's or a unit's results as an
HTML page and a PDF, in nb or en, with the same content as the dashboard and the model explained.

Content: the response count (and rate where invitations give a denominator), the share in each
situation of the dynamic model (thesis figure 5.1), the job situations, every dimension's mean
with its confidence interval against the cut, a heat map of the child units (hidden ones listed
as "hidden, n = …", never with numbers), the recommended measures, the change since the previous
released wave, and the model in plain language: the four situations, the job situations, that the
PWE index is the product's own operationalisation and not a validated scale, the cut policy used
and the anonymity rule (model.md sections 3-5).

Every figure comes through :func:`homeoffice.web.dashboards.groups.wave_groups`: a hidden group
gets the "hidden and why" page (HR and organisation admins read the rule that hid it; others a
general sentence) and its count, nothing computed from its answers. Open comments are left out
of reports: a report is made to be passed on, and comments stay on the dashboard.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET
from matplotlib.colors import TwoSlopeNorm, to_hex

from homeoffice.analysis.groups import compare_waves, group_summary, heat_map
from homeoffice.charts import TEXT as CHART_TEXT
from homeoffice.group_charts import (
    HEAT_CMAP,
    HEAT_RANGE,
    GroupChart,
    chart_png,
    dimension_means_chart,
    heat_map_chart,
    situation_chart,
    wave_change_chart,
)
from homeoffice.measures.engine import recommend_for_group
from homeoffice.web.accounts.audit import Verb, record
from homeoffice.web.accounts.guard import render_staff, staff_lang, staff_view
from homeoffice.web.accounts.permissions import Access, Perm, subtree
from homeoffice.web.dashboards.groups import WaveGroups, previous_wave, wave_groups
from homeoffice.web.dashboards.views import add_download_links
from homeoffice.web.i18n import t
from homeoffice.web.organisations.models import Unit
from homeoffice.web.surveys.emails import format_date
from homeoffice.web.surveys.models import Invitation, Wave

MAX_MEASURES = 8
HEAT_PAGE = 40  # groups per heat-map page (homeoffice.group_charts.ROWS_PER_PAGE)
JOB_ORDER = ("active", "high_strain", "low_strain", "passive")


# --- formatting ------------------------------------------------------------------------------------


def fmt_num(value: float | None, lang: str, digits: int = 1) -> str:
    """A number for people: ``digits`` decimals, a decimal comma and no-break thousands in nb; "–" if missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "–"
    text = f"{float(value):,.{digits}f}"
    return text.replace(",", "\u00a0").replace(".", ",") if lang == "nb" else text


def fmt_int(value: int, lang: str) -> str:
    return fmt_num(int(value), lang, 0)


def fmt_pct(share: float | None, lang: str, digits: int = 0) -> str:
    """A share (0-1) as a percentage: "40 %" in nb, "40%" in en."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "–"
    number = fmt_num(100 * float(share), lang, digits)
    return f"{number}\u00a0%" if lang == "nb" else f"{number}%"


def svg_uri(svg: str) -> str:
    """An SVG as a data: URI for ``<img src>`` (the page's CSP allows data: images, not inline styles)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


# --- the report's parts ---------------------------------------------------------------------------


@dataclass
class TextTable:
    """A table of texts: the header and the rows (a chart's text alternative, or a list)."""

    header: tuple[str, ...]
    rows: list[tuple[str, ...]]


@dataclass
class ChartPart:
    """A chart: SVG for the page, PNG for the PDF (when asked for), its description and data table."""

    svg: str
    description: str
    table: TextTable
    png: bytes | None = None

    @property
    def uri(self) -> str:
        return svg_uri(self.svg)


@dataclass
class HeatCell:
    text: str
    fill: str
    ink: str


@dataclass
class HeatPart:
    """The heat map of the child units that are shown; the hidden ones only by name and count."""

    charts: list[ChartPart]
    dimensions: list[str]
    groups: list[tuple[str, str]]  # (name, n text) per shown child
    cells: list[list[HeatCell]]  # dimension x group
    hidden: list[tuple[str, str]]  # (name, n text) per hidden child


@dataclass
class MeasureLine:
    rank: int
    measure_id: str
    title: str
    actor: str
    share: str
    why: str
    evidence: str


@dataclass
class Comparison:
    previous_name: str
    chart: ChartPart | None
    situations: TextTable | None
    note: str = ""


@dataclass
class GroupReport:
    """Everything a report shows, in one language; ``shown`` False means the "hidden and why" page."""

    lang: str
    organisation: str
    wave: Wave
    unit: Unit | None
    group_name: str
    period: str
    released: str
    n: int
    n_text: str
    rate_text: str
    shown: bool
    hidden_reason: str = ""
    situations: ChartPart | None = None
    situation_table: TextTable | None = None
    jobs: TextTable | None = None
    iso_strain: str = ""
    means: ChartPart | None = None
    weak: list[str] = field(default_factory=list)
    good: list[str] = field(default_factory=list)
    heat: HeatPart | None = None
    measures: list[MeasureLine] = field(default_factory=list)
    comparison: Comparison | None = None
    model: list[tuple[str, list[str]]] = field(default_factory=list)
    provenance: str = ""

    @property
    def title(self) -> str:
        return t("data_report_title", self.lang, group=self.group_name)


def group_path(groups: WaveGroups, unit_id: int | None) -> str:
    """A unit's path "Company > Department > Team" from the wave's unit tree (the organisation: its top unit)."""
    node: int | None = groups.root_id if unit_id is None else unit_id
    names: list[str] = []
    while node is not None and len(names) < 32:
        names.append(groups.units[node].name)
        node = groups.parent.get(node)
    return " > ".join(reversed(names))


def response_rate(wave: Wave, unit_ids: Sequence[int] | None, n: int, lang: str) -> str:
    """The response rate, "48 of 60 invited (80%)", when the wave has personal invitations for the group;
    else a sentence saying the rate is not known (anonymous links have no denominator)."""
    invitations = Invitation.objects.filter(wave=wave)
    if unit_ids is not None:
        invitations = invitations.filter(unit_id__in=list(unit_ids))
    invited = invitations.count()
    if not invited or n > invited:
        return t("data_report_rate_unknown", lang)
    return t(
        "data_report_rate", lang, n=fmt_int(n, lang), invited=fmt_int(invited, lang), rate=fmt_pct(n / invited, lang)
    )


def _chart(draw, lang: str, png: bool) -> ChartPart:
    if png:
        chart, image = chart_png(draw)
    else:
        chart, image = draw(), None
    return _part(chart, lang, image)


def _part(chart: GroupChart, lang: str, image: bytes | None) -> ChartPart:
    rows = chart.rows[lang]
    return ChartPart(chart.svg, chart.description[lang], TextTable(tuple(rows[0]), [tuple(r) for r in rows[1:]]), image)


def _reading(side: object, direction: str) -> str:
    """good / weak / unclear / neutral, as the means chart reads a confidence interval against the cut."""
    if direction == "neutral":
        return "neutral"
    if side not in ("above", "below"):
        return "unclear"
    return "good" if (side == "above") == (direction == "resource") else "weak"


def dimension_readings(dimensions: pd.DataFrame, lang: str) -> tuple[list[str], list[str]]:
    """The names of the dimensions whose interval lies wholly on the weak side, and on the good side."""
    weak, good = [], []
    for _, row in dimensions.iterrows():
        reading = _reading(row["ci_side"], str(row["direction"]))
        name = f"{row[f'name_{lang}']} ({fmt_num(row['mean'], lang)})"
        if reading == "weak":
            weak.append(name)
        elif reading == "good":
            good.append(name)
    return weak, good


def _heat(groups: WaveGroups, unit_id: int, lang: str) -> HeatPart | None:
    children = groups.children(unit_id)
    if not children:
        return None
    shown, hidden = [], []
    for child in children:
        key = groups.key(child.pk)
        rows = groups.results(key)
        if rows is None:
            if groups.n(key):
                hidden.append((child.name, fmt_int(groups.n(key), lang)))
            continue
        shown.append((child, rows))
    if not shown:
        return HeatPart([], [], [], [], hidden)
    names = [c.name for c, _ in shown]
    frame = pd.concat([rows for _, rows in shown], ignore_index=True)
    labels = np.concatenate([np.full(len(rows), c.name, dtype=object) for c, rows in shown])
    heat = heat_map(frame, labels, groups.instrument, order=names)
    pages = max(1, math.ceil(len(names) / HEAT_PAGE))
    charts = [
        _chart(lambda p=page: heat_map_chart(heat, lang=lang, page=p, rows_per_page=HEAT_PAGE), lang, False)
        for page in range(1, pages + 1)
    ]
    dims = heat.dimensions
    sign = dims["direction"].map({"resource": 1.0, "risk": -1.0, "neutral": np.nan}).to_numpy(dtype=float)
    means = heat.means[dims.index].to_numpy(dtype=float)  # groups x dimensions
    favour = (means - dims["cut"].to_numpy(dtype=float)) * sign
    shade = np.clip(np.where(np.isnan(favour), 0.0, favour), -HEAT_RANGE, HEAT_RANGE)
    rgba = HEAT_CMAP(TwoSlopeNorm(vcenter=0.0, vmin=-HEAT_RANGE, vmax=HEAT_RANGE)(shade))
    dark = (0.2126 * rgba[..., 0] + 0.7152 * rgba[..., 1] + 0.0722 * rgba[..., 2]) < 0.45
    cells = [
        [
            HeatCell(
                "–" if np.isnan(means[g, d]) else str(math.floor(means[g, d] + 0.5)),
                to_hex(rgba[g, d]),
                "#ffffff" if dark[g, d] else "#1b1b1b",
            )
            for g in range(len(names))
        ]
        for d in range(len(dims))
    ]
    group_heads = [(name, fmt_int(n, lang)) for name, n in zip(names, heat.group_n.to_numpy(), strict=True)]
    return HeatPart(charts, [str(x) for x in dims[f"name_{lang}"]], group_heads, cells, hidden)


def _measures(results: pd.DataFrame, groups: WaveGroups, lang: str) -> list[MeasureLine]:
    rec = recommend_for_group(results, groups.instrument, lang=lang)
    out = []
    for measure_id, row in rec.measures.head(MAX_MEASURES).iterrows():
        out.append(
            MeasureLine(
                rank=int(row["rank"]),
                measure_id=str(measure_id),
                title=str(row["title"]),
                actor=t(f"data_actor_{row['actor']}", lang),
                share=t(
                    "data_report_measure_share", lang, share=fmt_pct(row["share"], lang), n=fmt_int(row["n"], lang)
                ),
                why=str(row["why"] or ""),
                evidence=str(row["evidence"] or ""),
            )
        )
    return out


def _comparison(groups: WaveGroups, unit_id: int | None, results: pd.DataFrame, lang: str, png: bool) -> Comparison:
    previous = previous_wave(groups.wave)
    if previous is None:
        return Comparison("", None, None, t("data_report_no_previous", lang))
    before = wave_groups(previous)
    if before is None or (unit_id is not None and unit_id not in before.units):
        return Comparison(previous.name, None, None, t("data_report_previous_missing", lang, wave=previous.name))
    old = before.results(before.key(unit_id))
    if old is None:
        return Comparison(previous.name, None, None, t("data_report_previous_hidden", lang, wave=previous.name))
    comparison = compare_waves(old, results, groups.instrument)
    chart = _chart(lambda: wave_change_chart(comparison, lang=lang), lang, png)
    rows = []
    for key, row in comparison.situations.iterrows():
        if key == "unclassified":
            name = t("data_report_unclassified", lang)
        else:
            name = f"{key} {CHART_TEXT[lang][f'name_{key}']}"
        points = row["change_points"]
        change = "–" if pd.isna(points) else ("+" if points > 0 else "") + fmt_num(points, lang)
        rows.append((name, fmt_pct(row["share_previous"], lang), fmt_pct(row["share_current"], lang), change))
    head = tuple(
        t(k, lang) for k in ("data_col_situation", "data_col_previous", "data_col_current", "data_col_change_points")
    )
    note = t("data_report_cuts_differ", lang) if comparison.cuts_differ else ""
    return Comparison(previous.name, chart, TextTable(head, rows), note)


def _policy_sentence(provenance: dict, lang: str) -> str:
    policy = str(provenance.get("cut_policy", ""))
    name = CHART_TEXT[lang].get(f"policy_{policy}", policy)
    return t(
        "data_model_cuts",
        lang,
        policy=name,
        pwe=fmt_num(provenance.get("cut_pwe"), lang),
        productivity=fmt_num(provenance.get("cut_productivity"), lang),
        demands=fmt_num(provenance.get("cut_demands"), lang),
        control=fmt_num(provenance.get("cut_control"), lang),
    )


def model_explained(provenance: dict | None, min_size: int, lang: str) -> list[tuple[str, list[str]]]:
    """The model in plain language (model.md sections 3-5): headings with their paragraphs."""
    situations = [
        t(
            "data_model_situation",
            lang,
            n=s,
            name=CHART_TEXT[lang][f"name_{s}"],
            text=t(f"data_model_situation_{s}", lang),
        )
        for s in (1, 2, 3, 4)
    ]
    jobs = [t("data_model_job_intro", lang)] + [
        t("data_model_job", lang, name=t(f"results_job_name_{j}", lang), text=t(f"data_model_job_{j}", lang))
        for j in JOB_ORDER
    ]
    indexes = [t("data_model_pwe", lang), t("data_model_pwe_caveat", lang), t("data_model_productivity", lang)]
    cuts = [t("data_model_cuts_intro", lang)]
    if provenance:
        cuts.append(_policy_sentence(provenance, lang))
    cuts.append(t("data_model_ci", lang))
    return [
        (t("data_model_heading_model", lang), [t("data_model_intro", lang), *situations]),
        (t("data_model_heading_job", lang), jobs),
        (t("data_model_heading_indexes", lang), indexes),
        (t("data_model_heading_cuts", lang), cuts),
        (t("data_model_heading_anonymity", lang), [t("data_model_anonymity", lang, min=min_size)]),
    ]


def hidden_reason(groups: WaveGroups, unit_id: int | None, lang: str, *, detailed: bool) -> str:
    """Why a group is hidden: the rule and the groups involved for HR, a general sentence for others."""
    key = groups.key(unit_id)
    if groups.n(key) == 0:
        return t("data_report_empty", lang)
    if detailed and key in groups.candidates:
        sentence = groups.disclosure.sentence(key, lang)
        if sentence:
            return sentence
    return t("data_report_hidden_general", lang, min=groups.wave.min_group_size)


def build_report(
    groups: WaveGroups, unit: Unit | None, lang: str, *, detailed_hidden: bool = False, png: bool = False
) -> GroupReport:
    """The report of ``unit`` (None: the organisation) in ``lang``; ``png``: also draw the charts as PNG (PDF)."""
    wave = groups.wave
    unit_id = None if unit is None else unit.pk
    key = groups.key(unit_id)
    n = groups.n(key)
    scope = None if unit is None else sorted(subtree([unit.pk], groups.parent))
    report = GroupReport(
        lang=lang,
        organisation=wave.organisation.name,
        wave=wave,
        unit=unit,
        group_name=t("plan_whole_org", lang) if unit is None else group_path(groups, unit_id),
        period=t(
            "data_report_period", lang, opens=format_date(wave.opens_on, lang), closes=format_date(wave.closes_on, lang)
        ),
        released=format_date(wave.released_on, lang) if wave.released_on else "",
        n=n,
        n_text=t("data_report_n", lang, n=fmt_int(n, lang)),
        rate_text=response_rate(wave, scope, n, lang),
        shown=groups.shown(key),
    )
    results = groups.results(key)
    if results is None:
        report.shown = False
        report.hidden_reason = hidden_reason(groups, unit_id, lang, detailed=detailed_hidden)
        report.model = model_explained(None, wave.min_group_size, lang)
        return report
    summary = group_summary(results, groups.instrument)
    report.situations = _chart(lambda: situation_chart(results, lang=lang, kind="model"), lang, png)
    head = tuple(t(k, lang) for k in ("data_col_situation", "data_col_what_to_do", "data_col_count", "data_col_share"))
    rows = []
    for s, row in summary.situations.iterrows():
        if s == "unclassified":
            if row["n"]:
                rows.append(
                    (t("data_report_unclassified", lang), "", fmt_int(row["n"], lang), fmt_pct(row["share"], lang))
                )
            continue
        rows.append(
            (
                f"{s} {CHART_TEXT[lang][f'name_{s}']}",
                CHART_TEXT[lang][f"advice_{s}"],
                fmt_int(row["n"], lang),
                fmt_pct(row["share"], lang),
            )
        )
    report.situation_table = TextTable(head, rows)
    job_rows = []
    for j, row in summary.job_situations.iterrows():
        if j == "unclassified" and not row["n"]:
            continue
        name = t("data_report_unclassified", lang) if j == "unclassified" else t(f"results_job_name_{j}", lang)
        job_rows.append((name, fmt_int(row["n"], lang), fmt_pct(row["share"], lang)))
    report.jobs = TextTable(
        tuple(t(k, lang) for k in ("data_col_job_situation", "data_col_count", "data_col_share")), job_rows
    )
    report.iso_strain = t("data_report_iso_strain", lang, n=fmt_int(summary.iso_strain, lang))
    report.means = _chart(lambda: dimension_means_chart(summary, lang=lang), lang, png)
    report.weak, report.good = dimension_readings(summary.dimensions, lang)
    report.heat = _heat(groups, groups.root_id if unit is None else unit.pk, lang)
    report.measures = _measures(results, groups, lang)
    report.comparison = _comparison(groups, unit_id, results, lang, png)
    report.model = model_explained(dict(summary.provenance), wave.min_group_size, lang)
    prov = summary.provenance
    report.provenance = t(
        "data_report_provenance",
        lang,
        instrument=str(prov.get("instrument_id", "")),
        version=str(prov.get("instrument_version", "")),
        software=str(prov.get("homeoffice_version", "")),
    )
    return report


# --- views ----------------------------------------------------------------------------------------


def released_wave(access: Access, wave_id: int) -> tuple[Wave, WaveGroups]:
    """The organisation's wave and its groups; 404 for another organisation's or an unreleased wave."""
    wave = get_object_or_404(Wave.objects.select_related("organisation"), pk=wave_id, organisation=access.organisation)
    groups = wave_groups(wave) if wave.is_released else None
    if groups is None:
        raise Http404("the wave's results are not released")
    return wave, groups


def _unit(access: Access, unit_id: int | None) -> Unit | None:
    if unit_id is None:
        access.require(Perm.VIEW_ORG_DASHBOARD, None)
        return None
    unit = get_object_or_404(Unit, pk=unit_id, organisation=access.organisation)
    access.require(Perm.VIEW_UNIT_DASHBOARD, unit)
    return unit


def _report(request: HttpRequest, access: Access, wave_id: int, unit_id: int | None, *, png: bool) -> GroupReport:
    unit = _unit(access, unit_id)
    _, groups = released_wave(access, wave_id)
    return build_report(groups, unit, staff_lang(request), detailed_hidden=access.can(Perm.VIEW_HIDDEN), png=png)


def report_urls(org_slug: str, wave_id: int, unit_id: int | None) -> dict[str, str]:
    if unit_id is None:
        args: list = [org_slug, wave_id]
        return {
            "html": reverse("data:org_report", args=args),
            "pdf": reverse("data:org_report_pdf", args=args),
        }
    args = [org_slug, wave_id, unit_id]
    return {"html": reverse("data:unit_report", args=args), "pdf": reverse("data:unit_report_pdf", args=args)}


@staff_view(Perm.VIEW_ORG_DASHBOARD)
@require_GET
def report_page(request: HttpRequest, access: Access, wave_id: int) -> HttpResponse:
    """The organisation's report as HTML."""
    return _page(request, access, wave_id, None)


@staff_view(Perm.VIEW_UNIT_DASHBOARD)
@require_GET
def unit_report_page(request: HttpRequest, access: Access, wave_id: int, unit_id: int) -> HttpResponse:
    """A unit's report as HTML (the user may view that unit's dashboard)."""
    return _page(request, access, wave_id, unit_id)


@staff_view(Perm.VIEW_ORG_DASHBOARD)
@require_GET
def report_pdf(request: HttpRequest, access: Access, wave_id: int) -> HttpResponse:
    """The organisation's report as PDF."""
    return _pdf(request, access, wave_id, None)


@staff_view(Perm.VIEW_UNIT_DASHBOARD)
@require_GET
def unit_report_pdf(request: HttpRequest, access: Access, wave_id: int, unit_id: int) -> HttpResponse:
    """A unit's report as PDF."""
    return _pdf(request, access, wave_id, unit_id)


def _page(request: HttpRequest, access: Access, wave_id: int, unit_id: int | None) -> HttpResponse:
    report = _report(request, access, wave_id, unit_id, png=False)
    record(
        request,
        Verb.VIEWED,
        organisation=access.organisation,
        object_type="report",
        object_id=report.wave.pk,
        wave=report.wave,
        unit=report.unit,
        format="html",
    )
    urls = report_urls(access.organisation.slug, report.wave.pk, unit_id)
    groups = wave_groups(report.wave)
    base = groups.root_id if report.unit is None else report.unit.pk
    children = [
        (child.name, report_urls(access.organisation.slug, report.wave.pk, child.pk)["html"])
        for child in groups.children(base)
        if access.can(Perm.VIEW_UNIT_DASHBOARD, child)
    ]
    parent_url = ""
    if report.unit is not None:
        if report.unit.parent_id is not None and access.can(Perm.VIEW_UNIT_DASHBOARD, report.unit.parent_id):
            parent_url = report_urls(access.organisation.slug, report.wave.pk, report.unit.parent_id)["html"]
        elif access.can(Perm.VIEW_ORG_DASHBOARD, None):
            parent_url = report_urls(access.organisation.slug, report.wave.pk, None)["html"]
    lang = report.lang
    try:  # the group's dashboard (dashboards/urls.py)
        args = [access.organisation.slug, report.wave.pk] + ([] if unit_id is None else [unit_id])
        dashboard_url = reverse("dashboards:wave" if unit_id is None else "dashboards:unit", args=args)
    except NoReverseMatch:
        dashboard_url = ""
    return render_staff(
        request,
        "dashboards/report/report.html" if report.shown else "dashboards/report/hidden.html",
        {
            "lang": lang,
            "organisation": access.organisation,
            "report": report,
            "pdf_url": f"{urls['pdf']}?lang={lang}",
            "children": children,
            "parent_url": parent_url,
            "dashboard_url": dashboard_url,
        },
    )


def _pdf(request: HttpRequest, access: Access, wave_id: int, unit_id: int | None) -> HttpResponse:
    from homeoffice.web.dashboards.report_pdf import render_report_pdf

    report = _report(request, access, wave_id, unit_id, png=True)
    pdf = render_report_pdf(report)
    record(
        request,
        Verb.EXPORTED,
        organisation=access.organisation,
        object_type="report",
        object_id=report.wave.pk,
        wave=report.wave,
        unit=report.unit,
        format="pdf",
    )
    name = f"report-{access.organisation.slug}-wave-{report.wave.pk}"
    if report.unit is not None:
        name += f"-unit-{report.unit.pk}"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}-{report.lang}.pdf"'
    return response


# --- links on the dashboard ------------------------------------------------------------------------


def _download_links(request: HttpRequest, access: Access, wave: Wave, unit: Unit | None, key) -> list[dict]:
    """The report as PDF (and, for the organisation, the plan documentation) on a shown group's dashboard."""
    if getattr(key, "filter", None) is not None:
        return []
    lang = staff_lang(request)
    slug = access.organisation.slug
    links = []
    if unit is None:
        if access.can(Perm.VIEW_ORG_DASHBOARD, None):
            links.append(
                {
                    "label": t("data_link_report_pdf", lang),
                    "url": f"{report_urls(slug, wave.pk, None)['pdf']}?lang={lang}",
                }
            )
        if access.can(Perm.VIEW_ORG_DASHBOARD, None) and access.can(Perm.VIEW_ACTION_PLAN, None):
            for fmt in ("pdf", "xlsx"):
                url = reverse("data:plan_documentation", args=[slug, wave.pk, fmt])
                links.append({"label": t(f"data_link_plan_{fmt}", lang), "url": f"{url}?lang={lang}"})
    elif access.can(Perm.VIEW_UNIT_DASHBOARD, unit):
        links.append(
            {
                "label": t("data_link_report_pdf", lang),
                "url": f"{report_urls(slug, wave.pk, unit.pk)['pdf']}?lang={lang}",
            }
        )
    return links


add_download_links(_download_links)
