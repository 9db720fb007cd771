"""Review, submit once, no edits after submitting, resume with the code, withdraw, English flow."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from homeoffice.web.responses.actions import do_submit, do_withdraw
from homeoffice.web.responses.models import Response
from homeoffice.web.scoring import score_response
from tests.web.factories_flow import (
    answer_all,
    consent,
    first_answers,
    make_link,
    make_wave,
    only_response,
)

pytestmark = pytest.mark.django_db
RESULT = "/result/"


@pytest.fixture
def wave():
    return make_wave()


@pytest.fixture
def started(client, wave):
    client.get(reverse("responses:link", args=[make_link(wave).token]))
    client.code = consent(client)
    return client


def test_the_review_page_counts_the_answers(started, wave):
    answers = {k: v for k, v in first_answers(wave).items() if not k.startswith(("wl", "open_would"))}
    answer_all(started, wave, answers)
    html = started.get(reverse("responses:submit")).content.decode()
    assert "Du har svart på 84 av 87 spørsmål." in html
    assert "Du har skrevet noe i 1 av 2 tekstfelt." in html
    assert re.search(r'href="/answer/2/">Side 2</a></th><td>3 av 6</td>', html)
    assert started.code in html  # still in the session until submitted
    assert 'action="/submit/"' in html and "csrfmiddlewaretoken" in html


def test_submit_scores_stores_the_date_and_goes_to_the_result(started, wave):
    answer_all(started, wave)
    res = started.post(reverse("responses:submit"))
    assert res.status_code == 302 and res.url == RESULT
    response = only_response()
    assert response.submitted_on == timezone.localdate()
    assert response.result == score_response("standard", response.answers)
    assert response.result["classification"]["situation"] in (1, 2, 3, 4)
    assert "resume_code" not in started.session
    assert started.session["response_id"] == str(response.pk)
    home = started.get(reverse("responses:home")).content.decode()
    assert f'href="{RESULT}">Se resultatet ditt' in home


def test_submitting_twice_keeps_one_response_and_the_first_result(started, wave):
    answer_all(started, wave)
    first = started.post(reverse("responses:submit"))
    stored = only_response()
    second = started.post(reverse("responses:submit"))
    assert first.url == second.url == RESULT
    again = only_response()
    assert again.pk == stored.pk and again.result == stored.result and again.submitted_on == stored.submitted_on
    assert do_submit(stored.pk).result == stored.result
    assert Response.objects.count() == 1


def test_a_second_submit_neither_rescores_nor_redates(started, wave, monkeypatch):
    answer_all(started, wave)
    started.post(reverse("responses:submit"))
    pk = only_response().pk
    Response.objects.filter(pk=pk).update(result={"first": True}, submitted_on="2020-01-02")

    def no_second_scoring(*args, **kwargs):
        raise AssertionError("scored twice")

    monkeypatch.setattr("homeoffice.web.responses.actions.score_response", no_second_scoring)
    assert started.post(reverse("responses:submit")).url == RESULT
    assert do_submit(pk).result == {"first": True}
    again = only_response()
    assert again.result == {"first": True} and str(again.submitted_on) == "2020-01-02"


def test_answers_saved_while_scoring_are_scored_again(started, monkeypatch):
    """Scoring runs before the row is locked; a page saved meanwhile (another tab) is not lost."""
    from homeoffice.web.responses import actions

    pk = only_response().pk
    calls = []

    def racing(instrument_id, answers):
        calls.append(dict(answers))
        if len(calls) == 1:
            Response.objects.filter(pk=pk).update(answers={"wl1": 5})
        return score_response(instrument_id, answers)

    monkeypatch.setattr(actions, "score_response", racing)
    response = do_submit(pk)
    assert calls == [{}, {"wl1": 5}]
    assert response.result == score_response("standard", {"wl1": 5})


def test_a_submitted_response_cannot_be_edited(started, wave):
    answer_all(started, wave)
    started.post(reverse("responses:submit"))
    before = only_response()
    for url in (
        reverse("responses:page", args=[2]),
        reverse("responses:consent"),
        reverse("responses:submit"),
        reverse("responses:continue"),
        reverse("responses:saved"),
        reverse("responses:start"),
    ):
        res = started.get(url)
        assert res.status_code == 302 and res.url == RESULT, url
    res = started.post(reverse("responses:page", args=[2]), {"wl1": "5", "action": "next"})
    assert res.url == RESULT
    assert only_response().answers == before.answers


def test_a_saved_page_after_submitting_elsewhere_changes_nothing(started, wave):
    """Two tabs: one submits, the other posts an old page afterwards."""
    from homeoffice.web.responses.actions import do_save_page

    answer_all(started, wave)
    response = do_submit(only_response().pk)
    assert do_save_page(response.pk, closed={"wl1": 5}, opened={}, next_page=3, lang="nb") is False
    assert only_response().answers == response.answers


def test_an_empty_questionnaire_can_be_submitted(started):
    res = started.post(reverse("responses:submit"))
    assert res.url == RESULT
    response = only_response()
    assert response.submitted and response.answers == {}
    assert response.result["classification"]["situation"] is None


def test_submit_is_refused_when_the_wave_has_closed(started, wave):
    wave.closes_on = wave.opens_on
    wave.save()
    res = started.post(reverse("responses:submit"))
    assert res.status_code == 200 and "Undersøkelsen er avsluttet" in res.content.decode()
    assert not only_response().submitted


def test_the_saved_page_shows_the_code_one_last_time(started, wave):
    res = started.post(reverse("responses:page", args=[2]), {"wl1": "3", "action": "save"})
    html = started.get(res.url).content.decode()
    assert "Svarene dine er lagret" in html and started.code in html
    assert "resume_code" not in started.session
    html = started.get(res.url).content.decode()
    assert started.code not in html and "kan den ikke vises igjen" in html
    assert 'href="/answer/"' in html
    assert started.get(reverse("responses:continue")).url == reverse("responses:page", args=[2])


def test_resume_with_the_code_continues_at_the_saved_page_in_another_browser(started, wave):
    started.post(reverse("responses:page", args=[1]), {"ctx_room": "2", "action": "next"})
    started.post(reverse("responses:page", args=[2]), {"wl1": "3", "action": "save"})
    other = Client()
    assert other.get(reverse("responses:resume")).status_code == 200
    res = other.post(reverse("responses:resume"), {"code": started.code.lower().replace("-", " ")})
    assert res.status_code == 302 and res.url == reverse("responses:page", args=[2])
    html = other.get(res.url).content.decode()
    assert re.search(r'id="q-wl1-3" name="wl1" value="3" checked', html)
    other.post(reverse("responses:page", args=[2]), {"wl1": "3", "wl2": "4", "action": "next"})
    assert only_response().answers == {"ctx_room": 2, "wl1": 3, "wl2": 4}


def test_resume_after_submitting_goes_to_the_result(started, wave):
    answer_all(started, wave)
    started.post(reverse("responses:submit"))
    res = Client().post(reverse("responses:resume"), {"code": started.code})
    assert res.status_code == 302 and res.url == RESULT


@pytest.mark.parametrize("code", ["", "AAAA-BBBB", "AAAA-BBBB-CCCC-DDDD-EEEE", "x" * 500, "\x00"])
def test_a_wrong_code_is_a_form_error(client, code):
    make_wave()
    res = client.post(reverse("responses:resume"), {"code": code})
    assert res.status_code == 200
    html = res.content.decode()
    assert 'class="error-summary"' in html and 'href="#resume-code"' in html and 'aria-invalid="true"' in html
    assert "response_id" not in client.session


def test_resume_attempts_are_limited_per_session(started):
    browser = Client()
    for _ in range(10):
        assert browser.post(reverse("responses:resume"), {"code": "AAAA-BBBB-CCCC-DDDD-EEEE"}).status_code == 200
    res = browser.post(reverse("responses:resume"), {"code": started.code})
    assert res.status_code == 429 and "For mange forsøk" in res.content.decode()
    assert "response_id" not in browser.session


def test_do_withdraw_deletes_the_response_and_its_answers(started, wave):
    answer_all(started, wave)
    started.post(reverse("responses:submit"))
    response = only_response()
    assert do_withdraw(response.pk) is True
    assert do_withdraw(response.pk) is False  # a second click finds nothing to delete
    assert Response.objects.count() == 0
    res = Client().post(reverse("responses:resume"), {"code": started.code})
    assert res.status_code == 200  # the code no longer finds anything
    assert started.get(reverse("responses:continue")).status_code == 404
    assert "response_id" not in started.session


def test_the_whole_flow_in_english(client):
    wave = make_wave()
    client.get(reverse("responses:link", args=[make_link(wave).token]))
    language = client.get(reverse("responses:language")).content.decode()
    english = re.search(r'href="([^"]+)" lang="en"', language).group(1)
    consent_page = client.get(english).content.decode()
    assert "Before you start" in consent_page and '<html lang="en">' in consent_page
    code = consent(client)
    first = client.get(reverse("responses:page", args=[1])).content.decode()
    assert "Page 1 of 14" in first and "About your work situation" in first and "Next" in first
    answer_all(client, wave)
    review = client.get(reverse("responses:submit")).content.decode()
    assert "You have answered 87 of 87 questions." in review and code in review
    assert client.post(reverse("responses:submit")).url == RESULT
    assert only_response().lang == "en" and only_response().submitted
