"""Recommend measures (tiltak) for a respondent or a group, each with the reason in words.

Input is the result table of scoring and classification (one row per respondent: a 0-100 column
per scale and composite, the raw context codes, ``situation``, ``job_situation``, ``iso_strain``,
``negative_acts_frequent``), the instrument it was scored with, and a measure catalogue.

Weakness (model.md, fixed cut at the scale midpoint; ``cut`` keyword, default 50): a resource
scale is weak when its score is at or below the cut, a risk scale when it is at or above the cut;
neutral scales (demands) are never weak. A domain is weak when any scale with that ``domain`` in
the instrument is weak; the explanation names the weakest (composites count only when none of the
domain's scales has a score). Missing scores are never weak.

Rules: see :mod:`homeoffice.measures.schema`. Rules on context items that the instrument lacks, or
that the respondent left blank, silently do not fire. In situation 4 only rules that list
situation 4 fire (the catalogue's ``regular_surveys``): keep it and keep measuring, with no
improvement pushes (thesis 5.4, 6.2).

Ranking: measures are ordered first by how their axis fits the situation (tier 2 before tier 1:
in situations 1 and 3, PWE and both-axis measures come first, in situation 1 because a better PWE
tends to lift productivity too, thesis 5.4.3 and Ødegaard & Roos 2014; in situation 2,
productivity and both-axis measures come first; otherwise all are tier 1), then by priority: for
each weak domain the measure targets, 10 plus how far its weakest scale lies beyond the cut (0-50),
plus 10 for each context condition, job situation or flag that made a rule fire; ties keep
catalogue order.

Pairing and conflicts (thesis 5.4.3): a measure that raises social interaction is always
recommended together with the measure it ``pairs_with`` (which protects peace and quiet and
concentration time); a partner added only for that reason comes right after it, and the pairing
is stated on both. When two recommended measures conflict, both say so. In situation 1, a measure
that may cost one axis while raising the other says so in its ``because``; in situations 2 and 3
it does so when it may cost the axis to be kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from homeoffice.errors import HomeofficeError, PolicyError
from homeoffice.instruments import Instrument
from homeoffice.measures.catalogue import Catalogue, load_catalogue
from homeoffice.measures.schema import CONTEXT_NAMES, DOMAINS, FLAGS, Condition, Measure, Rule

LANGS = ("nb", "en")
MIDPOINT = 50.0
POINTS_PER_DOMAIN = 10.0
POINTS_PER_TRIGGER = 10.0

# Tier of each axis per situation (higher first); see the module docstring.
_TIERS: dict[int | None, dict[str, int]] = {
    1: {"pwe": 2, "both": 2, "productivity": 1},
    2: {"pwe": 1, "both": 2, "productivity": 2},
    3: {"pwe": 2, "both": 2, "productivity": 1},
}

# Whole sentences with named placeholders, one per language.
_TEXT: dict[str, dict[str, str]] = {
    "situation_1": {
        "en": "Situation 1 (low PWE, low productivity): raise both without one costing the other, the PWE "
        "first, as a better PWE tends to lift productivity too (thesis 5.4.3; Ødegaard & Roos 2014).",
        "nb": "Situasjon 1 (lavt psykososialt arbeidsmiljø, lav produktivitet): løft begge uten at det ene "
        "går på bekostning av det andre, og det psykososiale arbeidsmiljøet først, siden det ofte også "
        "løfter produktiviteten (oppgaven 5.4.3; Ødegaard & Roos 2014).",
    },
    "situation_2": {
        "en": "Situation 2 (high PWE, low productivity): raise productivity while keeping the PWE (thesis 5.4.1).",
        "nb": "Situasjon 2 (høyt psykososialt arbeidsmiljø, lav produktivitet): løft produktiviteten og "
        "behold det psykososiale arbeidsmiljøet (oppgaven 5.4.1).",
    },
    "situation_3": {
        "en": "Situation 3 (low PWE, high productivity): raise the PWE while keeping productivity (thesis 5.4.2).",
        "nb": "Situasjon 3 (lavt psykososialt arbeidsmiljø, høy produktivitet): løft det psykososiale "
        "arbeidsmiljøet og behold produktiviteten (oppgaven 5.4.2).",
    },
    "situation_4": {
        "en": "Situation 4 (high PWE, high productivity) is the optimal one: keep it, and keep measuring "
        "(thesis 5.4, 6.2).",
        "nb": "Situasjon 4 (høyt psykososialt arbeidsmiljø, høy produktivitet) er den optimale: behold den, "
        "og fortsett å måle (oppgaven 5.4, 6.2).",
    },
    "situation_none": {
        "en": "The situation in the dynamic model could not be determined (too few answers).",
        "nb": "Situasjonen i den dynamiske modellen kunne ikke bestemmes (for få svar).",
    },
    "weak": {
        "en": "Weak areas it targets: %(areas)s.",
        "nb": "Svake områder tiltaket retter seg mot: %(areas)s.",
    },
    "area": {"en": "%(domain)s – %(scales)s", "nb": "%(domain)s – %(scales)s"},
    "score": {"en": "%(name)s %(score).0f", "nb": "%(name)s %(score).0f"},
    "weakest": {"en": "weakest", "nb": "svakest"},
    "risk": {"en": "risk scale, high is bad", "nb": "risikoskala, høyt er dårlig"},
    "context": {"en": "Context: %(facts)s.", "nb": "Kontekst: %(facts)s."},
    "fact": {"en": "“%(question)s” %(answer)s", "nb": "«%(question)s» %(answer)s"},
    "job": {"en": "Job situation: %(job)s.", "nb": "Jobbsituasjon: %(job)s."},
    "job_active": {"en": "active (high demands, high control)", "nb": "aktiv (høye krav, høy kontroll)"},
    "job_high_strain": {"en": "high strain (high demands, low control)", "nb": "høystress (høye krav, lav kontroll)"},
    "job_low_strain": {"en": "low strain (low demands, high control)", "nb": "lavstress (lave krav, høy kontroll)"},
    "job_passive": {"en": "passive (low demands, low control)", "nb": "passiv (lave krav, lav kontroll)"},
    "flag_iso_strain": {
        "en": "Iso-strain: high strain together with low social support.",
        "nb": "Iso-strain: høystress sammen med lav sosial støtte.",
    },
    "flag_negative_acts_frequent": {
        "en": "Frequent exposure to negative acts was reported.",
        "nb": "Det er rapportert hyppig eksponering for negative handlinger.",
    },
    "lacks": {
        "en": "The survey does not measure %(what)s, so this rests on the broader scores.",
        "nb": "Undersøkelsen måler ikke %(what)s, så dette bygger på de bredere skårene.",
    },
    "or": {"en": " or ", "nb": " eller "},
    "trade_off": {"en": "Trade-off: %(note)s", "nb": "Avveiing: %(note)s"},
    "added": {
        "en": "Recommended together with “%(other)s”, which raises social interaction: %(reason)s",
        "nb": "Anbefales sammen med «%(other)s», som øker den sosiale samhandlingen: %(reason)s",
    },
    "pair": {"en": "Pair it with “%(other)s”: %(reason)s", "nb": "Kombiner med «%(other)s»: %(reason)s"},
    "protects": {
        "en": "It also protects concentration time for measures that raise social interaction: %(others)s "
        "(thesis 5.4.3).",
        "nb": "Det beskytter også konsentrasjonstiden for tiltak som øker den sosiale samhandlingen: "
        "%(others)s (oppgaven 5.4.3).",
    },
    "title": {"en": "“%(title)s”", "nb": "«%(title)s»"},
    "and": {"en": " and ", "nb": " og "},
    "conflict": {
        "en": "May conflict with “%(other)s”: %(reason)s",
        "nb": "Kan komme i konflikt med «%(other)s»: %(reason)s",
    },
    "group_why": {"en": "Weak among them: %(areas)s.", "nb": "Svakt blant dem: %(areas)s."},
    "group_area": {"en": "%(domain)s (%(n)d)", "nb": "%(domain)s (%(n)d)"},
    "group_paired": {
        "en": "Added for pairing for %(n)d.",
        "nb": "Lagt til som par for %(n)d.",
    },
    "label_1": {"en": "low PWE, low productivity", "nb": "lavt psykososialt arbeidsmiljø, lav produktivitet"},
    "label_2": {"en": "high PWE, low productivity", "nb": "høyt psykososialt arbeidsmiljø, lav produktivitet"},
    "label_3": {"en": "low PWE, high productivity", "nb": "lavt psykososialt arbeidsmiljø, høy produktivitet"},
    "label_4": {"en": "high PWE, high productivity", "nb": "høyt psykososialt arbeidsmiljø, høy produktivitet"},
    "label_none": {"en": "unknown", "nb": "ukjent"},
}


def _t(key: str, lang: str, **params: object) -> str:
    text = _TEXT[key][lang]
    return text % params if params else text


# The catalogue writes evidence in English with a small fixed vocabulary around the citations
# ("thesis 4.6, 5.2; Eiken & Saksvik (2002), cited in Eiken & Saksvik (2011)"); these are its words
# in bokmål. Author names, years and "et al." are the same in both languages.
EVIDENCE_NB = (
    ("(the thesis's interviews)", "(intervjuene i oppgaven)"),
    ("thesis", "oppgaven"),
    (" cited in ", " sitert i "),
    (") and ", ") og "),
)


def evidence_text(evidence: str, lang: str) -> str:
    """A measure's evidence in ``lang`` (the catalogue's English, or its fixed words in bokmål)."""
    if lang != "nb":
        return evidence
    for en, nb in EVIDENCE_NB:
        evidence = evidence.replace(en, nb)
    return evidence


@dataclass(frozen=True)
class WeakScale:
    """A weak scale: ``depth`` is how far its score lies beyond the cut on the weak side (0-50)."""

    score_id: str
    name: str
    domain: str
    direction: str
    score: float
    depth: float


@dataclass(frozen=True)
class Recommendation:
    """One recommended measure for one respondent.

    ``rank`` 1 comes first; ``tier`` and ``priority`` are the two ranking keys (module docstring).
    ``because`` explains it in the requested language (situation, weak scales with their scores,
    the context that triggered it, and any trade-off); ``reason`` is the same without the opening
    sentence on the situation, which all of a person's measures share; ``notes`` state pairings
    and conflicts.
    ``added_for`` is the id of the interaction-raising measure it was added to protect, if any.
    ``params`` holds the same facts as data: situation, weak scales, context codes, and so on.
    """

    measure_id: str
    rank: int
    tier: int
    priority: float
    title: str
    description: str
    because: str
    reason: str
    notes: tuple[str, ...]
    actor: str
    axis: str
    targets: tuple[str, ...]
    evidence: str
    paired_with: tuple[str, ...] = ()
    conflicts_with: tuple[str, ...] = ()
    added_for: str | None = None
    params: Mapping[str, object] = field(default_factory=dict, hash=False)

    @property
    def explanation(self) -> str:
        """``because`` followed by the pairing and conflict notes."""
        return " ".join((self.because, *self.notes))


@dataclass(frozen=True)
class GroupRecommendation:
    """Measures for a group.

    ``situations``: one row per situation 1-4 and one for unknown (``situation`` <NA>), with
    ``label``, ``n`` and ``share`` of the group.
    ``weakest_scales``: index score id; ``name``, ``domain``, ``direction``, ``mean``, ``n`` and
    ``distance`` (how far the mean lies beyond the cut on the weak side; >= 0 means weak), ``weak``;
    weakest first, neutral scales left out.
    ``measures``: index measure id, in rank order; ``rank``, ``title``, ``actor``, ``axis``, ``n``
    and ``share`` of members it is recommended to, ``n_paired`` (added only as a partner),
    ``mean_tier``, ``mean_priority``, ``why`` (the weak domains among them) and ``evidence``.
    """

    n: int
    situations: pd.DataFrame
    weakest_scales: pd.DataFrame
    measures: pd.DataFrame


@dataclass
class _Match:
    measure: Measure
    index: int
    weak: dict[str, list[WeakScale]]
    context: list[Condition]
    job_situation: str | None
    flags: list[str]
    lacks: list[str]
    tier: int
    priority: float
    added_for: str | None = None


class _View:
    """What the engine needs from an instrument, computed once per call."""

    def __init__(self, instrument: Instrument, lang: str) -> None:
        spec = instrument.spec
        self.instrument = instrument
        self.lang = lang
        self.scales: list[tuple[str, str, str, bool]] = [(s.id, s.domain, s.direction, False) for s in spec.scales]
        self.scales += [(c.id, c.domain, c.direction, True) for c in spec.composites]
        self.domains = {d for _, d, _, _ in self.scales}
        self.context_items = {i.id for i in instrument.context_items}

    def has(self, name: str) -> bool:
        return name in self.domains or name in self.context_items

    def lacks_name(self, name: str) -> str:
        if name in DOMAINS:
            return DOMAINS[name].get(self.lang)
        return CONTEXT_NAMES[name].get(self.lang) if name in CONTEXT_NAMES else name

    def answer(self, item_id: str, code: float) -> tuple[str, str]:
        item = self.instrument.items_by_id[item_id]
        labels = self.instrument.response_set(item).labels
        label = labels.get(int(code)) if float(code).is_integer() else None
        answer = label.get(self.lang) if label else f"{code:g}"
        return item.text.get(self.lang), answer


def _check_options(lang: str, cut: float) -> None:
    if lang not in LANGS:
        raise HomeofficeError(
            "unknown_language",
            "unknown language '%(lang)s'; choose one of %(known)s",
            params={"lang": lang, "known": ", ".join(LANGS)},
        )
    if not 0 < cut < 100:
        raise PolicyError(
            "invalid_cut", "the weakness cut must lie between 0 and 100; got %(cut)s", params={"cut": cut}
        )


def _value(row: pd.Series, key: str) -> object:
    value = row.get(key)
    if value is None:
        return None
    try:
        return None if pd.isna(value) else value
    except (TypeError, ValueError):
        return value


def _situation(row: pd.Series) -> int | None:
    value = _value(row, "situation")
    try:
        s = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return s if s in (1, 2, 3, 4) else None


def _weak_domains(row: pd.Series, view: _View, cut: float) -> dict[str, list[WeakScale]]:
    """Weak scales per domain, weakest first; composites only when no scale of the domain has a score."""
    found: dict[str, list[WeakScale]] = {}
    scored: set[str] = set()
    for score_id, domain, direction, composite in view.scales:
        if direction == "neutral":
            continue
        value = _value(row, score_id)
        if value is None:
            continue
        if composite and domain in scored:
            continue
        scored.add(domain)
        score = float(value)  # type: ignore[arg-type]
        depth = cut - score if direction == "resource" else score - cut
        if depth >= 0:
            name = view.instrument.name(score_id, view.lang)
            found.setdefault(domain, []).append(WeakScale(score_id, name, domain, direction, score, depth))
    return {d: sorted(v, key=lambda w: -w.depth) for d, v in found.items()}


def weak_scales(row: pd.Series, instrument: Instrument, *, cut: float = MIDPOINT, lang: str = "en") -> list[WeakScale]:
    """The respondent's weak scales, weakest first (rule in the module docstring).

    Returns: one :class:`WeakScale` per weak resource or risk scale with a score; names in ``lang``.
    """
    _check_options(lang, cut)
    weak = _weak_domains(row, _View(instrument, lang), cut)
    return sorted((w for ws in weak.values() for w in ws), key=lambda w: -w.depth)


def _context_code(row: pd.Series, view: _View, item: str) -> float | None:
    if item not in view.context_items:
        return None
    value = _value(row, item)
    try:
        return None if value is None else float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _flag(row: pd.Series, name: str) -> bool:
    value = _value(row, name)
    if value is None:
        return False
    try:
        return bool(value)
    except (TypeError, ValueError):
        return False


def _fires(rule: Rule, row: pd.Series, view: _View, situation: int | None, weak: Mapping[str, object]) -> bool:
    if rule.situations is None:
        if situation == 4:
            return False
    elif situation not in rule.situations:
        return False
    if rule.weak and not any(d in weak for d in rule.weak):
        return False
    if rule.job_situations and _value(row, "job_situation") not in rule.job_situations:
        return False
    if rule.flags and not any(_flag(row, f) for f in rule.flags):
        return False
    for cond in rule.context:
        code = _context_code(row, view, cond.item)
        if code is None or not cond.holds(code):
            return False
    return not any(view.has(x) for x in rule.instrument_lacks)


def _tier(measure: Measure, situation: int | None) -> int:
    return _TIERS.get(situation, {}).get(measure.axis, 1)


def _match(
    measure: Measure,
    index: int,
    rules: list[Rule],
    row: pd.Series,
    situation: int | None,
    weak: dict[str, list[WeakScale]],
) -> _Match:
    domains = list(dict.fromkeys([*measure.targets, *(d for r in rules for d in r.weak)]))
    hit = {d: weak[d] for d in domains if d in weak}
    hit = dict(sorted(hit.items(), key=lambda kv: -kv[1][0].depth))
    context = list({str(c): c for r in rules for c in r.context}.values())
    job = _value(row, "job_situation") if any(r.job_situations for r in rules) else None
    flags = [f for f in FLAGS if any(f in r.flags for r in rules) and _flag(row, f)]
    lacks = list(dict.fromkeys(x for r in rules for x in r.instrument_lacks))
    priority = sum(POINTS_PER_DOMAIN + ws[0].depth for ws in hit.values())
    priority += POINTS_PER_TRIGGER * (len(context) + (job is not None) + len(flags))
    return _Match(measure, index, hit, context, job, flags, lacks, _tier(measure, situation), float(priority))


def _rank(catalogue: Catalogue, row: pd.Series, view: _View, cut: float) -> tuple[list[_Match], int | None]:
    situation = _situation(row)
    weak = _weak_domains(row, view, cut)
    fired: list[_Match] = []
    for index, measure in enumerate(catalogue):
        rules = [r for r in measure.applies_when if _fires(r, row, view, situation, weak)]
        if rules:
            fired.append(_match(measure, index, rules, row, situation, weak))
    fired.sort(key=lambda m: (-m.tier, -m.priority, m.index))
    present = {m.measure.id for m in fired}
    ordered: list[_Match] = []
    for m in fired:
        ordered.append(m)
        if not m.measure.raises_interaction:
            continue
        for link in m.measure.pairs_with:
            if link.id in present:
                continue
            partner = catalogue[link.id]
            added = _match(partner, catalogue.index(link.id), [], row, situation, weak)
            added.added_for = m.measure.id
            ordered.append(added)
            present.add(link.id)
    return ordered, situation


def _scales_text(ws: list[WeakScale], lang: str) -> str:
    parts = []
    for k, w in enumerate(ws):
        marks = []
        if k == 0 and len(ws) > 1:
            marks.append(_t("weakest", lang))
        if w.direction == "risk":
            marks.append(_t("risk", lang))
        text = _t("score", lang, name=w.name, score=w.score)
        parts.append(f"{text} ({', '.join(marks)})" if marks else text)
    return ", ".join(parts)


def _shows_trade_off(measure: Measure, situation: int | None) -> bool:
    t = measure.trade_off
    if t is None:
        return False
    return situation == 1 or (situation == 2 and t.costs == "pwe") or (situation == 3 and t.costs == "productivity")


def _situation_sentence(situation: int | None, lang: str) -> str:
    return _t(f"situation_{situation}" if situation else "situation_none", lang)


def _reason(m: _Match, situation: int | None, view: _View, row: pd.Series, catalogue: Catalogue) -> str:
    """Why this measure, without the situation sentence that every measure of a person shares."""
    lang = view.lang
    parts: list[str] = []
    if m.added_for:
        raiser = catalogue[m.added_for]
        link = next(k for k in raiser.pairs_with if k.id == m.measure.id)
        parts.append(_t("added", lang, other=raiser.title.get(lang), reason=link.reason.get(lang)))
    if m.weak:
        areas = "; ".join(
            _t("area", lang, domain=DOMAINS[d].get(lang) if d in DOMAINS else d, scales=_scales_text(ws, lang))
            for d, ws in m.weak.items()
        )
        parts.append(_t("weak", lang, areas=areas))
    if m.context:
        facts = []
        for item in dict.fromkeys(c.item for c in m.context):
            question, answer = view.answer(item, _context_code(row, view, item))  # type: ignore[arg-type]
            facts.append(_t("fact", lang, question=question.rstrip("?:. "), answer=answer))
        parts.append(_t("context", lang, facts="; ".join(facts)))
    if m.job_situation:
        parts.append(_t("job", lang, job=_t(f"job_{m.job_situation}", lang)))
    parts.extend(_t(f"flag_{f}", lang) for f in m.flags)
    if m.lacks:
        parts.append(_t("lacks", lang, what=_t("or", lang).join(view.lacks_name(x) for x in m.lacks)))
    if _shows_trade_off(m.measure, situation):
        note = m.measure.trade_off.note.get(lang)  # type: ignore[union-attr]
        parts.append(_t("trade_off", lang, note=note))
    return " ".join(parts)


def _notes(m: _Match, chosen: dict[str, Measure], lang: str) -> tuple[list[str], list[str], list[str]]:
    """Pairing and conflict notes, with the ids they name."""
    notes: list[str] = []
    paired: list[str] = []
    conflicts: list[str] = []
    me = m.measure
    for link in me.pairs_with:
        if me.raises_interaction and link.id in chosen:
            notes.append(_t("pair", lang, other=chosen[link.id].title.get(lang), reason=link.reason.get(lang)))
            paired.append(link.id)
    raisers = [o for o in chosen.values() if o.raises_interaction and any(k.id == me.id for k in o.pairs_with)]
    paired.extend(o.id for o in raisers)
    others = [_t("title", lang, title=o.title.get(lang)) for o in raisers if o.id != m.added_for]
    if others:
        listed = ", ".join(others[:-1]) + _t("and", lang) + others[-1] if len(others) > 1 else others[0]
        notes.append(_t("protects", lang, others=listed))
    for other in chosen.values():
        reason = next((k.reason for k in me.conflicts if k.id == other.id), None)
        reason = reason or next((k.reason for k in other.conflicts if k.id == me.id), None)
        if reason is not None and other.id != me.id:
            notes.append(_t("conflict", lang, other=other.title.get(lang), reason=reason.get(lang)))
            conflicts.append(other.id)
    return notes, list(dict.fromkeys(paired)), conflicts


def recommend_for_respondent(
    row: pd.Series,
    instrument: Instrument,
    catalogue: Catalogue | None = None,
    *,
    lang: str = "en",
    cut: float = MIDPOINT,
) -> list[Recommendation]:
    """Ranked, explained measures for one respondent's result row.

    ``row``: one row of the result table (scale and composite scores 0-100, raw context codes,
    ``situation``, ``job_situation``, ``iso_strain``, ``negative_acts_frequent``); absent columns
    count as missing. ``catalogue`` None means the built-in one. ``lang``: "nb" or "en".
    ``cut``: the weakness cut (default 50, the scale midpoint; model.md).
    Returns: recommendations in rank order (empty when no rule fires). Rules, ranking and pairing
    are described in the module docstring; sources in each measure's ``evidence``.
    """
    _check_options(lang, cut)
    catalogue = catalogue if catalogue is not None else load_catalogue()
    view = _View(instrument, lang)
    ordered, situation = _rank(catalogue, row, view, cut)
    situation_text = _situation_sentence(situation, lang)
    chosen = {m.measure.id: m.measure for m in ordered}
    out = []
    for rank, m in enumerate(ordered, start=1):
        notes, paired, conflicts = _notes(m, chosen, lang)
        params = {
            "situation": situation,
            "weak": [
                {"scale": w.score_id, "domain": d, "score": w.score, "direction": w.direction}
                for d, ws in m.weak.items()
                for w in ws
            ],
            "context": {c.item: _context_code(row, view, c.item) for c in m.context},
            "conditions": [str(c) for c in m.context],
            "job_situation": m.job_situation,
            "flags": list(m.flags),
            "instrument_lacks": list(m.lacks),
            "trade_off": _shows_trade_off(m.measure, situation),
        }
        reason = _reason(m, situation, view, row, catalogue)
        out.append(
            Recommendation(
                measure_id=m.measure.id,
                rank=rank,
                tier=m.tier,
                priority=m.priority,
                title=m.measure.title.get(lang),
                description=m.measure.description.get(lang),
                because=f"{situation_text} {reason}".strip(),
                reason=reason,
                notes=tuple(notes),
                actor=m.measure.actor,
                axis=m.measure.axis,
                targets=tuple(m.measure.targets),
                evidence=evidence_text(m.measure.evidence, lang),
                paired_with=tuple(paired),
                conflicts_with=tuple(conflicts),
                added_for=m.added_for,
                params=params,
            )
        )
    return out


def recommendations_frame(recommendations: list[Recommendation]) -> pd.DataFrame:
    """The recommendations as a table (one row each, index ``measure_id``), for shells and exports."""
    cols = ["rank", "title", "actor", "axis", "tier", "priority", "because", "notes", "evidence", "added_for"]
    rows = {r.measure_id: {**{c: getattr(r, c) for c in cols}, "notes": " ".join(r.notes)} for r in recommendations}
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=cols)
    frame.index.name = "measure_id"
    return frame


# --- Groups: the same rules as recommend_for_respondent, evaluated column-wise for every member ---


def _numbers(results: pd.DataFrame, column: str) -> np.ndarray:
    """A column as floats (NaN where missing or not a number); all NaN when the column is absent."""
    if column not in results.columns:
        return np.full(len(results), np.nan)
    return pd.to_numeric(results[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _situations(results: pd.DataFrame) -> np.ndarray:
    """Situation per member as int8, 0 where unknown (the rule of :func:`_situation`)."""
    x = np.trunc(_numbers(results, "situation"))
    known = np.isin(x, (1, 2, 3, 4))
    return np.where(known, x, 0).astype(np.int8)


def _truthy(value: object) -> bool:
    return _flag({"v": value}, "v")  # type: ignore[arg-type]


def _flags(results: pd.DataFrame, name: str) -> np.ndarray:
    """The rule of :func:`_flag` for every member: missing is false."""
    if name not in results.columns:
        return np.zeros(len(results), dtype=bool)
    col = results[name]
    if pd.api.types.is_bool_dtype(col.dtype) or pd.api.types.is_numeric_dtype(col.dtype):
        x = col.to_numpy(dtype=float, na_value=np.nan)
        return ~np.isnan(x) & (x != 0)
    return np.fromiter((_truthy(v) for v in col), dtype=bool, count=len(col))


def _holds(cond: Condition, code: np.ndarray) -> np.ndarray:
    """:meth:`Condition.holds` for an array of codes; a missing code never holds."""
    v = cond.value
    with np.errstate(invalid="ignore"):
        match cond.op:
            case "==":
                out = code == v
            case "!=":
                out = code != v
            case ">=":
                out = code >= v
            case "<=":
                out = code <= v
            case ">":
                out = code > v
            case "<":
                out = code < v
            case "in":
                out = np.isin(code, v)
            case _:
                out = ~np.isin(code, v)
    return out & ~np.isnan(code)


class _Members:
    """Everything the rules read from a group's result table, one array per fact (n members)."""

    def __init__(self, results: pd.DataFrame, view: _View, cut: float) -> None:
        self.n = n = len(results)
        self.view = view
        self.situation = _situations(results)
        none = np.zeros(n, dtype=bool)
        self.none = none
        # Weak domains and the depth of each domain's weakest scale (the rule of _weak_domains).
        self.weak: dict[str, np.ndarray] = {}
        self.depth: dict[str, np.ndarray] = {}
        scored: dict[str, np.ndarray] = {}
        for score_id, domain, direction, composite in view.scales:
            if direction == "neutral" or score_id not in results.columns:
                continue
            x = _numbers(results, score_id)
            has = ~np.isnan(x)
            if composite:
                has &= ~scored.get(domain, none)
            scored[domain] = scored.get(domain, none) | has
            depth = cut - x if direction == "resource" else x - cut
            weak = has & (depth >= 0)
            if not weak.any():
                continue
            before = self.weak.get(domain, none)
            old = self.depth.get(domain, np.zeros(n))
            self.depth[domain] = np.where(weak & (~before | (depth > old)), depth, old)
            self.weak[domain] = before | weak
        if "job_situation" in results.columns:
            self._job: pd.Series | None = results["job_situation"].reset_index(drop=True)
        else:
            self._job = None
        self.flags = {f: _flags(results, f) for f in FLAGS}
        self._codes: dict[str, np.ndarray] = {}  # context codes, read when a rule first needs them
        self._results = results

    def code(self, item: str) -> np.ndarray:
        if item not in self._codes:
            inside = item in self.view.context_items
            self._codes[item] = _numbers(self._results, item) if inside else np.full(self.n, np.nan)
        return self._codes[item]

    def job_in(self, jobs: list[str]) -> np.ndarray:
        if self._job is None:
            return self.none
        return self._job.isin(jobs).to_numpy(dtype=bool)

    def any_weak(self, domains: list[str]) -> np.ndarray:
        out = self.none
        for d in domains:
            out = out | self.weak.get(d, self.none)
        return out

    def fires(self, rule: Rule) -> np.ndarray:
        """:func:`_fires` for every member."""
        if any(self.view.has(x) for x in rule.instrument_lacks):
            return self.none
        out = self.situation != 4 if rule.situations is None else np.isin(self.situation, rule.situations)
        if rule.weak:
            out = out & self.any_weak(rule.weak)
        if rule.job_situations:
            out = out & self.job_in(list(rule.job_situations))
        if rule.flags:
            flagged = self.none
            for f in rule.flags:
                flagged = flagged | self.flags[f]
            out = out & flagged
        for cond in rule.context:
            out = out & _holds(cond, self.code(cond.item))
        return out

    def tier(self, measure: Measure) -> np.ndarray:
        """:func:`_tier` for every member."""
        by_situation = np.array([_tier(measure, s or None) for s in range(5)], dtype=np.int64)
        return by_situation[self.situation]


