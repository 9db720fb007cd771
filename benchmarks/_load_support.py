"""Helpers for benchmarks/load_submit.py: a small keep-alive HTTP/1.1 client on asyncio streams,
the gunicorn server in its own process group, throw-away databases, and latency statistics.

Everything here talks to 127.0.0.1 only, and every wait has a time limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

HOST = "127.0.0.1"
TEMP_PREFIX = "homeoffice-load-"  # + pid: temp dirs and databases of a run, removed afterwards
PG_ADMIN_URL = "postgres://root@127.0.0.1:5432/postgres"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- HTTP client -------------------------------------------------------------------------------


class HttpError(Exception):
    """A request that did not get the expected answer (wrong status, broken connection, time-out)."""


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def location(self) -> str:
        return self.headers.get("location", "")

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def _cookie_update(jar: dict[str, str], set_cookie: str) -> None:
    """Apply one Set-Cookie header to ``jar`` (name -> value); Max-Age=0 or an old expiry deletes."""
    first, _, attrs = set_cookie.partition(";")
    name, _, value = first.strip().partition("=")
    attrs_l = attrs.lower()
    if "max-age=0" in attrs_l or "01 jan 1970" in attrs_l:
        jar.pop(name, None)
    else:
        jar[name] = value.strip().strip('"')


class Client:
    """One browser: a keep-alive connection to 127.0.0.1:port and a cookie jar."""

    def __init__(self, port: int, timeout: float) -> None:
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None

    async def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Reply:
        """One request on the kept-alive connection (opened when needed); closed on any error."""
        try:
            return await asyncio.wait_for(self._request(method, path, form), self.timeout)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ValueError) as exc:
            self.close()
            raise HttpError(f"{method} {path}: {type(exc).__name__} {exc}") from None

    async def _request(self, method: str, path: str, form: dict[str, str] | None) -> Reply:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(HOST, self.port)
        host = f"{HOST}:{self.port}"
        lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Connection: keep-alive", "Accept: text/html"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        body = b""
        if form is not None:
            body = urlencode(form).encode()
            lines += [
                "Content-Type: application/x-www-form-urlencoded",
                f"Content-Length: {len(body)}",
                f"Origin: http://{host}",
                f"Referer: http://{host}{path}",
            ]
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        reader = self._reader
        head = await reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        headers: dict[str, str] = {}
        for line in header_lines:
            if not line:
                continue
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                _cookie_update(self.cookies, value)
            headers[name] = value
        if "content-length" in headers:
            data = await reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                parts.append(await reader.readexactly(size + 2))
                if size == 0:
                    break
            data = b"".join(p[:-2] for p in parts)
        else:
            data = await reader.read()
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close":
            self.close()
        return Reply(status, headers, data)


# --- statistics ----------------------------------------------------------------------------------


@dataclass
class Sample:
    kind: str
    start: float
    end: float
    ok: bool


@dataclass
class Recorder:
    """Every request's kind, start, end and outcome; figures for a window of time."""

    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def add(self, kind: str, start: float, end: float, ok: bool, error: str = "") -> None:
        self.samples.append(Sample(kind, start, end, ok))
        if error and len(self.errors) < 20:
            self.errors.append(error)

    def window(self, kinds: set[str], since: float, until: float) -> list[Sample]:
        """The samples of ``kinds`` that started and ended inside [since, until]."""
        return [s for s in self.samples if s.kind in kinds and s.start >= since and s.end <= until]


def figures(samples: list[Sample], seconds: float) -> dict[str, float]:
    """Requests/s, p50 and p99 (ms) of the successful requests, and the number of errors."""
    ok = sorted((s.end - s.start) * 1000 for s in samples if s.ok)
    return {
        "n": len(ok),
        "rps": len(ok) / seconds if seconds > 0 else 0.0,
        "p50": percentile(ok, 50),
        "p99": percentile(ok, 99),
        "errors": sum(1 for s in samples if not s.ok),
    }


