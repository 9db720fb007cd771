"""``homeoffice-web send_reminders --wave ID``: e-mail a new personal link to everyone who has not opened theirs.

The token of an invitation is never stored, so a reminder re-issues it: the stored hash is replaced
and the link in earlier e-mails stops working (the e-mail says so). Invitations already e-mailed
today are skipped, so running the command twice a day sends nothing the second time.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from homeoffice.web.surveys.actions import do_remind
from homeoffice.web.surveys.models import Invitation, Wave


class Command(BaseCommand):
    help = "E-mail a reminder with a new personal link to every invitee of a wave who has not opened the link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--wave", type=int, required=True, help="the wave's id (shown in the admin's address)")

    def handle(self, *args: object, wave: int, **options: object) -> None:
        found = Wave.objects.filter(pk=wave).first()
        if found is None:
            raise CommandError(f"There is no wave with id {wave}.")
        if found.closes_on < timezone.localdate():
            raise CommandError(f"Wave {wave} closed on {found.closes_on.isoformat()}; no reminders are sent.")
        outcome = do_remind(Invitation.objects.filter(wave=found))
        self.stdout.write(
            f"{outcome.sent} reminders sent, each with a new personal link (the link in earlier e-mails no longer "
            f"works); {outcome.skipped} skipped (opened, or already e-mailed today)."
        )
        if outcome.failed:
            raise CommandError(
                f"{outcome.failed} e-mails could not be sent ({outcome.error}); run the command again later."
            )
