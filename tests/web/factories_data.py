"""An organisation with two released waves, an unreleased one and one person per role, for the tests of
reports, the plan documentation, exports and imports (tests/web/test_reports.py, test_exports_web.py,
test_imports_web.py, test_data_commands.py).

The tree is factories_groups.TREE: company > Salg (Nord 12, Sør 9, Kundesenter 4) and Utvikling (App 15,
Plattform 8); Kundesenter is below the minimum group size 5.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from homeoffice.web.accounts.models import Role
from homeoffice.web.organisations.models import Organisation, Unit
from homeoffice.web.surveys.models import Wave
from tests.web.factories_groups import make_org, make_released_wave, team_sizes
from tests.web.factories_staff import PASSWORD, member

# Everyone a permission walk tries, besides the anonymous visitor.
WHO = [
    "org_admin",
    "hr",
    "manager",
    "sibling_manager",
    "safety_rep",
    "occupational_health",
    "researcher",
    "outsider",
    "nobody",
]


def expect(granted: set[str], ok: int = 200) -> dict[str, int]:
    """anonymous -> 302 (login); ``granted`` -> ``ok``; every other person -> 403."""
    return {"anonymous": 302, **{who: ok if who in granted else 403 for who in WHO}}


def make_open_wave(org: Organisation, name: str = "Import") -> Wave:
    """A wave that closed yesterday and is not released (answers may still be imported)."""
    today = timezone.localdate()
    return Wave.objects.create(
        organisation=org,
        name=name,
        instrument_id="standard",
        languages="nb,en",
        opens_on=today - dt.timedelta(days=20),
        closes_on=today - dt.timedelta(days=1),
    )


def make_people(org: Organisation, units: dict[str, Unit]) -> dict[str, object]:
    other, _ = make_org(name=f"Andre {org.pk} AS")
    return {
        "org_admin": member(f"boss-{org.pk}", org, Role.ORG_ADMIN),
        "hr": member(f"hr-{org.pk}", org, Role.HR),
        "manager": member(f"salg-leder-{org.pk}", org, Role.MANAGER, [units["Salg"]]),
        "sibling_manager": member(f"utv-leder-{org.pk}", org, Role.MANAGER, [units["Utvikling"]]),
        "safety_rep": member(f"verneombud-{org.pk}", org, Role.SAFETY_REP),
        "occupational_health": member(f"bht-{org.pk}", org, Role.OCCUPATIONAL_HEALTH),
        "researcher": member(f"forsker-{org.pk}", org, Role.RESEARCHER),
        "outsider": member(f"annen-hr-{org.pk}", other, Role.HR),
        "nobody": get_user_model().objects.create_user(f"ingen-{org.pk}", password=PASSWORD),
    }


def make_world(*, previous: bool = True) -> dict:
    """The organisation, its units, a previous and a current released wave, an unreleased wave, the people."""
    org, units = make_org()
    sizes = team_sizes()
    world: dict = {"org": org, "units": units, "sizes": sizes}
    if previous:
        world["previous"] = make_released_wave(org, units, sizes, name="Forrige runde", closed_days_ago=90, seed=7)
    world["wave"] = make_released_wave(org, units, sizes, name="Høstrunden", closed_days_ago=10, seed=1)
    world["open_wave"] = make_open_wave(org)
    world["people"] = make_people(org, units)
    return world
