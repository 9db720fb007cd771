"""Django settings for the homeoffice web app, read from environment variables with safe defaults.

    DATABASE_URL       default sqlite:///<HOMEOFFICE_DATA_DIR>/homeoffice.sqlite3 (WAL mode);
                       postgres://user:pass@host/db for production
    SECRET_KEY         required when DEBUG is off; the demo keeps a random one in the data dir
    SECRET_KEY_FALLBACKS  comma-separated earlier keys while SECRET_KEY is rotated (Django's own)
    PSEUDONYM_KEY      the key of confidential waves' pseudonymous respondent keys; default: the
                       file <HOMEOFFICE_DATA_DIR>/pseudonym_key, made once from SECRET_KEY, so that
                       rotating SECRET_KEY does not cut a person's later waves from earlier ones
    DEBUG              "1" for development (default off)
    ALLOWED_HOSTS      comma-separated (default localhost, 127.0.0.1)
    HOMEOFFICE_DATA_DIR  where the embedded database and the demo key live (default ./var)
    EMAIL_BACKEND, EMAIL_HOST, ...  Django's e-mail settings (console backend by default)
    SECURE_SSL         "1" behind HTTPS: secure cookies, HSTS, SSL redirect
    HOMEOFFICE_QUICK_SAVE  "0" sends page saves through the whole Django stack too (default on:
                       responses/quick_save.py answers plain page saves without it)

Anonymity (issue 3): no IP addresses are stored, sessions live in signed cookies (no server-side
session rows with timestamps), and request logging of the survey pages is off.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("HOMEOFFICE_DATA_DIR", "var")).resolve()


def _flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in ("1", "true", "yes", "on")


DEBUG = _flag("DEBUG")


def _stored_key(name: str, initial: str, setting: str) -> str:
    """The key kept in ``DATA_DIR/<name>``; made once with ``initial`` (mode 0600). Created
    atomically, so server processes starting together all read the same key. ``setting``: the
    environment variable that would make the file unnecessary (named in the error)."""
    path = DATA_DIR / name
    try:
        if not path.exists():
            DATA_DIR.mkdir(parents=True, exist_ok=True)
            tmp = DATA_DIR / f".{name}.{os.getpid()}.tmp"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # never readable by others
            try:
                with os.fdopen(fd, "w") as out:
                    out.write(initial)
                os.link(tmp, path)  # fails when another process made it first: then that key counts
            except FileExistsError:
                pass
            finally:
                tmp.unlink(missing_ok=True)
        key = path.read_text().strip()
    except OSError as exc:
        raise ImproperlyConfigured(
            f"{setting} is not set and {path} cannot be made ({exc.strerror or exc}); "
            f"set {setting}, or HOMEOFFICE_DATA_DIR to a writable folder."
        ) from None
    if not key:
        raise ImproperlyConfigured(f"{path} is empty; restore it from a backup or remove it to make a new one.")
    return key


def _secret_key() -> str:
    return os.environ.get("SECRET_KEY") or _stored_key("secret_key", secrets.token_urlsafe(50), "SECRET_KEY")


def _pseudonym_key() -> str:
    """HMAC key of ``respondent_key`` (responses/actions.py). Kept apart from SECRET_KEY, which
    may be rotated; made from the SECRET_KEY in use when it is first needed, so keys stored before
    it existed still match."""
    return os.environ.get("PSEUDONYM_KEY", "").strip() or _stored_key("pseudonym_key", SECRET_KEY, "PSEUDONYM_KEY")


if not DEBUG and os.environ.get("HOMEOFFICE_REQUIRE_SECRET_KEY") == "1" and "SECRET_KEY" not in os.environ:
    # before any key file is made: a pseudonym key made from a stray random key would stay
    raise ImproperlyConfigured("SECRET_KEY must be set in production (HOMEOFFICE_REQUIRE_SECRET_KEY=1).")
SECRET_KEY = _secret_key()
SECRET_KEY_FALLBACKS = [k.strip() for k in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if k.strip()]
PSEUDONYM_KEY = _pseudonym_key()
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "homeoffice.web",  # shared templates, static files and the {% t %} tag
    "homeoffice.web.organisations",
    "homeoffice.web.surveys",
    "homeoffice.web.responses",
    "homeoffice.web.results",
    "homeoffice.web.accounts",
    "homeoffice.web.actions",
    "homeoffice.web.dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "homeoffice.web.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "homeoffice.web.urls"
WSGI_APPLICATION = "homeoffice.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

_default_db = f"sqlite:///{DATA_DIR / 'homeoffice.sqlite3'}"
try:
    DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db), conn_max_age=60)}
except ValueError as exc:
    raise ImproperlyConfigured(
        f"DATABASE_URL cannot be read ({exc}); use sqlite:///path/to/file.sqlite3 or "
        "postgres://user:password@host:5432/dbname"
    ) from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's SQLite backend with writers queued on a file lock (see homeoffice.web.db.sqlite).
    DATABASES["default"]["ENGINE"] = "homeoffice.web.db.sqlite"
    # Persistent connections (one per server thread) as for PostgreSQL: opening a SQLite file per
    # request costs a WAL set-up, and closing the last connection checkpoints and deletes the WAL.
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside one writer; IMMEDIATE takes the write lock up front, so
        # concurrent submissions queue instead of failing with "database is locked".
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Staff pages (accounts app): login, and where to go after it.
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", "Norsk bokmål"), ("en", "English")]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
try:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise serves from the finders; it wants the folder
except OSError as exc:
    raise ImproperlyConfigured(
        f"HOMEOFFICE_DATA_DIR cannot hold {STATIC_ROOT} ({exc.strerror or exc}); point it to a writable folder."
    ) from None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Signed-cookie sessions: no session rows (with their timestamps) are stored on the server.
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

if _flag("SECURE_SSL"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

HOMEOFFICE_QUICK_SAVE = _flag("HOMEOFFICE_QUICK_SAVE", default=True)

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _flag("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "homeoffice@localhost")

# Public base URL used in invitation e-mails.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    # django.server logs every request with the client address; the survey promises no IPs.
    "loggers": {
        "django.server": {"handlers": [], "level": "ERROR", "propagate": False},
        "django": {"handlers": ["console"], "level": "WARNING"},
    },
}
