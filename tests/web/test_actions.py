"""The action plan: a permission walk of every URL as every kind of user, create/edit/comment flows,
audit events, and forged or bad input answered with a form error or a 4xx, never a 500."""

from __future__ import annotations

import os
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db.models import RestrictedError
from django.test import Client
from django.urls import reverse

from homeoffice.web.accounts.models import AuditEvent
from homeoffice.web.actions.models import Action, ActionComment
from homeoffice.web.organisations.models import Unit
from tests.web.factories_staff import WHO, make_action, make_people

pytestmark = pytest.mark.django_db

MEASURE = "communication_channels"
MEASURE_NB = "Bedre kanaler for kontakt og samtale"
MEASURE_EN = "Better channels for contact and conversation"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world() -> dict:
    """make_people() plus three actions: for North (under Sales), for App (under Dev), for the whole organisation."""
    w = make_people()
    w["north_action"] = make_action(w, w["tree"]["north"], measure_id=MEASURE)
    w["app_action"] = make_action(w, w["tree"]["app"], title="Quiet hours in App")
    w["org_action"] = make_action(w, None, title="Core hours for everyone")
    w["foreign_action"] = Action.objects.create(organisation=w["other"], wave=w["other_wave"], title="Elsewhere")
    return w


def _login(client: Client, world: dict, who: str) -> Client:
    client.logout()
    if who != "anonymous":
        client.force_login(world["people"][who])
    return client


def _slug(w: dict) -> str:
    return w["org"].slug


def _url(name: str, w: dict, *args: object) -> str:
    return reverse(f"actions:{name}", args=[_slug(w), *args])


def _new_post(w: dict, unit: object, **extra: object) -> dict:
    return {"wave": w["wave"].pk, "unit": unit, "measure_id": MEASURE, **extra}


# --- the permission walk --------------------------------------------------------------------------

READERS = {"org_admin", "hr", "manager", "sibling_manager", "safety_rep", "occupational_health"}
SALES_READERS = READERS - {"sibling_manager"}
EDITORS = {"org_admin", "hr", "manager", "sibling_manager"}
SALES_EDITORS = {"org_admin", "hr", "manager"}
ORG_EDITORS = {"org_admin", "hr"}


def expect(granted: set[str], ok: int) -> dict[str, int]:
    """anonymous -> 302 (to the login page); ``granted`` -> ``ok``; everyone else -> 403."""
    return {"anonymous": 302, **{who: ok if who in granted else 403 for who in WHO}}


# name: (method, url(world), data(world) or None, expected status per person)
WALK = {
    "plan index": ("get", lambda w: _url("index", w), None, expect(READERS, 200)),
    "plan of the wave": ("get", lambda w: _url("plan", w, w["wave"].pk), None, expect(READERS, 200)),
    "plan filtered to Sales": (
        "get",
        lambda w: _url("plan", w, w["wave"].pk) + f"?unit={w['tree']['sales'].pk}",
        None,
        expect(SALES_READERS, 200),
    ),
    "plan filtered to the whole organisation": (
        "get",
        lambda w: _url("plan", w, w["wave"].pk) + "?unit=org",
        None,
        expect(READERS, 200),
    ),
    "plan of another organisation's wave": (
        "get",
        lambda w: _url("plan", w, w["other_wave"].pk),
        None,
        expect(READERS, 404),
    ),
    "new action form": ("get", lambda w: _url("new", w), None, expect(EDITORS, 200)),
    "new action for North": (
        "post",
        lambda w: _url("new", w),
        lambda w: _new_post(w, w["tree"]["north"].pk),
        expect(SALES_EDITORS, 302),
    ),
    "new action for the whole organisation": (
        "post",
        lambda w: _url("new", w),
        lambda w: _new_post(w, "org"),
        expect(ORG_EDITORS, 302),
    ),
    "action of North": ("get", lambda w: _url("detail", w, w["north_action"].pk), None, expect(SALES_READERS, 200)),
    "action of App": ("get", lambda w: _url("detail", w, w["app_action"].pk), None, expect(READERS - {"manager"}, 200)),
    "action of the whole organisation": (
        "get",
        lambda w: _url("detail", w, w["org_action"].pk),
        None,
        expect(READERS, 200),
    ),
    "action of another organisation": (
        "get",
        lambda w: _url("detail", w, w["foreign_action"].pk),
        None,
        expect(READERS, 404),
    ),
    "edit North's action": (
        "post",
        lambda w: _url("edit", w, w["north_action"].pk),
        lambda w: {"owner": "Kari", "deadline": "2030-01-31", "status": "in_progress", "notes": ""},
        expect(SALES_EDITORS, 302),
    ),
    "edit the organisation's action": (
        "post",
        lambda w: _url("edit", w, w["org_action"].pk),
        lambda w: {"owner": "HR", "deadline": "", "status": "done", "notes": ""},
        expect(ORG_EDITORS, 302),
    ),
    "edit by GET": ("get", lambda w: _url("edit", w, w["north_action"].pk), None, expect(EDITORS, 405)),
    "comment on North's action": (
        "post",
        lambda w: _url("comment", w, w["north_action"].pk),
        lambda w: {"text": "Agreed in the safety committee."},
        expect(SALES_READERS, 302),
    ),
    "comment on the organisation's action": (
        "post",
        lambda w: _url("comment", w, w["org_action"].pk),
        lambda w: {"text": "Good."},
        expect(READERS, 302),
    ),
    "comment by GET": ("get", lambda w: _url("comment", w, w["north_action"].pk), None, expect(READERS, 405)),
    "unknown organisation": (
        "get",
        lambda w: reverse("actions:index", args=["no-such-org"]),
        None,
        {"anonymous": 302, **dict.fromkeys(WHO, 404)},
    ),
    "unknown action": ("get", lambda w: _url("detail", w, 10**20), None, expect(READERS, 404)),
}


