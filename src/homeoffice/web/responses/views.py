"""The answering flow: entry by link or invitation, language, consent, question pages, save and
resume, review and submit (issue 3, points 3-4).

Session contract: ``response_id`` (str of the person's own Response), ``lang`` ("nb" | "en"),
``resume_code`` (the plain code, only until it has been shown on the saved or review page),
``entry`` (the id of the anonymous link opened, until consent creates the response),
``wave`` (the id of the response's wave, for the quick page save) and
``resume_failures``. Nothing in the session, the response or anywhere else records which invitation
a response came from.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from functools import cache

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from homeoffice.web.i18n import LANGS, t
from homeoffice.web.responses import actions, store
from homeoffice.web.responses.forms import (
    OPEN_MAX_CHARS,
    ConsentForm,
    PageForm,
    Question,
    ResumeForm,
    page_questions,
)
from homeoffice.web.responses.models import Response
from homeoffice.web.responses.pages import plan_for
from homeoffice.web.surveys.models import AnonymousLink, Invitation, Wave, token_hash

MAX_RESUME_FAILURES = 10
MAX_TOKEN_LENGTH = 100


@dataclass
class Flow:
    """Where a person is: a response (after consent or an invitation claim), or an opened link."""

    wave: Wave
    response: Response | None = None
    link: AnonymousLink | None = None


def result_url() -> str:
    return reverse("results:mine")


# --- session helpers -------------------------------------------------------------------------


def _forget(request: HttpRequest) -> None:
    for key in ("response_id", "resume_code", "entry", "wave"):
        request.session.pop(key, None)


def session_response(request: HttpRequest) -> Response | None:
    """The person's own response from the session, or None (a deleted one is forgotten).

    Keeps the session's ``wave`` in step with the response: the quick page save
    (``quick_save.py``) checks answers against that wave's instrument before its one write.
    """
    rid = request.session.get("response_id")
    if not rid:
        return None
    try:
        uuid.UUID(str(rid))
    except ValueError:
        _forget(request)
        return None
    response = store.load(rid)  # plain SQL: this runs on every request of the flow
    if response is None:
        _forget(request)
    elif request.session.get("wave") != response.wave_id:
        request.session["wave"] = response.wave_id
    return response


def _flow(request: HttpRequest) -> Flow | None:
    response = session_response(request)
    if response is not None:
        return Flow(wave=response.wave, response=response)
    link_id = request.session.get("entry")
    if isinstance(link_id, int):
        link = store.link_by_id(link_id)
        if link is not None:
            return Flow(wave=link.wave, link=link)
    return None


def _lang(request: HttpRequest, wave: Wave | None = None, response: Response | None = None) -> str:
    """The person's language: ?lang= when offered, else the session's, else the wave's first."""
    offered = wave.language_list if wave is not None else list(LANGS)
    asked = request.GET.get("lang")
    if asked in offered:
        lang = asked
    elif request.session.get("lang") in offered:
        lang = request.session["lang"]
    elif response is not None and response.lang in offered:
        lang = response.lang
    else:
        lang = offered[0]
    if request.session.get("lang") != lang:
        request.session["lang"] = lang
    return lang


def _date(day: date, lang: str) -> str:
    return day.strftime("%d.%m.%Y") if lang == "nb" else day.isoformat()


def _other_lang(wave: Wave, lang: str) -> str | None:
    others = [code for code in wave.language_list if code != lang]
    return others[0] if others else None


def _render(request: HttpRequest, template: str, lang: str, wave: Wave | None = None, status: int = 200, **ctx):
    ctx["lang"] = lang
    ctx["wave"] = wave
    ctx.setdefault("switch_lang", _other_lang(wave, lang) if wave is not None else None)
    return render(request, f"responses/{template}", ctx, status=status)


