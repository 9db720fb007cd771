"""Forms of the staff admin: the wave form and the invitation upload.

Texts come from ``translations.yaml`` in the staff member's language (Django's active language,
chosen from the browser by LocaleMiddleware), never from gettext.
"""

from __future__ import annotations

from django import forms
from django.utils.functional import lazy
from django.utils.translation import get_language

from homeoffice.instruments import builtin_ids, load_instrument
from homeoffice.web.i18n import LANGS, t
from homeoffice.web.organisations.models import Unit
from homeoffice.web.surveys.actions import MAX_FILE_BYTES, units_with_paths
from homeoffice.web.surveys.models import Wave


def admin_lang() -> str:
    """nb or en: the active language of the request (nb for anything else)."""
    code = (get_language() or "nb")[:2]
    return code if code in LANGS else "nb"


def _lazy_t(key: str, **params: object) -> str:
    return t(key, admin_lang(), **params)


lt = lazy(_lazy_t, str)
"""``t`` evaluated when shown, in the language of the request that shows it (for class-level texts)."""


class UnitChoiceField(forms.ModelChoiceField):
    """Units labelled by their path from the top; the queryset must carry ``tree_path``."""

    def label_from_instance(self, obj: Unit) -> str:
        path = getattr(obj, "tree_path", None) or str(obj)
        org = getattr(obj, "org_name", None)
        return f"{org}: {path}" if org else path


def instrument_choices() -> list[tuple[str, str]]:
    """Built-in instruments as "id – title" in the staff member's language."""
    lang = admin_lang()
    return [(iid, f"{iid} – {load_instrument(iid).spec.title.get(lang)}") for iid in builtin_ids()]


def mode_choices() -> list[tuple[str, str]]:
    return [
        (Wave.Mode.ANONYMOUS, lt("surveys_mode_anonymous")),
        (Wave.Mode.CONFIDENTIAL, lt("surveys_mode_confidential")),
    ]


class WaveAdminForm(forms.ModelForm):
    """The wave form; its rules are ``Wave.clean()`` (languages, dates, minimum group size)."""

    instrument_id = forms.ChoiceField(choices=instrument_choices, label=lt("surveys_field_instrument"))
    languages = forms.ChoiceField(
        choices=[
            ("nb,en", lt("surveys_languages_both")),
            ("nb", lt("surveys_languages_nb")),
            ("en", lt("surveys_languages_en")),
        ],
        label=lt("surveys_languages_label"),
    )
    mode = forms.ChoiceField(choices=mode_choices, label=lt("surveys_field_mode"), help_text=lt("surveys_mode_help"))

    class Meta:
        model = Wave
        fields = [
            "organisation",
            "name",
            "instrument_id",
            "languages",
            "mode",
            "opens_on",
            "closes_on",
            "min_group_size",
        ]
        labels = {
            "organisation": lt("surveys_field_organisation"),
            "name": lt("surveys_field_name"),
            "opens_on": lt("surveys_field_opens_on"),
            "closes_on": lt("surveys_field_closes_on"),
            "min_group_size": lt("surveys_field_min_group"),
        }
        help_texts = {"closes_on": lt("surveys_help_closes_on"), "min_group_size": lt("surveys_help_min_group")}


class InvitationUploadForm(forms.Form):
    """A CSV of e-mail addresses (and units) for one wave, and an optional unit for rows without one."""

    file = forms.FileField(label=lt("surveys_upload_file_label"))
    unit = UnitChoiceField(
        queryset=Unit.objects.none(),
        required=False,
        label=lt("surveys_upload_unit_label"),
        help_text=lt("surveys_upload_unit_help"),
    )

    def __init__(self, *args: object, wave: Wave, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.wave = wave
        self.fields["unit"].queryset = units_with_paths(wave.organisation_id)
        self.fields["file"].widget.attrs["accept"] = ".csv,.txt,text/csv,text/plain"

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(t("surveys_file_too_large", admin_lang(), limit=MAX_FILE_BYTES // 1024 // 1024))
        return upload.read()
