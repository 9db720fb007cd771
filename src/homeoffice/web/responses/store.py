"""The answering flow's reads and writes of one response, in plain SQL built once per process.

Every request of the flow reads the person's response and its wave, and every page save merges
answers into one row. Django's ORM spends ~10x the query's own time building the SQL on
each call (measured: 335 us against 18 us for the read, 426 us against 44 us for the save), which
decided the load target of issue 3 (submissions at 40% of a bare page's throughput). Here the SQL
is built once from the models' metadata, and values go in and out through the fields' own
conversions (``get_db_prep_save``, the backend's and the field's converters), so a row read here is
the same ``Response``/``Wave`` the ORM would give, on SQLite and on PostgreSQL alike.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Field, Model

from homeoffice.web.responses.models import Response
from homeoffice.web.surveys.models import AnonymousLink, Wave, language_codes

LOCKED = ("answers", "open_answers", "submitted_on")


def _converters(field: Field, alias: str) -> list:
    col = field.get_col(alias)
    return connection.ops.get_db_converters(col) + col.get_db_converters(connection)


@dataclass(frozen=True)
class _Columns:
    """The selected columns of one model: names for SQL, attnames for ``from_db``, converters."""

    model: type[Model]
    sql: list[str]
    attnames: list[str]
    converters: list[list]

    @classmethod
    def of(cls, model: type[Model], alias: str) -> _Columns:
        fields = model._meta.concrete_fields
        q = connection.ops.quote_name
        return cls(
            model,
            [f"{alias}.{q(f.column)}" for f in fields],
            [f.attname for f in fields],
            [_converters(f, alias) for f in fields],
        )

    def build(self, values: Sequence[object]) -> Model:
        out = []
        for value, converters in zip(values, self.converters, strict=True):
            for convert in converters:
                value = convert(value, None, connection)
            out.append(value)
        return self.model.from_db(connection.alias, self.attnames, out)


@dataclass(frozen=True)
class _Joined:
    """``SELECT`` a model's row with its wave's row, by one column."""

    sql: str
    own: _Columns
    wave: _Columns

    def fetch(self, key: object) -> Model | None:
        with connection.cursor() as cursor:
            cursor.execute(self.sql, [key])
            row = cursor.fetchone()
        if row is None:
            return None
        n = len(self.own.attnames)
        obj = self.own.build(row[:n])
        self.own.model._meta.get_field("wave").set_cached_value(obj, self.wave.build(row[n:]))
        return obj


@cache
def _joined(vendor: str, model: type[Model], by: str) -> _Joined:
    """The model (with a ``wave`` foreign key) and its wave, by column ``by`` (one per backend)."""
    q = connection.ops.quote_name
    own, wave = _Columns.of(model, "m"), _Columns.of(Wave, "w")
    fk = model._meta.get_field("wave").column
    sql = (
        f"SELECT {', '.join(own.sql + wave.sql)} FROM {q(model._meta.db_table)} m "
        f"INNER JOIN {q(Wave._meta.db_table)} w ON w.{q(Wave._meta.pk.column)} = m.{q(fk)} "
        f"WHERE m.{q(model._meta.get_field(by).column)} = %s"
    )
    return _Joined(sql, own, wave)


@dataclass(frozen=True)
class _Statements:
    lock: str
    save: str
    submit: str
    insert: str
    insert_fields: list[Field]


@cache
def _statements(vendor: str) -> _Statements:
    """The SQL of this database backend (``vendor`` is the cache key: one per backend)."""
    q = connection.ops.quote_name
    table = q(Response._meta.db_table)
    col = {f.name: q(f.column) for f in Response._meta.concrete_fields}
    for_update = " FOR UPDATE" if connection.features.has_select_for_update else ""
    fields = list(Response._meta.concrete_fields)
    return _Statements(
        lock=(
            f"SELECT {col['answers']}, {col['open_answers']}, {col['submitted_on']} FROM {table} "
            f"WHERE {col['id']} = %s{for_update}"
        ),
        save=(
            f"UPDATE {table} SET {col['answers']} = %s, {col['open_answers']} = %s, {col['page']} = %s, "
            f"{col['lang']} = %s WHERE {col['id']} = %s"
        ),
        submit=f"UPDATE {table} SET {col['result']} = %s, {col['submitted_on']} = %s WHERE {col['id']} = %s",
        insert=(
            f"INSERT INTO {table} ({', '.join(q(f.column) for f in fields)}) VALUES ({', '.join(['%s'] * len(fields))})"
        ),
        insert_fields=fields,
    )


def _field(name: str) -> Field:
    return Response._meta.get_field(name)


def _key(response_id: uuid.UUID | str) -> object:
    return _field("id").get_db_prep_value(uuid.UUID(str(response_id)), connection)


def _json(name: str, value: object) -> object:
    return _field(name).get_db_prep_save(value, connection)


@cache
def _field_converters(vendor: str, name: str) -> list:
    return _converters(_field(name), "r")


def _from_db(name: str, value: object) -> object:
    for convert in _field_converters(connection.vendor, name):
        value = convert(value, None, connection)
    return value


def load(response_id: uuid.UUID | str) -> Response | None:
    """The response with its wave (``response.wave`` needs no second query), or None."""
    return _joined(connection.vendor, Response, "id").fetch(_key(response_id))


def link_by_token(token: str) -> AnonymousLink | None:
    """The anonymous link with this token, with its wave, or None."""
    return _joined(connection.vendor, AnonymousLink, "token").fetch(token)


def link_by_id(link_id: int) -> AnonymousLink | None:
    return _joined(connection.vendor, AnonymousLink, "id").fetch(link_id)


def insert(response: Response) -> None:
    """INSERT a new response (its defaults filled in as ``save()`` would: id, ``started_on``)."""
    sql = _statements(connection.vendor)
    values = [f.get_db_prep_save(f.pre_save(response, True), connection) for f in sql.insert_fields]
    with connection.cursor() as cursor:
        cursor.execute(sql.insert, values)
    response._state.adding = False
    response._state.db = connection.alias


@dataclass(frozen=True)
class Locked:
    """A response's answers as read under its row lock (inside a transaction)."""

    answers: dict
    open_answers: dict
    submitted_on: date | None


