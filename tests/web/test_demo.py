"""`make demo` as the product: seed_demo builds the demo data once, and production settings pass check --deploy."""

from __future__ import annotations

import importlib.util
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from homeoffice.web import settings as web_settings
from homeoffice.web.dashboards.models import WaveTable
from homeoffice.web.organisations.models import Organisation, Unit
from homeoffice.web.responses.models import Response
from homeoffice.web.surveys.management.commands.seed_demo import last_quarter
from homeoffice.web.surveys.models import AnonymousLink, Wave

ROOT = Path(__file__).resolve().parents[2]
SITE = "http://127.0.0.1:8000"


def seed(monkeypatch, password: str | None = "demo-password-123") -> str:
    if password is None:
        monkeypatch.delenv("DEMO_ADMIN_PASSWORD", raising=False)
    else:
        monkeypatch.setenv("DEMO_ADMIN_PASSWORD", password)
    out = io.StringIO()
    with override_settings(SITE_URL=SITE):
        call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_demo_builds_the_demo_organisation_and_prints_what_to_open(monkeypatch):
    out = seed(monkeypatch)
    org = Organisation.objects.get(name="Demo AS")
    units = {str(u): u for u in Unit.objects.filter(organisation=org)}
    company = [u for u in units.values() if u.parent is None]
    departments = [u for u in units.values() if u.parent in company]
    teams = [u for u in units.values() if u.parent in departments]
    assert len(company) == 1 and len(departments) == 2 and len(teams) == len(units) - 3
    assert all(2 <= sum(1 for t in teams if t.parent == d) <= 3 for d in departments)

    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser and user.is_staff and user.check_password("demo-password-123")

    open_wave = Wave.objects.get(organisation=org, mode="anonymous", opens_on__lte=_today(), closes_on__gte=_today())
    assert (open_wave.instrument_id, open_wave.languages, open_wave.min_group_size) == ("standard", "nb,en", 5)
    assert (_today() - open_wave.opens_on).days == 7 and (open_wave.closes_on - _today()).days == 30
    assert set(AnonymousLink.objects.filter(wave=open_wave).values_list("unit", flat=True)) == {
        u.pk for u in units.values()
    }

    closed = Wave.objects.get(organisation=org, closes_on__lt=_today(), name__contains="forrige")
    assert (closed.opens_on, closed.closes_on) == last_quarter(_today())
    earlier = Wave.objects.get(organisation=org, closes_on__lt=_today(), name__contains="før")
    assert (earlier.opens_on, earlier.closes_on) == last_quarter(closed.opens_on)
    # both closed waves are released, so their group results (and the comparison) exist
    assert closed.is_released and earlier.is_released
    assert WaveTable.objects.get(wave=closed).respondents == Response.objects.filter(wave=closed).count()
    assert 0 < Response.objects.filter(wave=earlier).count() < Response.objects.filter(wave=closed).count()
    responses = Response.objects.filter(wave=closed)
    assert 140 <= responses.count() <= 160
    assert not responses.filter(submitted_on__isnull=True).exists()
    assert set(responses.values_list("unit", flat=True)) == {t.pk for t in teams}
    for r in responses:
        assert closed.opens_on <= r.started_on <= r.submitted_on <= closed.closes_on
        assert r.consented and r.lang in ("nb", "en") and r.respondent_key == ""
        assert r.result["provenance"]["instrument_id"] == "standard"
        assert r.result["classification"]["situation"] in (1, 2, 3, 4, None)
        assert all(isinstance(v, int) for v in r.answers.values())

    assert f"{SITE}/admin/" in out and "admin" in out and "demo-password-123" in out
    printed = re.findall(re.escape(SITE) + r"/s/([A-Za-z0-9_-]+)/", out)
    assert len(printed) == len(teams)
    assert set(AnonymousLink.objects.filter(token__in=printed).values_list("unit", flat=True)) == {t.pk for t in teams}
    assert "resume code" in out
    # one staff user per role, with the login address
    assert f"{SITE}/accounts/login/" in out
    for role in ("hr", "manager", "safety-rep", "occupational-health", "researcher", "org-admin"):
        assert f"demo-{role}" in out and get_user_model().objects.filter(username=f"demo-{role}").exists()


