"""The audit log: who viewed, exported, changed or imported what (issue 4, point 1).

Call :func:`record` from every staff view that shows or changes an organisation's data, and
:func:`log_event` where there is no request (the CLI). An event names the kind of object and its
id, the wave, the unit and the file format; never answers, comments, scores or anything a person
typed, and no IP address.
"""

from __future__ import annotations

import re

from django.db import models
from django.http import HttpRequest

from homeoffice.web.accounts.models import AuditEvent
from homeoffice.web.organisations.models import Organisation, Unit
from homeoffice.web.surveys.models import Wave

Verb = AuditEvent.Verb
_WORD = re.compile(r"^[a-z0-9_.,:= -]*$")


def log_event(
    user: object,
    verb: str,
    *,
    organisation: Organisation | None,
    object_type: str,
    object_id: object = "",
    wave: Wave | None = None,
    unit: Unit | None = None,
    format: str = "",
    detail: str = "",
) -> AuditEvent:
    """Write one audit event. ``detail`` takes machine words only (``status,deadline``), never free text."""
    if verb not in Verb.values:
        raise ValueError(f"unknown audit verb {verb!r}; use one of {', '.join(Verb.values)}")
    if not _WORD.match(detail) or not _WORD.match(format) or not _WORD.match(object_type):
        raise ValueError("audit details must be machine words (a-z, 0-9, _ . , : = -), never free text")
    authenticated = getattr(user, "is_authenticated", False)
    return AuditEvent.objects.create(
        user=user if authenticated else None,
        username=user.get_username() if authenticated else "",
        verb=verb,
        organisation=organisation,
        object_type=object_type,
        object_id=str(object_id.pk if isinstance(object_id, models.Model) else object_id),
        wave=wave,
        unit=unit,
        format=format,
        detail=detail[:200],
    )


def record(request: HttpRequest, verb: str, **event: object) -> AuditEvent:
    """:func:`log_event` for the user of ``request`` (the same keyword arguments)."""
    return log_event(request.user, verb, **event)