@pytest.mark.parametrize("case", list(WALK))
def test_permission_walk(client, world, case):
    method, url_of, data_of, expected = WALK[case]
    url = url_of(world)
    got = {}
    for who in expected:
        _login(client, world, who)
        response = getattr(client, method)(url, data_of(world) if data_of else None)
        got[who] = response.status_code
        if response.status_code == 302 and who == "anonymous":
            assert response["Location"].startswith(reverse("accounts:login") + "?next=/staff/"), case
        if response.status_code in (200, 403):
            assert "no-store" in response["Cache-Control"], (case, who)
    assert got == expected


def test_the_outsider_is_at_home_in_their_own_organisation(client, world):
    _login(client, world, "outsider")
    response = client.get(reverse("actions:detail", args=[world["other"].slug, world["foreign_action"].pk]))
    assert response.status_code == 200 and "Elsewhere" in response.content.decode()


# --- the plan page ---------------------------------------------------------------------------------


def _titles(response) -> list[str]:
    return re.findall(r'<h2><a href="[^"]+">([^<]+)</a></h2>', response.content.decode())


def test_the_plan_shows_what_the_person_may_see_and_filters_by_unit(client, world):
    plan = _url("plan", world, world["wave"].pk) + "?lang=en"
    _login(client, world, "manager")
    assert sorted(_titles(client.get(plan))) == sorted([MEASURE_EN, "Core hours for everyone"])
    _login(client, world, "hr")
    assert len(_titles(client.get(plan))) == 3
    assert _titles(client.get(plan + f"&unit={world['tree']['sales'].pk}")) == [MEASURE_EN]
    assert _titles(client.get(plan + f"&unit={world['tree']['dev'].pk}")) == ["Quiet hours in App"]
    assert _titles(client.get(plan + "&unit=org")) == ["Core hours for everyone"]
    event = AuditEvent.objects.filter(object_type="action_plan").order_by("-pk").first()
    assert (event.verb, event.wave, event.detail, event.username) == ("viewed", world["wave"], "unit=org", "hr")


def test_the_plan_lists_status_owner_deadline_in_nb(client, world):
    action = world["north_action"]
    action.owner, action.status = "Kari Nordmann", "in_progress"
    action.deadline = action.wave.opens_on.replace(year=2030, month=1, day=31)
    action.save()
    _login(client, world, "hr")
    page = client.get(_url("plan", world, world["wave"].pk) + "?lang=nb").content.decode()
    assert MEASURE_NB in page and "Kari Nordmann" in page and "31.01.2030" in page and "Pågår" in page
    assert "Planlagt: <strong>2</strong>" in page and "Pågår: <strong>1</strong>" in page