@pytest.mark.django_db
def test_seed_demo_twice_adds_nothing(monkeypatch):
    seed(monkeypatch)
    counts = _counts()
    out = seed(monkeypatch, password=None)
    assert _counts() == counts
    assert get_user_model().objects.get(username="admin").check_password("demo-password-123")
    assert "demo-password-123" not in out and "DEMO_ADMIN_PASSWORD" in out


@pytest.mark.django_db
def test_without_a_password_in_the_environment_one_is_generated_and_shown_once(monkeypatch):
    out = seed(monkeypatch, password=None)
    password = re.search(r"password:\s+(\S+)\s+\(generated", out).group(1)
    assert len(password) >= 12
    assert get_user_model().objects.get(username="admin").check_password(password)


def _today():
    from django.utils import timezone

    return timezone.localdate()


def _counts() -> tuple[int, ...]:
    return (
        Organisation.objects.count(),
        Unit.objects.count(),
        Wave.objects.count(),
        AnonymousLink.objects.count(),
        Response.objects.count(),
        get_user_model().objects.count(),
    )


# --- production settings -------------------------------------------------------------------------

PRODUCTION_ENV = {
    "SECRET_KEY": "k3y-" + "x7Qp2Lm9Vb4Nc8Rt1Zw6Hy5Ja3Sd0Fg" * 2,
    "DEBUG": "0",
    "SECURE_SSL": "1",
    "ALLOWED_HOSTS": "survey.example.org",
    "DATABASE_URL": "postgres://homeoffice:secret@db.example.org:5432/homeoffice",
}


