"""State changes of the answering flow, each written in one transaction (views check input; actions change state).

Anonymity (issue 3): claiming an invitation flips ``claimed`` and creates a fresh response in the
same transaction, and nothing records which response it became. In confidential waves the response
gets ``respondent_key`` = HMAC-SHA256(SECRET_KEY, lower-cased e-mail), a pseudonymous key that lets a
person's later answers be linked to this one without storing the address.

``Response.page`` is where the person continues: 0 before consent, 1..N a question page,
N + 1 the review page.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Mapping

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from homeoffice.web.organisations.models import Unit
from homeoffice.web.responses.models import Response, new_resume_code, resume_hash
from homeoffice.web.scoring import score_response
from homeoffice.web.surveys.models import Invitation, Wave


def respondent_key(email: str) -> str:
    """The pseudonymous key of a person in confidential waves: HMAC-SHA256(SECRET_KEY, e-mail)."""
    return hmac.new(settings.SECRET_KEY.encode(), email.strip().lower().encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def do_start_response(
    *, wave: Wave, unit: Unit, lang: str, consented: bool = False, key: str = ""
) -> tuple[Response, str]:
    """A fresh response and its resume code (the plain code exists only in the return value)."""
    code = new_resume_code()
    response = Response.objects.create(
        wave=wave,
        unit=unit,
        lang=lang,
        resume_hash=resume_hash(code),
        consented=consented,
        page=1 if consented else 0,
        respondent_key=key,
    )
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
    return do_start_response(wave=wave, unit=invitation.unit, lang=lang, key=key)


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


@transaction.atomic
def do_save_page(
    response_id: uuid.UUID | str,
    *,
    closed: Mapping[str, int | None],
    opened: Mapping[str, str],
    next_page: int,
    lang: str,
) -> Response:
    """Store one page of answers and where to continue. A submitted response is returned unchanged.

    ``closed`` maps item ids to a code, or None to clear an answer; ``opened`` maps open-question
    ids to text ("" clears it).
    """
    response = Response.objects.select_for_update().get(pk=response_id)
    if response.submitted:
        return response
    answers = dict(response.answers)
    for item_id, code in closed.items():
        if code is None:
            answers.pop(item_id, None)
        else:
            answers[item_id] = int(code)
    open_answers = dict(response.open_answers)
    for qid, text in opened.items():
        if text:
            open_answers[qid] = text
        else:
            open_answers.pop(qid, None)
    response.answers = answers
    response.open_answers = open_answers
    response.page = next_page
    response.lang = lang
    response.save(update_fields=["answers", "open_answers", "page", "lang"])
    return response


def do_submit(response_id: uuid.UUID | str) -> Response:
    """Score and submit once. A second call (a double click, a replayed POST) changes nothing.

    The scoring (a few milliseconds) runs before the row is locked, so concurrent submissions
    hold the lock (on SQLite: the database's write lock) only for the update; if the answers
    changed in between, they are scored again under the lock.
    """
    before = Response.objects.filter(pk=response_id).values("answers", "submitted_on", "wave__instrument_id").first()
    if before is None:
        raise Response.DoesNotExist(response_id)
    result = None
    if before["submitted_on"] is None:
        result = score_response(before["wave__instrument_id"], before["answers"])
    with transaction.atomic():
        response = Response.objects.select_for_update().get(pk=response_id)
        if response.submitted:
            return response
        if result is None or response.answers != before["answers"]:
            result = score_response(response.wave.instrument_id, response.answers)
        response.result = result
        response.submitted_on = timezone.localdate()
        response.save(update_fields=["result", "submitted_on"])
    return response


@transaction.atomic
def do_withdraw(response_id: uuid.UUID | str) -> bool:
    """Delete one person's response and everything stored with it (answers, open answers, result).

    Returns False when it was already gone (a double click, or a second tab). Nothing else refers
    to a response, so no trace is left; group reports made earlier are not changed.
    """
    deleted, _ = Response.objects.filter(pk=response_id).delete()
    return deleted > 0
