"""The question pages: accessible markup, progress, saving page by page, forged values, CSRF."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from homeoffice.instruments import instrument_from_dict, load_instrument
from homeoffice.web.responses.forms import OPEN_MAX_CHARS, item_options
from tests.web.factories_flow import claim, consent, make_invitation, make_link, make_wave, only_response

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(client):
    """A client that has opened an anonymous link of the standard instrument and consented."""
    wave = make_wave()
    client.get(reverse("responses:link", args=[make_link(wave).token]))
    consent(client, lang="nb")
    return client


def page_html(client, number, **query) -> str:
    url = reverse("responses:page", args=[number])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    res = client.get(url)
    assert res.status_code == 200
    return res.content.decode()


def test_each_item_is_a_fieldset_with_a_legend_and_labelled_radios(started):
    html = page_html(started, 2)
    fieldsets = re.findall(r"<fieldset id=\"item-(\w+)\".*?</fieldset>", html, re.S)
    assert fieldsets == ["wl1", "wl2", "wl3", "pace1", "pace2", "pace3"]
    wl1 = re.search(r'<fieldset id="item-wl1".*?</fieldset>', html, re.S).group(0)
    assert "<legend>" in wl1
    radios = re.findall(r'<input type="radio" id="(q-wl1-\d)" name="wl1" value="(\d)"', wl1)
    assert [v for _, v in radios] == ["1", "2", "3", "4", "5"]
    for rid, _ in radios:
        assert f'<label for="{rid}">' in wl1
    assert "Aldri" in wl1 and "Svært ofte" in wl1


def test_the_progress_indicator_says_which_page_of_how_many(started):
    html = page_html(started, 3)
    assert "Side 3 av 14" in html
    assert re.search(r'<progress max="14" value="3"[^>]*>Side 3 av 14</progress>', html)
    assert "<title>Side 3 av 14" in html
    assert "Page 3 of 14" in page_html(started, 3, lang="en")


def test_the_not_applicable_option_is_offered_where_the_response_set_has_one(started):
    html = page_html(started, 4)
    soc3 = re.search(r'<fieldset id="item-soc3".*?</fieldset>', html, re.S).group(0)
    assert 'value="9"' in soc3 and "Ikke aktuelt – jeg har ingen leder" in soc3
    auth1 = re.search(r'<fieldset id="item-auth1".*?</fieldset>', html, re.S).group(0)
    assert 'value="9"' not in auth1


def test_a_0_to_10_item_has_eleven_radios_and_its_help_is_linked(started):
    html = page_html(started, 13)
    perf = re.search(r'<fieldset id="item-perf_self"([^>]*)>.*?</fieldset>', html, re.S)
    values = re.findall(r'name="perf_self" value="(\d+)"', perf.group(0))
    assert values == [str(v) for v in range(11)]
    described = re.search(r'aria-describedby="([^"]+)"', perf.group(1)).group(1).split()
    assert described == ["perf_self-help"]  # its help text explains 0 and 10
    for ref in described:
        assert f'id="{ref}"' in perf.group(0)


def test_a_number_row_without_help_explains_its_end_points():
    data = load_instrument("standard").spec.model_dump()
    next(i for i in data["items"] if i["id"] == "perf_self")["help"] = None
    instrument = instrument_from_dict(data)
    options, numeric, anchors = item_options(instrument.items_by_id["perf_self"], instrument, "en")
    assert numeric and [o.label for o in options] == [str(v) for v in range(11)]
    assert anchors == "0 = Very poorly, 10 = Very well"
    options, numeric, anchors = item_options(instrument.items_by_id["ctx_days_home"], instrument, "en")
    assert not numeric and options[0].label == "No days" and anchors == ""


def test_context_questions_come_first_and_open_questions_are_textareas_with_a_limit(started):
    html = page_html(started, 1)
    assert "Om arbeidssituasjonen din" in html and 'name="ctx_days_home"' in html
    last = page_html(started, 14)
    assert re.search(
        rf'<textarea id="q-open_works_well" name="open_works_well" rows="6" maxlength="{OPEN_MAX_CHARS}"', last
    )
    assert '<label for="q-open_works_well"' in last
    assert "Back" not in page_html(started, 1, lang="en").split("<form", 1)[1].split("Next", 1)[0]


def test_next_saves_the_page_and_moves_on(started):
    res = started.post(reverse("responses:page", args=[2]), {"wl1": "4", "wl2": "9", "action": "next"})
    assert res.status_code == 200  # 9 is not a code of wl1's response set
    res = started.post(reverse("responses:page", args=[2]), {"wl1": "4", "pace3": "2", "action": "next"})
    assert res.status_code == 302 and res.url == reverse("responses:page", args=[3])
    response = only_response()
    assert response.answers == {"wl1": 4, "pace3": 2} and response.page == 3
    again = page_html(started, 2)
    assert re.search(r'id="q-wl1-4" name="wl1" value="4" checked', again)


def test_back_and_save_later(started):
    res = started.post(reverse("responses:page", args=[5]), {"ins1": "2", "action": "back"})
    assert res.url == reverse("responses:page", args=[4])
    assert only_response().page == 4 and only_response().answers == {"ins1": 2}
    res = started.post(reverse("responses:page", args=[6]), {"neg1": "1", "action": "save"})
    assert res.url == reverse("responses:saved")
    response = only_response()
    assert response.page == 6 and response.answers == {"ins1": 2, "neg1": 1}


def test_an_answer_can_be_changed_and_not_applicable_is_stored_as_its_code(started):
    url = reverse("responses:page", args=[4])
    started.post(url, {"soc3": "5", "action": "next"})
    started.post(url, {"soc3": "9", "action": "next"})
    assert only_response().answers == {"soc3": 9}


def test_an_answer_left_out_when_a_page_is_sent_again_is_removed(started):
    url = reverse("responses:page", args=[2])
    started.post(url, {"wl1": "4", "wl2": "3", "action": "next"})
    started.post(url, {"wl2": "3", "action": "next"})
    assert only_response().answers == {"wl2": 3}
    url = reverse("responses:page", args=[14])
    started.post(url, {"open_works_well": "Ro", "open_would_help": "Skjerm", "action": "next"})
    started.post(url, {"open_works_well": "", "open_would_help": "Skjerm", "action": "next"})
    assert only_response().open_answers == {"open_would_help": "Skjerm"}


def test_answering_is_voluntary(started):
    res = started.post(reverse("responses:page", args=[2]), {"action": "next"})
    assert res.status_code == 302
    assert only_response().answers == {}


@pytest.mark.parametrize(
    "data",
    [
        {"wl1": "6"},
        {"wl1": "abc"},
        {"wl1": "-1"},
        {"wl1": "1.5"},
        {"wl1": "1\x00"},
        {"wl1": "９"},  # a full-width digit
    ],
)
def test_forged_values_give_a_form_error_not_a_crash(started, data):
    res = started.post(reverse("responses:page", args=[2]), {**data, "wl2": "3", "action": "next"})
    assert res.status_code == 200
    html = res.content.decode()
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S).group(0)
    assert 'href="#q-wl1-1"' in summary and "Velg ett av svaralternativene" in summary
    assert re.search(r'id="q-wl1-1" name="wl1" value="1" aria-invalid="true"', html)
    assert 'aria-invalid="true"' not in re.search(r'<fieldset id="item-wl2".*?</fieldset>', html, re.S).group(0)
    assert "<title>Feil:" in html
    assert only_response().answers == {}  # nothing of a page with an error is saved


def test_unknown_fields_and_actions_are_ignored(started):
    res = started.post(reverse("responses:page", args=[2]), {"wl1": "2", "not_an_item": "5", "action": "explode"})
    assert res.status_code == 302 and res.url == reverse("responses:page", args=[3])
    assert only_response().answers == {"wl1": 2}


def test_open_answers_are_saved_and_limited_to_2000_characters(started):
    url = reverse("responses:page", args=[14])
    res = started.post(url, {"open_works_well": "x" * (OPEN_MAX_CHARS + 1), "action": "next"})
    assert res.status_code == 200
    html = res.content.decode()
    assert "Teksten er for lang" in html and "2001" in html and 'href="#q-open_works_well"' in html
    text = "Ro og fokus.\r\n" + "y" * (OPEN_MAX_CHARS - 14)  # 2000 characters once CRLF counts as one
    res = started.post(url, {"open_works_well": text, "open_would_help": "  ", "action": "next"})
    assert res.status_code == 302 and res.url == reverse("responses:submit")
    response = only_response()
    assert response.open_answers == {"open_works_well": text.replace("\r\n", "\n")}
    assert "Ro og fokus." in page_html(started, 14)


def test_a_page_outside_the_plan_is_not_found(started):
    assert started.get(reverse("responses:page", args=[0])).status_code == 404
    assert started.get(reverse("responses:page", args=[15])).status_code == 404


def test_questions_need_consent_first(client):
    wave = make_wave()
    _, token = make_invitation(wave)
    claim(client, token)
    res = client.get(reverse("responses:page", args=[1]))
    assert res.status_code == 302 and res.url == reverse("responses:consent")
    res = client.post(reverse("responses:page", args=[1]), {"ctx_room": "1"})
    assert res.url == reverse("responses:consent")
    assert only_response().answers == {}


def test_a_post_without_the_csrf_token_is_refused():
    wave = make_wave()
    browser = Client(enforce_csrf_checks=True)
    browser.get(reverse("responses:link", args=[make_link(wave).token]))
    assert browser.post(reverse("responses:consent"), {"consent": "on"}).status_code == 403
    form = browser.get(reverse("responses:consent")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    res = browser.post(reverse("responses:consent"), {"consent": "on", "csrfmiddlewaretoken": token})
    assert res.status_code == 302
    assert browser.post(reverse("responses:page", args=[1]), {"ctx_room": "1"}).status_code == 403
    assert browser.post(reverse("responses:submit")).status_code == 403
    assert browser.post(reverse("responses:resume"), {"code": "X"}).status_code == 403
    assert only_response().answers == {}


def test_the_language_can_be_switched_on_any_page(started):
    html = page_html(started, 2)
    assert '<a class="lang-switch" href="?lang=en" lang="en" hreflang="en">In English</a>' in html
    en = page_html(started, 2, lang="en")
    assert "Strongly disagree" in en and '<html lang="en">' in en
    started.post(reverse("responses:page", args=[2]), {"action": "next"})
    assert only_response().lang == "en"


def test_a_closed_wave_stops_answering(started):
    response = only_response()
    wave = response.wave
    wave.closes_on = wave.opens_on
    wave.save()
    res = started.post(reverse("responses:page", args=[2]), {"wl1": "3", "action": "next"})
    assert res.status_code == 200 and "Undersøkelsen er avsluttet" in res.content.decode()
    assert only_response().answers == {}


def test_a_rotated_secret_key_with_the_old_one_as_fallback_keeps_people_in_their_survey(started):
    from django.conf import settings
    from django.test import override_settings

    url = reverse("responses:page", args=[1])
    with override_settings(SECRET_KEY="rotated-" + "z" * 50, SECRET_KEY_FALLBACKS=[settings.SECRET_KEY]):
        assert started.get(url).status_code == 200
    with override_settings(SECRET_KEY="rotated-" + "z" * 50, SECRET_KEY_FALLBACKS=[]):
        lost = started.get(url)  # without the fallback the session is gone: the page asks for the resume code
        assert lost.status_code == 404 and 'name="code"' in lost.content.decode()
