"""Charts of the dynamic model (thesis figure 5.1, chapter 5.4) with matplotlib, offline.

- :func:`dynamic_model_chart`: PWE index (x) against productivity index (y), split into the four
  situations at the cut values stored in the result table, with the thesis's advice per situation
  and arrows toward the optimal situation 4. One point per respondent, or for a group the share in
  each situation over a hexbin density.
- :func:`compact_model_chart`: the same model, four inches wide, for a phone: the situations
  numbered and named at the cuts, the arrows and the points, without the advice and the caption.
- :func:`situation_distribution_chart`: share of people in situations 1-4 as bars.
- :func:`save_chart`: PNG, SVG or PDF by file extension.

Figures are built with :class:`matplotlib.figure.Figure` and the Agg canvas, never through pyplot,
so no GUI backend is selected and no global figure state is touched. All user-facing text comes
from :data:`TEXT` (nb and en). Colours are the Okabe-Ito palette (safe for colour-blind readers),
and every situation also has its own marker shape.
"""

from __future__ import annotations

import math
import os
import sys
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, Rectangle

from homeoffice.errors import HomeofficeError, PolicyError, Where

LANGS = ("nb", "en")
SITUATIONS = (1, 2, 3, 4)
GROUP_AUTO_ROWS = 200  # more rows than this: group mode unless ``group`` says otherwise
MAX_LABELLED = 30  # at most this many respondents get their id written next to the point
FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
REQUIRED = ("pwe_index", "productivity_index", "situation", "cut_pwe", "cut_productivity", "cut_policy")

# Okabe & Ito (2008), "Color Universal Design": distinguishable with all common colour-vision deficiencies.
PALETTE = {1: "#D55E00", 2: "#0072B2", 3: "#E69F00", 4: "#009E73"}
BADGE_TEXT = {1: "white", 2: "white", 3: "black", 4: "white"}
MARKERS = {1: "s", 2: "D", 3: "^", 4: "o"}
INK = "#222222"

# One dict per language; %(name)s placeholders so a translation can reorder them. Keys ending in
# _one / _other are the singular and plural forms of one message.
TEXT: dict[str, dict[str, str]] = {
    "nb": {
        "title": "Den dynamiske modellen for psykososialt arbeidsmiljø og produktivitet ved hjemmekontor",
        "dist_title": "Fordeling på situasjonene i den dynamiske modellen",
        "x_label": "Psykososialt arbeidsmiljø (PWE-indeks)",
        "y_label": "Produktivitet (produktivitetsindeks)",
        "share_label": "Andel personer (%)",
        "name_1": "Lavt arbeidsmiljø, lav produktivitet",
        "name_2": "Godt arbeidsmiljø, lav produktivitet",
        "name_3": "Lavt arbeidsmiljø, høy produktivitet",
        "name_4": "Optimal situasjon",
        "advice_1": "Løft begge, arbeidsmiljøet først",
        "advice_2": "Løft produktiviteten, hold arbeidsmiljøet",
        "advice_3": "Løft arbeidsmiljøet, hold produktiviteten",
        "advice_4": "Hold på det, og fortsett å måle",
        "policy_fixed": "fast grense",
        "policy_sample_median": "utvalgets median",
        "policy_reference": "referanseverdier",
        "policy_custom": "egendefinerte grenser",
        "cut_tag": "grense %(value)s",
        "n": "n = %(n)s",
        "count_label": "Antall personer per sekskant",
        "cap_cuts": (
            "Skillelinjer (%(policy)s): PWE-indeks %(cut_pwe)s, produktivitetsindeks %(cut_productivity)s. "
            "Høyt betyr over linjen; et punkt på linjen regnes som lavt."
        ),
        "cap_source": "Kilde for grensene: %(source)s.",
        "cap_pwe": (
            "PWE-indeksen er produktets egen operasjonalisering av masteroppgaven (2023), ikke en validert skala."
        ),
        "cap_model": ("Etter figur 5.1 i masteroppgaven: pilene viser veien mot den optimale situasjonen (kap. 5.4)."),
        "cap_points": "Farge og form viser situasjonen i resultattabellen.",
        "cap_merged": "Større punkt: flere personer med nøyaktig samme verdier.",
        "cap_offside_one": (
            "%(n)s punkt ligger på motsatt side av en skillelinje fra situasjonen sin, fordi PWE-nivået "
            "også regner med høy jobbstress og hyppige negative handlinger."
        ),
        "cap_offside_other": (
            "%(n)s punkter ligger på motsatt side av en skillelinje fra situasjonen sin, fordi PWE-nivået "
            "også regner med høy jobbstress og hyppige negative handlinger."
        ),
        "cap_jitter": (
            "Punkter med samme verdier men ulik situasjon er hvert flyttet %(r)s poeng til siden "
            "for å synes; verdiene er ikke endret."
        ),
        "cap_shares": ("Prosent: andel personer i hver situasjon (n = %(n)s), avrundet slik at summen blir 100."),
        "cap_n": "n = %(n)s.",
        "cap_missing_one": "%(n)s rad er utelatt fordi en indeks eller situasjonen mangler.",
        "cap_missing_other": "%(n)s rader er utelatt fordi en indeks eller situasjonen mangler.",
    },
    "en": {
        "title": "The dynamic model of psychosocial work environment and productivity in home office",
        "dist_title": "Distribution across the situations of the dynamic model",
        "x_label": "Psychosocial work environment (PWE index)",
        "y_label": "Productivity (productivity index)",
        "share_label": "Share of people (%)",
        "name_1": "Low work environment, low productivity",
        "name_2": "Good work environment, low productivity",
        "name_3": "Low work environment, high productivity",
        "name_4": "Optimal situation",
        "advice_1": "Raise both, the work environment first",
        "advice_2": "Raise productivity, keep the work environment",
        "advice_3": "Raise the work environment, keep productivity",
        "advice_4": "Keep it, and keep measuring",
        "policy_fixed": "fixed cut",
        "policy_sample_median": "sample median",
        "policy_reference": "reference values",
        "policy_custom": "custom cuts",
        "cut_tag": "cut %(value)s",
        "n": "n = %(n)s",
        "count_label": "People per hexagon",
        "cap_cuts": (
            "Cut lines (%(policy)s): PWE index %(cut_pwe)s, productivity index %(cut_productivity)s. "
            "High means above the line; a point on the line counts as low."
        ),
        "cap_source": "Source of the cuts: %(source)s.",
        "cap_pwe": (
            "The PWE index is this product's own operationalisation of the thesis (2023), not a validated scale."
        ),
        "cap_model": (
            "After figure 5.1 of the thesis: the arrows show the way toward the optimal situation (ch. 5.4)."
        ),
        "cap_points": "Colour and shape show the situation in the result table.",
        "cap_merged": "Larger marker: several people with exactly the same values.",
        "cap_offside_one": (
            "%(n)s point lies on the other side of a cut line than its situation, because the PWE level "
            "also counts high job strain and frequent negative acts."
        ),
        "cap_offside_other": (
            "%(n)s points lie on the other side of a cut line than their situation, because the PWE level "
            "also counts high job strain and frequent negative acts."
        ),
        "cap_jitter": (
            "Points with the same values but different situations are each moved %(r)s points aside "
            "to stay visible; the values are not changed."
        ),
        "cap_shares": "Percentages: share of people in each situation (n = %(n)s), rounded to add up to 100.",
        "cap_n": "n = %(n)s.",
        "cap_missing_one": "%(n)s row is left out because an index or the situation is missing.",
        "cap_missing_other": "%(n)s rows are left out because an index or the situation is missing.",
    },
}

