"""Data in from the web: upload, mapping screen, preview with every problem (row and column, paged), import
all or nothing into an unreleased wave, saved mappings reused, released waves refused; and the round trip:
a released wave exported as .sav, CSV and XLSX and imported into a fresh wave gives identical answers and
scores."""

from __future__ import annotations

import io
import re
import zipfile
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest
from django.test import Client
from django.urls import reverse

from homeoffice.instruments import load_instrument
from homeoffice.samples.synthetic import synthetic_answers
from homeoffice.web.accounts.models import AuditEvent
from homeoffice.web.dashboards import imports
from homeoffice.web.dashboards.models import SavedMapping
from homeoffice.web.dashboards.table import wave_table
from homeoffice.web.responses.models import Response
from homeoffice.web.surveys.release import release_wave
from tests.web.factories_data import WHO, expect, make_open_wave, make_world

pytestmark = pytest.mark.django_db

MANAGERS = {"org_admin", "hr"}


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.HOMEOFFICE_IMPORT_DIR = tmp_path / "imports"


@pytest.fixture
def world() -> dict:
    return make_world(previous=False)


def _login(client: Client, world: dict, who: str) -> Client:
    client.logout()
    if who != "anonymous":
        client.force_login(world["people"][who])
    return client


def _upload_url(world: dict, wave: str = "open_wave") -> str:
    return reverse("data:import", args=[world["org"].slug, world[wave].pk])


