"""Staff admin for survey waves, their anonymous links and personal invitations.

A wave's list shows its status (planned, open, closed, released) and counts only: submitted responses,
links, invitations. No page shows an answer, and no page says which invited person answered: the wave
shows how many invitations were opened, the invitation list shows when each was e-mailed.

Group results are shown only after a closed wave has been released (the "Release the group results"
action, :mod:`homeoffice.web.surveys.release`); a released wave's dates and minimum group size are
read-only.
"""

from __future__ import annotations

import logging

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from homeoffice.web.i18n import t
from homeoffice.web.responses.models import Response
from homeoffice.web.surveys import actions, emails
from homeoffice.web.surveys.forms import (
    InvitationUploadForm,
    WaveAdminForm,
    admin_lang,
    instrument_choices,
    lt,
    mode_choices,
)
from homeoffice.web.surveys.models import AnonymousLink, Invitation, Wave
from homeoffice.web.surveys.release import ReleaseRefused, releasable_from, release_wave

admin.site.site_header = "homeoffice"
admin.site.site_title = "homeoffice"
admin.site.index_title = lt("surveys_index_title")
admin.site.enable_nav_sidebar = False  # three apps: the index is enough, and lists get the whole width

MAX_PROBLEMS_SHOWN = 200
logger = logging.getLogger(__name__)


def _count(model: type, **filters: object) -> Coalesce:
    """A per-wave count as a subquery (several counts in one list query without multiplying joins)."""
    sub = (
        model.objects.filter(wave=OuterRef("pk"), **filters)
        .order_by()
        .values("wave")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(sub, output_field=IntegerField()), 0)


class StatusFilter(admin.SimpleListFilter):
    title = lt("surveys_status")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [(s, lt(f"surveys_status_{s}")) for s in ("planned", "open", "closed", "released")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Wave]) -> QuerySet[Wave]:
        today = timezone.localdate()
        unreleased = queryset.filter(released_on__isnull=True)
        return {
            "planned": unreleased.filter(opens_on__gt=today),
            "open": unreleased.filter(opens_on__lte=today, closes_on__gte=today),
            "closed": unreleased.filter(closes_on__lt=today),
            "released": queryset.filter(released_on__isnull=False),
        }.get(self.value(), queryset)


class ModeFilter(admin.SimpleListFilter):
    title = lt("surveys_field_mode")
    parameter_name = "mode"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return mode_choices()

    def queryset(self, request: HttpRequest, queryset: QuerySet[Wave]) -> QuerySet[Wave]:
        return queryset.filter(mode=self.value()) if self.value() else queryset


class InstrumentFilter(admin.SimpleListFilter):
    title = lt("surveys_field_instrument")
    parameter_name = "instrument"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return instrument_choices()

    def queryset(self, request: HttpRequest, queryset: QuerySet[Wave]) -> QuerySet[Wave]:
        return queryset.filter(instrument_id=self.value()) if self.value() else queryset


class AnonymousLinkInline(admin.TabularInline):
    """The wave's anonymous links, read-only; a link can be deleted (revoked) and made anew."""

    model = AnonymousLink
    fields = ["unit_path", "url"]
    readonly_fields = ["unit_path", "url"]
    extra = 0
    verbose_name_plural = lt("surveys_col_links")

    def get_queryset(self, request: HttpRequest) -> QuerySet[AnonymousLink]:
        return super().get_queryset(request).annotate(unit_path=actions.tree_path("unit__")).order_by("unit_path")

    def has_add_permission(self, request: HttpRequest, obj: Wave | None = None) -> bool:
        return False

    @admin.display(description=lt("surveys_col_unit"))
    def unit_path(self, link: AnonymousLink) -> str:
        return getattr(link, "unit_path", None) or str(link.unit)

    @admin.display(description=lt("surveys_col_link_url"))
    def url(self, link: AnonymousLink) -> str:
        # Shown as text, not as a link: a click by staff would start a real response in the wave.
        return format_html('<code class="ho-url">{}</code>', actions.link_url(link.token))


def _day(day: object) -> str:
    return emails.format_date(day, admin_lang()) if day else "–"