def lock(response_id: uuid.UUID | str) -> Locked | None:
    """Read the answers and lock the row until the transaction ends (SQLite: the write lock,
    taken at BEGIN IMMEDIATE). Call inside ``transaction.atomic()``."""
    with connection.cursor() as cursor:
        cursor.execute(_statements(connection.vendor).lock, [_key(response_id)])
        row = cursor.fetchone()
    if row is None:
        return None
    answers, open_answers, submitted_on = (_from_db(name, v) for name, v in zip(LOCKED, row, strict=True))
    return Locked(answers or {}, open_answers or {}, submitted_on)


def save_page(
    response_id: uuid.UUID | str,
    *,
    closed: Mapping[str, int | None],
    opened: Mapping[str, str],
    next_page: int,
    lang: str,
) -> bool:
    """Merge one page into the stored answers; False (nothing written) when the response was
    submitted meanwhile or is gone.

    ``closed`` maps item ids to a code, or None to remove an answer; ``opened`` maps open-question
    ids to text ("" removes it). On SQLite and PostgreSQL the merge is one ``UPDATE ... WHERE
    submitted_on IS NULL`` done by the database (SQLite's ``json_patch``, RFC 7396: a null removes
    a key; PostgreSQL's ``jsonb ||`` and ``-``): atomic without a read, and on PostgreSQL one round
    trip instead of four. Other databases read under a row lock and write back.
    """
    patch, open_patch = _patches(closed, opened)
    if connection.vendor in ("sqlite", "postgresql"):
        return _merge(response_id, patch, open_patch, next_page, lang)
    return _save_page_locked(response_id, patch, open_patch, next_page, lang)


def _patches(closed: Mapping[str, int | None], opened: Mapping[str, str]) -> tuple[dict, dict]:
    """A page's answers as RFC 7396 patches: None (a code left out, an empty text) removes a key."""
    return {k: None if v is None else int(v) for k, v in closed.items()}, {k: v or None for k, v in opened.items()}


class WaveRule(NamedTuple):
    """What decides whether a wave takes answers: its instrument, languages and dates."""

    instrument_id: str
    languages: tuple[str, ...]
    opens_on: date
    closes_on: date

    def takes(self, lang: str, today: date) -> bool:
        return lang in self.languages and self.opens_on <= today <= self.closes_on


def wave_rule(wave_id: int) -> WaveRule | None:
    """The :class:`WaveRule` of a wave, or None when there is no such wave."""
    row = Wave.objects.filter(pk=wave_id).values_list("instrument_id", "languages", "opens_on", "closes_on").first()
    if row is None:
        return None
    instrument_id, languages, opens_on, closes_on = row
    return WaveRule(instrument_id, tuple(language_codes(languages)), opens_on, closes_on)


