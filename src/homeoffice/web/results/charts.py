"""Charts of one person's result, drawn with matplotlib on the server (no JavaScript).

- :func:`scores_chart`: one axis group's scores as horizontal bars against the cut 50, coloured
  and patterned by reading (good, needs attention, neither good nor bad), each bar labelled with
  its value; designed about 400 px wide so it reads on a 360 px phone.
- :func:`model_chart`: :func:`homeoffice.charts.dynamic_model_chart` (thesis figure 5.1) for the
  person's 1-row result table, or its compact four-inch version, which the page shows on phones.

Both return bytes (SVG with text kept as text, or PNG for the PDF). matplotlib's SVG carries
``style`` attributes, so the page embeds the SVG through ``<img>`` from its own URL rather than
inline, and the page's Content-Security-Policy stays strict.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Mapping

import matplotlib as mpl
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from homeoffice.charts import compact_model_chart, dynamic_model_chart
from homeoffice.web.i18n import t
from homeoffice.web.results.report import CUT, ScoreGroup, result_frame

# Okabe-Ito colours (safe for colour-blind readers), each at least 3:1 against white (WCAG 1.4.11).
COLOURS = {"good": "#009E73", "weak": "#D55E00", "high": "#0072B2", "low": "#0072B2", "missing": "#767676"}
HATCH = {"weak": "////"}  # needs attention: a pattern too, so colour is not the only cue
INK = "#222222"
WIDTH_IN = 4.0  # inches; 1 in = 72 pt in the SVG (96 CSS px)
ROW_IN = 0.6
LABEL_CHARS = 40
# A white box behind labels, so the cut line never runs through text.
_BEHIND = {"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none"}

_STYLE: dict[str, object] = {
    "font.family": "DejaVu Sans",
    "font.size": 10.5,
    "text.color": INK,
    "axes.edgecolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "hatch.color": "white",
    "hatch.linewidth": 1.2,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "svg.fonttype": "none",  # text stays text: searchable, and sharp at any zoom
    "svg.hashsalt": "homeoffice-result",  # stable ids: same result, same file
}


def _figure_bytes(fig: Figure, fmt: str) -> bytes:
    buffer = io.BytesIO()
    metadata = {"svg": {"Date": None}, "png": {"Software": None}}[fmt]
    with mpl.rc_context(_STYLE):
        fig.savefig(buffer, format=fmt, dpi=150, metadata=metadata)
    return buffer.getvalue()


def _legend(group: ScoreGroup, lang: str) -> list:
    handles = [
        Patch(facecolor=COLOURS["good"], label=t("results_legend_good", lang)),
        Patch(facecolor=COLOURS["weak"], hatch=HATCH["weak"], label=t("results_legend_weak", lang)),
    ]
    if any(line.direction == "neutral" for line in group.lines):
        handles.append(Patch(facecolor=COLOURS["high"], label=t("results_legend_neutral", lang)))
    handles.append(Line2D([0], [0], color=INK, linestyle=(0, (4, 3)), label=t("results_legend_cut", lang)))
    return handles


def _layout(group: ScoreGroup, lang: str) -> tuple[float, float, float]:
    """Figure height, top margin and bottom band (axis ticks plus a one-column legend), in inches."""
    top = 0.15
    bottom = 0.5 + 0.24 * len(_legend(group, lang)) + 0.1
    return top + ROW_IN * len(group.lines) + bottom, top, bottom


def scores_size(group: ScoreGroup, lang: str) -> tuple[int, int]:
    """The chart's width and height in CSS pixels (for the ``<img>`` attributes)."""
    height, _, _ = _layout(group, lang)
    return round(WIDTH_IN * 96), round(height * 96)


def scores_chart(group: ScoreGroup, lang: str, *, fmt: str = "svg") -> bytes:
    """Horizontal bars of one group's scores (0-100) with a dashed line at the cut 50.

    Each row has its name above the bar (composites in bold, their parts indented) and the value
    at the bar's end; a missing score shows a dash. The legend names the colours and the pattern.
    """
    with mpl.rc_context(_STYLE):
        height, top, bottom = _layout(group, lang)
        fig = Figure(figsize=(WIDTH_IN, height), dpi=100)
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0.03, bottom / height, 0.94, (height - top - bottom) / height))
        n = len(group.lines)
        ax.set_xlim(0, 114)
        ax.set_ylim(n, 0)
        for i, line in enumerate(group.lines):
            indent = 4 if line.part_of else 0
            label = textwrap.shorten(line.name, LABEL_CHARS, placeholder="…")
            ax.text(
                indent,
                i + 0.28,
                label,
                va="center",
                ha="left",
                fontsize=10.5,
                weight="bold" if line.composite else "normal",
                bbox=_BEHIND,
                zorder=4,
            )
            if line.score is None:
                ax.text(indent, i + 0.70, "–", va="center", ha="left", fontsize=10.5)
                continue
            value = max(float(line.score), 0.6)  # a zero still shows a sliver
            ax.barh(
                i + 0.70,
                value,
                height=0.38,
                left=0,
                color=COLOURS[line.reading],
                edgecolor="none",
                hatch=HATCH.get(line.reading),
            )
            ax.text(
                value + 1.5,
                i + 0.70,
                line.shown,
                va="center",
                ha="left",
                fontsize=10.5,
                weight="bold",
                bbox=_BEHIND,
                zorder=4,
            )
        ax.axvline(CUT, color=INK, linestyle=(0, (4, 3)), linewidth=1.1, ymin=0, ymax=1, zorder=3)
        ax.set_xticks([0, 25, 50, 75, 100])
        ax.tick_params(axis="x", labelsize=10)
        ax.set_yticks([])
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.spines["bottom"].set_bounds(0, 100)
        fig.legend(
            handles=_legend(group, lang),
            loc="lower left",
            bbox_to_anchor=(0.02, 0.05 / height),
            ncols=1,
            frameon=False,
            fontsize=10,
            handlelength=1.8,
            labelspacing=0.35,
        )
        return _figure_bytes(fig, fmt)


def model_chart(
    result: Mapping[str, Mapping[str, object]], lang: str, *, fmt: str = "svg", compact: bool = False
) -> bytes:
    """The dynamic-model chart (thesis figure 5.1) with the person's one point, labelled "You";
    ``compact``: the four-inch version for phones (:func:`homeoffice.charts.compact_model_chart`)."""
    frame = result_frame(result, t("results_chart_you", lang))
    title = t("results_chart_model_title", lang)
    if compact:
        return _figure_bytes(compact_model_chart(frame, lang=lang, title=title), fmt)
    return _figure_bytes(dynamic_model_chart(frame, lang=lang, title=title, group=False), fmt)