def production_settings(monkeypatch, tmp_path, **env: str) -> dict:
    """The settings module as it reads a production environment (a fresh copy, not the test settings)."""
    for key, value in {**PRODUCTION_ENV, "HOMEOFFICE_DATA_DIR": str(tmp_path), **env}.items():
        monkeypatch.setenv(key, value)
    spec = importlib.util.spec_from_file_location("homeoffice_production_settings", web_settings.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    skip = {"DATABASES", "INSTALLED_APPS", "LOGGING"}  # the same apps; no database is used by the checks
    return {k: getattr(module, k) for k in dir(module) if k.isupper() and k not in skip}


def test_check_deploy_is_clean_with_production_settings(monkeypatch, tmp_path):
    # The browser tests' Playwright loop needs this switch in the test process; production never has it.
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    values = production_settings(monkeypatch, tmp_path)
    assert values["DEBUG"] is False and values["ALLOWED_HOSTS"] == ["survey.example.org"]
    out = io.StringIO()
    with override_settings(**values):
        call_command("check", deploy=True, fail_level="WARNING", stdout=out, stderr=out)
    assert "no issues" in out.getvalue()


@pytest.mark.parametrize("env", [{"DEBUG": "1"}, {"SECURE_SSL": "0"}])
def test_check_deploy_catches_a_setting_left_for_development(monkeypatch, tmp_path, env):
    with override_settings(**production_settings(monkeypatch, tmp_path, **env)), pytest.raises(SystemCheckError):
        call_command("check", deploy=True, fail_level="WARNING", stdout=io.StringIO(), stderr=io.StringIO())


def test_the_pseudonym_key_is_made_once_from_the_secret_key_and_outlives_its_rotation(monkeypatch, tmp_path):
    first = production_settings(monkeypatch, tmp_path)
    assert first["PSEUDONYM_KEY"] == PRODUCTION_ENV["SECRET_KEY"]  # keys stored before it existed still match
    assert (tmp_path / "pseudonym_key").stat().st_mode & 0o777 == 0o600
    rotated = production_settings(
        monkeypatch, tmp_path, SECRET_KEY="n3w-" + "r" * 60, SECRET_KEY_FALLBACKS=PRODUCTION_ENV["SECRET_KEY"]
    )
    assert rotated["PSEUDONYM_KEY"] == PRODUCTION_ENV["SECRET_KEY"]
    assert rotated["SECRET_KEY_FALLBACKS"] == [PRODUCTION_ENV["SECRET_KEY"]]
    assert production_settings(monkeypatch, tmp_path, PSEUDONYM_KEY="own-key")["PSEUDONYM_KEY"] == "own-key"
    assert not list(tmp_path.glob(".*.tmp"))
    monkeypatch.delenv("PSEUDONYM_KEY")
    (tmp_path / "pseudonym_key").write_text("\n")
    with pytest.raises(ImproperlyConfigured, match="pseudonym_key is empty"):
        production_settings(monkeypatch, tmp_path)


def test_a_required_but_missing_secret_key_stops_before_any_key_file_is_made(monkeypatch, tmp_path):
    monkeypatch.setenv("HOMEOFFICE_REQUIRE_SECRET_KEY", "1")
    monkeypatch.delenv("PSEUDONYM_KEY", raising=False)
    values = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    for key, value in {**values, "HOMEOFFICE_DATA_DIR": str(tmp_path)}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    spec = importlib.util.spec_from_file_location("homeoffice_production_settings", web_settings.__file__)
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY must be set in production"):
        spec.loader.exec_module(importlib.util.module_from_spec(spec))
    assert list(tmp_path.iterdir()) == []  # no secret_key, no pseudonym_key made from it


def test_a_data_dir_that_cannot_hold_the_pseudonym_key_is_one_clear_line(tmp_path):
    (tmp_path / "a-file").write_text("")
    env = {**os.environ, **PRODUCTION_ENV, "HOMEOFFICE_DATA_DIR": str(tmp_path / "a-file" / "data")}
    env.pop("PSEUDONYM_KEY", None)
    done = subprocess.run(
        [sys.executable, "-m", "homeoffice.web.manage", "check"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0
    assert "PSEUDONYM_KEY is not set" in done.stderr and "Traceback" not in done.stderr
    env["PSEUDONYM_KEY"] = "set-in-the-environment"
    done = subprocess.run(
        [sys.executable, "-m", "homeoffice.web.manage", "check"], env=env, capture_output=True, text=True, timeout=120
    )
    assert "PSEUDONYM_KEY" not in done.stderr  # the next problem of that folder, said as clearly:
    assert done.returncode != 0 and "HOMEOFFICE_DATA_DIR cannot hold" in done.stderr and "Traceback" not in done.stderr
    del env["SECRET_KEY"]
    done = subprocess.run(
        [sys.executable, "-m", "homeoffice.web.manage", "check"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0 and "SECRET_KEY is not set" in done.stderr and "Traceback" not in done.stderr


# --- make demo and its documentation -------------------------------------------------------------


def test_make_demo_runs_the_web_product():
    makefile = (ROOT / "Makefile").read_text()
    demo = re.search(r"^demo:.*?\n((?:\t.*\n)+)", makefile, re.M).group(1)
    steps = [line.strip() for line in demo.splitlines()]
    assert steps.index("$(BIN)/homeoffice-web migrate --noinput") < steps.index("$(BIN)/homeoffice-web seed_demo")
    assert steps[-1] == "$(BIN)/homeoffice-web runserver 127.0.0.1:8000 --noreload"
    assert "127.0.0.1" in web_settings.ALLOWED_HOSTS
    assert re.search(r"^demo-cli:.*\n\t\$\(BIN\)/homeoffice demo --out \$\(DEMO_OUT\)", makefile, re.M)


def test_the_readme_says_what_to_click_and_how_to_run_in_production():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Web demo", 1)[1].split("\n## ", 1)[0]
    for name in (
        "make demo",
        "/admin/",
        "seed_demo",
        "send_reminders",
        "SECRET_KEY",
        "DEBUG=0",
        "SECURE_SSL=1",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "check --deploy",
        "DEMO_ADMIN_PASSWORD",
        "PSEUDONYM_KEY",
        "gunicorn -c python:homeoffice.web.gunicorn_conf homeoffice.web.wsgi",
        "no access log",
    ):
        assert name in section, name