def _closed(request: HttpRequest, wave: Wave, lang: str) -> HttpResponse | None:
    """A clear page when the wave is not open today, else None."""
    today = timezone.localdate()
    if wave.opens_on <= today <= wave.closes_on:
        return None
    key = "flow_not_open" if today < wave.opens_on else "flow_closed"
    day = wave.opens_on if today < wave.opens_on else wave.closes_on
    return _render(
        request,
        "closed.html",
        lang,
        wave,
        title_key=f"{key}_title",
        body_key=f"{key}_body",
        name=wave.name,
        day=_date(day, lang),
        resume_form=ResumeForm(lang=lang),
    )


def _no_session(request: HttpRequest) -> HttpResponse:
    lang = _lang(request)
    return _render(request, "no_session.html", lang, resume_form=ResumeForm(lang=lang), status=404)


def _page_url(number: int, pages: int) -> str:
    return reverse("responses:submit") if number > pages else reverse("responses:page", args=[number])


def _continue_url(response: Response) -> str:
    if response.submitted:
        return result_url()
    if not response.consented:
        return reverse("responses:consent")
    _, plan = plan_for(response.wave.instrument_id)
    return _page_url(max(response.page, 1), len(plan))


def _after_entry(wave: Wave) -> HttpResponse:
    return redirect("responses:language" if len(wave.language_list) > 1 else "responses:consent")


# --- entry ------------------------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    """What this is, and the resume form."""
    lang = _lang(request)
    response = session_response(request)
    return _render(
        request,
        "home.html",
        lang,
        resume_form=ResumeForm(lang=lang),
        can_continue=response is not None and not response.submitted,
        has_result=response is not None and response.submitted,
        switch_lang="en" if lang == "nb" else "nb",
    )


def link(request: HttpRequest, token: str) -> HttpResponse:
    """An anonymous link of one unit: the unit is recorded, the person is not."""
    found = None
    if len(token) <= MAX_TOKEN_LENGTH:
        found = store.link_by_token(token)
    if found is None:
        raise Http404
    wave = found.wave
    lang = _lang(request, wave)
    if (page := _closed(request, wave, lang)) is not None:
        return page
    current = session_response(request)
    if current and current.wave_id == wave.pk and current.unit_id == found.unit_id and not current.submitted:
        return redirect(_continue_url(current))  # the same person opening the link again
    _forget(request)
    request.session["entry"] = found.pk
    return _after_entry(wave)


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """A personal single-use invitation. GET shows a start page; the POST from it claims the
    invitation and creates a fresh response. (A GET never claims: e-mail link scanners open links.)"""
    found = None
    if len(token) <= MAX_TOKEN_LENGTH:
        found = Invitation.objects.select_related("wave", "unit").filter(token_hash=token_hash(token)).first()
    if found is None:
        raise Http404
    wave = found.wave
    lang = _lang(request, wave)
    if (page := _closed(request, wave, lang)) is not None:
        return page
    claim = None
    if request.method == "POST" and not found.claimed:
        if request.POST.get("lang") in wave.language_list:
            lang = request.session["lang"] = request.POST["lang"]
        claim = actions.do_claim_invitation(found, lang=lang)
    elif not found.claimed:
        choices = [(code, t("language_name", code)) for code in wave.language_list]
        return _render(request, "invitation.html", lang, wave, choices=choices)
    if claim is None:
        current = session_response(request)
        can_continue = current is not None and current.wave_id == wave.pk and not current.submitted
        return _render(
            request, "claimed.html", lang, wave, resume_form=ResumeForm(lang=lang), can_continue=can_continue
        )
    response, code = claim
    _forget(request)
    request.session["response_id"] = str(response.pk)
    request.session["resume_code"] = code
    return redirect(reverse("responses:consent") + f"?lang={lang}")


def language(request: HttpRequest) -> HttpResponse:
    """Choose nb or en (links to the consent page); skipped when the wave offers one language."""
    flow = _flow(request)
    if flow is None:
        return _no_session(request)
    if len(flow.wave.language_list) < 2:
        return redirect("responses:consent")
    lang = _lang(request, flow.wave, flow.response)
    consent_url = reverse("responses:consent")
    choices = [(code, f"{consent_url}?lang={code}", t("language_name", code)) for code in flow.wave.language_list]
    return _render(request, "language.html", lang, choices=choices)


