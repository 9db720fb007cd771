"""Cut policies, tie rules, job situation, indexes and the dynamic model (model.md section 4)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from homeoffice.classification import (
    classify,
    custom_policy,
    default_policy,
    fixed_policy,
    negative_acts_frequent,
    reference_policy,
    sample_median_policy,
)
from homeoffice.errors import PolicyError
from tests.conftest import build_instrument

PROFILE = {
    "name": "test",
    "demands": "demands",
    "control": "control",
    "support": "support",
    "pwe": ["control", "support", "insecurity"],
    "productivity": ["productivity"],
    "negative_acts": {"scale": "negative", "frequent_at": 4},
}
INS = build_instrument(
    {"demands": 1, "control": 1, "support": 1, "insecurity": 1, "negative": 2, "productivity": 1},
    scoring=PROFILE,
    directions={"demands": "neutral", "insecurity": "risk", "negative": "risk"},
)


def scores(rows: list[dict]) -> pd.DataFrame:
    base = {
        "demands": 50.0,
        "control": 50.0,
        "support": 50.0,
        "insecurity": 50.0,
        "negative": 0.0,
        "productivity": 50.0,
    }
    return pd.DataFrame([{**base, **r} for r in rows], index=[str(i + 1) for i in range(len(rows))])


@pytest.mark.parametrize(
    ("demands", "control", "expected"),
    [(75, 75, "active"), (75, 25, "high_strain"), (25, 75, "low_strain"), (25, 25, "passive")],
)
def test_job_situation_quadrants(demands, control, expected):
    out = classify(scores([{"demands": demands, "control": control}]), INS, fixed_policy())
    assert out["job_situation"].iloc[0] == expected


def test_fixed_cut_tie_is_not_high():
    out = classify(scores([{"demands": 50, "control": 50}, {"demands": 50.5, "control": 50.5}]), INS, fixed_policy())
    assert list(out["job_situation"]) == ["passive", "active"]


def test_fixed_cut_value_can_be_moved():
    out = classify(scores([{"demands": 60, "control": 60}]), INS, fixed_policy(60))
    assert out["job_situation"].iloc[0] == "passive"
    assert out["cut_demands"].iloc[0] == 60


def test_sample_median_ties_are_not_high_demands_and_not_low_control():
    rows = [{"demands": d, "control": c, "support": c} for d, c in [(10, 10), (50, 50), (90, 90)]]
    out = classify(scores(rows), INS, sample_median_policy())
    # the middle person sits exactly on both medians: not high demands, not low control
    assert out["job_situation"].iloc[1] == "low_strain"
    assert out["cut_demands"].iloc[0] == 50 and out["cut_control"].iloc[0] == 50
    assert list(out["job_situation"]) == ["passive", "low_strain", "active"]


def test_sample_median_indexes_high_only_above_median():
    rows = [{"control": v, "support": v, "insecurity": 100 - v, "productivity": v} for v in (20, 60, 80)]
    out = classify(scores(rows), INS, sample_median_policy())
    assert list(out["pwe_level"]) == ["low", "low", "high"]
    assert list(out["productivity_level"]) == ["low", "low", "high"]
    assert out["cut_pwe"].iloc[0] == pytest.approx(60)


def test_sample_median_support_tie_is_not_low_for_iso_strain():
    rows = [{"demands": 90, "control": 10, "support": s} for s in (10, 50, 90)]
    out = classify(scores(rows), INS, sample_median_policy())
    # demands all equal to the median -> not high: no iso-strain anywhere
    assert not out["iso_strain"].any()
    rows = [{"demands": d, "control": c, "support": s} for d, c, s in [(10, 90, 10), (95, 10, 50), (50, 50, 90)]]
    out = classify(scores(rows), INS, sample_median_policy())
    assert out["job_situation"].iloc[1] == "high_strain"
    assert not out["iso_strain"].iloc[1]  # support on the median is not low
    rows[1]["support"] = 5
    out = classify(scores([*rows, {"demands": 0, "control": 0, "support": 60}]), INS, sample_median_policy())
    assert out["job_situation"].iloc[1] == "high_strain" and out["iso_strain"].iloc[1]


def test_iso_strain_is_high_strain_with_low_support():
    out = classify(
        scores(
            [
                {"demands": 80, "control": 20, "support": 20},
                {"demands": 80, "control": 20, "support": 80},
                {"demands": 20, "control": 20, "support": 20},
            ]
        ),
        INS,
        fixed_policy(),
    )
    assert list(out["iso_strain"]) == [True, False, False]


def test_pwe_index_reverses_risk_scales_and_leaves_out_demands():
    out = classify(scores([{"demands": 100, "control": 80, "support": 60, "insecurity": 10}]), INS, fixed_policy())
    assert out["pwe_index"].iloc[0] == pytest.approx((80 + 60 + 90) / 3)


def test_high_strain_blocks_high_pwe_level():
    row = {"control": 45, "support": 100, "insecurity": 0, "demands": 90}
    out = classify(scores([row]), INS, fixed_policy())
    assert out["pwe_index"].iloc[0] > 50
    assert out["job_situation"].iloc[0] == "high_strain"
    assert out["pwe_level"].iloc[0] == "low"


def test_frequent_negative_acts_block_high_pwe_level():
    codes = np.array([[3, 3, 3, 3, 1, 4, 3], [3, 3, 3, 3, 1, 3, 3], [3, 3, 3, 3, np.nan, np.nan, 3]], dtype=float)
    exposure = negative_acts_frequent(codes, INS)
    assert exposure[0] == 1.0 and exposure[1] == 0.0 and np.isnan(exposure[2])
    good = {"control": 90, "support": 90, "insecurity": 10, "productivity": 90}
    out = classify(scores([good, good, good]), INS, fixed_policy(), exposure=exposure)
    assert list(out["pwe_level"]) == ["low", "high", "high"]
    assert list(out["situation"]) == [3, 4, 4]
    assert out["negative_acts_frequent"].isna().iloc[2]


@pytest.mark.parametrize(("pwe", "prod", "situation"), [(20, 20, 1), (80, 20, 2), (20, 80, 3), (80, 80, 4)])
def test_dynamic_model_situations(pwe, prod, situation):
    row = {"control": pwe, "support": pwe, "insecurity": 100 - pwe, "productivity": prod, "demands": 20}
    out = classify(scores([row]), INS, fixed_policy())
    assert out["situation"].iloc[0] == situation


def test_distance_to_optimal_corner():
    row = {"control": 100, "support": 100, "insecurity": 0, "productivity": 100}
    out = classify(
        scores([row, {"control": 0, "support": 0, "insecurity": 100, "productivity": 0}]), INS, fixed_policy()
    )
    assert out["distance_to_optimal"].tolist() == [0.0, 100.0]


def test_missing_axis_gives_missing_situation():
    out = classify(scores([{"productivity": np.nan}]), INS, fixed_policy())
    assert pd.isna(out["situation"].iloc[0]) and out["productivity_level"].isna().iloc[0]


def test_provenance_travels_with_every_row():
    out = classify(scores([{}, {}]), INS, fixed_policy())
    assert set(out["instrument_id"]) == {"mini"} and set(out["cut_policy"]) == {"fixed"}
    for col in ("instrument_version", "scoring_profile", "cut_pwe", "cut_productivity", "homeoffice_version"):
        assert col in out


def test_default_policy_depends_on_group_size():
    assert default_policy(19).name == "fixed"
    assert default_policy(20).name == "sample_median"


def test_custom_policy_needs_every_axis_or_a_default():
    with pytest.raises(PolicyError) as err:
        custom_policy({"pwe": 60})
    assert err.value.code == "missing_cut" and "demands" in str(err.value)
    pol = custom_policy({"pwe": 60}, default=50)
    assert pol.cuts["pwe"] == 60 and pol.cuts["control"] == 50
    with pytest.raises(PolicyError) as err:
        custom_policy({"stress": 60}, default=50)
    assert err.value.code == "unknown_axis"
    with pytest.raises(PolicyError) as err:
        custom_policy({"pwe": 160}, default=50)
    assert err.value.code == "bad_cut"


def test_custom_policy_classifies_against_its_cuts():
    pol = custom_policy({"demands": 50, "control": 50, "support": 50, "pwe": 70, "productivity": 70})
    row = {"control": 60, "support": 60, "insecurity": 40, "productivity": 65}
    out = classify(scores([row]), INS, pol)
    assert out["situation"].iloc[0] == 1 and out["cut_policy"].iloc[0] == "custom"


def test_reference_policy_reads_norm_table_with_source(tmp_path):
    path = tmp_path / "norms.yaml"
    path.write_text(
        "source: Test norm sample 2024\ncuts: {demands: 55, control: 60, support: 65, pwe: 62, productivity: 75}\n",
        encoding="utf-8",
    )
    pol = reference_policy(path)
    assert pol.name == "reference" and pol.source == "Test norm sample 2024" and pol.cuts["productivity"] == 75
    out = classify(scores([{"productivity": 74, "control": 90, "support": 90, "insecurity": 0}]), INS, pol)
    assert out["productivity_level"].iloc[0] == "low" and out["cut_source"].iloc[0] == "Test norm sample 2024"


def test_reference_policy_requires_a_source(tmp_path):
    path = tmp_path / "norms.yaml"
    path.write_text("cuts: {demands: 55, control: 60, support: 65, pwe: 62, productivity: 75}\n")
    with pytest.raises(PolicyError) as err:
        reference_policy(path)
    assert err.value.code == "missing_source" and "norms.yaml" in str(err.value)
