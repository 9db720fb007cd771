"""An organisation with a unit tree and released waves of generated answers, for the group tests
(dashboards, reports, exports, anonymity). Sizes are per unit; the answers are synthetic."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping

from django.utils import timezone

from homeoffice.instruments import load_instrument
from homeoffice.samples.synthetic import synthetic_answers
from homeoffice.web.organisations.models import Organisation, Unit
from homeoffice.web.responses.models import Response, new_resume_code, resume_hash
from homeoffice.web.scoring import score_response
from homeoffice.web.surveys.models import Wave
from homeoffice.web.surveys.release import release_wave

_serial = itertools.count(1)

# company > two departments > teams; responses per unit (a department's own people answer too).
TREE: dict[str, dict[str, int]] = {
    "Salg": {"Nord": 12, "Sør": 9, "Kundesenter": 4},
    "Utvikling": {"App": 15, "Plattform": 8},
}


def make_org(
    tree: Mapping[str, Mapping[str, int]] = TREE, *, name: str | None = None
) -> tuple[Organisation, dict[str, Unit]]:
    n = next(_serial)
    org = Organisation.objects.create(name=name or f"Gruppe {n} AS", slug=f"group-org-{n}")
    units = {org.name: Unit.objects.create(organisation=org, name=org.name)}
    for dept, teams in tree.items():
        units[dept] = Unit.objects.create(organisation=org, parent=units[org.name], name=dept)
        for team in teams:
            units[team] = Unit.objects.create(organisation=org, parent=units[dept], name=team)
    return org, units


def make_released_wave(
    org: Organisation,
    units: Mapping[str, Unit],
    sizes: Mapping[str, int],
    *,
    name: str = "Runde",
    closed_days_ago: int = 10,
    mode: str = "anonymous",
    min_group_size: int = 5,
    seed: int = 1,
    keys: Mapping[str, list[str]] | None = None,
    release: bool = True,
) -> Wave:
    """A closed wave with ``sizes[unit name]`` submitted responses per unit, released (by default)."""
    today = timezone.localdate()
    wave = Wave.objects.create(
        organisation=org, name=name, instrument_id="standard", languages="nb,en", mode=mode,
        min_group_size=min_group_size, opens_on=today - dt.timedelta(days=closed_days_ago + 20),
        closes_on=today - dt.timedelta(days=closed_days_ago),
    )  # fmt: skip
    instrument = load_instrument("standard")
    total = sum(sizes.values())
    rows = synthetic_answers(instrument, total, seed=seed).to_pylist()
    made, i = [], 0
    for unit_name, size in sizes.items():
        for k in range(size):
            answers = {key: int(v) for key, v in rows[i].items() if key != "respondent_id" and v is not None}
            i += 1
            made.append(
                Response(
                    wave=wave,
                    unit=units[unit_name],
                    resume_hash=resume_hash(new_resume_code()),
                    consented=True,
                    answers=answers,
                    submitted_on=wave.closes_on,
                    result=score_response("standard", answers),
                    respondent_key=(keys or {}).get(unit_name, [""] * size)[k],
                )
            )
    Response.objects.bulk_create(made)
    if release:
        release_wave(wave)
        wave.refresh_from_db()
    return wave


def team_sizes(tree: Mapping[str, Mapping[str, int]] = TREE) -> dict[str, int]:
    return {team: n for teams in tree.values() for team, n in teams.items()}
