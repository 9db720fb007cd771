"""Group reports and the action-plan documentation as PDF (ReportLab platypus).

The report PDF has the content of the HTML report (:mod:`homeoffice.web.dashboards.reports`): the
charts are the same matplotlib figures as the page's SVG, drawn as PNG (:func:`homeoffice.group_charts.chart_png`),
each followed by its text alternative; the heat map of child units becomes a coloured table (dimensions
down, units across), which stays readable on an A4 page where a 27-column picture would not. Text is set
in DejaVu Sans (shipped with matplotlib), so æ, ø and å render everywhere; files carry no creation time.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from homeoffice.web.dashboards.reports import ChartPart, GroupReport, TextTable
from homeoffice.web.i18n import t
from homeoffice.web.results.pdf import FONT, LINE, MARGIN, MUTED, SOFT, base_styles, paragraph, register_fonts

HEAT_GROUPS_PER_TABLE = 7


def styles() -> dict[str, ParagraphStyle]:
    """The personal PDF's styles (:func:`homeoffice.web.results.pdf.base_styles`) with a smaller title
    and table cells (group tables are wider), and a centred style for heat-map cells."""
    register_fonts()
    st = base_styles()
    base = st["body"]
    st["title"] = ParagraphStyle("title", parent=st["title"], fontSize=17, leading=22, spaceAfter=4)
    st["cell"] = ParagraphStyle("cell", parent=base, fontSize=8, leading=10.5, spaceAfter=0)
    st["cell_bold"] = ParagraphStyle("cell_bold", parent=st["cell"], fontName=f"{FONT}-Bold")
    st["heat"] = ParagraphStyle("heat", parent=base, fontSize=7.5, leading=9, spaceAfter=0, alignment=TA_CENTER)
    return st


p = paragraph


def text_table(table: TextTable, st: dict, width: float, widths: Sequence[float] | None = None) -> Table:
    """A table of texts with a header row repeated on every page."""
    rows = [[p(h, st["cell_bold"]) for h in table.header]]
    rows += [[p(str(c), st["cell"]) for c in row] for row in table.rows]
    k = max(len(table.header), 1)
    col_widths = [width * w for w in widths] if widths else [width / k] * k
    out = Table(rows, colWidths=col_widths, repeatRows=1, hAlign="LEFT")
    out.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, LINE),
                ("BACKGROUND", (0, 0), (-1, 0), SOFT),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            ]
        )
    )
    return out


def image(png: bytes, width: float, max_height: float = 200 * mm) -> Image:
    reader = ImageReader(io.BytesIO(png))
    w_px, h_px = reader.getSize()
    w = width
    h = w * h_px / w_px
    if h > max_height:
        h, w = max_height, max_height * w_px / h_px
    return Image(io.BytesIO(png), width=w, height=h)


def chart(part: ChartPart, st: dict, width: float, *, max_width: float | None = None) -> list[Flowable]:
    out: list[Flowable] = []
    if part.png:
        out.append(image(part.png, min(width, max_width or width)))
    out.append(p(part.description, st["small"]))
    return out


def bullets(items: Sequence[str], st: dict) -> ListFlowable:
    return ListFlowable(
        [ListItem(p(x, st["body"]), leftIndent=12) for x in items],
        bulletType="bullet",
        start="\u2022",
        bulletFontName=FONT,
        bulletFontSize=9,
        leftIndent=12,
    )


def footer_for(lang: str, text: str, pagesize: tuple[float, float] = A4):
    def footer(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN, 10 * mm, f"{t('site_name', lang)} – {text}")
        canvas.drawRightString(pagesize[0] - MARGIN, 10 * mm, t("data_report_page", lang, n=document.page))
        canvas.restoreState()

    return footer


def document(buffer: io.BytesIO, title: str, lang: str) -> SimpleDocTemplate:
    return SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=title,
        author="homeoffice",
        lang=lang,
        invariant=1,
    )


def pairs_table(rows: Sequence[tuple[str, str]], st: dict, width: float) -> Table:
    """Name-value pairs, the names in bold."""
    table = Table(
        [[p(a, st["cell_bold"]), p(b, st["cell"])] for a, b in rows],
        colWidths=[width * 0.3, width * 0.7],
        hAlign="LEFT",
    )
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
    return table


def _facts(report: GroupReport, st: dict, width: float) -> Table:
    lang = report.lang
    rows = [
        (t("data_report_organisation", lang), report.organisation),
        (t("plan_field_wave", lang), f"{report.wave.name} ({report.period})"),
    ]
    if report.released:
        rows.append((t("data_report_released", lang), report.released))
    rows += [(t("data_report_responses", lang), report.n_text), (t("data_report_rate_label", lang), report.rate_text)]
    return pairs_table(rows, st, width)


def _heat(report: GroupReport, st: dict, width: float) -> list[Flowable]:
    heat = report.heat
    lang = report.lang
    out: list[Flowable] = [
        p(t("data_report_sec_heat", lang), st["h2"]),
        p(t("data_report_heat_intro", lang), st["body"]),
    ]
    if not heat.groups:
        out.append(p(t("data_report_heat_none_shown", lang), st["body"]))
    for first in range(0, len(heat.groups), HEAT_GROUPS_PER_TABLE):
        chunk = range(first, min(first + HEAT_GROUPS_PER_TABLE, len(heat.groups)))
        head = [p("", st["cell"])] + [p(f"{heat.groups[g][0]} (n = {heat.groups[g][1]})", st["heat"]) for g in chunk]
        rows = [head]
        style = [
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("GRID", (1, 1), (-1, -1), 0.6, colors.white),
            ("LINEBELOW", (0, 0), (-1, 0), 0.5, LINE),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ]
        for d, name in enumerate(heat.dimensions):
            row = [p(name, st["cell"])]
            for j, g in enumerate(chunk):
                cell = heat.cells[d][g]
                row.append(Paragraph(f'<font color="{cell.ink}">{escape(cell.text)}</font>', st["heat"]))
                style.append(("BACKGROUND", (j + 1, d + 1), (j + 1, d + 1), colors.HexColor(cell.fill)))
            rows.append(row)
        label_w = width * 0.34
        col_w = (width - label_w) / max(len(chunk), 1)
        table = Table(rows, colWidths=[label_w] + [min(col_w, 28 * mm)] * len(chunk), repeatRows=1, hAlign="LEFT")
        table.setStyle(TableStyle(style))
        out += [table, Spacer(1, 4)]
    if heat.groups:
        out.append(p(t("data_report_heat_legend", lang), st["small"]))
    if heat.hidden:
        out.append(p(t("data_report_heat_hidden_heading", lang), st["h3"]))
        out.append(bullets([t("data_report_hidden_item", lang, group=name, n=n) for name, n in heat.hidden], st))
    return out


def _model(report: GroupReport, st: dict) -> list[Flowable]:
    out: list[Flowable] = [p(t("data_report_sec_model", report.lang), st["h2"])]
    for heading, paragraphs in report.model:
        out.append(p(heading, st["h3"]))
        out += [p(x, st["body"]) for x in paragraphs]
    return out


def render_report_pdf(report: GroupReport) -> bytes:
    """The PDF of a group report (drawn with ``png=True`` so the charts have their PNG)."""
    st = styles()
    lang = report.lang
    buffer = io.BytesIO()
    doc = document(buffer, f"{report.title} – {report.wave.name}", lang)
    width = doc.width
    story: list[Flowable] = [p(report.title, st["title"]), _facts(report, st, width), Spacer(1, 6)]
    if not report.shown:
        story += [
            p(t("data_report_hidden_heading", lang), st["h2"]),
            p(report.hidden_reason, st["box"]),
            p(t("data_report_hidden_counts_only", lang), st["body"]),
        ]
        story += _model(report, st)
    else:
        story += [
            p(t("data_report_sec_situations", lang), st["h2"]),
            p(t("data_report_situations_intro", lang), st["body"]),
            *chart(report.situations, st, width, max_width=150 * mm),
            text_table(report.situation_table, st, width, (0.36, 0.40, 0.1, 0.14)),
            p(t("data_report_sec_jobs", lang), st["h2"]),
            p(t("data_model_job_intro", lang), st["body"]),
            text_table(report.jobs, st, width, (0.6, 0.2, 0.2)),
            Spacer(1, 3),
            p(report.iso_strain, st["body"]),
            p(t("data_report_sec_means", lang), st["h2"]),
            p(t("data_model_ci", lang), st["body"]),
            *chart(report.means, st, width, max_width=160 * mm),
            p(t("data_report_weak_heading", lang), st["h3"]),
            bullets(report.weak, st) if report.weak else p(t("data_report_weak_none", lang), st["body"]),
            p(t("data_report_good_heading", lang), st["h3"]),
            bullets(report.good, st) if report.good else p(t("data_report_good_none", lang), st["body"]),
        ]
        if report.heat is not None:
            story += _heat(report, st, width)
        story += [
            p(t("data_report_sec_measures", lang), st["h2"]),
            p(t("data_report_measures_intro", lang), st["body"]),
        ]
        if not report.measures:
            story.append(p(t("data_report_measures_none", lang), st["body"]))
        for m in report.measures:
            parts = [
                p(f"{m.rank}. {m.title}", st["h3"]),
                p(f"{t('data_report_who_acts', lang, actor=m.actor)} {m.share}", st["body"]),
            ]
            if m.why:
                parts.append(p(m.why, st["body"]))
            parts.append(p(t("data_report_evidence", lang, evidence=m.evidence), st["small"]))
            story.append(KeepTogether(parts))
        story.append(p(t("data_report_sec_change", lang), st["h2"]))
        comparison = report.comparison
        if comparison is not None and comparison.chart is not None:
            story.append(p(t("data_report_change_intro", lang, wave=comparison.previous_name), st["body"]))
            story += chart(comparison.chart, st, width, max_width=160 * mm)
            story.append(text_table(comparison.situations, st, width, (0.46, 0.18, 0.18, 0.18)))
        if comparison is not None and comparison.note:
            story.append(p(comparison.note, st["body"]))
        story += _model(report, st)
        story.append(p(report.provenance, st["small"]))
    footer = footer_for(lang, t("data_report_pdf_footer", lang))
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