def percentile(sorted_values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of an ascending list; NaN when empty."""
    if not sorted_values:
        return float("nan")
    rank = max(1, round(q / 100 * len(sorted_values) + 0.4999))
    return sorted_values[min(rank, len(sorted_values)) - 1]


# --- processes -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    """In the child before exec: SIGKILL when the benchmark process dies, however it dies (Linux).

    gunicorn's workers notice their master is gone and stop by themselves.
    """
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU seconds of every live process in process group ``pgid`` (from /proc)."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid:  # field 5 (pgrp), counted from after the command name
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, all cores (from /proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    total = sum(values[:8])  # guest time is already inside user time
    return (total - idle) / CLOCK_TICKS, total / CLOCK_TICKS


class Server:
    """gunicorn in its own session (process group); killed with its workers however we leave."""

    def __init__(
        self, env: dict[str, str], port: int, workers: int, threads: int, log: Path, worker_class: str
    ) -> None:
        self.port = port
        self.log = log
        cmd = [
            sys.executable, "-m", "gunicorn", "homeoffice.web.wsgi",
            "-c", "python:homeoffice.web.gunicorn_conf",  # the shipped settings; the flags below win
            "-b", f"{HOST}:{port}",
            "--worker-class", worker_class, "--workers", str(workers), "--threads", str(threads),
            "--keep-alive", "30", "--backlog", "256", "--timeout", "60", "--graceful-timeout", "2",
        ]  # fmt: skip
        self._log_file = open(log, "ab")  # noqa: SIM115 - closed in kill()
        self.proc = subprocess.Popen(
            cmd, env=env, stdout=self._log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, preexec_fn=_die_with_parent,
        )  # fmt: skip
        self.pgid = self.proc.pid

    def wait_ready(self, limit: float = 60.0) -> None:
        """Until GET /healthz answers 200 and every worker has booted (or the server dies, or
        ``limit`` seconds pass)."""
        deadline = time.monotonic() + limit
        self._wait_answer(deadline, limit)
        self._wait_quiet(deadline, limit)

    def _wait_quiet(self, deadline: float, limit: float) -> None:
        """Until the server uses almost no CPU: the first answer comes from the first worker
        up, while the others still load the application (~4 s of CPU each); a phase measured
        then would measure the boot."""
        before = self.cpu_seconds()
        while time.monotonic() < deadline:
            time.sleep(1.0)
            now = self.cpu_seconds()
            if now - before < 0.05:
                return
            before = now
        raise RuntimeError(f"gunicorn was still busy {limit:.0f} s after its start:\n{self.log_tail()}")

    def _wait_answer(self, deadline: float, limit: float) -> None:
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
                conn.close()
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer /healthz within {limit:.0f} s:\n{self.log_tail()}")

    def cpu_seconds(self) -> float:
        return group_cpu_seconds(self.pgid)

    def kill(self) -> None:
        """SIGKILL the whole process group (master and workers) and reap the master."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pgid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)
        self._log_file.close()

    def log_tail(self, lines: int = 30) -> str:
        self._log_file.flush()
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@contextlib.contextmanager
def running_server(
    env: dict[str, str], port: int, workers: int, threads: int, log: Path, worker_class: str = "gthread"
) -> Iterator[Server]:
    server = Server(env, port, workers, threads, log, worker_class)
    try:
        server.wait_ready()
        yield server
    finally:
        server.kill()


def run_python(code: str, env: dict[str, str], stdin: str = "", limit: float = 120.0) -> str:
    """Run ``python -c code`` with ``env``; its stdout, or RuntimeError with its output."""
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, input=stdin, capture_output=True, text=True, timeout=limit
    )
    if done.returncode != 0:
        raise RuntimeError(f"child python failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    return done.stdout


def run_command(cmd: list[str], env: dict[str, str], limit: float = 180.0) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=limit)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")


# --- databases ----------------------------------------------------------------------------------------


def base_env(data_dir: Path) -> dict[str, str]:
    """The server's environment: production-like settings, a temp data dir, no inherited DATABASE_URL."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEBUG", "SECURE_SSL")}
    env.update(
        DJANGO_SETTINGS_MODULE="homeoffice.web.settings",
        HOMEOFFICE_DATA_DIR=str(data_dir),
        SECRET_KEY="load-benchmark-" + uuid.uuid4().hex + uuid.uuid4().hex,
        DEBUG="0",
        ALLOWED_HOSTS=HOST,
        PYTHONUNBUFFERED="1",
    )
    return env


@contextlib.contextmanager
def sqlite_database() -> Iterator[dict[str, str]]:
    """A fresh data dir (so a fresh SQLite file in WAL mode), removed afterwards."""
    data_dir = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-"))
    try:
        yield base_env(data_dir)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def postgres_reachable() -> str | None:
    """None when the local PostgreSQL server answers, else why not."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]


@contextlib.contextmanager
def postgres_database() -> Iterator[dict[str, str]]:
    """A database created for this run on the local server (and a temp data dir), dropped afterwards."""
    import psycopg

    name = f"{TEMP_PREFIX.replace('-', '_')}{os.getpid()}_{uuid.uuid4().hex[:8]}"
    assert re.fullmatch(r"[a-z0-9_]+", name)
    data_dir = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-"))
    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        env = base_env(data_dir)
        env["DATABASE_URL"] = f"postgres://root@127.0.0.1:5432/{name}"
        yield env
    finally:
        try:
            with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except psycopg.Error as exc:
            print(f"  warning: could not drop database {name}: {exc}", flush=True)
        shutil.rmtree(data_dir, ignore_errors=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_leftovers() -> list[str]:
    """Temp dirs and databases of earlier runs whose process is gone (a run killed with SIGKILL)."""
    removed = []
    for path in Path(tempfile.gettempdir()).glob(f"{TEMP_PREFIX}*"):
        pid = path.name.removeprefix(TEMP_PREFIX).split("-")[0]
        if path.is_dir() and pid.isdigit() and not _pid_alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(str(path))
    if postgres_reachable() is None:
        import psycopg

        prefix = TEMP_PREFIX.replace("-", "_")
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
            rows = conn.execute("SELECT datname FROM pg_database WHERE starts_with(datname, %s)", [prefix])
            names = [r[0] for r in rows]
            for name in names:
                pid = name.removeprefix(prefix).split("_")[0]
                if re.fullmatch(r"[a-z0-9_]+", name) and pid.isdigit() and not _pid_alive(int(pid)):
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                    removed.append(f"database {name}")
    return removed