@dataclass
class _GroupMatch:
    """One measure for every member: who gets it, how it ranks for each, and the weak areas it names."""

    measure: Measure
    fired: np.ndarray
    added: np.ndarray
    tier: np.ndarray
    priority: np.ndarray
    areas: dict[str, np.ndarray]  # domain -> members for whom the measure names it as weak

    @property
    def members(self) -> np.ndarray:
        return self.fired | self.added


def _domain_terms(members: _Members, hits: dict[str, np.ndarray]) -> np.ndarray:
    """Per member, the sum of 10 + depth over hit domains, added weakest first as :func:`_match` does."""
    if not hits:
        return np.zeros(members.n)
    terms = np.column_stack(
        [np.where(hit, POINTS_PER_DOMAIN + members.depth.get(d, np.zeros(members.n)), 0.0) for d, hit in hits.items()]
    )
    terms = -np.sort(-terms, axis=1)  # deepest first; a 0 (not hit) adds nothing at the end
    total = np.zeros(members.n)
    for column in terms.T:
        total = total + column
    return total


def _group_fired(measure: Measure, members: _Members) -> _GroupMatch:
    """:func:`_match` for the members for whom one of the measure's rules fires."""
    rules = measure.applies_when
    fired_by = [members.fires(r) for r in rules]
    fired = members.none
    for f in fired_by:
        fired = fired | f
    domains = list(dict.fromkeys([*measure.targets, *(d for r in rules for d in r.weak)]))
    hits = {}
    for d in domains:
        if d not in members.weak:
            continue
        named = np.ones(members.n, dtype=bool) if d in measure.targets else members.none
        for r, f in zip(rules, fired_by, strict=True):
            if d in r.weak:
                named = named | f
        hits[d] = named & members.weak[d]
    triggers = np.zeros(members.n, dtype=np.int64)
    for cond in {str(c) for r in rules for c in r.context}:
        triggers += _any_of(fired_by, [any(str(c) == cond for c in r.context) for r in rules], members)
    triggers += _any_of(fired_by, [bool(r.job_situations) for r in rules], members)
    for flag in FLAGS:
        triggers += _any_of(fired_by, [flag in r.flags for r in rules], members) & members.flags[flag]
    priority = _domain_terms(members, hits) + POINTS_PER_TRIGGER * triggers
    areas = {d: hit & fired for d, hit in hits.items()}
    return _GroupMatch(measure, fired, members.none, members.tier(measure), priority, areas)


