"""SQLite writers wait for each other on a file lock, not in SQLite's sleeping busy handler."""

from __future__ import annotations

import threading
import time

import pytest
from django.db.utils import ConnectionHandler

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_connections(tmp_path):
    options = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    db = {"ENGINE": "homeoffice.web.db.sqlite", "NAME": str(tmp_path / "w.sqlite3"), "OPTIONS": options}
    handler = ConnectionHandler({"default": db, "b": db})
    a = handler["default"]
    a.cursor().execute("PRAGMA journal_mode=WAL")
    a.cursor().execute("CREATE TABLE t (who TEXT)")
    yield handler
    handler.close_all()


def _write(conn, who: str) -> None:
    conn.ensure_connection()
    conn._start_transaction_under_autocommit()
    conn.cursor().execute("INSERT INTO t VALUES (%s)", [who])


def _waits(handler, n: int) -> float:
    """The second writer's delay between the first one's commit and its own start."""
    a = handler["default"]
    _write(a, f"first {n}")
    started = threading.Event()
    done = {}

    def second():
        b = handler["b"]  # a connection of this thread
        started.set()
        _write(b, f"second {n}")
        done["at"] = time.monotonic()
        b.commit()
        b.close()

    thread = threading.Thread(target=second)
    thread.start()
    started.wait()
    time.sleep(0.3)
    assert "at" not in done  # still waiting: the first writer holds the lock
    committed = time.monotonic()
    a.commit()
    thread.join(5)
    return done["at"] - committed


def test_a_second_writer_waits_for_the_first_and_goes_on_the_moment_it_commits(two_connections):
    delays = sorted(_waits(two_connections, n) for n in range(3))
    assert delays[1] < 0.03  # SQLite's own busy handler sleeps 50-100 ms at a time by now
    rows = [r[0] for r in two_connections["default"].cursor().execute("SELECT who FROM t").fetchall()]
    assert rows == ["first 0", "second 0", "first 1", "second 1", "first 2", "second 2"]


def test_a_rolled_back_or_closed_writer_frees_the_lock(two_connections, tmp_path):
    a, b = two_connections["default"], two_connections["b"]
    _write(a, "undone")
    a.rollback()
    _write(b, "kept")
    b.commit()
    _write(a, "left open")
    a.close()  # a server thread that goes away mid-transaction
    _write(b, "after close")
    b.commit()
    assert [r[0] for r in b.cursor().execute("SELECT who FROM t").fetchall()] == ["kept", "after close"]
    assert (tmp_path / "w.sqlite3-writers.lock").exists()
