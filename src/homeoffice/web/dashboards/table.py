"""Build, store and read a released wave's result table (answers -> scores -> situation, one row
per submitted response), the only input of dashboards, group reports and exports.

Columns: ``unit_id``; ``respondent_key`` (confidential waves: the pseudonymous key that matches a
person across waves; never shown); every scored item's code and every context item (``codes``);
the open answers (text, "" when none); then the core's result columns (scores, classification,
provenance) from :func:`homeoffice.pipeline.score_table`.

The whole wave is classified with one cut policy, the model's default for its size (model.md
section 4: the sample median from 20 respondents, else the fixed cut 50), so units are placed
against the same cuts and a unit's shares can be compared with the organisation's.
"""

from __future__ import annotations

import io
import threading
import uuid
from collections import OrderedDict

import numpy as np
import pandas as pd
from django.db import connection

from homeoffice.classification import default_policy
from homeoffice.instruments import Instrument, load_instrument
from homeoffice.pipeline import codes_matrix, score_table
from homeoffice.web.dashboards.models import WaveTable
from homeoffice.web.responses.models import Response
from homeoffice.web.surveys.models import Wave

CACHE_TABLES = 8  # released tables kept in memory per server process (each a few MB per 10,000 people)


def _rows(wave: Wave) -> list[tuple]:
    """(unit_id, respondent_key, answers, open_answers) of every submitted response, in a stable order."""
    q = connection.ops.quote_name
    f = {x.name: q(x.column) for x in Response._meta.concrete_fields}
    sql = (
        f"SELECT {f['unit']}, {f['respondent_key']}, {f['answers']}, {f['open_answers']} "
        f"FROM {q(Response._meta.db_table)} WHERE {f['wave']} = %s AND {f['submitted_on']} IS NOT NULL "
        f"ORDER BY {f['resume_hash']}"
    )
    answers_field = Response._meta.get_field("answers")
    convert = answers_field.from_db_value
    with connection.cursor() as cursor:
        cursor.execute(sql, [wave.pk])
        return [(u, k, convert(a, None, connection) or {}, convert(o, None, connection) or {}) for u, k, a, o in cursor]


def build_table(wave: Wave) -> pd.DataFrame:
    """Score every submitted response of the wave together (see the module docstring)."""
    instrument = load_instrument(wave.instrument_id)
    rows = _rows(wave)
    answers = [r[2] for r in rows]
    codes, context = codes_matrix(answers, instrument)
    index = pd.RangeIndex(len(rows))
    policy = default_policy(len(rows))
    result = score_table(codes, instrument, index=index, policy=policy, context=context)
    columns: dict[str, object] = {
        "unit_id": np.array([r[0] for r in rows], dtype=np.int64),
        "respondent_key": pd.array([r[1] for r in rows], dtype="string"),
    }
    for j, item in enumerate(instrument.scored_items):
        columns[item.id] = pd.array(codes[:, j], dtype="Float32")
    for q in instrument.spec.open_questions:
        columns[q.id] = pd.array([r[3].get(q.id, "") for r in rows], dtype="string")
    table = pd.DataFrame(columns, index=index)
    out = pd.concat([table, result.reset_index(drop=True)], axis=1)
    out.attrs["instrument_id"] = instrument.id
    return out


def store_table(wave: Wave) -> WaveTable:
    """Build the wave's table and save it (replacing an earlier one). Called when the wave is released."""
    table = build_table(wave)
    buffer = io.BytesIO()
    table.to_parquet(buffer, index=False, compression="zstd")
    stored, _ = WaveTable.objects.update_or_create(
        wave=wave,
        defaults={
            "respondents": len(table),
            "cut_policy": str(table["cut_policy"].iloc[0]) if len(table) else default_policy(0).name,
            "parquet": buffer.getvalue(),
            "build_id": uuid.uuid4(),
        },
    )
    return stored


_cache: OrderedDict[tuple[str, int, uuid.UUID], pd.DataFrame] = OrderedDict()
_cache_lock = threading.Lock()


def wave_table(wave: Wave, build: uuid.UUID | None = None) -> pd.DataFrame | None:
    """The released table of the wave (None before release), from this process's cache when the
    stored build (``build``, when the caller has just read it) is the one cached."""
    if build is None:
        build = WaveTable.objects.filter(wave=wave).values_list("build_id", flat=True).first()
    if build is None:
        return None
    key = (connection.alias, wave.pk, build)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    data = WaveTable.objects.filter(wave=wave).values_list("parquet", flat=True).first()
    if data is None:
        return None
    table = pd.read_parquet(io.BytesIO(bytes(data)))
    with _cache_lock:
        _cache[key] = table
        while len(_cache) > CACHE_TABLES:
            _cache.popitem(last=False)
    return table


def instrument_of(wave: Wave) -> Instrument:
    return load_instrument(wave.instrument_id)


def register_release_hook() -> None:
    """Build the table inside the release transaction (a failure leaves the wave unreleased)."""
    try:
        from homeoffice.web.surveys.release import on_release
    except ImportError:  # the release module is not there yet
        return
    if store_table not in on_release:
        on_release.append(store_table)