@admin.register(Wave)
class WaveAdmin(admin.ModelAdmin):
    form = WaveAdminForm
    list_display = [
        "wave_name",
        "organisation_name",
        "status",
        "opens",
        "closes",
        "released",
        "submitted",
        "link_count",
        "invited",
    ]
    list_display_links = ["wave_name"]
    list_filter = [StatusFilter, "organisation", ModeFilter, InstrumentFilter]
    search_fields = ["name", "organisation__name"]
    list_select_related = ["organisation"]
    inlines = [AnonymousLinkInline]
    actions = ["create_links", "send_reminders", "release_results"]
    readonly_fields = [
        "status",
        "submitted",
        "invitation_summary",
        "links_help",
        "organisation_shown",
        "instrument_shown",
        "mode_shown",
        "release_shown",
        "opens_shown",
        "closes_shown",
        "min_group_shown",
    ]
    LOCKED = {"organisation": "organisation_shown", "instrument_id": "instrument_shown", "mode": "mode_shown"}
    RELEASED_LOCKED = {"opens_on": "opens_shown", "closes_on": "closes_shown", "min_group_size": "min_group_shown"}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Wave]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_submitted=_count(Response, submitted_on__isnull=False),
                n_links=_count(AnonymousLink),
                n_invited=_count(Invitation),
            )
        )

    def get_inline_instances(self, request: HttpRequest, obj: Wave | None = None) -> list:
        return super().get_inline_instances(request, obj) if obj is not None else []

    def get_fieldsets(self, request: HttpRequest, obj: Wave | None = None) -> list:
        survey = ["organisation", "name", "instrument_id", "languages", "mode"]
        if obj is not None and self._locked(obj):
            survey = [self.LOCKED.get(name, name) for name in survey]
        dates = ["opens_on", "closes_on", "min_group_size"]
        if obj is not None and obj.is_released:
            dates = [self.RELEASED_LOCKED[name] for name in dates]
        sets = [
            (lt("surveys_fieldset_survey"), {"fields": survey}),
            (lt("surveys_fieldset_dates"), {"fields": dates}),
        ]
        if obj is not None:
            sets.append(
                (
                    lt("surveys_fieldset_follow_up"),
                    {"fields": ["status", "release_shown", "submitted", "invitation_summary", "links_help"]},
                )
            )
        return sets

    @staticmethod
    def _locked(wave: Wave) -> bool:
        """Organisation, instrument and mode stay as they were once the wave has opened or has data."""
        return (
            wave.opens_on <= timezone.localdate()
            or wave.responses.exists()
            or wave.links.exists()
            or wave.invitations.exists()
        )

    # --- columns and read-only fields ----------------------------------------------------------

    @admin.display(description=lt("surveys_field_name"), ordering="name")
    def wave_name(self, wave: Wave) -> str:
        return wave.name

    @admin.display(description=lt("surveys_field_organisation"), ordering="organisation__name")
    def organisation_name(self, wave: Wave) -> str:
        return wave.organisation.name

    @admin.display(description=lt("surveys_field_opens_on"), ordering="opens_on")
    def opens(self, wave: Wave) -> str:
        return _day(wave.opens_on)

    @admin.display(description=lt("surveys_field_closes_on"), ordering="closes_on")
    def closes(self, wave: Wave) -> str:
        return _day(wave.closes_on)

    @admin.display(description=lt("surveys_col_released"), ordering="released_on")
    def released(self, wave: Wave) -> str:
        return _day(wave.released_on)

    @admin.display(description=lt("surveys_col_released"))
    def release_shown(self, wave: Wave) -> str:
        lang = admin_lang()
        if wave.is_released:
            return t("surveys_release_state_released", lang, date=_day(wave.released_on))
        if actions.wave_status(wave) == "closed":
            return t("surveys_release_state_closed", lang)
        return t("surveys_release_state_waiting", lang, date=_day(releasable_from(wave)))

    def _released_locked(self, value: object) -> str:
        return format_html(
            '{}<br><span class="ho-help">{}</span>', value, t("surveys_release_locked_field", admin_lang())
        )

    @admin.display(description=lt("surveys_field_opens_on"))
    def opens_shown(self, wave: Wave) -> str:
        return self._released_locked(_day(wave.opens_on))

    @admin.display(description=lt("surveys_field_closes_on"))
    def closes_shown(self, wave: Wave) -> str:
        return self._released_locked(_day(wave.closes_on))

    @admin.display(description=lt("surveys_field_min_group"))
    def min_group_shown(self, wave: Wave) -> str:
        return self._released_locked(wave.min_group_size)

    @admin.display(description=lt("surveys_field_organisation"))
    def organisation_shown(self, wave: Wave) -> str:
        url = reverse("admin:organisations_organisation_change", args=[wave.organisation_id])
        return format_html('<a href="{}">{}</a>', url, wave.organisation.name)

    @admin.display(description=lt("surveys_field_instrument"))
    def instrument_shown(self, wave: Wave) -> str:
        return dict(instrument_choices()).get(wave.instrument_id, wave.instrument_id)

    @admin.display(description=lt("surveys_field_mode"))
    def mode_shown(self, wave: Wave) -> str:
        lang = admin_lang()
        return format_html(
            '{}<br><span class="ho-help">{}</span>',
            t(f"surveys_mode_{wave.mode}", lang),
            t("surveys_locked_help", lang),
        )

    @admin.display(description=lt("surveys_status"))
    def status(self, wave: Wave) -> str:
        key = actions.wave_status(wave)
        return format_html(
            '<span class="ho-status ho-status-{}">{}</span>', key, t(f"surveys_status_{key}", admin_lang())
        )

    @admin.display(description=lt("surveys_col_submitted"), ordering="n_submitted")
    def submitted(self, wave: Wave) -> int:
        n = getattr(wave, "n_submitted", None)
        return n if n is not None else wave.responses.filter(submitted_on__isnull=False).count()

    @admin.display(description=lt("surveys_col_links"), ordering="n_links")
    def link_count(self, wave: Wave) -> int:
        return wave.n_links

    @admin.display(description=lt("surveys_col_invited"), ordering="n_invited")
    def invited(self, wave: Wave) -> int:
        return wave.n_invited

    @admin.display(description=lt("surveys_col_invitations"))
    def invitation_summary(self, wave: Wave) -> str:
        counts = wave.invitations.aggregate(
            invited=Count("pk"),
            claimed=Count("pk", filter=Q(claimed=True)),
            reminded=Count("pk", filter=Q(reminded_on__isnull=False)),
        )
        url = reverse("admin:surveys_invitation_changelist") + f"?wave__id__exact={wave.pk}"
        lang = admin_lang()
        return format_html(
            '{} <a href="{}">{}</a>',
            t("surveys_invitations_summary", lang, **counts),
            url,
            t("surveys_invitations_list_link", lang),
        )

    @admin.display(description=lt("surveys_col_links"))
    def links_help(self, wave: Wave) -> str:
        return t("surveys_links_help" if wave.links.exists() else "surveys_links_none", admin_lang())

    # --- actions -------------------------------------------------------------------------------

    @admin.action(description=lt("surveys_action_create_links"), permissions=["change"])
    def create_links(self, request: HttpRequest, queryset: QuerySet[Wave]) -> None:
        created = sum(actions.do_create_links(wave) for wave in queryset)
        self.message_user(request, t("surveys_msg_links_created", admin_lang(), created=created), messages.SUCCESS)

    @admin.action(description=lt("surveys_action_remind"), permissions=["change"])
    def send_reminders(self, request: HttpRequest, queryset: QuerySet[Wave]) -> None:
        outcome = actions.do_remind(Invitation.objects.filter(wave__in=queryset))
        _report_reminders(self, request, outcome)

    @admin.action(description=lt("surveys_action_release"), permissions=["change"])
    def release_results(self, request: HttpRequest, queryset: QuerySet[Wave]) -> TemplateResponse | None:
        """Ask first (what release means, which waves can be released), then release each wave on its own.

        The confirmation page posts the same action again with ``post=yes``; release_wave checks each
        wave again then, so a wave released or reopened in between is reported, not released twice.
        """
        lang = admin_lang()
        waves = list(queryset.select_related("organisation").order_by("pk"))
        if request.POST.get("post") != "yes":
            return self._release_confirmation(request, waves)
        released = []
        for wave in waves:
            try:
                release_wave(wave)
            except ReleaseRefused as refused:
                self.message_user(request, refused.text(lang), messages.WARNING)
            except Exception as exc:  # a release hook failed: the wave stays unreleased
                # Only the kind of failure is logged: a message could quote answer values.
                logger.error("releasing wave %s failed (%s); it stays unreleased", wave.pk, type(exc).__name__)
                self.message_user(request, t("surveys_release_failed", lang, wave=wave.name), messages.ERROR)
            else:
                released.append(wave.name)
        if released:
            self.message_user(request, t("surveys_msg_released", lang, waves=", ".join(released)), messages.SUCCESS)
        return None

    def _release_confirmation(self, request: HttpRequest, waves: list[Wave]) -> TemplateResponse:
        lang = admin_lang()
        today = timezone.localdate()
        counts = dict(
            Response.objects.filter(wave__in=waves, submitted_on__isnull=False)
            .order_by()
            .values("wave")
            .annotate(n=Count("pk"))
            .values_list("wave", "n")
        )
        ready, refused = [], []
        for wave in waves:
            if wave.is_released:
                refused.append(
                    t("surveys_release_refused_already_released", lang, wave=wave.name, date=_day(wave.released_on))
                )
            elif wave.closes_on >= today:
                refused.append(
                    t("surveys_release_refused_not_closed", lang, wave=wave.name, date=_day(releasable_from(wave)))
                )
            else:
                ready.append(t("surveys_release_ready", lang, wave=wave.name, submitted=counts.get(wave.pk, 0)))
        context = {
            **self.admin_site.each_context(request),
            "title": t("surveys_release_title", lang),
            "opts": self.opts,
            "ready": ready,
            "refused": refused,
            "selected": [wave.pk for wave in waves],
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "changelist_url": reverse("admin:surveys_wave_changelist"),
        }
        return TemplateResponse(request, "surveys/release_confirm.html", context)

    # --- the invitation upload -----------------------------------------------------------------

    def get_urls(self) -> list:
        view = self.admin_site.admin_view(self.invitations_view)
        return [path("<path:object_id>/invitations/", view, name="surveys_wave_invitations"), *super().get_urls()]

    def invitations_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Upload a CSV of e-mail addresses: check every row, then import all and e-mail, or nothing."""
        wave = get_object_or_404(Wave.objects.select_related("organisation"), pk=_int_or_404(object_id))
        if not (self.has_change_permission(request, wave) and request.user.has_perm("surveys.add_invitation")):
            raise PermissionDenied
        lang = admin_lang()
        today = timezone.localdate()
        problems: list[str] = []
        closed = wave.closes_on < today
        if request.method == "POST" and not closed:
            form = InvitationUploadForm(request.POST, request.FILES, wave=wave)
            if form.is_valid():
                rows, found = actions.parse_invitation_file(
                    form.cleaned_data["file"], wave=wave, default_unit=form.cleaned_data["unit"]
                )
                problems = [t(p.key, lang, **p.params) for p in found]
                if not problems:
                    try:
                        outcome = actions.do_invite(wave, rows, today=today)
                    except actions.ConcurrentInvitation:
                        problems = [t("surveys_file_concurrent", lang)]
                    else:
                        self.message_user(request, t("surveys_msg_invited", lang, count=outcome.sent), messages.SUCCESS)
                        if outcome.failed:
                            self.message_user(
                                request,
                                t("surveys_msg_send_failed", lang, failed=outcome.failed, error=outcome.error),
                                messages.WARNING,
                            )
                        return HttpResponseRedirect(reverse("admin:surveys_wave_change", args=[wave.pk]))
        else:
            form = InvitationUploadForm(wave=wave)
        more = max(0, len(problems) - MAX_PROBLEMS_SHOWN)
        context = {
            **self.admin_site.each_context(request),
            "title": t("surveys_upload_title", lang, wave=wave.name),
            "opts": self.opts,
            "original": wave,
            "form": form,
            "problems": problems[:MAX_PROBLEMS_SHOWN],
            "more_problems": t("surveys_upload_more_problems", lang, count=more) if more else "",
            "closed_message": t("surveys_upload_wave_closed", lang, date=wave.closes_on.isoformat()) if closed else "",
            "has_view_permission": True,
        }
        return TemplateResponse(request, "surveys/invitations_upload.html", context)


def _int_or_404(value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def _report_reminders(model_admin: admin.ModelAdmin, request: HttpRequest, outcome: actions.RemindOutcome) -> None:
    lang = admin_lang()
    model_admin.message_user(
        request, t("surveys_msg_reminded", lang, sent=outcome.sent, skipped=outcome.skipped), messages.SUCCESS
    )
    if outcome.failed:
        model_admin.message_user(
            request, t("surveys_msg_send_failed", lang, failed=outcome.failed, error=outcome.error), messages.WARNING
        )


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations are made by the upload on the wave page; here they can be seen, reminded or withdrawn.

    Whether a person has opened their link, or was reminded (which says they had not opened it), is not
    shown per person, only as counts on the wave: taking part is voluntary, and the admin is no tool to
    chase individuals.
    """

    list_display = ["email_address", "unit_path", "wave_name", "sent"]
    list_filter = ["wave", "sent_on"]
    search_fields = ["email"]
    list_select_related = ["wave__organisation", "unit"]
    actions = ["send_reminders"]
    fields = ["email_address", "wave_name", "unit_path", "sent"]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Invitation]:
        return super().get_queryset(request).annotate(unit_path=actions.tree_path("unit__"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Invitation | None = None) -> bool:
        return False

    @admin.display(description=lt("surveys_field_email"), ordering="email")
    def email_address(self, invitation: Invitation) -> str:
        return invitation.email

    @admin.display(description=lt("surveys_col_unit"), ordering="unit_path")
    def unit_path(self, invitation: Invitation) -> str:
        return getattr(invitation, "unit_path", None) or str(invitation.unit)

    @admin.display(description=lt("surveys_field_wave"), ordering="wave__name")
    def wave_name(self, invitation: Invitation) -> str:
        return str(invitation.wave)

    @admin.display(description=lt("surveys_field_sent_on"), ordering="sent_on")
    def sent(self, invitation: Invitation) -> str:
        return _day(invitation.sent_on)

    @admin.action(description=lt("surveys_action_remind"), permissions=["view"])
    def send_reminders(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        if not request.user.has_perm("surveys.change_invitation"):
            raise PermissionDenied
        _report_reminders(self, request, actions.do_remind(queryset))