@pytest.mark.parametrize(
    "value, status", [("abc", 400), ("-1", 400), ("1" * 30, 400), ("FOREIGN", 404), ("999999", 404)]
)
def test_a_bad_unit_filter_is_a_4xx(client, world, value, status):
    if value == "FOREIGN":
        value = str(Unit.objects.filter(organisation=world["other"]).first().pk)
    _login(client, world, "hr")
    assert client.get(_url("plan", world, world["wave"].pk), {"unit": value}).status_code == status


# --- creating actions ------------------------------------------------------------------------------


def test_create_an_action_from_a_recommendation(client, world):
    _login(client, world, "manager")
    south = world["tree"]["south"]
    response = client.post(_url("new", world) + "?lang=nb", _new_post(world, south.pk))
    action = Action.objects.get(unit=south)
    assert response.status_code == 302 and response["Location"] == _url("detail", world, action.pk)
    assert (action.measure_id, action.title, action.status, action.wave, action.created_by) == (
        MEASURE,
        "",
        "planned",
        world["wave"],
        world["people"]["manager"],
    )
    event = AuditEvent.objects.get(object_type="action", verb="changed")
    assert (event.object_id, event.unit, event.wave, event.detail) == (str(action.pk), south, world["wave"], "created")
    page = client.get(response["Location"]).content.decode()
    assert f"<h1>{MEASURE_NB}</h1>" in page and "Gi alle som jobber hjemmefra" in page
    assert "Tiltaket er lagt til i handlingsplanen" in page
    english = client.get(response["Location"] + "?lang=en").content.decode()
    assert f"<h1>{MEASURE_EN}</h1>" in english and "Give everyone who works from home" in english


def test_the_same_recommendation_twice_opens_the_existing_action(client, world):
    _login(client, world, "hr")
    north = world["tree"]["north"]
    response = client.post(_url("new", world) + "?lang=en", _new_post(world, north.pk))
    assert response["Location"] == _url("detail", world, world["north_action"].pk)
    assert Action.objects.filter(unit=north, measure_id=MEASURE).count() == 1
    assert "already in the plan" in client.get(response["Location"]).content.decode()
    # The whole organisation is a group of its own: the same measure can be planned there.
    client.post(_url("new", world), _new_post(world, "org"))
    client.post(_url("new", world), _new_post(world, "org"))
    assert Action.objects.filter(unit__isnull=True, measure_id=MEASURE).count() == 1


def test_create_an_action_with_a_title_of_ones_own(client, world):
    _login(client, world, "hr")
    response = client.post(_url("new", world), _new_post(world, "org", measure_id="", title="  Lunch walks  "))
    action = Action.objects.get(title="Lunch walks")
    assert response.status_code == 302 and action.unit is None and action.measure_id == ""


def test_the_new_action_form_is_prefilled_from_a_recommendation_link(client, world):
    _login(client, world, "manager")
    north = world["tree"]["north"]
    url = _url("new", world) + f"?wave={world['wave'].pk}&unit={north.pk}&measure={MEASURE}&lang=en"
    page = client.get(url).content.decode()
    assert f'<h2 id="measure-title">{MEASURE_EN}</h2>' in page
    assert f'<option value="{north.pk}" selected>Acme &gt; Sales &gt; North</option>' in page
    assert f'<option value="{MEASURE}" selected>' in page
    # The manager is offered only the units they may act on, and not the whole organisation.
    assert "Acme &gt; Dev" not in page and 'value="org"' not in page
    # Bad values in the link are ignored, not an error.
    assert client.get(_url("new", world) + "?wave=x&unit=%00&measure=nope").status_code == 200


def test_every_form_field_has_a_label_and_the_groups_have_legends(client, world):
    _login(client, world, "hr")
    assert client.get(_url("new", world)).content.decode().count("<legend>") == 2
    assert client.get(_url("detail", world, world["north_action"].pk)).content.decode().count("<legend>") == 1
    for url in (_url("new", world), _url("detail", world, world["north_action"].pk), reverse("accounts:login")):
        if url == reverse("accounts:login"):
            client.logout()
        page = client.get(url).content.decode()
        ids = re.findall(r'<(?:input|select|textarea)(?![^>]*type="hidden")[^>]*\bid="([^"]+)"', page)
        assert ids, url
        for field_id in ids:
            assert f'<label for="{field_id}">' in page, (url, field_id)


