"""Staff admin for organisations and their unit tree (company > department > team).

Units are shown by their path from the top; a unit's parent can only be a unit of the same
organisation (and never the unit itself or one below it: ``Unit.clean``).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Count, F, QuerySet
from django.db.models.fields.related import ForeignKey
from django.http import HttpRequest

from homeoffice.web.i18n import t
from homeoffice.web.organisations.models import Organisation, Unit
from homeoffice.web.surveys.actions import tree_path, units_with_paths
from homeoffice.web.surveys.emails import format_date
from homeoffice.web.surveys.forms import UnitChoiceField, admin_lang, lt


def _parent_field(db_field: ForeignKey, queryset: QuerySet[Unit], help_key: str, **kwargs: object) -> forms.Field:
    kwargs.pop("queryset", None)
    kwargs.pop("widget", None)
    return UnitChoiceField(
        queryset=queryset,
        required=False,
        help_text=t(help_key, admin_lang()),
        label=lt("surveys_field_parent"),
        **kwargs,
    )


def _day(day: object) -> str:
    return format_date(day, admin_lang()) if day else "–"


class UnitInline(admin.TabularInline):
    model = Unit
    fk_name = "organisation"
    fields = ["name", "parent"]
    extra = 3
    show_change_link = True
    verbose_name_plural = lt("surveys_col_units")

    def formfield_for_dbfield(self, db_field: object, request: HttpRequest, **kwargs: object) -> forms.Field | None:
        if db_field.name == "parent":
            # Without Django's "add another" buttons around the select: a new unit is one more row here.
            return self.formfield_for_foreignkey(db_field, request, **kwargs)
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "name":
            field.label = lt("surveys_field_name")
        return field

    def get_queryset(self, request: HttpRequest) -> QuerySet[Unit]:
        return super().get_queryset(request).annotate(tree_path=tree_path()).order_by("tree_path")

    def formfield_for_foreignkey(self, db_field: ForeignKey, request: HttpRequest, **kwargs: object) -> forms.Field:
        if db_field.name == "parent":
            object_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            if object_id and str(object_id).isdigit():
                return _parent_field(db_field, units_with_paths(int(object_id)), "surveys_parent_help", **kwargs)
            return _parent_field(db_field, Unit.objects.none(), "surveys_parent_help_unsaved", **kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class OrganisationAdminForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "slug"]
        labels = {"name": lt("surveys_field_name"), "slug": lt("surveys_field_slug")}


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    form = OrganisationAdminForm
    list_display = ["org_name", "slug_shown", "unit_count", "wave_count", "created"]
    list_display_links = ["org_name"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [UnitInline]

    @admin.display(description=lt("surveys_field_name"), ordering="name")
    def org_name(self, org: Organisation) -> str:
        return org.name

    @admin.display(description=lt("surveys_field_slug"), ordering="slug")
    def slug_shown(self, org: Organisation) -> str:
        return org.slug

    @admin.display(description=lt("surveys_field_created_on"), ordering="created_on")
    def created(self, org: Organisation) -> str:
        return _day(org.created_on)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organisation]:
        return (
            super()
            .get_queryset(request)
            .annotate(n_units=Count("units", distinct=True), n_waves=Count("waves", distinct=True))
        )

    @admin.display(description=lt("surveys_col_units"), ordering="n_units")
    def unit_count(self, org: Organisation) -> int:
        return org.n_units

    @admin.display(description=lt("surveys_col_waves"), ordering="n_waves")
    def wave_count(self, org: Organisation) -> int:
        return org.n_waves


class UnitAdminForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["organisation", "parent", "name"]
        labels = {"organisation": lt("surveys_field_organisation"), "name": lt("surveys_field_name")}


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    """Units as a tree: the list is ordered by path; the parent is chosen among the same organisation's units."""

    form = UnitAdminForm
    list_display = ["path", "organisation_name"]
    list_filter = ["organisation"]
    search_fields = ["name", "organisation__name"]
    list_select_related = ["organisation"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Unit]:
        return super().get_queryset(request).annotate(tree_path=tree_path())

    def get_ordering(self, request: HttpRequest) -> list:
        # Expressions, not the annotation's name: Django also orders other models' unit selects with this.
        return [F("organisation__name").asc(), tree_path().asc()]

    def get_fields(self, request: HttpRequest, obj: Unit | None = None) -> list[str]:
        # Moving a unit to another organisation would orphan its links, invitations and responses.
        return ["organisation_shown" if obj is not None else "organisation", "parent", "name"]

    def get_readonly_fields(self, request: HttpRequest, obj: Unit | None = None) -> list[str]:
        return ["organisation_shown"] if obj is not None else []

    @admin.display(description=lt("surveys_field_organisation"), ordering="organisation__name")
    def organisation_name(self, unit: Unit) -> str:
        return unit.organisation.name

    @admin.display(description=lt("surveys_field_organisation"))
    def organisation_shown(self, unit: Unit) -> str:
        return unit.organisation.name

    @admin.display(description=lt("surveys_col_path"), ordering="tree_path")
    def path(self, unit: Unit) -> str:
        return getattr(unit, "tree_path", None) or str(unit)

    def get_form(self, request: HttpRequest, obj: Unit | None = None, change: bool = False, **kwargs: object) -> type:
        form = super().get_form(request, obj, change=change, **kwargs)
        org_id = obj.organisation_id if obj is not None else _chosen_organisation(request)
        if org_id is not None:
            queryset = units_with_paths(org_id)
            if obj is not None:
                queryset = queryset.exclude(pk__in=[u.pk for u in obj.descendants()])
            help_key = "surveys_parent_help"
        else:
            queryset = Unit.objects.none()
            help_key = "surveys_parent_help_choose_org"
        form.base_fields["parent"] = _parent_field(Unit._meta.get_field("parent"), queryset, help_key)
        return form


def _chosen_organisation(request: HttpRequest) -> int | None:
    """The organisation picked on the add form (``?organisation=ID`` or the posted value)."""
    value = request.POST.get("organisation") or request.GET.get("organisation")
    return int(value) if value and value.isdigit() else None
