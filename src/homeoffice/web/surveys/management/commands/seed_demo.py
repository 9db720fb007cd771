"""``homeoffice-web seed_demo``: the demo organisation, staff users, an open wave and two released ones.

Idempotent: running it again finds what it made before and adds nothing twice (the open wave's
dates move so that it is open today). The two closed waves (last quarter and the one before, so
that dashboards can compare) get ~150 generated, scored responses each and are released (group
results exist only after release); the answers are synthetic (``homeoffice.samples.synthetic``)
and describe no one. One user per staff role is created with a known demo password.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from homeoffice.instruments import load_instrument
from homeoffice.samples.synthetic import synthetic_answers
from homeoffice.web.accounts.demo import demo_staff_report, seed_demo_staff
from homeoffice.web.organisations.models import Organisation, Unit
from homeoffice.web.responses.models import Response, new_resume_code, resume_hash
from homeoffice.web.scoring import score_response
from homeoffice.web.surveys.actions import do_create_links, link_url, units_with_paths
from homeoffice.web.surveys.models import Wave
from homeoffice.web.surveys.release import release_wave

ORG_NAME, ORG_SLUG = "Demo AS", "demo"
ADMIN_USER = "admin"
# department -> {team: submitted responses in the closed wave}; one team stays below the minimum group size.
TREE = {
    "Salg og service": {"Team Nord": 38, "Team Sør": 35, "Kundesenter": 4},
    "Utvikling": {"Team App": 40, "Team Plattform": 33},
}
OPEN_WAVE = "Hjemmekontor – åpen runde"
CLOSED_WAVE = "Hjemmekontor – forrige kvartal"
EARLIER_WAVE = "Hjemmekontor – kvartalet før"
# the earlier wave: a few people fewer per team (Kundesenter stays below the minimum)
EARLIER_LESS = 3
INSTRUMENT = "standard"
MIN_GROUP = 5
SEED = 2023


def last_quarter(today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the calendar quarter before the one ``today`` is in."""
    first_this = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    last = first_this - dt.timedelta(days=1)
    return dt.date(last.year, 3 * ((last.month - 1) // 3) + 1, 1), last


@dataclass
class Seeded:
    password: str | None
    password_from_env: bool
    user_created: bool
    open_wave: Wave
    closed_wave: Wave
    responses_created: int
    teams: list[Unit]
    earlier_wave: Wave | None = None
    staff: list = None  # accounts.demo.DemoStaff


class Command(BaseCommand):
    help = "Create the demo organisation, a superuser 'admin', an open and a closed wave (safe to run twice)."

    def handle(self, *args: object, **options: object) -> None:
        seeded = seed(timezone.localdate())
        self.stdout.write(report(seeded))


def seed(today: dt.date) -> Seeded:
    """Create (or find) everything the demo needs."""
    with transaction.atomic():
        org, _ = Organisation.objects.get_or_create(slug=ORG_SLUG, defaults={"name": ORG_NAME})
        company = _unit(org, None, ORG_NAME)
        teams: dict[Unit, int] = {}
        for dept_name, team_sizes in TREE.items():
            dept = _unit(org, company, dept_name)
            for team_name, size in team_sizes.items():
                teams[_unit(org, dept, team_name)] = size

        open_wave, created = _wave(org, OPEN_WAVE, today - dt.timedelta(days=7), today + dt.timedelta(days=30))
        if not created and not open_wave.is_open(today):
            open_wave.opens_on, open_wave.closes_on = today - dt.timedelta(days=7), today + dt.timedelta(days=30)
            open_wave.save(update_fields=["opens_on", "closes_on"])
        do_create_links(open_wave)

        q_start, q_end = last_quarter(today)
        closed_wave, _ = _wave(org, CLOSED_WAVE, q_start, q_end)
        made = 0 if closed_wave.responses.exists() else _generate_responses(closed_wave, teams)

        e_start, e_end = last_quarter(q_start)
        earlier_wave, _ = _wave(org, EARLIER_WAVE, e_start, e_end)
        if not earlier_wave.responses.exists():
            fewer = {unit: max(size - EARLIER_LESS, 1) if size >= MIN_GROUP else size for unit, size in teams.items()}
            made += _generate_responses(earlier_wave, fewer, seed=SEED - 1)
        for wave in (earlier_wave, closed_wave):
            if not wave.is_released:
                release_wave(wave, today=today)

        password, from_env, user_created = _superuser()
        staff = seed_demo_staff(org)
    return Seeded(password, from_env, user_created, open_wave, closed_wave, made, list(teams), earlier_wave, staff)


def _wave(org: Organisation, name: str, opens_on: dt.date, closes_on: dt.date) -> tuple[Wave, bool]:
    """The demo wave of this name (anonymous, nb and en, on ``standard``), created with these dates if new."""
    defaults = {"instrument_id": INSTRUMENT, "languages": "nb,en", "mode": Wave.Mode.ANONYMOUS,
                "min_group_size": MIN_GROUP, "opens_on": opens_on, "closes_on": closes_on}  # fmt: skip
    return Wave.objects.get_or_create(organisation=org, name=name, defaults=defaults)


def _unit(org: Organisation, parent: Unit | None, name: str) -> Unit:
    unit, _ = Unit.objects.get_or_create(organisation=org, parent=parent, name=name)
    return unit


def _superuser() -> tuple[str | None, bool, bool]:
    """The demo's staff user: DEMO_ADMIN_PASSWORD when set (re-applied each run), else a generated one."""
    user_model = get_user_model()
    env_password = os.environ.get("DEMO_ADMIN_PASSWORD") or None
    user = user_model.objects.filter(username=ADMIN_USER).first()
    if user is None:
        password = env_password or secrets.token_urlsafe(12)
        user_model.objects.create_superuser(ADMIN_USER, email="admin@demo.invalid", password=password)
        return password, env_password is not None, True
    if env_password:
        user.set_password(env_password)
        user.save(update_fields=["password"])
        return env_password, True, False
    return None, False, False


def _generate_responses(wave: Wave, teams: dict[Unit, int], *, seed: int = SEED) -> int:
    """Synthetic, scored, submitted responses spread over the teams, dated within the wave."""
    instrument = load_instrument(wave.instrument_id)
    total = sum(teams.values())
    rows = synthetic_answers(instrument, total, seed=seed).to_pylist()
    rng = np.random.default_rng(seed)
    days = (wave.closes_on - wave.opens_on).days
    units = [unit for unit, size in teams.items() for _ in range(size)]
    responses, started = [], []
    for row, unit in zip(rows, units, strict=True):
        answers = {k: int(v) for k, v in row.items() if k != "respondent_id" and v is not None}
        submitted = wave.opens_on + dt.timedelta(days=int(rng.integers(0, days + 1)))
        started.append(max(wave.opens_on, submitted - dt.timedelta(days=int(rng.integers(0, 3)))))
        responses.append(
            Response(
                wave=wave,
                unit=unit,
                lang=str(rng.choice(["nb", "en"], p=[0.75, 0.25])),
                resume_hash=resume_hash(new_resume_code()),
                consented=True,
                answers=answers,
                submitted_on=submitted,
                result=score_response(wave.instrument_id, answers),
            )
        )
    Response.objects.bulk_create(responses)
    # started_on is set to today on insert (auto_now_add); put the generated day back.
    by_day: dict[dt.date, list] = {}
    for response, day in zip(responses, started, strict=True):
        by_day.setdefault(day, []).append(response.pk)
    for day, pks in by_day.items():
        Response.objects.filter(pk__in=pks).update(started_on=day)
    return len(responses)


def report(seeded: Seeded) -> str:
    """What to open, in the order a visitor would."""
    base = settings.SITE_URL.rstrip("/")
    if seeded.password and seeded.password_from_env:
        password = f"{seeded.password}   (from DEMO_ADMIN_PASSWORD)"
    elif seeded.password:
        password = f"{seeded.password}   (generated now and shown only this once)"
    else:
        password = "the one printed when the user was created (set DEMO_ADMIN_PASSWORD and run again to replace it)"
    links = {link.unit_id: link.token for link in seeded.open_wave.links.all()}
    paths = {u.pk: u.tree_path for u in units_with_paths(seeded.open_wave.organisation_id)}
    width = max(len(paths[t.pk]) for t in seeded.teams)
    lines = [
        "",
        "homeoffice web demo",
        "===================",
        "",
        f"Staff admin:   {base}/admin/",
        f"  user name:   {ADMIN_USER}",
        f"  password:    {password}",
        "",
        f'Survey links of the open wave "{seeded.open_wave.name}" (anonymous, nb and en), one per team:',
        *[f"  {paths[t.pk]:<{width}}  {link_url(links[t.pk])}" for t in seeded.teams if t.pk in links],
        "",
        "To see a personal result: open a survey link, consent, answer the questions to the end and submit.",
        "You get your own result page (scores, your place in the dynamic model, measures, points for a talk",
        f"with your manager, a PDF) and a resume code; later {base}/resume/ with that code brings it back.",
        "",
        f'Closed wave "{seeded.closed_wave.name}" ({seeded.closed_wave.opens_on} to {seeded.closed_wave.closes_on}): '
        f"{seeded.closed_wave.responses.filter(submitted_on__isnull=False).count()} submitted, generated responses.",
        *[
            f"({team} has {size}, below the minimum group size {MIN_GROUP}, so its results stay hidden.)"
            for sizes in TREE.values()
            for team, size in sizes.items()
            if size < MIN_GROUP
        ],
        f'Earlier wave "{seeded.earlier_wave.name}" ({seeded.earlier_wave.opens_on} to '
        f"{seeded.earlier_wave.closes_on}): released too, so dashboards compare the two.",
        "Invitation e-mails sent from the admin are printed in this terminal (console e-mail backend).",
        "",
        "Group results (dashboards, reports, exports, the action plan) are for staff:",
        demo_staff_report(seeded.staff or [], base),
    ]
    return "\n".join(lines)
