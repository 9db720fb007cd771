"""The quick page save (responses/quick_save.py): the same outcome as Django's page view for every
request, without Django's stack for the plain ones, and nothing written when it steps aside."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import DatabaseError, close_old_connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homeoffice.web.responses import quick_save, store
from homeoffice.web.responses.forms import OPEN_MAX_CHARS
from homeoffice.web.responses.models import Response
from homeoffice.web.responses.pages import plan_for
from homeoffice.web.responses.quick_save import QuickPageSave, clean_page, page_rule
from homeoffice.web.surveys.models import AnonymousLink, Wave
from tests.web.factories_flow import consent, make_link, make_wave

pytestmark = pytest.mark.django_db

INSTRUMENT, PLAN = plan_for("standard")
HOST = "testserver"


class Recorder:
    """Django's WSGI handler, counting the requests the quick path left to it."""

    def __init__(self) -> None:
        self.inner = WSGIHandler()
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.inner(environ, start_response)


@contextlib.contextmanager
def keeping_test_connection():
    """As Django's test client does: requests must not close the test's database connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def wsgi_post(app, client: Client, path: str, data: dict[str, str], **environ_extra) -> tuple[int, dict, bytes]:
    """POST as gunicorn would hand it to ``app``, with the client's cookies; (status, headers, body)."""
    body = urlencode(data).encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SCRIPT_NAME": "",
        "SERVER_NAME": HOST,
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": HOST,
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_COOKIE": "; ".join(f"{k}={m.value}" for k, m in client.cookies.items()),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
        **environ_extra,
    }
    got = {}

    def start_response(status, headers, exc_info=None):
        got["status"], got["headers"] = status, headers

    with keeping_test_connection():
        out = b"".join(app(environ, start_response))
    headers = {}
    for name, value in got["headers"]:
        if name.lower() == "set-cookie":
            cookie = SimpleCookie()
            cookie.load(value)
            for key, morsel in cookie.items():
                client.cookies[key] = morsel.value
        headers[name] = value
    return int(got["status"].split()[0]), headers, out


def respondent(wave) -> tuple[Client, str, Response]:
    """A person who opened the wave's link and consented: their client, CSRF token and response."""
    client = Client()
    link = AnonymousLink.objects.filter(wave=wave).first() or make_link(wave)
    client.get(reverse("responses:link", args=[link.token]))
    consent(client, lang="nb")
    page = client.get(reverse("responses:page", args=[1])).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = Response.objects.get(pk=client.session["response_id"])
    assert client.session["wave"] == wave.pk
    return client, token, response


def valid_form(number: int, token: str) -> dict[str, str]:
    page = PLAN[number - 1]
    form = {"csrfmiddlewaretoken": token, "action": "next"}
    for item_id in page.item_ids:
        form[item_id] = str(INSTRUMENT.response_set(INSTRUMENT.items_by_id[item_id]).min)
    for qid in page.open_ids:
        form[qid] = "Et fast kontorsted hjemme.\r\nOg en bedre stol."
    return form


def stored(response: Response) -> tuple:
    response.refresh_from_db()
    return response.answers, response.open_answers, response.page, response.lang, response.submitted_on


@pytest.fixture
def wave():
    return make_wave()


def test_a_plain_page_save_is_answered_without_django_and_stored(wave):
    client, token, response = respondent(wave)
    app = QuickPageSave(recorder := Recorder())
    status, headers, body = wsgi_post(app, client, "/answer/2/", valid_form(2, token))
    assert (status, headers["Location"], body) == (302, reverse("responses:page", args=[3]), b"")
    assert recorder.calls == 0
    answers, _, page, lang, _ = stored(response)
    assert answers == {i: 1 for i in PLAN[1].item_ids} and page == 3 and lang == "nb"


def test_the_quick_redirect_carries_the_headers_of_the_full_stack(wave):
    client, token, _ = respondent(wave)
    quick = wsgi_post(QuickPageSave(Recorder()), client, "/answer/2/", valid_form(2, token))[1]
    full = wsgi_post(WSGIHandler(), client, "/answer/2/", valid_form(2, token))[1]
    ignore = {"Set-Cookie", "Content-Language", "Vary"}
    assert {k: v for k, v in quick.items() if k not in ignore} == {k: v for k, v in full.items() if k not in ignore}
    assert set(quick["Vary"].replace(" ", "").split(",")) == set(full["Vary"].replace(" ", "").split(","))


