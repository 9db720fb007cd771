"""A released wave's result table: every submitted response scored together, frozen at release."""

from __future__ import annotations

import numpy as np
import pytest

from homeoffice.web.dashboards.models import WaveTable
from homeoffice.web.dashboards.table import wave_table
from homeoffice.web.responses.models import Response
from tests.web.factories_groups import make_org, make_released_wave, team_sizes

pytestmark = pytest.mark.django_db


def test_release_builds_the_table_of_every_submitted_response():
    org, units = make_org()
    wave = make_released_wave(org, units, team_sizes())
    stored = WaveTable.objects.get(wave=wave)
    table = wave_table(wave)
    assert stored.respondents == len(table) == sum(team_sizes().values())
    counts = table["unit_id"].value_counts()
    assert counts[units["Kundesenter"].pk] == 4 and counts[units["App"].pk] == 15
    # 48 people: the wave is classified with its own sample median (model.md section 4)
    assert set(table["cut_policy"].astype(str)) == {"sample_median"}
    assert table["situation"].notna().all()
    assert {"wl1", "pwe_index", "productivity_index", "job_situation"} <= set(table.columns)


def test_an_unsubmitted_response_is_not_in_the_table():
    org, units = make_org()
    wave = make_released_wave(org, units, {"App": 6}, release=False)
    Response.objects.create(wave=wave, unit=units["App"], resume_hash="x" * 64, consented=True, answers={"wl1": 3})
    from homeoffice.web.surveys.release import release_wave

    release_wave(wave)
    assert len(wave_table(wave)) == 6


def test_there_is_no_table_before_release():
    org, units = make_org()
    wave = make_released_wave(org, units, {"App": 6}, release=False)
    assert wave_table(wave) is None


def test_the_table_scores_as_the_core_does():
    from homeoffice.classification import default_policy
    from homeoffice.instruments import load_instrument
    from homeoffice.pipeline import codes_matrix, score_table

    org, units = make_org()
    wave = make_released_wave(org, units, {"App": 7, "Nord": 5})
    table = wave_table(wave)
    rows = list(Response.objects.filter(wave=wave).order_by("resume_hash").values_list("answers", flat=True))
    instrument = load_instrument("standard")
    codes, context = codes_matrix(rows, instrument)
    import pandas as pd

    expected = score_table(
        codes, instrument, index=pd.RangeIndex(len(rows)), policy=default_policy(12), context=context
    )
    np.testing.assert_allclose(table["pwe_index"].to_numpy(float), expected["pwe_index"].to_numpy(float))
    assert table["situation"].tolist() == expected["situation"].tolist()


def test_groups_of_a_released_wave_hide_the_small_team_and_what_would_reveal_it():
    from homeoffice.web.dashboards.groups import wave_groups

    org, units = make_org()
    wave = make_released_wave(org, units, team_sizes())
    groups = wave_groups(wave)
    small = groups.key(units["Kundesenter"].pk)
    assert groups.n(small) == 4 and groups.results(small) is None
    assert not groups.shown(small)
    # Salg = Nord 12 + Sør 9 + Kundesenter 4: showing Salg, Nord and Sør would give Kundesenter by subtraction
    salg = [groups.shown(groups.key(units[u].pk)) for u in ("Salg", "Nord", "Sør")]
    assert not all(salg)
    whole = groups.results(groups.key())
    assert whole is not None and len(whole) == 48
    assert groups.comments(groups.key()) is not None  # 48 >= 10
