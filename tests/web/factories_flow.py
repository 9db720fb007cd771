"""Small builders for the answering-flow tests: a wave with a unit, links, invitations, and a
walk through the pages with the test client."""

from __future__ import annotations

import datetime as dt
import itertools
import re

from django.core.signing import b64_decode
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from homeoffice.web.organisations.models import Organisation, Unit
from homeoffice.web.responses.models import Response
from homeoffice.web.responses.pages import plan_for
from homeoffice.web.surveys.models import AnonymousLink, Invitation, Wave, new_token, token_hash

_serial = itertools.count(1)
CODE_RE = re.compile(r"[A-Z2-9]{4}(?:-[A-Z2-9]{4}){4}")


def make_wave(
    *,
    mode: str = "anonymous",
    languages: str = "nb,en",
    instrument_id: str = "standard",
    opens_in: int = -1,
    closes_in: int = 30,
    min_group_size: int = 5,
) -> Wave:
    """An organisation with one unit and a wave that is open today (by default)."""
    n = next(_serial)
    org = Organisation.objects.create(name=f"Org {n}", slug=f"org-{n}")
    Unit.objects.create(organisation=org, name="Team A")
    today = timezone.localdate()
    return Wave.objects.create(
        organisation=org,
        name=f"Wave {n}",
        instrument_id=instrument_id,
        languages=languages,
        opens_on=today + dt.timedelta(days=opens_in),
        closes_on=today + dt.timedelta(days=closes_in),
        mode=mode,
        min_group_size=min_group_size,
    )


def make_link(wave: Wave) -> AnonymousLink:
    return AnonymousLink.objects.create(wave=wave, unit=wave.organisation.units.first())


def make_invitation(wave: Wave, email: str = "Kari.Nordmann@Example.no") -> tuple[Invitation, str]:
    """An invitation and its token (the token lives only in the e-mail; the row keeps its hash)."""
    token = new_token()
    inv = Invitation.objects.create(
        wave=wave, unit=wave.organisation.units.first(), email=email, token_hash=token_hash(token)
    )
    return inv, token


def claim(client: Client, token: str, lang: str = "nb"):
    """Open a personal invitation and press the button on its start page (the POST claims it)."""
    url = reverse("responses:invitation", args=[token])
    assert client.get(url).status_code == 200
    return client.post(url, {"lang": lang})


def session_data(client: Client) -> dict:
    return dict(client.session.items())


def raw_session_cookie(client: Client) -> str:
    """The decoded payload of the signed session cookie, as the browser holds it."""
    value = client.cookies["sessionid"].value
    payload = value.split(":", 1)[0]
    compressed = payload.startswith(".")
    data = b64_decode(payload.lstrip(".").encode())
    if compressed:
        import zlib

        data = zlib.decompress(data)
    return data.decode()


def consent(client: Client, lang: str | None = None) -> str:
    """Give consent; returns the resume code shown on the next page."""
    url = reverse("responses:consent") + (f"?lang={lang}" if lang else "")
    res = client.post(url, {"consent": "on"})
    assert res.status_code == 302 and res.url == reverse("responses:start"), res
    page = client.get(res.url)
    found = CODE_RE.search(page.content.decode())
    assert found, "the resume code is shown after consent"
    return found.group(0)


def first_answers(wave: Wave) -> dict[str, str]:
    """Every closed item answered with its lowest code, every open question with a short text."""
    instrument, plan = plan_for(wave.instrument_id)
    out = {}
    for page in plan:
        for item_id in page.item_ids:
            out[item_id] = str(instrument.response_set(instrument.items_by_id[item_id]).min)
        for qid in page.open_ids:
            out[qid] = "Fine."
    return out


def answer_all(client: Client, wave: Wave, answers: dict[str, str] | None = None) -> None:
    """Post every page with Next, in order, ending on the review page."""
    answers = first_answers(wave) if answers is None else answers
    _, plan = plan_for(wave.instrument_id)
    for page in plan:
        data = {k: v for k, v in answers.items() if k in page.item_ids or k in page.open_ids}
        res = client.post(reverse("responses:page", args=[page.number]), {**data, "action": "next"})
        assert res.status_code == 302, res.content.decode()[:2000]
    assert res.url == reverse("responses:submit")


def only_response() -> Response:
    rows = list(Response.objects.all())
    assert len(rows) == 1, rows
    return rows[0]
