"""The result page in headless Chromium: no horizontal scroll at 360 px, the SVG charts load under
the strict CSP, axe-core finds no WCAG 2.1 A/AA violation, and the PDF downloads.

Playwright runs in a worker thread of its own: the test thread keeps no event loop, so the ORM needs
no DJANGO_ALLOW_ASYNC_UNSAFE, and these tests run beside the session-wide browser of tests/e2e.
"""

from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.contrib.sessions.backends.signed_cookies import SessionStore

from tests.web.factories_results import make_response, make_wave

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
AXE = Path(__file__).resolve().parents[1] / "e2e" / "vendor" / "axe.min.js"
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
IMAGES = "Array.from(document.images).map(i => [i.currentSrc, i.naturalWidth])"
AXE_RUN = """async () => (await axe.run(document, {runOnly: {type: 'tag',
    values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations.map(v => [v.id, v.nodes.length])"""


@pytest.fixture
def chromium_path() -> str:
    if CHROMIUM is None:
        message = "chromium is not installed (Debian package 'chromium'); browser tests skipped"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true: {message}")
        pytest.skip(message)
    return CHROMIUM


def _visit(chromium: str, url: str, cookie: str, width: int, link: str) -> dict:
    """Open the result page with the session cookie; measure it, run axe, download the PDF."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=FLAGS)
        try:
            context = browser.new_context(viewport={"width": width, "height": 800}, accept_downloads=True)
            context.add_cookies([{"name": "sessionid", "value": cookie, "url": url}])
            page = context.new_page()
            page.goto(f"{url}/result/")
            seen = {
                "h1": page.locator("h1").inner_text(),
                "scroll_width": page.evaluate("document.documentElement.scrollWidth"),
                "images": page.evaluate(IMAGES),
            }
            page.evaluate(AXE.read_text(encoding="utf-8"))
            seen["violations"] = page.evaluate(AXE_RUN)
            with page.expect_download() as download:
                page.get_by_role("link", name=link).last.click()
            seen["pdf_name"] = download.value.suggested_filename
            return seen
        finally:
            browser.close()


@pytest.mark.parametrize("width, good, lang", [(360, False, "nb"), (1200, True, "en")])
def test_result_page_fits_loads_its_charts_and_passes_axe(chromium_path, live_server, width, good, lang):
    response = make_response(good=good, lang=lang, wave=make_wave(name="Høst – Økonomi"))
    session = SessionStore()
    session["response_id"] = str(response.pk)
    session["lang"] = lang
    session.save()
    link = "Last ned resultatet som PDF" if lang == "nb" else "Download the result as PDF"
    with ThreadPoolExecutor(max_workers=1) as worker:
        seen = worker.submit(_visit, chromium_path, live_server.url, session.session_key, width, link).result()
    assert seen["h1"] == ("Ditt resultat" if lang == "nb" else "Your result")
    assert seen["scroll_width"] <= width
    assert len(seen["images"]) == 3 and all(w > 0 for _, w in seen["images"]), seen["images"]
    model = next(src for src, _ in seen["images"] if "/result/chart.svg" in src)
    assert model.endswith("?size=compact") == (width <= 600)  # the phone gets the compact chart
    assert seen["violations"] == []
    assert seen["pdf_name"].endswith("2025-11-27.pdf")
