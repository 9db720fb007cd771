"""Withdrawal (delete my answers) and the PDF of the result."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from homeoffice.web.responses.models import Response
from tests.web.factories_results import make_response, make_wave, own, pdf_text

pytestmark = pytest.mark.django_db


# --- withdraw ---------------------------------------------------------------------------------


def test_withdraw_asks_first_and_deletes_nothing_until_confirmed(client):
    response = make_response()
    own(client, response)
    asked = client.get(reverse("results:withdraw"))
    assert asked.status_code == 200
    assert "Slette svarene dine?" in asked.content.decode()
    assert 'name="confirm" value="yes"' in asked.content.decode()
    # the button on the result page posts without confirm=yes: that only asks too
    again = client.post(reverse("results:withdraw"))
    assert again.status_code == 200 and "Slette svarene dine?" in again.content.decode()
    assert Response.objects.filter(pk=response.pk).exists()


def test_confirmed_withdrawal_deletes_the_answers_and_ends_the_session(client):
    response = make_response(lang="en")
    other = make_response()
    own(client, response)
    done = client.post(reverse("results:withdraw"), {"confirm": "yes"})
    assert done.status_code == 302 and done["Location"] == reverse("results:withdrawn")
    assert not Response.objects.filter(pk=response.pk).exists()
    assert Response.objects.filter(pk=other.pk).exists()
    assert "response_id" not in client.session
    page = client.get(done["Location"])
    assert "Your answers have been deleted" in page.content.decode()  # still in the person's language
    assert client.get(reverse("results:mine")).status_code == 404


def test_a_double_click_on_confirm_ends_on_the_deleted_page_too(client):
    response = make_response()
    own(client, response)
    old_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.post(reverse("results:withdraw"), {"confirm": "yes"}).status_code == 302
    client.cookies[settings.SESSION_COOKIE_NAME] = old_cookie  # the second click carried the old session
    second = client.post(reverse("results:withdraw"), {"confirm": "yes"})
    assert second.status_code == 302 and second["Location"] == reverse("results:withdrawn")


def test_withdraw_without_a_session_is_not_found_and_deletes_nothing(client):
    response = make_response()
    assert client.get(reverse("results:withdraw")).status_code == 404
    assert client.post(reverse("results:withdraw"), {"confirm": "yes"}).status_code == 404
    assert Response.objects.filter(pk=response.pk).exists()


def test_withdraw_needs_the_csrf_token():
    response = make_response()
    client = own(Client(enforce_csrf_checks=True), response)
    assert client.post(reverse("results:withdraw"), {"confirm": "yes"}).status_code == 403
    assert Response.objects.filter(pk=response.pk).exists()


def test_answers_still_being_given_can_be_withdrawn_too(client):
    response = make_response(submitted=False)
    own(client, response)
    asked = client.get(reverse("results:withdraw")).content.decode()
    assert f'href="{reverse("responses:continue")}"' in asked  # "no" goes back to the questions
    client.post(reverse("results:withdraw"), {"confirm": "yes"})
    assert not Response.objects.filter(pk=response.pk).exists()


# --- PDF --------------------------------------------------------------------------------------


def test_pdf_is_a_download_with_the_result_in_norwegian(client):
    response = make_response(good=False, wave=make_wave(name="Høstbølgen på Ås"))
    answer = own(client, response).get(reverse("results:pdf"))
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert answer["Content-Disposition"] == 'attachment; filename="homeoffice-resultat-2025-11-27.pdf"'
    assert "no-store" in answer["Cache-Control"]
    assert answer.content.startswith(b"%PDF-")
    text = pdf_text(answer.content)
    for expected in (
        "Ditt resultat: Høstbølgen på Ås",
        "Levert 27. november 2025",
        "Skårene dine",
        "Sosioemosjonell støtte",
        "Du er i situasjon 1: lavt arbeidsmiljø og lav produktivitet.",
        "Din jobbsituasjon: høystress (høye krav, lav kontroll)",
        "Tiltak som passer for deg",
        "Punkter til en samtale med lederen din",
        "ikke en validert skala",
        "Side 1",
    ):
        assert expected in text, expected


def test_pdf_in_english_for_an_english_response(client):
    answer = own(client, make_response(good=True, lang="en")).get(reverse("results:pdf"))
    assert answer["Content-Disposition"] == 'attachment; filename="homeoffice-result-2025-11-27.pdf"'
    text = pdf_text(answer.content)
    assert "Your result" in text and "You are in situation 4: the optimal situation." in text
    assert "Points to bring to a conversation with your manager" in text
    assert "Skårene dine" not in text


def test_pdf_carries_the_dynamic_model_chart_as_an_image(client):
    from io import BytesIO

    from pypdf import PdfReader

    answer = own(client, make_response(good=True)).get(reverse("results:pdf"))
    images = [image for page in PdfReader(BytesIO(answer.content)).pages for image in page.images]
    assert len(images) == 1
    assert images[0].image.width > 1000  # the chart at 150 dpi, sharp when printed


def test_pdf_without_a_session_is_not_found(client):
    make_response()
    assert client.get(reverse("results:pdf")).status_code == 404


# --- another instrument -------------------------------------------------------------------------


def test_a_wave_on_the_thesis_instrument_gets_page_charts_and_pdf(client):
    from homeoffice.instruments import load_instrument

    answers = {item.id: 4 for item in load_instrument("thesis-2023").scored_items}
    response = make_response(wave=make_wave(instrument_id="thesis-2023"), answers=answers, lang="en")
    own(client, response)
    html = client.get(reverse("results:mine")).content.decode()
    assert "Attitude and context" in html and "/result/scores-other.svg" in html
    for url in ("/result/scores-pwe.svg", "/result/scores-productivity.svg", "/result/scores-other.svg"):
        assert client.get(url)["Content-Type"] == "image/svg+xml", url
    assert "Attitude and context" in pdf_text(client.get(reverse("results:pdf")).content)
