"""Charts of group results for the dashboards (issue 4), as SVG text with a text alternative in nb and en.

- :func:`dimension_means_chart`: every dimension's mean with its confidence interval against the cut.
- :func:`heat_map_chart`: groups x dimensions, one page of groups at a time (``rows_per_page``).
- :func:`wave_change_chart`: the change per dimension from the previous wave, with Welch's interval.
- :func:`situation_chart`: the share in each situation of the dynamic model (thesis figure 5.1),
  drawn by :func:`homeoffice.charts.dynamic_model_chart` or :func:`~homeoffice.charts.situation_distribution_chart`.

Each returns a :class:`GroupChart`: the SVG (text kept as text, a ``<title>`` for screen readers)
and the text alternative in both languages: a short description and the chart's data as rows.
The look (fonts, Okabe-Ito colours safe for colour-blind readers, caption, title) and the
number format are those of :mod:`homeoffice.charts`, whose helpers are reused; the texts are in
:data:`TEXT` (nb and en), next to :data:`homeoffice.charts.TEXT` which supplies the situation
names and the cut policy wording. Colour is never the only cue: each reading also has a marker shape.
:func:`chart_png` calls any of them and also returns the chart as PNG bytes (for PDF reports).
The input are the results of :mod:`homeoffice.analysis.groups`; the caller has applied the
anonymity rules to them (no group below the minimum reaches a chart).
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from xml.sax.saxutils import escape

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.colors import LinearSegmentedColormap, TwoSlopeNorm, to_hex
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter

from homeoffice import charts
from homeoffice.analysis.groups import GroupSummary, HeatMap, WaveComparison
from homeoffice.charts import INK, LANGS, SITUATIONS
from homeoffice.errors import HomeofficeError

ROWS_PER_PAGE = 40  # heat map: groups per page (200 groups make 5 pages)
MAX_ROWS_PER_PAGE = 60

# Okabe-Ito; every colour at least 3:1 against white. Marker shapes repeat the reading.
READING_COLOURS = {"good": "#009E73", "weak": "#D55E00", "unclear": "#767676", "neutral": "#0072B2"}
READING_MARKERS = {"good": "o", "weak": "s", "unclear": "D", "neutral": "^"}
CHANGE_READING = {"better": "good", "worse": "weak", "unclear": "unclear", "neutral": "neutral"}
# Diverging map for the heat map: vermillion (unfavourable) - white - blue (favourable).
HEAT_CMAP = LinearSegmentedColormap.from_list("homeoffice_heat", ["#D55E00", "#F7F7F7", "#0072B2"])
HEAT_RANGE = 30.0  # index points from the cut at which the colour is full
MINUS = "\u2212"

TEXT: dict[str, dict[str, str]] = {
    "nb": {
        "means_title": "Gjennomsnitt per dimensjon med %(level)s konfidensintervall",
        "means_x": "Gjennomsnitt (0–100)",
        "heat_title": "Gjennomsnitt per gruppe og dimensjon",
        "change_title": "Endring per dimensjon siden forrige runde",
        "change_x": "Endring i gjennomsnitt (poeng på skalaen 0–100)",
        "reading_good": "bedre enn grensen",
        "reading_weak": "svakere enn grensen",
        "reading_unclear": "intervallet krysser grensen",
        "reading_neutral": "nøytral skala (krav)",
        "change_good": "bedre",
        "change_weak": "dårligere",
        "change_unclear": "ingen klar endring",
        "change_neutral": "nøytral skala (krav)",
        "cut_mark": "grense",
        "zero_line": "ingen endring",
        "side_above": "over grensen",
        "side_below": "under grensen",
        "side_crosses": "krysser grensen",
        "side_none": "for få svar",
        "col_dimension": "Dimensjon",
        "col_mean": "Gjennomsnitt",
        "col_ci": "%(level)s KI",
        "col_cut": "Grense",
        "col_position": "Plassering",
        "col_n": "n",
        "col_group": "Gruppe",
        "col_previous": "Forrige runde",
        "col_current": "Nå",
        "col_change": "Endring",
        "col_reading": "Vurdering",
        "col_situation": "Situasjon",
        "col_share": "Andel",
        "col_count": "Antall",
        "ci": "[%(low)s til %(high)s]",
        "group_label": "%(group)s (n = %(n)s)",
        "cap_means": (
            "Punkt: gruppens gjennomsnitt; strek: %(level)s konfidensintervall (t-fordeling); loddrett "
            "stiplet merke: dimensjonens grense. Aksene i modellen bruker grensene i resultattabellen "
            "(%(policy)s), de andre skalaene skalamidtpunktet %(midpoint)s. For risikoskalaer er lavt bra."
        ),
        "cap_heat": (
            "Tallene er gruppenes gjennomsnitt (0–100). Fargen viser hvor langt gjennomsnittet ligger fra "
            "dimensjonens grense: blått på den gode siden, oransje på den svake (for risikoskalaer er lavt "
            "bra); nøytrale skalaer (krav) er ikke farget. Grenser: aksene i modellen som i resultattabellen "
            "(%(policy)s), de andre skalaene %(midpoint)s."
        ),
        "heat_good": "på den gode siden av grensen",
        "heat_plain": "ved grensen, eller nøytral skala",
        "heat_weak": "på den svake siden av grensen",
        "cap_page": "Gruppe %(first)s–%(last)s av %(total)s (side %(page)s av %(pages)s).",
        "cap_empty": "Tom celle (–): ingen svar på dimensjonen i gruppen.",
        "cap_change": (
            "Endring: gjennomsnittet nå minus gjennomsnittet i forrige runde; strek: %(level)s "
            "konfidensintervall (Welch). Forrige runde n = %(n_previous)s, nå n = %(n_current)s."
        ),
        "cap_unclassified_one": "%(n)s person kunne ikke plasseres i en situasjon (manglende svar).",
        "cap_unclassified_other": "%(n)s personer kunne ikke plasseres i en situasjon (manglende svar).",
        "desc_means": (
            "Gjennomsnitt for %(k)s dimensjoner i en gruppe på %(n)s personer, med %(level)s "
            "konfidensintervall. %(above)s ligger over grensen, %(below)s under, og for %(crosses)s "
            "krysser intervallet grensen."
        ),
        "desc_heat": (
            "Varmekart med gjennomsnittet for %(k)s dimensjoner i gruppe %(first)s–%(last)s av %(total)s "
            "(side %(page)s av %(pages)s)."
        ),
        "desc_change": (
            "Endring fra forrige runde for %(k)s dimensjoner: %(better)s bedre, %(worse)s dårligere, "
            "%(unclear)s uten klar endring."
        ),
        "desc_situations": ("Andel personer i de fire situasjonene i den dynamiske modellen (n = %(n)s): %(shares)s."),
        "share_item": "situasjon %(s)s %(share)s",
        "list_and": " og ",
    },
    "en": {
        "means_title": "Mean per dimension with %(level)s confidence interval",
        "means_x": "Mean (0–100)",
        "heat_title": "Mean per group and dimension",
        "change_title": "Change per dimension since the previous wave",
        "change_x": "Change in mean (points on the 0–100 scale)",
        "reading_good": "better than the cut",
        "reading_weak": "weaker than the cut",
        "reading_unclear": "the interval crosses the cut",
        "reading_neutral": "neutral scale (demands)",
        "change_good": "better",
        "change_weak": "worse",
        "change_unclear": "no clear change",
        "change_neutral": "neutral scale (demands)",
        "cut_mark": "cut",
        "zero_line": "no change",
        "side_above": "above the cut",
        "side_below": "below the cut",
        "side_crosses": "crosses the cut",
        "side_none": "too few answers",
        "col_dimension": "Dimension",
        "col_mean": "Mean",
        "col_ci": "%(level)s CI",
        "col_cut": "Cut",
        "col_position": "Position",
        "col_n": "n",
        "col_group": "Group",
        "col_previous": "Previous wave",
        "col_current": "Now",
        "col_change": "Change",
        "col_reading": "Reading",
        "col_situation": "Situation",
        "col_share": "Share",
        "col_count": "Count",
        "ci": "[%(low)s to %(high)s]",
        "group_label": "%(group)s (n = %(n)s)",
        "cap_means": (
            "Point: the group's mean; line: %(level)s confidence interval (t distribution); dashed vertical "
            "mark: the dimension's cut. The model's axes use the cuts of the result table (%(policy)s), the "
            "other scales the scale midpoint %(midpoint)s. For risk scales, low is good."
        ),
        "cap_heat": (
            "The numbers are the groups' means (0–100). The colour shows how far the mean lies from the "
            "dimension's cut: blue on the good side, orange on the weak side (for risk scales, low is good); "
            "neutral scales (demands) are not coloured. Cuts: the model's axes as in the result table "
            "(%(policy)s), the other scales %(midpoint)s."
        ),
        "heat_good": "on the good side of the cut",
        "heat_plain": "at the cut, or a neutral scale",
        "heat_weak": "on the weak side of the cut",
        "cap_page": "Groups %(first)s–%(last)s of %(total)s (page %(page)s of %(pages)s).",
        "cap_empty": "Empty cell (–): no answers on the dimension in the group.",
        "cap_change": (
            "Change: the mean now minus the mean in the previous wave; line: %(level)s confidence "
            "interval (Welch). Previous wave n = %(n_previous)s, now n = %(n_current)s."
        ),
        "cap_unclassified_one": "%(n)s person could not be placed in a situation (missing answers).",
        "cap_unclassified_other": "%(n)s people could not be placed in a situation (missing answers).",
        "desc_means": (
            "Means of %(k)s dimensions for a group of %(n)s people, with %(level)s confidence intervals. "
            "%(above)s lie above their cut, %(below)s below, and for %(crosses)s the interval crosses the cut."
        ),
        "desc_heat": (
            "Heat map of the mean of %(k)s dimensions for groups %(first)s–%(last)s of %(total)s "
            "(page %(page)s of %(pages)s)."
        ),
        "desc_change": (
            "Change since the previous wave for %(k)s dimensions: %(better)s better, %(worse)s worse, "
            "%(unclear)s with no clear change."
        ),
        "desc_situations": "Share of people in the four situations of the dynamic model (n = %(n)s): %(shares)s.",
        "share_item": "situation %(s)s %(share)s",
        "list_and": " and ",
    },
}


@dataclass(frozen=True)
class GroupChart:
    """An SVG chart and its text alternative in nb and en.

    ``svg``: the chart in ``lang``. ``description``: per language, one or two sentences (for an
    ``alt`` text or a caption). ``rows``: per language, the chart's data as a table, header first.
    """

    svg: str
    lang: str
    description: Mapping[str, str]
    rows: Mapping[str, tuple[tuple[str, ...], ...]]

    def table(self, lang: str | None = None) -> str:
        """The data as text: one line per row, cells separated by `` | ``."""
        return "\n".join(" | ".join(row) for row in self.rows[lang or self.lang])

    def text(self, lang: str | None = None) -> str:
        """The whole text alternative: the description, then the data."""
        lang = lang or self.lang
        return f"{self.description[lang]}\n{self.table(lang)}"


# --- Shared helpers ---------------------------------------------------------------------------------


def _t(lang: str, key: str, **params: object) -> str:
    text = TEXT[lang][key]
    return text % params if params else text


def _level(confidence: float, lang: str) -> str:
    return charts._percent(round(confidence * 100), lang)


def _fmt(value: float, lang: str, *, signed: bool = False) -> str:
    """One decimal, nb decimal comma (as :func:`homeoffice.charts._num`); a real minus sign; – when missing."""
    if value is None or not math.isfinite(value):
        return "–"
    text = charts._num(math.floor(abs(float(value)) * 10 + 0.5) / 10, lang)  # half up: 81.25 -> 81.3
    if value < 0 and text.strip("0,.") != "":
        return MINUS + text
    return "+" + text if signed and value > 0 and text.strip("0,.") != "" else text


def _ci(low: float, high: float, lang: str, *, signed: bool = False) -> str:
    if not (math.isfinite(low) and math.isfinite(high)):
        return "–"
    return _t(lang, "ci", low=_fmt(low, lang, signed=signed), high=_fmt(high, lang, signed=signed))


def _name(row: pd.Series, lang: str) -> str:
    return str(row[f"name_{lang}"])


def _cap_head(provenance: Mapping[str, object], lang: str) -> list[str]:
    """The cut and PWE sentences of :func:`homeoffice.charts._caption_head`, from a provenance mapping."""
    empty = np.zeros(0)
    table = charts._Table(
        x=empty,
        y=empty,
        situation=empty.astype(int),
        labels=[],
        n_rows=0,
        n_missing=0,
        cut_x=float(provenance.get("cut_pwe", math.nan)),  # type: ignore[arg-type]
        cut_y=float(provenance.get("cut_productivity", math.nan)),  # type: ignore[arg-type]
        policy=str(provenance.get("cut_policy", "")),
        source=str(provenance.get("cut_source", "")),
    )
    return charts._caption_head(table, lang)


class _Overlay:
    """Text written straight into the SVG, for charts with many labels.

    matplotlib spends about half a millisecond drawing each text artist; a heat map page has over a
    thousand. Positions are in inches from the figure's bottom left (as the layout is computed), in
    the SVG's own units (1 unit = 1 pt), with the same font and style attributes matplotlib writes.
    """

    def __init__(self, fig: Figure, gid: str) -> None:
        self.fig = fig
        self.gid = gid
        self.items: list[str] = []
        self.shapes: list[tuple] = []  # the same texts and rectangles, for drawing them as artists (PNG)

    def data(self, ax, x: float, y: float) -> tuple[float, float]:
        """Data coordinates of ``ax`` in inches from the bottom left of the figure."""
        px, py = ax.transData.transform((x, y))
        return px / self.fig.dpi, py / self.fig.dpi

    def text(self, x: float, y: float, text: str, *, size: float, anchor: str = "start", fill: str = INK) -> None:
        """``text`` centred vertically on (x, y) inches; ``anchor`` start, middle or end."""
        self.shapes.append(("text", x, y, text, size, anchor, fill))
        height = self.fig.get_figheight()
        baseline = (height - y) * 72 + 0.35 * size  # half the cap height of DejaVu Sans below the centre
        self.items.append(
            f'<text x="{x * 72:.2f}" y="{baseline:.2f}" style="font: {size}px \'DejaVu Sans\'; '
            f'text-anchor: {anchor}" fill="{fill}">{escape(text)}</text>'
        )

    def rect(self, x: float, y: float, width: float, height: float, fill: str) -> None:
        """A filled rectangle with its bottom left corner at (x, y) inches."""
        self.shapes.append(("rect", x, y, width, height, fill))
        top = (self.fig.get_figheight() - y - height) * 72
        self.items.append(
            f'<rect x="{x * 72:.2f}" y="{top:.2f}" width="{width * 72:.2f}" height="{height * 72:.2f}" '
            f'fill="{fill}" stroke="white" stroke-width="0.8"/>'
        )

    def svg(self) -> str:
        return f'<g id="{self.gid}">\n' + "\n".join(self.items) + "\n</g>\n" if self.items else ""

    def draw(self) -> None:
        """Add the overlay to the figure as matplotlib artists (slower than SVG text; used for PNG)."""
        w, h = self.fig.get_figwidth(), self.fig.get_figheight()
        align = {"start": "left", "middle": "center", "end": "right"}
        for shape in self.shapes:
            if shape[0] == "text":
                _, x, y, text, size, anchor, fill = shape
                self.fig.text(x / w, y / h, text, fontsize=size, ha=align[anchor], va="center", color=fill)
            else:
                _, x, y, width, height, fill = shape
                self.fig.add_artist(
                    Rectangle(
                        (x / w, y / h), width / w, height / h, transform=self.fig.transFigure,
                        facecolor=fill, edgecolor="white", linewidth=0.8,
                    )
                )  # fmt: skip


_capture: ContextVar[list | None] = ContextVar("homeoffice_group_chart_capture", default=None)


def _svg(fig: Figure, description: str, *overlays: _Overlay) -> str:
    """The figure as SVG text (no date, stable ids) with a ``<title>`` for screen readers and the overlays."""
    captured = _capture.get()
    if captured is not None:
        captured.append((fig, overlays))
    buffer = io.BytesIO()
    with mpl.rc_context(charts._STYLE):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue().decode("utf-8")
    start = svg.index("<svg")
    end = svg.index(">", start) + 1
    head = svg[:end].replace("<svg ", '<svg role="img" ', 1)
    close = svg.rindex("</svg>")
    extra = "".join(o.svg() for o in overlays)
    return f"{head}\n <title>{escape(description)}</title>{svg[end:close]}{extra}{svg[close:]}"


def _layout(
    fig: Figure,
    width: float,
    rows_h: float,
    *,
    left: float,
    right: float,
    top: float,
    below: float,
    title: str,
    sentences: list[str],
) -> tuple[float, float]:
    """Size the figure for a title, an axes of ``rows_h`` inches and a caption; returns (height, bottom)."""
    caption = charts._wrap(sentences, width - 0.5, charts._CAPTION_FS)
    caption_h = 0.2 + (caption.count("\n") + 1) * charts._CAPTION_FS * 1.4 / 72 + 0.15
    title_text = textwrap.fill(title, int(width * 72 / (14 * 0.6)))
    title_h = top + (title_text.count("\n") + 1) * 14 * 1.25 / 72 + 0.25
    height = title_h + rows_h + below + caption_h
    fig.set_size_inches(width, height)
    bottom = caption_h + below
    charts._title_and_caption(fig, width, height, title_text, caption, top=top, size=14, linespacing=1.25)
    return height, bottom


def _reading_of_side(side: str | None, direction: str) -> str:
    if direction == "neutral":
        return "neutral"
    if side not in ("above", "below"):
        return "unclear"
    return "good" if (side == "above") == (direction == "resource") else "weak"


def _with_caveat(description: dict[str, str], dimensions: pd.Index) -> dict[str, str]:
    """Adds the PWE-index caveat (model.md section 4: say so wherever it is shown) when the index is shown."""
    if "pwe_index" not in dimensions:
        return description
    return {lg: f"{text} {charts._t(lg, 'cap_pwe')}" for lg, text in description.items()}


def _pick(table: pd.DataFrame, dimensions: Sequence[str] | None) -> pd.DataFrame:
    if dimensions is None:
        return table
    unknown = [d for d in dimensions if d not in table.index]
    if unknown:
        raise HomeofficeError(
            "unknown_dimension",
            "unknown dimension(s) %(names)s; the dimensions are %(known)s",
            params={"names": ", ".join(unknown), "known": ", ".join(map(str, table.index))},
        )
    return table.loc[list(dimensions)]


def _legend(fig: Figure, entries: list[tuple[str, str]], *, y: float, line_label: str) -> None:
    handles = [
        Line2D(
            [],
            [],
            color=READING_COLOURS[r],
            marker=READING_MARKERS[r],
            linestyle="none",
            markersize=8,
            markeredgecolor=INK,
            markeredgewidth=0.6,
            label=label,
        )
        for r, label in entries
    ]
    handles.append(Line2D([], [], color=INK, linestyle=(0, (4, 3)), linewidth=1.4, label=line_label))
    fig.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(0.02, y),
        ncols=min(len(handles), 3),
        frameon=False,
        fontsize=9.5,
        handlelength=1.6,
        columnspacing=1.4,
    )


def _interval_rows(ax, y: np.ndarray, centre: np.ndarray, low: np.ndarray, high: np.ndarray, readings: list[str]):
    """Horizontal interval lines with caps and a marker per row, coloured and shaped by reading."""
    ok = np.isfinite(low) & np.isfinite(high)
    segments = [((lo, yi), (hi, yi)) for lo, hi, yi, k in zip(low, high, y, ok, strict=True) if k]
    colours = [READING_COLOURS[r] for r, k in zip(readings, ok, strict=True) if k]
    ax.add_collection(LineCollection(segments, colors=colours, linewidths=2.2, zorder=3, gid="intervals"))
    caps = [
        ((x, yi - 0.18), (x, yi + 0.18)) for lo, hi, yi, k in zip(low, high, y, ok, strict=True) if k for x in (lo, hi)
    ]
    cap_colours = [c for c in colours for _ in range(2)]
    ax.add_collection(LineCollection(caps, colors=cap_colours, linewidths=1.4, zorder=3))
    for reading in READING_COLOURS:
        mask = np.array([r == reading for r in readings]) & np.isfinite(centre)
        if mask.any():
            ax.scatter(
                centre[mask],
                y[mask],
                s=46,
                marker=READING_MARKERS[reading],
                color=READING_COLOURS[reading],
                edgecolors=INK,
                linewidths=0.6,
                zorder=4,
                gid=f"means_{reading}",
            )


def _row_labels(ax, overlay: _Overlay, y: np.ndarray, labels: list[str], values: list[str]) -> None:
    """Row names left of the axes and values right of it (in the SVG overlay)."""
    ax.set_yticks(y)
    ax.tick_params(axis="y", labelleft=False, length=3)
    x0, _ = overlay.data(ax, ax.get_xlim()[0], 0)
    x1, _ = overlay.data(ax, ax.get_xlim()[1], 0)
    for yi, label, value in zip(y, labels, values, strict=True):
        _, y_in = overlay.data(ax, 0, yi)
        overlay.text(x0 - 0.08, y_in, label, size=10, anchor="end")
        overlay.text(x1 + 0.1, y_in, value, size=9.5)


def _interval_chart(
    table: pd.DataFrame,
    *,
    lang: str,
    title: str,
    sentences: list[str],
    centre: np.ndarray,
    readings: list[str],
    values: list[str],
    xlim: tuple[float, float],
    xlabel: str,
    legend: str,
    reference: Callable[..., None],
    reference_label: str,
    right: float,
) -> tuple[Figure, _Overlay]:
    """One row per dimension: a marker at ``centre`` and the interval ``ci_low``-``ci_high`` of ``table``.

    Names go left of the axes and ``values`` right of it; ``reference`` draws the cut marks or the
    zero line; the legend names the readings used (texts ``{legend}_{reading}``).
    """
    k = len(table)
    width, left, row_h = 9.5, 3.3, 0.32
    fig = charts._new_figure(width, 6)
    rows_h = max(k, 1) * row_h + 0.2
    height, bottom = _layout(
        fig, width, rows_h, left=left, right=right, top=0.25, below=1.15, title=title, sentences=sentences
    )
    ax = fig.add_axes((left / width, bottom / height, (width - left - right) / width, rows_h / height))
    y = np.arange(k, dtype=float)
    ax.set_ylim(k - 0.4, -0.6)
    ax.set_xlim(*xlim)
    reference(ax, y)
    low, high = table["ci_low"].to_numpy(dtype=float), table["ci_high"].to_numpy(dtype=float)
    _interval_rows(ax, y, centre, low, high, readings)
    ax.grid(axis="y", color="#E5E5E5", linewidth=0.6, zorder=0)
    ax.set_xlabel(xlabel)
    overlay = _Overlay(fig, "row_labels")
    names = [textwrap.shorten(_name(r, lang), 42, placeholder="…") for _, r in table.iterrows()]
    _row_labels(ax, overlay, y, names, values)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    used = [r for r in READING_COLOURS if r in readings]
    _legend(
        fig,
        [(r, _t(lang, f"{legend}_{r}")) for r in used],
        y=(bottom - 1.0) / height,
        line_label=reference_label,
    )
    return fig, overlay


# --- (a) Means with confidence intervals against the cut ------------------------------------------


def dimension_means_chart(
    summary: GroupSummary, *, lang: str = "nb", dimensions: Sequence[str] | None = None, title: str | None = None
) -> GroupChart:
    """Each dimension's mean with its confidence interval, and a dashed mark at the dimension's cut.

    Colour and marker give the reading: better than the cut (interval wholly on the good side),
    weaker (wholly on the weak side; for risk scales high is weak), the interval crosses the cut,
    or a neutral scale (demands). ``dimensions`` picks and orders the rows (default: all).
    """
    charts._check_lang(lang)
    table = _pick(summary.dimensions, dimensions)
    readings = [_reading_of_side(s, d) for s, d in zip(table["ci_side"], table["direction"], strict=True)]
    level = {lg: _level(summary.confidence, lg) for lg in LANGS}
    policy = str(summary.provenance.get("cut_policy", ""))
    k = len(table)
    sentences = [
        _t(
            lang,
            "cap_means",
            level=level[lang],
            policy=charts._policy_name(policy, lang),
            midpoint=charts._num(50, lang),
        ),
        *_cap_head(summary.provenance, lang)[1:],
        charts._t(lang, "cap_n", n=charts._num(summary.n, lang)),
    ]
    mean = table["mean"].to_numpy(dtype=float)
    cut = table["cut"].to_numpy(dtype=float)

    def cut_marks(ax, y: np.ndarray) -> None:
        marks = [((c, yi - 0.38), (c, yi + 0.38)) for c, yi in zip(cut, y, strict=True) if math.isfinite(c)]
        ax.add_collection(
            LineCollection(marks, colors=INK, linewidths=1.4, linestyles=(0, (3, 2)), zorder=2, gid="cuts")
        )
        ax.set_xticks([0, 25, 50, 75, 100])

    with mpl.rc_context(charts._STYLE):
        fig, rows_text = _interval_chart(
            table,
            lang=lang,
            title=title or _t(lang, "means_title", level=level[lang]),
            sentences=sentences,
            centre=mean,
            readings=readings,
            values=[_fmt(m, lang) for m in mean],
            xlim=(0.0, 100.0),
            xlabel=_t(lang, "means_x"),
            legend="reading",
            reference=cut_marks,
            reference_label=_t(lang, "cut_mark"),
            right=1.75,
        )
        counts = {s: int((table["ci_side"] == s).sum()) for s in ("above", "below", "crosses")}
        description = _with_caveat(
            {lg: _t(lg, "desc_means", k=k, n=charts._num(summary.n, lg), level=level[lg], **counts) for lg in LANGS},
            table.index,
        )
        svg = _svg(fig, description[lang], rows_text)
    rows = {}
    for lg in LANGS:
        header = (
            _t(lg, "col_dimension"),
            _t(lg, "col_mean"),
            _t(lg, "col_ci", level=level[lg]),
            _t(lg, "col_cut"),
            _t(lg, "col_position"),
            _t(lg, "col_n"),
        )
        body = tuple(
            (
                _name(r, lg),
                _fmt(r["mean"], lg),
                _ci(r["ci_low"], r["ci_high"], lg),
                _fmt(r["cut"], lg),
                _t(lg, f"side_{r['ci_side']}" if r["ci_side"] else "side_none"),
                charts._num(r["n"], lg),
            )
            for _, r in table.iterrows()
        )
        rows[lg] = (header, *body)
    return GroupChart(svg=svg, lang=lang, description=description, rows=rows)


# --- (b) Heat map ---------------------------------------------------------------------------------


def heat_map_chart(
    heat: HeatMap,
    *,
    lang: str = "nb",
    page: int = 1,
    rows_per_page: int = ROWS_PER_PAGE,
    dimensions: Sequence[str] | None = None,
    title: str | None = None,
) -> GroupChart:
    """Groups (rows) x dimensions (columns): each cell the group's mean, coloured by its distance from the cut.

    Blue means the mean lies on the good side of the dimension's cut, orange on the weak side (risk
    scales count the other way), fuller colour further away (full at 30 points); neutral scales
    are left white. With more groups than ``rows_per_page`` (at most 60) the map is paginated:
    ``page`` 1 shows the first groups, and the caption says which groups of how many are shown.
    Raises HomeofficeError ``bad_page``, ``unknown_dimension``, ``unknown_language``.
    """
    charts._check_lang(lang)
    if not 1 <= rows_per_page <= MAX_ROWS_PER_PAGE:
        raise HomeofficeError(
            "bad_page",
            "rows_per_page must be from 1 to %(max)s; got %(value)s",
            params={"max": MAX_ROWS_PER_PAGE, "value": rows_per_page},
        )
    total = len(heat.means)
    pages = max(1, math.ceil(total / rows_per_page))
    if not 1 <= page <= pages:
        raise HomeofficeError(
            "bad_page",
            "page %(page)s does not exist; the heat map has %(pages)s page(s)",
            params={"page": page, "pages": pages},
        )
    dims = _pick(heat.dimensions, dimensions)
    first, last = (page - 1) * rows_per_page, min(page * rows_per_page, total)
    means = heat.means.iloc[first:last][dims.index].to_numpy(dtype=float)
    group_n = heat.group_n.iloc[first:last]
    groups = [str(g) for g in group_n.index]
    sign = dims["direction"].map({"resource": 1.0, "risk": -1.0, "neutral": np.nan}).to_numpy(dtype=float)
    favour = (means - dims["cut"].to_numpy(dtype=float)) * sign
    rows_k, cols_k = means.shape

    def place(lg: str) -> dict[str, str]:
        numbers = {"first": first + 1 if total else 0, "last": last, "total": total, "page": page, "pages": pages}
        return {key: charts._num(value, lg) for key, value in numbers.items()}

    with mpl.rc_context(charts._STYLE):
        cell_w, cell_h, left, right = 0.52, 0.3, 2.6, 1.2
        width = max(left + cols_k * cell_w + right, 8.0)
        fig = charts._new_figure(width, 6)
        rows_h = max(rows_k, 1) * cell_h
        label_h = 2.3  # rotated dimension names above the cells
        sentences = [
            _t(lang, "cap_page", **place(lang)),
            _t(
                lang,
                "cap_heat",
                policy=charts._policy_name(str(heat.provenance.get("cut_policy", "")), lang),
                midpoint=charts._num(50, lang),
            ),
            *_cap_head(heat.provenance, lang)[1:],
        ]
        if np.isnan(means).any():
            sentences.append(_t(lang, "cap_empty"))
        height, bottom = _layout(
            fig,
            width,
            rows_h + label_h,
            left=left,
            right=right,
            top=0.25,
            below=0.55,
            title=title or _t(lang, "heat_title"),
            sentences=sentences,
        )
        ax_w = cols_k * cell_w
        ax = fig.add_axes((left / width, bottom / height, ax_w / width, rows_h / height))
        ax.set_xlim(0, cols_k)
        ax.set_ylim(rows_k, 0)
        ax.set_facecolor("none")
        # Cells, values and group names go straight into the SVG (see _Overlay): 40 x 27 cells drawn
        # by matplotlib take far longer than the 150 ms a dashboard chart may take.
        shown = np.clip(np.where(np.isnan(favour), 0.0, favour), -HEAT_RANGE, HEAT_RANGE)
        rgba = HEAT_CMAP(TwoSlopeNorm(vcenter=0.0, vmin=-HEAT_RANGE, vmax=HEAT_RANGE)(shown))
        dark = (0.2126 * rgba[..., 0] + 0.7152 * rgba[..., 1] + 0.0722 * rgba[..., 2]) < 0.45
        fills = np.array([to_hex(c) for c in rgba.reshape(-1, 4)]).reshape(rows_k, cols_k)
        rects, cells, labels = _Overlay(fig, "cells"), _Overlay(fig, "cell_values"), _Overlay(fig, "group_labels")
        x0, y0 = rects.data(ax, 0, rows_k)
        x1, y1 = rects.data(ax, cols_k, 0)
        w, h = (x1 - x0) / max(cols_k, 1), (y1 - y0) / max(rows_k, 1)
        for i in range(rows_k):
            top = y1 - i * h
            for j in range(cols_k):
                value = means[i, j]
                rects.rect(x0 + j * w, top - h, w, h, fills[i, j])
                text = "–" if np.isnan(value) else str(math.floor(value + 0.5))  # half up: 62.5 -> 63
                cells.text(
                    x0 + (j + 0.5) * w,
                    top - h / 2,
                    text,
                    size=8.5,
                    anchor="middle",
                    fill="white" if dark[i, j] else INK,
                )
        ax.set_yticks([])
        n_text = [charts._num(v, lang) for v in group_n.to_numpy()]
        for i, (g, n) in enumerate(zip(groups, n_text, strict=True)):
            x_in, y_in = labels.data(ax, 0, i + 0.5)
            label = _t(lang, "group_label", group=textwrap.shorten(g, 26, placeholder="…"), n=n)
            labels.text(x_in - 0.08, y_in, label, size=9, anchor="end")
        ax.xaxis.tick_top()
        ax.set_xticks(np.arange(cols_k) + 0.5)
        ax.set_xticklabels(
            [textwrap.shorten(_name(r, lang), 34, placeholder="…") for _, r in dims.iterrows()],
            rotation=60,
            ha="left",
            rotation_mode="anchor",
            fontsize=9,
        )
        ax.tick_params(length=0)
        for side in ax.spines.values():
            side.set_visible(False)
        swatches = [(HEAT_CMAP(1.0), "heat_good"), (HEAT_CMAP(0.5), "heat_plain"), (HEAT_CMAP(0.0), "heat_weak")]
        fig.legend(
            handles=[Patch(facecolor=c, edgecolor="#BBBBBB", label=_t(lang, key)) for c, key in swatches],
            loc="lower left",
            bbox_to_anchor=(0.02, (bottom - 0.5) / height),
            ncols=3,
            frameon=False,
            fontsize=9.5,
            handlelength=1.6,
        )
        description = _with_caveat({lg: _t(lg, "desc_heat", k=cols_k, **place(lg)) for lg in LANGS}, dims.index)
        svg = _svg(fig, description[lang], rects, cells, labels)
    rows = {}
    for lg in LANGS:
        header = (_t(lg, "col_group"), _t(lg, "col_n"), *(_name(r, lg) for _, r in dims.iterrows()))
        body = tuple(
            (g, charts._num(n, lg), *(_fmt(v, lg) for v in means[i]))
            for i, (g, n) in enumerate(zip(groups, group_n.to_numpy(), strict=True))
        )
        rows[lg] = (header, *body)
    return GroupChart(svg=svg, lang=lang, description=description, rows=rows)


# --- (c) Change between waves ---------------------------------------------------------------------


def wave_change_chart(
    comparison: WaveComparison,
    *,
    lang: str = "nb",
    dimensions: Sequence[str] | None = None,
    title: str | None = None,
) -> GroupChart:
    """The change in each dimension's mean since the previous wave, with Welch's confidence interval.

    Colour and marker give the reading: better (a resource scale up or a risk scale down, the
    interval clear of zero), worse, no clear change (the interval holds zero), or a neutral scale.
    """
    charts._check_lang(lang)
    table = _pick(comparison.dimensions, dimensions)
    readings = [CHANGE_READING.get(r, "unclear") if isinstance(r, str) else "unclear" for r in table["reading"]]
    level = {lg: _level(comparison.confidence, lg) for lg in LANGS}
    k = len(table)
    change = table["change"].to_numpy(dtype=float)
    low, high = table["ci_low"].to_numpy(dtype=float), table["ci_high"].to_numpy(dtype=float)
    reach = np.nanmax(np.abs(np.concatenate([low, high, change]))) if k and np.isfinite(change).any() else 0.0
    limit = max(5.0, math.ceil(float(reach) * 1.15))
    n_previous, n_current = comparison.n_previous, comparison.n_current
    sentences = [
        _t(
            lang,
            "cap_change",
            level=level[lang],
            n_previous=charts._num(n_previous, lang),
            n_current=charts._num(n_current, lang),
        )
    ]
    if "pwe_index" in table.index:
        sentences.append(charts._t(lang, "cap_pwe"))

    def zero_line(ax, y: np.ndarray) -> None:
        ax.axvline(0, color=INK, linestyle=(0, (4, 3)), linewidth=1.4, zorder=2, gid="zero")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _fmt(v, lang, signed=True)))

    with mpl.rc_context(charts._STYLE):
        fig, rows_text = _interval_chart(
            table,
            lang=lang,
            title=title or _t(lang, "change_title"),
            sentences=sentences,
            centre=change,
            readings=readings,
            values=[
                f"{_fmt(c, lang, signed=True)} {_ci(lo, hi, lang, signed=True)}"
                for c, lo, hi in zip(change, low, high, strict=True)
            ],
            xlim=(-limit, limit),
            xlabel=_t(lang, "change_x"),
            legend="change",
            reference=zero_line,
            reference_label=_t(lang, "zero_line"),
            right=2.3,
        )
        counts = {
            key: sum(r == value for r in readings)
            for key, value in (("better", "good"), ("worse", "weak"), ("unclear", "unclear"))
        }
        description = _with_caveat({lg: _t(lg, "desc_change", k=k, **counts) for lg in LANGS}, table.index)
        svg = _svg(fig, description[lang], rows_text)
    rows = {}
    for lg in LANGS:
        header = (
            _t(lg, "col_dimension"),
            _t(lg, "col_previous"),
            _t(lg, "col_current"),
            _t(lg, "col_change"),
            _t(lg, "col_ci", level=level[lg]),
            _t(lg, "col_reading"),
        )
        body = tuple(
            (
                _name(r, lg),
                _fmt(r["mean_previous"], lg),
                _fmt(r["mean_current"], lg),
                _fmt(r["change"], lg, signed=True),
                _ci(r["ci_low"], r["ci_high"], lg, signed=True),
                _t(lg, f"change_{reading}"),
            )
            for (_, r), reading in zip(table.iterrows(), readings, strict=True)
        )
        rows[lg] = (header, *body)
    return GroupChart(svg=svg, lang=lang, description=description, rows=rows)


# --- (d) Situation shares -------------------------------------------------------------------------


def situation_chart(results: pd.DataFrame, *, lang: str = "nb", kind: str = "model") -> GroupChart:
    """The share of people in each situation of the dynamic model (thesis figure 5.1) for one group.

    ``kind`` ``"model"``: :func:`homeoffice.charts.dynamic_model_chart` in group mode (density and
    the share in each quadrant); ``"bars"``: :func:`homeoffice.charts.situation_distribution_chart`.
    The text alternative gives the same whole percentages as the chart (largest remainder among the
    people with a situation), their counts, and how many could not be placed.
    Raises the errors of those functions, and HomeofficeError ``unknown_kind``.
    """
    if kind not in ("model", "bars"):
        raise HomeofficeError("unknown_kind", "unknown chart kind '%(kind)s'; use model or bars", params={"kind": kind})
    if kind == "model":  # the chart functions check the table and raise clear errors
        fig = charts.dynamic_model_chart(results, lang=lang, group=True)
    else:
        fig = charts.situation_distribution_chart(results, lang=lang)
    # The rows the charts draw (homeoffice.charts._prepare): both indexes and a situation.
    columns = [pd.to_numeric(results[c], errors="coerce") for c in ("pwe_index", "productivity_index", "situation")]
    placed = np.logical_and.reduce([c.notna().to_numpy() for c in columns])
    situation = columns[2].to_numpy(dtype=float, na_value=np.nan)[placed].astype(int)
    shares = charts._shares(situation)
    counts = {s: int((situation == s).sum()) for s in SITUATIONS}
    n, n_missing = len(situation), int((~placed).sum())
    description = {}
    rows = {}
    for lg in LANGS:
        items = [_t(lg, "share_item", s=s, share=charts._percent(shares[s], lg)) for s in SITUATIONS]
        listed = ", ".join(items[:-1]) + _t(lg, "list_and") + items[-1]
        text = _t(lg, "desc_situations", n=charts._num(n, lg), shares=listed)
        if n_missing:
            key = "cap_unclassified_one" if n_missing == 1 else "cap_unclassified_other"
            text += " " + _t(lg, key, n=charts._num(n_missing, lg))
        description[lg] = f"{text} {charts._t(lg, 'cap_pwe')}"
        header = (_t(lg, "col_situation"), _t(lg, "col_share"), _t(lg, "col_count"))
        body = tuple(
            (f"{s} {charts._t(lg, f'name_{s}')}", charts._percent(shares[s], lg), charts._num(counts[s], lg))
            for s in SITUATIONS
        )
        rows[lg] = (header, *body)
    return GroupChart(svg=_svg(fig, description[lang]), lang=lang, description=description, rows=rows)


# --- PNG for PDF reports --------------------------------------------------------------------------


def chart_png(draw: Callable[[], GroupChart], *, dpi: int = 150) -> tuple[GroupChart, bytes]:
    """Call a chart function of this module (``draw``, e.g. ``lambda: dimension_means_chart(s)``) and
    also render the same figure as PNG bytes, overlays included, for a PDF report.

    The figure is caught where the SVG is written (a context variable, so concurrent requests do not
    mix); the PNG has no creation date. Raises the chart function's own errors.
    """
    token = _capture.set([])
    try:
        chart = draw()
        captured = _capture.get() or []
    finally:
        _capture.reset(token)
    if not captured:
        raise HomeofficeError("no_chart", "the function drew no chart of homeoffice.group_charts")
    fig, overlays = captured[-1]
    buffer = io.BytesIO()
    with mpl.rc_context(charts._STYLE):
        for overlay in overlays:
            overlay.draw()
        fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return chart, buffer.getvalue()
