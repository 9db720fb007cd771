"""A whole survey in a real browser on a phone: stop halfway, resume with the code, submit, see
the result and download the PDF; the same in English; axe-core on consent, question and result."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from homeoffice.web.i18n import t
from tests.e2e.conftest import axe_violations
from tests.web.factories_flow import make_link, make_wave

STOP_AFTER_PAGES = 5


def answer_page(page) -> None:
    """Pick an answer in every question group (the second option, so the scores vary) and fill open fields."""
    for group in page.locator("fieldset").all():
        radios = group.locator("input[type=radio]")
        if radios.count():
            radios.nth(min(1, radios.count() - 1)).check()
    for box in page.locator("textarea").all():
        box.fill("Faste dager på kontoret hjelper.")


def on_question_page(page) -> bool:
    return re.search(r"/answer/\d+/$", page.url) is not None


def run_flow(browser, live_server, lang: str) -> dict:
    wave = make_wave(instrument_id="standard", languages="nb,en")
    link = make_link(wave)
    found: dict = {}
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, bypass_csp=True, accept_downloads=True
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/s/{link.token}/")
    page.get_by_role("link", name=t("language_name", lang)).click()

    assert page.locator("html").get_attribute("lang") == lang
    found["consent_axe"] = axe_violations(page)
    page.check("#consent")
    page.get_by_role("button", name=t("flow_consent_submit", lang)).click()

    code = page.locator(".code").first.inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){4}", code)
    page.get_by_role("link", name=t("flow_code_start", lang)).click()

    found["question_axe"] = axe_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    for _ in range(STOP_AFTER_PAGES):
        answer_page(page)
        page.get_by_role("button", name=t("flow_next", lang)).click()
    stopped_at = page.url
    page.get_by_role("button", name=t("flow_save_later", lang)).click()
    assert code in page.content()
    context.close()

    # Later, on another device: only the code brings the answers back.
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, bypass_csp=True, accept_downloads=True
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/resume/?lang={lang}")
    page.get_by_label(t("flow_resume_label", lang)).fill(code.lower().replace("-", " "))
    page.get_by_role("button", name=t("flow_resume_submit", lang)).click()
    assert page.url == stopped_at
    for _ in range(30):
        if not on_question_page(page):
            break
        answer_page(page)
        page.get_by_role("button", name=t("flow_next", lang)).click()
    assert page.url.endswith("/submit/")
    page.get_by_role("button", name=t("flow_submit", lang)).click()
    page.get_by_role("button", name=t("flow_submit", lang)).count()  # the page has moved on
    assert page.url.endswith("/result/")
    found["result_axe"] = axe_violations(page)
    found["result_text"] = page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    with page.expect_download() as download:
        page.locator("a[href$='/result/pdf/']").first.click()
    pdf_path = download.value.path()
    found["pdf"] = Path(pdf_path).read_bytes()
    context.close()
    return found


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["nb", "en"])
def test_whole_survey_on_a_phone_with_resume_and_pdf(browser, live_server, lang):
    found = run_flow(browser, live_server, lang)
    assert found["consent_axe"] == [], found["consent_axe"]
    assert found["question_axe"] == [], found["question_axe"]
    assert found["result_axe"] == [], found["result_axe"]
    assert found["pdf"].startswith(b"%PDF")
    text = found["result_text"]
    assert ("situasjon" in text.lower()) if lang == "nb" else ("situation" in text.lower())
