"""recommend_for_group gives every member exactly what recommend_for_respondent gives them.

The group path evaluates the rules column-wise; the reference below is the per-member loop the
group path replaced (one recommend_for_respondent call per row, then counted per measure).
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest

from homeoffice.instruments import Instrument, load_instrument
from homeoffice.measures import recommend_for_group, recommend_for_respondent
from homeoffice.measures.engine import _t, evidence_text
from homeoffice.measures.schema import DOMAINS
from homeoffice.pipeline import score_table
from homeoffice.samples.synthetic import synthetic_answers
from tests.measures.helpers import make_row


def scored(instrument: Instrument, n: int, seed: int, policy=None) -> pd.DataFrame:
    table = synthetic_answers(instrument, n, seed=seed).to_pandas()
    codes = table[[i.id for i in instrument.scored_items]].to_numpy(dtype=float)
    index = pd.Index(table["respondent_id"])
    context = table[[i.id for i in instrument.context_items]].astype(float).set_index(index)
    return score_table(codes, instrument, index=index, context=context, policy=policy)


def per_member(results: pd.DataFrame, instrument: Instrument, catalogue, lang: str, cut: float) -> pd.DataFrame:
    """The measures table built member by member (the former implementation)."""
    per: dict[str, list] = {}
    for _, row in results.iterrows():
        for rec in recommend_for_respondent(row, instrument, catalogue, lang=lang, cut=cut):
            per.setdefault(rec.measure_id, []).append(rec)
    rows = []
    for measure_id, recs in per.items():
        measure = catalogue[measure_id]
        order = list(dict.fromkeys([*measure.targets, *(d for r in measure.applies_when for d in r.weak)]))
        areas = Counter(d for r in recs for d in {w["domain"] for w in r.params["weak"]})
        ranked = sorted(areas.items(), key=lambda dk: (-dk[1], order.index(dk[0])))
        paired = sum(r.added_for is not None for r in recs)
        why = []
        if ranked:
            listed = ", ".join(_t("group_area", lang, domain=DOMAINS[d].get(lang), n=k) for d, k in ranked)
            why.append(_t("group_why", lang, areas=listed))
        if paired:
            why.append(_t("group_paired", lang, n=paired))
        rows.append(
            {
                "measure_id": measure_id,
                "title": measure.title.get(lang),
                "actor": measure.actor,
                "axis": measure.axis,
                "n": len(recs),
                "share": len(recs) / len(results),
                "n_paired": paired,
                "mean_tier": sum(r.tier for r in recs) / len(recs),
                "mean_priority": sum(r.priority for r in recs) / len(recs),
                "why": " ".join(why),
                "evidence": evidence_text(measure.evidence, lang),
                "_order": catalogue.index(measure_id),
            }
        )
    table = pd.DataFrame(rows).sort_values(
        ["n", "mean_tier", "mean_priority", "_order"], ascending=[False, False, False, True]
    )
    table.insert(0, "rank", range(1, len(table) + 1))
    return table.drop(columns="_order").set_index("measure_id")


@pytest.mark.parametrize(
    ("seed", "policy", "lang", "cut"),
    [(1, None, "en", 50.0), (2, "fixed", "nb", 50.0), (3, None, "en", 62.5)],
)
def test_group_measures_equal_the_per_member_loop_on_synthetic_data(catalogue, seed, policy, lang, cut):
    from homeoffice.classification import fixed_policy

    standard = load_instrument("standard")
    results = scored(standard, 400, seed, fixed_policy() if policy else None)
    expected = per_member(results, standard, catalogue, lang, cut)
    got = recommend_for_group(results, standard, catalogue, lang=lang, cut=cut)
    assert got.n == 400
    assert (got.measures["n_paired"] > 0).any()  # the pairing rule is exercised
    pd.testing.assert_frame_equal(got.measures, expected, check_exact=True)


def test_edge_rows_equal_the_per_member_loop(standard_like, thesis, catalogue):
    """Unknown situation, situation 4, missing flags and scores, composites only, context on the threshold."""
    rows = [
        make_row(standard_like, {"peace_quiet": 20}, {"ctx_days_home": 4}, situation=None),
        make_row(standard_like, {"socioemotional_support": 50, "isolation": 50}, situation=4),
        make_row(standard_like, {"skill_discretion": 30}, {"ctx_role": 2}, job_situation="high_strain"),
        make_row(standard_like, {}, {"ctx_voluntary": 3, "ctx_room": 3}, situation=1, iso_strain=None),
        make_row(standard_like, {"negative_relations": 60}, negative_acts_frequent=True, situation=2),
        make_row(standard_like, {"skill_discretion": np.nan, "decision_authority": np.nan, "control": 20}),
        make_row(standard_like, {"perceived_productivity": 40}, {"ctx_role": 4}, situation=2, job_situation=None),
    ]
    results = pd.DataFrame(rows, index=[f"r{i}" for i in range(len(rows))])
    for lang in ("nb", "en"):
        got = recommend_for_group(results, standard_like, catalogue, lang=lang)
        pd.testing.assert_frame_equal(got.measures, per_member(results, standard_like, catalogue, lang, 50.0))
    thesis_rows = [
        make_row(thesis, {"increased_support": 25, "increased_control": 30}, situation=1),
        make_row(thesis, {"positive_influence": 25, "negative_experiences": 75}, situation=1),
        make_row(thesis, {"influence": 25}, situation=2, job_situation="high_strain"),
    ]
    results = pd.DataFrame(thesis_rows, index=["a", "b", "c"])
    got = recommend_for_group(results, thesis, catalogue)
    pd.testing.assert_frame_equal(got.measures, per_member(results, thesis, catalogue, "en", 50.0))


def test_situation_table_counts_unknown_situations(standard_like, catalogue):
    rows = [make_row(standard_like, situation=s) for s in (1, 1, 4, None)]
    got = recommend_for_group(pd.DataFrame(rows, index=list("abcd")), standard_like, catalogue, lang="nb")
    assert list(got.situations["n"]) == [2, 0, 0, 1, 1]
    assert got.situations["label"].iloc[-1] == "ukjent"


def test_a_blank_context_answer_never_fires_not_equal_or_not_in(standard_like):
    from homeoffice.measures import catalogue_from_dict

    def measure(mid: str, condition: str) -> dict:
        text = {"nb": f"Tiltak {mid}", "en": f"Measure {mid}"}
        return {
            "id": mid, "title": text, "description": text, "targets": ["peace_quiet"], "actor": "employee",
            "axis": "productivity", "applies_when": [{"context": [condition]}], "evidence": "test",
        }  # fmt: skip

    cat = catalogue_from_dict(
        {
            "id": "t",
            "version": "1",
            "measures": [measure("not_one", "ctx_room != 1"), measure("out", "ctx_room not in [1]")],
        }
    )
    rows = [make_row(standard_like, {}, {"ctx_room": 2}), make_row(standard_like, {}, {}), make_row(standard_like)]
    results = pd.DataFrame(rows, index=["shared room", "blank", "blank too"])
    got = recommend_for_group(results, standard_like, cat)
    assert got.measures["n"].to_dict() == {"not_one": 1, "out": 1}
    pd.testing.assert_frame_equal(got.measures, per_member(results, standard_like, cat, "en", 50.0))