def _any_of(fired_by: list[np.ndarray], which: list[bool], members: _Members) -> np.ndarray:
    out = members.none
    for f, use in zip(fired_by, which, strict=True):
        if use:
            out = out | f
    return out


def _group_matches(catalogue: Catalogue, members: _Members) -> list[_GroupMatch]:
    """Every catalogue measure with its members, partners added for pairing (thesis 5.4.3) included."""
    matches = [_group_fired(m, members) for m in catalogue]
    by_id = {g.measure.id: g for g in matches}
    for g in matches:
        if not g.measure.raises_interaction:
            continue
        for link in g.measure.pairs_with:
            partner = by_id[link.id]
            partner.added = partner.added | (g.fired & ~partner.fired)
    for g in matches:
        if not g.added.any():
            continue
        # A partner added only for pairing ranks on the weak domains it targets, with no other trigger.
        hits = {d: g.added & members.weak[d] for d in g.measure.targets if d in members.weak}
        added_priority = _domain_terms(members, hits)
        g.priority = np.where(g.added, added_priority, g.priority)
        for d, hit in hits.items():
            g.areas[d] = g.areas.get(d, members.none) | hit
    return matches


def _situation_table(results: pd.DataFrame, lang: str) -> pd.DataFrame:
    codes = _situations(results)
    n = len(results)
    rows = [
        {
            "situation": s,
            "label": _t(f"label_{s}" if s else "label_none", lang),
            "n": int((codes == (s or 0)).sum()),
        }
        for s in (1, 2, 3, 4, None)
    ]
    table = pd.DataFrame(rows)
    table["situation"] = table["situation"].astype("Int64")
    table["share"] = table["n"] / n
    return table


