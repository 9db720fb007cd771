"""Action-plan forms: a new action, editing owner/deadline/status/notes, a comment. Errors in nb or en.

Forms only check the input; whether the user may act on the chosen unit is the view's question
(``access.require``), so a forged unit of the organisation gets the 403 page, and anything that is
not a unit, wave, measure or status of this organisation gets a form error.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError

from homeoffice.measures import load_catalogue
from homeoffice.web.actions.models import Action
from homeoffice.web.actions.plans import MAX_COMMENT, MAX_NOTES
from homeoffice.web.i18n import t
from homeoffice.web.organisations.models import Organisation, Unit
from homeoffice.web.surveys.models import Wave

WHOLE_ORGANISATION = "org"
DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y", "%d/%m/%Y"]
MIN_YEAR, MAX_YEAR = 2000, 2100


def _messages(lang: str) -> dict[str, str]:
    return {
        "required": t("plan_error_required", lang),
        "invalid": t("plan_error_invalid", lang),
        "invalid_choice": t("plan_error_choice", lang),
        "max_length": t("plan_error_too_long", lang),
        "null_characters_not_allowed": t("plan_error_invalid", lang),
    }


class _Form(forms.Form):
    def __init__(self, *args: object, lang: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.lang = lang
        msgs = _messages(lang)
        for field in self.fields.values():
            field.error_messages = {**field.error_messages, **msgs}


class UnitField(forms.Field):
    """A unit of the organisation by id, or "org" for the whole organisation (cleaned to ``None``).

    The widget offers the units the user may act on; any unit of the organisation is accepted here
    and the view decides whether the user may act on it.
    """

    def __init__(self, *, organisation: Organisation, offered: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(widget=forms.Select(choices=offered), **kwargs)
        self.organisation = organisation

    def to_python(self, value: object) -> Unit | None:
        text = str(value or "").strip()
        if text == WHOLE_ORGANISATION:
            return None
        if not text.isdigit() or len(text) > 18:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        unit = Unit.objects.filter(pk=int(text), organisation=self.organisation).first()
        if unit is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return unit

    def validate(self, value: Unit | None) -> None:  # None is a valid choice (the whole organisation)
        return None

    def clean(self, value: object) -> Unit | None:
        if value in (None, ""):
            raise ValidationError(self.error_messages["required"], code="required")
        return super().clean(value)


class WaveField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Wave) -> str:
        return obj.name


class NewActionForm(_Form):
    """Wave, group, and a catalogue measure or a free-text title."""

    wave = WaveField(queryset=Wave.objects.none(), empty_label=None)
    unit = forms.Field()  # replaced in __init__
    measure_id = forms.ChoiceField(required=False)
    title = forms.CharField(required=False, max_length=200)

    def __init__(
        self, *args: object, lang: str, organisation: Organisation, units: list[tuple[str, str]], **kwargs: object
    ) -> None:
        super().__init__(*args, lang=lang, **kwargs)
        self.fields["unit"] = UnitField(organisation=organisation, offered=units)
        self.fields["unit"].error_messages = {**self.fields["unit"].error_messages, **_messages(lang)}
        self.fields["wave"].queryset = Wave.objects.filter(organisation=organisation)
        catalogue = load_catalogue()
        self.fields["measure_id"].choices = [("", t("plan_new_measure_none", lang))] + [
            (m.id, m.title.get(lang)) for m in catalogue
        ]
        labels = {
            "wave": "plan_field_wave",
            "unit": "plan_field_unit",
            "measure_id": "plan_field_measure",
            "title": "plan_field_title",
        }
        for name, key in labels.items():
            self.fields[name].label = t(key, lang)
        self.fields["measure_id"].help_text = t("plan_help_measure", lang)
        self.fields["title"].help_text = t("plan_help_title", lang)

    def clean(self) -> dict:
        data = super().clean()
        measure, title = data.get("measure_id"), (data.get("title") or "").strip()
        if "measure_id" in self.errors or "title" in self.errors:
            return data
        if not measure and not title:
            self.add_error("measure_id", t("plan_error_measure_or_title", self.lang))
        elif measure and title:
            self.add_error("title", t("plan_error_measure_and_title", self.lang))
        return data


class EditActionForm(_Form):
    """Owner, deadline, status and notes of an action."""

    owner = forms.CharField(required=False, max_length=200)
    deadline = forms.DateField(
        required=False, input_formats=DATE_FORMATS, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    status = forms.ChoiceField()
    notes = forms.CharField(required=False, max_length=MAX_NOTES, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args: object, lang: str, **kwargs: object) -> None:
        kwargs.setdefault("auto_id", "edit-%s")
        super().__init__(*args, lang=lang, **kwargs)
        self.fields["status"].choices = [(s, t(f"plan_status_{s}", lang)) for s in Action.Status.values]
        for name in ("owner", "deadline", "status", "notes"):
            self.fields[name].label = t(f"plan_field_{name}", lang)
        self.fields["owner"].help_text = t("plan_help_owner", lang)
        self.fields["deadline"].help_text = t("plan_help_deadline", lang)
        self.fields["deadline"].error_messages["invalid"] = t("plan_error_date", lang)

    def clean_deadline(self) -> dt.date | None:
        day = self.cleaned_data.get("deadline")
        if day is not None and not MIN_YEAR <= day.year <= MAX_YEAR:
            raise ValidationError(t("plan_error_year", self.lang, low=MIN_YEAR, high=MAX_YEAR), code="year")
        return day


class CommentForm(_Form):
    text = forms.CharField(max_length=MAX_COMMENT, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: object, lang: str, **kwargs: object) -> None:
        kwargs.setdefault("auto_id", "comment-%s")
        super().__init__(*args, lang=lang, **kwargs)
        self.fields["text"].label = t("plan_field_comment", lang)
        self.fields["text"].help_text = t("plan_help_comment", lang)