@pytest.mark.parametrize(
    "change, field, error_en",
    [
        ({"measure_id": "", "title": ""}, "measure_id", "Choose a measure from the catalogue or write your own."),
        ({"title": "Also this"}, "title", "Either choose a measure from the catalogue or write your own, not both."),
        ({"measure_id": "free_beer"}, "measure_id", "Choose one of the options in the list."),
        ({"wave": "OTHER_WAVE"}, "wave", "Choose one of the options in the list."),
        ({"wave": "abc"}, "wave", "Choose one of the options in the list."),
        ({"wave": ""}, "wave", "Fill in this field."),
        ({"unit": "OTHER_UNIT"}, "unit", "Choose one of the options in the list."),
        ({"unit": "abc"}, "unit", "Choose one of the options in the list."),
        ({"unit": "9" * 40}, "unit", "Choose one of the options in the list."),
        ({"unit": ""}, "unit", "Fill in this field."),
        ({"measure_id": "", "title": "x" * 201}, "title", "Write at most 200 characters."),
    ],
)
def test_bad_or_forged_new_action_data_gives_a_form_error(client, world, change, field, error_en):
    values = {
        "OTHER_WAVE": world["other_wave"].pk,
        "OTHER_UNIT": Unit.objects.filter(organisation=world["other"]).first().pk,
    }
    data = _new_post(world, world["tree"]["north"].pk)
    data.update({k: values.get(v, v) for k, v in change.items()})
    _login(client, world, "hr")
    before = Action.objects.count()
    response = client.post(_url("new", world) + "?lang=en", data)
    page = response.content.decode()
    assert response.status_code == 200 and error_en in page and 'class="error-summary"' in page
    assert f'id="id_{field}"' in page and "aria-invalid" in page
    assert Action.objects.count() == before


def test_form_errors_in_norwegian(client, world):
    _login(client, world, "hr")
    page = client.post(_url("new", world) + "?lang=nb", _new_post(world, "abc", measure_id="")).content.decode()
    assert "Velg et av alternativene i listen." in page and "Velg et tiltak fra katalogen eller skriv et eget." in page
    assert "Noe må rettes" in page


def test_a_manager_cannot_create_for_a_sibling_unit_or_the_organisation(client, world):
    _login(client, world, "manager")
    for unit in (world["tree"]["app"].pk, world["tree"]["dev"].pk, "org"):
        assert client.post(_url("new", world), _new_post(world, unit)).status_code == 403
    assert not Action.objects.filter(measure_id=MEASURE).exclude(pk=world["north_action"].pk).exists()


def test_text_typed_by_staff_is_escaped(client, world):
    _login(client, world, "hr")
    client.post(_url("new", world), _new_post(world, "org", measure_id="", title="<script>alert(1)</script>"))
    page = client.get(_url("plan", world, world["wave"].pk)).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- editing and commenting --------------------------------------------------------------------------


def test_a_manager_edits_owner_deadline_status_and_notes(client, world):
    _login(client, world, "manager")
    action = world["north_action"]
    response = client.post(
        _url("edit", world, action.pk) + "?lang=en",
        {"owner": " Kari ", "deadline": "31.12.2030", "status": "in_progress", "notes": "Start in May"},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.owner, action.deadline.isoformat(), action.status, action.notes) == (
        "Kari",
        "2030-12-31",
        "in_progress",
        "Start in May",
    )
    event = AuditEvent.objects.get(verb="changed", object_type="action")
    assert event.detail == "fields=owner,deadline,status,notes" and event.unit == world["tree"]["north"]
    page = client.get(response["Location"]).content.decode()
    assert "Your changes have been saved." in page and "31 December 2030" in page
    # The same values again: nothing changed, nothing audited as a change.
    client.post(
        _url("edit", world, action.pk),
        {"owner": "Kari", "deadline": "2030-12-31", "status": "in_progress", "notes": "Start in May"},
    )
    assert AuditEvent.objects.filter(verb="changed").count() == 1


