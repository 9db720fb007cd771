"""An attacker with HR's login reads every dashboard of an organisation with small units over two
released waves, and tries to recover a group smaller than the minimum by subtraction.

The attacker fetches every page (the organisation, each filter value, each unit, each unit x filter
value) of both waves with its charts, and reads what a person sees: each group's response count and
its dimension means (the means table, the heat map's rows, the previous wave's means in the
comparison). Then, for every group read, it subtracts any combination of other groups read inside
it (two groups, a parent and any set of its shown children or filter cells) and checks that what is
left is empty or has at least the minimum; where it is smaller, it works out the remainder's means
and compares them with the truth. It also checks that no hidden group's means appear anywhere.
Run once against the real rules (nothing may be recovered) and once against a deliberately broken
rule (only "n >= minimum", no complement or secondary suppression), where the attacker must
succeed: the test can fail.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Hashable
from dataclasses import dataclass, field

import numpy as np
import pytest
from django.urls import reverse

from homeoffice.analysis.groups import group_summary
from homeoffice.anonymity import GroupKey
from homeoffice.web.accounts.models import Role
from homeoffice.web.dashboards import content
from homeoffice.web.dashboards.groups import WaveGroups, wave_groups
from homeoffice.web.dashboards.table import wave_table
from tests.web.dashboard_pages import number, response_count, tables
from tests.web.factories_groups import make_org, make_released_wave
from tests.web.factories_staff import member

pytestmark = pytest.mark.django_db

MIN = 5
# Teams of 3 to 7 and a few people placed directly in a department or the company: Salg minus Nord
# minus Sør is Kundesenter, the company minus its departments is the few placed at the top.
SPRING = {"Nord": 6, "Sør": 5, "Kundesenter": 4, "App": 7, "Plattform": 5, "Utvikling": 2, "TOP": 1}
AUTUMN = {"Nord": 7, "Sør": 5, "Kundesenter": 3, "App": 6, "Plattform": 6, "Salg": 1}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _seed() -> tuple:
    org, units = make_org()
    top = org.name

    def sizes(spec: dict[str, int]) -> dict[str, int]:
        return {(top if u == "TOP" else u): n for u, n in spec.items()}

    # Confidential waves: the people of a unit keep their key, so the comparison matches them.
    keys = {u: [f"{u}-{i}" for i in range(10)] for u in units}
    spring_keys = {u: keys[u][:n] for u, n in sizes(SPRING).items()}
    autumn_keys = {u: keys[u][:n] for u, n in sizes(AUTUMN).items()}
    spring = make_released_wave(
        org, units, sizes(SPRING), name="Spring", closed_days_ago=60, mode="confidential", seed=11, keys=spring_keys
    )
    autumn = make_released_wave(
        org, units, sizes(AUTUMN), name="Autumn", mode="confidential", seed=12, keys=autumn_keys
    )
    return org, units, [spring, autumn], member(f"hr-{org.slug}", org, Role.HR)


# --- what the attacker reads -------------------------------------------------------------------------


@dataclass
class Seen:
    """One group as read from the pages: n, and per dimension the mean and (where shown) its n."""

    n: int
    means: dict[str, float] = field(default_factory=dict)
    dim_n: dict[str, int] = field(default_factory=dict)
    pages: set[str] = field(default_factory=set)


def _note(seen: dict, where: tuple[int, GroupKey], n: int, means: dict[str, float], page: str, dim_n=None) -> None:
    found = seen.setdefault(where, Seen(n))
    assert found.n == n, (where, found.n, n, page)  # the same group reads the same everywhere
    for dim, value in means.items():
        if value is None:
            continue
        assert found.means.setdefault(dim, value) == value, (where, dim, page)
    found.dim_n.update(dim_n or {})
    found.pages.add(page)


def _read(html: str, url: str, wave_pk: int, previous_pk: int | None, key: GroupKey, names: dict[str, int],
          seen: dict) -> None:  # fmt: skip
    found = tables(html)
    if "means" not in found:
        return
    n = response_count(html)
    means = {row[0]: number(row[1]) for row in found["means"][1:]}
    dim_n = {row[0]: int(number(row[5])) for row in found["means"][1:]}
    _note(seen, (wave_pk, key), n, means, url, dim_n)
    if "heatmap" in found:
        header = found["heatmap"][0]
        for row in found["heatmap"][1:]:
            label, values = row[0], [number(x) for x in row[2:]]
            if label not in names:  # "X – hidden", "X – no responses": no values
                assert all(v is None for v in values), (url, label)
                continue
            child = GroupKey(names[label], key.filter, key.value)
            _note(seen, (wave_pk, child), int(number(row[1])), dict(zip(header[2:], values, strict=True)), url)
    if "change" in found and previous_pk is not None:
        before = int(number(re.search(r"\(n = ([\d,]+) before", html).group(1)))
        _note(seen, (previous_pk, key), before, {row[0]: number(row[1]) for row in found["change"][1:]}, url)


def crawl(client, org, waves: list) -> dict[tuple[int, GroupKey], Seen]:
    """Every page of every wave (the organisation, each filter value, each unit, each unit x filter
    value) and each page's charts, as HR, in English."""
    seen: dict[tuple[int, GroupKey], Seen] = {}
    for i, wave in enumerate(waves):
        groups = wave_groups(wave)
        names = {content.unit_name(groups, u): u for u in groups.units}
        previous = waves[i - 1].pk if i else None
        pages: list[tuple[str, GroupKey]] = [(reverse("dashboards:wave", args=[org.slug, wave.pk]), groups.key())]
        for f in groups.filters:
            for v in groups.filter_values(f):
                url = reverse("dashboards:wave", args=[org.slug, wave.pk]) + f"?filter={f}&value={v}"
                pages.append((url, groups.key(None, f, v)))
        for u in groups.units:
            base = reverse("dashboards:unit", args=[org.slug, wave.pk, u])
            pages.append((base, groups.key(u)))
            for f in groups.filters:
                for v in groups.filter_values(f):
                    pages.append((f"{base}?filter={f}&value={v}", groups.key(u, f, v)))
        for url, key in pages:
            sep = "&" if "?" in url else "?"
            response = client.get(f"{url}{sep}lang=en")
            if response.status_code == 404:  # a unit split by a filter the wave does not cross with units
                assert not content.is_group(groups, key), url
                continue
            assert response.status_code == 200, url
            html = response.content.decode()
            _read(html, url, wave.pk, previous, key, names, seen)
            # the charts: an SVG for a shown group, nothing for a hidden or empty one
            path, _, query = url.partition("?")
            for chart in content.CHART_NAMES:
                svg = client.get(f"{path}chart/{chart}.svg?{query}{'&' if query else ''}lang=en")
                assert svg.status_code in ((200, 404) if groups.shown(key) else (404,)), (url, chart)
            # follow the heat map's pages too
            for extra in sorted(set(re.findall(r'href="([^"]*page=\d+)[^"]*"', html))):
                more = client.get(extra.replace("&amp;", "&")).content.decode()
                _read(more, extra, wave.pk, previous, key, names, seen)
    return seen


