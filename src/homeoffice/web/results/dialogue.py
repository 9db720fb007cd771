"""Points a person can bring to a conversation with their manager about how home office is set up.

The thesis recommends designing home office "on the employee's terms through dialogue": how many
days at home, the training needed, equipment and facilities (chapter 5.2 and the list in chapter 6),
plus contact, follow-up and boundaries between work and free time (chapter 5.3). This module turns
one person's result into 4-8 concrete talking points, each citing the thesis sections it rests on.

Rules (weakness as in :mod:`homeoffice.measures.engine`: a resource scale at or below 50, a risk
scale at or above 50; context items only when the instrument has them and they were answered):

============================  ====================================================  =============
point                         when                                                  thesis
============================  ====================================================  =============
negative_acts                 frequent exposure to negative acts                    2.4, 5.2, 6
keep                          situation 4                                           5.4, 6.2
high_strain / control         job situation high strain / control domain weak       2.1, 5.2, 6
skills_role                   role 1-3 (leader, adviser, customer) and skill use    4.6, 5.2, 6
                              (or control) weak
days_imposed                  home office imposed by the employer                   5.2, 6
days_many                     4+ days at home or full-time, and isolation, contact  4.6, 5.2
                              threshold, support or positive relations weak
room_none / room_shared       no fixed place / a shared room                        5.2, 5.3, 6
equipment                     physical environment weak (and no room point)         5.2, 5.3, 6
training                      virtual environment or instrumental support weak      5.2, 5.3, 6
contact                       contact threshold, isolation, support or positive     4.7.2, 5.2,
                              relations weak                                        5.3
follow_up                     social environment (management follow-up) weak        5.3
household / quiet             others at home (children; or adults and quiet weak) / 5.3, 6
                              peace and quiet weak
boundaries                    work-life boundary, working hours or well-being weak  5.3, 6
measures                      measures whose actor is the manager or employer       their evidence
============================  ====================================================  =============

The triggered points are ranked by how much they weigh (negative acts first, then situation 4,
high strain, then how far the weakest scale behind each lies beyond the cut, with fixed weights for
context answers); at most 7 are kept, then the measures point; when fewer than 4 result, general
points from the thesis's dialogue topics (days, equipment, training, a follow-up talk) fill up to 4.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from homeoffice.instruments import Instrument
from homeoffice.measures import Recommendation, WeakScale, weak_scales
from homeoffice.web.i18n import t

MIN_POINTS = 4
MAX_POINTS = 8
MAX_MEASURE_TITLES = 3
INTERPERSONAL_ROLES = (1, 2, 3)  # ctx_role: leader, adviser/specialist, customer-facing (thesis 4.6, 5.2)
CONTACT_DOMAINS = ("contact_threshold", "isolation", "support", "positive_relations")
_THESIS_SECTIONS = re.compile(r"(?:thesis|oppgaven)\s+([0-9][0-9.,\s]*[0-9])")  # evidence in en or nb


@dataclass(frozen=True)
class DialoguePoint:
    """One talking point: ``text`` in the person's language, ``sections`` of the thesis it rests on.

    ``cite`` is the citation in words ("thesis 5.2, 6"); ``weight`` ranks the points (module docstring).
    """

    id: str
    text: str
    sections: str
    cite: str
    weight: float


def _point(point_id: str, text: str, sections: str, weight: float, lang: str) -> DialoguePoint:
    return DialoguePoint(point_id, text, sections, t("results_cite_thesis", lang, sections=sections), weight)


def _code(row: pd.Series, instrument: Instrument, item: str) -> int | None:
    """A context answer's code, or None when the instrument lacks the item or it was left blank."""
    if item not in instrument.items_by_id:
        return None
    value = row.get(item)
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else int(number)


def _is_true(value: object) -> bool:
    return isinstance(value, bool | np.bool_) and bool(value)


def _label(instrument: Instrument, item: str, code: int, lang: str) -> str:
    labels = instrument.response_set(instrument.items_by_id[item]).labels
    text = labels.get(code)
    return text.get(lang) if text is not None else str(code)


def _score(value: float) -> str:
    return str(math.floor(value + 0.5))


def thesis_sections(evidence: Sequence[str]) -> str:
    """The thesis sections named in measures' evidence strings, sorted, without repeats.

    >>> thesis_sections(["thesis 5.2, 6; Eiken et al. (2008)", "thesis 4.6, 5.2, 5.4.3"])
    '4.6, 5.2, 5.4.3, 6'
    """
    found: list[str] = []
    for text in evidence:
        for match in _THESIS_SECTIONS.finditer(text):
            found += [s.strip() for s in match[1].split(",") if s.strip()]
    ordered = sorted(dict.fromkeys(found), key=lambda s: tuple(int(x) for x in s.split(".") if x.isdigit()))
    return ", ".join(ordered) or "5.2, 6"


class _Weak:
    """The weak scales of one result, looked up by scale id or domain."""

    def __init__(self, scales: list[WeakScale]) -> None:
        self.by_id = {w.score_id: w for w in scales}
        self.by_domain: dict[str, WeakScale] = {}
        for w in scales:  # weakest first, so the first seen per domain is the deepest
            self.by_domain.setdefault(w.domain, w)

    def any(self, *names: str) -> WeakScale | None:
        """The deepest weak scale among these scale ids and domains, or None."""
        hits = [w for n in names for w in (self.by_id.get(n), self.by_domain.get(n)) if w is not None]
        return max(hits, key=lambda w: w.depth) if hits else None


def _weight(w: WeakScale | None, base: float = 10.0) -> float:
    return base + (w.depth if w is not None else 0.0)


