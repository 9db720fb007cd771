"""The command-line verbs for data in and out: ``homeoffice-web import_answers`` and ``export_wave``, with
the web's rules (all or nothing, every problem with row and column in nb or en, the same suppression as
the web's download) and an audit event each."""

from __future__ import annotations

import io

import pandas as pd
import pyreadstat
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from homeoffice.instruments import load_instrument
from homeoffice.samples.synthetic import synthetic_answers
from homeoffice.web.accounts.models import AuditEvent
from homeoffice.web.dashboards.groups import wave_groups
from homeoffice.web.dashboards.reports import group_path
from homeoffice.web.responses.models import Response
from tests.web.factories_data import make_open_wave, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict:
    return make_world(previous=False)


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _answers_file(tmp_path, n: int = 6, changes: dict | None = None) -> object:
    frame = synthetic_answers(load_instrument("standard"), n, seed=4).to_pandas()
    frame.insert(1, "Avdeling", "Salg > Nord")
    for (row, column), value in (changes or {}).items():
        frame[column] = frame[column].astype(object)
        frame.loc[row, column] = value
    path = tmp_path / "svar.csv"
    frame.to_csv(path, index=False)
    return path


# --- export_wave ------------------------------------------------------------------------------------


def test_export_wave_writes_the_file_and_its_codebook_with_the_webs_suppression(world, tmp_path):
    out = tmp_path / "hosten.sav"
    stdout, _ = _run(
        "export_wave",
        "--wave",
        str(world["wave"].pk),
        "--format",
        "sav",
        "--out",
        str(out),
        "--lang",
        "en",
        "--user",
        world["people"]["researcher"].username,
    )
    assert "Exported 48 rows" in stdout and "13 responses carried up" in stdout
    data, meta = pyreadstat.read_sav(str(out))
    assert meta.column_names_to_labels["wl1"]
    counts = data.groupby("unit").size()
    assert (counts >= world["wave"].min_group_size).all()
    groups = wave_groups(world["wave"])
    assert set(counts.index) <= {group_path(groups, u) for u in groups.units if groups.shown(groups.key(u))}
    codebook = pd.read_csv(tmp_path / "hosten-codebook.csv")
    assert "unit" in set(codebook["name"])
    event = AuditEvent.objects.get(verb="exported")
    assert (event.format, event.wave_id, event.username) == ("sav", world["wave"].pk, f"forsker-{world['org'].pk}")
    assert "source=cli" in event.detail


def test_export_wave_refuses_an_unreleased_wave_and_a_wrong_suffix(world, tmp_path):
    with pytest.raises(CommandError, match="ikke frigitt"):
        _run("export_wave", "--wave", str(world["open_wave"].pk), "--format", "csv", "--out", str(tmp_path / "a.csv"))
    with pytest.raises(CommandError, match=r"must end in \.csv"):
        _run(
            "export_wave",
            "--wave",
            str(world["wave"].pk),
            "--format",
            "csv",
            "--out",
            str(tmp_path / "a.sav"),
            "--lang",
            "en",
        )
    with pytest.raises(CommandError, match="no wave with id"):
        _run("export_wave", "--wave", "999999", "--format", "csv", "--out", str(tmp_path / "a.csv"), "--lang", "en")
    assert not list(tmp_path.iterdir())
    assert not AuditEvent.objects.exists()


# --- import_answers --------------------------------------------------------------------------------


def test_import_answers_imports_everything_and_audits_it(world, tmp_path):
    path = _answers_file(tmp_path)
    wave = world["open_wave"]
    stdout, _ = _run(
        "import_answers",
        str(path),
        "--wave",
        str(wave.pk),
        "--unit-column",
        "Avdeling",
        "--lang",
        "en",
        "--user",
        world["people"]["hr"].username,
    )
    assert "6 responses have been imported" in stdout
    rows = Response.objects.filter(wave=wave)
    assert rows.count() == 6 and set(rows.values_list("unit_id", flat=True)) == {world["units"]["Nord"].pk}
    event = AuditEvent.objects.get(verb="imported")
    assert event.format == "cli" and event.detail.startswith("rows=6,sha256=") and event.username.startswith("hr-")


def test_import_answers_lists_every_problem_with_row_and_column_and_writes_nothing(world, tmp_path):
    path = _answers_file(tmp_path, changes={(0, "wl1"): 9, (2, "wl2"): "ofte?", (4, "Avdeling"): "Lager"})
    wave = world["open_wave"]
    with pytest.raises(CommandError) as failed:
        _run("import_answers", str(path), "--wave", str(wave.pk), "--unit-column", "Avdeling", "--lang", "en")
    assert failed.value.returncode == 2 and "3 problem(s); nothing was imported." in str(failed.value)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_answers", str(path), "--wave", str(wave.pk), "--unit-column", "Avdeling", stderr=err)
    lines = err.getvalue().splitlines()
    assert len(lines) == 3 and all(line.startswith("Feil: rad ") for line in lines)
    assert any("rad 2, kolonne wl1" in line for line in lines)
    assert any("rad 4, kolonne wl2" in line for line in lines)
    assert any("rad 6, kolonne Avdeling" in line and "Lager" in line for line in lines)
    assert not Response.objects.filter(wave=wave).exists() and not AuditEvent.objects.exists()


def test_import_answers_with_a_default_unit_and_a_mapping_file(world, tmp_path):
    frame = synthetic_answers(load_instrument("standard"), 5, seed=8).to_pandas()
    frame = frame.rename(columns={"wl1": "Hvor ofte har du for mye å gjøre?"})
    path = tmp_path / "forms.csv"
    frame.to_csv(path, index=False)
    mapping = tmp_path / "kobling.yaml"
    mapping.write_text('columns:\n  "Hvor ofte har du for mye å gjøre?": wl1\n', encoding="utf-8")
    wave = make_open_wave(world["org"], name="Fra Forms")
    stdout, _ = _run(
        "import_answers", str(path), "--wave", str(wave.pk), "--mapping", str(mapping), "--unit", "Utvikling > App"
    )
    assert "5 svar er importert" in stdout
    assert set(Response.objects.filter(wave=wave).values_list("unit__name", flat=True)) == {"App"}


def test_import_answers_refuses_a_released_wave_and_an_unknown_unit(world, tmp_path):
    path = _answers_file(tmp_path)
    with pytest.raises(CommandError, match="frigitt"):
        _run("import_answers", str(path), "--wave", str(world["wave"].pk), "--unit-column", "Avdeling")
    with pytest.raises(CommandError, match="Marketing"):
        _run("import_answers", str(path), "--wave", str(world["open_wave"].pk), "--unit", "Marketing", "--lang", "en")
    assert Response.objects.filter(wave=world["wave"]).count() == 48
    assert not Response.objects.filter(wave=world["open_wave"]).exists()


def test_round_trip_on_the_command_line(world, tmp_path):
    out = tmp_path / "ut.csv"
    _run("export_wave", "--wave", str(world["wave"].pk), "--format", "csv", "--out", str(out))
    fresh = make_open_wave(world["org"], name="Tilbake")
    _run("import_answers", str(out), "--wave", str(fresh.pk))

    def key(answers: dict) -> tuple:
        return tuple(sorted((k, int(v)) for k, v in answers.items()))

    before = sorted(key(a) for a in Response.objects.filter(wave=world["wave"]).values_list("answers", flat=True))
    after = sorted(key(a) for a in Response.objects.filter(wave=fresh).values_list("answers", flat=True))
    assert before == after