def _weakest_table(results: pd.DataFrame, view: _View, cut: float) -> pd.DataFrame:
    rows = {}
    for score_id, domain, direction, composite in view.scales:
        if direction == "neutral" or score_id not in results.columns:
            continue
        values = pd.to_numeric(results[score_id], errors="coerce")
        mean = float(values.mean()) if values.notna().any() else float("nan")
        distance = cut - mean if direction == "resource" else mean - cut
        rows[score_id] = {
            "name": view.instrument.name(score_id, view.lang),
            "domain": domain,
            "direction": direction,
            "composite": composite,
            "mean": mean,
            "n": int(values.notna().sum()),
            "distance": distance,
            "weak": bool(distance >= 0),
        }
    cols = ["name", "domain", "direction", "composite", "mean", "n", "distance", "weak"]
    table = pd.DataFrame.from_dict(rows, orient="index", columns=cols)
    table.index.name = "score_id"
    return table.sort_values("distance", ascending=False, na_position="last", kind="stable")


def _targets_order(measure: Measure) -> list[str]:
    return list(dict.fromkeys([*measure.targets, *(d for r in measure.applies_when for d in r.weak)]))


def recommend_for_group(
    results: pd.DataFrame,
    instrument: Instrument,
    catalogue: Catalogue | None = None,
    *,
    lang: str = "en",
    cut: float = MIDPOINT,
) -> GroupRecommendation:
    """Situations, weakest scales and ranked measures for a group of respondents.

    ``results``: the result table (one row per respondent). Each member gets what
    :func:`recommend_for_respondent` would give them (the same rules, tiers, priorities and pairing,
    evaluated column-wise for the whole group at once); a measure's ``share`` is the part of the
    group it is recommended to (as a partner too). Measures are ranked by how many members they
    apply to, then by their mean tier and mean priority among those members, then catalogue order.
    ``why`` lists the weak areas among them, most members first; areas named by equally many keep
    the order in which the measure lists its targets. The weakest scales compare each scale's group
    mean with ``cut`` (model.md fixed cut). Callers apply the minimum group size before showing the
    result.
    Returns: a :class:`GroupRecommendation`.
    """
    _check_options(lang, cut)
    if len(results) == 0:
        raise HomeofficeError("empty_group", "the group has no respondents")
    catalogue = catalogue if catalogue is not None else load_catalogue()
    view = _View(instrument, lang)
    n = len(results)
    members = _Members(results, view, cut)
    rows = []
    for g in _group_matches(catalogue, members):
        who = g.members
        count = int(who.sum())
        if not count:
            continue
        measure = g.measure
        order = _targets_order(measure)
        areas = sorted(
            ((d, int(a.sum())) for d, a in g.areas.items() if a.any()), key=lambda dk: (-dk[1], order.index(dk[0]))
        )
        paired = int(g.added.sum())
        why = []
        if areas:
            listed = ", ".join(
                _t("group_area", lang, domain=DOMAINS[d].get(lang) if d in DOMAINS else d, n=k) for d, k in areas
            )
            why.append(_t("group_why", lang, areas=listed))
        if paired:
            why.append(_t("group_paired", lang, n=paired))
        rows.append(
            {
                "measure_id": measure.id,
                "title": measure.title.get(lang),
                "actor": measure.actor,
                "axis": measure.axis,
                "n": count,
                "share": count / n,
                "n_paired": paired,
                "mean_tier": int(g.tier[who].sum()) / count,
                # Added one by one in member order (accumulate), as a per-member loop would sum them.
                "mean_priority": float(np.add.accumulate(g.priority[who])[-1]) / count,
                "why": " ".join(why),
                "evidence": evidence_text(measure.evidence, lang),
                "_order": catalogue.index(measure.id),
            }
        )
    cols = [
        "measure_id",
        "title",
        "actor",
        "axis",
        "n",
        "share",
        "n_paired",
        "mean_tier",
        "mean_priority",
        "why",
        "evidence",
        "_order",
    ]
    table = pd.DataFrame(rows, columns=cols)
    table = table.sort_values(["n", "mean_tier", "mean_priority", "_order"], ascending=[False, False, False, True])
    table.insert(0, "rank", range(1, len(table) + 1))
    table = table.drop(columns="_order").set_index("measure_id")
    return GroupRecommendation(
        n=n,
        situations=_situation_table(results, lang),
        weakest_scales=_weakest_table(results, view, cut),
        measures=table,
    )
