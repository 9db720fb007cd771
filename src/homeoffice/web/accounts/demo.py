"""Demo staff: one user per role in an organisation, with known passwords (for ``seed_demo``).

Idempotent: running it again finds the users, resets their demo passwords and adds no role twice.
Only for demonstrations: the passwords are printed and known.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TextIO

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse

from homeoffice.web.accounts.models import Membership, Role
from homeoffice.web.organisations.models import Organisation, Unit


@dataclass(frozen=True)
class DemoStaff:
    username: str
    password: str
    role: str
    units: tuple[str, ...]  # unit paths; empty: the whole organisation


def demo_password(role: str) -> str:
    """The known demo password of a role, e.g. ``hr-demo-password``."""
    return f"{role.replace('_', '-')}-demo-password"


def _managed_unit(organisation: Organisation) -> Unit | None:
    """The unit the demo manager manages: the first department under the top unit, else the top unit."""
    top = Unit.objects.filter(organisation=organisation, parent__isnull=True).order_by("name").first()
    if top is None:
        return None
    return top.children.order_by("name").first() or top


def seed_demo_staff(organisation: Organisation, *, out: TextIO | None = None) -> list[DemoStaff]:
    """Create (or refresh) one user per role for ``organisation``; print them to ``out`` when given.

    User names are ``<org slug>-<role>`` (``demo-hr``); the manager manages the first department,
    the safety representative covers the whole organisation (main safety representative).
    """
    User = get_user_model()
    made: list[DemoStaff] = []
    unit = _managed_unit(organisation)
    with transaction.atomic():
        for role in Role:
            username = f"{organisation.slug}-{role.value.replace('_', '-')}"
            user, _ = User.objects.get_or_create(**{User.USERNAME_FIELD: username})
            password = demo_password(role.value)
            user.set_password(password)
            user.is_staff = role == Role.ORG_ADMIN
            user.save()
            membership, _ = Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
            units: tuple[str, ...] = ()
            if role == Role.MANAGER and unit is not None:
                membership.units.set([unit])
                units = (str(unit),)
            made.append(DemoStaff(username, password, role.value, units))
    if out is not None:
        out.write(demo_staff_report(made))
    return made


def demo_staff_report(staff: list[DemoStaff], base_url: str = "") -> str:
    """The demo users as text: where to log in, user name, password, role and units."""
    login = base_url.rstrip("/") + reverse("accounts:login")
    width = max((len(s.username) for s in staff), default=0)
    lines = ["", f"Staff pages: log in at {login} as one of these demo users:"]
    for s in staff:
        scope = f"  ({', '.join(s.units)})" if s.units else ""
        lines.append(f"  {s.username:<{width}}  password {s.password:<34} {s.role}{scope}")
    lines.append("")
    return "\n".join(lines)
