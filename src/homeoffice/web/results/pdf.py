"""The personal result as a PDF (ReportLab platypus), with the same content as the result page.

Title, the day of submission, a short summary, the scores table per axis with the reading of each
score, the job situation, the dynamic-model chart (a PNG from matplotlib), the measures, the
points for the conversation with the manager, and the caveats. Text is set in DejaVu Sans, the
TrueType font that ships with matplotlib, so æ, ø, å and typographic quotes render everywhere.
The file is "invariant": it carries no creation time.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
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

from homeoffice.web.i18n import t
from homeoffice.web.results.charts import model_chart
from homeoffice.web.results.report import Report

FONT = "DejaVuSans"
INK = colors.HexColor("#1b1b1b")
MUTED = colors.HexColor("#4a4a4a")
LINE = colors.HexColor("#c9c9c9")
SOFT = colors.HexColor("#f3f6f9")
READING_INK = {"good": "#1e6b34", "weak": "#8a3b00"}
MARGIN = 18 * mm


@cache
def register_fonts() -> str:
    """Register DejaVu Sans (regular, bold, italic, bold italic) from matplotlib's bundled fonts."""
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    faces = {
        "": "DejaVuSans",
        "-Bold": "DejaVuSans-Bold",
        "-Oblique": "DejaVuSans-Oblique",
        "-BoldOblique": "DejaVuSans-BoldOblique",
    }
    for suffix, file in faces.items():
        pdfmetrics.registerFont(TTFont(f"{FONT}{suffix}", str(folder / f"{file}.ttf")))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=f"{FONT}-Bold", italic=f"{FONT}-Oblique", boldItalic=f"{FONT}-BoldOblique"
    )
    return FONT


def base_styles() -> dict[str, ParagraphStyle]:
    """The paragraph styles of every PDF of the product (the group reports adjust a few)."""
    base = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13, textColor=INK, spaceAfter=4)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=11.5, textColor=MUTED),
        "title": ParagraphStyle("title", parent=base, fontName=f"{FONT}-Bold", fontSize=18, leading=23, spaceAfter=2),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=f"{FONT}-Bold",
            fontSize=13,
            leading=17,
            spaceBefore=10,
            spaceAfter=5,
            keepWithNext=1,
        ),
        "h3": ParagraphStyle(
            "h3",
            parent=base,
            fontName=f"{FONT}-Bold",
            fontSize=10.5,
            leading=14,
            spaceBefore=6,
            spaceAfter=3,
            keepWithNext=1,
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11, spaceAfter=0),
        "cell_bold": ParagraphStyle(
            "cell_bold", parent=base, fontName=f"{FONT}-Bold", fontSize=8.5, leading=11, spaceAfter=0
        ),
        "cell_num": ParagraphStyle(
            "cell_num", parent=base, fontName=f"{FONT}-Bold", fontSize=8.5, leading=11, spaceAfter=0, alignment=TA_RIGHT
        ),
        "box": ParagraphStyle(
            "box", parent=base, backColor=SOFT, borderPadding=(6, 6, 6, 6), spaceBefore=6, spaceAfter=10
        ),
    }


def paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    """Plain text (escaped) as a paragraph."""
    return Paragraph(escape(text), style)


_p = paragraph


def _scores(report: Report, st: dict[str, ParagraphStyle], width: float) -> list:
    lang = report.lang
    out: list = []
    head = [
        _p(t("results_col_dimension", lang), st["cell_bold"]),
        _p(t("results_col_score", lang), st["cell_bold"]),
        _p(t("results_col_reading", lang), st["cell_bold"]),
    ]
    for group in report.groups:
        rows = [head]
        for line in group.lines:
            name_style = st["cell_bold"] if line.composite else st["cell"]
            name = ("\u2003" if line.part_of else "") + escape(line.name)
            ink = READING_INK.get(line.reading)
            reading = escape(line.reading_text)
            if ink:
                reading = f'<font color="{ink}">{reading}</font>'
            rows.append([Paragraph(name, name_style), _p(line.shown, st["cell_num"]), Paragraph(reading, st["cell"])])
        table = Table(rows, colWidths=[width * 0.38, width * 0.13, width * 0.49], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.5, LINE),
                    ("BACKGROUND", (0, 0), (-1, 0), SOFT),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        out += [_p(group.title, st["h3"]), table]
    return out


