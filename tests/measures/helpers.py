"""Helpers for the measure tests: a standard-like instrument and result rows built by hand."""

from __future__ import annotations

import math

import pandas as pd

from homeoffice.instruments import Instrument

# The standard instrument's scales (context.md): id -> (domain, direction).
STANDARD_SCALES = {
    "workload": ("demands", "neutral"),
    "work_pace": ("demands", "neutral"),
    "working_hours": ("working_hours", "risk"),
    "skill_discretion": ("control", "resource"),
    "decision_authority": ("control", "resource"),
    "socioemotional_support": ("support", "resource"),
    "instrumental_support": ("support", "resource"),
    "positive_relations": ("positive_relations", "resource"),
    "negative_relations": ("negative_relations", "risk"),
    "job_insecurity": ("job_insecurity", "risk"),
    "development": ("development", "resource"),
    "isolation": ("isolation", "risk"),
    "contact_threshold": ("contact_threshold", "risk"),
    "work_life_boundary": ("work_life_boundary", "risk"),
    "physical_environment": ("physical_environment", "resource"),
    "virtual_environment": ("virtual_environment", "resource"),
    "social_environment": ("social_environment", "resource"),
    "work_practices": ("work_practices", "resource"),
    "wellbeing": ("wellbeing", "resource"),
    "flexibility": ("flexibility", "resource"),
    "peace_quiet": ("peace_quiet", "resource"),
    "perceived_productivity": ("productivity", "resource"),
}
STANDARD_CONTEXT = {
    "ctx_days_home": (0, 5),
    "ctx_arrangement": (1, 2),
    "ctx_voluntary": (1, 3),
    "ctx_role": (1, 5),
    "ctx_room": (1, 3),
    "ctx_commute": (1, 4),
    "ctx_household": (1, 4),
    "ctx_sector": (1, 3),
}
ROLE_LABELS = {1: "Leader", 2: "Adviser with much contact", 3: "Customer-facing", 4: "Concentration work", 5: "Other"}


def _text(s: str) -> dict:
    return {"nb": f"{s} (nb)", "en": s}


def standard_like_dict() -> dict:
    """A small in-memory instrument with the standard ids (one item per scale)."""
    response_sets = {"agree5": {"min": 1, "max": 5}}
    for item, (low, high) in STANDARD_CONTEXT.items():
        labels = {k: _text(ROLE_LABELS[k]) for k in range(low, high + 1)} if item == "ctx_role" else {}
        response_sets[item] = {"min": low, "max": high, "labels": labels}
    scales = [
        {"id": s, "name": _text(s.replace("_", " ").capitalize()), "direction": d, "domain": dom}
        for s, (dom, d) in STANDARD_SCALES.items()
    ]
    items = [{"id": item, "text": _text(f"Question about {item}?"), "response_set": item} for item in STANDARD_CONTEXT]
    items += [
        {"id": f"{s}_1", "text": _text(f"Item on {s}"), "response_set": "agree5", "scale": s} for s in STANDARD_SCALES
    ]
    composites = [
        {"id": "demands", "name": _text("Demands"), "of": ["workload", "work_pace"], "direction": "neutral",
         "domain": "demands"},
        {"id": "control", "name": _text("Control"), "of": ["skill_discretion", "decision_authority"],
         "direction": "resource", "domain": "control"},
        {"id": "support", "name": _text("Support"), "of": ["socioemotional_support", "instrumental_support"],
         "direction": "resource", "domain": "support"},
    ]  # fmt: skip
    return {
        "id": "standard-like",
        "version": "0",
        "title": _text("Standard-like test instrument"),
        "description": _text("Test instrument with the standard ids"),
        "source": "tests",
        "response_sets": response_sets,
        "scales": scales,
        "composites": composites,
        "items": items,
        "scoring": {
            "name": "test",
            "demands": "demands",
            "control": "control",
            "support": "support",
            "pwe": ["control", "support", "positive_relations", "job_insecurity", "isolation"],
            "productivity": ["perceived_productivity"],
            "negative_acts": {"scale": "negative_relations", "frequent_at": 4},
        },
    }


def make_row(
    instrument: Instrument,
    scores: dict[str, float] | None = None,
    context: dict[str, float] | None = None,
    *,
    situation: int | None = 3,
    job_situation: str | None = "active",
    iso_strain: bool | None = False,
    negative_acts_frequent: bool | None = False,
) -> pd.Series:
    """A result row: every scale "fine" (resource 75, risk 25, neutral 50) unless given in ``scores``;
    composites are the mean of their parts unless given; context items blank unless given."""
    scores = dict(scores or {})
    row: dict[str, object] = {}
    for s in instrument.spec.scales:
        default = {"resource": 75.0, "risk": 25.0, "neutral": 50.0}[s.direction]
        row[s.id] = float(scores.pop(s.id, default))
    for c in instrument.spec.composites:
        row[c.id] = float(scores.pop(c.id, sum(row[p] for p in c.of) / len(c.of)))  # type: ignore[misc]
    for item in instrument.context_items:
        row[item.id] = float((context or {}).get(item.id, math.nan))
    for key, value in (context or {}).items():
        row.setdefault(key, float(value))
    if scores:
        raise KeyError(f"unknown score ids for {instrument.id}: {sorted(scores)}")
    row["situation"] = situation if situation is not None else pd.NA
    row["job_situation"] = job_situation
    row["iso_strain"] = iso_strain
    row["negative_acts_frequent"] = negative_acts_frequent
    return pd.Series(row, name="r1")
