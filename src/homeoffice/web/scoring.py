"""Score one person's answers with the core engine (the same code the CLI uses).

A personal result uses the fixed cut 50 (model.md section 4: the default for one respondent).
The stored result is plain JSON so it can be shown and re-checked years later.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from homeoffice.classification import fixed_policy
from homeoffice.instruments import Instrument, load_instrument
from homeoffice.pipeline import score_table

CLASSIFICATION_KEYS = (
    "job_situation",
    "iso_strain",
    "negative_acts_frequent",
    "pwe_index",
    "pwe_level",
    "productivity_index",
    "productivity_level",
    "situation",
    "distance_to_optimal",
)
PROVENANCE_KEYS = (
    "instrument_id",
    "instrument_version",
    "scoring_profile",
    "cut_policy",
    "cut_demands",
    "cut_control",
    "cut_support",
    "cut_pwe",
    "cut_productivity",
    "cut_source",
    "homeoffice_version",
)


def _plain(value: object) -> object:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def answers_row(answers: Mapping[str, object], instrument: Instrument) -> tuple[np.ndarray, pd.DataFrame]:
    """One row of codes (NaN where unanswered or not applicable) and the context codes."""
    codes = np.full((1, len(instrument.scored_items)), np.nan)
    for j, item in enumerate(instrument.scored_items):
        value = answers.get(item.id)
        if value is not None and int(value) not in instrument.response_set(item).na_codes:
            codes[0, j] = float(value)
    context = pd.DataFrame(
        {i.id: [float(answers[i.id]) if answers.get(i.id) is not None else np.nan] for i in instrument.context_items}
    )
    return codes, context


def result_to_dict(row: pd.Series, instrument: Instrument) -> dict:
    """One result row as the JSON stored with a response (scores, classification, context, provenance)."""
    return {
        "scores": {sid: _plain(row[sid]) for sid in instrument.score_ids},
        "classification": {k: _plain(row[k]) for k in CLASSIFICATION_KEYS if k in row.index},
        "context": {i.id: _plain(row[i.id]) for i in instrument.context_items if i.id in row.index},
        "provenance": {k: _plain(row[k]) for k in PROVENANCE_KEYS},
    }


def score_response(instrument_id: str, answers: Mapping[str, object]) -> dict:
    """The stored result of one person's answers (fixed cut 50)."""
    instrument = load_instrument(instrument_id)
    codes, context = answers_row(answers, instrument)
    table = score_table(codes, instrument, index=pd.Index(["me"]), policy=fixed_policy(), context=context)
    return result_to_dict(table.iloc[0], instrument)


def result_row(result: Mapping[str, Mapping[str, object]]) -> pd.Series:
    """A stored result back as one row of the core's result table (for the measures engine and charts)."""
    flat: dict[str, object] = {}
    for part in ("scores", "classification", "context", "provenance"):
        flat.update({k: (np.nan if v is None else v) for k, v in result.get(part, {}).items()})
    return pd.Series(flat, name="me")
