"""The shipped gunicorn settings: no access log (anonymity), workers from the cores, clear errors."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys

import pytest

MODULE = "homeoffice.web.gunicorn_conf"
NAMES = ("HOMEOFFICE_BIND", "HOMEOFFICE_WORKERS", "HOMEOFFICE_THREADS", "FORWARDED_ALLOW_IPS")


def conf(monkeypatch, **env: str):
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    sys.modules.pop(MODULE, None)
    return importlib.import_module(MODULE)


def test_defaults_log_no_visitor_and_use_two_workers_per_core(monkeypatch):
    c = conf(monkeypatch)
    assert c.accesslog is None
    assert c.workers == 2 * len(os.sched_getaffinity(0)) and c.threads == 2 and c.worker_class == "gthread"
    assert c.bind == ["127.0.0.1:8000"] and c.forwarded_allow_ips == "127.0.0.1,::1"


def test_the_environment_sets_address_workers_threads_and_proxy(monkeypatch):
    c = conf(
        monkeypatch, HOMEOFFICE_BIND="0.0.0.0:9000", HOMEOFFICE_WORKERS="3", HOMEOFFICE_THREADS="1",
        FORWARDED_ALLOW_IPS="10.0.0.5",
    )  # fmt: skip
    assert (c.bind, c.workers, c.threads, c.forwarded_allow_ips) == (["0.0.0.0:9000"], 3, 1, "10.0.0.5")


@pytest.mark.parametrize("value", ["abc", "0", "-2", "1.5", "999"])
def test_a_bad_count_names_the_variable(monkeypatch, value):
    with pytest.raises(SystemExit, match=f"HOMEOFFICE_WORKERS='{value}' is not a whole number from 1 to 256"):
        conf(monkeypatch, HOMEOFFICE_WORKERS=value)


def test_gunicorn_accepts_the_settings_and_the_app(tmp_path):
    env = {**os.environ, "HOMEOFFICE_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--check-config", "-c", f"python:{MODULE}", "homeoffice.web.wsgi"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
