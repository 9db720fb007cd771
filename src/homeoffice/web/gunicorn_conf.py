"""gunicorn settings for production, behind a reverse proxy that terminates HTTPS::

    gunicorn -c python:homeoffice.web.gunicorn_conf homeoffice.web.wsgi

Anonymity (issue 3): there is no access log. It would keep every visitor's IP address next to the
survey addresses, and the address of a personal invitation holds its token, so a log line would tie
a person to the moment they answered. The proxy in front must not keep them either (README).

Workers: two per core the process may run on, two threads each (gthread keeps connections alive,
and a slow request such as a large export holds one thread, not a whole process). This is the
server ``benchmarks/load_submit.py`` measures. Environment variables:

    HOMEOFFICE_BIND      address to listen on (default 127.0.0.1:8000; the proxy connects here)
    HOMEOFFICE_WORKERS   worker processes (default: 2 per available core)
    HOMEOFFICE_THREADS   threads per worker (default 2)
    FORWARDED_ALLOW_IPS  the proxy's addresses, whose X-Forwarded-* headers are believed
                         (default 127.0.0.1,::1)
"""

from __future__ import annotations

import os


def _count(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= 256:
        raise SystemExit(f"{name}={raw!r} is not a whole number from 1 to 256 (homeoffice.web.gunicorn_conf)")
    return int(raw)


bind = [os.environ.get("HOMEOFFICE_BIND", "").strip() or "127.0.0.1:8000"]
worker_class = "gthread"
workers = _count("HOMEOFFICE_WORKERS", 2 * len(os.sched_getaffinity(0)))
threads = _count("HOMEOFFICE_THREADS", 2)
keepalive = 5
timeout = 120  # a release or an export of a large wave takes seconds, not minutes
graceful_timeout = 30
accesslog = None  # see above: never log the survey's visitors
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "").strip() or "127.0.0.1,::1"