@pytest.mark.parametrize(
    "change, error_en",
    [
        ({"deadline": "31/31/2030"}, "Write the date as 2025-12-31 or 31.12.2025."),
        ({"deadline": "1899-01-01"}, "Give a date between the years 2000 and 2100."),
        ({"status": "archived"}, "Choose one of the options in the list."),
        ({"status": ""}, "Fill in this field."),
        ({"notes": "x" * 5001}, "Write at most 5000 characters."),
        ({"owner": "o" * 201}, "Write at most 200 characters."),
        ({"owner": "a\x00b"}, "The value cannot be read."),
    ],
)
def test_bad_or_forged_edits_give_a_form_error_and_change_nothing(client, world, change, error_en):
    _login(client, world, "hr")
    action = world["north_action"]
    data = {"owner": "Kari", "deadline": "2030-01-01", "status": "done", "notes": "", **change}
    response = client.post(_url("edit", world, action.pk) + "?lang=en", data)
    assert response.status_code == 200 and error_en in response.content.decode()
    action.refresh_from_db()
    assert (action.owner, action.status) == ("", "planned")
    assert not AuditEvent.objects.filter(verb="changed").exists()


def test_safety_rep_and_occupational_health_comment_but_cannot_edit(client, world):
    action = world["north_action"]
    for who, text in (("safety_rep", "Discussed in AMU."), ("occupational_health", "We can help with this.")):
        _login(client, world, who)
        page = client.get(_url("detail", world, action.pk) + "?lang=en").content.decode()
        assert 'id="comment-text"' in page and 'id="edit-owner"' not in page
        response = client.post(_url("comment", world, action.pk), {"text": f"  {text}  "})
        assert response.status_code == 302 and response["Location"].endswith("#comments")
    comments = list(ActionComment.objects.filter(action=action).values_list("author_name", "text"))
    assert comments == [("verneombud", "Discussed in AMU."), ("bht", "We can help with this.")]
    events = AuditEvent.objects.filter(object_type="action_comment")
    assert [e.detail for e in events] == [f"action={action.pk}"] * 2
    assert all("AMU" not in e.detail and "help" not in e.detail for e in AuditEvent.objects.all())
    page = client.get(_url("detail", world, action.pk) + "?lang=en").content.decode()
    assert "Discussed in AMU." in page and "verneombud" in page


@pytest.mark.parametrize(
    "text, error_en",
    [("", "Fill in this field."), ("   ", "Fill in this field."), ("x" * 2001, "Write at most 2000 characters.")],
)
def test_empty_or_too_long_comments_are_refused(client, world, text, error_en):
    _login(client, world, "safety_rep")
    response = client.post(_url("comment", world, world["north_action"].pk) + "?lang=en", {"text": text})
    assert response.status_code == 200 and error_en in response.content.decode()
    assert not ActionComment.objects.exists()


def test_every_action_page_is_audited_as_viewed(client, world):
    _login(client, world, "occupational_health")
    client.get(_url("index", world))
    client.get(_url("plan", world, world["wave"].pk))
    client.get(_url("detail", world, world["org_action"].pk))
    seen = list(AuditEvent.objects.order_by("pk").values_list("verb", "object_type", "username"))
    assert seen == [
        ("viewed", "action_plan_index", "bht"),
        ("viewed", "action_plan", "bht"),
        ("viewed", "action", "bht"),
    ]


def test_refused_requests_change_nothing_and_are_not_audited_as_changes(client, world):
    _login(client, world, "sibling_manager")
    client.post(
        _url("edit", world, world["north_action"].pk),
        {"owner": "Mallory", "deadline": "", "status": "dropped", "notes": ""},
    )
    world["north_action"].refresh_from_db()
    assert world["north_action"].status == "planned"
    assert not AuditEvent.objects.filter(verb="changed").exists()


def test_posts_without_the_csrf_token_are_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["people"]["hr"])
    assert client.post(_url("new", world), _new_post(world, "org")).status_code == 403
    assert client.post(_url("comment", world, world["org_action"].pk), {"text": "x"}).status_code == 403
    assert (
        client.post(
            _url("edit", world, world["org_action"].pk), {"owner": "x", "deadline": "", "status": "done", "notes": ""}
        ).status_code
        == 403
    )
    assert not ActionComment.objects.exists() and Action.objects.get(pk=world["org_action"].pk).status == "planned"


