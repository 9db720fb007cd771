"""Group charts: what a reader sees in the SVG and what a screen reader gets in the text alternative."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from homeoffice.analysis.groups import compare_waves, group_summary, heat_map
from homeoffice.errors import HomeofficeError
from homeoffice.group_charts import (
    ROWS_PER_PAGE,
    TEXT,
    GroupChart,
    dimension_means_chart,
    heat_map_chart,
    situation_chart,
    wave_change_chart,
)
from tests.analysis import helpers
from tests.analysis.helpers import results_fixture, table_4_2_fixture, thesis_fixture  # noqa: F401 (fixtures)


def _svg_texts(svg: str) -> str:
    """All text the SVG shows, one string (entities decoded)."""
    texts = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S)
    plain = " ".join(re.sub(r"<[^>]+>", " ", t) for t in texts)
    return plain.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")


def _check_common(chart: GroupChart, lang: str) -> None:
    assert chart.svg.startswith("<?xml") and '<svg role="img"' in chart.svg
    assert f"<title>{chart.description[lang]}</title>" in chart.svg.replace("&amp;", "&")
    assert set(chart.description) == set(chart.rows) == {"nb", "en"}
    assert chart.description["nb"] != chart.description["en"]
    assert chart.text("nb").startswith(chart.description["nb"]) and chart.table("en") in chart.text("en")


def test_means_chart_shows_names_means_and_the_cut(thesis, results):
    chart = dimension_means_chart(group_summary(results, thesis), lang="nb")
    _check_common(chart, "nb")
    shown = _svg_texts(chart.svg)
    assert "Økt kontroll" in shown and "71,9" in shown  # increased control: mean 71.875
    assert "Gjennomsnitt per dimensjon med 95\u00a0% konfidensintervall" in shown
    assert 'id="cuts"' in chart.svg  # the dashed cut marks
    # The text alternative: every number, in both languages; the crossing interval is flagged.
    nb = dict((row[0], row) for row in chart.rows["nb"])
    assert nb["Økt kontroll"][1:5] == ("71,9", "[51,2 til 92,6]", "50", "over grensen")
    assert nb["Økt sosial støtte"][4] == "krysser grensen"
    assert nb["Negative opplevelser"][4] == "under grensen"
    en = dict((row[0], row) for row in chart.rows["en"])
    assert en["Increased control"][1:3] == ("71.9", "[51.2 to 92.6]")
    assert en["Increased social support"][4] == "crosses the cut"
    # Above: familiarity, positivity, both productivity scales, control, the productivity index;
    # below: negative experiences, demands; crossing: support and the PWE index.
    assert "6 lie above their cut, 2 below, and for 2 the interval crosses the cut." in chart.description["en"]
    assert "ikke en validert skala" in chart.description["nb"]  # the PWE index is among the dimensions
    assert "8 people" in chart.description["en"] and "8 personer" in chart.description["nb"]


def test_means_chart_in_english_and_a_chosen_set_of_dimensions(thesis, results):
    chart = dimension_means_chart(
        group_summary(results, thesis), lang="en", dimensions=["pwe_index", "productivity_index"], title="Team A"
    )
    shown = _svg_texts(chart.svg)
    assert "Team A" in shown and "PWE index (psychosocial work environment)" in shown
    assert "Increased control" not in shown and len(chart.rows["en"]) == 3
    with pytest.raises(HomeofficeError) as info:
        dimension_means_chart(group_summary(results, thesis), dimensions=["nope"])
    assert info.value.code == "unknown_dimension"


def test_heat_map_shows_groups_values_and_n(thesis, results):
    units = ["Team Ålesund"] * 4 + ["Team Bodø & co"] * 4
    chart = heat_map_chart(heat_map(results, units, thesis), lang="nb")
    _check_common(chart, "nb")
    shown = _svg_texts(chart.svg)
    assert "Team Ålesund (n = 4)" in shown and "Team Bodø & co (n = 4)" in shown
    # Increased control: Ålesund 75 75 25 75 -> 62.5, shown as 63 (half up); Bodø 100 50 75 100 -> 81.25.
    cells = re.search(r'<g id="cell_values">(.*?)</g>', chart.svg, flags=re.S).group(1)
    assert ">63<" in cells and ">81<" in cells
    assert "Gruppe 1–2 av 2 (side 1 av 1)." in shown
    header, *body = chart.rows["en"]
    assert header[:2] == ("Group", "n") and "Increased control" in header
    column = header.index("Increased control")
    rows = {row[0]: row for row in body}
    assert rows["Team Ålesund"][column] == "62.5" and rows["Team Bodø & co"][column] == "81.3"
    assert rows["Team Ålesund"][1] == "4"


def test_heat_map_with_200_groups_is_paginated_and_says_so(thesis, results):
    many = pd.concat([results] * 25, ignore_index=True)  # 200 rows, one group each
    names = [f"Unit {i:03d}" for i in range(200)]
    heat = heat_map(many, names, thesis)
    first = heat_map_chart(heat, lang="en")
    assert len(first.rows["en"]) == ROWS_PER_PAGE + 1
    shown = _svg_texts(first.svg)
    assert "Unit 000 (n = 1)" in shown and "Unit 039 (n = 1)" in shown and "Unit 040" not in shown
    assert "Groups 1–40 of 200 (page 1 of 5)." in shown
    assert "groups 1–40 of 200 (page 5 of 5)" not in first.description["en"]
    last = heat_map_chart(heat, lang="nb", page=5)
    assert "gruppe 161–200 av 200 (side 5 av 5)" in last.description["nb"]
    assert last.rows["nb"][-1][0] == "Unit 199"
    for bad in ({"page": 6}, {"page": 0}, {"rows_per_page": 61}):
        with pytest.raises(HomeofficeError) as info:
            heat_map_chart(heat, **bad)
        assert info.value.code == "bad_page"
    with pytest.raises(HomeofficeError) as info:
        heat_map_chart(heat, page=6)
    assert info.value.describe("nb") == "side 6 finnes ikke; varmekartet har 5 side(r)"


def test_wave_change_chart_shows_the_change_and_its_interval(thesis, table_4_2, results):
    comparison = compare_waves(results, helpers.next_wave(thesis, table_4_2), thesis)
    chart = wave_change_chart(comparison, lang="nb")
    _check_common(chart, "nb")
    shown = _svg_texts(chart.svg)
    assert "Endring per dimensjon siden forrige runde" in shown
    assert "+9,4" in shown  # increased support 56.25 -> 65.625
    assert 'id="zero"' in chart.svg
    rows = {row[0]: row for row in chart.rows["nb"]}
    support = rows["Økt sosial støtte"]
    assert support[1:4] == ("56,3", "65,6", "+9,4") and support[5] == "ingen klar endring"
    assert re.fullmatch(r"\[−\d+(,\d)? til \+\d+(,\d)?\]", support[4])
    en = {row[0]: row for row in chart.rows["en"]}
    assert en["Familiarity with home office"][3] == "0" and en["Increased social support"][5] == "no clear change"
    assert "0 better, 0 worse, 10 with no clear change" in chart.description["en"]


def test_situation_chart_reuses_the_dynamic_model_chart(thesis, results):
    chart = situation_chart(results, lang="nb")
    _check_common(chart, "nb")
    shown = _svg_texts(chart.svg)
    assert "Den dynamiske modellen" in shown and "50\u00a0%" in shown  # 4 of 8 in situation 3
    assert chart.description["en"] == (
        "Share of people in the four situations of the dynamic model (n = 8): situation 1 13%, situation 2 0%, "
        "situation 3 50% and situation 4 37%. The PWE index is this product's own operationalisation of the thesis "
        "(2023), not a validated scale."
    )
    assert chart.rows["nb"][3] == ("3 Lavt arbeidsmiljø, høy produktivitet", "50\u00a0%", "4")
    one_unplaced = results.assign(situation=pd.array([3, 3, 3, 1, 4, 3, 4, pd.NA], dtype="Int8"))
    bars = situation_chart(one_unplaced, lang="en", kind="bars")
    assert "Distribution across the situations" in _svg_texts(bars.svg)
    assert "1 person could not be placed" in bars.description["en"]
    with pytest.raises(HomeofficeError) as info:
        situation_chart(results, kind="pie")
    assert info.value.code == "unknown_kind"
    with pytest.raises(HomeofficeError) as info:
        situation_chart(results, lang="de")
    assert info.value.code == "unknown_language"


def test_every_text_has_both_languages_with_the_same_placeholders():
    assert set(TEXT["nb"]) == set(TEXT["en"])
    for key in TEXT["nb"]:
        names = [set(re.findall(r"%\((\w+)\)s", TEXT[lang][key])) for lang in ("nb", "en")]
        assert names[0] == names[1], key
        assert TEXT["nb"][key] != TEXT["en"][key] or key in ("group_label", "col_n"), key


def test_the_same_input_gives_the_same_svg(thesis, results):
    summary = group_summary(results, thesis)
    assert dimension_means_chart(summary).svg == dimension_means_chart(summary).svg
    assert np.isfinite(summary.dimensions["mean"]).all()
