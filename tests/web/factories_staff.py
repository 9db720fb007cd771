"""Builders for the staff-page tests: one person per role in a small organisation, and a few actions.

The tree is the one of ``factories_admin.make_tree``: Acme > Sales > (North, South), Acme > Dev > (App, North).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from homeoffice.web.accounts.models import Membership, Role
from homeoffice.web.actions.models import Action
from homeoffice.web.organisations.models import Organisation, Unit
from tests.web.factories_admin import make_tree, make_wave

PASSWORD = "a-long-test-password"

# Everyone the permission walk tries, besides the anonymous visitor.
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


def member(username: str, org: Organisation, role: str, units: list[Unit] = ()) -> object:
    """A user (created if new) with ``role`` in ``org``."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        user = get_user_model().objects.create_user(username, password=PASSWORD)
    membership = Membership.objects.create(user=user, organisation=org, role=role)
    membership.units.set(units)
    return user


def make_people() -> dict:
    """Org "Acme n" with its tree, a wave, one person per role, and the people who must be refused.

    manager manages Sales (so North and South too); sibling_manager manages Dev; outsider is HR of
    another organisation; nobody has an account but no role.
    """
    tree = make_tree()
    org = tree["top"].organisation
    other = make_tree()["top"].organisation
    people = {
        "org_admin": member("boss", org, Role.ORG_ADMIN),
        "hr": member("hr", org, Role.HR),
        "manager": member("sales-manager", org, Role.MANAGER, [tree["sales"]]),
        "sibling_manager": member("dev-manager", org, Role.MANAGER, [tree["dev"]]),
        "safety_rep": member("verneombud", org, Role.SAFETY_REP),
        "occupational_health": member("bht", org, Role.OCCUPATIONAL_HEALTH),
        "researcher": member("researcher", org, Role.RESEARCHER),
        "outsider": member("other-hr", other, Role.HR),
        "nobody": get_user_model().objects.create_user("nobody", password=PASSWORD),
    }
    return {
        "tree": tree,
        "org": org,
        "other": other,
        "wave": make_wave(org),
        "other_wave": make_wave(other),
        "people": people,
    }


def make_action(world: dict, unit: Unit | None, measure_id: str = "", title: str = "", **fields: object) -> Action:
    return Action.objects.create(
        organisation=world["org"],
        wave=world["wave"],
        unit=unit,
        measure_id=measure_id,
        title=title or ("" if measure_id else "An action"),
        **fields,
    )
