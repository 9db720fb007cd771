"""HR in a real browser: log in, read the organisation's report, download it as PDF and the wave's data as
an SPSS file; the report page and the data page pass axe-core's WCAG 2.1 A/AA rules."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pyreadstat
import pytest

from homeoffice.web.accounts.models import Role
from tests.e2e.conftest import axe_violations
from tests.web.factories_groups import make_org, make_released_wave, team_sizes
from tests.web.factories_staff import PASSWORD, member


@pytest.mark.django_db(transaction=True)
def test_hr_downloads_the_pdf_report_and_the_spss_file(browser, live_server, tmp_path):
    org, units = make_org()
    make_released_wave(org, units, team_sizes(), name="Spring", closed_days_ago=60, seed=31)
    wave = make_released_wave(org, units, team_sizes(), name="Autumn", seed=32)
    member("hr", org, Role.HR)
    base = f"{live_server.url}/staff/{org.slug}/results/wave-{wave.pk}"
    context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    page = context.new_page()
    seen: dict = {}
    try:
        page.goto(f"{live_server.url}/accounts/login/?lang=en")
        page.get_by_label("User name").fill("hr")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/staff/**")
        page.goto(f"{base}/report/?lang=en")
        seen["report_h1"] = page.locator("h1").inner_text()
        seen["report_images"] = page.evaluate("Array.from(document.images).map(i => i.complete && i.naturalWidth > 0)")
        seen["report_axe"] = axe_violations(page)
        with page.expect_download() as pdf:
            page.get_by_role("link", name="Download the report as PDF").click()
        pdf_path = tmp_path / pdf.value.suggested_filename
        pdf.value.save_as(pdf_path)
        page.goto(f"{base}/export/?lang=en")
        seen["export_axe"] = axe_violations(page)
        with page.expect_download() as sav:
            page.get_by_role("link", name="SPSS .sav (ZIP with codebook)").click()
        zip_path = tmp_path / sav.value.suggested_filename
        sav.value.save_as(zip_path)
    finally:
        context.close()

    assert seen["report_h1"] == "Report: The whole organisation"
    assert len(seen["report_images"]) >= 4 and all(seen["report_images"])
    assert seen["report_axe"] == [] and seen["export_axe"] == []
    assert pdf_path.suffix == ".pdf" and pdf_path.read_bytes().startswith(b"%PDF")
    with zipfile.ZipFile(zip_path) as archive:
        names = archive.namelist()
        sav_name = next(n for n in names if n.endswith(".sav"))
        raw = archive.read(sav_name)
    assert "codebook.csv" in names and raw.startswith(b"$FL2")
    sav_file = Path(tmp_path / "data.sav")
    sav_file.write_bytes(raw)
    data, meta = pyreadstat.read_sav(str(sav_file))
    assert len(data) == 48 and meta.column_names_to_labels["wl1"]
    assert (data.groupby("unit").size() >= wave.min_group_size).all()
