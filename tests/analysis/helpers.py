"""The thesis's table 4.2 as a result table, and a second wave made from it by hand."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from homeoffice.classification import fixed_policy
from homeoffice.instruments import Instrument, load_instrument
from homeoffice.pipeline import score_table
from homeoffice.samples import sample_text


def table_4_2() -> pd.DataFrame:
    """Table 4.2: 8 informants x 8 category means on 1-5, column ``informant`` first."""
    return pd.read_csv(io.StringIO(sample_text("thesis-2023")))


def scored(instrument: Instrument, table: pd.DataFrame) -> pd.DataFrame:
    """Table 4.2-style scale means (1-5) -> the result table, fixed cut 50."""
    values = table[[s.id for s in instrument.spec.scales]].to_numpy(dtype=float)
    index = pd.Index(table["informant"].astype(str), name="respondent_id")
    return score_table(None, instrument, index=index, scale_values=values, policy=fixed_policy())


def next_wave(instrument: Instrument, table: pd.DataFrame) -> pd.DataFrame:
    """Wave 2: informant 4 gets better facilities (productivity 5 and 5), support rises by one for 1-3."""
    table = table.copy()
    table.loc[table["informant"] == 4, ["influence", "positive_influence"]] = [5, 5]
    table.loc[table["informant"].isin([1, 2, 3]), "increased_support"] += 1
    return scored(instrument, table)


# Fixtures for the tests that import them (pytest finds fixtures imported into a test module).
@pytest.fixture(scope="module", name="thesis")
def thesis_fixture() -> Instrument:
    return load_instrument("thesis-2023")


@pytest.fixture(scope="module", name="table_4_2")
def table_4_2_fixture() -> pd.DataFrame:
    return table_4_2()


@pytest.fixture(scope="module", name="results")
def results_fixture(thesis: Instrument, table_4_2: pd.DataFrame) -> pd.DataFrame:
    return scored(thesis, table_4_2)
