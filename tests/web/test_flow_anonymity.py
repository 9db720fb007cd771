"""In an anonymous wave nothing stored links an invitation or an e-mail address to an answer (issue 3).

A confidential wave stores only a pseudonymous key: HMAC-SHA256(SECRET_KEY, lower-cased e-mail).
"""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import models
from django.forms.models import model_to_dict
from django.urls import reverse

from homeoffice.web.responses.models import Response
from homeoffice.web.surveys.models import Invitation
from tests.web.factories_flow import (
    answer_all,
    claim,
    consent,
    make_invitation,
    make_wave,
    only_response,
    raw_session_cookie,
    session_data,
)

pytestmark = pytest.mark.django_db
EMAIL = "Kari.Nordmann@Example.no"


def invited_flow(client, mode: str):
    wave = make_wave(mode=mode)
    inv, token = make_invitation(wave, EMAIL)
    before = model_to_dict(inv)
    claim(client, token)
    code = consent(client)
    answer_all(client, wave)
    assert client.post(reverse("responses:submit")).status_code == 302
    inv.refresh_from_db()
    return inv, token, before, code


def secrets_of(inv: Invitation, token: str) -> list[str]:
    return [token, inv.token_hash, EMAIL, EMAIL.lower(), "Kari", "Nordmann"]


def test_anonymous_wave_keeps_no_link_between_invitation_and_response(client):
    inv, token, before, _ = invited_flow(client, "anonymous")
    response = only_response()

    # The invitation changed in one way only: it is claimed.
    after = model_to_dict(inv)
    assert {k for k in after if after[k] != before[k]} == {"claimed"} and inv.claimed is True

    # No relation between the two tables, in either direction.
    assert not any(f.related_model is Invitation for f in Response._meta.get_fields())
    assert not any(f.related_model is Response for f in Invitation._meta.get_fields())

    # No stored value of the response holds the token, its hash, the e-mail or the invitation's id.
    stored = {f.attname: getattr(response, f.attname) for f in Response._meta.concrete_fields}
    text = json.dumps(stored, default=str)
    for secret in secrets_of(inv, token):
        assert secret not in text and secret.lower() not in text.lower()
    assert response.respondent_key == ""
    assert all("invitation" not in name for name in stored)

    # Nor does the session (kept only in the browser's signed cookie), by value or by key.
    session = session_data(client)
    cookie = raw_session_cookie(client)
    for secret in secrets_of(inv, token):
        assert secret not in cookie and secret.lower() not in cookie.lower()
    assert set(session) <= {"response_id", "lang", "wave", "resume_failures"}
    assert session.get("wave", response.wave_id) == response.wave_id  # the same for everyone in the wave
    others = [v for k, v in session.items() if k != "wave"]  # the wave's id may equal the invitation's
    assert inv.pk not in others and str(inv.pk) not in others
    assert Session.objects.count() == 0  # no server-side session rows


def test_responses_and_invitations_store_dates_only():
    for model in (Response, Invitation):
        kinds = {type(f) for f in model._meta.concrete_fields}
        assert not kinds & {models.DateTimeField, models.TimeField}, model


def test_the_resume_code_is_stored_only_as_a_hash(client):
    _, _, _, code = invited_flow(client, "anonymous")
    response = only_response()
    text = json.dumps({f.attname: getattr(response, f.attname) for f in Response._meta.concrete_fields}, default=str)
    assert code not in text and code.replace("-", "") not in text
    assert "resume_code" not in session_data(client)


def test_confidential_wave_stores_the_pseudonymous_key(client):
    inv, token, _, _ = invited_flow(client, "confidential")
    response = only_response()
    expected = hmac.new(settings.PSEUDONYM_KEY.encode(), EMAIL.lower().encode(), hashlib.sha256).hexdigest()
    assert response.respondent_key == expected
    text = json.dumps({f.attname: getattr(response, f.attname) for f in Response._meta.concrete_fields}, default=str)
    for secret in secrets_of(inv, token):
        assert secret not in text


def test_the_key_is_the_same_for_the_same_person_in_two_waves(client):
    from django.test import Client

    invited_flow(client, "confidential")
    wave = make_wave(mode="confidential")
    _, token = make_invitation(wave, EMAIL.upper())
    other = Client()
    claim(other, token)
    keys = set(Response.objects.values_list("respondent_key", flat=True))
    assert len(keys) == 1 and "" not in keys


def test_a_rotated_secret_key_keeps_the_same_person_linked_across_waves(client):
    from django.test import Client, override_settings

    invited_flow(client, "confidential")
    wave = make_wave(mode="confidential")
    _, token = make_invitation(wave, EMAIL)
    with override_settings(SECRET_KEY="rotated-" + "q" * 50, SECRET_KEY_FALLBACKS=[settings.SECRET_KEY]):
        claim(Client(), token)
    keys = set(Response.objects.values_list("respondent_key", flat=True))
    assert len(keys) == 1 and "" not in keys


def test_the_consent_page_tells_which_kind_of_survey_it_is(client):
    wave = make_wave(mode="confidential")
    _, token = make_invitation(wave)
    claim(client, token, lang="en")
    html = client.get(reverse("responses:consent")).content.decode()
    assert "The survey is confidential" in html and "The code does not contain your e-mail address" in html
