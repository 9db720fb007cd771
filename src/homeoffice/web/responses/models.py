"""A person's answers to one wave, saved page by page and submitted once.

The row holds the unit (from the link or invitation), the language, the answers as item id ->
code, the hash of the opaque resume code, the day it was started and submitted, and after
submission the scored result with its provenance. It never holds an e-mail address, an
invitation, an IP address or a time of day. In confidential waves ``respondent_key`` is a
pseudonymous key (HMAC of the e-mail) that lets a person follow their own trajectory.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid

from django.db import models

from homeoffice.web.organisations.models import Unit
from homeoffice.web.surveys.models import Wave

RESUME_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
RESUME_LENGTH = 20  # 20 symbols of 5 bits: 100 bits


def new_resume_code() -> str:
    """An opaque code like ``K7QF-3MZD-P2XA-…`` (100 bits), shown to the person once."""
    raw = "".join(secrets.choice(RESUME_ALPHABET) for _ in range(RESUME_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RESUME_LENGTH, 4))


def normalise_resume_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch in RESUME_ALPHABET)


def resume_hash(code: str) -> str:
    return hashlib.sha256(normalise_resume_code(code).encode()).hexdigest()


class Response(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="responses")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="responses")
    lang = models.CharField(max_length=2, default="nb")
    resume_hash = models.CharField(max_length=64, unique=True, editable=False)
    consented = models.BooleanField(default=False)
    answers = models.JSONField(default=dict, blank=True)
    open_answers = models.JSONField(default=dict, blank=True)
    page = models.PositiveSmallIntegerField(default=0)
    started_on = models.DateField(auto_now_add=True)
    submitted_on = models.DateField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)
    respondent_key = models.CharField(max_length=64, blank=True, default="", db_index=True)

    class Meta:
        indexes = [models.Index(fields=["wave", "unit", "submitted_on"])]

    @property
    def submitted(self) -> bool:
        return self.submitted_on is not None
