"""A person's own result: the page, its charts, the PDF, and withdrawal.

Whose result it is comes only from the session (``request.session["response_id"]``, set by the
survey flow on submit and by the resume code); no URL carries a response id, so nobody can open
another person's result by changing a link. Without a response in the session every view answers
404; a response still being answered is sent back to the flow. Every answer here is marked
``no-store`` so a shared computer's cache keeps nothing.

Withdrawal is possible until the wave's group results are released (issue 4); after that the page
offers no withdrawal and explains why, and a withdrawal request gets a 409 page saying the same.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from functools import wraps

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from homeoffice.web.i18n import t
from homeoffice.web.responses.actions import AnswersReleased, do_withdraw
from homeoffice.web.responses.models import Response
from homeoffice.web.results import charts
from homeoffice.web.results.pdf import render_pdf
from homeoffice.web.results.report import LANGS, Report, build_report, date_text, number
from homeoffice.web.surveys.models import Wave

SESSION_KEY = "response_id"
# The SVG charts come from matplotlib, which writes style attributes; they are images of their own,
# so they get their own policy: inline style inside the SVG, nothing else (no script, no fetches).
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"


def _session_response_id(request: HttpRequest) -> uuid.UUID | None:
    raw = request.session.get(SESSION_KEY)
    try:
        return uuid.UUID(str(raw)) if raw else None
    except ValueError:
        return None


def _own_response(request: HttpRequest) -> Response | None:
    """The response named by the session, or None; the only way this app finds a response."""
    response_id = _session_response_id(request)
    if response_id is None:
        return None
    return Response.objects.select_related("wave").filter(pk=response_id).first()


def _lang(request: HttpRequest, response: Response | None = None) -> str:
    lang = response.lang if response is not None else request.session.get("lang", "nb")
    return lang if lang in LANGS else "nb"


def _flow_url(response: Response) -> str:
    """Where a person whose answers are not submitted yet continues (the flow picks the page)."""
    try:
        return reverse("responses:continue")
    except NoReverseMatch:
        return reverse("responses:home")


def own_result(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Run ``view(request, response, ...)`` with the session's own submitted response.

    No response in the session (or a forged or stale id): 404. Not submitted yet: back to the flow.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = _own_response(request)
        if response is None:
            raise Http404("no result in this session")
        if not response.submitted:
            return redirect(_flow_url(response))
        return view(request, response, *args, **kwargs)

    return never_cache(require_safe(wrapper))


def _report(response: Response) -> Report:
    return build_report(
        result=response.result,
        instrument_id=response.wave.instrument_id,
        answers=response.answers,
        lang=response.lang if response.lang in LANGS else "nb",
        survey=response.wave.name,
        submitted_on=response.submitted_on,  # type: ignore[arg-type]
    )


@own_result
def mine(request: HttpRequest, response: Response) -> HttpResponse:
    """The result page (sections a-g of the brief: scores, job situation, model, measures, dialogue, caveats)."""
    report = _report(response)
    score_charts = []
    for group in report.groups:
        width, height = charts.scores_size(group, report.lang)
        src = reverse("results:scores_chart", kwargs={"axis": group.axis})
        score_charts.append({"group": group, "src": src, "width": width, "height": height})
    context = {
        "lang": report.lang,
        "report": report,
        "score_charts": score_charts,
        "released_text": _released_text(response, report.lang),
        "trajectory": own_trajectory(response, report.lang),
    }
    return render(request, "results/mine.html", context)


def own_trajectory(response: Response, lang: str) -> list[dict]:
    """The person's own results in every wave of the organisation (confidential waves only, issue 4
    point 3: "each person's own trajectory, shown only to that person"), oldest first; [] when there
    is no earlier wave to compare with. Matched by the pseudonymous ``respondent_key``."""
    if response.wave.mode != Wave.Mode.CONFIDENTIAL or not response.respondent_key:
        return []
    rows = (
        Response.objects.filter(
            respondent_key=response.respondent_key,
            wave__organisation_id=response.wave.organisation_id,
            wave__mode=Wave.Mode.CONFIDENTIAL,
            submitted_on__isnull=False,
        )
        .select_related("wave")
        .order_by("wave__closes_on", "wave__pk")
    )
    out = []
    for r in rows:
        c = (r.result or {}).get("classification", {})
        situation = c.get("situation")
        out.append(
            {
                "wave": r.wave.name,
                "date": date_text(r.submitted_on, lang),
                "situation": situation if situation is not None else "–",
                "pwe": number(c.get("pwe_index")),
                "productivity": number(c.get("productivity_index")),
                "distance": number(c.get("distance_to_optimal")),
                "current": r.pk == response.pk,
            }
        )
    return out if len(out) > 1 else []


def _released_text(response: Response, lang: str) -> str:
    """Why the answers can no longer be withdrawn ("" while they still can)."""
    released_on = response.wave.released_on
    if released_on is None or not response.submitted:
        return ""
    return t("results_released_body", lang, date=date_text(released_on, lang))


def _released_page(request: HttpRequest, lang: str, released_on: dt.date) -> HttpResponse:
    """409: the answers are part of released group results and are not deleted."""
    context = {"lang": lang, "released_text": t("results_released_body", lang, date=date_text(released_on, lang))}
    return render(request, "results/withdraw_released.html", context, status=409)


def _svg(content: bytes, name: str) -> HttpResponse:
    answer = HttpResponse(content, content_type="image/svg+xml")
    answer["Content-Security-Policy"] = SVG_CSP
    answer["Content-Disposition"] = f'inline; filename="{name}"'
    return answer


@own_result
def chart(request: HttpRequest, response: Response) -> HttpResponse:
    """The dynamic-model chart (thesis figure 5.1) with the person's point, as SVG;
    ``?size=compact`` gives the phone-sized version (any other size: the full chart)."""
    report = _report(response)
    compact = request.GET.get("size") == "compact"
    return _svg(charts.model_chart(report.result, report.lang, compact=compact), "dynamic-model.svg")


@own_result
def scores_chart(request: HttpRequest, response: Response, axis: str) -> HttpResponse:
    """One axis group's scores as a bar chart (SVG); the page's table holds the same numbers."""
    report = _report(response)
    group = next((g for g in report.groups if g.axis == axis), None)
    if group is None:
        raise Http404("no such chart")
    return _svg(charts.scores_chart(group, report.lang), f"scores-{axis}.svg")


@own_result
def pdf(request: HttpRequest, response: Response) -> HttpResponse:
    """The same result as a PDF to download."""
    report = _report(response)
    answer = HttpResponse(render_pdf(report), content_type="application/pdf")
    name = f"{t('results_pdf_filename', report.lang)}-{report.submitted_on.isoformat()}.pdf"
    answer["Content-Disposition"] = f'attachment; filename="{name}"'
    return answer


@never_cache
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest) -> HttpResponse:
    """Ask, then delete the session's own response for good and end the session.

    GET, or a POST without ``confirm=yes`` (the button on the result page), shows the question; a
    POST with ``confirm=yes`` deletes. Works for answers still being given, too. A repeated confirm
    (double click) whose response is already gone still ends on the "deleted" page. Once the wave's
    group results are released, every request here gets the 409 page that explains why nothing is
    deleted (the check is made again under lock by ``do_withdraw``).
    """
    response_id = _session_response_id(request)
    response = _own_response(request)
    if response_id is None or (response is None and request.POST.get("confirm") != "yes"):
        raise Http404("no answers in this session")
    lang = _lang(request, response)
    if response is not None and response.submitted and response.wave.released_on is not None:
        return _released_page(request, lang, response.wave.released_on)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            do_withdraw(response_id)
        except AnswersReleased as released:  # released between the check above and the delete
            return _released_page(request, lang, released.released_on)
        request.session.flush()
        request.session["lang"] = lang
        return redirect("results:withdrawn")
    back = reverse("results:mine") if response.submitted else _flow_url(response)  # type: ignore[union-attr]
    return render(request, "results/withdraw.html", {"lang": lang, "back": back})


@never_cache
@require_GET
def withdrawn(request: HttpRequest) -> HttpResponse:
    """Confirmation that the answers are deleted (the session no longer names any response)."""
    return render(request, "results/withdrawn.html", {"lang": _lang(request)})
