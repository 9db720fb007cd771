"""A page save without Django's request stack: the plain case of ``POST /answer/<n>/``.

A page save is 14 of the 15 POSTs of a ``standard`` survey. Through Django's handler, middleware,
form and URL machinery one cost ~1.5 ms of CPU and two queries, against ~0.3 ms for a page that
does nothing, which decided issue 3's load target (submissions at 40% of a bare page's
throughput). This WSGI wrapper does the same work in a few plain steps, when every step is the
plain case:

1. the request: ``POST`` to ``/answer/<n>/`` with no query string, a url-encoded body within
   Django's size and field limits, an allowed ``Host``, HTTPS when the site redirects to it;
2. CSRF as Django's ``CsrfViewMiddleware`` checks it: an ``Origin`` header, when sent, is this
   site; the form's token matches the cookie's secret (Django's own token functions);
3. the session (Django's session engine) names a response, a language and the response's wave
   (``views.session_response`` keeps it in step); the wave, on a built-in instrument, offers the
   language and is open today, and the page exists;
4. every answer is one of the item's codes or empty, every open answer free of NUL characters and
   not too long (the rules of ``PageForm``, proven equal in the tests);
5. one conditional write (``store.save_page_if_open``) merges the page only while the response is
   consented, not submitted and in that wave.

The wave's rule (instrument, languages, dates) is read at most every ``WAVE_RULE_SECONDS`` per
server process, not on every save (on PostgreSQL the join to the wave was half the database's
work of a save): a change of a wave's dates or languages reaches page saves within seconds (at
once in the process that saved it). Answers saved in that window belong to a response that is
not submitted, and only submitted responses count; the submit itself always reads the wave.

Then it answers the view's redirect with the same security headers. Anything else - a form error,
no session, a closed wave, a submitted response, a forged token, a database error - goes on,
untouched and with nothing written, to Django, which shows the page, the error or the 403 as
before. Off with ``HOMEOFFICE_QUICK_SAVE=0``, and off by itself on databases other than SQLite and
PostgreSQL and under settings it does not reproduce (CSRF in the session, server-side sessions,
``USE_X_FORWARDED_HOST``, a script prefix, ``SESSION_SAVE_EVERY_REQUEST``,
``DISALLOWED_USER_AGENTS``, ``PREPEND_WWW``).
"""

from __future__ import annotations

import io
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from importlib import import_module
from urllib.parse import parse_qsl

from django.conf import settings
from django.core import signals
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http.cookie import parse_cookie
from django.http.request import split_domain_port, validate_host
from django.middleware.csrf import InvalidTokenFormat, _check_token_format, _does_token_match
from django.urls import get_resolver, get_script_prefix, reverse
from django.utils import timezone

from homeoffice.instruments.loader import builtin_ids
from homeoffice.web.i18n import LANGS, catalogue
from homeoffice.web.middleware import extra_headers
from homeoffice.web.responses import store
from homeoffice.web.responses.forms import OPEN_MAX_CHARS, page_questions
from homeoffice.web.responses.pages import plan_for
from homeoffice.web.surveys.models import Wave

log = logging.getLogger(__name__)

WAVE_RULE_SECONDS = 5.0
_wave_rules: dict[int, tuple[float, store.WaveRule | None]] = {}
_clock = time.monotonic

PAGE_PATH = re.compile(r"/answer/([1-9][0-9]{0,3})/")
FORM_TYPE = "application/x-www-form-urlencoded"
WSGIApp = Callable[[dict, Callable], Iterable[bytes]]


@dataclass(frozen=True)
class PageRule:
    """What ``PageForm`` accepts on one page: each item's codes (as sent), the open questions."""

    codes: dict[str, frozenset[str]]
    open_ids: tuple[str, ...]


@cache
def page_rule(instrument_id: str, number: int) -> PageRule:
    instrument, plan = plan_for(instrument_id)
    questions = page_questions(plan[number - 1], instrument, "en")  # codes do not depend on language
    return PageRule(
        codes={q.id: frozenset(o.value for o in q.options) for q in questions if q.kind == "choice"},
        open_ids=tuple(q.id for q in questions if q.kind == "open"),
    )