class _Form(HTMLParser):
    """The fields a browser would submit from the first form with ``<select>`` or file-less inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._select: str | None = None
        self._first: str | None = None
        self._chosen = False
        self._in_form = False
        self._done = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self._done:
            return
        if tag == "form" and a.get("method") == "post" and "import-mapping" in (a.get("class") or ""):
            self._in_form = True
        if not self._in_form:
            return
        if tag == "input" and a.get("name") and a.get("type") in ("hidden", "text"):
            self.fields[a["name"]] = a.get("value") or ""
        elif tag == "select":
            self._select, self._first, self._chosen = a["name"], None, False
        elif tag == "option" and self._select:
            if self._first is None:
                self._first = a.get("value", "")
            if "selected" in a:
                self.fields[self._select] = a.get("value", "")
                self._chosen = True

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            if not self._chosen:
                self.fields[self._select] = self._first or ""
            self._select = None
        if tag == "form" and self._in_form:
            self._in_form, self._done = False, True


def mapping_fields(html: str) -> dict[str, str]:
    parser = _Form()
    parser.feed(html)
    return parser.fields


def upload(client: Client, url: str, content: bytes, name: str, **fields: object):
    return client.post(url, {"file": _file(content, name), **fields})


def _file(content: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def import_file(client: Client, url: str, content: bytes, name: str, overrides: dict | None = None, **fields):
    """Upload, accept the proposed mapping (with ``overrides``), and return (preview response, token urls)."""
    response = upload(client, url, content, name, **fields)
    assert response.status_code == 302, response.content.decode()[:2000]
    mapping_url = response["Location"]
    page = client.get(mapping_url)
    assert page.status_code == 200
    data = mapping_fields(page.content.decode())
    data.update(overrides or {})
    response = client.post(mapping_url, data)
    assert response.status_code == 302, _errors(response)
    if response["Location"] == mapping_url:  # the unit column changed: choose the units, then go on
        page = client.get(mapping_url)
        data = mapping_fields(page.content.decode())
        data.update(overrides or {})
        response = client.post(mapping_url, data)
        assert response.status_code == 302
    preview_url = response["Location"]
    return client.get(preview_url), mapping_url, preview_url


def _errors(response) -> str:
    return " | ".join(re.findall(r"<li>([^<]+)</li>", response.content.decode()))[:3000]


def _run_url(preview_url: str) -> str:
    return preview_url.replace("/preview/", "/run/")


# --- permissions ------------------------------------------------------------------------------------


def test_permission_walk_of_the_upload_page(client, world):
    url = _upload_url(world)
    got = {who: _login(client, world, who).get(url).status_code for who in expect(MANAGERS)}
    assert got == expect(MANAGERS)


def test_an_upload_belongs_to_its_uploader(client, world):
    _login(client, world, "hr")
    response = upload(client, _upload_url(world), _csv(world, 6), "svar.csv")
    mapping_url = response["Location"]
    preview_url = mapping_url.replace("/mapping/", "/preview/")
    expected = {**expect(MANAGERS), "org_admin": 404}  # another manager cannot open HR's upload
    got = {who: _login(client, world, who).get(mapping_url).status_code for who in expected}
    assert got == expected
    # the preview before a mapping is chosen sends its owner to the mapping
    got = {who: _login(client, world, who).get(preview_url).status_code for who in expected}
    assert got == {**expected, "hr": 302}
    for url in (_run_url(preview_url), mapping_url.replace("/mapping/", "/cancel/")):
        got = {who: _login(client, world, who).post(url).status_code for who in expected}
        assert got == {**expected, "hr": 302}, url
    assert Response.objects.filter(wave=world["open_wave"]).count() == 0
    assert set(WHO) >= set(expected) - {"anonymous"}


def test_a_released_wave_refuses_imports(client, world):
    _login(client, world, "hr")
    page = client.get(_upload_url(world, wave="wave") + "?lang=en")
    assert page.status_code == 409 and "Nothing can be imported into a released wave" in page.content.decode()
    response = upload(client, _upload_url(world, wave="wave"), _csv(world, 6), "svar.csv")
    assert response.status_code == 409
    assert Response.objects.filter(wave=world["wave"]).count() == 48


def test_a_wave_released_between_preview_and_import_refuses_and_writes_nothing(client, world):
    _login(client, world, "hr")
    preview, _, preview_url = import_file(client, _upload_url(world), _csv(world, 8), "svar.csv")
    assert "Import 8 responses" in preview.content.decode() or "Importer 8 svar" in preview.content.decode()
    wave = world["open_wave"]
    pending_check = Response.objects.filter(wave=wave).count()
    release_wave(wave)
    response = client.post(_run_url(preview_url))
    assert response.status_code == 409
    assert Response.objects.filter(wave=wave).count() == pending_check == 0


def test_commit_refuses_a_released_wave_under_the_lock(world):
    """The check inside the transaction: a wave object that still looks unreleased is read again, locked."""
    wave = world["open_wave"]
    path = _write(world, 5)
    check = imports.check_import(path, wave, _mapping(path, wave), {}, world["units"]["App"].pk, lang="en")
    assert check.ok
    stale = type(wave).objects.get(pk=wave.pk)
    release_wave(wave)
    with pytest.raises(imports.ImportRefused):
        imports.commit_import(stale, check, user=None, sha256="0" * 64, source="web")
    assert Response.objects.filter(wave=wave).count() == 0


# --- files -----------------------------------------------------------------------------------------


def _csv(world: dict, n: int, *, seed: int = 5, unit: str = "App") -> bytes:
    frame = synthetic_answers(load_instrument("standard"), n, seed=seed).to_pandas()
    frame.insert(1, "unit", unit)
    return frame.to_csv(index=False).encode("utf-8")


def _write(world: dict, n: int, tmp=None) -> object:
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp())
    path = folder / "answers.csv"
    path.write_bytes(_csv(world, n))
    return path


def _mapping(path, wave):
    from homeoffice.io.imports import propose_mapping

    return propose_mapping(path, load_instrument(wave.instrument_id)).mapping


# --- the flow ----------------------------------------------------------------------------------------


def test_a_good_file_is_imported_as_submitted_responses_with_nothing_linking_to_a_person(client, world):
    _login(client, world, "hr")
    preview, _, preview_url = import_file(client, _upload_url(world), _csv(world, 7), "svar.csv")
    text = preview.content.decode()
    assert preview.status_code == 200 and "problem" not in text.lower().split("<main")[1].split("form")[0]
    response = client.post(_run_url(preview_url))
    assert response.status_code == 302 and response["Location"].startswith(_upload_url(world))
    wave = world["open_wave"]
    rows = list(Response.objects.filter(wave=wave))
    assert len(rows) == 7
    app = world["units"]["App"]
    for r in rows:
        assert r.unit_id == app.pk and r.submitted_on == wave.closes_on and r.started_on == wave.closes_on
        assert r.respondent_key == "" and r.result["classification"]["pwe_index"] is not None
        assert set(r.answers) <= {i.id for i in load_instrument("standard").spec.items}
    event = AuditEvent.objects.get(verb="imported")
    assert event.wave_id == wave.pk and event.format == "web" and event.detail.startswith("rows=7,sha256=")
    # the upload is gone
    assert not any((imports.import_dir()).iterdir())


def test_the_same_file_again_is_flagged(client, world):
    _login(client, world, "hr")
    content = _csv(world, 5)
    _, _, preview_url = import_file(client, _upload_url(world), content, "svar.csv")
    client.post(_run_url(preview_url))
    preview, _, _ = import_file(client, _upload_url(world) + "?lang=en", content, "svar-igjen.csv")
    assert "has been imported into this wave before" in preview.content.decode()


def test_every_problem_is_listed_with_row_and_column_and_nothing_is_written(client, world):
    frame = synthetic_answers(load_instrument("standard"), 6, seed=3).to_pandas()
    frame.insert(1, "unit", "App")
    frame["wl1"] = frame["wl1"].astype(object)
    frame.loc[1, "wl1"] = 7  # out of range, file row 3
    frame.loc[3, "wl1"] = "kanskje"  # not an answer, file row 5
    frame.loc[4, "unit"] = "Markedsføring"  # no such unit, file row 6
    _login(client, world, "hr")
    preview, _, preview_url = import_file(
        client, _upload_url(world) + "?lang=en", frame.to_csv(index=False).encode(), "svar.csv"
    )
    text = re.sub(r"\s+", " ", preview.content.decode())
    assert "3 problems to fix" in text
    assert "row 3, column wl1:" in text and "row 5, column wl1:" in text
    assert "row 6, column unit: the unit “Markedsføring” is not matched" in text
    response = client.post(_run_url(preview_url))
    assert response.status_code == 302 and response["Location"] == preview_url
    assert Response.objects.filter(wave=world["open_wave"]).count() == 0
    assert not AuditEvent.objects.filter(verb="imported").exists()


def test_problems_are_paged(client, world):
    frame = synthetic_answers(load_instrument("standard"), 60, seed=3).to_pandas()
    frame.insert(1, "unit", "App")
    frame["wl1"] = 8
    frame["wl2"] = 0
    _login(client, world, "hr")
    preview, _, preview_url = import_file(
        client, _upload_url(world) + "?lang=en", frame.to_csv(index=False).encode(), "svar.csv"
    )
    text = re.sub(r"\s+", " ", preview.content.decode())
    assert "120 problems to fix" in text and "Page 1 of 3" in text
    assert text.count("column wl") == 50
    last = re.sub(r"\s+", " ", client.get(preview_url + "?page=3").content.decode())
    assert "Page 3 of 3" in last and last.count("column wl") == 20 and "row 61, column wl2" in last


def test_a_failure_midway_writes_nothing(world, monkeypatch):
    wave = world["open_wave"]
    path = _write(world, 12)
    check = imports.check_import(path, wave, _mapping(path, wave), {}, world["units"]["App"].pk, lang="en")
    calls = {"n": 0}
    real = imports.score_response

    def flaky(instrument_id, answers):
        calls["n"] += 1
        if calls["n"] == 9:
            raise RuntimeError("disk full")
        return real(instrument_id, answers)

    monkeypatch.setattr(imports, "score_response", flaky)
    with pytest.raises(RuntimeError):
        imports.commit_import(wave, check, user=None, sha256="0" * 64, source="web")
    assert Response.objects.filter(wave=wave).count() == 0
    assert not AuditEvent.objects.filter(verb="imported").exists()


def test_uploads_are_checked(client, world, settings):
    _login(client, world, "hr")
    response = upload(client, _upload_url(world) + "?lang=en", b"a,b\n1,2\n", "svar.pdf")
    assert response.status_code == 400 and "The file must be CSV" in response.content.decode()
    settings.HOMEOFFICE_IMPORT_MAX_BYTES = 100
    response = upload(client, _upload_url(world) + "?lang=en", b"x" * 200, "svar.csv")
    assert response.status_code == 400 and "larger than" in response.content.decode()
    settings.HOMEOFFICE_IMPORT_MAX_BYTES = 10_000_000
    response = upload(client, _upload_url(world) + "?lang=en", b"\x00\x01\x02binary", "svar.csv")
    assert response.status_code == 400
    assert not imports.import_dir().exists() or not any(imports.import_dir().iterdir())


# --- mappings saved and reused ---------------------------------------------------------------------


def _tool_file(n: int, seed: int) -> bytes:
    """A survey tool's export: own column names, one text answer the reader does not know, a department column."""
    instrument = load_instrument("standard")
    frame = synthetic_answers(instrument, n, seed=seed).to_pandas().drop(columns=["respondent_id"])
    frame = frame.rename(columns={c: f"Spm {c.upper()}" for c in frame.columns})
    frame["Spm WL3"] = [("Veldig enig" if v == 5 else str(int(v))) if pd.notna(v) else "" for v in frame["Spm WL3"]]
    frame.insert(0, "Avdeling", "Appteamet")
    return frame.to_csv(index=False).encode("utf-8")


