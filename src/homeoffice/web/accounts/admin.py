"""Admin for memberships (organisation admins manage who works with their organisation) and the audit log.

An organisation admin is a staff user (``is_staff``, set when the role is given) without Django
model permissions: these two admins ask :mod:`homeoffice.web.accounts.permissions` instead, so an
organisation admin sees and changes only the memberships and audit events of the organisations
they administer, and can give roles only there. A new person is created with a first password
typed by the organisation admin; an existing person is linked by user name (their password stays
theirs). The audit log is read-only for everyone, superusers included.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from homeoffice.web.accounts.models import UNIT_ROLES, UNITS_REQUIRED, AuditEvent, Membership, Role
from homeoffice.web.accounts.permissions import Perm, organisations_where
from homeoffice.web.i18n import t
from homeoffice.web.organisations.models import Organisation, Unit
from homeoffice.web.surveys.actions import tree_path
from homeoffice.web.surveys.forms import admin_lang, lt


def managed_organisation_ids(request: HttpRequest) -> set[int]:
    """The organisations whose members the request's user manages (cached on the request)."""
    cached = getattr(request, "_managed_orgs", None)
    if cached is None:
        cached = {org.pk for org in organisations_where(request.user, Perm.MANAGE_MEMBERS)}
        request._managed_orgs = cached
    return cached


def role_choices() -> list[tuple[str, str]]:
    return [(r.value, lt(f"accounts_role_{r.value}")) for r in Role]


class ManagedOrganisationFilter(admin.SimpleListFilter):
    """Filter by organisation, offering only those the user manages (no other organisation's name)."""

    title = lt("accounts_admin_organisation")
    parameter_name = "organisation__id__exact"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        ids = managed_organisation_ids(request)
        return [(str(o.pk), o.name) for o in Organisation.objects.filter(pk__in=ids)]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        return queryset.filter(organisation_id=int(value)) if value and value.isdigit() else queryset


class _ChoiceFilter(admin.SimpleListFilter):
    field = ""
    key = ""
    values: tuple[str, ...] = ()

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [(v, t(f"{self.key}{v}", admin_lang())) for v in self.values]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(**{self.field: self.value()}) if self.value() in self.values else queryset


class RoleFilter(_ChoiceFilter):
    title = lt("accounts_admin_role")
    parameter_name = field = "role"
    key = "accounts_role_"
    values = tuple(Role.values)


class VerbFilter(_ChoiceFilter):
    title = lt("accounts_admin_verb")
    parameter_name = field = "verb"
    key = "accounts_verb_"
    values = tuple(AuditEvent.Verb.values)


class UnitsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return f"{obj.organisation.name}: {getattr(obj, 'tree_path', None) or obj}"


