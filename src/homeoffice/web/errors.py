"""Error pages in the respondent's language, never a traceback."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def _page(request: HttpRequest, status: int, key: str) -> HttpResponse:
    lang = request.session.get("lang", "nb") if hasattr(request, "session") else "nb"
    return render(
        request, "error.html", {"lang": lang, "title_key": f"{key}_title", "body_key": f"{key}_body"}, status=status
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 400, "error_bad_request")


def forbidden(request: HttpRequest, exception: Exception | None = None, reason: str = "") -> HttpResponse:
    return _page(request, 403, "error_forbidden")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 404, "error_not_found")


def server_error(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Internal error / Intern feil", status=500, content_type="text/plain")