def clean_page(form: dict[str, str], rule: PageRule) -> tuple[dict[str, int | None], dict[str, str]] | None:
    """``PageForm(...).answers()`` when the form is valid, else None (Django shows the errors).

    An empty or missing answer removes the stored one; open text is stripped, CRLF counts as one
    character, and at most ``OPEN_MAX_CHARS`` are kept (more is an error, as is a NUL character).
    """
    closed: dict[str, int | None] = {}
    for qid, codes in rule.codes.items():
        value = form.get(qid, "")
        if value == "":
            closed[qid] = None
        elif value in codes:
            closed[qid] = int(value)
        else:
            return None
    opened: dict[str, str] = {}
    for qid in rule.open_ids:
        value = form.get(qid, "")
        if "\x00" in value:
            return None
        value = value.strip().replace("\r\n", "\n")
        if len(value) > OPEN_MAX_CHARS:
            return None
        opened[qid] = value
    return closed, opened


@dataclass(frozen=True)
class _Config:
    """The settings a quick save reads, taken once (reading ``settings`` costs on every access)."""

    allowed_hosts: tuple[str, ...]
    proxy_ssl_header: tuple[str, str] | None
    ssl_redirect: bool
    max_body: int | None
    max_fields: int | None
    csrf_cookie: str
    session_cookie: str
    session_store: type

    @classmethod
    def load(cls) -> _Config | None:
        """The settings, or None when the quick path does not reproduce them exactly."""
        if not (
            settings.HOMEOFFICE_QUICK_SAVE
            and connection.vendor in ("sqlite", "postgresql")
            and settings.SESSION_ENGINE == "django.contrib.sessions.backends.signed_cookies"
            and not settings.CSRF_USE_SESSIONS
            and not settings.USE_X_FORWARDED_HOST
            and not settings.FORCE_SCRIPT_NAME
            and not settings.SESSION_SAVE_EVERY_REQUEST
            and not settings.DISALLOWED_USER_AGENTS
            and not settings.PREPEND_WWW
            and settings.ALLOWED_HOSTS
        ):
            return None
        return cls(
            allowed_hosts=tuple(settings.ALLOWED_HOSTS),
            proxy_ssl_header=settings.SECURE_PROXY_SSL_HEADER,
            ssl_redirect=settings.SECURE_SSL_REDIRECT,
            max_body=settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
            max_fields=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
            csrf_cookie=settings.CSRF_COOKIE_NAME,
            session_cookie=settings.SESSION_COOKIE_NAME,
            session_store=import_module(settings.SESSION_ENGINE).SessionStore,
        )

    def scheme(self, environ: dict) -> str:
        """``HttpRequest.scheme``: the proxy's header when configured, else the WSGI scheme."""
        if self.proxy_ssl_header:
            header, secure_value = self.proxy_ssl_header
            value = environ.get(header)
            if value is not None:
                return "https" if value.split(",", 1)[0].strip() == secure_value else "http"
        return environ.get("wsgi.url_scheme", "http")

    def read_form(self, environ: dict) -> dict[str, str] | None:
        """The url-encoded body as Django's ``request.POST.get`` sees it (the last value of a
        name), or None when Django should parse it. The body stays readable for Django."""
        ctype = environ.get("CONTENT_TYPE", "").split(";", 1)
        if ctype[0].strip().lower() != FORM_TYPE or (len(ctype) > 1 and ctype[1].strip().lower() != "charset=utf-8"):
            return None
        try:
            length = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:
            return None
        if length < 0 or (self.max_body is not None and length > self.max_body):
            return None
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        if len(body) != length:
            return None
        try:
            return dict(parse_qsl(body.decode(), keep_blank_values=True, max_num_fields=self.max_fields))
        except (UnicodeDecodeError, ValueError):
            return None

    def csrf_passes(self, environ: dict, cookies: dict[str, str], form: dict[str, str], scheme: str, host: str) -> bool:
        """``CsrfViewMiddleware.process_view`` for a POST, the plain cases only (others: Django)."""
        origin = environ.get("HTTP_ORIGIN")
        if origin is None and scheme == "https":
            return False  # Django checks the Referer then
        if origin is not None and origin != f"{scheme}://{host}":
            return False
        secret = cookies.get(self.csrf_cookie, "")
        token = form.get("csrfmiddlewaretoken", "")
        if len(secret) != 32 or not token:
            return False
        try:
            _check_token_format(secret)
            _check_token_format(token)
        except InvalidTokenFormat:
            return False
        return _does_token_match(token, secret)


