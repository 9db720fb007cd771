"""The action plan pages (issue 4, point 4): the plan per wave filtered by unit, a new action (also
straight from a recommendation: POST ``measure_id``, ``wave`` and ``unit``), one action with its
edit and comment forms.

Every page goes through :func:`~homeoffice.web.accounts.guard.staff_view` and is written to the
audit log (viewed or changed). Objects are found only through the organisation of the URL
(``_action``, ``_wave``); a unit outside the user's scope gets the 403 page. Pages work without
JavaScript; forms post back to themselves and show errors next to the fields.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import BadRequest
from django.db.models import Count, F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from homeoffice.web.accounts.audit import Verb, record
from homeoffice.web.accounts.guard import render_staff, staff_lang, staff_view
from homeoffice.web.accounts.permissions import Access, Perm, subtree
from homeoffice.web.actions import plans
from homeoffice.web.actions.forms import WHOLE_ORGANISATION, CommentForm, EditActionForm, NewActionForm
from homeoffice.web.actions.models import Action
from homeoffice.web.i18n import t
from homeoffice.web.organisations.models import Unit
from homeoffice.web.surveys.actions import units_with_paths
from homeoffice.web.surveys.emails import format_date
from homeoffice.web.surveys.models import Wave

STATUS_ORDER = list(Action.Status.values)


def _wave(access: Access, wave_id: int) -> Wave:
    return get_object_or_404(Wave, pk=wave_id, organisation=access.organisation)


def _action(access: Access, action_id: int, perm: Perm) -> Action:
    """The action of this organisation, if the user has ``perm`` for its unit (else 403)."""
    action = get_object_or_404(
        Action.objects.select_related("wave", "unit", "created_by"), pk=action_id, organisation=access.organisation
    )
    access.require(perm, action.unit_id)
    return action


def _paths(access: Access) -> dict[int, str]:
    return {u.pk: u.tree_path for u in units_with_paths(access.organisation)}


def _unit_choices(access: Access, perm: Perm, lang: str, paths: dict[int, str]) -> list[tuple[str, str]]:
    """The groups the user may act on with ``perm``: the whole organisation (if allowed) and units by path."""
    allowed = access.unit_ids(perm)
    choices = [(WHOLE_ORGANISATION, t("plan_whole_org", lang))] if access.can(perm, None) else []
    return choices + [(str(pk), path) for pk, path in paths.items() if pk in allowed]


def _day(day: object, lang: str) -> str:
    return format_date(day, lang) if day else ""


# --- the plan -----------------------------------------------------------------------------------


@staff_view(Perm.VIEW_ACTION_PLAN)
@require_GET
def index(request: HttpRequest, access: Access) -> HttpResponse:
    lang = staff_lang(request)
    counts = dict(plans.visible_actions(access).values("wave").annotate(n=Count("pk")).values_list("wave", "n"))
    waves = [
        {"wave": w, "count": counts.get(w.pk, 0), "opens": _day(w.opens_on, lang), "closes": _day(w.closes_on, lang)}
        for w in Wave.objects.filter(organisation=access.organisation)
    ]
    record(request, Verb.VIEWED, organisation=access.organisation, object_type="action_plan_index")
    return render_staff(
        request,
        "actions/index.html",
        {
            "lang": lang,
            "organisation": access.organisation,
            "waves": waves,
            "can_edit": access.can(Perm.EDIT_ACTION_PLAN),
        },
    )


def _filter_unit(request: HttpRequest, access: Access) -> tuple[str, Unit | None]:
    """The ``unit`` filter: "" (everything visible), "org" (the whole organisation) or a unit id."""
    raw = request.GET.get("unit", "")
    if raw in ("", WHOLE_ORGANISATION):
        return raw, None
    if not raw.isdigit() or len(raw) > 18:
        raise BadRequest("unit filter")
    unit = get_object_or_404(Unit, pk=int(raw), organisation=access.organisation)
    access.require(Perm.VIEW_ACTION_PLAN, unit)
    return raw, unit


@staff_view(Perm.VIEW_ACTION_PLAN)
@require_GET
def plan(request: HttpRequest, access: Access, wave_id: int) -> HttpResponse:
    lang = staff_lang(request)
    wave = _wave(access, wave_id)
    chosen, unit = _filter_unit(request, access)
    actions = plans.visible_actions(access).filter(wave=wave).select_related("unit")
    if chosen == WHOLE_ORGANISATION:
        actions = actions.filter(unit__isnull=True)
    elif unit is not None:
        actions = actions.filter(unit_id__in=subtree([unit.pk], access.parents))
    actions = actions.annotate(n_comments=Count("comments")).order_by(F("deadline").asc(nulls_last=True), "pk")
    paths = _paths(access)
    rows = [
        {
            "action": a,
            "title": plans.action_title(a, lang),
            "group": paths.get(a.unit_id, "") if a.unit_id else t("plan_whole_org", lang),
            "deadline": _day(a.deadline, lang),
            "status": t(f"plan_status_{a.status}", lang),
        }
        for a in actions
    ]
    counts = {s: 0 for s in STATUS_ORDER}
    for row in rows:
        counts[row["action"].status] += 1
    record(
        request,
        Verb.VIEWED,
        organisation=access.organisation,
        object_type="action_plan",
        object_id=wave.pk,
        wave=wave,
        unit=unit,
        detail="unit=org" if chosen == WHOLE_ORGANISATION else "",
    )
    can_edit = access.can(Perm.EDIT_ACTION_PLAN)
    new_url = reverse("actions:new", args=[access.organisation.slug]) + f"?wave={wave.pk}"
    if can_edit and unit is not None and access.can(Perm.EDIT_ACTION_PLAN, unit):
        new_url += f"&unit={unit.pk}"
    return render_staff(
        request,
        "actions/plan.html",
        {
            "lang": lang,
            "organisation": access.organisation,
            "wave": wave,
            "rows": rows,
            "status_counts": [(t(f"plan_status_{s}", lang), counts[s]) for s in STATUS_ORDER],
            "unit_choices": _unit_choices(access, Perm.VIEW_ACTION_PLAN, lang, paths),
            "chosen": chosen,
            "chosen_name": paths.get(unit.pk) if unit else "",
            "can_edit": can_edit,
            "new_url": new_url,
        },
    )


# --- a new action -------------------------------------------------------------------------------


def _initial(request: HttpRequest, access: Access) -> dict:
    """Pre-filled choices from ``?wave=&unit=&measure=`` (a link from a recommendation); bad values are ignored."""
    initial = {}
    wave = request.GET.get("wave", "")
    org = access.organisation
    if wave.isdigit() and len(wave) <= 18 and Wave.objects.filter(pk=int(wave), organisation=org).exists():
        initial["wave"] = int(wave)
    unit = request.GET.get("unit", "")
    if unit == WHOLE_ORGANISATION or (unit.isdigit() and len(unit) <= 18):
        initial["unit"] = unit
    measure = request.GET.get("measure", "")
    if plans.measure_text(measure, "en") is not None:
        initial["measure_id"] = measure
    return initial


@staff_view(Perm.EDIT_ACTION_PLAN)
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest, access: Access) -> HttpResponse:
    lang = staff_lang(request)
    paths = _paths(access)
    units = _unit_choices(access, Perm.EDIT_ACTION_PLAN, lang, paths)
    org = access.organisation
    if request.method == "POST":
        form = NewActionForm(request.POST, lang=lang, organisation=org, units=units)
        if form.is_valid():
            data = form.cleaned_data
            access.require(Perm.EDIT_ACTION_PLAN, data["unit"].pk if data["unit"] else None)
            action, created = plans.do_create_action(
                organisation=org,
                wave=data["wave"],
                unit=data["unit"],
                measure_id=data["measure_id"],
                title=data["title"],
                acting_user=request.user,
            )
            if created:
                record(
                    request,
                    Verb.CHANGED,
                    organisation=org,
                    object_type="action",
                    object_id=action.pk,
                    wave=action.wave,
                    unit=action.unit,
                    detail="created",
                )
                messages.success(request, t("plan_msg_created", lang))
            else:
                messages.info(request, t("plan_msg_exists", lang))
            return redirect("actions:detail", org.slug, action.pk)
    else:
        form = NewActionForm(initial=_initial(request, access), lang=lang, organisation=org, units=units)
    chosen = form["measure_id"].value() or ""
    record(request, Verb.VIEWED, organisation=org, object_type="action_form")
    catalogue = [{"id": m.id, **vars(plans.measure_text(m.id, lang))} for m in plans.load_catalogue()]
    return render_staff(
        request,
        "actions/new.html",
        {
            "lang": lang,
            "organisation": org,
            "form": form,
            "chosen_measure": plans.measure_text(chosen, lang),
            "catalogue": catalogue,
            "no_units": not units,
        },
    )


# --- one action ---------------------------------------------------------------------------------


def _render_action(
    request: HttpRequest,
    access: Access,
    action: Action,
    *,
    edit_form: EditActionForm | None = None,
    comment_form: CommentForm | None = None,
) -> HttpResponse:
    lang = staff_lang(request)
    can_edit = access.can(Perm.EDIT_ACTION_PLAN, action.unit_id)
    can_comment = access.can(Perm.COMMENT_ACTION_PLAN, action.unit_id)
    if can_edit and edit_form is None:
        edit_form = EditActionForm(lang=lang, initial={f: getattr(action, f) for f in plans.EDITABLE})
    if can_comment and comment_form is None:
        comment_form = CommentForm(lang=lang)
    paths = _paths(access) if action.unit_id else {}
    comments = [
        {"author": c.author_name, "when": _day(timezone.localtime(c.created).date(), lang), "text": c.text}
        for c in action.comments.all()
    ]
    plan_url = reverse("actions:plan", args=[access.organisation.slug, action.wave_id])
    return render_staff(
        request,
        "actions/detail.html",
        {
            "lang": lang,
            "organisation": access.organisation,
            "action": action,
            "title": plans.action_title(action, lang),
            "measure": plans.measure_text(action.measure_id, lang) if action.measure_id else None,
            "group": paths.get(action.unit_id, "") if action.unit_id else t("plan_whole_org", lang),
            "status": t(f"plan_status_{action.status}", lang),
            "deadline": _day(action.deadline, lang),
            "created_on": _day(timezone.localtime(action.created).date(), lang),
            "updated_on": _day(timezone.localtime(action.updated).date(), lang),
            "created_by": action.created_by.get_username() if action.created_by else "",
            "edit_form": edit_form if can_edit else None,
            "comment_form": comment_form if can_comment else None,
            "comments": comments,
            "plan_url": plan_url,
        },
    )


@staff_view(Perm.VIEW_ACTION_PLAN)
@require_GET
def detail(request: HttpRequest, access: Access, action_id: int) -> HttpResponse:
    action = _action(access, action_id, Perm.VIEW_ACTION_PLAN)
    record(
        request,
        Verb.VIEWED,
        organisation=access.organisation,
        object_type="action",
        object_id=action.pk,
        wave=action.wave,
        unit=action.unit,
    )
    return _render_action(request, access, action)


@staff_view(Perm.EDIT_ACTION_PLAN)
@require_POST
def edit(request: HttpRequest, access: Access, action_id: int) -> HttpResponse:
    lang = staff_lang(request)
    action = _action(access, action_id, Perm.EDIT_ACTION_PLAN)
    form = EditActionForm(request.POST, lang=lang)
    if not form.is_valid():
        return _render_action(request, access, action, edit_form=form)
    changed = plans.do_update_action(action, **form.cleaned_data)
    if changed:
        record(
            request,
            Verb.CHANGED,
            organisation=access.organisation,
            object_type="action",
            object_id=action.pk,
            wave=action.wave,
            unit=action.unit,
            detail="fields=" + ",".join(changed),
        )
        messages.success(request, t("plan_msg_saved", lang))
    else:
        messages.info(request, t("plan_msg_unchanged", lang))
    return redirect("actions:detail", access.organisation.slug, action.pk)


@staff_view(Perm.COMMENT_ACTION_PLAN)
@require_POST
def comment(request: HttpRequest, access: Access, action_id: int) -> HttpResponse:
    lang = staff_lang(request)
    action = _action(access, action_id, Perm.COMMENT_ACTION_PLAN)
    form = CommentForm(request.POST, lang=lang)
    if not form.is_valid():
        return _render_action(request, access, action, comment_form=form)
    comment = plans.do_comment(action, author=request.user, text=form.cleaned_data["text"])
    record(
        request,
        Verb.CHANGED,
        organisation=access.organisation,
        object_type="action_comment",
        object_id=comment.pk,
        wave=action.wave,
        unit=action.unit,
        detail=f"action={action.pk}",
    )
    messages.success(request, t("plan_msg_commented", lang))
    return redirect(reverse("actions:detail", args=[access.organisation.slug, action.pk]) + "#comments")
