"""Releasing a wave's group results (issue 4): only after it closed, once, all or nothing, and the
answers frozen from then on (no withdrawal, no changed dates)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from homeoffice.web.i18n import t
from homeoffice.web.responses.actions import AnswersReleased, do_withdraw
from homeoffice.web.responses.models import Response, new_resume_code, resume_hash
from homeoffice.web.surveys import actions, release
from homeoffice.web.surveys.models import Wave
from homeoffice.web.surveys.release import ReleaseRefused, release_wave
from tests.web.factories_admin import make_staff, make_tree, make_wave
from tests.web.factories_flow import make_link

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 10)


@pytest.fixture
def org():
    return make_tree()["top"].organisation


@pytest.fixture
def hooks(monkeypatch) -> list[Wave]:
    """Record every hook call; the hooks other apps register (the dashboards' table) are tested there."""
    calls: list[Wave] = []
    monkeypatch.setattr(release, "on_release", [calls.append])
    return calls


def _wave_closing(org, closes_on: dt.date, **kwargs) -> Wave:
    return Wave.objects.create(
        organisation=org,
        name=kwargs.pop("name", "Spring"),
        instrument_id="standard",
        opens_on=closes_on - dt.timedelta(days=20),
        closes_on=closes_on,
        **kwargs,
    )


def _response(wave: Wave, *, submitted: bool = True) -> Response:
    return Response.objects.create(
        wave=wave,
        unit=wave.organisation.units.first(),
        consented=True,
        resume_hash=resume_hash(new_resume_code()),
        answers={"wl1": 4},
        submitted_on=wave.opens_on if submitted else None,
    )


# --- release_wave ---------------------------------------------------------------------------------


def test_a_closed_wave_is_released_once_and_the_hooks_see_it_released(org, hooks):
    wave = _wave_closing(org, TODAY - dt.timedelta(days=1))
    seen = []
    release.on_release.append(lambda w: seen.append(Wave.objects.get(pk=w.pk).released_on))
    assert not wave.is_released and actions.wave_status(wave, TODAY) == "closed"
    release_wave(wave, today=TODAY)
    assert wave.released_on == TODAY and wave.is_released
    wave.refresh_from_db()
    assert wave.released_on == TODAY and actions.wave_status(wave, TODAY) == "released"
    assert hooks == [wave] and seen == [TODAY]  # inside the transaction the row is already released


@pytest.mark.parametrize("closes_in", [0, 1, 30])
def test_a_wave_is_never_released_before_it_has_closed(org, hooks, closes_in):
    wave = _wave_closing(org, TODAY + dt.timedelta(days=closes_in))
    with pytest.raises(ReleaseRefused) as refused:
        release_wave(wave, today=TODAY)
    assert refused.value.code == "not_closed"
    first_day = TODAY + dt.timedelta(days=closes_in + 1)
    assert first_day.strftime("%d.%m.%Y") in refused.value.text("nb") and "ikke avsluttet" in refused.value.text("nb")
    assert "has not closed yet" in refused.value.text("en") and "has not closed yet" in str(refused.value)
    wave.refresh_from_db()
    assert wave.released_on is None and hooks == []


def test_a_wave_that_closed_yesterday_can_be_released_today(org, hooks):
    wave = _wave_closing(org, TODAY - dt.timedelta(days=1))
    release_wave(wave, today=TODAY)
    assert Wave.objects.get(pk=wave.pk).released_on == TODAY


def test_two_clicks_release_once(org, hooks):
    wave = _wave_closing(org, TODAY - dt.timedelta(days=5))
    second_tab = Wave.objects.get(pk=wave.pk)  # loaded before the first click, still unreleased
    release_wave(wave, today=TODAY)
    with pytest.raises(ReleaseRefused) as refused:
        release_wave(second_tab, today=TODAY + dt.timedelta(days=1))
    assert refused.value.code == "already_released"
    assert "already released" in refused.value.text("en") and "alt frigitt" in refused.value.text("nb")
    assert second_tab.released_on == TODAY  # the refused instance learns the real release day
    assert Wave.objects.get(pk=wave.pk).released_on == TODAY
    assert len(hooks) == 1


def test_a_failing_hook_leaves_the_wave_unreleased_and_undoes_the_other_hooks(org, monkeypatch):
    wave = _wave_closing(org, TODAY - dt.timedelta(days=1), name="Before")

    def rename(w: Wave) -> None:
        Wave.objects.filter(pk=w.pk).update(name="Changed by a hook")

    def fail(w: Wave) -> None:
        raise RuntimeError("the result table could not be built")

    monkeypatch.setattr(release, "on_release", [rename, fail])
    with pytest.raises(RuntimeError):
        release_wave(wave, today=TODAY)
    assert wave.released_on is None and not wave.is_released
    stored = Wave.objects.get(pk=wave.pk)
    assert stored.released_on is None and stored.name == "Before"
    monkeypatch.setattr(release, "on_release", [])
    release_wave(wave, today=TODAY)  # once the problem is gone it can be released
    assert Wave.objects.get(pk=wave.pk).released_on == TODAY


# --- withdrawal after release ----------------------------------------------------------------------


def test_submitted_answers_cannot_be_withdrawn_once_released(org, hooks):
    wave = _wave_closing(org, TODAY - dt.timedelta(days=1))
    kept, before = _response(wave), _response(wave)
    assert do_withdraw(before.pk) is True  # until the release it works as always
    release_wave(wave, today=TODAY)
    with pytest.raises(AnswersReleased) as refused:
        do_withdraw(kept.pk)
    assert refused.value.released_on == TODAY
    assert Response.objects.filter(pk=kept.pk).exists()


def test_answers_never_submitted_can_still_be_deleted_after_release(org, hooks):
    wave = _wave_closing(org, TODAY - dt.timedelta(days=1))
    started = _response(wave, submitted=False)
    release_wave(wave, today=TODAY)
    assert do_withdraw(started.pk) is True  # they are in no group result
    assert not Response.objects.filter(pk=started.pk).exists()


def test_a_released_waves_dates_and_minimum_cannot_be_changed(org, hooks):
    wave = _wave_closing(org, TODAY - dt.timedelta(days=1))
    release_wave(wave, today=TODAY)
    wave.refresh_from_db()
    wave.closes_on = timezone.localdate() + dt.timedelta(days=30)  # would reopen it
    wave.min_group_size = 9
    with override("en"), pytest.raises(Exception) as problem:
        wave.full_clean()
    assert set(problem.value.message_dict) == {"closes_on", "min_group_size"}
    assert problem.value.message_dict["closes_on"] == [t("surveys_release_locked_field", "en")]


# --- the admin ----------------------------------------------------------------------------------


@pytest.fixture
def staff_client(client):
    client.force_login(make_staff())
    return client


CHANGELIST = reverse("admin:surveys_wave_changelist")


def _act(client, *waves: Wave, confirm: bool = True, lang: str = "en"):
    data = {"action": "release_results", "_selected_action": [w.pk for w in waves]}
    if confirm:
        data["post"] = "yes"
    return client.post(CHANGELIST, data, HTTP_ACCEPT_LANGUAGE=lang, follow=confirm)


def test_the_release_action_asks_first_and_releases_only_after_confirming(staff_client, org, hooks):
    wave = make_wave(org, name="Autumn", opens_in=-30, closes_in=-1)
    for _ in range(3):
        _response(wave)
    asked = _act(staff_client, wave, confirm=False)
    assert asked.status_code == 200
    page = asked.content.decode()
    assert "Release the group results?" in page and "Autumn: 3 submitted responses." in page
    assert "cannot be undone" in page and 'name="post" value="yes"' in page
    assert Wave.objects.get(pk=wave.pk).released_on is None and hooks == []
    done = _act(staff_client, wave)
    assert done.status_code == 200
    assert "Released: Autumn." in done.content.decode()
    assert Wave.objects.get(pk=wave.pk).released_on == timezone.localdate()
    again = _act(staff_client, wave)  # a second click on the confirm button
    assert "Autumn was already released on" in again.content.decode()
    assert len(hooks) == 1


def test_the_release_action_refuses_waves_that_have_not_closed(staff_client, org, hooks):
    open_wave = make_wave(org, name="Still open", closes_in=0)
    closed = make_wave(org, name="Done", opens_in=-30, closes_in=-2)
    asked = _act(staff_client, open_wave, closed, confirm=False, lang="nb").content.decode()
    assert "Still open er ikke avsluttet ennå" in asked and "Done: 0 innsendte svar." in asked
    only_open = _act(staff_client, open_wave, confirm=False).content.decode()
    assert "None of the selected waves can be released now." in only_open and 'value="yes"' not in only_open
    forged = _act(staff_client, open_wave, closed).content.decode()  # confirmed anyway
    assert "Still open has not closed yet" in forged and "Released: Done." in forged
    assert Wave.objects.get(pk=open_wave.pk).released_on is None
    assert Wave.objects.get(pk=closed.pk).released_on is not None


def test_a_failing_hook_is_reported_in_the_admin_and_the_wave_stays_unreleased(staff_client, org, monkeypatch):
    wave = make_wave(org, name="Autumn", opens_in=-30, closes_in=-1)

    def fail(w: Wave) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(release, "on_release", [fail])
    answer = _act(staff_client, wave)
    assert answer.status_code == 200
    assert "Autumn could not be released" in answer.content.decode()
    assert Wave.objects.get(pk=wave.pk).released_on is None


def test_the_wave_list_shows_released_waves_and_filters_them(staff_client, org, hooks):
    released = make_wave(org, name="Old", opens_in=-60, closes_in=-30)
    closed = make_wave(org, name="Closed", opens_in=-30, closes_in=-2)
    release_wave(released)
    html = staff_client.get(CHANGELIST, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "ho-status-released" in html and "ho-status-closed" in html and "Results released" in html
    nb = staff_client.get(CHANGELIST, HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert ">frigitt<" in nb and "Frigi grupperesultatene" in nb
    for status, name in (("released", released.name), ("closed", closed.name)):
        found = staff_client.get(CHANGELIST + f"?status={status}").context["cl"].result_list
        assert [w.name for w in found] == [name], status


def test_a_released_waves_page_shows_the_release_and_locks_dates_and_minimum(staff_client, org, hooks):
    wave = make_wave(org, name="Old", opens_in=-60, closes_in=-30)
    url = reverse("admin:surveys_wave_change", args=[wave.pk])
    before = staff_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Not released." in before and 'name="closes_on"' in before
    release_wave(wave)
    page = staff_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The group results were released on" in page
    assert 'name="closes_on"' not in page and 'name="min_group_size"' not in page
    assert "its dates and minimum group size can no longer be changed" in page
    reopen = {
        "name": "Old (renamed)",
        "languages": "nb,en",
        "mode": "anonymous",
        "instrument_id": "standard",
        "min_group_size": "9",
        "closes_on": (timezone.localdate() + dt.timedelta(days=9)).isoformat(),
        "links-TOTAL_FORMS": "0",
        "links-INITIAL_FORMS": "0",
    }
    answer = staff_client.post(url, reopen)
    assert answer.status_code == 302, answer.context["adminform"].form.errors  # saved, but the dates stay
    wave.refresh_from_db()
    assert wave.name == "Old (renamed)"
    assert wave.closes_on == timezone.localdate() - dt.timedelta(days=30) and wave.min_group_size == 5


def test_an_unreleased_wave_says_from_when_it_can_be_released(staff_client, org):
    wave = make_wave(org, closes_in=5)
    page = staff_client.get(reverse("admin:surveys_wave_change", args=[wave.pk]), HTTP_ACCEPT_LANGUAGE="en")
    day = timezone.localdate() + dt.timedelta(days=6)
    assert f"can be released from {day.day} " in page.content.decode()


# --- the respondent's texts ---------------------------------------------------------------------


def test_the_consent_page_tells_until_when_answers_can_be_deleted(client):
    from tests.web.factories_flow import make_wave as make_flow_wave

    wave = make_flow_wave()
    client.get(reverse("responses:link", args=[make_link(wave).token]))
    en = client.get(reverse("responses:consent") + "?lang=en").content.decode()
    assert "you can delete your answers until the results for the groups are released" in en
    assert "can no longer be taken out" in en
    nb = client.get(reverse("responses:consent") + "?lang=nb").content.decode()
    assert "slette svarene dine helt til resultatene for gruppene blir frigitt" in " ".join(nb.split())