# Fixed look, whatever style the caller's matplotlib is set to. DejaVu Sans ships with matplotlib.
_STYLE: dict[str, object] = {
    "font.family": "DejaVu Sans",
    "font.size": 11,
    "axes.titlesize": 14,
    "axes.labelsize": 12.5,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "axes.edgecolor": INK,
    "text.color": INK,
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "svg.fonttype": "none",  # text stays text in SVG: searchable, accessible, smaller
    "svg.hashsalt": "homeoffice",  # stable element ids: same input, same file
    "pdf.fonttype": 42,  # TrueType in PDF, editable text
}

_MAX_MERGED_AREA = 12  # a merged marker's area grows with its count up to this many people
# A light box behind text over data. Not a stroke path effect: that would turn SVG text into paths.
_HALO = {"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.75}
_JITTER = 2.5  # index points; only for points at the same spot with different situations
_CAPTION_FS = 9.5
_DATA = (-3.0, 103.0)  # x limits and the data zone of y: the index range 0-100 with a margin
_AX_W = 7.8  # inches: width of the axes
_DATA_H = 6.2  # inches: height of the data zone (the label bands come on top of it)
_LABEL_FS = 11.5
_LABEL_PAD = 8
_MIN_LABEL_IN = 2.6  # inches: narrowest label block, whatever the cut
_COMPACT_W = 4.0  # inches: the compact chart, about 384 CSS px, so text keeps >= 10 px on a 360 px phone
_COMPACT_FS = 9.5
_COMPACT_MIN_LABEL_IN = 1.2


@dataclass(frozen=True)
class _Table:
    """The rows a chart draws and what its caption must say about them."""

    x: np.ndarray
    y: np.ndarray
    situation: np.ndarray  # int 1-4
    labels: list[str]
    n_rows: int
    n_missing: int
    cut_x: float
    cut_y: float
    policy: str
    source: str


def _t(lang: str, key: str, **params: object) -> str:
    text = TEXT[lang][key]
    return text % params if params else text


def _plural(lang: str, key: str, n: int) -> str:
    return _t(lang, f"{key}_one" if n == 1 else f"{key}_other", n=_num(n, lang))


def _num(value: float, lang: str) -> str:
    """A number for people: at most one decimal; in nb a decimal comma and no-break spaces for thousands."""
    value = float(value)
    text = f"{value:,.0f}" if value == round(value) else f"{value:,.1f}"
    if lang == "nb":
        return text.replace(",", "\u00a0").replace(".", ",")
    return text


def _percent(value: int, lang: str) -> str:
    return f"{value}\u00a0%" if lang == "nb" else f"{value}%"


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise HomeofficeError(
            "unknown_language",
            "unknown language '%(lang)s'; use one of %(known)s",
            params={"lang": lang, "known": ", ".join(LANGS)},
        )


def _constant(results: pd.DataFrame, column: str) -> object:
    values = pd.unique(results[column].dropna().astype(object))
    if len(values) == 0:
        raise PolicyError(
            "missing_cut",
            "the result table has no value in '%(column)s'",
            params={"column": column},
            where=Where(column=column),
        )
    if len(values) > 1:
        raise PolicyError(
            "mixed_cuts",
            "'%(column)s' must be the same on every row to draw one chart; found %(values)s",
            params={"column": column, "values": ", ".join(sorted(map(str, values)))},
            where=Where(column=column),
        )
    return values[0]


def _prepare(results: pd.DataFrame, lang: str) -> _Table:
    """Check the result table and keep the rows with both indexes and a situation."""
    _check_lang(lang)
    if not isinstance(results, pd.DataFrame):
        raise HomeofficeError(
            "not_a_table",
            "charts need the result table (a pandas DataFrame); got %(type)s",
            params={"type": type(results).__name__},
        )
    missing = [c for c in REQUIRED if c not in results.columns]
    if missing:
        raise HomeofficeError(
            "missing_columns",
            "the result table lacks the column(s) %(columns)s; chart the output of classify()",
            params={"columns": ", ".join(missing)},
        )
    cuts = {}
    for axis in ("cut_pwe", "cut_productivity"):
        value = float(_constant(results, axis))
        if not 0.0 <= value <= 100.0:
            raise PolicyError(
                "cut_out_of_range",
                "'%(column)s' must be from 0 to 100; found %(value)s",
                params={"column": axis, "value": value},
                where=Where(column=axis),
            )
        cuts[axis] = value
    policy = str(_constant(results, "cut_policy"))
    source = ""
    if "cut_source" in results.columns and results["cut_source"].notna().any():
        source = str(_constant(results, "cut_source"))

    x = pd.to_numeric(results["pwe_index"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    y = pd.to_numeric(results["productivity_index"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    sit = pd.to_numeric(results["situation"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    keep = ~(np.isnan(x) | np.isnan(y) | np.isnan(sit))
    bad = keep & ~np.isin(sit, SITUATIONS)
    if bad.any():
        row = int(np.argmax(bad))
        raise HomeofficeError(
            "bad_situation",
            "respondent %(respondent)s: situation must be 1, 2, 3 or 4; found %(value)s",
            params={"value": sit[row], "respondent": results.index[row]},
            where=Where(column="situation"),
        )
    outside = keep & ((x < 0) | (x > 100) | (y < 0) | (y > 100))
    if outside.any():
        row = int(np.argmax(outside))
        raise HomeofficeError(
            "index_out_of_range",
            "respondent %(respondent)s: the PWE and productivity indexes must be from 0 to 100; found %(x)s and %(y)s",
            params={"x": x[row], "y": y[row], "respondent": results.index[row]},
        )
    return _Table(
        x=x[keep],
        y=y[keep],
        situation=sit[keep].astype(int),
        labels=[str(i) for i in results.index[keep]],
        n_rows=len(results),
        n_missing=int((~keep).sum()),
        cut_x=cuts["cut_pwe"],
        cut_y=cuts["cut_productivity"],
        policy=policy,
        source=source,
    )


def _shares(situation: np.ndarray) -> dict[int, int]:
    """Whole percentages per situation that add up to 100 (largest remainder); all 0 when empty."""
    counts = np.array([(situation == s).sum() for s in SITUATIONS], dtype=float)
    total = counts.sum()
    if total == 0:
        return dict.fromkeys(SITUATIONS, 0)
    exact = counts / total * 100.0
    whole = np.floor(exact).astype(int)
    order = np.argsort(-(exact - whole), kind="stable")
    whole[order[: 100 - whole.sum()]] += 1
    return dict(zip(SITUATIONS, whole.tolist(), strict=True))


def _policy_name(policy: str, lang: str) -> str:
    return TEXT[lang].get(f"policy_{policy}", policy)


def _caption_head(table: _Table, lang: str) -> list[str]:
    out = [
        _t(
            lang,
            "cap_cuts",
            policy=_policy_name(table.policy, lang),
            cut_pwe=_num(table.cut_x, lang),
            cut_productivity=_num(table.cut_y, lang),
        )
    ]
    if table.source and table.policy in ("reference", "custom"):
        out.append(_t(lang, "cap_source", source=table.source))
    out.append(_t(lang, "cap_pwe"))
    return out


def _wrap(sentences: list[str], width_in: float, fontsize: float) -> str:
    chars = max(20, int(width_in * 72 / (fontsize * 0.51)))
    return "\n".join(textwrap.fill(s, chars) for s in sentences)


def _new_figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def _title_and_caption(
    fig: Figure,
    width: float,
    height: float,
    title: str,
    caption: str,
    *,
    top: float,
    size: float,
    linespacing: float | None = None,
) -> None:
    """The title centred ``top`` inches below the top edge, the caption at the bottom left."""
    fig.text(
        0.5,
        1 - top / height,
        title,
        ha="center",
        va="top",
        fontsize=size,
        weight="bold",
        linespacing=linespacing,
        gid="title",
    )
    fig.text(
        0.3 / width, 0.2 / height, caption, ha="left", va="bottom", fontsize=_CAPTION_FS, linespacing=1.4, gid="caption"
    )


def dynamic_model_chart(
    results: pd.DataFrame,
    *,
    lang: str = "nb",
    title: str | None = None,
    group: bool | None = None,
) -> Figure:
    """The dynamic model of PWE and productivity (thesis figure 5.1, chapter 5.4) for a result table.

    ``results`` is the result table of scoring and classification: ``pwe_index`` (x) and
    ``productivity_index`` (y), 0-100, ``situation`` (1-4) and the provenance columns ``cut_pwe``,
    ``cut_productivity``, ``cut_policy`` (and ``cut_source`` if present), each the same on every row.
    The quadrants are split at those cuts, labelled with their number, a short name and the thesis's
    advice (situation 1: raise both, the work environment first; 2: raise productivity; 3: raise the
    work environment; 4: the optimal situation), and arrows from 1, 2 and 3 point toward 4.

    Individual mode: one point per respondent, coloured and shaped by its ``situation`` (which
    also counts job strain and negative acts, so a point may lie across a cut line; the caption
    then says how many). Respondents with exactly the same values and situation share one marker
    whose area grows with their number (up to 12); with at most ``MAX_LABELLED`` respondents the
    markers carry their ids.
    Points at the same spot with different situations are each moved 2.5 index points aside
    (a fixed pattern, not random), and the caption says so.

    Group mode (``group=True``, or ``group=None`` and more than ``GROUP_AUTO_ROWS`` rows): a hexbin
    density of the points and, in each quadrant, the share of people in that situation as a large
    percentage (largest-remainder rounding, so they add up to 100), with n.

    Rows with a missing index or situation are left out and counted in the caption, which also
    names the cut policy and values and says that the PWE index is the product's own
    operationalisation, not a validated scale. Text is nb or en (``lang``), from :data:`TEXT`.

    Raises HomeofficeError ``unknown_language``, ``missing_columns``, ``bad_situation``,
    ``index_out_of_range``; PolicyError ``missing_cut``, ``mixed_cuts``, ``cut_out_of_range``.
    """
    table = _prepare(results, lang)
    if group is None:
        group = table.n_rows > GROUP_AUTO_ROWS
    with mpl.rc_context(_STYLE):
        return _draw_model(table, lang=lang, title=title, group=bool(group))


@dataclass(frozen=True)
class _Layout:
    """Geometry of the model chart: a data zone (index -3..103) with label bands above and below."""

    cut_x: float
    cut_y: float
    ylim: tuple[float, float]
    labels: dict[int, tuple[str, str]]  # situation -> (wrapped name, wrapped advice)

    def box(self, s: int, *, data_only: bool = False) -> tuple[float, float, float, float]:
        """(x0, x1, y0, y1) of situation ``s``; ``data_only`` leaves out the label bands."""
        lo, hi = (_DATA[0], _DATA[1]) if data_only else self.ylim
        x0, x1 = (_DATA[0], self.cut_x) if s in (1, 3) else (self.cut_x, _DATA[1])
        y0, y1 = (lo, self.cut_y) if s in (1, 2) else (self.cut_y, hi)
        return x0, x1, y0, y1


def _layout(table: _Table, lang: str) -> _Layout:
    """Wrap each quadrant's name and advice to its width and size the label bands to fit them."""
    left_in = (table.cut_x - _DATA[0]) / (_DATA[1] - _DATA[0]) * _AX_W
    # A narrow quadrant's label may reach across the cut line into the wider neighbour's band.
    left_in = min(max(left_in, _MIN_LABEL_IN), _AX_W - _MIN_LABEL_IN)
    labels, lines = {}, {}
    for s in SITUATIONS:
        width_pt = (left_in if s in (1, 3) else _AX_W - left_in) * 72 - 56  # minus badge and padding
        # Average glyph widths of DejaVu Sans: bold about 0.57 em, italic about 0.5 em.
        name_chars, advice_chars = int(width_pt / (_LABEL_FS * 0.57)), int(width_pt / (_LABEL_FS * 0.5))
        name = textwrap.fill(_t(lang, f"name_{s}"), name_chars, break_long_words=False)
        advice = textwrap.fill(_t(lang, f"advice_{s}"), advice_chars, break_long_words=False)
        labels[s] = (name, advice)
        lines[s] = name.count("\n") + advice.count("\n") + 2
    band = {}
    for side, pair in (("top", (3, 4)), ("bottom", (1, 2))):
        band_pt = max(lines[s] for s in pair) * _LABEL_FS * 1.25 + 3 + 2 * _LABEL_PAD
        band[side] = max(band_pt, 40) / 72 * (_DATA[1] - _DATA[0]) / _DATA_H
    return _Layout(table.cut_x, table.cut_y, (_DATA[0] - band["bottom"], _DATA[1] + band["top"]), labels)


def _draw_model(table: _Table, *, lang: str, title: str | None, group: bool) -> Figure:
    lay = _layout(table, lang)
    left, right = 1.05, (1.45 if group else 0.45)
    width = left + _AX_W + right
    y_units_per_in = (_DATA[1] - _DATA[0]) / _DATA_H
    ax_h = (lay.ylim[1] - lay.ylim[0]) / y_units_per_in
    title_text = textwrap.fill(title if title is not None else _t(lang, "title"), 60)
    title_h = 0.3 + (title_text.count("\n") + 1) * 14.5 * 1.25 / 72 + 0.3
    below_axes = 0.72 if not group else 0.95

    fig = _new_figure(width, 10.0)
    ax = fig.add_axes((0.1, 0.1, 0.8, 0.8))
    ax.set_xlim(*_DATA)
    ax.set_ylim(*lay.ylim)
    _draw_quadrants(ax, lay, lang)
    sentences = [*_caption_head(table, lang), _t(lang, "cap_model")]
    if group:
        cax = fig.add_axes((0.92, 0.1, 0.02, 0.8))
        sentences += _draw_group(ax, cax, table, lay, lang)
    else:
        cax = None
        sentences += _draw_points(ax, table, lang)
    if table.n_missing:
        sentences.append(_plural(lang, "cap_missing", table.n_missing))
    caption = _wrap(sentences, width - 0.5, _CAPTION_FS)
    caption_h = 0.2 + (caption.count("\n") + 1) * _CAPTION_FS * 1.4 / 72 + 0.1

    height = title_h + ax_h + below_axes + caption_h
    fig.set_size_inches(width, height)
    bottom = caption_h + below_axes
    ax.set_position((left / width, bottom / height, _AX_W / width, ax_h / height))
    if cax is not None:
        data_bottom = bottom + (_DATA[0] - lay.ylim[0]) / y_units_per_in
        cax.set_position(((left + _AX_W + 0.35) / width, data_bottom / height, 0.22 / width, _DATA_H / height))
    _title_and_caption(fig, width, height, title_text, caption, top=0.3, size=14.5, linespacing=1.25)
    _index_axes(ax, lang, ticks=[0, 25, 50, 75, 100], tick_length=4)
    return fig


def _index_axes(ax, lang: str, *, ticks: list[int], tick_length: float, fontsize: float | None = None) -> None:
    """The two index axes of the model chart: labels, ticks, and a left spine over 0-100 only."""
    size = {} if fontsize is None else {"fontsize": fontsize}  # None: the style's label size
    ax.set_xlabel(_t(lang, "x_label"), **size)
    ax.set_ylabel(_t(lang, "y_label"), **size)
    ax.set_xticks(ticks)
    ax.set_yticks(ticks)
    ax.tick_params(length=tick_length, **({} if fontsize is None else {"labelsize": fontsize}))
    ax.spines["left"].set_bounds(0, 100)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _draw_quadrants(ax, lay: _Layout, lang: str) -> None:
    """Tints, cut lines, labels with number, name and advice, and the arrows toward situation 4."""
    for s in SITUATIONS:
        x0, x1, y0, y1 = lay.box(s)
        ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, facecolor=PALETTE[s], alpha=0.09, lw=0, zorder=0))
        right, top = s in (2, 4), s in (3, 4)
        corner = (x1 if right else x0, y1 if top else y0)
        sign_x, sign_y = (-1 if right else 1), (-1 if top else 1)
        ha, va = ("right" if right else "left"), ("top" if top else "bottom")
        ax.annotate(
            str(s),
            corner,
            xytext=(sign_x * 8, sign_y * _LABEL_PAD),
            textcoords="offset points",
            ha=ha,
            va=va,
            fontsize=15,
            weight="bold",
            color=BADGE_TEXT[s],
            zorder=6,
            gid=f"badge_{s}",
            bbox={"boxstyle": "circle,pad=0.25", "facecolor": PALETTE[s], "edgecolor": "none"},
        )
        name, advice = lay.labels[s]
        # The block's outer line sits at the corner: name above advice, stacked toward the centre.
        first, second = (name, advice) if top else (advice, name)
        styles = {name: {"weight": "bold"}, advice: {"style": "italic"}}
        outer = ax.annotate(
            first,
            corner,
            xytext=(sign_x * 40, sign_y * (_LABEL_PAD + 2)),
            textcoords="offset points",
            ha=ha,
            va=va,
            fontsize=_LABEL_FS,
            zorder=6,
            gid=f"{'name' if top else 'advice'}_{s}",
            **styles[first],
        )
        ax.annotate(
            second,
            (1.0 if right else 0.0, 0.0 if top else 1.0),
            xycoords=outer,
            xytext=(0, sign_y * 3),
            textcoords="offset points",
            ha=ha,
            va=va,
            fontsize=_LABEL_FS,
            zorder=6,
            gid=f"{'advice' if top else 'name'}_{s}",
            **styles[second],
        )
    for y in _DATA:  # the edges of the index range, between data and label bands
        ax.axhline(y, color="#BBBBBB", lw=0.8, zorder=0.5)

    line = {"color": INK, "lw": 1.8, "ls": (0, (6, 3)), "zorder": 3}
    ax.axvline(lay.cut_x, gid="cut_pwe", **line)
    ax.plot([_DATA[0], _DATA[1]], [lay.cut_y, lay.cut_y], gid="cut_productivity", **line)
    tag = {"fontsize": 9.5, "color": INK, "zorder": 6}
    ax.annotate(
        _t(lang, "cut_tag", value=_num(lay.cut_x, lang)),
        (lay.cut_x, 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(0, 3),
        textcoords="offset points",
        ha="center",
        va="bottom",
        **tag,
    )
    ax.annotate(
        _t(lang, "cut_tag", value=_num(lay.cut_y, lang)),
        (_DATA[1], lay.cut_y),
        xytext=(3, 0),
        textcoords="offset points",
        ha="left",
        va="center",
        rotation=90,
        **tag,
    )
    _draw_arrows(ax, lay)


def _draw_arrows(ax, lay: _Layout, scale: float = 1.0) -> None:
    """Arrows from situations 1, 2 and 3 across the cut lines toward situation 4 (chapter 5.4);
    ``scale`` thins them for a smaller figure."""
    lo, hi = 0.0, 100.0
    cx, cy = lay.cut_x, lay.cut_y
    left, right, down, up = cx - lo, hi - cx, cy - lo, hi - cy
    tx, ty = cx + 0.2 * right, cy + 0.2 * up  # the arrows aim at one point inside situation 4
    gap = 2.0
    style = {
        "arrowstyle": "-|>,head_length=0.6,head_width=0.35",
        "mutation_scale": 18 * scale,
        "lw": 2.6 * scale,
        "color": "#666666",
        "zorder": 2.5,
        "shrinkA": 0,
        "shrinkB": 0,
    }
    starts_ends = {
        3: ((cx - 0.3 * left, ty), (tx - gap, ty)),
        2: ((tx, cy - 0.3 * down), (tx, ty - gap)),
        1: ((cx - 0.25 * left, cy - 0.25 * down), (tx - gap * 0.8, ty - gap * 0.8)),
    }
    for s, (start, end) in starts_ends.items():
        arrow = ax.add_patch(FancyArrowPatch(start, end, gid=f"arrow_{s}_to_4", **style))
        arrow.set_path_effects([patheffects.Stroke(linewidth=5 * scale, foreground="white"), patheffects.Normal()])


def _draw_points(ax, table: _Table, lang: str) -> list[str]:
    """One marker per distinct (x, y, situation); returns the caption sentences this adds."""
    sentences = [_t(lang, "cap_points")]
    frame = pd.DataFrame({"x": table.x, "y": table.y, "s": table.situation, "label": table.labels})
    merged = (
        frame.groupby(["x", "y", "s"], sort=True).agg(count=("label", "size"), label=("label", ", ".join)).reset_index()
    )
    # Markers at the same spot with different situations: spread them on a small circle.
    px, py = merged["x"].to_numpy(dtype=float, copy=True), merged["y"].to_numpy(dtype=float, copy=True)
    spot = merged.groupby(["x", "y"])["s"].transform("size").to_numpy()
    rank = merged.groupby(["x", "y"]).cumcount().to_numpy()
    shared = spot > 1
    angle = np.full(len(merged), math.atan2(5, 7))  # where the id label goes: up and right,
    angle[px > 85] = math.pi - math.atan2(5, 7)  # or up and left near the right edge
    if shared.any():
        angle[shared] = 2 * math.pi * rank[shared] / spot[shared] + math.pi / 4
        px[shared] += _JITTER * np.cos(angle[shared])
        py[shared] += _JITTER * np.sin(angle[shared])
        sentences.append(_t(lang, "cap_jitter", r=_num(_JITTER, lang)))
    if (merged["count"] > 1).any():
        sentences.append(_t(lang, "cap_merged"))

    counts = merged["count"].to_numpy()
    sizes = 80.0 * np.minimum(counts, _MAX_MERGED_AREA)  # marker area grows with the count, up to a cap
    for s in SITUATIONS:
        mask = merged["s"].to_numpy() == s
        if mask.any():
            ax.scatter(
                px[mask],
                py[mask],
                s=sizes[mask],
                marker=MARKERS[s],
                color=PALETTE[s],
                edgecolors=INK,
                linewidths=0.9,
                zorder=7,
                gid=f"points_{s}",
                clip_on=False,
            )
    if len(table.x) <= MAX_LABELLED:
        for xi, yi, a, text in zip(px, py, angle, merged["label"], strict=True):
            dx, dy = 9 * math.cos(a), 9 * math.sin(a)
            ax.annotate(
                text,
                (xi, yi),
                xytext=(dx, dy),
                textcoords="offset points",
                fontsize=10,
                weight="bold",
                zorder=8,
                gid="point_label",
                ha="left" if dx >= 0 else "right",
                va="bottom" if dy >= 0 else "top",
                bbox=_HALO,
            )

    pwe_high = table.x > table.cut_x
    prod_high = table.y > table.cut_y
    by_place = np.select([~pwe_high & ~prod_high, pwe_high & ~prod_high, ~pwe_high & prod_high], [1, 2, 3], 4)
    offside = int((by_place != table.situation).sum())
    if offside:
        sentences.append(_plural(lang, "cap_offside", offside))
    sentences.append(_t(lang, "cap_n", n=_num(len(table.x), lang)))
    return sentences


def _draw_group(ax, cax, table: _Table, lay: _Layout, lang: str) -> list[str]:
    """Hexbin density, share per situation and n; returns the caption sentences this adds."""
    n = len(table.x)
    if n:
        hb = ax.hexbin(
            table.x,
            table.y,
            gridsize=22,
            extent=(0, 100, 0, 100),
            mincnt=1,
            cmap="Greys",
            alpha=0.55,
            linewidths=0.2,
            edgecolors="white",
            zorder=1,
            gid="density",
        )
        cbar = ax.figure.colorbar(hb, cax=cax)
        cbar.set_label(_t(lang, "count_label"))
    else:
        cax.set_visible(False)
    shares = _shares(table.situation)
    for s in SITUATIONS:
        x0, x1, y0, y1 = lay.box(s, data_only=True)
        ax.text(
            (x0 + x1) / 2,
            (y0 + y1) / 2,
            _percent(shares[s], lang),
            ha="center",
            va="center",
            fontsize=30,
            weight="bold",
            color=PALETTE[s] if s != 3 else "#B07800",
            zorder=7,
            gid=f"share_{s}",
            bbox={**_HALO, "boxstyle": "round,pad=0.15"},
        )
    ax.annotate(
        _t(lang, "n", n=_num(n, lang)),
        (1.0, 0.0),
        xycoords="axes fraction",
        xytext=(0, -26),
        textcoords="offset points",
        ha="right",
        va="top",
        fontsize=13,
        weight="bold",
        gid="n",
    )
    return [_t(lang, "cap_shares", n=_num(n, lang))]


def compact_model_chart(results: pd.DataFrame, *, lang: str = "nb", title: str | None = None) -> Figure:
    """The dynamic model (thesis figure 5.1) for a narrow screen: the four situations split at the
    cuts, each with its number and short name in a band above or below the index range, the arrows
    toward situation 4, and the points as in :func:`dynamic_model_chart` (labelled up to
    ``MAX_LABELLED``). The thesis's advice per situation and the caption are left out: the page or
    report around it says them in words. Same input, checks and errors as :func:`dynamic_model_chart`."""
    table = _prepare(results, lang)
    with mpl.rc_context(_STYLE):
        return _draw_compact(table, lang=lang, title=title)


def _draw_compact(table: _Table, *, lang: str, title: str | None) -> Figure:
    fs, width = _COMPACT_FS, _COMPACT_W
    left, right, below = 0.62, 0.14, 0.55
    ax_w = width - left - right
    data_h = 0.9 * ax_w
    units_per_in = (_DATA[1] - _DATA[0]) / data_h
    cut_in = (table.cut_x - _DATA[0]) / (_DATA[1] - _DATA[0]) * ax_w
    cut_in = min(max(cut_in, _COMPACT_MIN_LABEL_IN), ax_w - _COMPACT_MIN_LABEL_IN)
    names = {}
    for s in SITUATIONS:
        width_pt = (cut_in if s in (1, 3) else ax_w - cut_in) * 72 - 16  # bold DejaVu: about 0.6 em a glyph
        names[s] = textwrap.fill(_t(lang, f"name_{s}"), max(8, int(width_pt / (fs * 0.6))), break_long_words=False)
    band = {
        edge: max(names[s].count("\n") + 1 for s in pair) * fs * 1.25 / 72 + 0.2
        for edge, pair in (("top", (3, 4)), ("bottom", (1, 2)))
    }
    ylim = (_DATA[0] - band["bottom"] * units_per_in, _DATA[1] + band["top"] * units_per_in)
    title_text = textwrap.fill(title if title is not None else _t(lang, "title"), 38)
    title_h = 0.12 + (title_text.count("\n") + 1) * 11.5 * 1.25 / 72 + 0.12
    ax_h = data_h + band["top"] + band["bottom"]
    height = title_h + ax_h + below

    fig = _new_figure(width, height)
    ax = fig.add_axes((left / width, below / height, ax_w / width, ax_h / height))
    ax.set_xlim(*_DATA)
    ax.set_ylim(*ylim)
    for s in SITUATIONS:
        right_side, top = s in (2, 4), s in (3, 4)
        x0, x1 = (_DATA[0], table.cut_x) if not right_side else (table.cut_x, _DATA[1])
        y0, y1 = (ylim[0], table.cut_y) if not top else (table.cut_y, ylim[1])
        ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, facecolor=PALETTE[s], alpha=0.09, lw=0, zorder=0))
        corner = (x1 if right_side else x0, y1 if top else y0)
        sign_x, sign_y = (-1 if right_side else 1), (-1 if top else 1)
        ha, va = ("right" if right_side else "left"), ("top" if top else "bottom")
        # The name fills the band; the number sits in the outer corner of the index range.
        ax.annotate(
            names[s], corner, xytext=(sign_x * 8, sign_y * 7), textcoords="offset points", ha=ha, va=va,
            fontsize=fs, weight="bold", linespacing=1.15, zorder=6, gid=f"name_{s}", bbox=_HALO,
        )  # fmt: skip
        ax.annotate(
            str(s), (corner[0], _DATA[1] if top else _DATA[0]), xytext=(sign_x * 9, sign_y * 9),
            textcoords="offset points", ha="center", va="center", fontsize=11, weight="bold",
            color=BADGE_TEXT[s], zorder=6, gid=f"badge_{s}",
            bbox={"boxstyle": "circle,pad=0.2", "facecolor": PALETTE[s], "edgecolor": "none"},
        )  # fmt: skip
    for y in _DATA:
        ax.axhline(y, color="#BBBBBB", lw=0.6, zorder=0.5)
    line = {"color": INK, "lw": 1.4, "ls": (0, (5, 3)), "zorder": 3}
    ax.axvline(table.cut_x, gid="cut_pwe", **line)
    ax.plot([_DATA[0], _DATA[1]], [table.cut_y, table.cut_y], gid="cut_productivity", **line)
    _draw_arrows(ax, _Layout(cut_x=table.cut_x, cut_y=table.cut_y, ylim=ylim, labels={}), scale=0.6)
    _draw_points(ax, table, lang)
    fig.text(0.5, 1 - 0.12 / height, title_text, ha="center", va="top", fontsize=11.5, weight="bold", gid="title")
    _index_axes(ax, lang, ticks=[0, 50, 100], tick_length=3, fontsize=fs)
    return fig


def situation_distribution_chart(results: pd.DataFrame, *, lang: str = "nb") -> Figure:
    """Bar chart of the share of people in situations 1-4 of the dynamic model (thesis figure 5.1).

    Shares are whole percentages adding up to 100 (largest remainder) among rows with both indexes
    and a situation; left-out rows, n, the cut policy and cut values are in the caption.
    Raises the same errors as :func:`dynamic_model_chart`.
    """
    table = _prepare(results, lang)
    with mpl.rc_context(_STYLE):
        width, ax_h, left = 9.0, 4.2, 1.0
        sentences = [*_caption_head(table, lang), _t(lang, "cap_n", n=_num(len(table.x), lang))]
        if table.n_missing:
            sentences.append(_plural(lang, "cap_missing", table.n_missing))
        caption = _wrap(sentences, width - 0.5, _CAPTION_FS)
        caption_h = 0.2 + (caption.count("\n") + 1) * _CAPTION_FS * 1.4 / 72 + 0.15
        below, title_h = 1.0, 0.75
        height = title_h + ax_h + below + caption_h
        fig = _new_figure(width, height)
        ax = fig.add_axes((left / width, (caption_h + below) / height, (width - left - 0.3) / width, ax_h / height))
        shares = _shares(table.situation)
        bars = ax.bar(
            SITUATIONS,
            [shares[s] for s in SITUATIONS],
            color=[PALETTE[s] for s in SITUATIONS],
            edgecolor=INK,
            linewidth=0.8,
            width=0.65,
            gid="bars",
        )
        for s, bar in zip(SITUATIONS, bars, strict=True):
            ax.annotate(
                _percent(shares[s], lang),
                (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                xytext=(0, 4),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=13,
                weight="bold",
                gid=f"share_{s}",
            )
        ax.set_xticks(SITUATIONS)
        ax.set_xticklabels([f"{s}\n" + textwrap.fill(_t(lang, f"name_{s}"), 20) for s in SITUATIONS], fontsize=10.5)
        ax.set_ylim(0, max(100 if not table.x.size else max(shares.values()) * 1.2, 10))
        ax.set_ylabel(_t(lang, "share_label"))
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        _title_and_caption(fig, width, height, _t(lang, "dist_title"), caption, top=0.25, size=14)
    return fig


def save_chart(fig: Figure, path: str | os.PathLike[str]) -> None:
    """Write ``fig`` as PNG (150 dpi), SVG (text kept as text) or PDF, chosen by the extension.

    The figure is closed afterwards (released from pyplot if pyplot manages it); build it again to
    save another format. Files carry no creation date, so the same chart gives the same SVG/PDF.
    Raises HomeofficeError ``unknown_format`` (figure left open) for any other extension.
    """
    p = Path(path)
    fmt = FORMATS.get(p.suffix.lower())
    if fmt is None:
        raise HomeofficeError(
            "unknown_format",
            "cannot save a chart as '%(suffix)s'; use %(known)s",
            params={"suffix": p.suffix or p.name, "known": ", ".join(FORMATS)},
            where=Where(file=str(p)),
        )
    metadata: Mapping[str, object] = {"svg": {"Date": None}, "pdf": {"CreationDate": None}}.get(fmt, {})
    try:
        with mpl.rc_context(_STYLE):
            fig.savefig(p, format=fmt, dpi=150, metadata=dict(metadata))
    finally:
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is not None:
            pyplot.close(fig)
