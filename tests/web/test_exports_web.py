"""Data out from the web: a released wave's answers and scores as CSV, XLSX, SPSS .sav and Parquet with a
codebook, for researchers, HR and organisation admins only, with no unit below the minimum group size
(the attacker groups the exported file by unit), open answers only where comments may be shown, and
every download in the audit log."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pyarrow.parquet as pq
import pyreadstat
import pytest
from django.test import Client
from django.urls import reverse

from homeoffice.web.accounts.models import AuditEvent
from homeoffice.web.dashboards.exports import ExportRefused, comment_labels, wave_export
from homeoffice.web.dashboards.groups import wave_groups
from homeoffice.web.dashboards.reports import group_path
from homeoffice.web.responses.models import Response
from homeoffice.web.surveys.release import release_wave
from tests.web.factories_data import expect, make_people, make_world
from tests.web.factories_groups import make_org, make_released_wave, team_sizes

pytestmark = pytest.mark.django_db

EXPORTERS = {"org_admin", "hr", "researcher"}
FORMATS = ("csv", "xlsx", "sav", "parquet")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world() -> dict:
    return make_world(previous=False)


def _login(client: Client, world: dict, who: str) -> Client:
    client.logout()
    if who != "anonymous":
        client.force_login(world["people"][who])
    return client


def _export_url(world: dict, fmt: str, wave: str = "wave") -> str:
    return reverse("data:export", args=[world["org"].slug, world[wave].pk, fmt])


def read_export(content: bytes, fmt: str) -> tuple[pd.DataFrame, dict[str, bytes]]:
    """The data table of a download (ZIP or workbook) and the files it came with."""
    if fmt == "xlsx":
        book = pd.read_excel(io.BytesIO(content), sheet_name=None, dtype={"respondent_id": str})
        return book["data"], {name: b"" for name in book}
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    data_name = next(n for n in files if n.endswith(f".{fmt}"))
    raw = files[data_name]
    if fmt == "csv":
        table = pd.read_csv(io.BytesIO(raw), dtype={"respondent_id": str, "unit": str})
    elif fmt == "parquet":
        table = pq.read_table(io.BytesIO(raw)).to_pandas()
    else:
        import tempfile

        with tempfile.NamedTemporaryFile(suffix=".sav") as tmp:
            tmp.write(raw)
            tmp.flush()
            table, _ = pyreadstat.read_sav(tmp.name)
    return table, files


# --- permissions ------------------------------------------------------------------------------------

WALK = {
    "export page": lambda w: reverse("data:export_page", args=[w["org"].slug, w["wave"].pk]),
    **{f"export.{fmt}": (lambda w, f=fmt: _export_url(w, f)) for fmt in FORMATS},
}


@pytest.mark.parametrize("case", list(WALK))
def test_permission_walk(client, world, case):
    url = WALK[case](world)
    expected = expect(EXPORTERS)
    got = {who: _login(client, world, who).get(url).status_code for who in expected}
    assert got == expected


def test_an_unreleased_wave_has_nothing_to_export(client, world):
    _login(client, world, "researcher")
    assert client.get(_export_url(world, "csv", wave="open_wave")).status_code == 404
    assert client.get(reverse("data:export_page", args=[world["org"].slug, world["open_wave"].pk])).status_code == 404


def test_an_unknown_format_is_not_found(client, world):
    _login(client, world, "hr")
    url = reverse("data:export", args=[world["org"].slug, world["wave"].pk, "csv"]).replace(".csv", ".json")
    assert client.get(url).status_code == 404


# --- what is in the file ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_attacker_finds_no_unit_below_the_minimum_in_any_format(client, world, fmt):
    _login(client, world, "researcher")
    response = client.get(_export_url(world, fmt))
    assert response.status_code == 200
    table, files = read_export(response.content, fmt)
    groups = wave_groups(world["wave"])
    minimum = world["wave"].min_group_size
    # every respondent is in the file (dropping rows would reveal them by subtraction from the organisation)
    assert len(table) == 48
    counts = table.groupby("unit").size()
    assert (counts >= minimum).all(), counts.to_dict()
    shown = {group_path(groups, u) for u in groups.units if groups.shown(groups.key(u))}
    assert set(counts.index) <= shown
    assert not any(str(u).endswith(("Kundesenter", "Sør")) for u in counts.index)
    # Kundesenter (4) and Sør (9, hidden so that Kundesenter cannot be subtracted) are carried up to Salg
    salg = group_path(groups, world["units"]["Salg"].pk)
    assert counts[salg] == 13
    # nothing that links to a person or a response
    assert "respondent_key" not in table.columns
    assert sorted(table["respondent_id"].astype(str).astype(int)) == list(range(1, 49))
    if fmt != "xlsx":
        assert set(files) == {f"{world['org'].slug}-wave-{world['wave'].pk}.{fmt}", "codebook.csv", "README.txt"}
        readme = files["README.txt"].decode("utf-8")
        assert ": 13." in readme  # carried up to Salg
    else:
        assert set(files) == {"data", "codebook", "about"}


def test_the_export_keeps_every_answer_and_score_of_the_released_table(client, world):
    groups = wave_groups(world["wave"])
    data = wave_export(groups)
    table = groups.table
    for item in groups.instrument.scored_items:
        got = data.answers[item.id].astype("Float64").to_numpy(dtype=float, na_value=float("nan"))
        want = table[item.id].astype("Float64").to_numpy(dtype=float, na_value=float("nan"))
        na = list(groups.instrument.response_set(item).na_codes)
        got[pd.Series(got).isin(na).to_numpy()] = float("nan")  # the table reads not-applicable as missing
        pd.testing.assert_series_equal(pd.Series(got), pd.Series(want), check_names=False)
    pd.testing.assert_series_equal(
        data.scores["pwe_index"].reset_index(drop=True), table["pwe_index"].reset_index(drop=True), check_names=False
    )
    # the stored answers keep the not-applicable codes the table reads as missing
    stored = list(Response.objects.filter(wave=world["wave"]).order_by("resume_hash").values_list("answers", flat=True))
    assert [a.get("soc1") for a in stored] == [None if pd.isna(v) else int(v) for v in data.answers["soc1"]]


def test_the_sav_file_has_labels_value_labels_and_missing_codes(client, world):
    _login(client, world, "hr")
    response = client.get(_export_url(world, "sav") + "?lang=en")
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".sav"))
        raw = archive.read(name)
        codebook = pd.read_csv(io.BytesIO(archive.read("codebook.csv")))
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".sav") as tmp:
        tmp.write(raw)
        tmp.flush()
        _, meta = pyreadstat.read_sav(tmp.name, user_missing=True)
    labels = meta.column_names_to_labels
    assert labels["unit"] == "Unit" and labels["wl1"]
    assert meta.variable_value_labels["wl1"][1.0]
    assert any(r.get("lo") == -9 for r in meta.missing_ranges["wl1"])
    assert {"name", "label_nb", "label_en", "values", "missing", "computation"} <= set(codebook.columns)
    assert "unit" in set(codebook["name"])


def _with_open_answers() -> dict:
    """A world whose respondents all wrote an open answer (released after they were added)."""
    org, units = make_org()
    wave = make_released_wave(org, units, team_sizes(), name="Med kommentarer", release=False)
    for k, r in enumerate(Response.objects.filter(wave=wave).select_related("unit")):
        r.open_answers = {"open_works_well": f"Kommentar {k} fra {r.unit.name}"}
        r.save(update_fields=["open_answers"])
    release_wave(wave)
    wave.refresh_from_db()
    return {"org": org, "units": units, "wave": wave, "people": make_people(org, units)}


def test_open_answers_only_where_comments_may_be_shown():
    world = _with_open_answers()
    groups = wave_groups(world["wave"])
    data = wave_export(groups)
    assert data.open_answers is not None
    paths = {group_path(groups, u.pk): u for u in world["units"].values()}
    for label, text in zip(data.groups["unit"], data.open_answers["open_works_well"], strict=True):
        unit = paths[label]
        may = groups.comments(groups.key(unit.pk)) is not None
        if pd.isna(text):
            continue
        assert may, (label, text)
    # App (15) and Plattform (8) are shown, but their comments are not (the stricter minimum)
    app = group_path(groups, world["units"]["App"].pk)
    app_rows = data.open_answers["open_works_well"][data.groups["unit"] == app]
    assert len(app_rows) == 15 and app_rows.isna().all()
    # Salg's rows (Sør and Kundesenter carried up) keep theirs: Salg's and Nord's comments are both shown,
    # so the Salg rows' comments are Salg's list minus Nord's, nothing new
    salg = group_path(groups, world["units"]["Salg"].pk)
    assert data.open_answers["open_works_well"][data.groups["unit"] == salg].notna().all()
    assert data.comments_kept == int(data.open_answers.notna().any(axis=1).sum()) > 0


def test_comments_of_a_label_are_left_out_when_a_label_below_it_keeps_its_comments_hidden():
    world = _with_open_answers()
    groups = wave_groups(world["wave"])
    units = world["units"]
    used = {units["Utvikling"].pk, units["App"].pk, units[world["org"].name].pk}
    # Utvikling shows its comments, App does not: Utvikling's rows would be Utvikling's list minus App's
    allowed = comment_labels(groups, used)
    assert units["Utvikling"].pk not in allowed


def test_nothing_is_exported_when_the_whole_wave_is_below_the_minimum(client):
    org, units = make_org()
    wave = make_released_wave(org, units, {"App": 3, "Nord": 1})
    people = make_people(org, units)
    with pytest.raises(ExportRefused):
        wave_export(wave_groups(wave))
    client.force_login(people["researcher"])
    page = client.get(reverse("data:export_page", args=[org.slug, wave.pk]) + "?lang=en")
    assert page.status_code == 409 and "Nothing can be downloaded" in page.content.decode()
    assert client.get(reverse("data:export", args=[org.slug, wave.pk, "csv"])).status_code == 409
    assert not AuditEvent.objects.filter(verb="exported").exists()


def test_every_download_is_audited_with_its_format(client, world):
    _login(client, world, "researcher")
    for fmt in ("sav", "xlsx"):
        assert client.get(_export_url(world, fmt)).status_code == 200
    events = AuditEvent.objects.filter(verb="exported", object_type="wave_data").order_by("pk")
    assert [(e.format, e.wave_id, e.username) for e in events] == [
        ("sav", world["wave"].pk, f"forsker-{world['org'].pk}"),
        ("xlsx", world["wave"].pk, f"forsker-{world['org'].pk}"),
    ]
    assert all(e.detail.startswith("rows=48") for e in events)


def test_the_export_page_explains_the_rules(client, world):
    _login(client, world, "researcher")
    page = client.get(reverse("data:export_page", args=[world["org"].slug, world["wave"].pk]) + "?lang=en")
    text = page.content.decode()
    assert page.status_code == 200
    assert "carry the nearest unit" in text and "Responses carried up to the unit above" in text
    for fmt in FORMATS:
        assert f"export.{fmt}?lang=en" in text
