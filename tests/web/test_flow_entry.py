"""Getting into a survey: anonymous links, personal invitations, language, consent, closed waves."""

from __future__ import annotations

import pytest
from django.urls import reverse

from homeoffice.web.responses.models import Response, resume_hash
from homeoffice.web.surveys.models import Invitation
from tests.web.factories_flow import (
    CODE_RE,
    claim,
    consent,
    make_invitation,
    make_link,
    make_wave,
    only_response,
    session_data,
)

pytestmark = pytest.mark.django_db


def test_an_anonymous_link_records_the_unit_and_asks_for_the_language(client):
    wave = make_wave()
    link = make_link(wave)
    res = client.get(reverse("responses:link", args=[link.token]))
    assert res.status_code == 302 and res.url == reverse("responses:language")
    assert Response.objects.count() == 0  # nothing is stored before consent
    page = client.get(res.url).content.decode()
    assert 'href="/consent/?lang=nb"' in page and 'href="/consent/?lang=en"' in page
    assert 'lang="en"' in page and ">English<" in page and ">Norsk<" in page


def test_the_language_page_is_skipped_when_the_wave_has_one_language(client):
    wave = make_wave(languages="en")
    res = client.get(reverse("responses:link", args=[make_link(wave).token]))
    assert res.url == reverse("responses:consent")
    page = client.get(res.url)
    assert '<html lang="en">' in page.content.decode() and "Before you start" in page.content.decode()
    assert client.session["lang"] == "en"


def test_a_language_the_wave_does_not_offer_is_ignored(client):
    wave = make_wave(languages="nb")
    client.get(reverse("responses:link", args=[make_link(wave).token]))
    page = client.get(reverse("responses:consent") + "?lang=en").content.decode()
    assert "Før du begynner" in page and "In English" not in page


@pytest.mark.parametrize("kind", ["link", "invitation"])
def test_an_unknown_token_gives_the_not_found_page(client, kind):
    make_wave()
    res = client.get(reverse(f"responses:{kind}", args=["not-a-real-token"]))
    assert res.status_code == 404
    assert "Siden finnes ikke" in res.content.decode()


def test_an_overlong_token_is_not_found_rather_than_an_error(client):
    res = client.get(reverse("responses:invitation", args=["x" * 5000]))
    assert res.status_code == 404


@pytest.mark.parametrize(
    "opens_in, closes_in, title",
    [(3, 30, "Undersøkelsen har ikke åpnet ennå"), (-30, -1, "Undersøkelsen er avsluttet")],
)
def test_a_wave_that_is_not_open_shows_a_clear_page_and_no_questions(client, opens_in, closes_in, title):
    wave = make_wave(opens_in=opens_in, closes_in=closes_in)
    inv, token = make_invitation(wave)
    for url in (reverse("responses:link", args=[make_link(wave).token]), reverse("responses:invitation", args=[token])):
        res = client.get(url)
        assert res.status_code == 200
        page = res.content.decode()
        assert title in page and wave.name in page
        assert 'type="radio"' not in page and 'name="consent"' not in page
    inv.refresh_from_db()
    assert inv.claimed is False  # a closed wave does not use up the invitation
    assert Response.objects.count() == 0


def test_the_consent_page_says_what_who_how_long_and_how_to_withdraw(client):
    wave = make_wave(min_group_size=7)
    client.get(reverse("responses:link", args=[make_link(wave).token]))
    page = client.get(reverse("responses:consent") + "?lang=en").content.decode()
    assert "87 questions on 14 short pages" in page and "about 10 minutes" in page
    assert "Only you can see it" in page
    assert "at least 7 people" in page and "fewer than 7 answers are" in page
    assert "Nobody at work, including your manager, sees your individual answers" in page
    assert "Taking part is voluntary" in page and "You can stop at any time" in page
    assert "withdraw by simply not going on" in page and "you can delete your answers" in page
    assert "The survey is anonymous" in page
    assert 'type="checkbox"' in page and 'name="csrfmiddlewaretoken"' in page


def test_the_consent_page_in_norwegian(client):
    wave = make_wave()
    client.get(reverse("responses:link", args=[make_link(wave).token]))
    page = client.get(reverse("responses:consent") + "?lang=nb").content.decode()
    assert "Før du begynner" in page
    assert "minst 5 personer" in " ".join(page.split())
    assert "Det er frivillig å være med" in page


def test_without_consent_there_are_no_questions(client):
    wave = make_wave()
    client.get(reverse("responses:link", args=[make_link(wave).token]))
    res = client.post(reverse("responses:consent"), {})
    assert res.status_code == 200
    page = res.content.decode()
    assert 'class="error-summary"' in page and 'href="#consent"' in page and 'aria-invalid="true"' in page
    assert Response.objects.count() == 0
    assert client.get(reverse("responses:page", args=[1])).status_code == 404  # no response, no page


def test_consent_creates_the_response_and_shows_the_resume_code_once(client):
    wave = make_wave()
    client.get(reverse("responses:link", args=[make_link(wave).token]))
    code = consent(client, lang="en")
    response = only_response()
    assert response.consented and response.page == 1 and response.lang == "en"
    assert response.unit == wave.organisation.units.first()
    assert response.resume_hash == resume_hash(code) and code not in str(response.__dict__)
    assert "entry" not in client.session
    start = client.get(reverse("responses:start")).content.decode()
    assert code in start and 'href="/answer/1/"' in start