def _tool_overrides(content: bytes, app_pk: int) -> dict:
    header = content.decode().splitlines()[0].split(",")
    out = {f"col-{k}": name.removeprefix("Spm ").lower() for k, name in enumerate(header) if name.startswith("Spm ")}
    out["col-0"] = imports.UNIT
    out["unit-0"] = str(app_pk)
    return out


def test_a_mapping_is_saved_and_reused_for_the_next_file(client, world):
    _login(client, world, "hr")
    app = world["units"]["App"]
    first = _tool_file(6, seed=1)
    overrides = _tool_overrides(first, app.pk)
    # the text "Veldig enig" is not an answer option: map it to 5 on the screen
    response = upload(client, _upload_url(world), first, "nettskjema.csv")
    mapping_url = response["Location"]
    page = client.get(mapping_url).content.decode()
    fields = mapping_fields(page)
    assert fields["col-0"] == imports.UNDECIDED  # "Avdeling" is not known: the user must decide
    fields.update(overrides)
    client.post(mapping_url, fields)  # the unit column changed: back to the mapping for the units
    fields = mapping_fields(client.get(mapping_url).content.decode())
    label = next(k for k, v in fields.items() if k.endswith("-value") and v == "Veldig enig")
    fields[label.removesuffix("-value")] = "5"
    fields.update({"unit-0": str(app.pk), "save_name": "Nettskjema HR"})
    response = client.post(mapping_url, fields)
    assert response.status_code == 302 and response["Location"].endswith("/preview/")
    assert client.post(_run_url(response["Location"])).status_code == 302
    saved = SavedMapping.objects.get(organisation=world["org"], name="Nettskjema HR")
    assert saved.mapping["unit_column"] == "Avdeling" and saved.units == {"Appteamet": app.pk}
    assert saved.mapping["labels"]["agree5"]["Veldig enig"] == 5
    # the next file from the same tool: choose the saved mapping, change nothing
    second = _tool_file(9, seed=2)
    preview, _, preview_url = import_file(client, _upload_url(world), second, "nettskjema-2.csv", saved=saved.pk)
    assert "problem" not in re.sub(r"\s+", " ", preview.content.decode()).split("<main")[1].split("<form")[0].lower()
    assert client.post(_run_url(preview_url)).status_code == 302
    assert Response.objects.filter(wave=world["open_wave"], unit=app).count() == 15
    assert "Nettskjema HR" in client.get(_upload_url(world)).content.decode()


