"""Every staff URL, found from the URL configuration itself (so a new view cannot be forgotten),
refuses an anonymous visitor (login first) and a user of another organisation (never a 200, never a
500). The detailed per-role walks live beside each feature (test_accounts, test_actions,
test_dashboard_permissions, test_reports, test_exports_web, test_imports_web)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from homeoffice.web.accounts.models import Membership, Role
from tests.web.factories_groups import make_org, make_released_wave, team_sizes

pytestmark = pytest.mark.django_db

PUBLIC = {"staff/"}  # the staff home: any logged-in user (it lists their organisations, maybe none)


def _patterns(resolver: URLResolver, prefix: str = "") -> list[str]:
    out = []
    for p in resolver.url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            out += _patterns(p, route)
        elif isinstance(p, URLPattern):
            out.append(route)
    return out


def staff_routes() -> list[str]:
    return sorted({r for r in _patterns(get_resolver()) if r.startswith("staff/")})


def _fill(route: str, values: dict[str, str]) -> str:
    def sub(m: re.Match) -> str:
        name = m.group(2)
        for key, value in values.items():
            if key in name:
                return value
        return "1"

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", sub, route)


def _url(route: str, org, wave, units) -> str:
    values = {"org_slug": org.slug, "wave_id": str(wave.pk), "unit_id": str(units["App"].pk)}
    return _fill(route, {**values, "name": "situations", "fmt": "csv", "token": "x" * 32})


def test_there_are_staff_routes_to_guard():
    routes = staff_routes()
    assert len(routes) >= 15
    assert any("results" in r for r in routes) and any("plan" in r for r in routes)


@pytest.mark.parametrize("route", staff_routes())
def test_every_staff_url_sends_an_anonymous_visitor_to_the_login(route):
    org, units = make_org()
    wave = make_released_wave(org, units, team_sizes())
    url = _url(route, org, wave, units)
    for method in ("get", "post"):
        res = getattr(Client(), method)(url)
        assert res.status_code in (302, 405), (method, url, res.status_code)
        if res.status_code == 302:
            assert "/accounts/login/" in res["Location"], (method, url)


@pytest.mark.parametrize("route", [r for r in staff_routes() if r not in PUBLIC])
def test_every_staff_url_refuses_hr_of_another_organisation(route):
    org, units = make_org()
    wave = make_released_wave(org, units, team_sizes())
    other, _ = make_org()
    user = get_user_model().objects.create_user("hr-elsewhere", password="a-long-test-password")
    Membership.objects.create(user=user, organisation=other, role=Role.HR)
    client = Client()
    client.force_login(user)
    url = _url(route, org, wave, units)
    for method in ("get", "post"):
        res = getattr(client, method)(url)
        assert res.status_code in (403, 404, 405), (method, url, res.status_code)