# --- the plan as documentation ----------------------------------------------------------------------


def test_a_wave_or_unit_with_actions_cannot_be_deleted_alone_but_the_organisation_can(world):
    with pytest.raises(RestrictedError):
        world["wave"].delete()
    with pytest.raises(RestrictedError):
        world["tree"]["app"].delete()
    world["org"].delete()
    assert not Action.objects.filter(pk=world["north_action"].pk).exists()


# --- in a browser: 360 px wide, no JavaScript of ours, axe-core clean ------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
AXE = Path(__file__).resolve().parents[1] / "e2e" / "vendor" / "axe.min.js"
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
AXE_RUN = """async () => (await axe.run(document, {runOnly: {type: 'tag',
    values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations.map(v => [v.id, v.nodes.length])"""


def _walk_in_browser(chromium: str, base: str, org_slug: str) -> list[dict]:
    """HR logs in, opens the plan, fails and then succeeds to create an action, edits it and comments."""
    from playwright.sync_api import sync_playwright

    seen: list[dict] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=FLAGS)
        try:
            page = browser.new_context(viewport={"width": 360, "height": 800}).new_page()

            def look(name: str) -> None:
                page.evaluate(AXE.read_text(encoding="utf-8"))
                seen.append(
                    {
                        "page": name,
                        "h1": page.locator("h1").inner_text(),
                        "scroll_width": page.evaluate("document.documentElement.scrollWidth"),
                        "violations": page.evaluate(AXE_RUN),
                    }
                )

            page.goto(f"{base}/staff/{org_slug}/plan/?lang=en")  # not logged in: to the login page
            look("login")
            page.get_by_label("User name").fill("hr")
            page.get_by_label("Password").fill("a-long-test-password")
            page.get_by_role("button", name="Log in").click()
            look("plan index")
            page.get_by_role("link", name="Spring").click()
            look("plan")
            page.get_by_role("link", name="New action").first.click()
            look("new action")
            page.get_by_role("button", name="Add to the action plan").click()
            look("new action with errors")
            page.get_by_label("Group").select_option(label="Acme > Sales > North")
            page.get_by_label("Measure from the catalogue").select_option(value="communication_channels")
            page.get_by_role("button", name="Add to the action plan").click()
            look("action")
            page.get_by_label("Owner").fill("Kari")
            page.get_by_label("Deadline").fill("2030-06-30")
            page.get_by_label("Status").select_option(value="in_progress")
            page.get_by_role("button", name="Save").click()
            page.get_by_role("textbox", name="Comment").fill("Discussed in the working environment committee.")
            page.get_by_role("button", name="Add comment").click()
            look("action with comment")
            page.get_by_role("link", name="My organisations").first.click()
            look("home")
        finally:
            browser.close()
    return seen


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_hr_walks_the_action_plan_at_360_px_and_axe_finds_nothing(live_server):
    if CHROMIUM is None:
        message = "chromium is not installed (Debian package 'chromium'); browser test skipped"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true: {message}")
        pytest.skip(message)
    world = make_people()
    with ThreadPoolExecutor(max_workers=1) as worker:
        seen = worker.submit(_walk_in_browser, CHROMIUM, live_server.url, world["org"].slug).result()
    assert [s["h1"] for s in seen] == [
        "Log in",
        "Action plan",
        "Action plan",
        "New action",
        "New action",
        MEASURE_EN,
        MEASURE_EN,
        "My organisations",
    ]
    for step in seen:
        assert step["scroll_width"] <= 360, step
        assert step["violations"] == [], step
    action = Action.objects.get()
    assert (action.owner, action.status, action.deadline.isoformat()) == ("Kari", "in_progress", "2030-06-30")
    assert action.comments.get().author_name == "hr"


def test_the_plan_page_does_not_query_per_action(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _login(client, world, "manager")
    url = _url("plan", world, world["wave"].pk)
    client.get(url)  # warm up: session, catalogue
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(8):
        make_action(world, world["tree"]["south"], title=f"Action {n}")
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert "Action 7" in page and len(many.captured_queries) == len(few.captured_queries)
