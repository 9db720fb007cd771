"""Shared test helpers: small in-memory instruments."""

from __future__ import annotations

import pytest

from homeoffice.instruments import Instrument, instrument_from_dict


def _t(s: str) -> dict:
    return {"nb": f"{s} (nb)", "en": s}


def build_instrument(
    scales: dict[str, int],
    *,
    reverse: set[str] = frozenset(),
    na: bool = False,
    composites: dict[str, list[str]] | None = None,
    scoring: dict | None = None,
    directions: dict[str, str] | None = None,
    extra: dict | None = None,
) -> Instrument:
    """An instrument with ``scales`` = {scale id: number of 1-5 items}; items are <scale>_<n>."""
    rs = {"min": 1, "max": 5, "labels": {k: _t(f"label {k}") for k in range(1, 6)}}
    if na:
        rs["na_codes"] = {9: _t("not applicable")}
    items = []
    for sid, k in scales.items():
        for n in range(1, k + 1):
            iid = f"{sid}_{n}"
            items.append(
                {
                    "id": iid,
                    "scale": sid,
                    "response_set": "five",
                    "reverse": iid in reverse,
                    "text": _t(f"question {iid}"),
                }
            )
    ids = list(scales)
    directions = directions or {}
    data = {
        "id": "mini",
        "version": "0.1",
        "title": _t("mini"),
        "description": _t("mini instrument for tests"),
        "source": "tests",
        "response_sets": {"five": rs},
        "scales": [
            {"id": s, "name": _t(s), "direction": directions.get(s, "resource"), "domain": "context"} for s in ids
        ],
        "composites": [
            {"id": c, "name": _t(c), "of": of, "direction": "resource", "domain": "context"}
            for c, of in (composites or {}).items()
        ],
        "items": items,
        "scoring": scoring
        or {
            "name": "test",
            "demands": ids[0],
            "control": ids[0],
            "support": ids[0],
            "pwe": [ids[0]],
            "productivity": [ids[0]],
        },
    }
    if extra:
        data.update(extra)
    return instrument_from_dict(data)


@pytest.fixture
def make_instrument():
    return build_instrument
