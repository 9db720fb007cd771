"""Charts of the dynamic model (thesis figure 5.1): files, language, cut lines, group mode, errors."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from homeoffice.charts import (
    GROUP_AUTO_ROWS,
    TEXT,
    compact_model_chart,
    dynamic_model_chart,
    save_chart,
    situation_distribution_chart,
)
from homeoffice.errors import HomeofficeError, PolicyError


def _scaled(codes) -> np.ndarray:
    return (np.asarray(codes, dtype=float) - 1) / 4 * 100


@pytest.fixture
def thesis() -> pd.DataFrame:
    """Table 4.2, cut 50: PWE = mean(control, support), productivity = mean(influence, positive influence).

    model.md section 4: informants 1, 2, 3, 6 in situation 3, 4 in situation 1, 5, 7, 8 in situation 4.
    """
    control, support = np.array([4, 4, 2, 4, 5, 3, 4, 5]), np.array([2, 2, 3, 2, 4, 3, 5, 5])
    influence, positive = np.array([4, 5, 3, 3, 5, 3, 5, 5]), np.array([5, 5, 4, 2, 5, 5, 4, 5])
    return pd.DataFrame(
        {
            "pwe_index": _scaled((control + support) / 2),
            "productivity_index": _scaled((influence + positive) / 2),
            "situation": pd.array([3, 3, 3, 1, 4, 3, 4, 4], dtype="Int8"),
            "cut_pwe": 50.0,
            "cut_productivity": 50.0,
            "cut_policy": "fixed",
        },
        index=[str(i) for i in range(1, 9)],
    )


def _group(n: int, seed: int, cut_x: float = 55.0, cut_y: float = 65.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(0, 100, n), rng.uniform(0, 100, n)
    situation = np.where(x > cut_x, np.where(y > cut_y, 4, 2), np.where(y > cut_y, 3, 1))
    return pd.DataFrame(
        {
            "pwe_index": x,
            "productivity_index": y,
            "situation": situation,
            "cut_pwe": cut_x,
            "cut_productivity": cut_y,
            "cut_policy": "sample_median",
        },
        index=[f"p{i}" for i in range(n)],
    )


def _caption(fig) -> str:
    (caption,) = [t for t in fig.texts if t.get_gid() == "caption"]
    return caption.get_text().replace("\n", " ")


def _shares_shown(fig) -> dict[int, int]:
    ax = fig.axes[0]
    shown = {int(t.get_gid()[-1]): t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("share_")}
    return {s: int(re.sub(r"\D", "", text)) for s, text in shown.items()}


@pytest.mark.parametrize(
    "suffix, magic", [(".png", b"\x89PNG"), (".svg", b"<?xml"), (".pdf", b"%PDF"), (".SVG", b"<?xml")]
)
def test_save_chart_writes_the_format_of_the_extension(tmp_path, thesis, suffix, magic):
    path = tmp_path / f"chart{suffix}"
    assert save_chart(dynamic_model_chart(thesis), path) is None
    data = path.read_bytes()
    assert len(data) > 1000
    assert data.startswith(magic)


def test_unknown_extension_is_refused_and_nothing_is_written(tmp_path, thesis):
    path = tmp_path / "chart.jpg"
    with pytest.raises(HomeofficeError) as err:
        save_chart(dynamic_model_chart(thesis), path)
    assert err.value.code == "unknown_format"
    assert ".jpg" in str(err.value)
    assert not path.exists()


@pytest.mark.parametrize("lang, other", [("nb", "en"), ("en", "nb")])
def test_svg_holds_the_labels_of_the_chosen_language(tmp_path, thesis, lang, other):
    path = tmp_path / "chart.svg"
    save_chart(dynamic_model_chart(thesis, lang=lang), path)
    svg = path.read_text(encoding="utf-8")
    assert TEXT[lang]["x_label"] in svg
    assert TEXT[lang]["name_4"] in svg
    assert TEXT[other]["x_label"] not in svg


def test_default_language_is_norwegian(tmp_path, thesis):
    path = tmp_path / "chart.svg"
    save_chart(dynamic_model_chart(thesis), path)
    assert "Psykososialt arbeidsmiljø (PWE-indeks)" in path.read_text(encoding="utf-8")


def test_quadrants_are_split_at_the_cuts_of_the_table(thesis):
    table = thesis.assign(cut_pwe=62.5, cut_productivity=37.5)
    ax = dynamic_model_chart(table).axes[0]
    lines = {line.get_gid(): line for line in ax.lines if line.get_gid()}
    assert set(np.asarray(lines["cut_pwe"].get_xdata(), dtype=float)) == {62.5}
    assert set(np.asarray(lines["cut_productivity"].get_ydata(), dtype=float)) == {37.5}
    # The quadrant tints meet at the cuts too: situation 1 ends where situation 2 starts.
    tints = sorted((p.get_x(), p.get_y(), p.get_width()) for p in ax.patches if hasattr(p, "get_width"))
    assert {round(x + w, 6) for x, _, w in tints if x < 0} == {62.5}


def test_caption_names_policy_cuts_and_that_the_index_is_not_validated():
    fig = dynamic_model_chart(_group(40, seed=1, cut_x=57.5, cut_y=70.0), lang="en")
    caption = _caption(fig)
    assert "sample median" in caption
    assert "PWE index 57.5" in caption
    assert "productivity index 70" in caption
    assert "not a validated scale" in caption


def test_thesis_case_draws_each_informant_with_its_id_and_situation(thesis):
    ax = dynamic_model_chart(thesis, lang="en").axes[0]
    points = {c.get_gid(): c.get_offsets() for c in ax.collections if (c.get_gid() or "").startswith("points_")}
    assert {gid: len(xy) for gid, xy in points.items()} == {"points_1": 1, "points_3": 4, "points_4": 3}
    assert sorted(t.get_text() for t in ax.texts if t.get_gid() == "point_label") == list("12345678")
    # Informant 4 (poor facilities, imposed home office) sits at PWE 50, productivity 37.5.
    assert points["points_1"].tolist() == [[50.0, 37.5]]
    assert not _shares_shown(ax.figure)


def test_ids_are_left_out_above_thirty_people():
    ax = dynamic_model_chart(_group(31, seed=2), group=False).axes[0]
    assert not [t for t in ax.texts if t.get_gid() == "point_label"]
    assert sum(len(c.get_offsets()) for c in ax.collections if (c.get_gid() or "").startswith("points_")) == 31


def test_people_with_the_same_values_share_one_larger_marker(thesis):
    table = pd.concat([thesis, thesis.loc[["8"]].rename(index={"8": "9"})])
    ax = dynamic_model_chart(table, lang="en").axes[0]
    (green,) = [c for c in ax.collections if c.get_gid() == "points_4"]
    assert len(green.get_offsets()) == 3
    assert max(green.get_sizes()) == 2 * min(green.get_sizes())
    assert "8, 9" in [t.get_text() for t in ax.texts]
    assert "Larger marker" in _caption(ax.figure)


def test_same_spot_different_situation_is_moved_apart_and_said(thesis):
    table = thesis.copy()
    table.loc["7", "situation"] = 3  # e.g. high strain: PWE level low although the index is high
    table.loc["5", ["pwe_index", "productivity_index"]] = table.loc["7", ["pwe_index", "productivity_index"]]
    fig = dynamic_model_chart(table, lang="en")
    offsets = np.vstack([c.get_offsets() for c in fig.axes[0].collections if c.get_gid()])
    assert len(np.unique(offsets.round(6), axis=0)) == 8
    caption = _caption(fig)
    assert "each moved 2.5 points aside" in caption
    assert "1 point lies on the other side of a cut line" in caption


def test_group_mode_shows_shares_that_add_up_to_100():
    table = _group(5000, seed=3)
    fig = dynamic_model_chart(table, group=True)
    shown = _shares_shown(fig)
    assert sum(shown.values()) == 100
    expected = table["situation"].value_counts(normalize=True) * 100
    for s in (1, 2, 3, 4):
        assert shown[s] == pytest.approx(expected[s], abs=1)
    assert [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "n"] == ["n = 5\u00a0000"]
    assert any(c.get_gid() == "density" for c in fig.axes[0].collections)


@pytest.mark.parametrize("rows, group_mode", [(GROUP_AUTO_ROWS, False), (GROUP_AUTO_ROWS + 1, True)])
def test_group_mode_is_automatic_above_200_rows(rows, group_mode):
    fig = dynamic_model_chart(_group(rows, seed=4))
    assert bool(_shares_shown(fig)) is group_mode


def test_group_can_be_forced_off_for_a_large_table():
    fig = dynamic_model_chart(_group(300, seed=5), group=False)
    assert not _shares_shown(fig)


@pytest.mark.parametrize(
    "lang, missing, phrase",
    [
        ("en", 2, "2 rows are left out"),
        ("en", 1, "1 row is left out"),
        ("nb", 3, "3 rader er utelatt"),
    ],
)
def test_rows_with_missing_indexes_are_left_out_and_counted(thesis, lang, missing, phrase):
    table = thesis.copy()
    table.iloc[:missing, table.columns.get_loc("productivity_index")] = np.nan
    fig = dynamic_model_chart(table, lang=lang)
    assert phrase in _caption(fig)
    drawn = sum(len(c.get_offsets()) for c in fig.axes[0].collections if c.get_gid())
    assert drawn == 8 - missing


def test_missing_rows_are_counted_in_group_mode_too():
    table = _group(500, seed=6)
    table.loc[table.index[:7], "pwe_index"] = np.nan
    fig = dynamic_model_chart(table, lang="en")
    assert "7 rows are left out" in _caption(fig)
    assert "n = 493" in _caption(fig)


def test_distribution_chart_bars_are_the_shares_per_situation(thesis):
    fig = situation_distribution_chart(thesis, lang="en")
    heights = [bar.get_height() for bar in fig.axes[0].patches]
    # 1 of 8, 0, 4 of 8, 3 of 8 -> 12.5, 0, 50, 37.5; the tie in remainders goes to situation 1.
    assert heights == [13, 0, 50, 37]
    assert "n = 8" in _caption(fig)


def test_same_table_gives_the_same_svg(tmp_path, thesis):
    first, second = tmp_path / "a.svg", tmp_path / "b.svg"
    save_chart(dynamic_model_chart(thesis), first)
    save_chart(dynamic_model_chart(thesis), second)
    assert first.read_bytes() == second.read_bytes()


def test_save_chart_closes_a_pyplot_figure(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure()
    save_chart(fig, tmp_path / "plain.png")
    assert fig.number not in plt.get_fignums()


@pytest.mark.parametrize(
    "change, error, code",
    [
        (lambda t: t.drop(columns="cut_policy"), HomeofficeError, "missing_columns"),
        (lambda t: t.assign(cut_pwe=[50.0] * 7 + [60.0]), PolicyError, "mixed_cuts"),
        (lambda t: t.assign(cut_productivity=np.nan), PolicyError, "missing_cut"),
        (lambda t: t.assign(cut_pwe=150.0), PolicyError, "cut_out_of_range"),
        (lambda t: t.assign(situation=[3, 3, 3, 1, 5, 3, 4, 4]), HomeofficeError, "bad_situation"),
        (lambda t: t.assign(pwe_index=t["pwe_index"] * 2), HomeofficeError, "index_out_of_range"),
    ],
)
def test_bad_tables_raise_with_a_code(thesis, change, error, code):
    for chart in (dynamic_model_chart, compact_model_chart, situation_distribution_chart):
        with pytest.raises(error) as err:
            chart(change(thesis), lang="en")
        assert err.value.code == code


def test_unknown_language_is_refused(thesis):
    with pytest.raises(HomeofficeError) as err:
        dynamic_model_chart(thesis, lang="de")
    assert err.value.code == "unknown_language"


def test_both_languages_have_the_same_texts():
    assert TEXT["nb"].keys() == TEXT["en"].keys()


# --- the compact chart (phones) ------------------------------------------------------------------


def _texts(fig) -> list:
    return [t for t in fig.texts + fig.axes[0].texts if t.get_text().strip()]


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_compact_chart_names_and_numbers_the_situations_and_labels_the_points(thesis, lang):
    fig = compact_model_chart(thesis, lang=lang)
    gids = {t.get_gid(): t.get_text().replace("\n", " ") for t in _texts(fig)}
    for s in (1, 2, 3, 4):
        assert gids[f"badge_{s}"] == str(s) and gids[f"name_{s}"] == TEXT[lang][f"name_{s}"]
    assert {t.get_text() for t in fig.axes[0].texts if t.get_gid() == "point_label"} == set(thesis.index)
    shown = " ".join(" ".join(t.get_text().split()) for t in _texts(fig))
    assert not any(TEXT[lang][f"advice_{s}"] in shown for s in (1, 2, 3, 4))  # the full chart has them
    assert "caption" not in gids  # the page around it says the rest in words
    arrows = {p.get_gid() for p in fig.axes[0].patches if (p.get_gid() or "").startswith("arrow_")}
    assert arrows == {"arrow_1_to_4", "arrow_2_to_4", "arrow_3_to_4"}


def test_compact_chart_text_stays_legible_on_a_360_px_phone(thesis):
    fig = compact_model_chart(thesis, lang="en", title="Your place in the dynamic model")
    width_in, _ = fig.get_size_inches()
    px_per_pt = 328 / (width_in * 72)  # 360 px minus the page's margins, the chart scaled to fit
    smallest = min(t.get_fontsize() for t in _texts(fig))
    ticks = min(label.get_fontsize() for label in fig.axes[0].get_xticklabels())
    assert width_in == 4.0 and min(smallest, ticks) * px_per_pt >= 10  # full chart: about 5-7 px


def test_compact_chart_follows_the_cuts_and_keeps_a_label_near_the_right_edge_inside(thesis):
    table = thesis.assign(cut_pwe=85.0, cut_productivity=15.0).rename(index={"1": "You"})
    table.loc["You", ["pwe_index", "productivity_index", "situation"]] = [99.0, 2.0, 2]
    fig = compact_model_chart(table, lang="en")
    ax = fig.axes[0]
    (cut_x,) = {line.get_xdata()[0] for line in ax.lines if line.get_gid() == "cut_pwe"}
    (cut_y,) = {line.get_ydata()[0] for line in ax.lines if line.get_gid() == "cut_productivity"}
    assert (cut_x, cut_y) == (85.0, 15.0)
    fig.canvas.draw()
    right_edge = fig.bbox.x1
    label = next(t for t in ax.texts if t.get_gid() == "point_label" and t.get_text() == "You")
    assert label.get_window_extent().x1 <= right_edge
