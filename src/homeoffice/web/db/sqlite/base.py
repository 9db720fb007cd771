"""SQLite whose writers queue on a file lock instead of SQLite's busy-wait.

SQLite lets one writer at a time in; a second ``BEGIN IMMEDIATE`` gets SQLITE_BUSY and the
busy handler sleeps and retries in growing steps (1, 2, 5, 10, ... up to 100 ms). Under a load of
concurrent submissions those sleeps, not the work, made the slowest 1% of answers take 200-300 ms
(issue 3's load benchmark). Here every write transaction first takes an exclusive ``flock`` on
``<database>-writers.lock``: a waiting writer sleeps in the kernel and wakes the moment the lock is
free, and then ``BEGIN IMMEDIATE`` finds the database free. Reads (WAL) take no lock. The lock is
the operating system's, so it also queues the other server processes, and a killed process
releases it. In-memory databases (the tests) are left as they are.
"""

from __future__ import annotations

import fcntl
import os

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    _writer_fd: int | None = None
    _writing = False

    def _writer_lock(self) -> int | None:
        if self.is_in_memory_db():
            return None
        if self._writer_fd is None:
            path = f"{self.settings_dict['NAME']}-writers.lock"
            self._writer_fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        return self._writer_fd

    def _release_writer(self) -> None:
        if self._writing:
            self._writing = False
            fcntl.flock(self._writer_fd, fcntl.LOCK_UN)

    def _start_transaction_under_autocommit(self) -> None:
        fd = self._writer_lock()
        if fd is not None and not self._writing:
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._writing = True
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writer()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()
        finally:
            self._release_writer()

    def _rollback(self) -> None:
        try:
            super()._rollback()
        finally:
            self._release_writer()

    def _close(self) -> None:
        try:
            super()._close()
        finally:
            self._release_writer()
            if self._writer_fd is not None:
                os.close(self._writer_fd)
                self._writer_fd = None
