"""Survey waves, anonymous links per unit and personal invitations.

Anonymity (issue 3): in an anonymous wave no table links a token or an e-mail address to an
answer. An invitation is *claimed* when its link is first opened: the claim creates a fresh
response with its own resume code and records only ``claimed=True`` on the invitation, never
which response it became. Dates are stored to the day.
"""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language

from homeoffice.instruments import builtin_ids
from homeoffice.web.i18n import LANGS, t
from homeoffice.web.organisations.models import Organisation, Unit

MIN_GROUP_FLOOR = 3
TOKEN_BYTES = 24  # 192 bits


def new_token() -> str:
    """An unguessable URL-safe token (192 bits)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _lang() -> str:
    code = (get_language() or "nb")[:2]
    return code if code in LANGS else "nb"


def _instrument_choices() -> list[tuple[str, str]]:
    return [(i, i) for i in builtin_ids()]


def language_codes(languages: str) -> list[str]:
    """The codes of a wave's ``languages`` field as stored ("nb,en")."""
    return [code.strip() for code in languages.split(",") if code.strip()]


class Wave(models.Model):
    """One round of a survey in one organisation."""

    class Mode(models.TextChoices):
        ANONYMOUS = "anonymous", "Anonymous"
        CONFIDENTIAL = "confidential", "Confidential"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="waves")
    name = models.CharField(max_length=200)
    instrument_id = models.CharField(max_length=60, choices=_instrument_choices, default="standard")
    languages = models.CharField(
        max_length=10, default="nb,en", help_text="Languages offered, comma-separated: nb, en or nb,en."
    )
    opens_on = models.DateField()
    closes_on = models.DateField()
    mode = models.CharField(max_length=20, choices=Mode.choices, default=Mode.ANONYMOUS)
    min_group_size = models.PositiveSmallIntegerField(
        default=5, help_text="Smallest group whose results are shown (never under 3)."
    )
    created_on = models.DateField(auto_now_add=True)
    released_on = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="The day staff released the group results (only after the wave closed); answers are frozen then.",
    )

    class Meta:
        ordering = ["-opens_on", "name"]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.name}"

    @property
    def language_list(self) -> list[str]:
        return language_codes(self.languages)

    def is_open(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.opens_on <= today <= self.closes_on

    @property
    def is_released(self) -> bool:
        """Whether the group results have been released: from then on the wave's answers are frozen
        (no withdrawal, no import, no change), so no two group reports of it can differ (issue 4)."""
        return self.released_on is not None

    def clean(self) -> None:
        errors = {}
        langs = self.language_list
        if not langs or any(code not in ("nb", "en") for code in langs) or len(set(langs)) != len(langs):
            errors["languages"] = "Give nb, en or nb,en."
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            errors["closes_on"] = "The wave must close on or after the day it opens."
        if self.min_group_size is not None and self.min_group_size < MIN_GROUP_FLOOR:
            errors["min_group_size"] = f"The minimum group size can never be under {MIN_GROUP_FLOOR}."
        if self.pk and self.min_group_size is not None:
            before = Wave.objects.filter(pk=self.pk).values_list("min_group_size", "opens_on").first()
            if before and before[1] <= timezone.localdate() and self.min_group_size < before[0]:
                errors["min_group_size"] = "Once a wave has opened its minimum group size can only be raised."
        if self.pk:
            # A released wave is frozen: moving its dates could reopen it, and its group results were
            # released with its minimum group size (issue 4).
            frozen = Wave.objects.filter(pk=self.pk, released_on__isnull=False)
            before = frozen.values("opens_on", "closes_on", "min_group_size").first()
            for name, value in (before or {}).items():
                if getattr(self, name) != value:
                    errors[name] = t("surveys_release_locked_field", _lang())
        if errors:
            raise ValidationError(errors)


class AnonymousLink(models.Model):
    """One shareable link per unit and wave: the unit is recorded, the person is not."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="links")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="links")
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["wave", "unit"], name="one_link_per_unit_and_wave")]

    def __str__(self) -> str:
        return f"{self.wave.name} – {self.unit}"


class Invitation(models.Model):
    """A personal, single-use invitation. Only the token's hash is stored."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="invitations")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    sent_on = models.DateField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)
    claimed = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["wave", "email"], name="one_invitation_per_email_and_wave")]

    def __str__(self) -> str:
        return f"{self.email} ({self.wave.name})"