@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest) -> HttpResponse:
    """Informed consent first: no consent, no questions."""
    flow = _flow(request)
    if flow is None:
        return _no_session(request)
    wave, response = flow.wave, flow.response
    lang = _lang(request, wave, response)
    if response is not None and response.submitted:
        return redirect(result_url())
    if (page := _closed(request, wave, lang)) is not None:
        return page
    if response is not None and response.consented:
        return redirect(_continue_url(response))
    form = ConsentForm(request.POST if request.method == "POST" else None, lang=lang)
    if form.is_bound and form.is_valid():
        if response is not None:
            actions.do_consent(response.pk, lang=lang)
        else:
            response, code = actions.do_start_response(wave=wave, unit_id=flow.link.unit_id, lang=lang, consented=True)
            request.session.pop("entry", None)
            request.session["response_id"] = str(response.pk)
            request.session["resume_code"] = code
        return redirect("responses:start")
    instrument, plan = plan_for(wave.instrument_id)
    n_items = sum(len(p.item_ids) for p in plan)
    return _render(
        request,
        "consent.html",
        lang,
        wave,
        form=form,
        description=instrument.spec.description.get(lang),
        items=n_items,
        pages=len(plan),
        minutes=max(2, round(n_items / 9)),
        has_open=bool(instrument.spec.open_questions),
        anonymous=wave.mode == Wave.Mode.ANONYMOUS,
    )


# --- the code, the questions, saving --------------------------------------------------------


def _answering(request: HttpRequest) -> tuple[Response | None, HttpResponse | None]:
    """The session's response when it can be answered now, else the page to show instead."""
    response = session_response(request)
    if response is None:
        return None, _no_session(request)
    if response.submitted:
        return None, redirect(result_url())
    if not response.consented:
        return None, redirect("responses:consent")
    lang = _lang(request, response.wave, response)
    if (page := _closed(request, response.wave, lang)) is not None:
        return None, page
    return response, None


def start(request: HttpRequest) -> HttpResponse:
    """Right after consent: the resume code, to write down, and the way to the first question."""
    response, other = _answering(request)
    if other is not None:
        return other
    lang = _lang(request, response.wave, response)
    return _render(
        request,
        "code.html",
        lang,
        response.wave,
        code=request.session.get("resume_code"),
        title_key="flow_code_title",
        intro_key="flow_code_intro",
        next_url=_continue_url(response),
        next_key="flow_code_start",
    )


@require_http_methods(["GET", "POST"])
def page(request: HttpRequest, page: int) -> HttpResponse:
    """One page of questions; each POST saves the page, then goes back, on, or to the saved page."""
    response, other = _answering(request)
    if other is not None:
        return other
    wave = response.wave
    lang = _lang(request, wave, response)
    _, plan = plan_for(wave.instrument_id)
    if not 1 <= page <= len(plan):
        raise Http404
    this = plan[page - 1]
    questions = _page_questions(wave.instrument_id, page, lang)
    if request.method == "POST":
        form = PageForm(request.POST, questions=questions, lang=lang)
        if form.is_valid():
            action = request.POST.get("action")
            next_page = {"back": max(1, page - 1), "save": page}.get(action, page + 1)
            closed, opened = form.answers()
            if not actions.do_save_page(response.pk, closed=closed, opened=opened, next_page=next_page, lang=lang):
                return redirect(result_url())
            if action == "save":
                return redirect("responses:saved")
            return redirect(_page_url(next_page, len(plan)))
    else:
        initial = {q: str(v) for q, v in response.answers.items() if q in this.item_ids}
        initial.update({q: v for q, v in response.open_answers.items() if q in this.open_ids})
        form = PageForm(initial=initial, questions=questions, lang=lang)
    rows = [_row(q, form) for q in questions]
    return _render(
        request,
        "page.html",
        lang,
        wave,
        rows=rows,
        form=form,
        page=this,
        pages=len(plan),
        heading_key=f"flow_page_heading_{this.kind}",
        errors=[r for r in rows if r["error"]],
        open_max=OPEN_MAX_CHARS,
    )


