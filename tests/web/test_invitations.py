"""Personal invitations: the CSV upload checks every row and imports all or nothing; e-mails carry the only copy
of each token; reminders re-issue the token."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from homeoffice.web.organisations.models import Unit
from homeoffice.web.surveys import actions
from homeoffice.web.surveys.models import Invitation, Wave, token_hash
from tests.web.factories_admin import make_staff, make_tree, make_wave

pytestmark = pytest.mark.django_db
SITE = "https://survey.example.org"
LINK = re.compile(re.escape(SITE) + r"/i/([A-Za-z0-9_-]+)/")


@pytest.fixture(autouse=True)
def _site():
    with override_settings(SITE_URL=SITE + "/", EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        yield


@pytest.fixture
def tree():
    return make_tree()


@pytest.fixture
def wave(tree) -> Wave:
    return make_wave(tree["top"].organisation)


@pytest.fixture
def staff_client(client):
    client.force_login(make_staff())
    return client


def upload(client, wave: Wave, content: str | bytes, *, unit=None, lang: str = "en"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = content.encode("utf-8") if isinstance(content, str) else content
    post = {"file": SimpleUploadedFile("people.csv", data, content_type="text/csv")}
    if unit is not None:
        post["unit"] = unit.pk
    return client.post(reverse("admin:surveys_wave_invitations", args=[wave.pk]), post, HTTP_ACCEPT_LANGUAGE=lang)


def token_of(message) -> str:
    found = LINK.findall(message.body)
    assert len(set(found)) == 1, message.body
    return found[0]


def test_a_good_file_creates_invitations_and_mails_each_person_their_own_link(staff_client, wave, tree):
    csv = "email,unit\nKari@Example.org,Acme > Sales > North\nola@example.org,App\n\nper@example.org,Sales\n"
    response = upload(staff_client, wave, csv)
    assert response.status_code == 302
    invitations = {i.email: i for i in Invitation.objects.filter(wave=wave)}
    assert set(invitations) == {"kari@example.org", "ola@example.org", "per@example.org"}
    assert invitations["kari@example.org"].unit == tree["north"]
    assert invitations["ola@example.org"].unit == tree["app"]
    assert invitations["per@example.org"].unit == tree["sales"]
    assert len(mail.outbox) == 3
    for message in mail.outbox:
        (address,) = message.to
        invitation = invitations[address]
        assert invitation.token_hash == token_hash(token_of(message))  # the link in the mail opens this invitation
        assert invitation.sent_on == timezone.localdate() and invitation.reminded_on is None
        assert wave.organisation.name in message.body and wave.name in message.subject
    tokens = {token_of(m) for m in mail.outbox}
    assert len(tokens) == 3 and all(len(t) >= 32 for t in tokens)  # 192-bit tokens, one per person


def test_the_token_is_stored_nowhere_only_its_hash(staff_client, wave):
    upload(staff_client, wave, "email,unit\nkari@example.org,South")
    token = token_of(mail.outbox[0])
    row = Invitation.objects.filter(wave=wave).values().get()
    assert token not in " ".join(str(v) for v in row.values())


def test_an_e_mail_offers_both_languages_when_the_wave_does(staff_client, tree):
    both = make_wave(tree["top"].organisation, name="Both")
    english = make_wave(tree["top"].organisation, name="English", languages="en")
    upload(staff_client, both, "a@example.org\n", unit=tree["north"])
    upload(staff_client, english, "b@example.org\n", unit=tree["north"])
    both_mail, english_mail = mail.outbox
    assert "Invitasjon" in both_mail.subject and "Invitation" in both_mail.subject
    assert "Din personlige lenke" in both_mail.body and "Your personal link" in both_mail.body
    assert "anonyme" in both_mail.body and "anonymous" in both_mail.body
    assert "Invitasjon" not in english_mail.subject and "Din personlige lenke" not in english_mail.body
    assert "Your personal link" in english_mail.body


def test_a_one_column_file_goes_to_the_chosen_unit(staff_client, wave, tree):
    assert upload(staff_client, wave, "a@example.org\nb@example.org\n", unit=tree["south"]).status_code == 302
    assert set(Invitation.objects.values_list("unit", flat=True)) == {tree["south"].pk}


def test_semicolons_windows_1252_and_norwegian_headers_are_read(staff_client, wave, tree):
    sor = Unit.objects.create(organisation=wave.organisation, parent=tree["dev"], name="Sør")
    data = "E-post;Enhet\r\nKare@example.org;Dev > sør\r\n".encode("cp1252")
    assert upload(staff_client, wave, data).status_code == 302
    assert Invitation.objects.values_list("email", "unit").get() == ("kare@example.org", sor.pk)


def test_bad_rows_are_reported_by_row_number_and_nothing_is_imported(staff_client, wave, tree):
    Invitation.objects.create(wave=wave, unit=tree["north"], email="taken@example.org", token_hash="0" * 64)
    csv = (
        "email,unit\n"
        "good@example.org,South\n"  # row 2: fine
        "not-an-address,South\n"  # row 3
        "x@example.org,Marketing\n"  # row 4: no such unit
        "y@example.org,North\n"  # row 5: two units are called North
        "Good@example.org,South\n"  # row 6: repeats row 2
        "Taken@example.org,South\n"  # row 7: already invited
        "z@example.org,\n"  # row 8: no unit and none chosen
        ",South\n"
    )  # row 9: no address
    response = upload(staff_client, wave, csv)
    assert response.status_code == 200
    problems = response.context["problems"]
    assert [int(re.match(r"Row (\d+):", p).group(1)) for p in problems] == [3, 4, 5, 6, 7, 8, 9]
    assert "not-an-address" in problems[0] and "Marketing" in problems[1]
    assert "Acme > Dev > North" in problems[2] or "Acme > Sales > North" in problems[2]
    assert "row 2" in problems[3]
    assert "already invited" in problems[4]
    assert "Nothing was imported" in response.content.decode()
    assert list(Invitation.objects.values_list("email", flat=True)) == ["taken@example.org"]
    assert mail.outbox == []


def test_problems_are_reported_in_norwegian_for_a_norwegian_browser(staff_client, wave):
    response = upload(staff_client, wave, "email,unit\nnope,South\n", lang="nb")
    assert response.context["problems"] == ["Rad 2: «nope» er ikke en gyldig e-postadresse."]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\x00\x01\x02PK\x03\x04", "could not be read"),
        ("name,department\nKari,Sales\n", "no column"),
        ("email,unit\n", "no e-mail addresses"),
    ],
)
def test_unusable_files_are_refused_with_a_reason(staff_client, wave, content, expected):
    response = upload(staff_client, wave, content)
    assert response.status_code == 200
    assert expected in " ".join(response.context["problems"])
    assert not Invitation.objects.exists()


def test_a_missing_file_is_a_form_error(staff_client, wave):
    response = staff_client.post(reverse("admin:surveys_wave_invitations", args=[wave.pk]), {})
    assert response.status_code == 200 and response.context["form"].errors["file"]


def test_a_closed_wave_takes_no_invitations(staff_client, tree):
    closed = make_wave(tree["top"].organisation, opens_in=-20, closes_in=-1)
    response = upload(staff_client, closed, "a@example.org\n", unit=tree["north"])
    assert response.status_code == 200 and "closed on" in response.content.decode()
    assert not Invitation.objects.exists() and mail.outbox == []


def test_a_unit_of_another_organisation_cannot_be_chosen(staff_client, wave):
    other = make_tree()
    response = upload(staff_client, wave, "a@example.org\n", unit=other["north"])
    assert response.status_code == 200 and response.context["form"].errors["unit"]
    assert not Invitation.objects.exists()


def test_an_unknown_wave_is_a_404(staff_client):
    assert staff_client.get("/admin/surveys/wave/999999/invitations/").status_code == 404
    assert staff_client.get("/admin/surveys/wave/abc/invitations/").status_code == 404


class BrokenBackend:
    """An e-mail backend whose server is down."""

    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        raise OSError("connection refused")

    def close(self):
        pass

    def send_messages(self, messages):
        raise OSError("connection refused")


def test_when_e_mail_fails_the_invitations_wait_and_the_reminder_sends_them(staff_client, wave, tree):
    with override_settings(EMAIL_BACKEND="tests.web.test_invitations.BrokenBackend"):
        response = upload(staff_client, wave, "a@example.org\n", unit=tree["north"])
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.sent_on is None
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("could not be sent" in m for m in messages)
    outcome = actions.do_remind(Invitation.objects.all())
    assert outcome.sent == 1
    invitation.refresh_from_db()
    assert invitation.sent_on == timezone.localdate() and invitation.reminded_on is None
    assert "Invitation" in mail.outbox[0].subject  # a first invitation, not a reminder
    assert invitation.token_hash == token_hash(token_of(mail.outbox[0]))


def _invited(wave, tree, n: int = 3, *, days_ago: int = 3) -> list[Invitation]:
    rows = [actions.InvitationRow(i + 2, f"p{i}@example.org", tree["north"]) for i in range(n)]
    actions.do_invite(wave, rows, today=timezone.localdate() - dt.timedelta(days=days_ago))
    mail.outbox.clear()
    return list(Invitation.objects.filter(wave=wave).order_by("email"))


def test_the_reminder_action_reissues_tokens_for_those_who_have_not_opened_their_link(staff_client, wave, tree):
    first, second, third = _invited(wave, tree)
    Invitation.objects.filter(pk=third.pk).update(claimed=True)
    response = staff_client.post(
        reverse("admin:surveys_wave_changelist"), {"action": "send_reminders", "_selected_action": [wave.pk]}
    )
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == [first.email, second.email]
    for before in (first, second):
        after = Invitation.objects.get(pk=before.pk)
        message = next(m for m in mail.outbox if m.to == [before.email])
        assert after.token_hash != before.token_hash  # the old link no longer works
        assert after.token_hash == token_hash(token_of(message))
        assert after.reminded_on == timezone.localdate() and after.sent_on == before.sent_on
        assert "no longer works" in message.body and "virker ikke lenger" in message.body
        assert "Reminder" in message.subject
    untouched = Invitation.objects.get(pk=third.pk)
    assert (untouched.token_hash, untouched.reminded_on) == (third.token_hash, None)


def test_a_second_reminder_on_the_same_day_sends_nothing(wave, tree):
    _invited(wave, tree, 2)
    assert actions.do_remind(Invitation.objects.all()).sent == 2
    again = actions.do_remind(Invitation.objects.all())
    assert (again.sent, again.skipped) == (0, 2)
    assert len(mail.outbox) == 2


def test_selected_invitations_can_be_reminded_from_their_list(staff_client, wave, tree):
    first, *_ = _invited(wave, tree)
    response = staff_client.post(
        reverse("admin:surveys_invitation_changelist"), {"action": "send_reminders", "_selected_action": [first.pk]}
    )
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[first.email]]


def test_the_invitation_list_does_not_say_who_opened_their_link(staff_client, wave, tree):
    first, *_ = _invited(wave, tree)
    Invitation.objects.filter(pk=first.pk).update(claimed=True)
    html = staff_client.get(reverse("admin:surveys_invitation_changelist"), HTTP_ACCEPT_LANGUAGE="en").content
    assert b"claimed" not in html.lower() and b"reminded" not in html.lower()
    assert html.count(b"<tr") == 4  # a header and three rows
    wave_page = staff_client.get(reverse("admin:surveys_wave_change", args=[wave.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "3 invited, 1 have opened their link" in wave_page.content.decode()


def test_the_send_reminders_command(wave, tree, capsys):
    before = _invited(wave, tree, 2)
    call_command("send_reminders", "--wave", str(wave.pk))
    assert "2 reminders sent" in capsys.readouterr().out
    after = Invitation.objects.filter(wave=wave).order_by("email")
    assert all(
        a.token_hash != b.token_hash and a.reminded_on == timezone.localdate()
        for a, b in zip(after, before, strict=True)
    )
    assert {m.to[0] for m in mail.outbox} == {b.email for b in before}


def test_the_command_refuses_an_unknown_or_closed_wave(tree):
    closed = make_wave(tree["top"].organisation, opens_in=-20, closes_in=-1)
    with pytest.raises(CommandError, match="no wave"):
        call_command("send_reminders", "--wave", "999999")
    with pytest.raises(CommandError, match="closed"):
        call_command("send_reminders", "--wave", str(closed.pk))


def test_a_wave_name_with_a_line_break_cannot_break_the_e_mail_headers(staff_client, tree):
    wave = make_wave(tree["top"].organisation, name="Spring\r\nBcc: everyone@example.org")
    assert upload(staff_client, wave, "a@example.org\n", unit=tree["north"]).status_code == 302
    (message,) = mail.outbox
    assert "\n" not in message.subject and message.bcc == [] and message.to == ["a@example.org"]
