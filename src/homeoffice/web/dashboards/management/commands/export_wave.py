"""``homeoffice-web export_wave --wave ID --format sav --out PATH``: a released wave's data, as the web gives it.

The same tables and anonymity rules as the web's download (:mod:`homeoffice.web.dashboards.exports`):
no unit below the minimum group size (respondents of hidden units carry the nearest shown unit), open
answers only where comments may be shown, no respondent keys. Writes the data file and its codebook
beside it (``NAME-codebook.csv``), all or nothing, and the export to the audit log (``--user``: the
staff member responsible).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from homeoffice.errors import HomeofficeError
from homeoffice.io.exports import EXPORT_FORMATS, codebook_path_for
from homeoffice.web.accounts.audit import Verb, log_event
from homeoffice.web.dashboards.exports import ExportRefused, write_export
from homeoffice.web.dashboards.groups import wave_groups
from homeoffice.web.i18n import t
from homeoffice.web.surveys.models import Wave


class Command(BaseCommand):
    help = "Export a released wave's answers and scores (CSV, XLSX, SAV or Parquet) with a codebook."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--wave", type=int, required=True, help="the wave's id")
        parser.add_argument("--format", choices=EXPORT_FORMATS, required=True, help="file format")
        parser.add_argument("--out", type=Path, required=True, help="the data file to write")
        parser.add_argument("--lang", choices=["nb", "en"], default="nb", help="language of labels and messages")
        parser.add_argument("--user", help="username of the staff member responsible (written to the audit log)")

    def handle(self, *args: object, **opts: object) -> None:
        lang, fmt, out = str(opts["lang"]), str(opts["format"]), Path(opts["out"])
        wave = Wave.objects.select_related("organisation").filter(pk=opts["wave"]).first()
        if wave is None:
            raise CommandError(t("data_cli_no_wave", lang, wave=opts["wave"]))
        groups = wave_groups(wave) if wave.is_released else None
        if groups is None:
            raise CommandError(t("data_cli_not_released", lang, wave=wave.name))
        user = None
        if opts["user"]:
            user = get_user_model().objects.filter(username=opts["user"]).first()
            if user is None:
                raise CommandError(t("data_cli_no_user", lang, user=opts["user"]))
        if out.suffix.lower() != f".{fmt}":
            raise CommandError(t("data_cli_suffix", lang, fmt=fmt))
        if not out.parent.is_dir():
            raise CommandError(t("data_cli_no_folder", lang, folder=str(out.parent)))
        with tempfile.TemporaryDirectory(prefix="homeoffice-export-", dir=out.parent) as tmp:
            try:
                written, data = write_export(groups, fmt, lang, Path(tmp), stem=out.stem)
            except ExportRefused:
                raise CommandError(t("data_export_refused", lang, min=wave.min_group_size)) from None
            except HomeofficeError as exc:
                raise CommandError(exc.describe(lang)) from None
            book = codebook_path_for(out)
            shutil.move(str(written.codebook), book)
            shutil.move(str(written.data), out)
        log_event(
            user,
            Verb.EXPORTED,
            organisation=wave.organisation,
            object_type="wave_data",
            object_id=wave.pk,
            wave=wave,
            format=fmt,
            detail=f"rows={written.rows},lang={lang},source=cli",
        )
        self.stdout.write(
            t("data_cli_exported", lang, n=written.rows, out=str(out), codebook=str(book), carried=data.carried_up)
        )
