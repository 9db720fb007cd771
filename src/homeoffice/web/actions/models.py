"""The action plan (issue 4, point 4): measures agreed for a group, with owner, deadline, status and notes.

An action belongs to an organisation and the wave whose results led to it, and to a unit (the
group) or, with no unit, to the whole organisation. It is either a measure of the catalogue
(``measure_id``, title and description from ``homeoffice.measures``) or a free-text title.
Safety representatives, occupational health, HR and managers comment on it. The plan is the
documentation of measures and follow-up that Norwegian employers must keep
(arbeidsmiljøloven § 3-1), so a wave or unit with actions cannot be deleted on its own.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from homeoffice.web.organisations.models import Organisation, Unit
from homeoffice.web.surveys.models import Wave


class Action(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "planned"
        IN_PROGRESS = "in_progress", "in progress"
        DONE = "done", "done"
        DROPPED = "dropped", "dropped"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="actions")
    wave = models.ForeignKey(Wave, on_delete=models.RESTRICT, related_name="actions")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.RESTRICT, related_name="actions")
    measure_id = models.CharField(max_length=60, blank=True, default="")
    title = models.CharField(max_length=200, blank=True, default="")
    owner = models.CharField(max_length=200, blank=True, default="")
    deadline = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    notes = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(measure_id="") | ~Q(title=""), name="action_has_measure_or_title"),
            # One action per catalogue measure and group in a wave (the organisation as a whole is a group too).
            models.UniqueConstraint(
                fields=["wave", "unit", "measure_id"],
                condition=~Q(measure_id="") & Q(unit__isnull=False),
                name="one_action_per_measure_unit_wave",
            ),
            models.UniqueConstraint(
                fields=["wave", "measure_id"],
                condition=~Q(measure_id="") & Q(unit__isnull=True),
                name="one_action_per_measure_org_wave",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "wave", "unit"])]

    def __str__(self) -> str:
        return self.title or self.measure_id


class ActionComment(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(max_length=150, help_text="Kept when the user is deleted.")
    text = models.TextField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"{self.action}: {self.text[:40]}"
