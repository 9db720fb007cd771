"""The home page renders in a real browser at phone size and passes axe-core's WCAG 2.1 A/AA rules."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import axe_violations


@pytest.mark.django_db(transaction=True)
def test_home_page_is_accessible_on_a_phone(live_server, phone):
    phone.goto(f"{live_server.url}/?lang=en")
    assert phone.locator("html").get_attribute("lang") == "en"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(phone) == []


@pytest.mark.django_db(transaction=True)
def test_healthz_is_plain_ok(live_server, desktop):
    response = desktop.goto(f"{live_server.url}/healthz")
    assert response.status == 200 and desktop.content().count("ok") >= 1
