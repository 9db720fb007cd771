"""Load benchmark of the web survey (issue 3): a bare page against the answer-submission path at
32 concurrent users, on SQLite and on PostgreSQL, then a SIGKILL in the middle of a load.

For each database (SQLite in a fresh temp data dir; PostgreSQL in a database created for the run on
postgres://root@127.0.0.1:5432 and dropped afterwards, skipped with a notice when the server is not
reachable) it migrates, seeds one organisation, unit and open wave on ``standard`` with an anonymous
link, starts gunicorn on 127.0.0.1 with the shipped settings (homeoffice.web.gunicorn_conf: gthread,
4 workers x 2 threads for the 2 cores, given as flags so runs compare across machines: more processes
keep the GIL from holding up SQLite's single writer; DEBUG off), and measures, in rounds that
alternate the loads (so a busy machine hurts both alike), after a warm-up. Every phase opens new
connections, and which worker takes which connection is chance: bare phases of one run differ
by up to half (measured: 1,068 to 2,006 req/s). Three rounds, pooled, soften that. The
server counts as started when it answers and has gone quiet: the first answer comes from the first
worker up while the others still load the application (~4 s of CPU each), and a phase measured
then (as in the figures before stop 7) measures the boot:

  bare    GET /healthz over and over (the same server, the whole middleware stack, no database).
  html    GET / as a first-time visitor (the survey's front page: a rendered template, no database),
          reported for comparison only: the target is against the bare page.
  submit  each virtual user answers the survey as a person would, over and over: GET /s/<token>/,
          GET /consent/?lang=nb|en (the language link; it holds the CSRF token), POST /consent/,
          GET /start/ (the resume code), POST /answer/<n>/ with answers for every page (14 on
          ``standard``), POST /submit/. Page GETs after each POST's redirect are not made (the
          client already has the form). Counted as "submission POSTs": the page saves and the
          submits; the consent POST and the GETs are load but are reported separately. The users
          start one by one during the warm-up, so they do not all reach the submit at once.

  answers people already past the consent and start pages (their entries are made before the
          phase, unmeasured): only page saves and submits, all of them counted. Reported for
          comparison, as ``answers_only_vs_bare``: the target counts the whole flow.

``submit_vs_bare`` = submission POSTs per second / bare requests per second. Targets: at least
0.40, p99 of the submission POSTs under 150 ms, no errors.

Crash test: a fresh load of submissions; after ~3 s the server's whole process group gets SIGKILL.
Every submit that was answered with the 302 to /result/ is acknowledged (identified by its resume
code, read from the /start/ page); nothing is restarted; a child Python opens the database with the
same settings and looks each one up by ``resume_hash``. Prints ``lost_acknowledged: N`` (must be 0).

The last line is ``submit_vs_bare: X.XX``, the lower of the databases' figures.

    .venv/bin/python benchmarks/load_submit.py [--duration 6] [--warmup 2.5] [--users 32]
        [--rounds 3] [--workers 4] [--threads 2] [--entries 64] [--databases sqlite,postgres]

Runs against 127.0.0.1 only and stops by itself (about 5 minutes; a hard limit of 8 minutes).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import re
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _load_support import (
    TEMP_PREFIX,
    Client,
    HttpError,
    Recorder,
    Reply,
    Server,
    figures,
    free_port,
    machine_cpu,
    postgres_database,
    postgres_reachable,
    remove_leftovers,
    run_command,
    run_python,
    running_server,
    sqlite_database,
)

HARD_LIMIT_SECONDS = 480
REQUEST_TIMEOUT = 10.0
MAX_REQUESTS_PER_USER = 200_000
TARGET_RATIO = 0.40
TARGET_P99_MS = 150.0
CODE_RE = re.compile(r"[A-Z2-9]{4}(?:-[A-Z2-9]{4}){4}")
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PAGE_KIND, SUBMIT_KIND = "page POST", "submit POST"
SUBMISSION_KINDS = {PAGE_KIND, SUBMIT_KIND}
OTHER_KINDS = {"link GET", "consent GET", "consent POST", "start GET"}

SEED = """
import datetime as dt
import django
django.setup()
from django.utils import timezone
from homeoffice.web.organisations.models import Organisation, Unit
from homeoffice.web.surveys.models import AnonymousLink, Wave
org = Organisation.objects.create(name="Lasttest AS", slug="lasttest")
unit = Unit.objects.create(organisation=org, name="Lasttest AS")
today = timezone.localdate()
wave = Wave.objects.create(
    organisation=org, name="Lasttest", instrument_id="standard", languages="nb,en",
    opens_on=today - dt.timedelta(days=1), closes_on=today + dt.timedelta(days=30),
)
print(AnonymousLink.objects.create(wave=wave, unit=unit).token)
"""

CHECK = """
import json, sys
import django
django.setup()
from homeoffice.web.responses.models import Response, resume_hash
codes = json.load(sys.stdin)
def stored(codes):
    hashes = [resume_hash(c) for c in codes]
    found = set()
    for i in range(0, len(hashes), 500):
        found |= set(
            Response.objects.filter(
                resume_hash__in=hashes[i : i + 500], submitted_on__isnull=False, result__isnull=False
            ).values_list("resume_hash", flat=True)
        )
    return sum(1 for h in hashes if h in found)