class MembershipForm(forms.ModelForm):
    """A role for a person (by user name; created with a first password when new) in one organisation."""

    username = forms.CharField(
        max_length=150, label=lt("accounts_admin_username"), help_text=lt("accounts_admin_username_help")
    )
    password = forms.CharField(
        required=False,
        strip=False,
        label=lt("accounts_admin_password"),
        help_text=lt("accounts_admin_password_help"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    role = forms.ChoiceField(
        choices=role_choices, label=lt("accounts_admin_role"), help_text=lt("accounts_admin_role_help")
    )
    units = UnitsField(
        queryset=Unit.objects.none(),
        required=False,
        label=lt("accounts_admin_units"),
        help_text=lt("accounts_admin_units_help"),
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )

    class Meta:
        model = Membership
        fields = ["organisation", "role", "units"]
        labels = {"organisation": lt("accounts_admin_organisation")}

    def __init__(self, *args: object, managed: set[int], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=managed)
        self.fields["units"].queryset = (
            Unit.objects.filter(organisation_id__in=managed)
            .select_related("organisation")
            .annotate(tree_path=tree_path())
            .order_by("organisation__name", "tree_path")
        )
        if self.instance.pk:
            self.fields["username"].disabled = True
            self.fields["username"].initial = self.instance.user.get_username()
            self.fields["username"].help_text = ""
            del self.fields["password"]

    def clean(self) -> dict:
        data = super().clean()
        lang = admin_lang()
        org, role, units = data.get("organisation"), data.get("role"), data.get("units") or []
        if org is not None and any(u.organisation_id != org.pk for u in units):
            self.add_error("units", t("accounts_admin_units_other_org", lang))
        if role in UNITS_REQUIRED and not units:
            self.add_error("units", t("accounts_admin_units_required", lang))
        if role and role not in UNIT_ROLES and units:
            self.add_error("units", t("accounts_admin_units_not_for_role", lang))
        if not self.instance.pk and data.get("username"):
            self._clean_person(data, lang)
        user = self.instance.user if self.instance.pk else getattr(self, "person", None)
        if user is not None and user.pk and org is not None and role:
            clash = Membership.objects.filter(user=user, organisation=org, role=role).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("role", t("accounts_admin_role_exists", lang))
        return data

    def _clean_person(self, data: dict, lang: str) -> None:
        User = get_user_model()
        username, password = data["username"].strip(), data.get("password") or ""
        self.person = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
        if self.person is not None:
            if password:
                self.add_error("password", t("accounts_admin_password_existing", lang))
            return
        if not password:
            self.add_error("password", t("accounts_admin_password_required", lang))
            return
        candidate = User(**{User.USERNAME_FIELD: username})
        try:
            validate_password(password, candidate)
        except ValidationError:
            self.add_error("password", t("accounts_admin_password_weak", lang))
            return
        candidate.set_password(password)
        self.person = candidate


def _sync_staff_flag(user: object) -> None:
    """Organisation admins need ``is_staff`` to reach the admin; others lose it unless given otherwise."""
    is_admin = Membership.objects.filter(user=user, role=Role.ORG_ADMIN).exists()
    has_other_reason = user.is_superuser or user.user_permissions.exists() or user.groups.exists()
    wanted = is_admin or (user.is_staff and has_other_reason)
    if user.is_staff != wanted:
        user.is_staff = wanted
        user.save(update_fields=["is_staff"])


class _ScopedAdmin(admin.ModelAdmin):
    """Access decided by the permission table: superusers, and organisation admins for their organisations."""

    def _manages(self, request: HttpRequest, obj: object | None) -> bool:
        if request.user.is_active and request.user.is_superuser:
            return True
        ids = managed_organisation_ids(request)
        if obj is None:
            return bool(ids)
        return obj.organisation_id in ids

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._manages(request, None)

    def has_view_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return self._manages(request, obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(organisation_id__in=managed_organisation_ids(request))


@admin.register(Membership)
class MembershipAdmin(_ScopedAdmin):
    form = MembershipForm
    list_display = ["person", "organisation_name", "role_name", "unit_list"]
    list_filter = [ManagedOrganisationFilter, RoleFilter]
    search_fields = ["user__username"]
    list_select_related = ["user", "organisation"]
    fields = ["username", "password", "organisation", "role", "units"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._manages(request, None)

    def has_change_permission(self, request: HttpRequest, obj: Membership | None = None) -> bool:
        return self._manages(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Membership | None = None) -> bool:
        return self._manages(request, obj)

    def get_form(self, request: HttpRequest, obj: Membership | None = None, change: bool = False, **kwargs: object):
        form = super().get_form(request, obj, change=change, **kwargs)
        managed = managed_organisation_ids(request)

        class ScopedForm(form):
            def __init__(self, *args: object, **kw: object) -> None:
                super().__init__(*args, managed=managed, **kw)

        return ScopedForm

    def get_fields(self, request: HttpRequest, obj: Membership | None = None) -> list[str]:
        return ["username", "organisation", "role", "units"] if obj is not None else list(self.fields)

    def save_model(self, request: HttpRequest, obj: Membership, form: MembershipForm, change: bool) -> None:
        if not self._manages(request, obj):  # the form offers no other organisation; belt and braces
            raise PermissionDenied
        with transaction.atomic():
            if not change:
                person = form.person
                if person.pk is None:
                    person.save()
                obj.user = person
            super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: MembershipForm, formsets: list, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if form.instance.role not in UNIT_ROLES:
            form.instance.units.clear()
        _sync_staff_flag(form.instance.user)

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        user = obj.user
        super().delete_model(request, obj)
        _sync_staff_flag(user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        users = {m.user for m in queryset.select_related("user")}
        super().delete_queryset(request, queryset)
        for user in users:
            _sync_staff_flag(user)

    @admin.display(description=lt("accounts_admin_username"), ordering="user__username")
    def person(self, membership: Membership) -> str:
        return membership.user.get_username()

    @admin.display(description=lt("accounts_admin_organisation"), ordering="organisation__name")
    def organisation_name(self, membership: Membership) -> str:
        return membership.organisation.name

    @admin.display(description=lt("accounts_admin_role"), ordering="role")
    def role_name(self, membership: Membership) -> str:
        return t(f"accounts_role_{membership.role}", admin_lang())

    @admin.display(description=lt("accounts_admin_units"))
    def unit_list(self, membership: Membership) -> str:
        names = [str(u) for u in membership.units.all()]
        if names:
            return "; ".join(names)
        return t("accounts_scope_whole", admin_lang()) if membership.role != Role.MANAGER else "–"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return super().get_queryset(request).prefetch_related("units__parent__parent")


@admin.register(AuditEvent)
class AuditEventAdmin(_ScopedAdmin):
    """The audit log, read-only: who viewed, exported, changed or imported what, and when."""

    list_display = [
        "when",
        "person",
        "verb_shown",
        "what",
        "object_number",
        "organisation_name",
        "wave_name",
        "unit_name",
        "file_format",
        "details",
    ]
    list_filter = [ManagedOrganisationFilter, VerbFilter]
    search_fields = ["username", "object_type", "object_id"]
    list_select_related = ["organisation", "wave", "unit"]
    fields = list_display
    readonly_fields = list_display

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict:
        return {}

    @admin.display(description=lt("accounts_admin_when"), ordering="at")
    def when(self, event: AuditEvent) -> str:
        return timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S")

    @admin.display(description=lt("accounts_admin_username"), ordering="username")
    def person(self, event: AuditEvent) -> str:
        return event.username

    @admin.display(description=lt("accounts_admin_verb"), ordering="verb")
    def verb_shown(self, event: AuditEvent) -> str:
        return t(f"accounts_verb_{event.verb}", admin_lang())

    @admin.display(description=lt("accounts_admin_object_type"), ordering="object_type")
    def what(self, event: AuditEvent) -> str:
        return event.object_type

    @admin.display(description=lt("accounts_admin_object_id"))
    def object_number(self, event: AuditEvent) -> str:
        return event.object_id or "–"

    @admin.display(description=lt("accounts_admin_organisation"), ordering="organisation__name")
    def organisation_name(self, event: AuditEvent) -> str:
        return event.organisation.name if event.organisation else "–"

    @admin.display(description=lt("accounts_admin_wave"))
    def wave_name(self, event: AuditEvent) -> str:
        return event.wave.name if event.wave else "–"

    @admin.display(description=lt("accounts_admin_unit"))
    def unit_name(self, event: AuditEvent) -> str:
        return event.unit.name if event.unit else "–"

    @admin.display(description=lt("accounts_admin_format"))
    def file_format(self, event: AuditEvent) -> str:
        return event.format or "–"

    @admin.display(description=lt("accounts_admin_detail"))
    def details(self, event: AuditEvent) -> str:
        return event.detail or "–"
