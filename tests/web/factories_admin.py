"""Builders for the staff-admin tests: an organisation with a small unit tree, waves, a staff user."""

from __future__ import annotations

import datetime as dt
import itertools

from django.contrib.auth import get_user_model
from django.utils import timezone

from homeoffice.web.organisations.models import Organisation, Unit
from homeoffice.web.surveys.models import Wave

_serial = itertools.count(1)


def make_tree() -> dict[str, Unit]:
    """Org "Acme n": Acme > Sales > (North, South), Acme > Dev > (App, North) - two teams called North."""
    n = next(_serial)
    org = Organisation.objects.create(name=f"Acme {n}", slug=f"acme-{n}")
    top = Unit.objects.create(organisation=org, name="Acme")
    sales = Unit.objects.create(organisation=org, parent=top, name="Sales")
    dev = Unit.objects.create(organisation=org, parent=top, name="Dev")
    return {
        "top": top,
        "sales": sales,
        "dev": dev,
        "north": Unit.objects.create(organisation=org, parent=sales, name="North"),
        "south": Unit.objects.create(organisation=org, parent=sales, name="South"),
        "app": Unit.objects.create(organisation=org, parent=dev, name="App"),
        "dev_north": Unit.objects.create(organisation=org, parent=dev, name="North"),
    }


def make_wave(
    org: Organisation,
    *,
    opens_in: int = -1,
    closes_in: int = 30,
    languages: str = "nb,en",
    mode: str = "anonymous",
    min_group_size: int = 5,
    name: str = "Spring",
) -> Wave:
    today = timezone.localdate()
    return Wave.objects.create(
        organisation=org,
        name=name,
        instrument_id="standard",
        languages=languages,
        mode=mode,
        min_group_size=min_group_size,
        opens_on=today + dt.timedelta(days=opens_in),
        closes_on=today + dt.timedelta(days=closes_in),
    )


def make_staff(username: str = "staff"):
    return get_user_model().objects.create_superuser(
        username, email=f"{username}@example.org", password="a-long-test-password"
    )
