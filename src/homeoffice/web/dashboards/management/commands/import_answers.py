"""``homeoffice-web import_answers --wave ID FILE``: answers collected elsewhere, into a wave that is not released.

The same check and import as the web's import screen (:mod:`homeoffice.web.dashboards.imports`): the
columns are matched by :func:`homeoffice.io.imports.propose_mapping` (``--preset`` names the survey
tool, ``--mapping`` gives a mapping file made by ``homeoffice import --save-mapping`` or by hand,
``--unit-column`` the column naming each respondent's unit), unit values are matched to the
organisation's units by name or path, ``--unit`` gives the unit of rows without one. All or nothing:
with any problem every problem is printed with its row and column, in ``--lang`` (nb or en), nothing is
written and the exit status is 2. The import is written to the audit log (``--user``: the staff member
responsible, else the log names no one).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from homeoffice.errors import HomeofficeError
from homeoffice.instruments import load_instrument
from homeoffice.io.imports import propose_mapping
from homeoffice.io.mapping import load_mapping
from homeoffice.web.dashboards.imports import ImportRefused, UnitResolver, check_import, commit_import, file_sha256
from homeoffice.web.i18n import t
from homeoffice.web.surveys.models import Wave


class Command(BaseCommand):
    help = "Import answers from a CSV, XLSX or SPSS file into a wave that is not released (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="CSV, XLSX or SAV file of answers")
        parser.add_argument("--wave", type=int, required=True, help="the wave's id")
        parser.add_argument("--preset", help="survey tool: qualtrics, limesurvey, nettskjema or msforms")
        parser.add_argument("--mapping", type=Path, help="a column-mapping YAML file")
        parser.add_argument("--unit-column", help="the column naming each respondent's unit")
        parser.add_argument("--unit", help="unit (name or path 'A > B') of rows without a unit")
        parser.add_argument("--sheet", help="the sheet of an XLSX file (default: the first)")
        parser.add_argument("--lang", choices=["nb", "en"], default="nb", help="language of the messages")
        parser.add_argument("--user", help="username of the staff member responsible (written to the audit log)")

    def handle(self, *args: object, **opts: object) -> None:
        lang = str(opts["lang"])
        wave = Wave.objects.select_related("organisation").filter(pk=opts["wave"]).first()
        if wave is None:
            raise CommandError(t("data_cli_no_wave", lang, wave=opts["wave"]))
        if wave.is_released:
            raise CommandError(t("data_import_refused_released", lang))
        user = None
        if opts["user"]:
            user = get_user_model().objects.filter(username=opts["user"]).first()
            if user is None:
                raise CommandError(t("data_cli_no_user", lang, user=opts["user"]))
        path: Path = opts["file"]
        resolver = UnitResolver(wave.organisation_id)
        default_unit = None
        if opts["unit"]:
            found = resolver.find(str(opts["unit"]))
            if found is None:
                raise CommandError(t("data_cli_no_unit", lang, unit=opts["unit"], organisation=wave.organisation.name))
            default_unit = found.pk
        try:
            base = load_mapping(opts["mapping"]) if opts["mapping"] else None
            instrument = load_instrument(wave.instrument_id)
            proposal = propose_mapping(path, instrument, opts["preset"], base=base, sheet=opts["sheet"])
        except HomeofficeError as exc:
            raise CommandError(exc.describe(lang)) from None
        mapping = proposal.mapping
        if opts["unit_column"]:
            mapping = dataclasses.replace(mapping, unit_column=str(opts["unit_column"]))
        check = check_import(path, wave, mapping, {}, default_unit, lang=lang, sheet=opts["sheet"])
        if not check.ok:
            label = t("data_cli_problem", lang)
            for problem in check.problems:
                self.stderr.write(f"{label}: {problem.line(lang)}")
            raise CommandError(t("data_cli_nothing_imported", lang, n=len(check.problems)), returncode=2)
        try:
            n = commit_import(wave, check, user=user, sha256=file_sha256(path), source="cli")
        except ImportRefused:
            raise CommandError(t("data_import_refused_released", lang)) from None
        self.stdout.write(t("data_import_done", lang, n=n, wave=wave.name))