def _bullets(items: list[Paragraph], *, numbered: bool = False) -> ListFlowable:
    return ListFlowable(
        [ListItem(item, leftIndent=14) for item in items],
        bulletType="1" if numbered else "bullet",
        start="1" if numbered else "\u2022",
        bulletFontName=FONT,
        bulletFontSize=9,
        leftIndent=14,
    )


def render_pdf(report: Report) -> bytes:
    """The PDF of ``report`` (see the module docstring), as bytes."""
    register_fonts()
    st = base_styles()
    lang = report.lang
    buffer = io.BytesIO()
    title = t("results_title", lang)
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"{title} – {report.survey}",
        author="homeoffice",
        lang=lang,
        invariant=1,
    )
    width = doc.width
    story: list = [
        _p(f"{title}: {report.survey}", st["title"]),
        _p(t("results_pdf_submitted", lang, date=report.date_text), st["small"]),
        _p(t("results_pdf_private", lang), st["small"]),
        Spacer(1, 4),
        _p(
            " ".join(x for x in (report.situation_text, t("results_job_is", lang, name=report.job_name) + ".") if x),
            st["box"],
        ),
        _p(t("results_sec_scores", lang), st["h2"]),
        _p(t("results_scores_intro", lang), st["body"]),
        *_scores(report, st, width),
        _p(t("results_sec_job", lang), st["h2"]),
        _p(report.job_intro, st["body"]),
        Paragraph(f"<b>{escape(t('results_job_is', lang, name=report.job_name))}</b>", st["body"]),
        _p(report.job_meaning, st["body"]),
        _p(report.job_scores, st["body"]),
    ]
    if report.iso_strain:
        story.append(_p(t("results_iso_strain", lang), st["body"]))
    if report.negative_acts:
        story.append(_p(t("results_negative_acts", lang), st["body"]))

    png = model_chart(report.result, lang, fmt="png")
    reader = ImageReader(io.BytesIO(png))
    w_px, h_px = reader.getSize()
    img_w = min(width, 150 * mm)
    chart = Image(io.BytesIO(png), width=img_w, height=img_w * h_px / w_px)
    story += [
        _p(t("results_sec_model", lang), st["h2"]),
        _p(t("results_model_intro", lang), st["body"]),
        Paragraph(f"<b>{escape(report.situation_text)}</b> {escape(report.situation_advice)}", st["body"]),
    ]
    story += [_p(x, st["body"]) for x in (report.indexes_text, report.level_note) if x]
    story += [chart, _p(report.chart_description, st["small"])]

    story += [
        _p(t("results_sec_measures", lang), st["h2"]),
        _p(t("results_measures_intro", lang), st["body"]),
    ]
    if not report.measures:
        story.append(_p(t("results_measures_none", lang), st["body"]))
    for m in report.measures:
        story.append(
            KeepTogether(
                [
                    Paragraph(f"{m.rank}. {escape(m.title)}", st["h3"]),
                    Paragraph(f"<b>{escape(t('results_who_acts', lang, actor=m.actor_text))}</b>", st["body"]),
                    _p(m.description, st["body"]),
                    _p(m.explanation, st["small"]),
                    _p(t("results_evidence", lang, evidence=m.evidence), st["small"]),
                ]
            )
        )

    story += [
        _p(t("results_sec_dialogue", lang), st["h2"]),
        _p(t("results_dialogue_intro", lang), st["body"]),
    ]
    story.append(_bullets([_p(f"{p.text} ({p.cite})", st["body"]) for p in report.dialogue]))
    story += [_p(t("results_sec_about", lang), st["h2"])]
    story += [_p(text, st["body"]) for text in report.caveats]
    story.append(_p(report.provenance, st["small"]))

    def footer(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(MUTED)
        text = f"{t('site_name', lang)} – {t('results_pdf_private', lang)}"
        canvas.drawString(MARGIN, 10 * mm, text)
        canvas.drawRightString(A4[0] - MARGIN, 10 * mm, t("results_pdf_page", lang, n=document.page))
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
