"""Builders for the result-page tests: a submitted response made directly (no survey flow), and a
test client whose signed-cookie session names it."""

from __future__ import annotations

import datetime as dt
import io
import itertools

from django.conf import settings
from django.test import Client
from pypdf import PdfReader

from homeoffice.instruments import load_instrument
from homeoffice.web.organisations.models import Organisation, Unit
from homeoffice.web.responses.models import Response, new_resume_code, resume_hash
from homeoffice.web.scoring import score_response
from homeoffice.web.surveys.models import Wave

_serial = itertools.count(1)
SUBMITTED_ON = dt.date(2025, 11, 27)

# Context answers like the thesis's informant 4 (imposed, full-time, no fixed place, children at home)
# and like its satisfied hybrid informants (own choice, two days at home, a room with a door).
CONTEXT_HARD = {
    "ctx_days_home": 5,
    "ctx_arrangement": 2,
    "ctx_voluntary": 3,
    "ctx_role": 2,
    "ctx_room": 3,
    "ctx_commute": 2,
    "ctx_household": 3,
    "ctx_sector": 1,
}
CONTEXT_EASY = {
    "ctx_days_home": 2,
    "ctx_arrangement": 1,
    "ctx_voluntary": 1,
    "ctx_role": 4,
    "ctx_room": 1,
    "ctx_commute": 3,
    "ctx_household": 1,
    "ctx_sector": 2,
}


def extreme_answers(*, good: bool, demands: int = 4, context: dict | None = None) -> dict[str, int]:
    """Answers to every item of ``standard`` at the good (or bad) end of each scale.

    Resource scales get their best code and risk scales their lowest (reverse-keyed items the other
    end); demand items get ``demands``. ``good=False`` mirrors all of it.
    """
    instrument = load_instrument("standard")
    answers: dict[str, int] = {}
    for item in instrument.scored_items:
        rs = instrument.response_set(item)
        direction = instrument.direction(item.scale)
        if direction == "neutral":
            answers[item.id] = demands
            continue
        high = (direction == "resource") == good
        if item.reverse:
            high = not high
        answers[item.id] = rs.max if high else rs.min
    answers.update(context if context is not None else (CONTEXT_EASY if good else CONTEXT_HARD))
    return answers


def make_wave(*, name: str = "Våren 2025", instrument_id: str = "standard") -> Wave:
    n = next(_serial)
    org = Organisation.objects.create(name=f"Org {n}", slug=f"results-org-{n}")
    Unit.objects.create(organisation=org, name="Team Ø")
    return Wave.objects.create(
        organisation=org,
        name=name,
        instrument_id=instrument_id,
        opens_on=SUBMITTED_ON - dt.timedelta(days=14),
        closes_on=SUBMITTED_ON + dt.timedelta(days=14),
    )


def make_response(
    *,
    good: bool = True,
    lang: str = "nb",
    submitted: bool = True,
    wave: Wave | None = None,
    answers: dict | None = None,
) -> Response:
    """A response as the flow leaves it after submitting: answers, scored result, day of submission."""
    wave = wave or make_wave()
    answers = answers if answers is not None else extreme_answers(good=good)
    return Response.objects.create(
        wave=wave,
        unit=wave.organisation.units.first(),
        lang=lang,
        resume_hash=resume_hash(new_resume_code()),
        consented=True,
        answers=answers,
        page=3,
        submitted_on=SUBMITTED_ON if submitted else None,
        result=score_response(wave.instrument_id, answers) if submitted else None,
    )


def own(client: Client, response: Response) -> Client:
    """Make ``client``'s session name ``response`` as the person's own, as the flow does on submit.

    Sessions are signed cookies: the saved session's key *is* the cookie value, so the cookie is
    set again after every change.
    """
    session = client.session
    session["response_id"] = str(response.pk)
    session["lang"] = response.lang
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return client


def pdf_text(content: bytes) -> str:
    """All text of a PDF, pages joined, whitespace collapsed (pypdf)."""
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