def test_the_last_page_leads_to_the_review_and_save_to_the_saved_page(wave):
    client, token, response = respondent(wave)
    app = QuickPageSave(recorder := Recorder())
    last = len(PLAN)
    assert wsgi_post(app, client, f"/answer/{last}/", valid_form(last, token))[1]["Location"] == "/submit/"
    saved = {**valid_form(3, token), "action": "save"}
    assert wsgi_post(app, client, "/answer/3/", saved)[1]["Location"] == reverse("responses:saved")
    back = {**valid_form(3, token), "action": "back"}
    assert wsgi_post(app, client, "/answer/3/", back)[1]["Location"] == reverse("responses:page", args=[2])
    assert recorder.calls == 0
    assert stored(response)[1] == {q: "Et fast kontorsted hjemme.\nOg en bedre stol." for q in PLAN[-1].open_ids}


@pytest.mark.parametrize(
    "change",
    ["submitted", "closed", "not_consented", "language_dropped", "withdrawn"],
)
def test_a_response_that_cannot_take_the_page_goes_to_django_with_nothing_written(wave, change):
    client, token, response = respondent(wave)
    before = stored(response)
    if change == "submitted":
        Response.objects.filter(pk=response.pk).update(submitted_on=timezone.localdate())
    elif change == "closed":
        wave.closes_on = timezone.localdate() - dt.timedelta(days=1)
        wave.save()
    elif change == "not_consented":
        Response.objects.filter(pk=response.pk).update(consented=False)
    elif change == "language_dropped":
        wave.languages = "en"
        wave.save()
    else:
        Response.objects.filter(pk=response.pk).delete()
    calls = []

    def django_app(environ, start_response):
        calls.append(environ["wsgi.input"].read())  # the body is still there for Django to read
        start_response("418 I'm a teapot", [])
        return [b""]

    status, _, _ = wsgi_post(QuickPageSave(django_app), client, "/answer/2/", valid_form(2, token))
    assert status == 418 and len(calls) == 1 and calls[0].startswith(b"csrfmiddlewaretoken=")
    if change != "withdrawn":
        after = stored(response)
        assert after[:4] == before[:4]


def test_forged_or_foreign_requests_go_to_django_which_refuses_them(wave):
    client, token, response = respondent(wave)
    app = QuickPageSave(recorder := Recorder())
    bad = [
        ({**valid_form(2, token), "csrfmiddlewaretoken": "x" * 64}, {}),
        ({k: v for k, v in valid_form(2, token).items() if k != "csrfmiddlewaretoken"}, {}),
        (valid_form(2, token), {"HTTP_ORIGIN": "https://evil.example"}),
        (valid_form(2, token), {"HTTP_HOST": "evil.example"}),
    ]
    for form, extra in bad:
        status, _, _ = wsgi_post(app, client, "/answer/2/", form, **extra)
        assert status in (400, 403)
    assert recorder.calls == len(bad)
    assert stored(response)[0] == {}


def test_a_database_error_hands_the_request_to_django(wave, monkeypatch):
    client, token, response = respondent(wave)

    def broken(*args, **kwargs):
        raise DatabaseError("connection lost")

    monkeypatch.setattr(store, "save_page_if_open", broken)
    app = QuickPageSave(recorder := Recorder())
    status, headers, _ = wsgi_post(app, client, "/answer/2/", valid_form(2, token))
    assert (status, headers["Location"], recorder.calls) == (302, reverse("responses:page", args=[3]), 1)
    assert stored(response)[0] == {i: 1 for i in PLAN[1].item_ids}


def test_switched_off_every_page_save_goes_through_django(wave, settings):
    settings.HOMEOFFICE_QUICK_SAVE = False
    client, token, _ = respondent(wave)
    app = QuickPageSave(recorder := Recorder())
    assert wsgi_post(app, client, "/answer/2/", valid_form(2, token))[0] == 302
    assert recorder.calls == 1


