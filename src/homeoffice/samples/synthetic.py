"""Synthetic answers for demos, tests and benchmarks: plausible, correlated, reproducible.

Each respondent has a general well-being level and one latent level per scale domain; items
follow their domain (reverse-keyed items the other way) with noise, and a share of answers is
left empty. The numbers mean nothing: they exist to exercise the pipeline, never to describe a
real organisation.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from homeoffice.instruments import Instrument


def synthetic_answers(
    instrument: Instrument, n: int, *, seed: int = 2023, missing: float = 0.02, first_id: int = 1
) -> pa.Table:
    """A table of ``n`` respondents: ``respondent_id`` then one int8 column per item (nulls = missing)."""
    rng = np.random.default_rng(seed)
    general = rng.normal(0, 0.8, n)
    columns: dict[str, pa.Array] = {
        "respondent_id": pa.array(np.arange(first_id, first_id + n).astype(str)),
    }
    latent: dict[str, np.ndarray] = {}
    for item in instrument.spec.items:
        rs = instrument.response_set(item)
        if item.scale:
            scale = instrument.scales_by_id[item.scale]
            level = latent.setdefault(scale.domain, general + rng.normal(0, 0.7, n))
            mid, spread = (rs.min + rs.max) / 2, (rs.max - rs.min) / 4
            # Risk scales run against well-being; negative acts are rare (a right-skewed prevalence).
            risk = scale.direction == "risk"
            sign = (-1.0 if item.reverse else 1.0) * (-1.0 if risk else 1.0)
            centre = mid + (-0.4 if risk else 0.4) * spread
            if scale.domain == "negative_relations":
                centre, spread = rs.min + 0.2 * (rs.max - rs.min), spread / 2
            x = np.rint(centre + sign * spread * level + rng.normal(0, 0.6 * spread, n))
        else:
            x = rng.integers(rs.min, rs.max + 1, n).astype(float)
        x = np.clip(x, rs.min, rs.max).astype(np.int8)
        columns[item.id] = pa.array(x, mask=rng.random(n) < missing)
    return pa.table(columns)
