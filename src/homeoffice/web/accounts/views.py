"""Staff login, logout and home page (the organisations a person works with and what they may open)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import logout as auth_logout
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from homeoffice.web.accounts.forms import StaffLoginForm
from homeoffice.web.accounts.guard import login_required_staff, render_staff, staff_lang, switch_url
from homeoffice.web.accounts.permissions import ANYWHERE, Access, Perm, access_for, organisations_of
from homeoffice.web.i18n import t
from homeoffice.web.organisations.models import Organisation
from homeoffice.web.surveys.actions import units_with_paths


class StaffLoginView(LoginView):
    """Django's login view with our form and template; a logged-in visitor goes straight home."""

    template_name = "accounts/login.html"
    authentication_form = StaffLoginForm
    redirect_authenticated_user = True

    def get_form_kwargs(self) -> dict:
        kwargs = super().get_form_kwargs()
        kwargs["lang"] = staff_lang(self.request)
        return kwargs

    def get_default_redirect_url(self) -> str:
        return reverse("accounts:home")

    def get_context_data(self, **kwargs: object) -> dict:
        ctx = super().get_context_data(**kwargs)
        lang = staff_lang(self.request)
        other = "en" if lang == "nb" else "nb"
        ctx.update(
            lang=lang,
            switch_lang=other,
            switch_url=switch_url(self.request, other),
            switch_label=t("language_name", other),
        )
        return ctx


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """Log out (POST only, with the CSRF token) and return to the login page in the same language."""
    lang = staff_lang(request)
    auth_logout(request)
    response = redirect(f"{reverse('accounts:login')}?lang={lang}")
    add_never_cache_headers(response)
    return response


# Permissions shown on the home page, in this order.
SHOWN_PERMS = [
    Perm.VIEW_ORG_DASHBOARD,
    Perm.VIEW_UNIT_DASHBOARD,
    Perm.VIEW_ACTION_PLAN,
    Perm.EDIT_ACTION_PLAN,
    Perm.COMMENT_ACTION_PLAN,
    Perm.EXPORT_DATA,
    Perm.MANAGE_WAVES,
    Perm.VIEW_HIDDEN,
    Perm.MANAGE_MEMBERS,
]


@dataclass(frozen=True)
class OrgCard:
    """One organisation on the home page."""

    organisation: Organisation
    roles: list[str]
    scope: list[str] | None  # unit paths, None for the whole organisation
    may: list[str]
    plan_url: str | None
    members_url: str | None
    results_url: str | None = None


def _card(request: HttpRequest, access: Access, lang: str) -> OrgCard:
    org = access.organisation
    roots = access.scope_unit_ids()
    scope = None
    if roots is not None:
        scope = [u.tree_path for u in units_with_paths(org).filter(pk__in=roots)]
    may = [t(f"accounts_perm_{p.value}", lang) for p in SHOWN_PERMS if access.can(p, ANYWHERE)]
    plan_url = reverse("actions:index", args=[org.slug]) if access.can(Perm.VIEW_ACTION_PLAN) else None
    members_url = None
    if access.can(Perm.MANAGE_MEMBERS) and request.user.is_staff:
        members_url = reverse("admin:accounts_membership_changelist") + f"?organisation__id__exact={org.pk}"
    results_url = reverse("dashboards:index", args=[org.slug]) if access.can(Perm.VIEW_UNIT_DASHBOARD) else None
    roles = [t(f"accounts_role_{r}", lang) for r in access.roles]
    return OrgCard(org, roles, scope, may, plan_url, members_url, results_url)


@login_required_staff
def home(request: HttpRequest) -> HttpResponse:
    """The organisations the user works with: roles, scope, what they may do and the pages to open."""
    lang = staff_lang(request)
    cards = [_card(request, access_for(request, org), lang) for org in organisations_of(request.user)]
    return render_staff(request, "accounts/home.html", {"lang": lang, "cards": cards})
