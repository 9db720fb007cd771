"""Group analyses for the dashboards: the numbers a user reads, checked by hand on table 4.2."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from homeoffice.analysis.groups import (
    UNCLASSIFIED,
    compare_waves,
    group_summary,
    heat_map,
    measure_follow_up,
    trajectory,
)
from homeoffice.errors import HomeofficeError, PolicyError
from homeoffice.instruments import load_instrument
from homeoffice.pipeline import score_table
from homeoffice.samples.synthetic import synthetic_answers
from tests.analysis import helpers
from tests.analysis.helpers import results_fixture, table_4_2_fixture, thesis_fixture  # noqa: F401 (fixtures)

T_975_7 = 2.364624  # t quantile 0.975 with 7 degrees of freedom (statistical tables)


def test_situation_and_job_situation_shares_of_table_4_2(thesis, results):
    summary = group_summary(results, thesis)
    assert summary.n == 8
    # model.md section 4: informants 1, 2, 3, 6 in situation 3, 4 in situation 1, 5, 7, 8 in situation 4.
    sit = summary.situations
    assert sit["n"].to_dict() == {1: 1, 2: 0, 3: 4, 4: 3, UNCLASSIFIED: 0}
    assert sit["share"].tolist() == [0.125, 0.0, 0.5, 0.375, 0.0]
    assert sit.loc[3, "percent"] == 50.0
    # Demands all low (codes 1-2); control 2 (informant 3) and 3 (informant 6) are not above the cut 50.
    assert summary.job_situations["n"].to_dict() == {
        "active": 0,
        "high_strain": 0,
        "low_strain": 6,
        "passive": 2,
        UNCLASSIFIED: 0,
    }
    assert summary.provenance["cut_policy"] == "fixed" and summary.provenance["cut_pwe"] == 50.0
    assert summary.provenance["instrument_id"] == "thesis-2023"


def test_means_and_confidence_intervals_by_hand(thesis, results):
    dims = group_summary(results, thesis).dimensions
    # Increased control, codes 4 4 2 4 5 3 4 5 -> 75 75 25 75 100 50 75 100.
    control = dims.loc["increased_control"]
    sd = math.sqrt(4296.875 / 7)  # squared deviations from 71.875 add up to 4296.875
    assert control["n"] == 8 and control["mean"] == 71.875
    assert control["sd"] == pytest.approx(sd)
    assert control["ci_low"] == pytest.approx(71.875 - T_975_7 * sd / math.sqrt(8), abs=1e-4)
    assert control["ci_high"] == pytest.approx(71.875 + T_975_7 * sd / math.sqrt(8), abs=1e-4)
    assert (control["cut"], control["mean_side"], control["ci_side"]) == (50.0, "above", "above")
    # Increased support, 25 25 50 25 75 50 100 100: mean 56.25 above the cut, but the interval crosses it.
    support = dims.loc["increased_support"]
    assert support["mean"] == 56.25
    assert (support["mean_side"], support["ci_side"]) == ("above", "crosses")
    assert support["ci_low"] < 50 < support["ci_high"]
    # Negative experiences (a risk scale), 0 x 7 and 100: mean 12.5, SD sqrt(1250), wholly below.
    negative = dims.loc["negative_experiences"]
    assert negative["mean"] == 12.5 and negative["sd"] == pytest.approx(math.sqrt(1250))
    assert (negative["direction"], negative["ci_side"]) == ("risk", "below")
    # The indexes: PWE = mean(control, support) per person; productivity = mean(influence, positive influence).
    assert dims.loc["pwe_index", "mean"] == pytest.approx((71.875 + 56.25) / 2)
    assert dims.loc["pwe_index", "name_en"].startswith("PWE index")
    assert dims.loc["productivity_index", "name_nb"] == "Produktivitetsindeks"


def test_a_mean_on_the_cut_and_a_single_respondent(thesis, results):
    pair = results.loc[["3", "6"]]  # increased control 25 and 50 ... mean 37.5
    dims = group_summary(pair, thesis).dimensions
    assert dims.loc["increased_control", "mean"] == 37.5
    on_cut = group_summary(results.loc[["3", "4"]], thesis).dimensions  # support 50 and 25, control 25 and 75
    assert on_cut.loc["increased_control", "mean"] == 50.0
    assert on_cut.loc["increased_control", "mean_side"] == "at"
    assert on_cut.loc["increased_control", "ci_side"] == "crosses"
    one = group_summary(results.loc[["5"]], thesis).dimensions
    assert one.loc["increased_control", "mean"] == 100.0 and one.loc["increased_control", "mean_side"] == "above"
    assert math.isnan(one.loc["increased_control", "sd"]) and one.loc["increased_control", "ci_side"] is None


def test_axis_cuts_come_from_the_result_table_and_other_scales_use_the_midpoint(thesis, table_4_2):
    values = table_4_2[[s.id for s in thesis.spec.scales]].to_numpy(dtype=float)
    index = pd.Index(table_4_2["informant"].astype(str))
    from homeoffice.classification import custom_policy

    policy = custom_policy({"control": 80, "pwe": 70}, default=40)
    res = score_table(None, thesis, index=index, scale_values=values, policy=policy)
    dims = group_summary(res, thesis).dimensions
    assert dims.loc["increased_control", "cut"] == 80.0 and dims.loc["increased_control", "ci_side"] == "crosses"
    assert dims.loc["pwe_index", "cut"] == 70.0
    assert dims.loc["increased_demands", "cut"] == 40.0  # the demands axis
    assert dims.loc["positivity", "cut"] == 50.0  # not an axis: the scale midpoint


def test_heat_map_means_and_counts_per_group(thesis, results):
    with_units = results.assign(unit=["A", "A", "A", "A", "B", "B", "B", None])
    heat = heat_map(with_units, "unit", thesis)
    assert list(heat.means.index) == ["A", "B"] and heat.without_group == 1
    assert heat.group_n.to_dict() == {"A": 4, "B": 3}
    # Increased control A: 75 75 25 75; B: 100 50 75 (informant 8 has no unit).
    assert heat.means.loc["A", "increased_control"] == 62.5
    assert heat.means.loc["B", "increased_control"] == 75.0
    assert heat.n.loc["B", "increased_control"] == 3
    assert list(heat.means.columns) == list(heat.dimensions.index)
    same = heat_map(results, pd.Series(["A"] * 4 + ["B"] * 3 + [np.nan], index=results.index), thesis)
    pd.testing.assert_frame_equal(same.means, heat.means)
    picked = heat_map(with_units, "unit", thesis, dimensions=["pwe_index", "increased_control"], order=["B", "A", "C"])
    assert list(picked.means.columns) == ["pwe_index", "increased_control"]
    assert list(picked.means.index) == ["B", "A", "C"] and picked.group_n.to_dict() == {"B": 3, "A": 4, "C": 0}
    assert math.isnan(picked.means.loc["C", "pwe_index"])


def test_heat_map_agrees_with_one_summary_per_group_on_synthetic_data():
    standard = load_instrument("standard")
    table = synthetic_answers(standard, 600, seed=11).to_pandas()
    codes = table[[i.id for i in standard.scored_items]].to_numpy(dtype=float)
    res = score_table(codes, standard, index=pd.Index(table["respondent_id"]))
    units = np.random.default_rng(3).integers(0, 7, len(res)).astype(str)
    heat = heat_map(res, list(units), standard)
    for unit in ["0", "3", "6"]:
        dims = group_summary(res[units == unit], standard).dimensions
        np.testing.assert_allclose(heat.means.loc[unit].to_numpy(float), dims["mean"].to_numpy(float), rtol=1e-12)
        assert heat.n.loc[unit].tolist() == dims["n"].tolist()


def test_change_per_dimension_with_welch_interval(thesis, table_4_2, results):
    after = helpers.next_wave(thesis, table_4_2)
    comparison = compare_waves(results, after, thesis)
    row = comparison.dimensions.loc["increased_support"]
    before_values = np.array([25, 25, 50, 25, 75, 50, 100, 100], dtype=float)
    after_values = before_values + np.array([25, 25, 25, 0, 0, 0, 0, 0])
    assert row["mean_previous"] == 56.25 and row["mean_current"] == 65.625 and row["change"] == 9.375
    reference = stats.ttest_ind(after_values, before_values, equal_var=False).confidence_interval(0.95)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((reference.low, reference.high))
    assert (row["change_side"], row["reading"]) == ("unclear", "unclear")  # the interval holds 0
    unchanged = comparison.dimensions.loc["familiarity"]
    assert unchanged["change"] == 0.0 and unchanged["ci_low"] < 0 < unchanged["ci_high"]
    sit = comparison.situations
    # Informant 4 moves from 1 to 3 (productivity 100, PWE 50 is not above the cut); informants 1 and 2
    # (PWE 62.5) move from 3 to 4; informant 3 (control 25, support 75: PWE 50) stays in 3.
    assert sit["n_previous"].tolist() == [1, 0, 4, 3, 0] and sit["n_current"].tolist() == [0, 0, 3, 5, 0]
    assert sit.loc[1, "change_points"] == pytest.approx(-12.5) and sit.loc[4, "change"] == pytest.approx(0.25)
    assert comparison.transitions is None and not comparison.cuts_differ
    with pytest.raises(HomeofficeError) as info:
        comparison.trajectory("4")
    assert info.value.code == "no_key"


def test_a_clear_change_reads_better_or_worse_by_direction(thesis, results):
    rng = np.random.default_rng(1)
    before = pd.concat([results] * 5, ignore_index=True)
    after = before.copy()
    after["increased_control"] = np.clip(after["increased_control"] + 20 + rng.normal(0, 1, len(after)), 0, 100)
    after["negative_experiences"] = np.clip(after["negative_experiences"] + 30, 0, 100)
    after["increased_demands"] = after["increased_demands"] + 20 + rng.normal(0, 1, len(after))
    dims = compare_waves(before, after, thesis).dimensions
    assert (dims.loc["increased_control", "change_side"], dims.loc["increased_control", "reading"]) == ("up", "better")
    assert (dims.loc["negative_experiences", "change_side"], dims.loc["negative_experiences", "reading"]) == (
        "up",
        "worse",
    )
    assert (dims.loc["increased_demands", "change_side"], dims.loc["increased_demands", "reading"]) == ("up", "neutral")
    assert dims.loc["familiarity", "reading"] == "unclear"


def test_transitions_between_situations_are_counted_per_person(thesis, results):
    before = results.assign(key=[f"k{i}" for i in range(1, 9)])
    after = results.copy()
    # Wave 2 by hand: k1 3->4, k2 3->3, k3 3->1, k4 1->3, k5 4->4, k6 3->unclassified, k7 left, k8 4->2,
    # and a newcomer k9 (situation 4), listed in another order.
    after["situation"] = pd.array([4, 3, 1, 3, 4, pd.NA, 2, 4], dtype="Int8")
    after["key"] = ["k1", "k2", "k3", "k4", "k5", "k6", "k8", "k9"]
    after = after.iloc[::-1]
    comparison = compare_waves(before, after, thesis, key="key")
    t = comparison.transitions
    assert int(t.to_numpy().sum()) == 7 == comparison.matched
    assert (comparison.only_previous, comparison.only_current) == (1, 1)
    expected = {(3, 4): 1, (3, 3): 1, (3, 1): 1, (1, 3): 1, (4, 4): 1, (3, UNCLASSIFIED): 1, (4, 2): 1}
    for (a, b), count in expected.items():
        assert t.loc[a, b] == count, (a, b)
    assert t.loc[4, 4] == 1  # the newcomer k9 is not counted
    assert t.index.name == "before" and t.columns.name == "after"


def test_a_persons_own_trajectory(thesis, table_4_2, results):
    before = results.assign(key=[f"k{i}" for i in range(1, 9)])
    after = helpers.next_wave(thesis, table_4_2).assign(key=[f"k{i}" for i in range(1, 9)])
    comparison = compare_waves(before, after, thesis, key="key")
    mine = comparison.trajectory("k4")
    assert list(mine.index) == ["previous", "current"]
    assert mine["situation"].tolist() == [1, 3]
    assert mine["productivity_index"].tolist() == [pytest.approx(37.5), 100.0]  # (3, 2) then (5, 5)
    only_once = compare_waves(before, after[after["key"] != "k2"], thesis, key="key").trajectory("k2")
    assert list(only_once.index) == ["previous"]
    with pytest.raises(HomeofficeError) as info:
        comparison.trajectory("nobody")
    assert info.value.code == "unknown_respondent" and "nobody" not in str(info.value)
    three = trajectory({"2023": before, "2024": after, "2025": after}, "k1", thesis, key="key")
    assert list(three.index) == ["2023", "2024", "2025"]


def test_respondent_keys_must_be_there_and_unique(thesis, results):
    keyed = results.assign(key=[f"k{i}" for i in range(1, 9)])
    with pytest.raises(HomeofficeError) as info:
        compare_waves(keyed, results, thesis, key="key")
    assert info.value.code == "missing_columns"
    assert info.value.describe("nb") == "kolonne 'key': denne runden har ingen kolonne 'key' med respondentnøkkel"
    twice = keyed.assign(key=["k1"] * 8)
    with pytest.raises(HomeofficeError) as info:
        compare_waves(twice, keyed, thesis, key="key")
    assert info.value.code == "duplicate_key" and "forrige runde" in info.value.describe("nb")
    blank = keyed.assign(key=[None] * 4 + ["k5", "k6", "k7", "k8"])  # empty keys are not matched
    assert compare_waves(blank, keyed, thesis, key="key").matched == 4


def test_measure_follow_up_lists_the_targeted_dimensions_and_their_change(thesis, table_4_2, results):
    comparison = compare_waves(results, helpers.next_wave(thesis, table_4_2), thesis)
    follow = measure_follow_up(["hybrid_arrangement", "training_and_support"], comparison)
    hybrid = follow[follow["measure_id"] == "hybrid_arrangement"]
    measured = hybrid[hybrid["measured"]]
    assert measured["dimension"].tolist() == ["increased_support", "increased_control", "pwe_index"]
    assert set(hybrid.loc[~hybrid["measured"], "target"]) == {
        "isolation",
        "positive_relations",
        "contact_threshold",
        "social_environment",
    }
    support = measured.set_index("dimension").loc["increased_support"]
    assert support["change"] == 9.375 and support["title_en"].startswith("Hybrid")
    training = follow[follow["measure_id"] == "training_and_support"].set_index("dimension")
    # "productivity" resolves to the thesis instrument's two productivity scales; the measure serves both axes.
    assert {"influence", "positive_influence", "pwe_index", "productivity_index"} <= set(training.index)
    assert training.loc["productivity_index", "change"] == pytest.approx(comparison.dimensions.loc[
        "productivity_index", "change"])  # fmt: skip
    with pytest.raises(HomeofficeError) as info:
        measure_follow_up(["no_such_measure"], comparison)
    assert info.value.code == "unknown_measure"


def test_bad_input_gives_clear_errors_in_both_languages(thesis, results):
    with pytest.raises(HomeofficeError) as info:
        group_summary(results.drop(columns=["increased_support", "situation"]), thesis)
    assert info.value.code == "missing_columns"
    assert "increased_support, situation" in info.value.describe("en")
    assert info.value.describe("nb").startswith("resultattabellen mangler kolonne(ne)")
    with pytest.raises(HomeofficeError) as info:
        group_summary(results, load_instrument("standard"))
    assert info.value.code == "missing_columns"
    with pytest.raises(HomeofficeError) as info:
        group_summary(results.assign(instrument_id="other"), thesis)
    assert info.value.code == "instrument_mismatch"
    mixed = results.copy()
    mixed["cut_pwe"] = [50.0] * 7 + [60.0]
    with pytest.raises(PolicyError) as info:
        group_summary(mixed, thesis)
    assert info.value.code == "mixed_cuts" and "cut_pwe" in info.value.describe("nb")
    with pytest.raises(HomeofficeError) as info:
        group_summary(results.iloc[:0], thesis)
    assert info.value.code == "empty_group"
    with pytest.raises(HomeofficeError) as info:
        group_summary(results, thesis, confidence=95)
    assert info.value.code == "bad_confidence"
    with pytest.raises(HomeofficeError) as info:
        heat_map(results, "unit", thesis)
    assert info.value.code == "missing_columns" and info.value.where.column == "unit"
    with pytest.raises(HomeofficeError) as info:
        heat_map(results, ["A", "B"], thesis)
    assert info.value.code == "bad_groups"
    with pytest.raises(HomeofficeError) as info:
        heat_map(results, ["A"] * 8, thesis, dimensions=["nope"])
    assert info.value.code == "unknown_dimension"
