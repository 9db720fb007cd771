"""Changes to the action plan, one function per change (style.md, "Domain logic gets a named home").

Views check the input and the user's rights; these functions only change state, atomically, and
validate the row (``full_clean``) before saving. The audit event is written by the view with
``accounts.audit.record``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from homeoffice.measures import load_catalogue
from homeoffice.web.accounts.permissions import Access, Perm
from homeoffice.web.actions.models import Action, ActionComment
from homeoffice.web.organisations.models import Organisation, Unit
from homeoffice.web.surveys.models import Wave

MAX_NOTES = 5000
MAX_COMMENT = 2000
EDITABLE = ("owner", "deadline", "status", "notes")


@dataclass(frozen=True)
class MeasureText:
    title: str
    description: str


def measure_text(measure_id: str, lang: str) -> MeasureText | None:
    """The catalogue measure's title and description in ``lang``, or None for an unknown id."""
    measure = load_catalogue().by_id.get(measure_id)
    if measure is None:
        return None
    return MeasureText(measure.title.get(lang), measure.description.get(lang))


def action_title(action: Action, lang: str) -> str:
    """A catalogue action's measure title in ``lang``; a free-text action's own title."""
    text = measure_text(action.measure_id, lang) if action.measure_id else None
    return text.title if text else (action.title or action.measure_id)


def visible_actions(access: Access) -> QuerySet[Action]:
    """The organisation's actions the user may see: their units' and the whole organisation's."""
    qs = Action.objects.filter(organisation=access.organisation)
    if not access.can(Perm.VIEW_ACTION_PLAN):
        return qs.none()
    return qs.filter(Q(unit__isnull=True) | Q(unit_id__in=access.unit_ids(Perm.VIEW_ACTION_PLAN)))


@transaction.atomic
def do_create_action(
    *,
    organisation: Organisation,
    wave: Wave,
    unit: Unit | None,
    measure_id: str = "",
    title: str = "",
    acting_user: object,
) -> tuple[Action, bool]:
    """Add an action for ``unit`` (None: the whole organisation) in ``wave``; (action, created).

    A catalogue measure already in the plan for the same group and wave is returned as it is, so a
    second click on "create action" opens the existing one instead of making a copy.
    """
    if wave.organisation_id != organisation.pk or (unit is not None and unit.organisation_id != organisation.pk):
        raise ValueError("the wave and the unit must belong to the organisation")
    if measure_id and measure_text(measure_id, "en") is None:
        raise ValueError(f"unknown measure {measure_id!r}")
    if measure_id:
        existing = Action.objects.filter(wave=wave, unit=unit, measure_id=measure_id).first()
        if existing is not None:
            return existing, False
    action = Action(
        organisation=organisation,
        wave=wave,
        unit=unit,
        measure_id=measure_id,
        title="" if measure_id else title.strip(),
        created_by=acting_user,
    )
    action.full_clean(validate_constraints=False)  # the database checks them; a race is answered below
    try:
        with transaction.atomic():
            action.save()
    except IntegrityError:  # the same measure added at the same moment by someone else
        existing = Action.objects.filter(wave=wave, unit=unit, measure_id=measure_id).first() if measure_id else None
        if existing is None:
            raise
        return existing, False
    return action, True


@transaction.atomic
def do_update_action(action: Action, *, owner: str, deadline: dt.date | None, status: str, notes: str) -> list[str]:
    """Set owner, deadline, status and notes; the names of the fields that changed."""
    new = {"owner": owner.strip(), "deadline": deadline, "status": status, "notes": notes.strip()}
    changed = [name for name in EDITABLE if getattr(action, name) != new[name]]
    if not changed:
        return []
    for name in changed:
        setattr(action, name, new[name])
    action.full_clean()
    action.save(update_fields=[*changed, "updated"])
    return changed


@transaction.atomic
def do_comment(action: Action, *, author: object, text: str) -> ActionComment:
    """Add a comment to ``action``."""
    comment = ActionComment(action=action, author=author, author_name=author.get_username(), text=text.strip())
    comment.full_clean()
    comment.save()
    return comment
