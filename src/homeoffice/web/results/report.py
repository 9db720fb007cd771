"""A person's own result, in words and numbers, ready for the page and the PDF.

:func:`build_report` reads one submitted response's stored result (scores, classification,
context, provenance; see :mod:`homeoffice.web.scoring`) and says, in the response's language:

- every scale and composite of the instrument, grouped by axis (psychosocial work environment,
  productivity, other), each read against the cut with its direction: for a resource higher is
  better, for a risk lower is better, demands are neither (model.md section 1); the cut is the
  scale midpoint 50 as in the measures engine, and for demands the stored ``cut_demands``;
- the job situation (Karasek; Nytrø 1995; thesis 2.1 and figure 2.1) with what it means, and the
  iso-strain and negative-acts flags;
- the situation in the dynamic model (thesis figure 5.1, chapter 5.4), the two indexes, the
  distance to the optimal corner, and why the PWE level is low when the index alone is high;
- the ranked measures (:func:`homeoffice.measures.recommend_for_respondent`) and the dialogue
  points (:mod:`homeoffice.web.results.dialogue`);
- the caveats: the PWE index is the product's own operationalisation, and the cut policy used.

The page and the PDF both render this one object, so they always say the same.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from homeoffice.instruments import Instrument, load_instrument
from homeoffice.measures import recommend_for_respondent
from homeoffice.web.i18n import catalogue, t
from homeoffice.web.results.dialogue import DialoguePoint, dialogue_points
from homeoffice.web.scoring import result_row, score_response

LANGS = ("nb", "en")
CUT = 50.0  # the weakness cut of a scale: its midpoint (model.md; homeoffice.measures)
MEASURES_IN_VIEW = 5  # the page shows the best-fitting five; the rest, in the same order, fold away
AXES = ("pwe", "productivity", "other")
PWE_DOMAINS = frozenset(
    {
        "demands",
        "working_hours",
        "control",
        "support",
        "positive_relations",
        "negative_relations",
        "job_insecurity",
        "development",
        "isolation",
        "contact_threshold",
        "work_life_boundary",
    }
)
PRODUCTIVITY_DOMAINS = frozenset(
    {
        "physical_environment",
        "virtual_environment",
        "social_environment",
        "work_practices",
        "wellbeing",
        "flexibility",
        "peace_quiet",
        "productivity",
    }
)
JOB_SITUATIONS = ("active", "high_strain", "low_strain", "passive")


def number(value: float | None) -> str:
    """A 0-100 score for people: a whole number (half up), or a dash when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return str(math.floor(float(value) + 0.5))


def date_text(day: dt.date, lang: str) -> str:
    """``27. november 2025`` (nb) or ``27 November 2025`` (en)."""
    month = t("results_months", lang).split()[day.month - 1]
    return t("results_date", lang, day=day.day, month=month, year=day.year)


@dataclass(frozen=True)
class ScoreLine:
    """One scale or composite: its score and how to read it against the cut."""

    score_id: str
    name: str
    description: str
    score: float | None
    direction: str  # resource | risk | neutral
    reading: str  # good | weak | high | low | missing
    reading_text: str  # the whole reading in one phrase ("Weak – at or below the cut (higher is better)")
    verdict: str  # its first part ("Weak"), for narrow screens
    hint: str  # how to read the direction ("higher is better")
    composite: bool
    part_of: str | None  # the composite's name when this scale is one of its parts

    @property
    def shown(self) -> str:
        return number(self.score)


@dataclass(frozen=True)
class ScoreGroup:
    axis: str  # pwe | productivity | other
    title: str
    lines: tuple[ScoreLine, ...]
    chart_alt: str


@dataclass(frozen=True)
class MeasureLine:
    rank: int
    measure_id: str
    title: str
    description: str
    explanation: str
    actor: str
    actor_text: str
    evidence: str


@dataclass(frozen=True)
class Report:
    """Everything the result page and the PDF show, already in the person's language."""

    lang: str
    survey: str
    submitted_on: dt.date
    date_text: str
    result: Mapping[str, Mapping[str, object]]
    groups: tuple[ScoreGroup, ...]
    job: str  # active | high_strain | low_strain | passive | unknown
    job_name: str
    job_meaning: str
    job_scores: str
    iso_strain: bool
    negative_acts: bool
    situation: int | None
    situation_text: str
    situation_advice: str
    indexes_text: str
    level_note: str
    chart_alt: str
    chart_description: str
    measures: tuple[MeasureLine, ...]
    dialogue: tuple[DialoguePoint, ...]
    caveats: tuple[str, ...]
    provenance: str

    @property
    def measures_in_view(self) -> tuple[MeasureLine, ...]:
        """The best-fitting measures, shown open on the page (a weak result can list twenty)."""
        return self.measures[:MEASURES_IN_VIEW]

    @property
    def measures_folded(self) -> tuple[MeasureLine, ...]:
        """The rest, in rank order, behind a "show more" on the page; the PDF lists them all."""
        return self.measures[MEASURES_IN_VIEW:]

    @property
    def job_intro(self) -> str:
        prov = self.result.get("provenance", {})
        return t("results_job_intro", self.lang, cut=number(_float(prov.get("cut_demands"), CUT)))


