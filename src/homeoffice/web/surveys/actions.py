"""What staff do to a survey wave: anonymous links, personal invitations from a CSV file, reminders.

Views and commands check their input and call these functions; these change the database (style.md
section 4). Anonymity (issue 3): an invitation keeps only the hash of its token; the token itself
exists only in the e-mail. A reminder therefore carries a *new* token, and the old link stops
working. Dates are stored to the day. No e-mail address is ever logged.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
from django.db.models.functions import Concat, Lower
from django.utils import timezone

from homeoffice.web.organisations.models import Organisation, Unit
from homeoffice.web.surveys import emails
from homeoffice.web.surveys.models import AnonymousLink, Invitation, Wave, new_token, token_hash

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20_000
MAX_TREE_DEPTH = 8
SEPARATOR = " > "
EMAIL_HEADERS = {"email", "e-mail", "epost", "e-post", "mail", "e-mail address", "e-postadresse", "epostadresse"}
UNIT_HEADERS = {"unit", "enhet", "avdeling", "department", "team", "unit path", "sti"}


# --- units as paths ------------------------------------------------------------------------------


def tree_path(prefix: str = "") -> Case:
    """A query expression for a unit's path from the top, "Company > Department > Team".

    ``prefix`` reaches a unit through a relation (``"unit__"``). One query computes the path of
    every row (up to ``MAX_TREE_DEPTH`` levels; deeper units show "… > name").
    """
    whens = []
    for depth in range(MAX_TREE_DEPTH):
        names = [F(prefix + "parent__" * k + "name") for k in range(depth, -1, -1)]
        parts: list = [names[0]]
        for name in names[1:]:
            parts += [Value(SEPARATOR), name]
        expr = Concat(*parts, output_field=CharField()) if len(parts) > 1 else names[0]
        whens.append(When(Q(**{prefix + "parent__" * depth + "parent__isnull": True}), then=expr))
    return Case(*whens, default=Concat(Value("…" + SEPARATOR), F(prefix + "name")), output_field=CharField())


def units_with_paths(organisation: Organisation | int) -> QuerySet[Unit]:
    """The organisation's units ordered as a tree, each with ``tree_path``."""
    return Unit.objects.filter(organisation=organisation).annotate(tree_path=tree_path()).order_by("tree_path")


def _norm_path(text: str) -> tuple[str, ...]:
    return tuple(" ".join(part.split()).casefold() for part in text.split(">") if part.strip())


# --- anonymous links -----------------------------------------------------------------------------


def do_create_links(wave: Wave) -> int:
    """Give every unit of the wave's organisation an anonymous link; units that have one keep it."""
    have = set(wave.links.values_list("unit_id", flat=True))
    missing = [
        AnonymousLink(wave=wave, unit_id=pk)
        for pk in Unit.objects.filter(organisation_id=wave.organisation_id).values_list("pk", flat=True)
        if pk not in have
    ]
    with transaction.atomic():
        AnonymousLink.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)


def link_url(token: str) -> str:
    """The public address of an anonymous link."""
    return emails.site_url(f"/s/{token}/")


# --- invitations from a CSV file -----------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """A problem in an uploaded file: a translation key and its parameters (``row`` when it has one)."""

    key: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class InvitationRow:
    row: int
    email: str
    unit: Unit


@dataclass
class InviteOutcome:
    created: int = 0
    sent: int = 0
    failed: int = 0
    error: str = ""


def _decode(data: bytes) -> str | None:
    if b"\x00" in data:
        return None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _reader(text: str) -> csv.reader:
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return csv.reader(io.StringIO(text, newline=""), dialect)


class _UnitResolver:
    """Finds a unit by name or by path ("A > B > C", or its last parts), case and spacing ignored."""

    def __init__(self, organisation: Organisation) -> None:
        self.organisation = organisation
        self.units = [(u, _norm_path(u.tree_path)) for u in units_with_paths(organisation)]
        self.cache: dict[tuple[str, ...], list[Unit]] = {}

    def find(self, text: str) -> list[Unit]:
        want = _norm_path(text)
        if not want:
            return []
        if want not in self.cache:
            self.cache[want] = [u for u, path in self.units if path[-len(want) :] == want]
        return self.cache[want]


