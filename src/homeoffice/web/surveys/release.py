"""Releasing a wave's group results (issue 4).

Product rule: group results of a wave are shown only after staff have *released* the wave, which
they can do once it has closed (``closes_on`` before today) and never before. Until then staff see
response counts only. From the release on the wave's answers are frozen: no respondent withdraws,
nothing is imported, nothing changes. So every group report of a wave is made from one and the same
population, and no two reports can be subtracted from each other to single out a person (the
"by difference" half of the anonymity rule).

Other apps join the release through :data:`on_release`: each hook is called with the wave inside
the release's transaction (the dashboards app builds the wave's result table there), so a hook that
fails leaves the wave unreleased, as if nothing had happened.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from homeoffice.web.i18n import t
from homeoffice.web.surveys.emails import format_date
from homeoffice.web.surveys.models import Wave

on_release: list[Callable[[Wave], None]] = []
"""Hooks called as ``hook(wave)`` inside the release transaction, in order; an exception undoes the release."""


class ReleaseRefused(ValidationError):
    """A wave that cannot be released (yet): ``code`` is ``not_closed`` or ``already_released``.

    ``text(lang)`` gives the reason in nb or en; ``str()`` and the ValidationError message are English.
    """

    def __init__(self, code: str, *, wave: Wave, day: dt.date) -> None:
        self.key = f"surveys_release_refused_{code}"
        self.wave_name = wave.name
        self.day = day
        super().__init__(self.text("en"), code=code)

    def text(self, lang: str) -> str:
        return t(self.key, lang, wave=self.wave_name, date=format_date(self.day, lang))


def releasable_from(wave: Wave) -> dt.date:
    """The first day the wave can be released: the day after it closes."""
    return wave.closes_on + dt.timedelta(days=1)


def release_wave(wave: Wave, *, today: dt.date | None = None) -> None:
    """Release the wave's group results on ``today`` (default: the server's local date).

    Refuses with :class:`ReleaseRefused` when the wave has not closed yet or is released already.
    One conditional UPDATE sets ``released_on``, so of two simultaneous clicks only one releases
    (the other is refused as already released) and the hooks run once. The hooks run in the same
    transaction: if one raises, ``released_on`` is rolled back and the exception propagates.
    On success ``wave.released_on`` is set on the given instance too.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        updated = Wave.objects.filter(pk=wave.pk, released_on__isnull=True, closes_on__lt=today).update(
            released_on=today
        )
        if not updated:
            current = Wave.objects.filter(pk=wave.pk).values("released_on", "closes_on").first()
            if current is None:
                raise Wave.DoesNotExist(wave.pk)
            if current["released_on"] is not None:
                wave.released_on = current["released_on"]
                raise ReleaseRefused("already_released", wave=wave, day=current["released_on"])
            raise ReleaseRefused("not_closed", wave=wave, day=current["closes_on"] + dt.timedelta(days=1))
        wave.released_on = today
        try:
            for hook in list(on_release):
                hook(wave)
        except BaseException:
            wave.released_on = None
            raise