def _float(value: object, default: float | None = None) -> float | None:
    try:
        number_ = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
    return default if math.isnan(number_) else number_


def _axis(domain: str) -> str:
    if domain in PWE_DOMAINS:
        return "pwe"
    if domain in PRODUCTIVITY_DOMAINS:
        return "productivity"
    return "other"


def _reading(score: float | None, direction: str, demands_cut: float) -> str:
    if score is None:
        return "missing"
    if direction == "resource":
        return "good" if score > CUT else "weak"
    if direction == "risk":
        return "good" if score < CUT else "weak"
    return "high" if score > demands_cut else "low"


def _score_groups(instrument: Instrument, scores: Mapping[str, object], demands_cut: float, lang: str):
    """Scales in file order, each composite placed just before its first part."""
    spec = instrument.spec
    parent = {}
    for comp in spec.composites:
        for part in comp.of:
            parent.setdefault(part, comp)
    entries: list[tuple[str, bool, str | None, str, str]] = []  # id, composite, part of, domain, description
    placed: set[str] = set()
    for scale in spec.scales:
        comp = parent.get(scale.id)
        if comp is not None and comp.id not in placed:
            entries.append((comp.id, True, None, comp.domain, ""))
            placed.add(comp.id)
        described = scale.description.get(lang) if scale.description else ""
        entries.append((scale.id, False, comp.name.get(lang) if comp else None, scale.domain, described))
    entries += [(c.id, True, None, c.domain, "") for c in spec.composites if c.id not in placed]

    by_axis: dict[str, list[ScoreLine]] = {axis: [] for axis in AXES}
    for score_id, composite, part_of, domain, description in entries:
        score = _float(scores.get(score_id))
        direction = instrument.direction(score_id)
        reading = _reading(score, direction, demands_cut)
        key = "missing" if reading == "missing" else f"{direction}_{reading}"
        by_axis[_axis(domain)].append(
            ScoreLine(
                score_id=score_id,
                name=instrument.name(score_id, lang),
                description=description,
                score=score,
                direction=direction,
                reading=reading,
                reading_text=t(f"results_reading_{key}", lang),
                verdict=t(f"results_verdict_{key}", lang),
                hint=t(f"results_hint_{'missing' if reading == 'missing' else direction}", lang),
                composite=composite,
                part_of=part_of,
            )
        )
    groups = []
    for axis in AXES:
        if by_axis[axis]:
            title = t(f"results_axis_{axis}", lang)
            alt = t("results_chart_scores_alt", lang, axis=title.lower())
            groups.append(ScoreGroup(axis, title, tuple(by_axis[axis]), alt))
    return tuple(groups)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _listing(parts: list[str], lang: str) -> str:
    if len(parts) < 2:
        return "".join(parts)
    return ", ".join(parts[:-1]) + t("results_and", lang) + parts[-1]


def _caveats(instrument: Instrument, provenance: Mapping[str, object], lang: str) -> tuple[str, ...]:
    parts = []
    for score_id in instrument.spec.scoring.pwe:
        name = _lower_first(instrument.name(score_id, lang))
        parts.append(t("results_reversed", lang, name=name) if instrument.direction(score_id) == "risk" else name)
    policy = str(provenance.get("cut_policy") or "fixed")
    key = f"results_policy_{policy}"
    policy_text = t(key, lang) if key in catalogue() else policy
    source = str(provenance.get("cut_source") or "")
    source_text = t("results_source_scale_midpoint", lang) if source == "scale midpoint" else source or policy_text
    axes = ("demands", "control", "support", "pwe", "productivity")
    cuts = {axis: _float(provenance.get(f"cut_{axis}")) for axis in axes}
    if len(set(cuts.values())) == 1:
        cut_text = t("results_caveat_cut", lang, policy=policy_text, source=source_text, cut=number(cuts["pwe"]))
    else:
        cut_text = t(
            "results_caveat_cut_axes",
            lang,
            policy=policy_text,
            source=source_text,
            **{axis: number(value) for axis, value in cuts.items()},
        )
    return (
        t("results_caveat_pwe", lang, parts=_listing(parts, lang)),
        cut_text,
        t("results_caveat_productivity", lang),
        t("results_caveat_talk", lang),
    )