def _triggered(row: pd.Series, instrument: Instrument, lang: str) -> list[DialoguePoint]:
    weak = _Weak(weak_scales(row, instrument, lang=lang))
    points: list[DialoguePoint] = []

    def add(point_id: str, sections: str, weight: float, **params: object) -> None:
        points.append(_point(point_id, t(f"results_dialogue_{point_id}", lang, **params), sections, weight, lang))

    if _is_true(row.get("negative_acts_frequent")):
        add("negative_acts", "2.4, 5.2, 6", 100.0)
    situation = row.get("situation")
    if situation == 4:
        add("keep", "5.4, 6.2", 90.0)

    control = weak.any("control")
    if row.get("job_situation") == "high_strain":
        add("high_strain", "2.1, 5.2, 6", 60.0 + (control.depth / 2 if control else 0.0))
    elif control is not None:
        add("control", "2.1, 5.2, 6", _weight(control), score=_score(control.score))

    role = _code(row, instrument, "ctx_role")
    skills = weak.any("skill_discretion") or (None if "skill_discretion" in weak.by_id else control)
    if role in INTERPERSONAL_ROLES and skills is not None:
        add("skills_role", "4.6, 5.2, 6", _weight(skills, 15.0))

    voluntary = _code(row, instrument, "ctx_voluntary")
    if voluntary == 3:
        add("days_imposed", "5.2, 6", 35.0)
    days = _code(row, instrument, "ctx_days_home")
    arrangement = _code(row, instrument, "ctx_arrangement")
    missing_contact = weak.any(*CONTACT_DOMAINS)
    if missing_contact is not None and ((days is not None and days >= 4) or arrangement == 2):
        if days is not None:
            phrase = t("results_days_per_week", lang, days=_label(instrument, "ctx_days_home", days, lang).lower())
        else:
            phrase = t("results_days_fulltime", lang)
        add("days_many", "4.6, 5.2", _weight(missing_contact, 15.0), days=phrase)

    room = _code(row, instrument, "ctx_room")
    physical = weak.any("physical_environment")
    if room == 3:
        add("room_none", "5.2, 5.3, 6", _weight(physical, 30.0))
    elif room == 2:
        add("room_shared", "5.2, 5.3, 6", _weight(physical, 15.0))
    elif physical is not None:
        add("equipment", "5.2, 5.3, 6", _weight(physical), score=_score(physical.score))

    training = weak.any("virtual_environment", "instrumental_support")
    if training is not None:
        add("training", "5.2, 5.3, 6", _weight(training))
    if missing_contact is not None:
        add("contact", "4.7.2, 5.2, 5.3", _weight(missing_contact))
    follow_up = weak.any("social_environment")
    if follow_up is not None:
        add("follow_up", "5.3", _weight(follow_up))

    household = _code(row, instrument, "ctx_household")
    quiet = weak.any("peace_quiet")
    if household in (3, 4) or (household == 2 and quiet is not None):
        add("household", "5.3, 6", _weight(quiet, 15.0), who=t(f"results_household_{household}", lang))
    elif quiet is not None:
        add("quiet", "5.3, 6", _weight(quiet), score=_score(quiet.score))

    boundary = weak.any("work_life_boundary", "working_hours", "wellbeing")
    if boundary is not None:
        add("boundaries", "5.3, 6", _weight(boundary))
    return points


def _measures_point(recommendations: Sequence[Recommendation], lang: str) -> DialoguePoint | None:
    """Up to three top measures whose actor is the manager or the employer, as one point."""
    chosen = [r for r in recommendations if r.actor in ("manager", "employer")][:MAX_MEASURE_TITLES]
    if not chosen:
        return None
    titles = [t("results_quoted", lang, title=r.title) for r in chosen]
    listed = ", ".join(titles[:-1]) + t("results_and", lang) + titles[-1] if len(titles) > 1 else titles[0]
    text = t("results_dialogue_measures", lang, titles=listed)
    return _point("measures", text, thesis_sections([r.evidence for r in chosen]), 0.0, lang)


_FILLERS = (
    ("days_default", "5.2, 5.3"),
    ("equipment_default", "5.2, 6"),
    ("training_default", "5.2, 6"),
    ("review", "5.2, 6.2"),
)
_SAME_TOPIC = {
    "days_default": {"days_imposed", "days_many"},
    "equipment_default": {"room_none", "room_shared", "equipment"},
    "training_default": {"training"},
    "review": {"keep"},
}


def dialogue_points(
    row: pd.Series | Mapping[str, object],
    instrument: Instrument,
    recommendations: Sequence[Recommendation],
    *,
    lang: str,
) -> list[DialoguePoint]:
    """4-8 talking points for a conversation with the manager (thesis 5.2, 5.3, 6); rules in the module docstring.

    ``row`` is one row of the result table (:func:`homeoffice.web.scoring.result_row`), and
    ``recommendations`` the person's measures from :func:`homeoffice.measures.recommend_for_respondent`.
    """
    row = row if isinstance(row, pd.Series) else pd.Series(dict(row))
    points = sorted(_triggered(row, instrument, lang), key=lambda p: -p.weight)[: MAX_POINTS - 1]
    extra = _measures_point(recommendations, lang)
    if extra is not None:
        points.append(extra)
    have = {p.id for p in points}
    for point_id, sections in _FILLERS:
        if len(points) >= MIN_POINTS:
            break
        if point_id not in have and not (_SAME_TOPIC[point_id] & have):
            points.append(_point(point_id, t(f"results_dialogue_{point_id}", lang), sections, 0.0, lang))
    return points
