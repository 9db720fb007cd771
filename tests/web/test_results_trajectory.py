"""Confidential waves: a person sees their own results of earlier waves beside today's; nobody else
does, and anonymous waves never link anything."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from homeoffice.web.responses.models import Response, new_resume_code, resume_hash
from homeoffice.web.scoring import score_response
from homeoffice.web.surveys.models import Wave
from tests.web.factories_results import extreme_answers, make_response, make_wave, own

pytestmark = pytest.mark.django_db


def _earlier(wave: Wave, *, key: str, good: bool, mode: str = "confidential") -> Response:
    earlier = Wave.objects.create(
        organisation=wave.organisation, name="Høsten 2024", instrument_id="standard", mode=mode,
        opens_on=wave.opens_on - dt.timedelta(days=200), closes_on=wave.opens_on - dt.timedelta(days=170),
    )  # fmt: skip
    answers = extreme_answers(good=good)
    return Response.objects.create(
        wave=earlier, unit=wave.organisation.units.first(), resume_hash=resume_hash(new_resume_code()),
        consented=True, answers=answers, submitted_on=earlier.closes_on,
        result=score_response("standard", answers), respondent_key=key,
    )  # fmt: skip


def _confidential_response(key: str) -> Response:
    wave = make_wave()
    wave.mode = Wave.Mode.CONFIDENTIAL
    wave.save()
    response = make_response(wave=wave, good=True)
    response.respondent_key = key
    response.save()
    return response


def test_a_confidential_respondent_sees_their_own_earlier_wave_beside_this_one():
    response = _confidential_response("k" * 64)
    _earlier(response.wave, key="k" * 64, good=False)
    _earlier(response.wave, key="x" * 64, good=True)  # somebody else: never shown
    html = own(Client(), response).get(reverse("results:mine")).content.decode()
    assert "Resultatene dine over tid" in html
    start = html.index('<table class="trajectory">')
    table = html[start : html.index("</table>", start)]
    assert table.count("<tr") == 3  # header + the earlier wave + this one
    assert "Høsten 2024" in table and "denne runden" in table
    # situation 1 then (bad answers), situation 4 now
    cells = [c for c in table.split("<td>")[1:]]
    assert cells[0].startswith("1<") and cells[4].startswith("4<")


def test_anonymous_waves_and_a_first_wave_show_no_trajectory():
    response = _confidential_response("k" * 64)
    html = own(Client(), response).get(reverse("results:mine")).content.decode()
    assert "trajectory" not in html  # nothing earlier to compare with
    anonymous = make_response(good=True)
    _earlier(anonymous.wave, key="", good=False, mode="anonymous")
    html = own(Client(), anonymous).get(reverse("results:mine")).content.decode()
    assert "trajectory" not in html