# --- the attack --------------------------------------------------------------------------------------


@dataclass
class Attack:
    small: list = field(default_factory=list)  # (wave, whole, parts, size): a remainder of 1..MIN-1
    recovered: list = field(default_factory=list)  # those whose worked-out means match the truth
    leaked: list = field(default_factory=list)  # hidden groups read on a page, or their means found


def _members(groups: WaveGroups, key: GroupKey) -> frozenset[int]:
    return frozenset(groups.candidates.members(key).tolist())


def _truth(groups: WaveGroups, table, positions: frozenset[int]) -> dict[str, float]:
    s = group_summary(table.iloc[sorted(positions)], groups.instrument)
    return dict(zip(s.dimensions["name_en"], s.dimensions["mean"], strict=True))


def _work_out(whole: Seen, parts: list[Seen]) -> tuple[dict[str, float], dict[str, float]]:
    """The remainder's means by subtraction of the sums, and how far off rounding to 0.1 can put them."""
    out, tolerance = {}, {}
    for dim, mean in whole.means.items():
        n_whole = whole.dim_n.get(dim, whole.n)
        n_parts = [p.dim_n.get(dim, p.n) for p in parts]
        rest = n_whole - sum(n_parts)
        if rest <= 0 or any(dim not in p.means for p in parts):
            continue
        out[dim] = (n_whole * mean - sum(k * p.means[dim] for k, p in zip(n_parts, parts, strict=True))) / rest
        tolerance[dim] = 0.05 * (n_whole + sum(n_parts)) / rest + 1e-6
    return out, tolerance


