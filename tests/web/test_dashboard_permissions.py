"""A permission walk of every dashboard URL as an anonymous visitor and as every kind of user:
the organisation, a unit, a filter cell, each chart, the hidden list, a hidden unit, an unreleased
wave, another organisation's wave and unit. Managers see their own subtree only."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from homeoffice.web.accounts.models import Role
from homeoffice.web.dashboards.groups import wave_groups
from tests.web.factories_groups import make_org, make_released_wave, team_sizes
from tests.web.factories_staff import PASSWORD, WHO, member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world() -> dict:
    """The factories_groups organisation (Salg > Nord, Sør, Kundesenter; Utvikling > App, Plattform)
    with a released wave and one not yet released; one person per role; a second organisation."""
    org, units = make_org()
    wave = make_released_wave(org, units, team_sizes(), name="Released")
    unreleased = make_released_wave(org, units, {"App": 6}, name="Closed", release=False)
    other, other_units = make_org(name="Andre AS")
    other_wave = make_released_wave(other, other_units, {"App": 6, "Nord": 5}, name="Theirs")
    people = {
        "org_admin": member("boss", org, Role.ORG_ADMIN),
        "hr": member("hr", org, Role.HR),
        "manager": member("salg-manager", org, Role.MANAGER, [units["Salg"]]),
        "sibling_manager": member("utvikling-manager", org, Role.MANAGER, [units["Utvikling"]]),
        "safety_rep": member("verneombud", org, Role.SAFETY_REP),
        "occupational_health": member("bht", org, Role.OCCUPATIONAL_HEALTH),
        "researcher": member("researcher", org, Role.RESEARCHER),
        "outsider": member("other-hr", other, Role.HR),
        "nobody": get_user_model().objects.create_user("nobody", password=PASSWORD),
    }
    groups = wave_groups(wave)
    shown_cell = next(d.key for d in groups.disclosure if d.kind == "filter" and d.shown)
    return {
        "org": org,
        "units": units,
        "wave": wave,
        "unreleased": unreleased,
        "other": other,
        "other_units": other_units,
        "other_wave": other_wave,
        "people": people,
        "cell": f"?filter={shown_cell.filter}&value={shown_cell.value}",
    }


def _wave_url(w: dict, name: str, *args: object, wave: str = "wave", query: str = "") -> str:
    return reverse(f"dashboards:{name}", args=[w["org"].slug, w[wave].pk, *args]) + query


def _unit(w: dict, unit: str) -> int:
    return w["units"][unit].pk


READERS = {"org_admin", "hr", "manager", "sibling_manager", "safety_rep", "occupational_health"}
ORG_READERS = {"org_admin", "hr", "safety_rep", "occupational_health"}
SALG_READERS = READERS - {"sibling_manager"}
UTVIKLING_READERS = READERS - {"manager"}
HIDDEN_READERS = {"org_admin", "hr"}


def expect(granted: set[str], ok: int, others: int = 403) -> dict[str, int]:
    """anonymous -> 302 (to the login page); ``granted`` -> ``ok``; everyone else -> ``others``."""
    return {"anonymous": 302, **{who: ok if who in granted else others for who in WHO}}


WALK = {
    "results index": (lambda w: reverse("dashboards:index", args=[w["org"].slug]), expect(READERS, 200)),
    "organisation dashboard": (lambda w: _wave_url(w, "wave"), expect(ORG_READERS, 200)),
    "organisation dashboard, filtered": (lambda w: _wave_url(w, "wave", query=w["cell"]), expect(ORG_READERS, 200)),
    "organisation dashboard, heat map page 2": (
        lambda w: _wave_url(w, "wave", query="?page=2"),
        expect(ORG_READERS, 404),
    ),
    "unit dashboard of Salg": (lambda w: _wave_url(w, "unit", _unit(w, "Salg")), expect(SALG_READERS, 200)),
    "unit dashboard of Nord (below Salg)": (
        lambda w: _wave_url(w, "unit", _unit(w, "Nord")),
        expect(SALG_READERS, 200),
    ),
    "unit dashboard of Nord split by a filter (only the organisation is split)": (
        lambda w: _wave_url(w, "unit", _unit(w, "Nord"), query="?filter=ctx_voluntary&value=1"),
        expect(SALG_READERS, 404),
    ),
    "unit dashboard of Utvikling": (
        lambda w: _wave_url(w, "unit", _unit(w, "Utvikling")),
        expect(UTVIKLING_READERS, 200),
    ),
    "unit dashboard of the organisation's top unit": (
        lambda w: _wave_url(w, "unit", w["org"].units.get(parent=None).pk),
        expect(ORG_READERS, 200),
    ),
    "hidden unit Kundesenter": (lambda w: _wave_url(w, "unit", _unit(w, "Kundesenter")), expect(SALG_READERS, 200)),
    "what is hidden and why": (lambda w: _wave_url(w, "hidden"), expect(HIDDEN_READERS, 200)),
    "unreleased wave, organisation": (lambda w: _wave_url(w, "wave", wave="unreleased"), expect(ORG_READERS, 200)),
    "unreleased wave, unit": (
        lambda w: _wave_url(w, "unit", _unit(w, "App"), wave="unreleased"),
        expect(UTVIKLING_READERS, 200),
    ),
    "unreleased wave, hidden list": (lambda w: _wave_url(w, "hidden", wave="unreleased"), expect(HIDDEN_READERS, 200)),
    "release a closed wave (asks first)": (
        lambda w: _wave_url(w, "release", wave="unreleased"),
        expect({"org_admin", "hr"}, 200),
    ),
    "release a released wave": (lambda w: _wave_url(w, "release"), expect({"org_admin", "hr"}, 409)),
    "release another organisation's wave": (
        lambda w: _wave_url(w, "release", wave="other_wave"),
        expect({"org_admin", "hr"}, 404),
    ),
    "unreleased wave, chart": (
        lambda w: _wave_url(w, "wave_chart", "means", wave="unreleased"),
        expect(ORG_READERS, 404),
    ),
    "another organisation's wave": (lambda w: _wave_url(w, "wave", wave="other_wave"), expect(ORG_READERS, 404)),
    "another organisation's wave, our unit": (
        lambda w: _wave_url(w, "unit", _unit(w, "Nord"), wave="other_wave"),
        expect(READERS, 404),
    ),
    "another organisation's unit in our wave": (
        lambda w: _wave_url(w, "unit", w["other_units"]["Nord"].pk),
        expect(READERS, 404),
    ),
    "another organisation's hidden list": (
        lambda w: _wave_url(w, "hidden", wave="other_wave"),
        expect(HIDDEN_READERS, 404),
    ),
    "unknown chart": (lambda w: _wave_url(w, "wave_chart", "pie"), expect(ORG_READERS, 404)),
    "hidden unit's chart": (
        lambda w: _wave_url(w, "unit_chart", _unit(w, "Kundesenter"), "means"),
        expect(SALG_READERS, 404),
    ),
    "unknown organisation": (
        lambda w: reverse("dashboards:index", args=["no-such-org"]),
        {"anonymous": 302, **dict.fromkeys(WHO, 404)},
    ),
}
for chart in ("model", "means", "heatmap", "change"):
    WALK[f"organisation chart {chart}"] = (
        lambda w, chart=chart: _wave_url(w, "wave_chart", chart),
        expect(ORG_READERS, 404 if chart == "change" else 200),  # no previous wave to compare with
    )
    WALK[f"Nord chart {chart}"] = (
        lambda w, chart=chart: _wave_url(w, "unit_chart", _unit(w, "Nord"), chart),
        expect(SALG_READERS, 200 if chart in ("model", "means") else 404),  # Nord has no units below
    )
    WALK[f"Utvikling chart {chart}"] = (
        lambda w, chart=chart: _wave_url(w, "unit_chart", _unit(w, "Utvikling"), chart),
        expect(UTVIKLING_READERS, 404 if chart == "change" else 200),
    )
WALK["organisation chart means, filtered"] = (
    lambda w: _wave_url(w, "wave_chart", "means", query=w["cell"]),
    expect(ORG_READERS, 200),
)


@pytest.mark.parametrize("case", list(WALK))
def test_permission_walk(client, world, case):
    url_of, expected = WALK[case]
    url = url_of(world)
    got = {}
    for who in expected:
        client.logout()
        if who != "anonymous":
            client.force_login(world["people"][who])
        response = client.get(url)
        got[who] = response.status_code
        if who == "anonymous":
            assert response["Location"].startswith(reverse("accounts:login") + "?next=/staff/"), case
        if response.status_code in (200, 403):
            assert "no-store" in response["Cache-Control"], (case, who)
    assert got == expected


def test_a_manager_sees_only_the_own_subtree_on_the_index(client, world):
    client.force_login(world["people"]["manager"])
    html = client.get(reverse("dashboards:index", args=[world["org"].slug]) + "?lang=en").content.decode()
    assert "Results for Gruppe" in html and "Salg" in html
    assert "Utvikling" not in html and "Plattform" not in html
    assert "Results for the whole organisation" not in html
    assert _wave_url(world, "unit", _unit(world, "Salg")) in html


def test_a_manager_gets_no_links_outside_the_own_units(client, world):
    client.force_login(world["people"]["manager"])
    html = client.get(_wave_url(world, "unit", _unit(world, "Nord"), query="?lang=en")).content.decode()
    assert f'href="{_wave_url(world, "wave")}"' not in html  # no link to the organisation's dashboard
    assert f'href="{_wave_url(world, "unit", _unit(world, "Salg"))}"' in html  # the breadcrumb to the own unit
    assert f'href="{_wave_url(world, "hidden")}"' not in html


def test_posting_to_a_dashboard_is_refused(client, world):
    client.force_login(world["people"]["hr"])
    assert client.post(_wave_url(world, "wave")).status_code == 405
    assert client.post(_wave_url(world, "wave_chart", "means")).status_code == 405
