"""Fixtures for the measure tests: instruments and the built-in catalogue."""

from __future__ import annotations

import pytest

from homeoffice.instruments import Instrument, instrument_from_dict, load_instrument
from homeoffice.measures import load_catalogue
from tests.measures.helpers import standard_like_dict


@pytest.fixture(scope="session")
def standard_like() -> Instrument:
    return instrument_from_dict(standard_like_dict())


@pytest.fixture(scope="session")
def thesis() -> Instrument:
    return load_instrument("thesis-2023")


@pytest.fixture(scope="session")
def catalogue():
    return load_catalogue()
