"""Fixtures for the reader tests: the thesis instrument and a small one with na codes."""

from __future__ import annotations

import pytest

from homeoffice.instruments import Instrument, instrument_from_dict, load_instrument


@pytest.fixture
def thesis() -> Instrument:
    return load_instrument("thesis-2023")


def _t(nb: str, en: str) -> dict:
    return {"nb": nb, "en": en}


@pytest.fixture
def small() -> Instrument:
    """Two scales, a not-applicable code, a context item and an open question."""
    agree = {
        "min": 1,
        "max": 5,
        "labels": {
            1: _t("Helt uenig", "Strongly disagree"),
            2: _t("Litt uenig", "Somewhat disagree"),
            3: _t("Verken eller", "Neither"),
            4: _t("Litt enig", "Somewhat agree"),
            5: _t("Helt enig", "Strongly agree"),
        },
        "na_codes": {9: _t("Ikke relevant", "Not applicable")},
    }
    data = {
        "id": "small",
        "version": "1",
        "title": _t("Lite", "Small"),
        "description": _t("Testinstrument", "Test instrument"),
        "source": "tests",
        "response_sets": {"agree": agree, "days": {"min": 0, "max": 5}},
        "scales": [
            {"id": "support", "name": _t("Støtte", "Support"), "direction": "resource", "domain": "support"},
            {"id": "control", "name": _t("Kontroll", "Control"), "direction": "resource", "domain": "control"},
        ],
        "items": [
            {
                "id": "sup1",
                "scale": "support",
                "response_set": "agree",
                "text": _t("Får du hjelp?", "Do you get help?"),
            },
            {"id": "sup2", "scale": "support", "response_set": "agree", "text": _t("Blir du hørt?", "Are you heard?")},
            {"id": "con1", "scale": "control", "response_set": "agree", "text": _t("Bestemmer du?", "Do you decide?")},
            {"id": "ctx_days", "response_set": "days", "text": _t("Dager hjemme", "Days at home")},
        ],
        "open_questions": [{"id": "open_works_well", "text": _t("Hva fungerer?", "What works?")}],
        "scoring": {
            "name": "t",
            "demands": "control",
            "control": "control",
            "support": "support",
            "pwe": ["support"],
            "productivity": ["control"],
        },
    }
    return instrument_from_dict(data)