def build_report(
    *,
    result: Mapping[str, Mapping[str, object]] | None,
    instrument_id: str,
    answers: Mapping[str, object],
    lang: str,
    survey: str,
    submitted_on: dt.date,
) -> Report:
    """The whole personal result (module docstring) from a stored result, in ``lang`` (nb or en).

    ``result`` is the JSON stored with the response; when it is missing the answers are scored again
    with the same engine (:func:`homeoffice.web.scoring.score_response`).
    """
    lang = lang if lang in LANGS else "nb"
    instrument = load_instrument(instrument_id)
    result = result or score_response(instrument_id, answers)
    scores = result.get("scores", {})
    cls = result.get("classification", {})
    prov = result.get("provenance", {})
    row = result_row(result)
    profile = instrument.spec.scoring

    job = cls.get("job_situation")
    job = job if job in JOB_SITUATIONS else "unknown"
    job_scores = t(
        "results_job_scores",
        lang,
        demands=number(_float(scores.get(profile.demands))),
        control=number(_float(scores.get(profile.control))),
        support=number(_float(scores.get(profile.support))),
    )

    situation_value = _float(cls.get("situation"))
    situation = int(situation_value) if situation_value in (1.0, 2.0, 3.0, 4.0) else None
    pwe, productivity = _float(cls.get("pwe_index")), _float(cls.get("productivity_index"))
    cut_pwe, cut_productivity = _float(prov.get("cut_pwe"), CUT), _float(prov.get("cut_productivity"), CUT)
    negative_acts = cls.get("negative_acts_frequent") is True
    if situation is None:
        situation_text = t("results_model_unknown", lang)
        advice = ""
        chart_alt = t("results_chart_model_alt_unknown", lang)
    else:
        situation_text = t("results_model_you", lang, n=situation, name=t(f"results_situation_name_{situation}", lang))
        advice = t(f"results_situation_advice_{situation}", lang)
        chart_alt = t("results_chart_model_alt", lang, n=situation, pwe=number(pwe), productivity=number(productivity))
    indexes_text = ""
    if pwe is not None and productivity is not None:
        indexes_text = t(
            "results_model_indexes",
            lang,
            pwe=number(pwe),
            productivity=number(productivity),
            cut_pwe=number(cut_pwe),
            cut_productivity=number(cut_productivity),
            distance=number(_float(cls.get("distance_to_optimal"))),
        )
    level_note = ""
    if pwe is not None and cut_pwe is not None and pwe > cut_pwe and cls.get("pwe_level") == "low":
        reasons = []
        if job == "high_strain":
            reasons.append(t("results_level_reason_high_strain", lang))
        if negative_acts:
            reasons.append(t("results_level_reason_negative_acts", lang))
        if reasons:
            level_note = t("results_model_level_note", lang, reason=_listing(reasons, lang))

    recommendations = recommend_for_respondent(row, instrument, lang=lang)
    measures = tuple(
        MeasureLine(
            rank=r.rank,
            measure_id=r.measure_id,
            title=r.title,
            description=r.description,
            explanation=" ".join((r.reason, *r.notes)).strip(),
            actor=r.actor,
            actor_text=t(f"results_actor_{r.actor}", lang),
            evidence=r.evidence,
        )
        for r in recommendations
    )
    dialogue = tuple(dialogue_points(row, instrument, recommendations, lang=lang))

    return Report(
        lang=lang,
        survey=survey,
        submitted_on=submitted_on,
        date_text=date_text(submitted_on, lang),
        result=result,
        groups=_score_groups(instrument, scores, _float(prov.get("cut_demands"), CUT), lang),
        job=job,
        job_name=t(f"results_job_name_{job}", lang),
        job_meaning=t(f"results_job_meaning_{job}", lang),
        job_scores=job_scores,
        iso_strain=cls.get("iso_strain") is True,
        negative_acts=negative_acts,
        situation=situation,
        situation_text=situation_text,
        situation_advice=advice,
        indexes_text=indexes_text,
        level_note=level_note,
        chart_alt=chart_alt,
        chart_description=t(
            "results_chart_model_describe",
            lang,
            cut_pwe=number(cut_pwe),
            cut_productivity=number(cut_productivity),
        ),
        measures=measures,
        dialogue=dialogue,
        caveats=_caveats(instrument, prov, lang),
        provenance=t(
            "results_provenance",
            lang,
            instrument=t("results_quoted", lang, title=instrument.spec.title.get(lang)),
            version=prov.get("instrument_version") or instrument.version,
            profile=prov.get("scoring_profile") or profile.name,
            software=prov.get("homeoffice_version") or "",
        ),
    )


def result_frame(result: Mapping[str, Mapping[str, object]], label: str) -> pd.DataFrame:
    """The stored result as the 1-row result table the core charts take, indexed by ``label``."""
    row = result_row(result)
    return pd.DataFrame([row.to_dict()], index=pd.Index([label]))
