"""The staff admin: every page loads, units form a tree within one organisation, waves follow Wave.clean()."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from homeoffice.web.organisations.models import Organisation, Unit
from homeoffice.web.responses.models import Response, new_resume_code, resume_hash
from homeoffice.web.surveys.models import AnonymousLink, Invitation, Wave
from tests.web.factories_admin import make_staff, make_tree, make_wave

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree() -> dict[str, Unit]:
    return make_tree()


@pytest.fixture
def staff_client(client):
    client.force_login(make_staff())
    return client


def _response(wave: Wave, unit: Unit, *, submitted: bool) -> Response:
    return Response.objects.create(
        wave=wave,
        unit=unit,
        resume_hash=resume_hash(new_resume_code()),
        submitted_on=wave.opens_on if submitted else None,
    )


def _wave_post(org: Organisation, **changes: object) -> dict:
    today = timezone.localdate()
    data = {
        "organisation": org.pk,
        "name": "Autumn",
        "instrument_id": "standard",
        "languages": "nb,en",
        "mode": "anonymous",
        "opens_on": today.isoformat(),
        "closes_on": (today + dt.timedelta(days=14)).isoformat(),
        "min_group_size": "5",
        "links-TOTAL_FORMS": "0",
        "links-INITIAL_FORMS": "0",
        "links-MIN_NUM_FORMS": "0",
        "links-MAX_NUM_FORMS": "1000",
    }
    data.update({k: str(v) for k, v in changes.items()})
    return data


def test_every_admin_page_loads_for_a_superuser(staff_client, tree):
    org = tree["top"].organisation
    wave = make_wave(org)
    invitation = Invitation.objects.create(wave=wave, unit=tree["north"], email="a@example.org", token_hash="x" * 64)
    urls = [
        reverse("admin:index"),
        *[
            reverse(f"admin:{name}_changelist")
            for name in ("organisations_organisation", "organisations_unit", "surveys_wave", "surveys_invitation")
        ],
        *[
            reverse(f"admin:{name}_add")
            for name in ("organisations_organisation", "organisations_unit", "surveys_wave")
        ],
        reverse("admin:organisations_organisation_change", args=[org.pk]),
        reverse("admin:organisations_unit_change", args=[tree["north"].pk]),
        reverse("admin:surveys_wave_change", args=[wave.pk]),
        reverse("admin:surveys_invitation_change", args=[invitation.pk]),
        reverse("admin:surveys_wave_invitations", args=[wave.pk]),
        reverse("admin:organisations_unit_add") + f"?organisation={org.pk}",
    ]
    for url in urls:
        response = staff_client.get(url)
        assert response.status_code == 200, url
        assert b"homeoffice" in response.content, url


def test_admin_pages_need_a_staff_login(client, tree):
    wave = make_wave(tree["top"].organisation)
    for url in (reverse("admin:surveys_wave_changelist"), reverse("admin:surveys_wave_invitations", args=[wave.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_invitations_are_not_added_by_hand(staff_client):
    assert staff_client.get(reverse("admin:surveys_invitation_add")).status_code == 403


def test_admin_texts_follow_the_browser_language(staff_client, tree):
    make_wave(tree["top"].organisation)
    url = reverse("admin:surveys_wave_changelist")
    assert "Innsendte svar" in staff_client.get(url, HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert "Submitted responses" in staff_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_units_are_listed_as_paths_in_tree_order(staff_client, tree):
    html = staff_client.get(reverse("admin:organisations_unit_changelist")).content.decode()
    paths = [
        "Acme",
        "Acme &gt; Dev",
        "Acme &gt; Dev &gt; App",
        "Acme &gt; Dev &gt; North",
        "Acme &gt; Sales",
        "Acme &gt; Sales &gt; North",
        "Acme &gt; Sales &gt; South",
    ]
    positions = [html.index(f">{p}<") for p in paths]
    assert positions == sorted(positions)


def test_a_units_parent_is_offered_only_from_the_same_organisation(staff_client, tree):
    other = make_tree()
    html = staff_client.get(reverse("admin:organisations_unit_change", args=[tree["north"].pk])).content.decode()
    assert "Acme &gt; Sales</option>" in html
    assert f'value="{other["sales"].pk}"' not in html
    # nor the unit itself or one below it
    assert f'value="{tree["north"].pk}"' not in html
    sales = staff_client.get(reverse("admin:organisations_unit_change", args=[tree["sales"].pk])).content.decode()
    assert f'value="{tree["south"].pk}"' not in sales


def test_a_forged_parent_from_another_organisation_is_a_form_error(staff_client, tree):
    other = make_tree()
    url = reverse("admin:organisations_unit_change", args=[tree["north"].pk])
    response = staff_client.post(url, {"parent": other["sales"].pk, "name": "North"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["parent"]
    assert Unit.objects.get(pk=tree["north"].pk).parent_id == tree["sales"].pk


def test_a_unit_added_with_a_parent_of_another_organisation_is_refused(staff_client, tree):
    other = make_tree()
    org = tree["top"].organisation
    response = staff_client.post(
        reverse("admin:organisations_unit_add"), {"organisation": org.pk, "parent": other["sales"].pk, "name": "Ghost"}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["parent"]
    assert not Unit.objects.filter(name="Ghost").exists()


def test_the_organisation_inline_offers_only_its_own_units(staff_client, tree):
    other = make_tree()
    html = staff_client.get(
        reverse("admin:organisations_organisation_change", args=[tree["top"].organisation_id])
    ).content.decode()
    assert "Acme &gt; Dev &gt; App" in html
    assert f'value="{other["app"].pk}"' not in html


def test_a_new_wave_is_created_from_the_admin(staff_client, tree):
    org = tree["top"].organisation
    response = staff_client.post(reverse("admin:surveys_wave_add"), _wave_post(org))
    assert response.status_code == 302
    wave = Wave.objects.get(name="Autumn")
    assert (wave.organisation, wave.languages, wave.min_group_size) == (org, "nb,en", 5)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"closes_on": "2020-01-01", "opens_on": "2020-02-01"}, "closes_on"),
        ({"min_group_size": "2"}, "min_group_size"),
        ({"languages": "de"}, "languages"),
        ({"mode": "public"}, "mode"),
        ({"instrument_id": "nope"}, "instrument_id"),
        ({"opens_on": "yesterday"}, "opens_on"),
    ],
)
def test_wave_rules_show_as_form_errors(staff_client, tree, changes, field):
    response = staff_client.post(reverse("admin:surveys_wave_add"), _wave_post(tree["top"].organisation, **changes))
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not Wave.objects.filter(name="Autumn").exists()


def test_the_minimum_group_size_can_only_be_raised_once_open(staff_client, tree):
    org = tree["top"].organisation
    wave = make_wave(org, min_group_size=6)
    url = reverse("admin:surveys_wave_change", args=[wave.pk])
    post = _wave_post(org, name=wave.name, opens_on=wave.opens_on, closes_on=wave.closes_on)
    lowered = staff_client.post(url, {**post, "min_group_size": "5"})
    assert lowered.status_code == 200
    assert "min_group_size" in lowered.context["adminform"].form.errors
    assert staff_client.post(url, {**post, "min_group_size": "8"}).status_code == 302
    assert Wave.objects.get(pk=wave.pk).min_group_size == 8


def test_a_planned_wave_can_still_lower_its_minimum(staff_client, tree):
    org = tree["top"].organisation
    wave = make_wave(org, opens_in=5, closes_in=20, min_group_size=8)
    post = _wave_post(org, name=wave.name, opens_on=wave.opens_on, closes_on=wave.closes_on, min_group_size=5)
    assert staff_client.post(reverse("admin:surveys_wave_change", args=[wave.pk]), post).status_code == 302
    assert Wave.objects.get(pk=wave.pk).min_group_size == 5


def test_mode_and_instrument_are_locked_once_a_wave_has_opened(staff_client, tree):
    org = tree["top"].organisation
    wave = make_wave(org)
    post = _wave_post(
        org,
        name=wave.name,
        opens_on=wave.opens_on,
        closes_on=wave.closes_on,
        mode="confidential",
        instrument_id="thesis-2023",
    )
    assert staff_client.post(reverse("admin:surveys_wave_change", args=[wave.pk]), post).status_code == 302
    wave.refresh_from_db()
    assert (wave.mode, wave.instrument_id) == ("anonymous", "standard")


def test_the_wave_list_shows_status_and_counts_only(staff_client, tree):
    org = tree["top"].organisation
    open_wave = make_wave(org, name="Now")
    make_wave(org, name="Later", opens_in=3, closes_in=10)
    make_wave(org, name="Before", opens_in=-30, closes_in=-2)
    for submitted in (True, True, False):
        _response(open_wave, tree["north"], submitted=submitted)
    Response.objects.filter(submitted_on__isnull=False).update(answers={"wl1": 4}, open_answers={"x": "secret"})
    response = staff_client.get(reverse("admin:surveys_wave_changelist"), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    for status in ("planned", "open", "closed"):
        assert f"ho-status-{status}" in html
    assert response.context["cl"].result_list.get(pk=open_wave.pk).n_submitted == 2
    assert '<td class="field-submitted">2</td>' in html
    assert "secret" not in html
    only_open = staff_client.get(reverse("admin:surveys_wave_changelist") + "?status=open").context["cl"]
    assert [w.name for w in only_open.result_list] == ["Now"]


@override_settings(SITE_URL="https://survey.example.org/")
def test_the_link_action_gives_every_unit_one_link_and_the_wave_page_lists_them(staff_client, tree):
    wave = make_wave(tree["top"].organisation)
    action = {"action": "create_links", "_selected_action": [wave.pk]}
    url = reverse("admin:surveys_wave_changelist")
    assert staff_client.post(url, action).status_code == 302
    assert staff_client.post(url, action).status_code == 302  # twice: still one per unit
    links = AnonymousLink.objects.filter(wave=wave)
    assert sorted(link.unit_id for link in links) == sorted(u.pk for u in tree.values())
    html = staff_client.get(reverse("admin:surveys_wave_change", args=[wave.pk])).content.decode()
    for link in links:
        assert f"https://survey.example.org/s/{link.token}/" in html
    assert "Acme &gt; Sales &gt; North" in html


def test_the_admin_stylesheet_is_served_without_inline_styles(staff_client, tree):
    html = staff_client.get(reverse("admin:surveys_wave_change", args=[make_wave(tree["top"].organisation).pk]))
    text = html.content.decode()
    assert "surveys/admin.css" in text
    assert " style=" not in text and "<style" not in text
    assert staff_client.get("/static/surveys/admin.css").status_code == 200
