"""State changes of the answering flow, each written in one transaction (views check input; actions change state).

Anonymity (issue 3): claiming an invitation flips ``claimed`` and creates a fresh response in the
same transaction, and nothing records which response it became. In confidential waves the response
gets ``respondent_key`` = HMAC-SHA256(PSEUDONYM_KEY, lower-cased e-mail), a pseudonymous key that lets a
person's later answers be linked to this one without storing the address. PSEUDONYM_KEY is kept apart
from SECRET_KEY (settings.py), so rotating SECRET_KEY leaves the links intact.

``Response.page`` is where the person continues: 0 before consent, 1..N a question page,
N + 1 the review page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from homeoffice.web.responses import store
from homeoffice.web.responses.models import Response, new_resume_code, resume_hash
from homeoffice.web.scoring import score_response
from homeoffice.web.surveys.models import Invitation, Wave


def respondent_key(email: str) -> str:
    """The pseudonymous key of a person in confidential waves: HMAC-SHA256(PSEUDONYM_KEY, e-mail)."""
    return hmac.new(settings.PSEUDONYM_KEY.encode(), email.strip().lower().encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def do_start_response(
    *, wave: Wave, unit_id: int, lang: str, consented: bool = False, key: str = ""
) -> tuple[Response, str]:
    """A fresh response and its resume code (the plain code exists only in the return value)."""
    code = new_resume_code()
    response = Response(
        wave=wave,
        unit_id=unit_id,
        lang=lang,
        resume_hash=resume_hash(code),
        consented=consented,
        page=1 if consented else 0,
        respondent_key=key,
    )
    store.insert(response)
    return response, code


@transaction.atomic
def do_claim_invitation(invitation: Invitation, *, lang: str) -> tuple[Response, str] | None:
    """Claim a personal invitation once: a fresh response, or None when it was already claimed.

    The conditional update makes two simultaneous first clicks claim it only once.
    """
    if not Invitation.objects.filter(pk=invitation.pk, claimed=False).update(claimed=True):
        return None
    wave = invitation.wave
    key = respondent_key(invitation.email) if wave.mode == Wave.Mode.CONFIDENTIAL else ""
    return do_start_response(wave=wave, unit_id=invitation.unit_id, lang=lang, key=key)


@transaction.atomic
def do_consent(response_id: uuid.UUID | str, *, lang: str) -> Response:
    """Record consent on a response that was created before it (an invitation claim)."""
    response = Response.objects.select_for_update().get(pk=response_id)
    if not response.consented:
        response.consented = True
        response.lang = lang
        response.page = max(response.page, 1)
        response.save(update_fields=["consented", "lang", "page"])
    return response


do_save_page = store.save_page
"""Store one page of answers and where to continue (see :func:`store.save_page`): False, having
changed nothing, when the response was already submitted or is gone."""


def do_submit(response_id: uuid.UUID | str, *, loaded: Response | None = None) -> Response:
    """Score and submit once. A second call (a double click, a replayed POST) changes nothing.

    The scoring runs before the row is locked, so concurrent submissions hold the lock (on SQLite:
    the database's write lock) only for the update; if the answers changed in between, they are
    scored again under the lock. ``loaded``: the response as the caller just read it (saves a read).
    """
    before = loaded if loaded is not None else store.load(response_id)
    if before is None:
        raise Response.DoesNotExist(response_id)
    result = None
    if not before.submitted:
        result = score_response(before.wave.instrument_id, before.answers)
    with transaction.atomic():
        now = store.lock(response_id)
        if now is None:
            raise Response.DoesNotExist(response_id)
        if now.submitted_on is not None:
            return store.load(response_id)
        if result is None or now.answers != before.answers:
            result = score_response(before.wave.instrument_id, now.answers)
        day = timezone.localdate()
        store.mark_submitted(response_id, result, day)
    before.answers, before.open_answers, before.result, before.submitted_on = now.answers, now.open_answers, result, day
    return before


class AnswersReleased(Exception):
    """Withdrawal refused: the response is submitted and its wave's group results have been released.

    From the release on the answers are part of the released group results and stay there: taking one
    person out afterwards would make the reports before and after differ by exactly that person.
    """

    def __init__(self, released_on: dt.date) -> None:
        self.released_on = released_on
        super().__init__(f"the group results of this wave were released on {released_on.isoformat()}")


@transaction.atomic
def do_withdraw(response_id: uuid.UUID | str) -> bool:
    """Delete one person's response and everything stored with it (answers, open answers, result).

    Returns True when deleted, False when it was already gone (a double click, or a second tab).
    Raises :class:`AnswersReleased`, deleting nothing, when the response is submitted and its wave
    has been released (issue 4: answers are frozen once the group results are out). Answers never
    submitted are in no result and can always be deleted. Nothing else refers to a response, so no
    trace is left.

    The wave's row is locked first, so a withdrawal and a release of the same wave run one after the
    other: either the answers are gone before the release builds its results, or the withdrawal sees
    the release and refuses.
    """
    wave_id = Response.objects.filter(pk=response_id).values_list("wave_id", flat=True).first()
    if wave_id is None:
        return False
    released_on = Wave.objects.select_for_update().filter(pk=wave_id).values_list("released_on", flat=True).first()
    if released_on is not None and Response.objects.filter(pk=response_id, submitted_on__isnull=False).exists():
        raise AnswersReleased(released_on)
    deleted, _ = Response.objects.filter(pk=response_id).delete()
    return deleted > 0
