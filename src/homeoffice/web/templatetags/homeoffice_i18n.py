"""``{% t "key" %}`` and ``{% t "key" name=value %}``: texts from the translation files.

The language is the template variable ``lang`` (set by every survey view), else the request's
active language.
"""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from homeoffice.web.i18n import t as translate

register = template.Library()


@register.simple_tag(takes_context=True)
def t(context: template.Context, key: str, **params: object) -> str:
    lang = context.get("lang") or (get_language() or "nb")[:2]
    return translate(key, lang, **params)
