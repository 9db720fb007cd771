"""The dashboards' content: the numbers shown are those of the shown groups (group_summary of their
rows), hidden groups show their n and why and nothing else, charts come with their text alternative,
waves before release show counts only, the comparison with the previous wave, the transition matrix
with small cells suppressed, recommended measures that become actions, and the audit log."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from django.urls import reverse
from django.utils import timezone

from homeoffice.analysis.groups import compare_waves, group_summary
from homeoffice.anonymity import GroupKey
from homeoffice.measures.engine import recommend_for_group
from homeoffice.web.accounts.models import AuditEvent, Role
from homeoffice.web.actions.models import Action
from homeoffice.web.dashboards import content
from homeoffice.web.dashboards.groups import wave_groups
from homeoffice.web.surveys.models import Invitation, Wave
from tests.web.dashboard_pages import (
    expected_means,
    heat_table,
    means_table,
    number,
    response_count,
    rounded,
    tables,
)
from tests.web.factories_groups import make_org, make_released_wave, team_sizes
from tests.web.factories_staff import member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world() -> dict:
    """The factories_groups organisation (Kundesenter: 4 responses) with two released waves, and HR."""
    org, units = make_org()
    spring = make_released_wave(org, units, team_sizes(), name="Spring", closed_days_ago=60, seed=3)
    autumn = make_released_wave(org, units, team_sizes(), name="Autumn", seed=4)
    return {"org": org, "units": units, "spring": spring, "autumn": autumn, "hr": member("hr", org, Role.HR)}


def _org_url(w: dict, wave: str = "autumn", query: str = "?lang=en") -> str:
    return reverse("dashboards:wave", args=[w["org"].slug, w[wave].pk]) + query


def _unit_url(w: dict, unit: str, wave: str = "autumn", query: str = "?lang=en") -> str:
    return reverse("dashboards:unit", args=[w["org"].slug, w[wave].pk, w["units"][unit].pk]) + query


def _chart_url(w: dict, name: str, unit: str | None = None, wave: str = "autumn", query: str = "") -> str:
    if unit is None:
        return reverse("dashboards:wave_chart", args=[w["org"].slug, w[wave].pk, name]) + query
    return reverse("dashboards:unit_chart", args=[w["org"].slug, w[wave].pk, w["units"][unit].pk, name]) + query


def _get(client, w: dict, url: str, status: int = 200) -> str:
    client.force_login(w["hr"])
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def _summary(wave: Wave, key: GroupKey | None = None):
    groups = wave_groups(wave)
    return group_summary(groups.results(key or groups.key()), groups.instrument)


# --- a shown group ---------------------------------------------------------------------------------


def test_the_organisation_dashboard_shows_the_summary_of_its_rows(client, world):
    html = _get(client, world, _org_url(world))
    s = _summary(world["autumn"])
    assert response_count(html) == 48
    assert means_table(html) == expected_means(s.dimensions)
    found = tables(html)
    jobs = {row[0]: int(number(row[1])) for row in found["jobs"][1:]}
    assert jobs["High strain"] == s.job_situations.loc["high_strain", "n"]
    assert sum(jobs.values()) == 48
    model = {row[0][0]: int(number(row[2])) for row in found["model"][1:]}  # situation 1-4: count
    assert model == {str(k): int(s.situations.loc[k, "n"]) for k in (1, 2, 3, 4)}
    # every chart is an <img> of the chart URL with its description as alt text
    for name in ("model", "means", "heatmap", "change"):
        assert f'<img src="{_chart_url(world, name)}?lang=en" alt="' in html


def test_the_heat_map_shows_every_unit_and_hidden_units_without_values(client, world):
    html = _get(client, world, _org_url(world))
    groups = wave_groups(world["autumn"])
    rows = {label: (n, values) for label, n, values in heat_table(html)}
    dims = _summary(world["autumn"]).dimensions
    assert list(rows) == ["Salg", "Kundesenter – hidden", "Nord", "Sør – hidden", "Utvikling", "App", "Plattform"]
    assert rows["Kundesenter – hidden"] == (4, [None] * len(dims))
    for name in ("Salg", "Nord", "Utvikling", "App", "Plattform"):
        key = groups.key(world["units"][name].pk)
        s = group_summary(groups.results(key), groups.instrument)
        n, values = rows[name]
        assert n == groups.n(key)
        assert values == [rounded(m) for m in s.dimensions["mean"]], name
    # the text says which rows are hidden; the hidden page explains it
    assert "2 units are hidden or have no responses" in html


def test_a_unit_dashboard_and_its_child_units(client, world):
    html = _get(client, world, _unit_url(world, "Utvikling"))
    groups = wave_groups(world["autumn"])
    key = groups.key(world["units"]["Utvikling"].pk)
    assert response_count(html) == 23
    assert means_table(html) == expected_means(group_summary(groups.results(key), groups.instrument).dimensions)
    assert [label for label, _, _ in heat_table(html)] == ["App", "Plattform"]
    # drill-down links to the children that are shown
    assert _unit_url(world, "App", query="") in html and _unit_url(world, "Plattform", query="") in html


def test_a_filter_cell_shows_the_rows_of_that_cell(client, world):
    groups = wave_groups(world["autumn"])
    cells = [d.key for d in groups.disclosure if d.kind in ("filter", "unit_filter") and d.shown]
    assert cells
    for cell in cells:
        query = f"?lang=en&filter={cell.filter}&value={cell.value}"
        unit = next(name for name, u in world["units"].items() if u.pk == cell.unit)
        at_root = cell.unit == groups.root_id
        html = _get(client, world, _org_url(world, query=query) if at_root else _unit_url(world, unit, query=query))
        assert response_count(html) == groups.n(cell)
        assert means_table(html) == expected_means(group_summary(groups.results(cell), groups.instrument).dimensions)
        chart = _chart_url(world, "means", None if at_root else unit, query=f"?filter={cell.filter}&value={cell.value}")
        assert client.get(chart).status_code == 200


# --- hidden and empty groups -----------------------------------------------------------------------


def test_a_hidden_unit_says_so_and_why_with_its_n_only(client, world):
    html = _get(client, world, _unit_url(world, "Kundesenter"))
    groups = wave_groups(world["autumn"])
    key = groups.key(world["units"]["Kundesenter"].pk)
    assert "This group is hidden" in html
    assert response_count(html) == 4
    assert groups.disclosure.sentence(key, "en") in html
    assert "fewer than the minimum of 5" in html
    found = tables(html)
    assert not {"means", "heatmap", "model", "change", "jobs"} & set(found)
    for name in content.CHART_NAMES:
        assert client.get(_chart_url(world, name, "Kundesenter")).status_code == 404


def test_the_hidden_page_of_a_secondary_suppression_names_the_group_it_protects(client, world):
    html = _get(client, world, _unit_url(world, "Sør"))
    assert "This group is hidden" in html and "so that Kundesenter cannot be worked out" in html


def test_an_empty_unit_says_it_has_no_responses(client, world):
    org, units = make_org()
    wave = make_released_wave(org, units, {"App": 9, "Nord": 12, "Sør": 7})  # nobody in Plattform
    client.force_login(member("hr-empty", org, Role.HR))
    url = reverse("dashboards:unit", args=[org.slug, wave.pk, units["Plattform"].pk])
    html = client.get(url + "?lang=en").content.decode()
    assert "This group has no responses" in html and response_count(html) == 0
    assert client.get(url + "chart/means.svg").status_code == 404


def test_a_filter_value_nobody_chose_is_an_empty_group_and_units_are_not_split(client):
    from homeoffice.web.responses.models import Response
    from homeoffice.web.surveys.release import release_wave

    org, units = make_org()
    wave = make_released_wave(org, units, {"App": 9, "Nord": 12}, release=False)
    for response in Response.objects.filter(wave=wave):
        response.answers["ctx_voluntary"] = 1
        response.save(update_fields=["answers"])
    release_wave(wave)
    client.force_login(member("hr-filter", org, Role.HR))
    url = reverse("dashboards:wave", args=[org.slug, wave.pk])
    assert response_count(client.get(f"{url}?lang=en&filter=ctx_voluntary&value=1").content.decode()) == 21
    html = client.get(f"{url}?lang=en&filter=ctx_voluntary&value=2").content.decode()
    assert "This group has no responses" in html and response_count(html) == 0
    # units are not split by background: no such page, and no link to one
    unit = reverse("dashboards:unit", args=[org.slug, wave.pk, units["App"].pk])
    assert client.get(f"{unit}?filter=ctx_voluntary&value=1").status_code == 404
    page = client.get(f"{unit}?lang=en").content.decode()
    assert "filter=" not in page and "shown for the whole organisation only" in page


def test_what_is_hidden_and_why_in_both_languages(client, world):
    url = reverse("dashboards:hidden", args=[world["org"].slug, world["autumn"].pk])
    groups = wave_groups(world["autumn"])
    for lang in ("en", "nb"):
        html = _get(client, world, f"{url}?lang={lang}")
        sentences = groups.disclosure.explain(lang)
        assert sentences and all(s.replace("'", "&#x27;") in html for s in sentences)
    assert "Kundesenter er skjult" in html  # nb
    assert "(n = 4)" in html


# --- charts ------------------------------------------------------------------------------------------


def test_charts_are_svg_with_the_text_alternative_in_the_page(client, world):
    html = _get(client, world, _org_url(world))
    for name in content.CHART_NAMES:
        response = client.get(_chart_url(world, name, query="?lang=en"))
        assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
        assert response.content.startswith(b"<?xml") or b"<svg" in response.content[:400]
        assert "default-src 'none'" in response["Content-Security-Policy"]
        assert name in tables(html)  # the data as a table in the page
    groups = wave_groups(world["autumn"])
    chart = content.chart(groups, wave_groups(world["spring"]), groups.key(), "means", "en", all_units=True)
    assert f'alt="{chart.description["en"]}"'.replace("'", "&#x27;") in html
    assert client.get(_chart_url(world, "nonsense")).status_code == 404


def test_bad_filters_pages_and_methods_are_answered_with_4xx(client, world):
    client.force_login(world["hr"])
    for query in ("?filter=age&value=1", "?filter=ctx_voluntary&value=9", "?filter=ctx_voluntary", "?value=1",
                  "?filter=ctx_voluntary&value=x", "?page=0", "?page=99", "?page=abc"):  # fmt: skip
        assert client.get(_org_url(world, query=query)).status_code == 404, query
    assert client.post(_org_url(world)).status_code == 405


def test_the_heat_map_is_paginated(client):
    tree = {"A": {f"A{i:02d}": 5 for i in range(22)}, "B": {f"B{i:02d}": 5 for i in range(21)}}
    org, units = make_org(tree)
    wave = make_released_wave(org, units, {name: 5 for teams in tree.values() for name in teams})
    client.force_login(member("hr-big", org, Role.HR))
    url = reverse("dashboards:wave", args=[org.slug, wave.pk])
    first = client.get(url + "?lang=en").content.decode()
    second = client.get(url + "?lang=en&page=2").content.decode()
    assert "Page 1 of 2." in first and "Page 2 of 2." in second
    labels = [label for label, _, _ in heat_table(first)] + [label for label, _, _ in heat_table(second)]
    assert len(labels) == 45 and labels[0] == "A"
    chart = reverse("dashboards:wave_chart", args=[org.slug, wave.pk, "heatmap"])
    assert client.get(chart + "?page=2").status_code == 200
    assert client.get(chart + "?page=3").status_code == 404
    assert client.get(url + "?page=3").status_code == 404


# --- comparison with the previous wave ---------------------------------------------------------------


def test_the_change_since_the_previous_wave(client, world):
    html = _get(client, world, _org_url(world))
    found = tables(html)
    groups, before = wave_groups(world["autumn"]), wave_groups(world["spring"])
    comp = compare_waves(before.results(before.key()), groups.results(groups.key()), groups.instrument)
    change = {row[0]: (number(row[1]), number(row[2]), number(row[3])) for row in found["change"][1:]}
    for dim, row in comp.dimensions.iterrows():
        name = row["name_en"]
        assert change[name][:2] == (rounded(row["mean_previous"]), rounded(row["mean_current"])), dim
    shares = {row[0][0]: row for row in found["situations"][1:]}
    assert shares["1"][1].endswith(f"({comp.situations.loc[1, 'n_previous']})")
    assert "Compared with Spring" in html
    # the first wave has nothing to compare with; a hidden group cannot be compared
    assert "no earlier released wave" in _get(client, world, _org_url(world, "spring"))


def test_confidential_waves_show_movements_with_small_cells_suppressed(client):
    org, units = make_org()
    sizes = {"App": 15, "Plattform": 8, "Nord": 12}
    keys = {u: [f"{u}-{i}" for i in range(n)] for u, n in sizes.items()}
    make_released_wave(org, units, sizes, name="First", closed_days_ago=60, mode="confidential", seed=5, keys=keys)
    second = make_released_wave(org, units, sizes, name="Second", mode="confidential", seed=6, keys=keys)
    client.force_login(member("hr-conf", org, Role.HR))
    html = client.get(reverse("dashboards:wave", args=[org.slug, second.pk]) + "?lang=en").content.decode()
    assert "35 people answered in both waves" in html
    rows = tables(html)["transitions"]
    cells = [[c for c in row[1:]] for row in rows[1:]]
    shown = [int(number(c)) for row in cells for c in row if c != "*"]
    assert all(v >= 5 for v in shown)
    assert any(c == "*" for row in cells for c in row)


def test_suppressing_a_transition_matrix_leaves_no_small_remainder():
    matrix = pd.DataFrame([[10, 2, 0], [6, 9, 7], [0, 5, 8]])
    cells, suppressed = content.suppress_transitions(matrix, 5)
    hidden = [[c is None for c in row] for row in cells]
    values = matrix.to_numpy()
    lines = [[(i, j) for j in range(3)] for i in range(3)] + [[(i, j) for i in range(3)] for j in range(3)]
    lines.append([(i, j) for i in range(3) for j in range(3)])
    for line in lines:
        total = sum(values[c] for c in line if hidden[c[0]][c[1]])
        assert total == 0 or total >= 5, line
    assert all(c is None or c >= 5 for row in cells for c in row)
    assert suppressed == sum(map(sum, hidden))
    assert cells[1][1] == 9  # large cells stay unless a line needs them


# --- measures and the action plan --------------------------------------------------------------------


def test_recommended_measures_become_actions(client, world):
    html = _get(client, world, _unit_url(world, "Utvikling"))
    groups = wave_groups(world["autumn"])
    recs = recommend_for_group(groups.results(groups.key(world["units"]["Utvikling"].pk)), groups.instrument, lang="en")
    top = list(recs.measures.head(content.TOP_MEASURES)["title"])
    positions = [html.index(title) for title in top]
    assert positions == sorted(positions)
    assert html.count("Create action in the plan") == len(top)
    first = recs.measures.index[0]
    response = client.post(
        reverse("actions:new", args=[world["org"].slug]),
        {"wave": world["autumn"].pk, "unit": world["units"]["Utvikling"].pk, "measure_id": first},
    )
    assert response.status_code == 302
    action = Action.objects.get()
    assert (action.unit, action.measure_id, action.wave) == (world["units"]["Utvikling"], first, world["autumn"])
    again = _get(client, world, _unit_url(world, "Utvikling"))
    assert "The measure is in the action plan" in again
    assert again.count("Create action in the plan") == len(top) - 1


def test_no_create_button_without_the_right_to_edit_the_plan(client, world):
    rep = member("verneombud", world["org"], Role.SAFETY_REP)
    client.force_login(rep)
    html = client.get(_org_url(world)).content.decode()
    assert "Recommended for" in html and "Create action in the plan" not in html


# --- before release, counts -------------------------------------------------------------------------


def test_before_release_only_counts_and_why(client, world):
    today = timezone.localdate()
    closed = make_released_wave(world["org"], world["units"], {"App": 6, "Nord": 7}, name="Closed", release=False)
    open_wave = Wave.objects.create(
        organisation=world["org"], name="Open now", opens_on=today - dt.timedelta(days=3),
        closes_on=today + dt.timedelta(days=10),
    )  # fmt: skip
    Invitation.objects.bulk_create(
        Invitation(wave=open_wave, unit=world["units"]["App"], email=f"p{i}@example.org", token_hash=f"{i:064d}")
        for i in range(10)
    )
    for wave in (closed, open_wave):
        html = _get(client, world, reverse("dashboards:wave", args=[world["org"].slug, wave.pk]) + "?lang=en")
        assert "only the number of responses is shown" in html
        assert not {"means", "heatmap", "model"} & set(tables(html))
        assert (
            client.get(reverse("dashboards:wave_chart", args=[world["org"].slug, wave.pk, "means"])).status_code == 404
        )
    assert (
        response_count(
            _get(client, world, reverse("dashboards:wave", args=[world["org"].slug, closed.pk]) + "?lang=en")
        )
        == 13
    )
    # a filter cell's count would come from the answers: not before release
    filtered = reverse("dashboards:wave", args=[world["org"].slug, closed.pk]) + "?lang=en&filter=ctx_voluntary&value=1"
    assert response_count(_get(client, world, filtered)) is None
    index = _get(client, world, reverse("dashboards:index", args=[world["org"].slug]) + "?lang=en")
    assert "The wave closed on" in index and "The wave is open until" in index
    assert index.count("Released") >= 2 and "Open" in index
    assert "Not known – with an anonymous link" in index  # no invitations: the rate is not known
    hidden = _get(client, world, reverse("dashboards:hidden", args=[world["org"].slug, closed.pk]) + "?lang=en")
    assert "The wave closed on" in hidden


def test_the_response_rate_of_an_invitation_wave(client, world):
    wave = make_released_wave(world["org"], world["units"], {"App": 6}, name="Invited", release=False)
    Invitation.objects.bulk_create(
        Invitation(wave=wave, unit=world["units"]["App"], email=f"p{i}@example.org", token_hash=f"{i:064d}")
        for i in range(8)
    )
    index = _get(client, world, reverse("dashboards:index", args=[world["org"].slug]) + "?lang=en")
    section = index[index.index(">Invited</h2>") :]
    assert "75%" in section[: section.index("</section>")]  # 6 of 8


def test_the_index_in_norwegian_links_to_the_dashboards(client, world):
    index = _get(client, world, reverse("dashboards:index", args=[world["org"].slug]) + "?lang=nb")
    assert "Frigitt" in index and "Resultater for hele organisasjonen: Autumn" in index
    assert reverse("dashboards:wave", args=[world["org"].slug, world["autumn"].pk]) in index
    assert reverse("dashboards:hidden", args=[world["org"].slug, world["autumn"].pk]) in index


def test_the_dashboard_in_norwegian_uses_decimal_commas(client, world):
    html = _get(client, world, _org_url(world, query="?lang=nb"))
    assert "Gjennomsnitt per dimensjon" in html and "Anbefalte tiltak" in html
    means = tables(html)["means"]
    assert any("," in row[1] for row in means[1:])


# --- audit -----------------------------------------------------------------------------------------------


def test_every_dashboard_view_is_audited(client, world):
    _get(client, world, _org_url(world, query="?filter=ctx_voluntary&value=2"))
    client.get(_chart_url(world, "means", "Nord"))
    client.get(reverse("dashboards:hidden", args=[world["org"].slug, world["autumn"].pk]))
    client.get(reverse("dashboards:index", args=[world["org"].slug]))
    events = list(AuditEvent.objects.order_by("pk").values_list("object_type", "unit", "wave", "detail", "username"))
    nord, wave = world["units"]["Nord"].pk, world["autumn"].pk
    assert events == [
        ("dashboard", None, wave, "filter=ctx_voluntary:2", "hr"),
        ("dashboard_chart", nord, wave, "chart=means", "hr"),
        ("dashboard_hidden", None, wave, "", "hr"),
        ("dashboard_index", None, None, "", "hr"),
    ]


def test_the_next_wave_follows_up_the_measures_chosen_after_the_previous_one(client, world):
    from homeoffice.analysis.groups import compare_waves, measure_follow_up
    from homeoffice.web.actions.models import Action

    Action.objects.create(
        organisation=world["org"], wave=world["spring"], unit=None, measure_id="communication_channels"
    )
    Action.objects.create(organisation=world["org"], wave=world["spring"], unit=None, title="Free text: no targets")
    html = _get(client, world, _org_url(world))
    rows = tables(html)["follow-up"]
    groups, before = wave_groups(world["autumn"]), wave_groups(world["spring"])
    comp = compare_waves(before.results(before.key()), groups.results(groups.key()), groups.instrument)
    expected = measure_follow_up(["communication_channels"], comp)
    expected = expected[expected["measured"]]
    assert len(rows) - 1 == len(expected) > 0
    for row, (_, want) in zip(rows[1:], expected.iterrows(), strict=True):
        assert row[0] == want["title_en"] and row[1] == "Planned" and row[2] == want["name_en"]
        assert number(row[3]) == rounded(want["mean_previous"]) and number(row[4]) == rounded(want["mean_current"])
    # a wave without an earlier one, or no measure chosen, has no follow-up table
    assert "follow-up" not in tables(_get(client, world, _org_url(world, "spring")))


def test_the_results_page_links_each_wave_to_its_report_export_or_import(client, world):
    from homeoffice.web.surveys.models import Wave

    open_wave = Wave.objects.create(
        organisation=world["org"], name="Open", instrument_id="standard", opens_on=world["autumn"].opens_on,
        closes_on=world["autumn"].closes_on + dt.timedelta(days=400),
    )  # fmt: skip
    slug = world["org"].slug
    html = _get(client, world, reverse("dashboards:index", args=[slug]) + "?lang=en")
    assert reverse("data:org_report", args=[slug, world["autumn"].pk]) in html
    assert reverse("data:export_page", args=[slug, world["autumn"].pk]) in html
    assert reverse("data:import", args=[slug, open_wave.pk]) in html
    assert reverse("data:import", args=[slug, world["autumn"].pk]) not in html  # released: frozen
    manager = member("mgr", world["org"], Role.MANAGER, [world["units"]["Salg"]])
    client.force_login(manager)
    html = client.get(reverse("dashboards:index", args=[slug]) + "?lang=en").content.decode()
    assert "/report/" not in html and "/export/" not in html and "/import/" not in html


def test_hr_releases_a_closed_wave_from_the_results_page(client, world):
    from homeoffice.web.dashboards.models import WaveTable

    closed = make_released_wave(world["org"], world["units"], {"App": 6, "Nord": 5}, name="Winter", release=False)
    slug = world["org"].slug
    url = reverse("dashboards:release", args=[slug, closed.pk]) + "?lang=en"
    assert url.split("?")[0] in _get(client, world, reverse("dashboards:index", args=[slug]) + "?lang=en")
    page = _get(client, world, url)
    assert "cannot be undone" in page and "11 people" in page
    res = client.post(url)
    assert res.status_code == 302 and res.url.startswith(reverse("dashboards:wave", args=[slug, closed.pk]))
    closed.refresh_from_db()
    assert closed.is_released and WaveTable.objects.get(wave=closed).respondents == 11
    again = client.post(url)
    assert again.status_code == 409 and "released on" in again.content.decode()
    manager = member("mgr-release", world["org"], Role.MANAGER, [world["units"]["Salg"]])
    client.force_login(manager)
    assert client.post(url).status_code == 403


def test_a_wave_that_has_not_closed_cannot_be_released(client, world):
    from homeoffice.web.surveys.models import Wave

    open_wave = Wave.objects.create(
        organisation=world["org"], name="Open", instrument_id="standard", opens_on=world["autumn"].opens_on,
        closes_on=dt.date.today() + dt.timedelta(days=3),
    )  # fmt: skip
    url = reverse("dashboards:release", args=[world["org"].slug, open_wave.pk]) + "?lang=en"
    client.force_login(world["hr"])
    res = client.post(url)
    assert res.status_code == 409 and "has not closed yet" in res.content.decode()
    open_wave.refresh_from_db()
    assert not open_wave.is_released
