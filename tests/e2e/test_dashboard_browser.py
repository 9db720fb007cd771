"""HR in a real browser, 360 px wide: log in, open the organisation's dashboard, drill into a unit,
create an action from a recommendation; the charts load as images, nothing scrolls sideways, and
axe-core finds no WCAG 2.1 A/AA violation on the pages."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from homeoffice.web.accounts.models import Role
from homeoffice.web.actions.models import Action
from tests.e2e.conftest import axe_violations
from tests.web.factories_groups import make_org, make_released_wave, team_sizes
from tests.web.factories_staff import PASSWORD, member

IMAGES = "Array.from(document.images).map(i => [i.getAttribute('src'), i.complete && i.naturalWidth > 0])"


class ChartsOneAtATime:
    """Let the browser fetch the chart images one after another. Each chart request writes its audit
    event; the tests' SQLite database lives in memory with a shared cache, where two threads writing
    at once get "database table is locked" instead of waiting (the server's file database queues its
    writers: homeoffice.web.db.sqlite; PostgreSQL locks rows). Requests are held, then let through in
    turn by :meth:`settle`."""

    def __init__(self, page) -> None:
        self.page = page
        self.held: list = []
        page.route("**/chart/*.svg*", lambda route: self.held.append(route))

    def settle(self) -> None:
        for _ in range(50):
            while self.held:
                route = self.held.pop(0)
                route.fulfill(response=route.fetch())
            if self.page.evaluate("Array.from(document.images).every(i => i.complete)"):
                return
            self.page.wait_for_timeout(100)


def look(page, name: str, seen: list[dict], charts: ChartsOneAtATime) -> None:
    """Record what a check needs: the heading, sideways scrolling, the images, axe-core's findings."""
    charts.settle()
    page.wait_for_load_state("load")  # the stylesheet too: measure the laid-out page
    seen.append(
        {
            "page": name,
            "h1": page.locator("h1").inner_text(),
            "scroll_width": page.evaluate("document.documentElement.scrollWidth"),
            "images": page.evaluate(IMAGES),
            "violations": axe_violations(page),
        }
    )


def download_steps(page, seen: list[dict]) -> None:
    """The dashboard's "Download" section: the report (PDF) and data files (SPSS .sav, ...) that the
    reports and exports register through ``dashboards.views.download_links``. Each link must give a
    file; the exports' own browser steps (PDF report, SPSS file) belong here."""
    section = page.locator("#downloads")
    if not section.count():
        return
    for link in section.get_by_role("link").all():
        with page.expect_download() as download:
            link.click()
        path = Path(download.value.path())
        data = path.read_bytes()
        seen.append({"download": download.value.suggested_filename, "size": len(data), "bytes": data})


@pytest.mark.django_db(transaction=True)
def test_hr_opens_the_dashboard_drills_down_and_creates_an_action(browser, live_server):
    org, units = make_org()
    make_released_wave(org, units, team_sizes(), name="Spring", closed_days_ago=60, seed=21)
    make_released_wave(org, units, team_sizes(), name="Autumn", seed=22)
    member("hr", org, Role.HR)
    context = browser.new_context(viewport={"width": 360, "height": 740}, accept_downloads=True)
    page = context.new_page()
    charts = ChartsOneAtATime(page)
    seen: list[dict] = []
    downloads: list[dict] = []
    try:
        page.goto(f"{live_server.url}/accounts/login/?lang=en")
        page.get_by_label("User name").fill("hr")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("link", name="Results", exact=True).click()
        look(page, "results", seen, charts)
        page.get_by_role("link", name="Results for the whole organisation: Autumn").click()
        look(page, "organisation dashboard", seen, charts)
        download_steps(page, downloads)
        page.get_by_role("link", name="Utvikling", exact=True).last.click()
        look(page, "unit dashboard", seen, charts)
        title = page.locator(".dash-measures h3").first.inner_text()
        dashboard_url = page.url
        page.get_by_role("button", name="Create action in the plan").first.click()
        look(page, "action", seen, charts)
        # Back to the dashboard, fresh (a go_back then reload raced Chromium's page swap now and then).
        page.goto(dashboard_url, wait_until="commit")
        charts.settle()
        page.get_by_role("link", name="The measure is in the action plan – open it").first.wait_for()
        page.goto(
            f"{live_server.url}/staff/{org.slug}/results/wave-{Action.objects.get().wave_id}/unit-{units['Kundesenter'].pk}/"
        )
        look(page, "hidden unit", seen, charts)
        page.get_by_role("link", name="What is hidden and why").click()
        look(page, "what is hidden and why", seen, charts)
    finally:
        context.close()

    assert [s["h1"] for s in seen] == ["Results", org.name, "Utvikling", title, "Kundesenter", "What is hidden and why"]
    for step in seen:
        assert step["violations"] == [], step
        assert step["scroll_width"] <= 360, step
        assert all(ok for _, ok in step["images"]), step
    assert len(seen[1]["images"]) == 4 and len(seen[2]["images"]) == 4  # model, means, heat map, change
    action = Action.objects.get()
    assert action.unit == units["Utvikling"] and action.measure_id
    assert all(d["size"] > 0 for d in downloads)
    # the acceptance steps: the PDF report and the SPSS file (a .sav, with its codebook in a ZIP)
    report = [d for d in downloads if d["download"].endswith(".pdf") and "plan" not in d["download"]]
    assert report and report[0]["bytes"].startswith(b"%PDF")
    spss = [d for d in downloads if "sav" in d["download"]]
    assert spss, [d["download"] for d in downloads]
    with zipfile.ZipFile(io.BytesIO(spss[0]["bytes"])) as archive:
        sav = [n for n in archive.namelist() if n.endswith(".sav")]
        assert sav and archive.read(sav[0]).startswith(b"$FL2")