print(json.dumps({
    "acked_found": stored(codes["acked"]),
    "unknown_found": stored(codes["unknown"]),
    "submitted_total": Response.objects.filter(submitted_on__isnull=False).count(),
}))
"""


def say(line: str) -> None:
    print(line, flush=True)


class TimeLimit(Exception):
    pass


def _time_limit(signum: int, frame: object) -> None:
    raise TimeLimit(f"the benchmark ran for more than {HARD_LIMIT_SECONDS} s")


def _stopped(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"stopped by signal {signum}")  # unwinds: servers killed, temp data removed


# --- the survey, as the client answers it ------------------------------------------------------------


def survey_pages() -> list[list[tuple[str, list[str], bool]]]:
    """For each page of ``standard``: (question id, the codes one may answer, is open text)."""
    from homeoffice.web.responses.pages import plan_for

    instrument, plan = plan_for("standard")
    pages = []
    for page in plan:
        questions = []
        for item_id in page.item_ids:
            rs = instrument.response_set(instrument.items_by_id[item_id])
            questions.append((item_id, [str(c) for c in range(rs.min, rs.max + 1)], False))
        questions += [(qid, [], True) for qid in page.open_ids]
        pages.append(questions)
    return pages


OPEN_TEXTS = ("", "", "Fast dag med kolleger på kontoret.", "Better chair and a second screen.")


class Abandon(Exception):
    """The phase is over (or the server was killed): leave the flow without counting an error."""


@dataclass
class Phase:
    """One load phase: when counting starts and stops, and what the users found out."""

    rec: Recorder
    since: float
    until: float
    killed: asyncio.Event = field(default_factory=asyncio.Event)
    acked: list[str] = field(default_factory=list)  # resume codes of submits answered 302 -> /result/
    unknown: list[str] = field(default_factory=list)  # submits sent but never answered (the kill)
    in_flight: int = 0

    def figures(self, kinds: set[str]) -> dict[str, float]:
        return figures(self.rec.window(kinds, self.since, self.until), self.until - self.since)

    def stop(self) -> bool:
        return self.killed.is_set() or asyncio.get_running_loop().time() >= self.until


async def timed(
    phase: Phase, client: Client, kind: str, method: str, path: str, form: dict | None,
    check: Callable[[Reply], bool],
) -> Reply:  # fmt: skip
    """One request, recorded under ``kind``; an unexpected answer is an error and ends the flow."""
    if phase.stop():
        raise Abandon
    loop = asyncio.get_running_loop()
    start = loop.time()
    phase.in_flight += 1
    try:
        reply = await client.request(method, path, form)
    except HttpError as exc:
        if phase.killed.is_set():
            raise Abandon from None
        phase.rec.add(kind, start, loop.time(), False, str(exc))
        raise
    finally:
        phase.in_flight -= 1
    ok = check(reply)
    phase.rec.add(kind, start, loop.time(), ok, "" if ok else f"{method} {path}: {reply.status} {reply.location}")
    if not ok:
        client.close()
        raise HttpError(f"{method} {path}: unexpected {reply.status}")
    return reply


async def bare_user(phase: Phase, client: Client) -> None:
    for _ in range(MAX_REQUESTS_PER_USER):
        try:
            await timed(phase, client, "bare GET", "GET", "/healthz", None, lambda r: r.status == 200)
        except HttpError:
            continue
        except Abandon:
            return


async def html_user(phase: Phase, client: Client) -> None:
    """The survey's front page as a first-time visitor sees it: a rendered template, no database."""
    for _ in range(MAX_REQUESTS_PER_USER):
        client.cookies.clear()
        try:
            await timed(phase, client, "html GET", "GET", "/", None, lambda r: r.status == 200)
        except HttpError:
            continue
        except Abandon:
            return


