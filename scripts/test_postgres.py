"""Run the web tests a second time against the PostgreSQL server on localhost.

PG_TEST_URL   the server to use (default postgres://root@127.0.0.1:5432/postgres); Django
              creates and drops its own test database there.
CI=true       an unreachable server fails the run; elsewhere it is skipped with a notice.
"""

from __future__ import annotations

import os
import subprocess
import sys

URL = os.environ.get("PG_TEST_URL", "postgres://root@127.0.0.1:5432/postgres")


def reachable(url: str) -> str | None:
    """None when a connection works, else the reason."""
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=5) as conn:
            conn.execute("select 1")
        return None
    except Exception as exc:  # any failure to connect is reported, not raised
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def main() -> int:
    problem = reachable(URL)
    if problem is not None:
        if os.environ.get("CI", "").lower() == "true":
            print(f"ERROR: PostgreSQL at {URL} is not reachable ({problem}); CI=true requires it.", file=sys.stderr)
            return 1
        print(f"NOTICE: PostgreSQL at {URL} is not reachable ({problem}); the PostgreSQL web tests are SKIPPED.")
        return 0
    print(f"Running the web tests against PostgreSQL ({URL})")
    env = {**os.environ, "DATABASE_URL": URL}
    args = [sys.executable, "-m", "pytest", "tests/web", "-q", "-p", "no:cacheprovider", "-m", "not browser"]
    return subprocess.call(args, env=env)


if __name__ == "__main__":
    sys.exit(main())
