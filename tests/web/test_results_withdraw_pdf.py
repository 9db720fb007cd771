"""Withdrawal (delete my answers) and the PDF of the result."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from homeoffice.web.responses.models import Response
from homeoffice.web.surveys.models import Wave
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


def test_the_withdraw_page_says_deletion_is_possible_until_the_group_results_are_released(client):
    own(client, make_response(lang="en"))
    page = " ".join(client.get(reverse("results:withdraw")).content.decode().split())
    assert "Results for groups are shown only after the survey has closed and its results have been released" in page
    assert "already been made do not change" not in page


# --- withdraw after the wave's group results are released (issue 4) ----------------------------


def _released(response, day=dt.date(2026, 1, 5)):
    Wave.objects.filter(pk=response.wave_id).update(released_on=day)
    return response


def test_after_release_the_result_page_offers_no_withdrawal_and_says_why(client):
    response = make_response(lang="en")
    own(client, response)
    before = client.get(reverse("results:mine")).content.decode()
    assert f'action="{reverse("results:withdraw")}"' in before and "can no longer be deleted" not in before
    _released(response)
    page = client.get(reverse("results:mine")).content.decode()
    assert f'action="{reverse("results:withdraw")}"' not in page
    assert "Withdraw: delete my answers" not in page
    assert "Your answers can no longer be deleted" in page
    assert "released on 5 January 2026" in page and "part of these anonymous group results" in page
    assert reverse("results:pdf") in page  # the own result stays


def test_after_release_the_explanation_is_in_norwegian_too(client):
    own(client, _released(make_response(lang="nb")))
    page = " ".join(client.get(reverse("results:mine")).content.decode().split())
    assert "Svarene dine kan ikke lenger slettes" in page
    assert "frigitt 5. januar 2026" in page and "kan ikke lenger tas ut" in page


def test_a_forged_withdrawal_after_release_is_a_409_page_and_deletes_nothing(client):
    response = _released(make_response(lang="en"))
    own(client, response)
    for answer in (
        client.post(reverse("results:withdraw"), {"confirm": "yes"}),
        client.post(reverse("results:withdraw")),
        client.get(reverse("results:withdraw")),
    ):
        assert answer.status_code == 409
        page = answer.content.decode()
        assert "Your answers can no longer be deleted" in page and "released on 5 January 2026" in page
        assert 'name="confirm"' not in page and "no-store" in answer["Cache-Control"]
    assert Response.objects.filter(pk=response.pk).exists()
    assert client.get(reverse("results:mine")).status_code == 200  # the session still shows the own result


def test_a_release_between_the_question_and_the_delete_is_a_409_too(client, monkeypatch):
    from homeoffice.web.results import views

    response = make_response()
    own(client, response)
    real = views.do_withdraw

    def release_first(response_id):
        _released(response)  # staff release the wave while the person confirms
        return real(response_id)

    monkeypatch.setattr(views, "do_withdraw", release_first)
    answer = client.post(reverse("results:withdraw"), {"confirm": "yes"})
    assert answer.status_code == 409
    assert "Svarene dine kan ikke lenger slettes" in answer.content.decode()
    assert Response.objects.filter(pk=response.pk).exists()


def test_answers_never_submitted_can_still_be_withdrawn_after_release(client):
    response = _released(make_response(submitted=False))
    own(client, response)
    assert client.post(reverse("results:withdraw"), {"confirm": "yes"}).status_code == 302
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