@dataclass
class Entry:
    """A person who has opened the link, consented and seen the resume code: where answering starts."""

    cookies: dict[str, str]
    csrf: str
    code: str


async def enter(phase: Phase, client: Client, token: str, rng: random.Random) -> Entry:
    """The link, the consent page, consent and the start page (a new cookie jar: a new browser)."""
    client.cookies.clear()
    lang = rng.choice(("nb", "en"))
    await timed(phase, client, "link GET", "GET", f"/s/{token}/", None, lambda r: r.status == 302)
    reply = await timed(phase, client, "consent GET", "GET", f"/consent/?lang={lang}", None, lambda r: r.status == 200)
    csrf = CSRF_RE.search(reply.text)
    if csrf is None:
        raise HttpError("no CSRF token on the consent page")
    await timed(
        phase, client, "consent POST", "POST", "/consent/", {"csrfmiddlewaretoken": csrf.group(1), "consent": "on"},
        lambda r: r.status == 302 and r.location == "/start/",
    )  # fmt: skip
    reply = await timed(phase, client, "start GET", "GET", "/start/", None, lambda r: r.status == 200)
    code = CODE_RE.search(reply.text)
    if code is None:
        raise HttpError("no resume code on the start page")
    return Entry(dict(client.cookies), csrf.group(1), code.group(0))


async def answer_and_submit(phase: Phase, client: Client, entry: Entry, pages: list, rng: random.Random) -> None:
    """Every page with Next, then the submit; the submit's resume code is acknowledged on its 302."""
    client.cookies.clear()
    client.cookies.update(entry.cookies)
    token_field = {"csrfmiddlewaretoken": entry.csrf}
    for number, questions in enumerate(pages, start=1):
        form = dict(token_field, action="next")
        for qid, codes, is_open in questions:
            if is_open:
                if text := rng.choice(OPEN_TEXTS):
                    form[qid] = text
            elif rng.random() > 0.03:  # now and then a question left unanswered
                form[qid] = rng.choice(codes)
        expected = f"/answer/{number + 1}/" if number < len(pages) else "/submit/"
        await timed(
            phase, client, PAGE_KIND, "POST", f"/answer/{number}/", form,
            lambda r, expected=expected: r.status == 302 and r.location == expected,
        )  # fmt: skip
    try:
        await timed(
            phase, client, SUBMIT_KIND, "POST", "/submit/", token_field,
            lambda r: r.status == 302 and r.location == "/result/",
        )  # fmt: skip
    except (HttpError, Abandon):
        phase.unknown.append(entry.code)
        raise
    phase.acked.append(entry.code)


async def one_submission(phase: Phase, client: Client, token: str, pages: list, rng: random.Random) -> None:
    """One person, from the link to the submit."""
    await answer_and_submit(phase, client, await enter(phase, client, token, rng), pages, rng)