def test_a_saved_mapping_can_be_deleted_by_managers_of_its_organisation_only(client, world):
    saved = SavedMapping.objects.create(organisation=world["org"], instrument_id="standard", name="Gammel")
    url = reverse("data:import_mapping_delete", args=[world["org"].slug, world["open_wave"].pk, saved.pk])
    _login(client, world, "researcher")
    assert client.post(url).status_code == 403
    _login(client, world, "hr")
    assert client.post(url).status_code == 302
    assert not SavedMapping.objects.filter(pk=saved.pk).exists()


def test_undecided_columns_must_be_decided(client, world):
    _login(client, world, "hr")
    response = upload(client, _upload_url(world) + "?lang=en", _tool_file(3, seed=1), "nettskjema.csv")
    page = client.get(response["Location"])
    response = client.post(response["Location"], mapping_fields(page.content.decode()))
    assert response.status_code == 400
    assert "Choose what the column “Avdeling” holds, or skip it." in response.content.decode()


# --- round trip: export from the web, import back ----------------------------------------------------


def _data_file(content: bytes, fmt: str) -> tuple[bytes, str]:
    if fmt == "xlsx":
        return content, "export.xlsx"
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        name = next(n for n in archive.namelist() if n.endswith(f".{fmt}"))
        return archive.read(name), name


