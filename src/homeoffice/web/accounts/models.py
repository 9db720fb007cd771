"""Who works with an organisation's results (memberships with a role), and what they looked at (the audit log).

Roles follow issue 4, point 1: organisation admin, HR/HSE, unit manager (own units and all units
below them), safety representative (verneombud; for a safety area of units, or the whole
organisation as main safety representative), occupational health service (BHT) and researcher.
What each role may do is decided in one place, :mod:`homeoffice.web.accounts.permissions`.

The audit log records who viewed, exported, changed or imported what: the kind of object and its
id, the wave, the unit and the file format. It never holds answers, open comments, scores or any
free text typed by a person, and no IP address.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from homeoffice.web.organisations.models import Organisation, Unit
from homeoffice.web.surveys.models import Wave


class Role(models.TextChoices):
    ORG_ADMIN = "org_admin", "Organisation admin"
    HR = "hr", "HR/HSE"
    MANAGER = "manager", "Manager"
    SAFETY_REP = "safety_rep", "Safety representative"
    OCCUPATIONAL_HEALTH = "occupational_health", "Occupational health service"
    RESEARCHER = "researcher", "Researcher"


# Roles whose scope is a set of units (and everything below them). A manager must name units; a
# safety representative without units covers the whole organisation (main safety representative).
UNIT_ROLES = frozenset({Role.MANAGER, Role.SAFETY_REP})
UNITS_REQUIRED = frozenset({Role.MANAGER})


class Membership(models.Model):
    """One role of one person in one organisation; a person may hold several roles."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)
    units = models.ManyToManyField(Unit, blank=True, related_name="memberships")
    created_on = models.DateField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "user", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="one_membership_per_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation} ({self.role})"


class AuditEvent(models.Model):
    """One thing a staff member did with an organisation's data. Rows are never changed or deleted by the app."""

    class Verb(models.TextChoices):
        VIEWED = "viewed", "viewed"
        EXPORTED = "exported", "exported"
        CHANGED = "changed", "changed"
        IMPORTED = "imported", "imported"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    username = models.CharField(max_length=150, help_text="Kept when the user is deleted.")
    verb = models.CharField(max_length=10, choices=Verb.choices)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40, blank=True, default="")
    wave = models.ForeignKey(Wave, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    format = models.CharField(max_length=20, blank=True, default="")
    detail = models.CharField(
        max_length=200, blank=True, default="", help_text="Machine words only (changed field names), never answers."
    )

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["organisation", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.verb} {self.object_type} {self.object_id}".strip()


class LoginFailure(models.Model):
    """One failed staff login, kept for the login throttle (:mod:`homeoffice.web.accounts.throttle`).

    ``account`` is a SHA-256 of the lower-cased user name (not the name, not the password, no IP
    address); rows older than the throttle window are deleted as new ones come.
    """

    account = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
