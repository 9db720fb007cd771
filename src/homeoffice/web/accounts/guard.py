"""The gate of every staff page: login, organisation, permission, language and the 403 page.

Staff pages live under ``/staff/<org_slug>/``. :func:`staff_view` (functions) and
:class:`StaffAccessMixin` (class-based views) send anonymous visitors to the login page (302),
answer 404 for an unknown organisation, and show the styled 403 page in nb or en to a logged-in
user without the permission, also when the view itself raises ``PermissionDenied`` (for example
``access.require(Perm.EDIT_ACTION_PLAN, unit)``). Staff pages are never cached.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import add_never_cache_headers

from homeoffice.web.accounts.permissions import Access, Perm, access_for
from homeoffice.web.i18n import LANGS, t
from homeoffice.web.organisations.models import Organisation

SESSION_LANG = "staff_lang"


def staff_lang(request: HttpRequest) -> str:
    """nb or en: ``?lang=`` (remembered in the session), else the remembered one, else the browser's."""
    asked = request.GET.get("lang")
    if asked in LANGS:
        if request.session.get(SESSION_LANG) != asked:
            request.session[SESSION_LANG] = asked
        return asked
    saved = request.session.get(SESSION_LANG)
    if saved in LANGS:
        return saved
    code = (getattr(request, "LANGUAGE_CODE", None) or "nb")[:2]
    return code if code in LANGS else "nb"


def switch_url(request: HttpRequest, lang: str) -> str:
    """The current page in ``lang``: the same address with ``lang`` set, other parameters kept."""
    params = [(k, v) for k, values in request.GET.lists() if k != "lang" for v in values]
    params.append(("lang", lang))
    return f"{request.path}?{urlencode(params)}"


def render_staff(
    request: HttpRequest, template: str, context: dict | None = None, *, status: int = 200
) -> HttpResponse:
    """Render a staff page with ``lang`` and the language switch set."""
    ctx = dict(context or {})
    lang = ctx.setdefault("lang", staff_lang(request))
    other = "en" if lang == "nb" else "nb"
    ctx.setdefault("switch_lang", other)
    ctx.setdefault("switch_url", switch_url(request, other))
    ctx.setdefault("switch_label", t("language_name", other))
    response = render(request, template, ctx, status=status)
    add_never_cache_headers(response)
    return response


def forbidden(request: HttpRequest, organisation: Organisation | None = None) -> HttpResponse:
    """The 403 page of staff pages: what is refused, in the user's language, and where to ask."""
    return render_staff(request, "accounts/forbidden.html", {"organisation": organisation}, status=403)


def check_staff(request: HttpRequest, org_slug: str, perm: Perm | None) -> Access | HttpResponse:
    """The user's access to the organisation ``org_slug``, or the response that refuses it."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    organisation = get_object_or_404(Organisation, slug=org_slug)
    access = access_for(request, organisation)
    if not access.is_member or (perm is not None and not access.can(perm)):
        return forbidden(request, organisation)
    return access


def staff_view(perm: Perm | None = None) -> Callable:
    """Decorate ``view(request, access, **kwargs)`` reached by a URL with ``<slug:org_slug>``.

    ``perm`` is checked for "anywhere in the organisation"; unit-specific checks are the view's
    (``access.require(perm, unit)``), and their ``PermissionDenied`` becomes the same 403 page.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, org_slug: str, *args: object, **kwargs: object) -> HttpResponse:
            outcome = check_staff(request, org_slug, perm)
            if isinstance(outcome, HttpResponse):
                add_never_cache_headers(outcome)
                return outcome
            try:
                response = view(request, outcome, *args, **kwargs)
            except PermissionDenied:
                response = forbidden(request, outcome.organisation)
            add_never_cache_headers(response)
            return response

        return wrapped

    return decorate


def login_required_staff(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For staff pages outside an organisation (the home page): login, and never cached."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not request.user.is_authenticated:
            response = redirect_to_login(request.get_full_path())
        else:
            response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    return wrapped


class StaffAccessMixin:
    """:func:`staff_view` for class-based views: set ``required_perm``; the view gets ``self.access``."""

    required_perm: Perm | None = None
    access: Access

    def dispatch(self, request: HttpRequest, *args: object, org_slug: str, **kwargs: object) -> HttpResponse:
        outcome = check_staff(request, org_slug, self.required_perm)
        if isinstance(outcome, HttpResponse):
            add_never_cache_headers(outcome)
            return outcome
        self.access = outcome
        try:
            response = super().dispatch(request, *args, **kwargs)
        except PermissionDenied:
            response = forbidden(request, outcome.organisation)
        add_never_cache_headers(response)
        return response