@cache
def _page_questions(instrument_id: str, number: int, lang: str) -> tuple[Question, ...]:
    """The questions of one page, built once per process (they depend only on the instrument)."""
    instrument, plan = plan_for(instrument_id)
    return tuple(page_questions(plan[number - 1], instrument, lang))


def _row(q: Question, form: PageForm) -> dict:
    """What the question template needs: the chosen value, the error, the ids it refers to."""
    value = form[q.id].value()
    errors = form.errors.get(q.id)
    error = errors[0] if errors else ""
    described = [f"{q.id}-help"] if q.help or q.kind == "open" else []
    described += [f"{q.id}-anchors"] if q.anchors else []
    described += [f"{q.id}-error"] if error else []
    target = f"q-{q.id}" if q.kind == "open" else f"q-{q.id}-{q.options[0].value}"
    return {
        "q": q,
        "value": "" if value is None else str(value),
        "error": error,
        "text": q.text,
        "target": target,
        "describedby": " ".join(described),
    }


def continue_(request: HttpRequest) -> HttpResponse:
    """Go to where the session's response continues (its saved page, the review or the result)."""
    response = session_response(request)
    if response is None:
        return _no_session(request)
    return redirect(_continue_url(response))


def saved(request: HttpRequest) -> HttpResponse:
    """After "save and continue later": the answers are stored; the code is shown one last time."""
    response = session_response(request)
    if response is None:
        return _no_session(request)
    if response.submitted:
        return redirect(result_url())
    lang = _lang(request, response.wave, response)
    code = request.session.pop("resume_code", None)
    return _render(
        request,
        "code.html",
        lang,
        response.wave,
        code=code,
        title_key="flow_saved_title",
        intro_key="flow_saved_intro",
        next_url=reverse("responses:continue"),
        next_key="flow_saved_continue",
    )


# --- review and submit --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    """GET: how much has been answered, per page. POST: score and submit, once."""
    response = session_response(request)
    if response is None:
        return _no_session(request)
    if response.submitted:
        request.session.pop("resume_code", None)
        return redirect(result_url())
    if request.method == "POST" and response.consented and response.wave.is_open():
        actions.do_submit(response.pk, loaded=response)
        request.session.pop("resume_code", None)
        return redirect(result_url())
    response, other = _answering(request)
    if other is not None:
        return other
    lang = _lang(request, response.wave, response)
    _, plan = plan_for(response.wave.instrument_id)
    per_page = []
    for p in plan:
        if p.item_ids:
            answered = sum(1 for q in p.item_ids if q in response.answers)
        else:
            answered = sum(1 for q in p.open_ids if response.open_answers.get(q))
        per_page.append({"number": p.number, "answered": answered, "total": p.size})
    items = [q for p in plan for q in p.item_ids]
    opens = [q for p in plan for q in p.open_ids]
    return _render(
        request,
        "review.html",
        lang,
        response.wave,
        per_page=per_page,
        answered=sum(1 for q in items if q in response.answers),
        total=len(items),
        open_answered=sum(1 for q in opens if response.open_answers.get(q)),
        open_total=len(opens),
        code=request.session.get("resume_code"),
        last_page=len(plan),
    )


# --- resume ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def resume(request: HttpRequest) -> HttpResponse:
    """Enter a resume code: continue at the saved page, or see the result when submitted."""
    lang = _lang(request)
    failures = request.session.get("resume_failures", 0)
    if not isinstance(failures, int):
        failures = MAX_RESUME_FAILURES
    form = ResumeForm(request.POST if request.method == "POST" else None, lang=lang)
    too_many = failures >= MAX_RESUME_FAILURES
    if form.is_bound and not too_many:
        if form.is_valid():
            response = form.response
            _forget(request)
            request.session.pop("resume_failures", None)
            request.session["response_id"] = str(response.pk)
            if response.lang in response.wave.language_list:
                request.session["lang"] = response.lang
            return redirect(_continue_url(response))
        request.session["resume_failures"] = failures + 1
    status = 200
    if too_many and form.is_bound:
        status = 429
    return _render(request, "resume.html", lang, resume_form=form, too_many=too_many, status=status)
