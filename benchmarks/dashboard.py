"""Benchmark of the dashboards (issue 4, point 3): an organisation of 100,000 respondents in 200
units over two released waves; the server time of the organisation's dashboard and of a unit's.

For each database (SQLite in a fresh temp data dir; PostgreSQL in a database created for the run on
postgres://root@127.0.0.1:5432 and dropped afterwards, skipped with a notice when the server is not
reachable) a child process migrates, seeds the organisation (6 divisions of 5 departments, teams
below: 200 units, depth 4; people spread unevenly, a few placed directly in departments), bulk
inserts the synthetic answers of two waves, releases both (which builds each wave's result table),
logs HR in with Django's test client and measures, in-process, the time of

  org    GET /staff/<org>/results/wave-<id>/             (the heat map of all 199 units, page 1)
  unit   GET /staff/<org>/results/wave-<id>/unit-<id>/   (the largest division: 5 departments below)

as the median of several requests after one warm-up (the first request computes and keeps the
group summaries, heat map, recommendations, comparison and charts of the released table, see
homeoffice.web.dashboards.content; it is reported too, after the process has started up with one
request to the results index). Charts are separate requests and not timed
here. Target: both medians under 300 ms. The last line is ``dashboard_ms: N``, the larger median
over the pages and databases.

    .venv/bin/python benchmarks/dashboard.py [--respondents 100000] [--runs 7] [--databases sqlite,postgres]

Runs in a few minutes (a hard limit of 5 minutes per database) and touches 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

LIMIT_SECONDS = 300
TARGET_MS = 300.0
UNITS = 200


# --- the child: one database -------------------------------------------------------------------------


def _tree(org) -> tuple[dict, list, dict]:
    """Units: the company, 6 divisions x 5 departments, teams below them up to 200 units."""
    from homeoffice.web.organisations.models import Unit

    top = Unit.objects.create(organisation=org, name=org.name)
    units, parent = [top], {top.pk: None}
    departments = []
    for d in range(6):
        division = Unit.objects.create(organisation=org, parent=top, name=f"Divisjon {d + 1}")
        units.append(division)
        parent[division.pk] = top.pk
        for e in range(5):
            dept = Unit.objects.create(organisation=org, parent=division, name=f"Avdeling {d + 1}.{e + 1}")
            units.append(dept)
            parent[dept.pk] = division.pk
            departments.append(dept)
    t = 0
    while len(units) < UNITS:
        dept = departments[t % len(departments)]
        team = Unit.objects.create(organisation=org, parent=dept, name=f"Team {dept.name[9:]}.{t // 30 + 1}")
        units.append(team)
        parent[team.pk] = dept.pk
        t += 1
    return top, units, parent


def _seed_wave(org, units: list, weights, name: str, closed_days_ago: int, n: int, seed: int):
    import datetime as dt
    import uuid

    import numpy as np
    from django.utils import timezone

    from homeoffice.instruments import load_instrument
    from homeoffice.samples.synthetic import synthetic_answers
    from homeoffice.web.responses.models import Response
    from homeoffice.web.surveys.models import Wave

    today = timezone.localdate()
    wave = Wave.objects.create(
        organisation=org,
        name=name,
        instrument_id="standard",
        opens_on=today - dt.timedelta(days=closed_days_ago + 20),
        closes_on=today - dt.timedelta(days=closed_days_ago),
    )
    rng = np.random.default_rng(seed)
    unit_of = rng.choice(len(units), size=n, p=weights)
    table = synthetic_answers(load_instrument("standard"), n, seed=seed)
    columns = {c: table.column(c).to_pylist() for c in table.column_names if c != "respondent_id"}
    batch = []
    for i in range(n):
        answers = {c: int(v[i]) for c, v in columns.items() if v[i] is not None}
        batch.append(
            Response(
                wave=wave,
                unit=units[unit_of[i]],
                resume_hash=uuid.uuid4().hex + uuid.uuid4().hex,
                consented=True,
                answers=answers,
                submitted_on=wave.closes_on,
            )
        )
        if len(batch) == 5000:
            Response.objects.bulk_create(batch)
            batch = []
    if batch:
        Response.objects.bulk_create(batch)
    return wave


def _median_ms(client, url: str, runs: int) -> tuple[float, float, list[float]]:
    """(first request, median of ``runs`` after it, all times) in ms; every answer must be 200."""
    times = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url}: {response.status_code}")
    return times[0], statistics.median(times[1:]), times[1:]


def child(respondents: int, runs: int) -> dict:
    import django

    django.setup()
    import numpy as np
    from django.core.management import call_command
    from django.db import connection

    from homeoffice.web.accounts.models import Role
    from homeoffice.web.dashboards.groups import wave_groups
    from homeoffice.web.organisations.models import Organisation
    from homeoffice.web.surveys.release import release_wave

    out: dict = {"database": connection.vendor}
    clock = time.perf_counter()
    call_command("migrate", verbosity=0)
    org = Organisation.objects.create(name="Stor AS", slug="stor")
    top, units, parent = _tree(org)
    inner = set(parent.values())
    rng = np.random.default_rng(3)
    weights = rng.gamma(1.0, 1.0, len(units)) * np.array(
        [0.0 if u is top else (1.0 if u.pk in inner else 8.0) for u in units]
    )
    weights /= weights.sum()
    waves = []
    for k, (name, days) in enumerate((("Vår", 200), ("Høst", 10))):
        wave = _seed_wave(org, units, weights, name, days, respondents, seed=100 + k)
        start = time.perf_counter()
        release_wave(wave)
        out[f"release_s_{k + 1}"] = time.perf_counter() - start
        waves.append(wave)
    out["seed_s"] = time.perf_counter() - clock

    from django.contrib.auth import get_user_model
    from django.test import Client

    from homeoffice.web.accounts.models import Membership

    user = get_user_model().objects.create_user("hr-bench", password="not-used-here-123")
    Membership.objects.create(user=user, organisation=org, role=Role.HR)
    client = Client()
    client.force_login(user)
    wave = waves[1]
    groups = wave_groups(wave)
    divisions = [u for u in units if parent[u.pk] == top.pk]
    division = max(divisions, key=lambda u: groups.n(groups.key(u.pk)))
    out["respondents"] = len(groups.table)
    out["units"] = len(groups.units)
    out["shown_units"] = sum(groups.shown(groups.key(u)) for u in groups.units)
    pages = {
        "org": f"/staff/{org.slug}/results/wave-{wave.pk}/?lang=nb",
        "unit": f"/staff/{org.slug}/results/wave-{wave.pk}/unit-{division.pk}/?lang=nb",
    }
    client.get(f"/staff/{org.slug}/results/")  # the process's own start (imports, texts), not the wave's
    for name, url in pages.items():
        first, median, times = _median_ms(client, url, runs)
        out[f"{name}_first_ms"] = first
        out[f"{name}_ms"] = median
        out[f"{name}_times"] = [round(x, 1) for x in times]
    out["unit_n"] = groups.n(groups.key(division.pk))
    return out


# --- the parent: one child per database ---------------------------------------------------------------


def run(env: dict[str, str], respondents: int, runs: int) -> dict:
    env = dict(env, ALLOWED_HOSTS="testserver,127.0.0.1")
    cmd = [sys.executable, __file__, "--child", "--respondents", str(respondents), "--runs", str(runs)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=LIMIT_SECONDS)
    if done.returncode != 0:
        raise RuntimeError(f"child failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--respondents", type=int, default=100_000, help="per wave")
    parser.add_argument("--runs", type=int, default=7, help="timed requests per page after the warm-up")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.respondents, args.runs)))
        return

    from _load_support import postgres_database, postgres_reachable, sqlite_database

    worst = 0.0
    for db in args.databases.split(","):
        if db == "postgres":
            why = postgres_reachable()
            if why is not None:
                print(f"postgres: skipped ({why})", flush=True)
                continue
            manager = postgres_database()
        elif db == "sqlite":
            manager = sqlite_database()
        else:
            raise SystemExit(f"unknown database {db!r}; use sqlite and/or postgres")
        with manager as env:
            start = time.perf_counter()
            r = run(env, args.respondents, args.runs)
        print(
            f"{db}: {r['respondents']:,} respondents x 2 waves in {r['units']} units ({r['shown_units']} shown); "
            f"seeded and released in {r['seed_s']:.0f} s "
            f"(release {r['release_s_1']:.1f} s / {r['release_s_2']:.1f} s); "
            f"run {time.perf_counter() - start:.0f} s",
            flush=True,
        )
        for page in ("org", "unit"):
            extra = f" (n = {r['unit_n']:,})" if page == "unit" else ""
            print(
                f"  {page:4}{extra}: median {r[f'{page}_ms']:.0f} ms over {len(r[f'{page}_times'])} requests "
                f"{r[f'{page}_times']}; first request {r[f'{page}_first_ms']:.0f} ms",
                flush=True,
            )
            worst = max(worst, r[f"{page}_ms"])
    print(f"target: under {TARGET_MS:.0f} ms -> {'met' if worst < TARGET_MS else 'NOT met'}")
    print(f"dashboard_ms: {worst:.0f}")


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeoffice.web.settings")
    main()