def test_the_served_application_is_wrapped_and_warmed_up():
    import importlib

    from homeoffice.instruments.loader import builtin_ids
    from homeoffice.web import wsgi

    page_rule.cache_clear()
    importlib.reload(wsgi)  # what a new server process does
    assert isinstance(wsgi.application, QuickPageSave)
    pages = sum(len(plan_for(i)[1]) for i in builtin_ids())
    assert page_rule.cache_info().currsize == pages  # every page's rule is ready before the first save


def test_save_page_if_open_writes_only_to_a_consented_unsubmitted_response_of_the_wave(wave):
    _, _, response = respondent(wave)

    def save(wave_id=wave.pk) -> bool:
        page = {"closed": {"wl1": 2}, "opened": {}, "next_page": 3, "lang": "nb"}
        return store.save_page_if_open(response.pk, wave_id=wave_id, **page)

    assert not save(wave_id=make_wave().pk)
    Response.objects.filter(pk=response.pk).update(consented=False)
    assert not save()
    assert stored(response)[0] == {}
    Response.objects.filter(pk=response.pk).update(consented=True)
    assert save() and stored(response)[0] == {"wl1": 2}
    Response.objects.filter(pk=response.pk).update(submitted_on=timezone.localdate())
    assert not save()


def test_the_wave_rule_is_read_again_after_its_time_or_when_the_wave_is_saved_here(wave, monkeypatch):
    client, token, _ = respondent(wave)
    app = QuickPageSave(recorder := Recorder())
    assert wsgi_post(app, client, "/answer/2/", valid_form(2, token))[0] == 302 and recorder.calls == 0
    closed = timezone.localdate() - dt.timedelta(days=1)
    Wave.objects.filter(pk=wave.pk).update(closes_on=closed)  # as another server process would
    assert wsgi_post(app, client, "/answer/2/", valid_form(2, token))[0] == 302 and recorder.calls == 0
    now = quick_save._clock()
    monkeypatch.setattr(quick_save, "_clock", lambda: now + quick_save.WAVE_RULE_SECONDS + 0.1)
    assert wsgi_post(app, client, "/answer/2/", valid_form(2, token))[0] == 200  # the closed page
    assert recorder.calls == 1
    monkeypatch.undo()
    wave.refresh_from_db()
    wave.closes_on = timezone.localdate()
    wave.save()  # in this process: counts at once
    assert wsgi_post(app, client, "/answer/2/", valid_form(2, token))[0] == 302 and recorder.calls == 1


# --- the same outcome as Django for any form ----------------------------------------------------