def test_consent_again_goes_on_to_the_questions(client):
    wave = make_wave()
    client.get(reverse("responses:link", args=[make_link(wave).token]))
    consent(client)
    res = client.get(reverse("responses:consent"))
    assert res.status_code == 302 and res.url == reverse("responses:page", args=[1])
    assert Response.objects.count() == 1


def test_opening_the_link_again_continues_the_same_unsubmitted_response(client):
    wave = make_wave()
    link = make_link(wave)
    client.get(reverse("responses:link", args=[link.token]))
    consent(client)
    res = client.get(reverse("responses:link", args=[link.token]))
    assert res.url == reverse("responses:page", args=[1])
    assert Response.objects.count() == 1
    home = client.get(reverse("responses:home")).content.decode()
    assert 'href="/answer/">Fortsett besvarelsen din' in home


def test_a_new_browser_on_the_same_link_starts_a_fresh_response(client):
    from django.test import Client

    wave = make_wave()
    link = make_link(wave)
    for browser in (client, Client()):
        browser.get(reverse("responses:link", args=[link.token]))
        consent(browser)
    assert Response.objects.filter(wave=wave).count() == 2


def test_opening_an_invitation_shows_a_start_page_and_claims_nothing(client):
    """E-mail link scanners open links; only the button on the page uses the invitation up."""
    wave = make_wave()
    inv, token = make_invitation(wave)
    for _ in range(2):
        res = client.get(reverse("responses:invitation", args=[token]))
        assert res.status_code == 200
    page = res.content.decode()
    assert wave.name in page and "kan bare brukes én gang" in page and "csrfmiddlewaretoken" in page
    assert '<button type="submit" name="lang" value="en" lang="en">English</button>' in page
    inv.refresh_from_db()
    assert inv.claimed is False and Response.objects.count() == 0


def test_an_invitation_is_claimed_on_first_use_and_creates_a_response(client):
    wave = make_wave()
    inv, token = make_invitation(wave)
    res = claim(client, token, lang="en")
    assert res.status_code == 302 and res.url == reverse("responses:consent") + "?lang=en"
    inv.refresh_from_db()
    assert inv.claimed is True
    response = only_response()
    assert not response.consented and response.unit == inv.unit and response.respondent_key == ""
    assert response.lang == "en" and client.session["lang"] == "en"
    assert session_data(client)["response_id"] == str(response.pk)
    code = consent(client)
    response.refresh_from_db()
    assert response.consented and response.resume_hash == resume_hash(code)


def test_a_language_the_wave_does_not_offer_cannot_be_posted(client):
    wave = make_wave(languages="nb")
    _, token = make_invitation(wave)
    res = claim(client, token, lang="de")
    assert res.url == reverse("responses:consent") + "?lang=nb"
    assert only_response().lang == "nb"


def test_a_claimed_invitation_says_so_and_offers_the_resume_form(client):
    from django.test import Client

    wave = make_wave()
    _, token = make_invitation(wave)
    claim(client, token)
    other = Client()
    res = other.get(reverse("responses:invitation", args=[token]))
    assert res.status_code == 200
    page = res.content.decode()
    assert "Denne lenken er allerede brukt" in page
    assert 'action="/resume/"' in page and 'name="code"' in page
    assert "Fortsett i denne nettleseren" not in page  # the other browser has no response
    assert other.post(reverse("responses:invitation", args=[token]), {"lang": "nb"}).status_code == 200
    assert Response.objects.count() == 1
    # The browser that claimed it may simply continue.
    again = client.get(reverse("responses:invitation", args=[token])).content.decode()
    assert "Fortsett i denne nettleseren" in again and 'href="/answer/"' in again
    assert Response.objects.count() == 1


def test_two_claims_of_the_same_invitation_create_one_response():
    from homeoffice.web.responses.actions import do_claim_invitation

    wave = make_wave()
    inv, _ = make_invitation(wave)
    stale = Invitation.objects.get(pk=inv.pk)  # loaded before the first claim
    assert do_claim_invitation(inv, lang="nb") is not None
    assert do_claim_invitation(stale, lang="nb") is None
    assert Response.objects.count() == 1


def test_the_flow_pages_without_a_session_point_to_the_link_or_the_code(client):
    for name in (
        "responses:language",
        "responses:consent",
        "responses:start",
        "responses:saved",
        "responses:submit",
        "responses:continue",
    ):
        res = client.get(reverse(name))
        assert res.status_code == 404, name
        assert "Vi finner ikke besvarelsen din" in res.content.decode()


def test_the_home_page_explains_and_offers_the_resume_form(client):
    nb = client.get(reverse("responses:home")).content.decode()
    assert "Hjemmekontor og arbeidsmiljø" in nb and "bare du ser" in nb
    assert 'action="/resume/"' in nb and 'for="resume-code"' in nb and "csrfmiddlewaretoken" in nb
    en = client.get(reverse("responses:home") + "?lang=en").content.decode()
    assert '<html lang="en">' in en and "which only you can see" in en


def test_the_resume_code_looks_like_the_help_text_says():
    from homeoffice.web.responses.models import new_resume_code

    code = new_resume_code()
    assert CODE_RE.fullmatch(code)
