"""A person's own result page: only with its session, in the response's language, with every part."""

from __future__ import annotations

import re
import uuid

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from homeoffice.instruments import load_instrument
from homeoffice.measures import recommend_for_respondent
from homeoffice.web.scoring import result_row
from tests.web.factories_results import make_response, make_wave, own

pytestmark = pytest.mark.django_db

PERSONAL_URLS = [
    reverse("results:mine"),
    reverse("results:chart"),
    reverse("results:scores_chart", kwargs={"axis": "pwe"}),
    reverse("results:pdf"),
]


def _row(html: str, name: str) -> str:
    """The table row whose row header starts with ``name``."""
    match = re.search(r'<tr[^>]*>\s*<th scope="row">' + re.escape(name) + r"\b.*?</tr>", html, re.S)
    assert match, f"no row for {name}"
    return match.group(0)


def test_own_result_is_shown_to_its_session_only_and_never_cached(client):
    response = make_response(good=True, wave=make_wave(name="Vårbølgen Ø"))
    page = own(client, response).get(reverse("results:mine"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ditt resultat" in html and "Vårbølgen Ø" in html and "27. november 2025" in html
    assert "no-store" in page["Cache-Control"]


@pytest.mark.parametrize("url", PERSONAL_URLS)
def test_without_a_session_every_result_url_is_not_found(client, url):
    make_response()
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("forged", [str(uuid.uuid4()), "not-a-uuid", "", "1 OR 1=1"])
def test_a_forged_or_stale_session_id_is_not_found_never_an_error(client, forged):
    make_response()
    session = client.session
    session["response_id"] = forged
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    for url in PERSONAL_URLS:
        assert client.get(url).status_code == 404, url


def test_another_session_sees_its_own_result_not_the_first_ones():
    first = make_response(good=True, wave=make_wave(name="Bølge Alfa"))
    second = make_response(good=False, wave=make_wave(name="Bølge Beta"))
    alice, bob = own(Client(), first), own(Client(), second)
    alice_html = alice.get(reverse("results:mine")).content.decode()
    bob_html = bob.get(reverse("results:mine")).content.decode()
    assert "Bølge Alfa" in alice_html and "Bølge Beta" not in alice_html
    assert "Bølge Beta" in bob_html and "Bølge Alfa" not in bob_html
    assert Client().get(reverse("results:mine")).status_code == 404


def test_a_tampered_session_cookie_is_not_accepted(client):
    response = make_response()
    own(client, response)
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.cookies[settings.SESSION_COOKIE_NAME] = value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB")
    assert client.get(reverse("results:mine")).status_code == 404


def test_answers_not_yet_submitted_go_back_to_the_flow(client):
    response = make_response(submitted=False)
    for url in PERSONAL_URLS:
        answer = own(client, response).get(url)
        assert answer.status_code == 302, url
        assert answer["Location"] == reverse("responses:continue")


def test_thesis_like_extreme_answers_give_situation_4_and_situation_1(client):
    good = own(Client(), make_response(good=True)).get(reverse("results:mine")).content.decode()
    bad = own(Client(), make_response(good=False)).get(reverse("results:mine")).content.decode()
    assert "Du er i situasjon 4: den optimale situasjonen." in good
    assert "Din jobbsituasjon: aktiv (høye krav, høy kontroll)" in good
    assert "Du er i situasjon 1: lavt arbeidsmiljø og lav produktivitet." in bad
    assert "Din jobbsituasjon: høystress (høye krav, lav kontroll)" in bad
    assert "(iso-strain)" in bad and "(iso-strain)" not in good
    assert "negative handlinger på jobb ukentlig eller oftere" in bad
    # high strain and negative acts hold the PWE level low whatever the index: the page says the index
    assert "PWE-indeksen din er 0 og produktivitetsindeksen 0" in bad
    assert "PWE-indeksen din er 100 og produktivitetsindeksen 100" in good


def test_english_response_gets_the_page_in_english(client):
    html = own(client, make_response(good=True, lang="en")).get(reverse("results:mine")).content.decode()
    assert '<html lang="en">' in html
    assert "Your result" in html and "You are in situation 4: the optimal situation." in html
    assert "Ditt resultat" not in html
    assert "Points to bring to a conversation with your manager" in html


def test_every_scale_and_composite_is_listed_grouped_by_axis(client):
    html = own(client, make_response(good=True)).get(reverse("results:mine")).content.decode()
    instrument = load_instrument("standard")
    for score_id in instrument.score_ids:
        assert f'<th scope="row">{instrument.name(score_id, "nb")}' in html, score_id
    pwe, productivity = html.index('id="axis-pwe"'), html.index('id="axis-productivity"')
    assert pwe < html.index(">Evneutnyttelse") < productivity < html.index(">Arbeidsro")


def test_readings_follow_each_scales_direction(client):
    bad = own(Client(), make_response(good=False)).get(reverse("results:mine")).content.decode()
    good = own(Client(), make_response(good=True)).get(reverse("results:mine")).content.decode()

    def reading(html: str, name: str) -> str:
        row = _row(html, name)
        verdict = re.search(r'<span class="reading reading-(\w+)">([^<]+)</span>', row)
        hint = re.search(r'<span class="hint">\(([^)]+)\)</span>', row)
        return f"{verdict.group(1)}: {verdict.group(2)} ({hint.group(1)})"

    # resource: higher is better
    assert reading(bad, "Evneutnyttelse") == "weak: Svakt (høyere er bedre)"
    assert reading(good, "Evneutnyttelse") == "good: Bra (høyere er bedre)"
    # risk: lower is better
    assert reading(bad, "Sosial isolasjon") == "weak: En risiko (lavere er bedre)"
    assert reading(good, "Sosial isolasjon") == "good: Bra (lavere er bedre)"
    # demands: neither good nor bad alone
    assert reading(good, "Jobbkrav") == "high: Høye krav (sunt med høy kontroll)"
    assert re.search(r'class="num">100<', _row(bad, "Sosial isolasjon"))


def test_charts_are_images_with_text_alternatives_and_the_page_has_no_inline_style_or_script(client):
    own(client, make_response(good=False))
    html = client.get(reverse("results:mine")).content.decode()
    assert "<script" not in html and "style=" not in html and "<svg" not in html
    model = re.search(r'<img src="/result/chart.svg" alt="([^"]+)"', html)
    assert model and "situasjon 1" in model.group(1)
    bars = re.findall(r'<img src="(/result/scores-\w+\.svg)" width="\d+" height="\d+" alt="([^"]+)"', html)
    assert {src for src, _ in bars} == {"/result/scores-pwe.svg", "/result/scores-productivity.svg"}
    assert all("tabellen under" in alt for _, alt in bars)
    assert "<table" in html and "Den vannrette aksen er PWE-indeksen" in html


@pytest.mark.parametrize("url", ["/result/chart.svg", "/result/scores-pwe.svg", "/result/scores-productivity.svg"])
def test_chart_urls_return_svg_with_a_policy_of_their_own(client, url):
    own(client, make_response(good=True, lang="en"))
    answer = client.get(url)
    assert answer.status_code == 200
    assert answer["Content-Type"] == "image/svg+xml"
    body = answer.content.decode()
    assert "<svg" in body and "<script" not in body
    assert "script-src" not in answer["Content-Security-Policy"]
    assert answer["Content-Security-Policy"].startswith("default-src 'none'")
    assert "no-store" in answer["Cache-Control"]


def test_phones_get_the_compact_model_chart(client):
    own(client, make_response(good=True, lang="nb"))
    html = client.get(reverse("results:mine")).content.decode()
    assert '<source media="(max-width: 600px)" srcset="/result/chart.svg?size=compact">' in html
    full = client.get("/result/chart.svg").content.decode()
    compact = client.get("/result/chart.svg?size=compact").content.decode()
    assert 'width="288pt"' in compact and 'width="288pt"' not in full  # four inches
    assert ">Du<" in compact and "Løft begge" in full and "Løft begge" not in compact
    assert client.get("/result/chart.svg?size=huge").content.decode() == full


def test_model_chart_marks_the_person_and_an_unknown_chart_is_not_found(client):
    own(client, make_response(good=True, lang="en"))
    assert ">You<" in client.get("/result/chart.svg").content.decode()
    assert client.get("/result/scores-other.svg").status_code == 404  # standard has no "other" scales
    assert client.get("/result/scores-nope.svg").status_code == 404


def test_measures_are_the_engines_with_who_acts(client):
    response = make_response(good=False)
    html = own(client, response).get(reverse("results:mine")).content.decode()
    recommendations = recommend_for_respondent(result_row(response.result), load_instrument("standard"), lang="nb")
    assert recommendations
    positions = [html.index(f"<h3>{r.title}</h3>") for r in recommendations]
    assert positions == sorted(positions)  # in rank order
    assert "Hvem gjør noe: lederen din" in html and "Hvem gjør noe: du selv" in html
    assert html.count("<details>") == len(recommendations)  # a "why" under each


def test_a_long_list_of_measures_shows_five_and_folds_the_rest_in_order(client):
    response = make_response(good=False)
    html = own(client, response).get(reverse("results:mine")).content.decode()
    ranked = recommend_for_respondent(result_row(response.result), load_instrument("standard"), lang="nb")
    titles = [r.title for r in ranked]
    assert len(titles) > 5  # a weak result: many measures fit
    fold = html.index('<details class="more-measures">')
    assert all(html.index(f"<h3>{title}</h3>") < fold for title in titles[:5])
    assert all(html.index(f"<h3>{title}</h3>") > fold for title in titles[5:])
    assert f"Vis flere tiltak som passer litt mindre godt ({len(titles) - 5})" in html
    assert '<ol class="measures" start="6">' in html  # the numbering goes on inside the fold


def test_a_short_list_of_measures_has_nothing_to_fold(client):
    response = make_response(good=True)
    html = own(client, response).get(reverse("results:mine")).content.decode()
    n = len(recommend_for_respondent(result_row(response.result), load_instrument("standard"), lang="nb"))
    assert n <= 5
    assert "more-measures" not in html


def test_dialogue_has_four_to_eight_points_each_citing_the_thesis(client):
    for good in (True, False):
        html = own(Client(), make_response(good=good)).get(reverse("results:mine")).content.decode()
        block = html[html.index('<ul class="dialogue">') : html.index("</ul>", html.index('<ul class="dialogue">'))]
        items = re.findall(r"<li>(.*?)</li>", block, re.S)
        assert 4 <= len(items) <= 8
        assert all(re.search(r'<span class="cite">\(oppgaven [0-9][0-9., ]*\)</span>', i) for i in items)


def test_caveat_and_cut_policy_are_stated(client):
    html = own(client, make_response(good=True)).get(reverse("results:mine")).content.decode()
    assert "produktets egen operasjonalisering" in html and "Den er ikke en validert skala." in html
    assert "Grensene: fast grense (midten av skalaen), 50 på alle akser." in html
    assert "100 minus jobbusikkerhet" in html


def test_result_page_offers_the_pdf_and_withdrawal_with_csrf(client):
    html = own(client, make_response()).get(reverse("results:mine")).content.decode()
    assert f'href="{reverse("results:pdf")}"' in html
    form = re.search(r'<form method="post" action="/result/withdraw/">(.*?)</form>', html, re.S)
    assert form and "csrfmiddlewaretoken" in form.group(1)


def test_result_views_only_read(client):
    own(client, make_response())
    assert client.post(reverse("results:mine")).status_code == 405
