"""Model rules that the database itself enforces."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from homeoffice.web.organisations.models import Organisation, Unit


@pytest.mark.django_db
def test_unit_names_are_unique_among_siblings_also_at_the_top():
    org = Organisation.objects.create(name="Org", slug="org")
    top = Unit.objects.create(organisation=org, name="Org")
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.create(organisation=org, name="Org")
    Unit.objects.create(organisation=org, parent=top, name="Team")
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.create(organisation=org, parent=top, name="Team")
    other = Organisation.objects.create(name="Other", slug="other")
    Unit.objects.create(organisation=other, name="Org")  # another organisation may use the name
