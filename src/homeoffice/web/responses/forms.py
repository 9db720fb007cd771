"""Forms of the answering flow. Every message comes from translations.yaml in the person's language.

Answers are voluntary: a page form requires nothing, but a value that is not one of the item's
codes (a forged or stale form) is a form error, never a crash.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from django import forms
from django.core.exceptions import ValidationError

from homeoffice.instruments import Instrument
from homeoffice.instruments.schema import Item
from homeoffice.web.i18n import t
from homeoffice.web.responses.models import RESUME_LENGTH, Response, normalise_resume_code, resume_hash
from homeoffice.web.responses.pages import Page

OPEN_MAX_CHARS = 2000
NUMERIC_ROW_MIN_CODES = 7  # response sets with this many codes, not all labelled, show as a row of numbers


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    not_applicable: bool = False


@dataclass(frozen=True)
class Question:
    """What a template needs to draw one item (a radio group) or one open question (a textarea)."""

    id: str
    text: str
    kind: str  # "choice" | "open"
    help: str = ""
    options: tuple[Option, ...] = ()
    numeric: bool = False
    anchors: str = ""


def item_options(item: Item, instrument: Instrument, lang: str) -> tuple[tuple[Option, ...], bool, str]:
    """The item's answer options (codes in order, not-applicable last), whether to show them as a row
    of numbers, and the text that explains the end points of such a row (unless the item's own help
    text does)."""
    rs = instrument.response_set(item)
    codes = range(rs.min, rs.max + 1)
    numeric = len(codes) >= NUMERIC_ROW_MIN_CODES and len(rs.labels) < len(codes)
    opts = []
    for code in codes:
        label = rs.labels[code].get(lang) if code in rs.labels else str(code)
        opts.append(Option(str(code), str(code) if numeric else label))
    opts += [Option(str(code), text.get(lang), not_applicable=True) for code, text in rs.na_codes.items()]
    anchors = ""
    if numeric and not item.help and rs.min in rs.labels and rs.max in rs.labels:
        anchors = t(
            "flow_scale_anchors",
            lang,
            low=rs.min,
            low_label=rs.labels[rs.min].get(lang),
            high=rs.max,
            high_label=rs.labels[rs.max].get(lang),
        )
    return tuple(opts), numeric, anchors


def page_questions(page: Page, instrument: Instrument, lang: str) -> list[Question]:
    """The questions of one page, in order."""
    out = []
    for item_id in page.item_ids:
        item = instrument.items_by_id[item_id]
        options, numeric, anchors = item_options(item, instrument, lang)
        out.append(
            Question(
                id=item.id,
                text=item.text.get(lang),
                kind="choice",
                help=item.help.get(lang) if item.help else "",
                options=options,
                numeric=numeric,
                anchors=anchors,
            )
        )
    opens = {q.id: q for q in instrument.spec.open_questions}
    for qid in page.open_ids:
        out.append(Question(id=qid, text=opens[qid].text.get(lang), kind="open"))
    return out


class OpenAnswerField(forms.CharField):
    """Free text, at most ``OPEN_MAX_CHARS`` characters, with our own messages."""

    def __init__(self, *, lang: str, **kwargs) -> None:
        self.lang = lang
        super().__init__(
            required=False,
            strip=True,
            error_messages={"null_characters_not_allowed": t("flow_error_bad_text", lang)},
            **kwargs,
        )

    def to_python(self, value: object) -> str:
        # Browsers send line breaks as CRLF; count them as one character, as the textarea does.
        return super().to_python(value).replace("\r\n", "\n")

    def validate(self, value: str) -> None:
        super().validate(value)
        if len(value) > OPEN_MAX_CHARS:
            raise ValidationError(
                t("flow_error_too_long", self.lang, max=OPEN_MAX_CHARS, length=len(value)), code="max_length"
            )


class PageForm(forms.Form):
    """One page of answers. ``cleaned_data`` maps item ids to an int code or None, open ids to text.

    The fields of a page are built once per page and language and shared by its forms (Django
    would deep-copy them for every request; they hold no per-request state, the form does).
    """

    def __init__(self, *args, questions: Sequence[Question], lang: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.fields = dict(_page_fields(tuple(questions), lang))

    def answers(self) -> tuple[dict[str, int | None], dict[str, str]]:
        """(item id -> code or None, open id -> text) for this page; call after ``is_valid()``."""
        closed = {q.id: self.cleaned_data.get(q.id) for q in self.questions if q.kind == "choice"}
        opened = {q.id: self.cleaned_data.get(q.id) or "" for q in self.questions if q.kind == "open"}
        return closed, opened


@cache
def _page_fields(questions: tuple[Question, ...], lang: str) -> dict[str, forms.Field]:
    invalid = t("flow_error_invalid_choice", lang)
    fields: dict[str, forms.Field] = {}
    for q in questions:
        if q.kind == "choice":
            fields[q.id] = forms.TypedChoiceField(
                choices=[(o.value, o.label) for o in q.options],
                coerce=int,
                required=False,
                empty_value=None,
                error_messages={"invalid_choice": invalid},
            )
        else:
            fields[q.id] = OpenAnswerField(lang=lang)
    return fields


class ConsentForm(forms.Form):
    consent = forms.BooleanField()

    def __init__(self, *args, lang: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consent"].error_messages = {"required": t("flow_consent_required", lang)}


class ResumeForm(forms.Form):
    """A resume code; ``clean`` finds the response it belongs to (``self.response``)."""

    code = forms.CharField(max_length=80, strip=True)

    def __init__(self, *args, lang: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lang = lang
        self.response: Response | None = None
        self.fields["code"].error_messages = {
            "required": t("flow_resume_empty", lang),
            "max_length": t("flow_resume_wrong", lang),
            "null_characters_not_allowed": t("flow_resume_wrong", lang),
        }

    def clean_code(self) -> str:
        code = normalise_resume_code(self.cleaned_data["code"])
        if len(code) != RESUME_LENGTH:
            raise ValidationError(t("flow_resume_wrong", self.lang), code="wrong")
        self.response = Response.objects.select_related("wave").filter(resume_hash=resume_hash(code)).first()
        if self.response is None:
            raise ValidationError(t("flow_resume_wrong", self.lang), code="wrong")
        return code
