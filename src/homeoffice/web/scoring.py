"""Score one person's answers with the core engine (the same code the CLI uses).

A personal result uses the fixed cut 50 (model.md section 4: the default for one respondent).
The stored result is plain JSON so it can be shown and re-checked years later.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from homeoffice.classification import fixed_policy
from homeoffice.instruments import load_instrument
from homeoffice.pipeline import RECORD_PARTS, score_record


def score_response(instrument_id: str, answers: Mapping[str, object]) -> dict:
    """The stored result of one person's answers (fixed cut 50): the core's :func:`score_record`."""
    return score_record(answers, load_instrument(instrument_id), policy=fixed_policy())


def result_row(result: Mapping[str, Mapping[str, object]]) -> pd.Series:
    """A stored result back as one row of the core's result table (for the measures engine and charts)."""
    flat: dict[str, object] = {}
    for part in RECORD_PARTS:
        flat.update({k: (np.nan if v is None else v) for k, v in result.get(part, {}).items()})
    return pd.Series(flat, name="me")