async def submit_user(phase: Phase, client: Client, token: str, pages: list, seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(MAX_REQUESTS_PER_USER // 20):
        try:
            await one_submission(phase, client, token, pages, rng)
        except HttpError:
            if phase.killed.is_set():
                return
            continue
        except Abandon:
            return


async def prepare_entries(port: int, users: int, per_user: int, token: str, seed: int) -> list[list[Entry]]:
    """For the answers-only phase: ``per_user`` entries (link to start page) per user, made
    beforehand and not measured."""
    prep = Phase(Recorder(), since=0.0, until=float("inf"))
    clients = [Client(port, REQUEST_TIMEOUT) for _ in range(users)]

    async def one(n: int, client: Client) -> list[Entry]:
        rng = random.Random(seed * 10_000 + n)
        return [await enter(prep, client, token, rng) for _ in range(per_user)]

    try:
        return list(await asyncio.gather(*(one(n, c) for n, c in enumerate(clients))))
    finally:
        for c in clients:
            c.close()


async def answers_user(
    phase: Phase, client: Client, entries: list[Entry], pages: list, seed: int, ran_out: list[int]
) -> None:
    """People already inside the survey: only page saves and submits, one prepared entry after another."""
    rng = random.Random(seed)
    for entry in entries:
        try:
            await answer_and_submit(phase, client, entry, pages, rng)
        except HttpError:
            continue
        except Abandon:
            return
    if not phase.stop():
        ran_out.append(1)


async def run_phase(
    make_user: Callable[[Phase, Client], Coroutine],
    *,
    port: int,
    users: int,
    warmup: float,
    duration: float,
    server: Server,
    stagger: float = 0.0,
    kill_after: float | None = None,
) -> tuple[Phase, dict]:
    """``users`` concurrent users for ``warmup`` + ``duration`` seconds (or until the kill).

    The users start one by one over ``stagger`` seconds: people who all began at the same moment
    would walk through the pages in step and all submit at once, again and again.
    """
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    phase = Phase(Recorder(), since=t0 + warmup, until=t0 + warmup + duration)
    clients = [Client(port, REQUEST_TIMEOUT) for _ in range(users)]

    async def user(n: int, client: Client) -> None:
        await asyncio.sleep(n * stagger / users)
        await make_user(phase, client)

    tasks = [asyncio.ensure_future(user(n, c)) for n, c in enumerate(clients)]
    usage: dict[str, float] = {}
    try:
        await asyncio.sleep(warmup)
        cpu_server, cpu_client, cpu_machine = server.cpu_seconds(), time.process_time(), machine_cpu()
        if kill_after is not None:
            await asyncio.sleep(kill_after)
            usage["in_flight"] = phase.in_flight
            server.kill()
            phase.killed.set()
            phase.until = loop.time()
        else:
            await asyncio.sleep(max(0.0, phase.until - loop.time()))
            usage["server_cpu"] = server.cpu_seconds() - cpu_server
            usage["client_cpu"] = time.process_time() - cpu_client
            busy, total = (after - before for after, before in zip(machine_cpu(), cpu_machine, strict=True))
            usage["machine_busy"] = busy / total if total else 0.0
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=REQUEST_TIMEOUT + 5)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for c in clients:
            c.close()
    return phase, usage


# --- one database --------------------------------------------------------------------------------------


@dataclass
class Outcome:
    name: str
    ratio: float
    answers_only: float
    p99: float
    errors: int
    lost: int


def _row(label: str, f: dict, cpu_ms: float | None = None) -> str:
    cpu = f"{cpu_ms:9.2f}" if cpu_ms is not None else f"{'':>9}"
    return f"  {label:<44}{f['n']:>7}{f['rps']:>9.1f}{f['p50']:>9.1f}{f['p99']:>9.1f}{f['errors']:>7}{cpu}"


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


@dataclass
class Measured:
    """The measured phases of one kind (bare or submit), pooled over the rounds."""

    phases: list[tuple[Phase, dict]] = field(default_factory=list)

    def figures(self, kinds: set[str]) -> dict[str, float]:
        samples = [s for p, _ in self.phases for s in p.rec.window(kinds, p.since, p.until)]
        return figures(samples, self.seconds)

    @property
    def seconds(self) -> float:
        return sum(p.until - p.since for p, _ in self.phases)

    def usage(self, key: str) -> float:
        return sum(u[key] for _, u in self.phases)

    def mean(self, key: str) -> float:
        return self.usage(key) / len(self.phases) if self.phases else 0.0

    def errors(self) -> list[str]:
        return [e for p, _ in self.phases for e in p.rec.errors]


def bench_database(name: str, env: dict[str, str], args: argparse.Namespace, log_dir: Path) -> Outcome:
    tag = f"[{name}]"
    t = time.monotonic()
    run_command([sys.executable, "-m", "homeoffice.web.manage", "migrate", "--noinput"], env)
    say(f"{tag} migrated a fresh database ({time.monotonic() - t:.1f} s)")
    token = run_python(SEED, env).strip()
    pages = survey_pages()
    say(f"{tag} seeded one organisation, unit and open wave on standard ({len(pages)} pages) with an anonymous link")
    port = free_port()
    log = log_dir / f"gunicorn-{name}.log"
    counter = itertools.count()

    def flows(phase: Phase, client: Client) -> Coroutine:
        return submit_user(phase, client, token, pages, next(counter))

    bare, html, sub, ans = Measured(), Measured(), Measured(), Measured()
    ran_out: list[int] = []
    with running_server(env, port, args.workers, args.threads, log, args.worker_class) as server:
        say(
            f"{tag} gunicorn on 127.0.0.1:{port}: {args.worker_class}, {args.workers} workers x {args.threads} "
            "threads, DEBUG off"
        )
        common = {"port": port, "users": args.users, "warmup": args.warmup, "duration": args.duration, "server": server}
        for n in range(1, args.rounds + 1):
            bare.phases.append(asyncio.run(run_phase(bare_user, **common)))
            rps = bare.phases[-1][0].figures({"bare GET"})["rps"]
            say(f"{tag} round {n}: bare page {rps:.0f} req/s at {args.users} users")
            html.phases.append(asyncio.run(run_phase(html_user, **common)))
            rps = html.phases[-1][0].figures({"html GET"})["rps"]
            say(f"{tag} round {n}: front page (template, no database) {rps:.0f} req/s at {args.users} users")
            sub.phases.append(asyncio.run(run_phase(flows, **common, stagger=0.8 * args.warmup)))
            rps = sub.phases[-1][0].figures(SUBMISSION_KINDS)["rps"]
            say(f"{tag} round {n}: submission path {rps:.0f} submission POSTs/s at {args.users} users")
            prepared = iter(asyncio.run(prepare_entries(port, args.users, args.entries, token, n)))

            def answers(phase: Phase, client: Client, prepared: Iterator[list[Entry]] = prepared) -> Coroutine:
                return answers_user(phase, client, next(prepared), pages, next(counter), ran_out)

            ans.phases.append(asyncio.run(run_phase(answers, **common, stagger=0.8 * args.warmup)))
            rps = ans.phases[-1][0].figures(SUBMISSION_KINDS)["rps"]
            say(f"{tag} round {n}: answers only (entries made beforehand) {rps:.0f} submission POSTs/s")
        crash, crash_use = asyncio.run(
            run_phase(flows, **{**common, "warmup": 0.0, "duration": 3600.0}, stagger=1.0, kill_after=args.crash_after)
        )
    say(
        f"{tag} crash test: SIGKILL to the server's process group after {args.crash_after:.0f} s of load "
        f"({crash_use['in_flight']:.0f} requests in flight, {len(crash.acked)} submits acknowledged)"
    )
    checked = json.loads(run_python(CHECK, env, stdin=json.dumps({"acked": crash.acked, "unknown": crash.unknown})))
    lost = len(crash.acked) - checked["acked_found"]
    say(f"{tag} checked the database without restarting anything: {checked['acked_found']} of {len(crash.acked)} found")
    if not crash.acked:
        say(f"{tag} warning: no submit was acknowledged before the kill; give --crash-after more seconds")

    fb = bare.figures({"bare GET"})
    fh = html.figures({"html GET"})
    html_cpu = 1000 * html.usage("server_cpu") / max(1, fh["n"])
    fs = sub.figures(SUBMISSION_KINDS)
    fa = sub.figures(OTHER_KINDS | SUBMISSION_KINDS)
    fsub = sub.figures({SUBMIT_KIND})
    bare_cpu = 1000 * bare.usage("server_cpu") / max(1, fb["n"])
    flow_cpu = 1000 * sub.usage("server_cpu") / max(1, fa["n"])
    ratio = fs["rps"] / fb["rps"] if fb["rps"] else 0.0
    ratio_html = fs["rps"] / fh["rps"] if fh["rps"] else 0.0
    fans = ans.figures(SUBMISSION_KINDS)
    ratio_answers = fans["rps"] / fb["rps"] if fb["rps"] else 0.0
    errors = fb["errors"] + fa["errors"] + fh["errors"] + fans["errors"]
    lines = [
        f"{tag} {args.users} users; {args.rounds} rounds of bare then submission load, each {args.duration:.0f} s "
        f"measured after {args.warmup:.0f} s warm-up; gunicorn {args.worker_class} {args.workers}x{args.threads}",
        f"  {'':<44}{'n':>7}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>7}{'CPU ms':>9}",
        _row("bare GET /healthz", fb, bare_cpu),
        _row("front page GET / (template, no database)", fh, html_cpu),
        _row("page-save POSTs /answer/<n>/", sub.figures({PAGE_KIND})),
        _row("submit POSTs /submit/", fsub),
        _row("submission POSTs (page saves + submits)", fs),
        _row("other flow requests (3 GETs, consent POST)", sub.figures(OTHER_KINDS)),
        _row("all flow requests", fa, flow_cpu),
        _row("answers only: page saves + submits", fans),
        f"  completed submissions/s: {fsub['rps']:.1f}",
        "  CPU ms: gunicorn's CPU time per request (not the database server's); bare / submission phases: "
        f"load client {100 * bare.usage('client_cpu') / bare.seconds:.0f}% / "
        f"{100 * sub.usage('client_cpu') / sub.seconds:.0f}% of a core, whole machine busy "
        f"{100 * bare.mean('machine_busy'):.0f}% / {100 * sub.mean('machine_busy'):.0f}% of {os.cpu_count()} cores",
        f"  submit_vs_bare[{name}]: {ratio:.2f}   target >= {TARGET_RATIO:.2f}: {_met(ratio >= TARGET_RATIO)}",
        f"  submissions / front page [{name}]: {ratio_html:.2f}   (for comparison; the target is against /healthz)",
        f"  answers_only_vs_bare[{name}]: {ratio_answers:.2f}   (for comparison: people already past the consent "
        "and start pages; the target counts the whole flow)",
        f"  p99 of submission POSTs: {fs['p99']:.1f} ms   target < {TARGET_P99_MS:.0f} ms: "
        f"{_met(fs['p99'] < TARGET_P99_MS)}",
        f"  errors: {errors}   target 0: {_met(errors == 0)}",
        f"  crash test: {len(crash.acked)} acknowledged submits, {len(crash.unknown)} unanswered at the kill "
        f"({checked['unknown_found']} of those stored anyway); {checked['submitted_total']} submitted in all",
        f"  lost_acknowledged[{name}]: {lost}",
    ]
    if ran_out:
        lines.append(f"  note: {len(ran_out)} answers-only users ran out of prepared entries (--entries): figure low")
    lines += [f"  error: {err}" for err in (bare.errors() + html.errors() + sub.errors() + ans.errors())[:5]]
    for line in lines:
        say(line)
    return Outcome(name, ratio, ratio_answers, fs["p99"], errors, lost)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds of bare then submission load (default 3)")
    parser.add_argument("--duration", type=float, default=6.0, help="seconds measured per phase (default 6)")
    parser.add_argument("--warmup", type=float, default=2.5, help="seconds of warm-up per phase (default 2.5)")
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker (default 2)")
    parser.add_argument("--worker-class", default="gthread", choices=("gthread", "sync"))
    parser.add_argument(
        "--entries", type=int, default=64, help="entries prepared per user for the answers-only phase (default 64)"
    )
    parser.add_argument("--crash-after", type=float, default=3.0, help="seconds of load before the SIGKILL")
    parser.add_argument("--databases", default="sqlite,postgres")
    args = parser.parse_args(argv)
    if args.rounds * (args.duration + args.warmup) > 90 or args.users > 256 or args.crash_after > 30:
        parser.error("keep --rounds x (--duration + --warmup) <= 90 s, --users <= 256, --crash-after <= 30 s")
    if not 1 <= args.entries <= 200:
        parser.error("keep 1 <= --entries <= 200")

    signal.signal(signal.SIGALRM, _time_limit)
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, _stopped)
    signal.alarm(HARD_LIMIT_SECONDS)
    outcomes: list[Outcome] = []
    for leftover in remove_leftovers():
        say(f"removed a leftover of an earlier run: {leftover}")
    with tempfile.TemporaryDirectory(prefix=f"{TEMP_PREFIX}{os.getpid()}-logs-") as logs:
        for name in [d.strip() for d in args.databases.split(",") if d.strip()]:
            if name == "sqlite":
                with sqlite_database() as env:
                    outcomes.append(bench_database("sqlite", env, args, Path(logs)))
            elif name == "postgres":
                why = postgres_reachable()
                if why is not None:
                    say(f"[postgres] SKIPPED: PostgreSQL on 127.0.0.1:5432 is not reachable ({why})")
                    continue
                with postgres_database() as env:
                    outcomes.append(bench_database("postgres", env, args, Path(logs)))
            else:
                parser.error(f"unknown database {name!r} (sqlite, postgres)")
    signal.alarm(0)
    if not outcomes:
        say("no database was measured")
        return 1
    say("summary")
    for o in outcomes:
        say(
            f"  {o.name}: submit_vs_bare {o.ratio:.2f} (answers only {o.answers_only:.2f}), p99 {o.p99:.1f} ms, "
            f"errors {o.errors}, "
            f"lost_acknowledged {o.lost}"
        )
    lowest = min(outcomes, key=lambda o: o.ratio)
    all_met = all(o.ratio >= TARGET_RATIO and o.p99 < TARGET_P99_MS and o.errors == 0 and o.lost == 0 for o in outcomes)
    say(f"targets {'met' if all_met else 'NOT met'} on {', '.join(o.name for o in outcomes)}")
    say(f"lost_acknowledged: {sum(o.lost for o in outcomes)}")
    say(f"submit_vs_bare: {lowest.ratio:.2f}")
    return 0 if sum(o.lost for o in outcomes) == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