def parse_invitation_file(
    data: bytes, *, wave: Wave, default_unit: Unit | None = None
) -> tuple[list[InvitationRow], list[Problem]]:
    """Read and check an uploaded CSV of e-mail addresses (and units).

    Columns ``email`` and ``unit`` (by name or "A > B > C" path), with or without a header row; or
    one column of addresses when ``default_unit`` is given. Every row is checked: a missing or bad
    address, an unknown or ambiguous unit, an address twice in the file or already invited to the
    wave. Row numbers are the file's line numbers (the header is row 1). Addresses are kept in
    lower case. Returns the good rows and the problems; import only when there are no problems.
    """
    if len(data) > MAX_FILE_BYTES:
        return [], [Problem("surveys_file_too_large", {"limit": MAX_FILE_BYTES // (1024 * 1024)})]
    text = _decode(data)
    if text is None:
        return [], [Problem("surveys_file_unreadable")]
    try:
        raw = [(n, row) for n, row in _numbered_rows(_reader(text)) if any(cell.strip() for cell in row)]
    except csv.Error:
        return [], [Problem("surveys_file_unreadable")]
    if len(raw) > MAX_ROWS + 1:
        return [], [Problem("surveys_file_too_many_rows", {"limit": MAX_ROWS})]
    email_col, unit_col = 0, 1
    if raw and not any("@" in cell for cell in raw[0][1]):
        header = [" ".join(cell.split()).casefold() for cell in raw[0][1]]
        emails_at = [i for i, name in enumerate(header) if name in EMAIL_HEADERS]
        if not emails_at:
            return [], [Problem("surveys_file_no_email_column")]
        email_col = emails_at[0]
        units_at = [i for i, name in enumerate(header) if name in UNIT_HEADERS]
        unit_col = units_at[0] if units_at else None
        raw = raw[1:]
    if not raw:
        return [], [Problem("surveys_file_empty")]

    resolver = _UnitResolver(wave.organisation)
    problems: list[Problem] = []
    rows: list[InvitationRow] = []
    first_row: dict[str, int] = {}
    for n, cells in raw:
        email = cells[email_col].strip() if email_col < len(cells) else ""
        unit_text = cells[unit_col].strip() if unit_col is not None and unit_col < len(cells) else ""
        row_ok = True
        if not email:
            problems.append(Problem("surveys_row_no_email", {"row": n}))
            row_ok = False
        else:
            try:
                validate_email(email)
                if len(email) > 254:
                    raise ValidationError("too long")
            except ValidationError:
                problems.append(Problem("surveys_row_bad_email", {"row": n, "value": email[:100]}))
                row_ok = False
        email = email.lower()
        if row_ok and email in first_row:
            problems.append(Problem("surveys_row_duplicate", {"row": n, "email": email, "first": first_row[email]}))
            row_ok = False
        elif row_ok:
            first_row[email] = n
        unit = default_unit
        if unit_text:
            found = resolver.find(unit_text)
            if len(found) == 1:
                unit = found[0]
            elif found:
                problems.append(
                    Problem(
                        "surveys_row_ambiguous_unit",
                        {"row": n, "value": unit_text[:100], "example": found[0].tree_path},
                    )
                )
                row_ok = False
            else:
                problems.append(
                    Problem(
                        "surveys_row_unknown_unit",
                        {"row": n, "value": unit_text[:100], "organisation": wave.organisation.name},
                    )
                )
                row_ok = False
        elif unit is None:
            problems.append(Problem("surveys_row_no_unit", {"row": n}))
            row_ok = False
        if row_ok:
            rows.append(InvitationRow(n, email, unit))

    invited = _already_invited(wave, [r.email for r in rows])
    for r in rows:
        if r.email in invited:
            problems.append(Problem("surveys_row_already_invited", {"row": r.row, "email": r.email}))
    problems.sort(key=lambda p: p.params.get("row", 0))
    return ([] if problems else rows), problems


def _numbered_rows(reader: Iterable[list[str]]) -> Iterable[tuple[int, list[str]]]:
    start = 1
    for row in reader:
        yield start, row
        start = reader.line_num + 1  # a quoted cell may span lines; the next row starts after it


def _already_invited(wave: Wave, addresses: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(addresses), 1000):
        chunk = addresses[i : i + 1000]
        found.update(
            Invitation.objects.filter(wave=wave)
            .annotate(low=Lower("email"))
            .filter(low__in=chunk)
            .values_list("low", flat=True)
        )
    return found


class ConcurrentInvitation(Exception):
    """Someone invited one of the addresses between the check and the import."""


def do_invite(wave: Wave, rows: list[InvitationRow], *, today: dt.date | None = None) -> InviteOutcome:
    """Create the invitations (all or none) and e-mail each its personal link straight away.

    Only ``token_hash`` is stored. The invitations are committed before the e-mails go out; an
    e-mail that cannot be sent leaves its invitation with ``sent_on`` empty, and the reminder
    action sends it later with a new token.
    """
    today = today or timezone.localdate()
    tokens = [(new_token(), r) for r in rows]
    invitations = [Invitation(wave=wave, unit=r.unit, email=r.email, token_hash=token_hash(tok)) for tok, r in tokens]
    try:
        with transaction.atomic():
            Invitation.objects.bulk_create(invitations)
    except IntegrityError as exc:
        raise ConcurrentInvitation() from exc
    outcome = InviteOutcome(created=len(invitations))
    messages = [(emails.invitation_message(inv, tok), inv) for (tok, _), inv in zip(tokens, invitations, strict=True)]
    sent, outcome.failed, outcome.error = _send([m for m, _ in messages])
    ok = [inv.token_hash for (_, inv), good in zip(messages, sent, strict=True) if good]
    for i in range(0, len(ok), 1000):
        Invitation.objects.filter(token_hash__in=ok[i : i + 1000]).update(sent_on=today)
    outcome.sent = len(ok)
    return outcome


def _send(messages: list) -> tuple[list[bool], int, str]:
    """Send each message; returns which went out, how many failed and the first error's kind."""
    sent = [False] * len(messages)
    failed, error = 0, ""
    if not messages:
        return sent, 0, ""
    connection = get_connection()
    try:
        connection.open()
    except Exception as exc:  # any transport failure means "not sent"
        return sent, len(messages), type(exc).__name__
    try:
        for i, message in enumerate(messages):
            message.connection = connection
            try:
                sent[i] = bool(connection.send_messages([message]))
            except Exception as exc:
                error = error or type(exc).__name__
            if not sent[i]:
                failed += 1
    finally:
        connection.close()
    return sent, failed, error or ("not sent" if failed else "")


# --- reminders -----------------------------------------------------------------------------------


@dataclass
class RemindOutcome:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    error: str = ""


def do_remind(invitations: QuerySet[Invitation], *, today: dt.date | None = None) -> RemindOutcome:
    """E-mail every unclaimed invitation a new personal link (the token is re-issued).

    The token is never stored, so a reminder cannot repeat the old link: it replaces the stored
    hash, and the old link stops working. Invitations already e-mailed today and those of closed
    waves are skipped. An invitation whose first e-mail failed gets its first e-mail (``sent_on``);
    the others get ``reminded_on``. When sending fails the old hash is put back.
    """
    today = today or timezone.localdate()
    outcome = RemindOutcome()
    todo = invitations.filter(claimed=False).select_related("wave__organisation").order_by("pk")
    outcome.skipped = invitations.count() - todo.count()
    for inv in todo.iterator(chunk_size=500):
        if inv.wave.closes_on < today or today in (inv.sent_on, inv.reminded_on):
            outcome.skipped += 1
            continue
        old, token = inv.token_hash, new_token()
        new = token_hash(token)
        if not Invitation.objects.filter(pk=inv.pk, claimed=False, token_hash=old).update(token_hash=new):
            outcome.skipped += 1  # claimed or re-issued meanwhile
            continue
        inv.token_hash = new
        first = inv.sent_on is None
        message = emails.invitation_message(inv, token, reminder=not first)
        sent, _, error = _send([message])
        if sent[0]:
            Invitation.objects.filter(pk=inv.pk).update(**({"sent_on": today} if first else {"reminded_on": today}))
            outcome.sent += 1
        else:
            Invitation.objects.filter(pk=inv.pk, token_hash=new).update(token_hash=old)
            outcome.failed += 1
            outcome.error = outcome.error or error
    return outcome


def wave_status(wave: Wave, today: dt.date | None = None) -> str:
    """``planned``, ``open``, ``closed`` or ``released`` (closed, and its group results released) on ``today``."""
    if wave.released_on is not None:
        return "released"
    today = today or timezone.localdate()
    if today < wave.opens_on:
        return "planned"
    return "open" if today <= wave.closes_on else "closed"
