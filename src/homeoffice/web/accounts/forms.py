"""The staff login form, with labels and errors in nb or en from ``translations.yaml``."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest

from homeoffice.web.accounts import throttle
from homeoffice.web.i18n import t


class StaffLoginForm(AuthenticationForm):
    """Django's authentication form in the staff member's language."""

    def __init__(self, request: HttpRequest | None = None, *args: object, lang: str = "nb", **kwargs: object) -> None:
        super().__init__(request, *args, **kwargs)
        self.lang = lang
        self.error_messages = {
            "invalid_login": t("accounts_login_invalid", lang),
            "inactive": t("accounts_login_inactive", lang),
        }
        username, password = self.fields["username"], self.fields["password"]
        username.label = t("accounts_login_username", lang)
        password.label = t("accounts_login_password", lang)
        username.error_messages = {
            "required": t("accounts_login_username_required", lang),
            "max_length": t("accounts_login_invalid", lang),
            "null_characters_not_allowed": t("accounts_login_invalid", lang),
        }
        password.error_messages = {
            "required": t("accounts_login_password_required", lang),
            "null_characters_not_allowed": t("accounts_login_invalid", lang),
        }
        password.widget = forms.PasswordInput(attrs={"autocomplete": "current-password"})

    def clean(self) -> dict:
        """Refuse a user name with too many recent failures before checking its password; count a
        wrong password; a right one clears the count (:mod:`homeoffice.web.accounts.throttle`)."""
        username = self.cleaned_data.get("username")
        if username and self.cleaned_data.get("password"):
            if minutes := throttle.minutes_locked(username):
                raise forms.ValidationError(t("accounts_login_throttled", self.lang, minutes=minutes), code="throttled")
            try:
                cleaned = super().clean()
            except forms.ValidationError:
                throttle.record_failure(username)
                raise
            throttle.clear(username)
            return cleaned
        return super().clean()