def attack(seen: dict[tuple[int, GroupKey], Seen], waves: list) -> Attack:
    result = Attack()
    for wave in waves:
        groups, table = wave_groups(wave), wave_table(wave)
        mine = {key: s for (w, key), s in seen.items() if w == wave.pk}
        members = {key: _members(groups, key) for key in mine}
        # nothing hidden is read, and no hidden group's means turn up anywhere
        hidden = [d.key for d in groups.disclosure if d.status == "hidden"]
        for key in hidden:
            if key in mine:
                result.leaked.append((wave.name, key, "read"))
            truth = {d: round(v, 1) for d, v in _truth(groups, table, _members(groups, key)).items()}
            for other, s in mine.items():
                common = [d for d in truth if d in s.means and not np.isnan(truth[d])]
                same = len(common) > 3 and all(abs(s.means[d] - truth[d]) < 0.051 for d in common)
                if same and _members(groups, key) != members[other]:
                    result.leaked.append((wave.name, key, other))
        # subtract: a group minus any set of disjoint groups read inside it
        for whole, inside in mine.items():
            within = [k for k in mine if k != whole and members[k] < members[whole]]
            for r in range(1, len(within) + 1):
                for parts in itertools.combinations(within, r):
                    union: set[Hashable] = set()
                    disjoint = True
                    for k in parts:
                        if union & members[k]:
                            disjoint = False
                            break
                        union |= members[k]
                    if not disjoint:
                        continue
                    rest = members[whole] - union
                    if 0 < len(rest) < MIN:
                        result.small.append((wave.name, whole, parts, len(rest)))
                        guess, tolerance = _work_out(inside, [mine[k] for k in parts])
                        truth = _truth(groups, table, frozenset(rest))
                        dims = [d for d in guess if not np.isnan(truth.get(d, np.nan))]
                        if dims and all(abs(guess[d] - truth[d]) <= tolerance[d] for d in dims):
                            result.recovered.append((wave.name, whole, parts, sorted(rest)))
    return result


def test_the_attacker_recovers_nothing(client):
    org, _, waves, hr = _seed()
    client.force_login(hr)
    seen = crawl(client, org, waves)
    # the attacker did read something: the organisation, units and the previous wave's figures
    assert {w for w, _ in seen} == {waves[0].pk, waves[1].pk}
    assert len(seen) >= 6
    result = attack(seen, waves)
    print(f"attacker read {len(seen)} groups; small remainders {len(result.small)}")
    assert result.leaked == []
    assert result.small == []
    assert result.recovered == []
    # every group read is one the rules show
    for (w, key), _ in seen.items():
        groups = wave_groups(waves[0] if w == waves[0].pk else waves[1])
        assert groups.shown(key), key


def test_the_attacker_succeeds_against_a_broken_rule(client, monkeypatch):
    """With only "n >= minimum" (no complement, no secondary suppression) Kundesenter falls out of
    Salg minus Nord minus Sør: the attack must find it, or the attacker is blind."""
    monkeypatch.setattr(
        WaveGroups, "shown", lambda self, key: key in self.candidates and self.n(key) >= self.wave.min_group_size
    )
    org, units, waves, hr = _seed()
    client.force_login(hr)
    result = attack(crawl(client, org, waves), waves)
    print(f"broken rule: small remainders {len(result.small)}, recovered {len(result.recovered)}")
    assert result.small, "the broken rule leaves a small remainder"
    assert result.recovered, "the attacker works out the remainder's means"
    spring = wave_groups(waves[0])  # Spring: Salg has no direct members, so the remainder is Kundesenter
    target = sorted(_members(spring, spring.key(units["Kundesenter"].pk)))
    assert any(name == "Spring" and rest == target for name, _, _, rest in result.recovered)
