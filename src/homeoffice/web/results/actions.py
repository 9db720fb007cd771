"""State changes of the results app (views check input; actions change state)."""

from __future__ import annotations

import uuid

from django.db import transaction

from homeoffice.web.responses.models import Response


@transaction.atomic
def do_withdraw_response(response_id: uuid.UUID) -> bool:
    """Delete one person's response (answers, open answers and result) for good.

    Returns False when it was already gone (a double click, or a second tab). Nothing else refers
    to a response, so no trace is left; group reports made earlier are not changed.
    """
    deleted, _ = Response.objects.filter(pk=response_id).delete()
    return deleted > 0