def _answers_key(answers: dict) -> tuple:
    return tuple(sorted((k, int(v)) for k, v in answers.items()))


@pytest.mark.parametrize("fmt", ["sav", "csv", "xlsx"])
def test_round_trip_export_and_import_give_identical_answers_and_scores(client, world, fmt):
    source = world["wave"]
    _login(client, world, "hr")
    exported = client.get(reverse("data:export", args=[world["org"].slug, source.pk, fmt]))
    assert exported.status_code == 200
    content, name = _data_file(exported.content, fmt)
    fresh = make_open_wave(world["org"], name=f"Tilbake fra {fmt}")
    url = reverse("data:import", args=[world["org"].slug, fresh.pk])
    preview, _, preview_url = import_file(client, url + "?lang=en", content, name)
    body = re.sub(r"\s+", " ", preview.content.decode())
    assert "Import 48 responses" in body, _errors(preview)
    assert client.post(_run_url(preview_url)).status_code == 302
    # identical answers (not-applicable codes included)
    before = sorted(_answers_key(a) for a in Response.objects.filter(wave=source).values_list("answers", flat=True))
    after = sorted(_answers_key(a) for a in Response.objects.filter(wave=fresh).values_list("answers", flat=True))
    assert before == after
    # identical scores and classification once the fresh wave is released the same way
    release_wave(fresh)
    fresh.refresh_from_db()
    old, new = wave_table(source), wave_table(fresh)
    items = [i.id for i in load_instrument("standard").scored_items]
    order_old = old[items].astype(float).fillna(-1).apply(tuple, axis=1).argsort(kind="stable")
    order_new = new[items].astype(float).fillna(-1).apply(tuple, axis=1).argsort(kind="stable")
    a, b = old.iloc[order_old.to_numpy()], new.iloc[order_new.to_numpy()]
    for column in ["pwe_index", "productivity_index", "workload", "control", "support", "distance_to_optimal"]:
        np.testing.assert_array_equal(a[column].to_numpy(float), b[column].to_numpy(float), err_msg=column)
    for column in ["situation", "job_situation", "pwe_level", "productivity_level"]:
        assert a[column].astype(str).tolist() == b[column].astype(str).tolist(), column
    # the units: every respondent of a shown unit is back in it; hidden ones are in the unit above
    counts = pd.Series(Response.objects.filter(wave=fresh).values_list("unit__name", flat=True)).value_counts()
    assert counts["Nord"] == 12 and counts["App"] == 15 and counts["Salg"] == 13 and "Kundesenter" not in counts


def test_column_values_gives_each_value_with_the_rows_holding_it(tmp_path):
    from homeoffice.io.imports import column_values

    path = tmp_path / "units.csv"
    path.write_text('id,Avdeling\n1,Salg\n2," salg "\n3,\n4,"IT\nsupport"\n5,Salg\n', encoding="utf-8")
    values = {v.value: (v.count, v.rows) for v in column_values(path, "avdeling")}
    assert values["Salg"] == (
        2,
        (2, 7),
    )  # the quoted line break moves the last row to line 7 and values["salg"] == (1, (3,)) and values[""] == (1, (4,))
    assert values["IT\nsupport"] == (1, (5,))
    with pytest.raises(Exception, match="no column 'Enhet'"):
        column_values(path, "Enhet")
