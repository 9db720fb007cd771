"""Group reports (HTML and PDF) and the action-plan documentation (PDF and XLSX) of a released wave:
content in nb and en, the permission walk of every URL, hidden groups shown only as "hidden, n = …",
and the audit log."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from homeoffice.web.accounts.models import AuditEvent
from homeoffice.web.actions.models import Action, ActionComment
from homeoffice.web.dashboards.groups import wave_groups
from homeoffice.web.dashboards.reports import build_report
from homeoffice.web.surveys.models import Invitation
from tests.web.factories_data import expect, make_world

pytestmark = pytest.mark.django_db

ORG_READERS = {"org_admin", "hr", "safety_rep", "occupational_health"}
SALG_READERS = ORG_READERS | {"manager"}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world() -> dict:
    return make_world()


def _login(client: Client, world: dict, who: str) -> Client:
    client.logout()
    if who != "anonymous":
        client.force_login(world["people"][who])
    return client


def _url(name: str, world: dict, *args: object, wave: str = "wave") -> str:
    return reverse(f"data:{name}", args=[world["org"].slug, world[wave].pk, *args])


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _pdf_text(data: bytes) -> str:
    """The text of a PDF written by ReportLab (uncompressed text objects are not guaranteed: use the
    page content streams decompressed)."""
    import zlib

    chunks = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            chunks.append(zlib.decompress(match.group(1)))
        except zlib.error:
            chunks.append(match.group(1))
    return b"\n".join(chunks).decode("latin-1")


# --- the permission walk -------------------------------------------------------------------------

WALK = {
    "organisation report": (lambda w: _url("org_report", w), expect(ORG_READERS)),
    "organisation report PDF": (lambda w: _url("org_report_pdf", w), expect(ORG_READERS)),
    "report of Nord (under Salg)": (lambda w: _url("unit_report", w, w["units"]["Nord"].pk), expect(SALG_READERS)),
    "PDF of Nord": (lambda w: _url("unit_report_pdf", w, w["units"]["Nord"].pk), expect(SALG_READERS)),
    "report of hidden Kundesenter": (
        lambda w: _url("unit_report", w, w["units"]["Kundesenter"].pk),
        expect(SALG_READERS),
    ),
    "report of App (under Utvikling)": (
        lambda w: _url("unit_report", w, w["units"]["App"].pk),
        expect(ORG_READERS | {"sibling_manager"}),
    ),
    "plan documentation PDF": (lambda w: _url("plan_documentation", w, "pdf"), expect(ORG_READERS)),
    "plan documentation XLSX": (lambda w: _url("plan_documentation", w, "xlsx"), expect(ORG_READERS)),
    "report of an unreleased wave": (
        lambda w: _url("org_report", w, wave="open_wave"),
        expect(ORG_READERS, 404),
    ),
    "report of another organisation's unit": (
        lambda w: _url("unit_report", w, w["other_unit"].pk),
        expect(ORG_READERS | {"manager", "sibling_manager"}, 404),
    ),
}


@pytest.mark.parametrize("case", list(WALK))
def test_permission_walk(client, world, case):
    from homeoffice.web.organisations.models import Unit

    world["other_unit"] = Unit.objects.exclude(organisation=world["org"]).first()
    url_of, expected = WALK[case]
    url = url_of(world)
    got = {}
    for who in expected:
        response = _login(client, world, who).get(url)
        got[who] = response.status_code
        if who == "anonymous":
            assert response["Location"].startswith(reverse("accounts:login")), case
    assert got == expected


def test_everyone_outside_the_organisation_is_refused_and_nothing_is_logged_for_them(client, world):
    before = AuditEvent.objects.count()
    for who in ("outsider", "nobody", "researcher"):
        assert _login(client, world, who).get(_url("org_report", world)).status_code == 403
    assert AuditEvent.objects.count() == before


# --- content ----------------------------------------------------------------------------------------


def test_the_organisation_report_has_the_dashboards_content_and_the_model_explained(client, world):
    _login(client, world, "hr")
    page = _text(client.get(_url("org_report", world) + "?lang=en"))
    assert "Report: The whole organisation" in page
    assert "48 responses" in page
    for heading in (
        "The situations of the dynamic model",
        "Job situations",
        "The dimensions",
        "The units below",
        "Recommended measures",
        "Change since the previous wave",
        "How to read the report",
    ):
        assert heading in page, heading
    # the model in plain language: the four situations, the PWE caveat, the cut policy used
    assert "Situation 4, Optimal situation" in page
    assert "It is not a validated scale" in page
    assert "This report uses the sample median" in page
    assert "Compared with the wave “Forrige runde”" in page
    # charts are images with a text alternative (data: URIs, the CSP allows no inline styles)
    assert page.count('<img src="data:image/svg+xml;base64,') >= 4
    assert "The figures in the chart" in page
    # the heat map of the departments; a PDF link in the same language
    assert "Salg" in page and "Utvikling" in page
    assert "report.pdf?lang=en" in page


def test_the_report_is_in_norwegian_by_default_and_on_request(client, world):
    _login(client, world, "hr")
    page = _text(client.get(_url("org_report", world) + "?lang=nb"))
    assert "Rapport: Hele organisasjonen" in page and "48 svar" in page
    assert "ikke en validert skala" in page
    assert 'lang="nb"' in page


def test_a_unit_report_shows_its_hidden_children_by_count_only(client, world):
    groups = wave_groups(world["wave"])
    salg = world["units"]["Salg"]
    report = build_report(groups, salg, "en")
    assert report.shown
    # Kundesenter (4) is too small, and Sør is hidden so that Kundesenter cannot be worked out from Salg
    assert dict(report.heat.hidden) == {"Kundesenter": "4", "Sør": "9"}
    assert [name for name, _ in report.heat.groups] == ["Nord"]
    # no number of the hidden team in the report: its name appears only in the hidden list
    _login(client, world, "manager")
    page = _text(client.get(_url("unit_report", world, salg.pk) + "?lang=en"))
    assert "Kundesenter: hidden, n = 4" in page and "Sør: hidden, n = 9" in page


def test_a_hidden_group_gets_the_hidden_and_why_page_without_numbers(client, world):
    kundesenter = world["units"]["Kundesenter"]
    _login(client, world, "hr")
    page = _text(client.get(_url("unit_report", world, kundesenter.pk) + "?lang=en"))
    assert "The results of this group are not shown" in page
    assert "4 responses" in page
    assert "data:image/svg+xml" not in page  # no chart
    assert "Recommended measures" not in page and "The dimensions" not in page
    # HR reads the rule that hid it
    assert "Kundesenter is hidden because it has 4 responses, fewer than the minimum of 5." in page
    # a manager reads a general sentence
    _login(client, world, "manager")
    page = _text(client.get(_url("unit_report", world, kundesenter.pk) + "?lang=en"))
    assert "could be worked out by subtracting other groups" in page
    pdf = client.get(_url("unit_report_pdf", world, kundesenter.pk) + "?lang=en")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_hidden_page_for_hr_names_the_rule(client, world):
    groups = wave_groups(world["wave"])
    kundesenter = world["units"]["Kundesenter"]
    detailed = build_report(groups, kundesenter, "en", detailed_hidden=True)
    general = build_report(groups, kundesenter, "en", detailed_hidden=False)
    assert not detailed.shown and detailed.hidden_reason != general.hidden_reason
    assert "Kundesenter" in detailed.hidden_reason


def test_no_report_holds_a_number_computed_from_a_hidden_group():
    """Attacker check: for every unit, the report either is the hidden page (count only) or comes from a
    shown group; and every heat-map row is a shown group."""
    world = make_world(previous=False)
    groups = wave_groups(world["wave"])
    for unit in world["units"].values():
        report = build_report(groups, unit, "en")
        key = groups.key(unit.pk)
        assert report.shown == groups.shown(key)
        if not report.shown:
            assert report.means is None and report.situations is None and report.heat is None
            continue
        if report.heat:
            for name, _ in report.heat.groups:
                child = next(u for u in world["units"].values() if u.name == name)
                assert groups.shown(groups.key(child.pk)), name
            for name, n in report.heat.hidden:
                child = next(u for u in world["units"].values() if u.name == name)
                assert not groups.shown(groups.key(child.pk)) and int(n) == groups.n(groups.key(child.pk))


def test_the_response_rate_uses_invitations_when_there_are_any(client, world):
    wave = world["wave"]
    for k in range(60):
        Invitation.objects.create(
            wave=wave, unit=world["units"]["App"], email=f"p{k}@example.org", token_hash=f"{k:064d}"
        )
    report = build_report(wave_groups(wave), None, "en")
    assert report.rate_text == "48 of 60 invited (80%)"
    report = build_report(wave_groups(wave), None, "nb")
    assert report.rate_text == "48 av 60 inviterte (80\u00a0%)"


def test_the_pdf_report_is_a_pdf_with_the_charts_as_images(client, world):
    _login(client, world, "hr")
    response = client.get(_url("org_report_pdf", world) + "?lang=en")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    data = response.content
    assert data.startswith(b"%PDF")
    assert data.count(b"/Subtype /Image") >= 3  # situations, means, change since the previous wave
    assert b"/Lang (en)" in data or b"/Lang(en)" in data


def test_reports_are_written_to_the_audit_log(client, world):
    _login(client, world, "hr")
    client.get(_url("org_report", world))
    client.get(_url("unit_report_pdf", world, world["units"]["Nord"].pk))
    events = list(AuditEvent.objects.filter(object_type="report").order_by("pk"))
    assert [(e.verb, e.format, e.unit_id) for e in events] == [
        ("viewed", "html", None),
        ("exported", "pdf", world["units"]["Nord"].pk),
    ]
    assert all(e.wave_id == world["wave"].pk and e.username == f"hr-{world['org'].pk}" for e in events)


# --- the action plan as documentation ---------------------------------------------------------------


def _plan(world: dict) -> None:
    hr = world["people"]["hr"]
    nord = world["units"]["Nord"]
    kept = Action.objects.create(
        organisation=world["org"], wave=world["wave"], unit=nord, measure_id="communication_channels",
        owner="Kari Nordmann", status="in_progress", notes="Ukentlig prat",
    )  # fmt: skip
    ActionComment.objects.create(action=kept, author=hr, author_name="verneombud", text="Enig, følg opp i AMU.")
    Action.objects.create(organisation=world["org"], wave=world["wave"], unit=None, title="Kjernetid for alle")
    # a measure of the previous wave, followed up in this one
    Action.objects.create(
        organisation=world["org"], wave=world["previous"], unit=None, measure_id="communication_channels"
    )


def test_the_plan_documentation_has_the_four_steps_in_xlsx(client, world):
    _plan(world)
    _login(client, world, "hr")
    response = client.get(_url("plan_documentation", world, "xlsx") + "?lang=nb")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Om dokumentet", "1 Kartlegging", "2 Risikovurdering", "3 Tiltak", "4 Oppfølging"]
    about = " ".join(str(c.value) for row in book["Om dokumentet"].iter_rows() for c in row if c.value)
    assert "Arbeidsmiljøloven § 3-1" in about and "Internkontrollforskriften § 5" in about
    mapping = [[c.value for c in row] for row in book["1 Kartlegging"].iter_rows()]
    groups = [row[0] for row in mapping]
    assert "Hele organisasjonen" in groups
    assert not any(str(g).endswith("Kundesenter") for g in groups)  # hidden: only in the list of hidden groups
    text = " ".join(str(c) for row in mapping for c in row if c)
    assert "Kundesenter: skjult, n = 4" in text
    measures = [[c.value for c in row] for row in book["3 Tiltak"].iter_rows()]
    flat = " ".join(str(c) for row in measures for c in row if c)
    assert "Kari Nordmann" in flat and "Pågår" in flat and "Ukentlig prat" in flat
    assert "Enig, følg opp i AMU." in flat and "Kjernetid for alle" in flat
    follow = " ".join(str(c.value) for row in book["4 Oppfølging"].iter_rows() for c in row if c.value)
    assert "Forrige runde" in follow
    assert "PWE-indeks" in follow  # the measure's targeted axis, measured in both waves


def test_the_plan_documentation_pdf(client, world):
    _plan(world)
    _login(client, world, "safety_rep")
    response = client.get(_url("plan_documentation", world, "pdf") + "?lang=en")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(object_type="plan_documentation", format="pdf").count() == 1


def test_a_manager_gets_no_plan_documentation_of_the_whole_organisation(client, world):
    _login(client, world, "manager")
    assert client.get(_url("plan_documentation", world, "pdf")).status_code == 403
    assert client.get(reverse("data:org_report_pdf", args=[world["org"].slug, world["wave"].pk])).status_code == 403


def test_reports_answer_only_get(client, world):
    _login(client, world, "hr")
    assert client.post(_url("org_report", world)).status_code == 405
    assert client.post(_url("plan_documentation", world, "pdf")).status_code == 405


def test_the_dashboard_offers_the_report_the_documentation_and_the_data_as_downloads(client, world):
    slug, wave = world["org"].slug, world["wave"]
    _login(client, world, "hr")
    page = client.get(reverse("dashboards:wave", args=[slug, wave.pk]) + "?lang=en").content.decode()
    assert f"{_url('org_report_pdf', world)}?lang=en" in page
    assert f"{_url('plan_documentation', world, 'xlsx')}?lang=en" in page
    assert reverse("data:export", args=[slug, wave.pk, "sav"]) in page
    nord = world["units"]["Nord"]
    _login(client, world, "manager")
    page = client.get(reverse("dashboards:unit", args=[slug, wave.pk, nord.pk]) + "?lang=en").content.decode()
    assert _url("unit_report_pdf", world, nord.pk) in page
    assert "export.sav" not in page and "plan-documentation" not in page


def test_chart_png_draws_the_same_chart_with_its_overlay_texts(world):
    """The PDF's charts are the dashboard's figures as PNG, the labels written into the SVG included."""
    from PIL import Image

    from homeoffice.analysis.groups import group_summary
    from homeoffice.group_charts import chart_png, dimension_means_chart

    groups = wave_groups(world["wave"])
    summary = group_summary(groups.results(groups.key()), groups.instrument)
    chart, png = chart_png(lambda: dimension_means_chart(summary, lang="en"))
    assert chart.svg == dimension_means_chart(summary, lang="en").svg
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width > 1000
    # the row names left of the axes are overlay texts: the left margin is not blank
    left = image.crop((0, image.height // 4, image.width // 4, image.height // 2)).convert("L")
    assert left.getextrema()[0] < 100
