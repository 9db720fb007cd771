"""Reading a dashboard page as a person (or an attacker) would: the tables, the response count and
the numbers in them, in nb or en."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pandas as pd


class _Tables(HTMLParser):
    """Every table with a ``data-chart`` or ``data-table`` name: its rows as lists of cell texts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self.n_texts: list[str] = []
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._n_depth = 0
        self._in_caption = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table":
            self._table = a.get("data-chart") or a.get("data-table") or f"table-{len(self.tables)}"
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "caption":
            self._in_caption = True
        if "dash-n" in (a.get("class") or "").split():
            self._n_depth = 1
            self.n_texts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table is not None:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None
        elif tag == "caption":
            self._in_caption = False
        if self._n_depth and tag in ("dd", "strong"):
            self._n_depth = 0

    def handle_data(self, data: str) -> None:
        if self._cell is not None and not self._in_caption:
            self._cell.append(data)
        if self._n_depth:
            self.n_texts[-1] += data


def tables(html: str) -> dict[str, list[list[str]]]:
    """Named tables of the page (``means``, ``heatmap``, ``change``, ``model``, ``jobs``, ...), header row first."""
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def response_count(html: str) -> int | None:
    """The number of responses the page states for its own group."""
    parser = _Tables()
    parser.feed(html)
    return int(number(parser.n_texts[0])) if parser.n_texts else None


def number(text: str) -> float | None:
    """A number as shown in nb or en ("54,5", "1 234", "−1.2", "38 %"); None for "–" or text."""
    text = text.replace("\u2212", "-").replace("\u00a0", "").replace(" ", "").replace("%", "")
    if re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+(\.\d+)?", text):  # en thousands
        text = text.replace(",", "")
    text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


def means_table(html: str) -> dict[str, float]:
    """The means table of the page's own group: dimension name -> mean."""
    rows = tables(html).get("means", [])
    return {row[0]: number(row[1]) for row in rows[1:]}


def heat_table(html: str) -> list[tuple[str, int, list[float | None]]]:
    """The heat map's rows: (label, n, means) in the column order of the header."""
    rows = tables(html).get("heatmap", [])
    return [(row[0], int(number(row[1])), [number(x) for x in row[2:]]) for row in rows[1:]]


def rounded(value: float) -> float:
    """One decimal, half up, as the charts' tables show it."""
    return float(int(abs(value) * 10 + 0.5) / 10) * (1 if value >= 0 else -1)


def expected_means(dimensions: pd.DataFrame, lang: str = "en") -> dict[str, float]:
    """The summary's means as the page should show them (name in ``lang`` -> mean to one decimal)."""
    return {row[f"name_{lang}"]: rounded(row["mean"]) for _, row in dimensions.iterrows()}
