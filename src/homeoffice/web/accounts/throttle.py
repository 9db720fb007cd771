"""Login throttle: after ``MAX_FAILURES`` wrong passwords for one user name within ``WINDOW``, the
login refuses that name until the oldest of them is older than the window (a password guesser gets
five tries per quarter of an hour, whichever server process answers). A successful login clears the
name's failures. Only a hash of the user name and the time are stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math

from django.utils import timezone

from homeoffice.web.accounts.models import LoginFailure

MAX_FAILURES = 5
WINDOW = dt.timedelta(minutes=15)


def account_key(username: str) -> str:
    return hashlib.sha256(username.strip().lower().encode()).hexdigest()


def minutes_locked(username: str) -> int:
    """Whole minutes until ``username`` may try again; 0 when it may try now."""
    now = timezone.now()
    recent = list(
        LoginFailure.objects.filter(account=account_key(username), at__gt=now - WINDOW)
        .order_by("-at")
        .values_list("at", flat=True)[:MAX_FAILURES]
    )
    if len(recent) < MAX_FAILURES:
        return 0
    free_at = recent[-1] + WINDOW
    return max(1, math.ceil((free_at - now).total_seconds() / 60))


def record_failure(username: str) -> None:
    LoginFailure.objects.filter(at__lte=timezone.now() - WINDOW).delete()
    LoginFailure.objects.create(account=account_key(username))


def clear(username: str) -> None:
    LoginFailure.objects.filter(account=account_key(username)).delete()