def save_page_if_open(
    response_id: uuid.UUID | str,
    *,
    wave_id: int,
    closed: Mapping[str, int | None],
    opened: Mapping[str, str],
    next_page: int,
    lang: str,
) -> bool:
    """:func:`save_page` in one statement that writes only while the response is consented, not
    submitted and in wave ``wave_id`` (whose :class:`WaveRule` the caller has checked). False:
    nothing written; the full view shows the person why. SQLite and PostgreSQL only (the quick
    page save's write)."""
    if connection.vendor not in ("sqlite", "postgresql"):
        raise NotImplementedError(f"save_page_if_open does not support {connection.vendor}")
    patch, open_patch = _patches(closed, opened)
    return _merge(response_id, patch, open_patch, next_page, lang, wave_id=wave_id)


def _merge(
    response_id: uuid.UUID | str,
    patch: Mapping[str, object],
    open_patch: Mapping[str, object],
    page: int,
    lang: str,
    wave_id: int | None = None,
) -> bool:
    """One ``UPDATE`` that merges RFC 7396 patches (a None removes a key) into the answers: SQLite's
    ``json_patch``, PostgreSQL's ``jsonb ||`` and ``-``. Only the parts a page has are in the
    statement (most pages have no open questions): the database does less for each save."""
    vendor = connection.vendor
    values: list[object] = []
    parts = []
    for changes in (patch, open_patch):
        if not changes:
            parts.append((False, False))
        elif vendor == "sqlite":
            values.append(json.dumps(changes))
            parts.append((True, False))
        else:
            adds, removes = _jsonb_patch(changes)
            values += [v for v in (adds, removes) if v]
            parts.append((bool(adds), bool(removes)))
    values += [page, lang, _key(response_id)] + ([] if wave_id is None else [wave_id])
    sql = _merge_statement(vendor, tuple(parts), conditional=wave_id is not None)
    if vendor == "sqlite":
        with transaction.atomic(), connection.cursor() as cursor:  # atomic: the writers' file lock
            cursor.execute(sql, values)
            return cursor.rowcount == 1
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        return cursor.rowcount == 1


def _jsonb_patch(patch: Mapping[str, object]) -> tuple[str, list[str]]:
    """An RFC 7396 patch as PostgreSQL's (jsonb to add, keys to remove); each part empty if none."""
    adds = {k: v for k, v in patch.items() if v is not None}
    return (json.dumps(adds) if adds else ""), [k for k, v in patch.items() if v is None]


@cache
def _merge_statement(vendor: str, parts: tuple[tuple[bool, bool], ...], conditional: bool = False) -> str:
    """The merge for this backend; ``parts``: per JSON column (answers, open answers) whether
    the statement adds and whether it removes keys; ``conditional``: only while the response is
    consented and in the given wave (:func:`save_page_if_open`)."""
    q = connection.ops.quote_name
    col = {f.name: q(f.column) for f in Response._meta.concrete_fields}
    sets = []
    for name, (adds, removes) in zip(("answers", "open_answers"), parts, strict=True):
        expr = col[name]
        if vendor == "sqlite" and adds:
            expr = f"json_patch({expr}, %s)"
        elif vendor != "sqlite":
            expr = f"({expr} || %s::jsonb)" if adds else expr
            expr = f"({expr} - %s::text[])" if removes else expr
        if expr != col[name]:
            sets.append(f"{col[name]} = {expr}")
    sets += [f"{col['page']} = %s", f"{col['lang']} = %s"]
    sql = (
        f"UPDATE {q(Response._meta.db_table)} SET {', '.join(sets)} "
        f"WHERE {col['id']} = %s AND {col['submitted_on']} IS NULL"
    )
    if conditional:
        sql += f" AND {col['consented']} AND {col['wave']} = %s"
    return sql


def _save_page_locked(
    response_id: uuid.UUID | str, patch: Mapping[str, object], open_patch: Mapping[str, object], page: int, lang: str
) -> bool:
    with transaction.atomic():
        current = lock(response_id)
        if current is None or current.submitted_on is not None:
            return False
        merged = []
        for stored, changes in ((current.answers, patch), (current.open_answers, open_patch)):
            out = dict(stored)
            for key, value in changes.items():
                if value is None:
                    out.pop(key, None)
                else:
                    out[key] = value
            merged.append(out)
        with connection.cursor() as cursor:
            cursor.execute(
                _statements(connection.vendor).save,
                [_json("answers", merged[0]), _json("open_answers", merged[1]), page, lang, _key(response_id)],
            )
    return True


def mark_submitted(response_id: uuid.UUID | str, result: dict, day: date) -> None:
    """Store the result and the day of submission (inside the caller's transaction, under ``lock``)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _statements(connection.vendor).submit,
            [_json("result", result), _field("submitted_on").get_db_prep_save(day, connection), _key(response_id)],
        )
