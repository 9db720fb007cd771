"""Invitation and reminder e-mails, in the wave's languages (both in one e-mail when it offers both).

The personal link ``SITE_URL/i/<token>/`` appears only here: the database keeps the token's hash.
Sent through Django's e-mail settings (the console backend in the demo).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMessage

from homeoffice.web.i18n import LANGS, t
from homeoffice.web.surveys.models import Invitation, Wave

_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_DIVIDER = "\n\n" + "-" * 60 + "\n\n"


def site_url(path: str) -> str:
    """``path`` on the public site (``settings.SITE_URL``, read when called)."""
    return settings.SITE_URL.rstrip("/") + path


def invitation_url(token: str) -> str:
    return site_url(f"/i/{token}/")


def format_date(day: dt.date, lang: str) -> str:
    """12.03.2025 in Norwegian, 12 March 2025 in English."""
    if lang == "en":
        return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"
    return day.strftime("%d.%m.%Y")


def wave_languages(wave: Wave) -> list[str]:
    langs = [code for code in wave.language_list if code in LANGS]
    return langs or ["nb"]


def _body(wave: Wave, link: str, lang: str, *, reminder: bool) -> str:
    params = {
        "organisation": wave.organisation.name,
        "wave": wave.name,
        "link": link,
        "opens": format_date(wave.opens_on, lang),
        "closes": format_date(wave.closes_on, lang),
    }
    main = t("surveys_email_reminder_body" if reminder else "surveys_email_invitation_body", lang, **params)
    mode_key = "surveys_email_anonymous" if wave.mode == Wave.Mode.ANONYMOUS else "surveys_email_confidential"
    return "\n\n".join([main, t(mode_key, lang, min_group=wave.min_group_size), t("surveys_email_personal", lang)])


def invitation_message(invitation: Invitation, token: str, *, reminder: bool = False) -> EmailMessage:
    """The e-mail carrying ``token`` for ``invitation`` (not sent)."""
    wave = invitation.wave
    langs = wave_languages(wave)
    link = invitation_url(token)
    subject_key = "surveys_email_reminder_subject" if reminder else "surveys_email_subject"
    subject = " / ".join(t(subject_key, lang) for lang in langs) + ": " + " ".join(wave.name.split())
    body = _DIVIDER.join(_body(wave, link, lang, reminder=reminder) for lang in langs)
    return EmailMessage(
        subject=subject, body=body + "\n", from_email=settings.DEFAULT_FROM_EMAIL, to=[invitation.email]
    )