MESSY_CODES = st.sampled_from(["", "0", "6", "9", " 3", "x", "3.0", "１"])
OPEN_TEXT = st.one_of(
    st.text(max_size=30),
    st.just("a\x00b"),
    st.just("  med mellomrom  \r\n"),
    st.just("x" * OPEN_MAX_CHARS),
    st.just("x" * (OPEN_MAX_CHARS + 1)),
    st.just("y\r\n" * (OPEN_MAX_CHARS // 2)),
)


@st.composite
def page_posts(draw):
    number = draw(st.sampled_from([1, 2, 5, len(PLAN) - 1, len(PLAN), len(PLAN) + 1]))
    form: dict[str, str] = {}
    page = PLAN[min(number, len(PLAN)) - 1]
    rule = page_rule("standard", page.number)
    messy = draw(st.booleans())  # else every answer is one the page accepts (or left out)
    for item_id in page.item_ids:
        valid = st.sampled_from([*sorted(rule.codes[item_id]), ""])
        value = draw(st.one_of(st.none(), st.one_of(valid, MESSY_CODES) if messy else valid))
        if value is not None:  # None: the question is not in the form
            form[item_id] = value
    for qid in page.open_ids:
        if draw(st.booleans()):
            form[qid] = draw(OPEN_TEXT if messy else st.text(max_size=30))
    action = draw(st.sampled_from(["next", "back", "save", "", "other", None]))
    if action is not None:
        form["action"] = action
    csrf = draw(st.sampled_from(["good", "good", "good", "good", "missing", "wrong"]))
    origin = draw(st.sampled_from([None, None, f"http://{HOST}", "http://elsewhere.example"]))
    if draw(st.booleans()):
        form["unknown_field"] = "ignored"
    return number, form, csrf, origin


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(post=page_posts())
def test_any_page_post_ends_as_it_would_through_django(wave, post):
    number, form, csrf, origin = post
    if wave.pk not in PEOPLE:  # hypothesis runs every example on the same wave: two people, reused
        PEOPLE[wave.pk] = (respondent(wave), respondent(wave))
    (quick_client, quick_token, quick_response), (full_client, full_token, full_response) = PEOPLE[wave.pk]
    for response in (quick_response, full_response):
        Response.objects.filter(pk=response.pk).update(answers={"wl1": 4}, open_answers={}, page=2, lang="nb")
    outcomes = []
    for app, client, token, response in (
        (QuickPageSave(recorder := Recorder()), quick_client, quick_token, quick_response),
        (WSGIHandler(), full_client, full_token, full_response),
    ):
        data = dict(form)
        if csrf == "good":
            data["csrfmiddlewaretoken"] = token
        elif csrf == "wrong":
            data["csrfmiddlewaretoken"] = "a" * 64
        extra = {"HTTP_ORIGIN": origin} if origin else {}
        status, headers, _ = wsgi_post(app, client, f"/answer/{number}/", data, **extra)
        outcomes.append((status, headers.get("Location"), stored(response)[:4]))
    assert outcomes[0] == outcomes[1]
    plain = (
        csrf == "good"
        and origin in (None, f"http://{HOST}")
        and number <= len(PLAN)
        and clean_page(form, page_rule("standard", number)) is not None
    )
    assert (recorder.calls == 0) == plain


PEOPLE: dict = {}


@pytest.fixture(autouse=True)
def _forget_people():
    quick_save._wave_rules.clear()  # ids come back after a rolled-back test
    yield
    PEOPLE.clear()
    quick_save._wave_rules.clear()


def test_clean_page_accepts_exactly_what_the_page_form_accepts():
    from homeoffice.web.responses.forms import PageForm, page_questions

    page = PLAN[-1] if PLAN[-1].open_ids else PLAN[1]
    questions = page_questions(page, INSTRUMENT, "nb")
    rule = quick_save.page_rule("standard", page.number)
    for text in ["", " a ", "a\r\nb", "a\x00", "z" * OPEN_MAX_CHARS, "z" * (OPEN_MAX_CHARS + 1), "\r\n" * 1500]:
        data = {q.id: text for q in questions}
        form = PageForm(data, questions=questions, lang="nb")
        assert (clean_page(data, rule) is not None) == form.is_valid()
        if form.is_valid():
            assert clean_page(data, rule) == form.answers()


KEYS = st.sampled_from(["wl1", "wl2", "pace1", "ctx_role"])
OPEN_KEYS = st.sampled_from(["open_best", "open_worst"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pages=st.lists(
        st.tuples(
            st.dictionaries(KEYS, st.one_of(st.none(), st.integers(0, 10)), max_size=4),
            st.dictionaries(OPEN_KEYS, st.sampled_from(["", "tekst", "annen tekst"]), max_size=2),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_page_saves_merge_like_dictionaries(wave, pages):
    """Whatever parts a page has (answers to add or remove, open answers or none), the stored
    answers are those of merging the pages in order; both saves, quick and full, agree."""
    if wave.pk not in PEOPLE:
        PEOPLE[wave.pk] = respondent(wave)
    response = PEOPLE[wave.pk][2]
    for save in ("save_page", "save_page_if_open"):
        Response.objects.filter(pk=response.pk).update(answers={}, open_answers={})
        expected, expected_open = {}, {}
        for closed, opened in pages:
            extra = {"wave_id": wave.pk} if save == "save_page_if_open" else {}
            assert getattr(store, save)(response.pk, closed=closed, opened=opened, next_page=2, lang="nb", **extra)
            expected = {k: v for k, v in {**expected, **closed}.items() if v is not None}
            expected_open = {k: v for k, v in {**expected_open, **opened}.items() if v}
        answers, open_answers, *_ = stored(response)
        assert (answers, open_answers) == (expected, expected_open)