class QuickPageSave:
    """WSGI wrapper: page saves that need nothing but a save, without Django's stack."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app
        self._config: _Config | bool | None = False  # False: not read yet

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST" or environ.get("QUERY_STRING") or environ.get("SCRIPT_NAME"):
            return self.app(environ, start_response)
        match = PAGE_PATH.fullmatch(environ.get("PATH_INFO", ""))
        if match is None:
            return self.app(environ, start_response)
        if self._config is False:
            self._config = _Config.load()
        if self._config is None:
            return self.app(environ, start_response)
        signals.request_started.send(sender=self.__class__, environ=environ)
        # No health-check query first (one round trip of three on PostgreSQL): on a dead connection
        # the read fails, and the full stack, which checks and reconnects, takes the request.
        connection.health_check_done = True
        try:
            location, secure = self._save(self._config, environ, int(match.group(1)))
        except Exception as exc:  # the full stack answers (and, for a bug, logs) what went wrong here
            log.warning("quick page save failed (%s); the full stack takes the request", type(exc).__name__)
            location, secure = None, False
        finally:
            signals.request_finished.send(sender=self.__class__)
        if location is None:
            return self.app(environ, start_response)
        headers = [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Location", location),
            ("Content-Length", "0"),
            ("Vary", "Cookie, Accept-Language"),
            *extra_headers(secure),
        ]
        start_response("302 Found", headers)
        return [b""]

    def _save(self, config: _Config, environ: dict, number: int) -> tuple[str | None, bool]:
        """Save the page and return (where to go, is HTTPS), or (None, _) for Django to handle."""
        scheme = config.scheme(environ)
        secure = scheme == "https"
        host = environ.get("HTTP_HOST", "")
        domain, _ = split_domain_port(host)
        if not domain or not validate_host(domain, config.allowed_hosts):
            return None, secure
        if config.ssl_redirect and not secure:
            return None, secure
        form = config.read_form(environ)
        if form is None:
            return None, secure
        cookies = parse_cookie(environ.get("HTTP_COOKIE", ""))
        if not config.csrf_passes(environ, cookies, form, scheme, host):
            return None, secure
        session = config.session_store(cookies.get(config.session_cookie))
        rid, lang, wave_id = session.get("response_id"), session.get("lang"), session.get("wave")
        if lang not in LANGS or not isinstance(wave_id, int):
            return None, secure
        try:
            uuid.UUID(str(rid))
        except ValueError:
            return None, secure
        rule = wave_rule(wave_id)
        if rule is None or rule.instrument_id not in builtin_ids() or not rule.takes(lang, timezone.localdate()):
            return None, secure
        instrument_id = rule.instrument_id
        _, plan = plan_for(instrument_id)
        if number > len(plan):
            return None, secure
        answers = clean_page(form, page_rule(instrument_id, number))
        if answers is None:
            return None, secure
        action = form.get("action")
        next_page = {"back": max(1, number - 1), "save": number}.get(action, number + 1)
        closed, opened = answers
        saved = store.save_page_if_open(
            rid,
            wave_id=wave_id,
            closed=closed,
            opened=opened,
            next_page=next_page,
            lang=lang,
        )
        if not saved:  # submitted, closed, withdrawn, ...: nothing written, the view says why
            return None, secure
        if action == "save":
            return _location("responses:saved"), secure
        if next_page > len(plan):
            return _location("responses:submit"), secure
        return _location("responses:page", next_page), secure


def wave_rule(wave_id: int) -> store.WaveRule | None:
    """The wave's rule as read at most ``WAVE_RULE_SECONDS`` ago in this process."""
    now = _clock()
    hit = _wave_rules.get(wave_id)
    if hit is not None and hit[0] > now:
        return hit[1]
    rule = store.wave_rule(wave_id)
    _wave_rules[wave_id] = (now + WAVE_RULE_SECONDS, rule)
    return rule


@receiver(post_save, sender=Wave)
@receiver(post_delete, sender=Wave)
def forget_wave_rule(sender: type, instance: Wave, **kwargs: object) -> None:
    """A wave saved or deleted in this process counts at once here."""
    _wave_rules.pop(instance.pk, None)


@cache
def _location(name: str, *args: int) -> str:
    """The path of a named URL, without the script prefix of whatever request ran before."""
    return "/" + reverse(name, args=args)[len(get_script_prefix()) :]


def warm_up() -> None:
    """Load what the first requests of a server process would: URLs and views, texts, instruments."""
    get_resolver().url_patterns  # noqa: B018 (imports every view)
    catalogue()
    for instrument_id in builtin_ids():
        _, plan = plan_for(instrument_id)
        for page in plan:
            page_rule(instrument_id, page.number)
