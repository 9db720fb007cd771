"""Cut policies, job situation, PWE and productivity indexes, and the dynamic-model situation.

Implements model.md section 4:

- Cut policies per axis (demands, control, support, pwe, productivity): ``fixed`` (the scale
  midpoint 50; default for one respondent or a group under 20), ``sample_median`` (Karasek's
  original; default for groups of 20 or more), ``reference`` (a norm table file with its source)
  and ``custom`` (cut values given by the user).
- Tie rules: with ``fixed``, ``reference`` and ``custom`` a score is high only when strictly above
  its cut (a neutral answer is not high). With ``sample_median`` demands are high above the
  median, control and support are low below it (ties are "not high demands", "not low control",
  "not low support"), and the PWE and productivity indexes are high above the median.
- Job situation (Karasek; Nytrø 1995, thesis figure 2.1): active, high_strain, low_strain,
  passive; iso-strain = high strain and low support.
- PWE index: mean of the profile's PWE scales, risk scales reversed (100 - x), half rule. The PWE
  level is high when the index is high, the job is not high strain and there is no frequent
  exposure to negative acts. The index is the product's own operationalisation, not a validated scale.
- Productivity index: mean of the profile's productivity scales.
- Situation (thesis figure 5.1, chapter 5.4): 1 low/low, 2 high PWE/low productivity,
  3 low PWE/high productivity, 4 high/high; distance to the optimal corner (100, 100), 0-100.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from homeoffice import __version__
from homeoffice.datafiles import load_yaml
from homeoffice.errors import PolicyError, Where
from homeoffice.instruments import Instrument
from homeoffice.scoring import half_rule_mean

AXES = ("demands", "control", "support", "pwe", "productivity")
POLICIES = ("auto", "fixed", "sample_median", "reference", "custom")
GROUP_MEDIAN_MIN_N = 20
MIDPOINT = 50.0

JOB_SITUATIONS = ("active", "high_strain", "low_strain", "passive")
JOB_SITUATION_NAMES = {
    "nb": {"active": "aktiv", "high_strain": "høy belastning", "low_strain": "lav belastning", "passive": "passiv"},
    "en": {"active": "active", "high_strain": "high strain", "low_strain": "low strain", "passive": "passive"},
}


@dataclass(frozen=True)
class CutPolicy:
    """How high and low are decided on each axis. ``cuts`` is empty for ``sample_median``."""

    name: str
    cuts: Mapping[str, float] = field(default_factory=dict)
    source: str = ""

    @property
    def strict_above(self) -> bool:
        return self.name != "sample_median"


def fixed_policy(cut: float = MIDPOINT) -> CutPolicy:
    """The scale midpoint on every axis (model.md: default for one respondent)."""
    _check_cut("cut", cut)
    source = "scale midpoint" if float(cut) == MIDPOINT else "fixed cut"
    return CutPolicy("fixed", dict.fromkeys(AXES, float(cut)), source)


def sample_median_policy() -> CutPolicy:
    """The sample median on every axis (Karasek's original; default for groups of 20 or more)."""
    return CutPolicy("sample_median", {}, "sample median")


def custom_policy(cuts: Mapping[str, float], *, default: float | None = None) -> CutPolicy:
    """User-given cut values per axis; axes not given take ``default`` (an error when it is None)."""
    unknown = sorted(set(cuts) - set(AXES))
    if unknown:
        raise PolicyError(
            "unknown_axis",
            "unknown axis %(axes)s in custom cuts; the axes are %(known)s",
            params={"axes": ", ".join(unknown), "known": ", ".join(AXES)},
        )
    missing = [a for a in AXES if a not in cuts]
    if missing and default is None:
        raise PolicyError(
            "missing_cut",
            "custom cuts need a value for %(axes)s",
            params={"axes": ", ".join(missing)},
        )
    full = {a: float(cuts.get(a, default)) for a in AXES}  # type: ignore[arg-type]
    for axis, value in full.items():
        _check_cut(axis, value)
    return CutPolicy("custom", full, "user-given")


def reference_policy(path: str | Path) -> CutPolicy:
    """Cuts from a norm table file (YAML): ``source:`` (required) and ``cuts: {axis: value}``.

    Example::

        source: "Norwegian reference sample, STAMI NOA 2022 (illustrative)"
        cuts: {demands: 55, control: 62, support: 70, pwe: 65, productivity: 75}
    """
    p = Path(path)
    data = load_yaml(p, PolicyError, what="norm table")
    if not isinstance(data, dict) or not isinstance(data.get("cuts"), dict):
        raise PolicyError("bad_norm_table", "the norm table needs a 'cuts' mapping", where=Where(file=str(p)))
    source = data.get("source")
    if not isinstance(source, str) or not source.strip():
        raise PolicyError(
            "missing_source", "a norm table must name its source ('source:')", where=Where(file=str(p), key="source")
        )
    try:
        pol = custom_policy(data["cuts"], default=data.get("default"))
    except PolicyError as exc:
        raise PolicyError(exc.code, exc.template, params=exc.params, where=Where(file=str(p), key="cuts")) from None
    except (TypeError, ValueError):
        raise PolicyError(
            "bad_cut", "every cut must be a number from 0 to 100", where=Where(file=str(p), key="cuts")
        ) from None
    return CutPolicy("reference", pol.cuts, source.strip())


def _check_cut(axis: str, value: float) -> None:
    if not isinstance(value, int | float) or not 0 <= float(value) <= 100 or np.isnan(value):
        raise PolicyError(
            "bad_cut",
            "the cut for %(axis)s must be a number from 0 to 100; got %(value)s",
            params={"axis": axis, "value": value},
        )


def default_policy(n_respondents: int) -> CutPolicy:
    """``sample_median`` for groups of 20 or more, else ``fixed`` 50 (model.md section 4)."""
    return sample_median_policy() if n_respondents >= GROUP_MEDIAN_MIN_N else fixed_policy()


def pwe_index(scores: Mapping[str, object], instrument: Instrument) -> np.ndarray:
    """Mean of the profile's PWE scales, risk scales reversed (100 - x); half rule."""
    prof = instrument.spec.scoring
    cols = []
    for sid in prof.pwe:
        x = np.asarray(scores[sid], dtype=float)
        cols.append(100.0 - x if instrument.direction(sid) == "risk" else x)
    return half_rule_mean(cols, prof.min_answered)


def productivity_index(scores: Mapping[str, object], instrument: Instrument) -> np.ndarray:
    """Mean of the profile's perceived-productivity scales; half rule."""
    prof = instrument.spec.scoring
    cols = [np.asarray(scores[sid], dtype=float) for sid in prof.productivity]
    return half_rule_mean(cols, prof.min_answered)


def resolve_cuts(policy: CutPolicy, axes: Mapping[str, np.ndarray]) -> dict[str, float]:
    """Cut values per axis; for ``sample_median`` the medians of the given axis values."""
    if policy.name != "sample_median":
        return {a: float(policy.cuts[a]) for a in AXES}
    out = {}
    for axis in AXES:
        values = axes[axis]
        finite = values[~np.isnan(values)]
        out[axis] = float(np.median(finite)) if finite.size else float("nan")
    return out


def _high(values: np.ndarray, cut: float) -> np.ndarray:
    """Strictly above the cut (both tie rules make a tie 'not high' here)."""
    return values > cut


def _not_low(values: np.ndarray, cut: float, policy: CutPolicy) -> np.ndarray:
    """Control/support: fixed cuts need strictly above; the median rule calls a tie not low."""
    return values > cut if policy.strict_above else values >= cut


def negative_acts_frequent(codes: np.ndarray, instrument: Instrument) -> np.ndarray | None:
    """True when any negative-acts item is at or above ``frequent_at``; NaN when none answered.

    Exposure is reported as prevalence, as COPSOQ does for offensive behaviour; the default
    threshold of the standard instrument is weekly (Einarsen et al. 2009's operational criterion).
    """
    na = instrument.spec.scoring.negative_acts
    if na is None or codes.shape[1] == 0:
        return None
    index_of = {item.id: n for n, item in enumerate(instrument.scored_items)}
    cols = [index_of[i.id] for i in instrument.items_of(na.scale)]
    answered = np.zeros(codes.shape[0], dtype=bool)
    frequent = np.zeros(codes.shape[0], dtype=bool)
    for c in cols:
        col = codes[:, c]
        answered |= ~np.isnan(col)
        frequent |= col >= na.frequent_at  # NaN compares False
    return np.where(answered, frequent.astype(float), np.nan)


@dataclass(frozen=True)
class Classified:
    """The classification as plain arrays (one entry per respondent) and the cuts it used.

    ``job`` holds codes into :data:`JOB_SITUATIONS` (-1 unknown); every ``*_known`` mask says where
    the matching value is defined. :func:`classify` turns this into the result table's columns.
    """

    job: np.ndarray
    iso_strain: np.ndarray
    iso_known: np.ndarray
    exposure: np.ndarray | None
    pwe: np.ndarray
    pwe_high: np.ndarray
    productivity: np.ndarray
    productivity_high: np.ndarray
    situation: np.ndarray
    situation_known: np.ndarray
    distance: np.ndarray
    cuts: dict[str, float]


def classify_arrays(
    scores: Mapping[str, object],
    instrument: Instrument,
    policy: CutPolicy,
    *,
    exposure: np.ndarray | None = None,
) -> Classified:
    """The rules of :func:`classify` on a mapping of score arrays (a DataFrame or a dict)."""
    if policy.name not in POLICIES or policy.name == "auto":
        raise PolicyError("unknown_policy", "unknown cut policy '%(name)s'", params={"name": policy.name})
    prof = instrument.spec.scoring
    demands = np.asarray(scores[prof.demands], dtype=float)
    control = np.asarray(scores[prof.control], dtype=float)
    support = np.asarray(scores[prof.support], dtype=float)
    pwe = pwe_index(scores, instrument)
    prod = productivity_index(scores, instrument)
    cuts = resolve_cuts(
        policy, {"demands": demands, "control": control, "support": support, "pwe": pwe, "productivity": prod}
    )

    d_high = _high(demands, cuts["demands"])
    c_high = _not_low(control, cuts["control"], policy)
    s_high = _not_low(support, cuts["support"], policy)
    js_known = ~(np.isnan(demands) | np.isnan(control))
    job = np.select([d_high & c_high, d_high & ~c_high, ~d_high & c_high], [0, 1, 2], default=3).astype(np.int8)
    job[~js_known] = -1
    high_strain = js_known & d_high & ~c_high

    exposed = np.zeros(len(demands), dtype=bool) if exposure is None else exposure == 1.0
    pwe_high = _high(pwe, cuts["pwe"]) & ~high_strain & ~exposed
    prod_high = _high(prod, cuts["productivity"])
    situation = np.select(
        [~pwe_high & ~prod_high, pwe_high & ~prod_high, ~pwe_high & prod_high], [1, 2, 3], default=4
    ).astype(np.int8)
    return Classified(
        job=job,
        iso_strain=high_strain & ~s_high,
        iso_known=js_known & ~np.isnan(support),
        exposure=exposure,
        pwe=pwe,
        pwe_high=pwe_high,
        productivity=prod,
        productivity_high=prod_high,
        situation=situation,
        situation_known=~np.isnan(pwe) & ~np.isnan(prod),
        distance=np.sqrt(((100.0 - pwe) ** 2 + (100.0 - prod) ** 2) / 2.0),
        cuts=cuts,
    )


def classify(
    scores: pd.DataFrame,
    instrument: Instrument,
    policy: CutPolicy,
    *,
    exposure: np.ndarray | None = None,
) -> pd.DataFrame:
    """Job situation, indexes, levels and the dynamic-model situation per respondent.

    ``scores`` holds the scale and composite scores (0-100) of ``score_scales``; ``exposure`` is
    the result of :func:`negative_acts_frequent` (1.0, 0.0 or NaN per row), or None.
    Returns the classification columns and the provenance columns, on ``scores.index``.
    """
    c = classify_arrays(scores, instrument, policy, exposure=exposure)
    iso = pd.array(c.iso_strain, dtype="boolean")
    iso[~c.iso_known] = pd.NA
    sit = pd.array(c.situation, dtype="Int8")
    sit[~c.situation_known] = pd.NA
    columns: dict[str, object] = {
        "job_situation": pd.Categorical.from_codes(c.job, categories=JOB_SITUATIONS),
        "iso_strain": iso,
    }
    if exposure is not None:
        exp = pd.array(exposure == 1.0, dtype="boolean")
        exp[np.isnan(exposure)] = pd.NA
        columns["negative_acts_frequent"] = exp
    columns.update(
        {
            "pwe_index": c.pwe,
            "pwe_level": _level(c.pwe_high, ~np.isnan(c.pwe)),
            "productivity_index": c.productivity,
            "productivity_level": _level(c.productivity_high, ~np.isnan(c.productivity)),
            "situation": sit,
            "distance_to_optimal": c.distance,
        }
    )
    n = len(scores)
    columns.update({key: _constant(value, n) for key, value in provenance(instrument, policy, c.cuts).items()})
    return pd.DataFrame(columns, index=scores.index, copy=False)


def classified_record(c: Classified, row: int = 0) -> dict[str, object]:
    """One respondent's classification as plain JSON values (None where undefined), the same
    values :func:`classify` puts in that row."""

    def number(x: float) -> float | None:
        return None if np.isnan(x) else float(x)

    def level(high: bool, value: float) -> str | None:
        return None if np.isnan(value) else ("high" if high else "low")

    out: dict[str, object] = {
        "job_situation": JOB_SITUATIONS[c.job[row]] if c.job[row] >= 0 else None,
        "iso_strain": bool(c.iso_strain[row]) if c.iso_known[row] else None,
    }
    if c.exposure is not None:
        out["negative_acts_frequent"] = None if np.isnan(c.exposure[row]) else bool(c.exposure[row] == 1.0)
    out.update(
        {
            "pwe_index": number(c.pwe[row]),
            "pwe_level": level(c.pwe_high[row], c.pwe[row]),
            "productivity_index": number(c.productivity[row]),
            "productivity_level": level(c.productivity_high[row], c.productivity[row]),
            "situation": int(c.situation[row]) if c.situation_known[row] else None,
            "distance_to_optimal": number(c.distance[row]),
        }
    )
    return out


def _level(high: np.ndarray, known: np.ndarray) -> pd.Categorical:
    codes = np.where(known, high.astype(np.int8), np.int8(-1))
    return pd.Categorical.from_codes(codes, categories=["low", "high"])


def _constant(value: object, n: int) -> object:
    """A provenance column: strings as a one-category categorical (cheap at a million rows)."""
    if isinstance(value, str):
        return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[value])
    return value


def provenance(instrument: Instrument, policy: CutPolicy, cuts: Mapping[str, float]) -> dict[str, object]:
    """What a result needs to be reproduced: instrument, scoring profile, policy, cuts, version."""
    out: dict[str, object] = {
        "instrument_id": instrument.id,
        "instrument_version": instrument.version,
        "scoring_profile": instrument.spec.scoring.name,
        "cut_policy": policy.name,
    }
    for axis in AXES:
        out[f"cut_{axis}"] = float(cuts[axis])
    out["cut_source"] = policy.source
    out["homeoffice_version"] = __version__
    return out
