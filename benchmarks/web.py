"""Web benchmark: the portfolio overview page and vote POSTs, over HTTP, on PostgreSQL.

Run it with ``.venv/bin/python benchmarks/web.py [--quick] [--database-url URL]``; the URL
defaults to ``$PHASEGATE_TEST_POSTGRES_URL``. The database's phasegate tables are EMPTIED.

The protocol: a portfolio is written with bulk Core inserts (people, a board of seven,
projects in every phase, published status reports with traffic lights, open report
requests, open gate requests with their deciders and deadlines) and ANALYZEd. The real
app is then served by uvicorn in a subprocess, built as ``phasegate serve`` builds it
(``create_app(build(Settings.load()))``), in production mode with the scheduler off
(``PHASEGATE_SCHEDULER_IN_WEB=false``) and the access log on. The client is httpx, in this
process, on the same machine: its CPU time is counted and shown.

* **overview**: ``GET /`` (the HTML page, every project, sorted by name) from one client,
  one request at a time, after three warm-up requests, for each portfolio size
  (``--projects``, default 1,000 and 5,000; ``--page-requests`` each, default 20).
  Target: p50 <= 300 ms at 5,000 projects (smaller sizes are for comparison).
  ``read_overview`` (the engine's part) is also timed in this process.
* **benefits and risk overviews**: ``GET /portfolio/benefits`` and ``GET /portfolio/risks``
  (their first page of 50 rows, the summary counts and the matrix), measured as the
  overview is. Each project has 3 benefits (each with 1 indicator and 2 or 3
  measurements; every seventh benefit has no owner) and 5 open risks. Target: p50 <=
  300 ms each at 5,000 projects. ``benefits_overview`` and ``risks_overview`` (the
  engine's part) are also timed in this process. Every page is read by a signed-in PMO
  (the portfolio is not public: ``PHASEGATE_PUBLIC_READ`` is ``none``).
* **votes**: ``POST /api/gate-requests/{id}/votes`` with ``{"outcome": "approve"}`` and
  ``Authorization: Bearer pgt_...`` (tokens made by the engine, one per person) from
  ``--clients`` (32) threads, each with its own connection, for each ``--workers`` setting
  of uvicorn (1 and 2). Every vote is a first, valid vote: a (request, voter) pair is used
  once, and a board request gets only as many votes as its majority needs (4 of 7), so
  none meets "already voted" or "already decided". The pairs are shuffled. Eight votes
  in nine are on board gates: three in four of those leave the gate open (the other six
  board members are emailed), one in four decides it (the project moves on; its manager
  and owner are emailed). One in nine is on an owner gate, and decides it at once.
  ``--warm-up`` votes (300) go first and are not counted; then ``--votes`` (3,000), for
  at most ``--seconds`` (30). Any answer but 2xx is an error and fails the run (exit
  status 2). Targets: >= 300 votes/s with p99 <= 150 ms.

The vote portfolio (at least ``--projects``' largest size) is written afresh for each
``--workers`` setting. The CPU time of the server, PostgreSQL, this client and everything
else on the machine over the measured votes comes from ``/proc`` (a busy machine shows as
"other"), and the connections PostgreSQL accepted meanwhile from ``pg_stat_database``
(each is a new backend process to start). Afterwards, a sample of votes runs in this
process through the engine calls the route makes (``principal_for`` for the token, then
``cast_vote``), counting their SQL statements with SQLAlchemy's ``before_cursor_execute``
event; ``--profile`` adds a cProfile of their CPU time. ``--app`` serves another app
factory, to try a change without editing phasegate. ``--quick``: 5,000 projects, one
worker, 10 seconds of votes.

The exit status is 0 when the overview meets its target and one ``--workers`` setting
meets the vote targets, 1 when not, 2 when a vote was refused.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import Engine as Database
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import make_url

import bulk
from bulk import BOARD, REPO, emptied, gate_of
from phasegate.bootstrap import App, build
from phasegate.cycle.deadlines import gate_subject, open_deadlines, report_subject
from phasegate.domain.model import Gate
from phasegate.domain.reminders import DeadlineKind
from phasegate.domain.reports import SCALES, Colour, ReportKind, required_dimensions
from phasegate.domain.wheel import EventKind
from phasegate.engine.case_overviews import BenefitFilters, RiskFilters
from phasegate.engine.overview import Filters, Sort, read_overview
from phasegate.engine.unit import SYSTEM, UnitOfWork
from phasegate.settings import Settings
from phasegate.storage.registers import Benefit, Indicator, Measurement, Risk
from phasegate.storage.tables import Person, Project, RoleGrant, StatusReport, Vote
from phasegate.web.access import SESSION_COOKIE

HERE = Path(__file__).resolve().parent
TARGET_PAGE_P50_MS = 300.0  # GET / with 5,000 projects
TARGET_PAGE_PROJECTS = 5000
TARGET_VOTES_PER_S = 300.0
TARGET_VOTE_P99_MS = 150.0
VOTE = {"outcome": "approve", "comment": ""}
PAGE_WARM_UP = 3
SAMPLE_VOTES = 60  # in-process votes whose statements are counted (after SAMPLE_WARM_UP)
SAMPLE_WARM_UP = 20
VOTES_PER_PROJECT = 0.9  # board: 2 in 10 projects x 4 votes; owner: 1 in 10 x 1 vote

BENEFITS = ("Spart tid i saksbehandlingen", "Lavere driftskostnader", "Færre klager")
RISKS = ("Forsinket leveranse", "Kostnadsøkning", "Mangel på kompetanse", "Uklart mandat",
         "Gjenbruk av løsning")  # fmt: skip
RISK_CATEGORIES = ("Økonomi", "Teknologi", "Organisasjon", "Leverandør")
AREAS = ("Oppvekst", "Helse og omsorg", "Samfunnsutvikling", "Organisasjon", "Kultur")
PORTFOLIOS = ("Digitalisering", "Bygg og eiendom", "Tjenesteutvikling")


def server_app() -> FastAPI:
    """The app uvicorn serves (``--factory web:server_app``), from PHASEGATE_* variables."""
    from phasegate.web.app import served  # noqa: PLC0415 - only the server needs it

    return served(Settings.load())


# --- results ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    what: str
    n: int
    p50_ms: float
    p99_ms: float
    per_s: float | None  # votes per second (None for the page)
    errors: int
    met: bool
    target: str
    note: str = ""


def percentile(values: list[float], p: int) -> float:
    """The p-th percentile (inclusive method: p50 is the median, p99 near the top)."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


# --- the portfolio, in bulk -------------------------------------------------------------


@dataclass
class Portfolio:
    """What was written: the (request, voter) pairs that are first, valid votes."""

    projects: int
    pairs: list[tuple[int, int]] = field(default_factory=list)
    board_requests: int = 0
    owner_requests: int = 0


class Writer(bulk.Writer):
    """Collects one portfolio's rows in memory, then writes them with a few bulk inserts;
    the deadlines are opened by the engine's own ``open_deadlines``.

    By ``p % 10``: 0 and 5 are in concept with BP2 before the board; 2 in planning with
    BP3 before its owner; 1 an idea; 3, 4, 6 and 7 in execution, reporting; 8 closing;
    9 in realisation, on hold, completed or stopped.
    """

    TABLES = (
        Person,
        RoleGrant,
        Project,
        StatusReport,
        *bulk.Writer.TABLES[3:],
        Benefit,
        Indicator,
        Measurement,
        Risk,
    )

    def __init__(self, app: App, n: int, now: datetime, seed: int) -> None:
        super().__init__(app, n, now)
        self.rng = random.Random(seed)
        self.owed: list[dict[str, Any]] = []  # open_deadlines' arguments, once rows are in
        wheel = app.cycle.wheel
        meeting = wheel.next_board_meeting(now - timedelta(days=2))
        if meeting is None:
            raise SystemExit("error: the wheel has no board meeting ahead")
        self.meeting = meeting
        ahead = wheel.occurrences(now, now + timedelta(days=400))
        self.cycle = next(
            o
            for o in ahead
            if o.event.kind is EventKind.REPORTING_CYCLE and "execution" in o.event.phases
        )
        self.portfolio = Portfolio(n)

    def write(self) -> Portfolio:
        self.pin_workflow()
        self.people()
        for p in range(1, self.n + 1):
            self.project(p)
        with self.app.database.begin() as conn:
            self.insert_rows(conn)
            for table in self.rows:  # explicit ids: move the sequences past them
                if "id" in table.__table__.c:
                    sequence = func.pg_get_serial_sequence(table.__tablename__, "id")
                    highest = select(func.max(table.id)).scalar_subquery()
                    conn.execute(select(func.setval(sequence, highest)))
            uow = UnitOfWork(conn, self.now, SYSTEM, self.app.engine.workflows)
            for owed in self.owed:
                open_deadlines(uow, self.app.cycle, **owed)
            conn.execute(text("ANALYZE"))
        self.rng.shuffle(self.portfolio.pairs)
        return self.portfolio

    def project(self, p: int) -> None:
        now, kind = self.now, p % 10
        leader = self.first_leader + p % self.leaders
        owner = self.first_owner + (p + p // 10) % self.owners  # owner gates: distinct owners
        phase, status = {
            0: ("concept", "active"),
            5: ("concept", "active"),
            1: ("idea", "active"),
            2: ("planning", "active"),
            8: ("closing", "active"),
        }.get(kind, ("execution", "active"))
        if kind == 9:
            phase, status = (
                ("realisation", "active"),
                ("execution", "on_hold"),
                ("completed", "completed"),
                ("stopped", "stopped"),
            )[p // 10 % 4]
        self.add_project(
            p,
            leader=leader,
            owner=owner,
            area=AREAS[p % len(AREAS)],
            portfolio=PORTFOLIOS[p % len(PORTFOLIOS)],
            phase=phase,
            status=status,
            entered=timedelta(days=30 + p % 200),
            created=timedelta(days=300 + p % 300),
        )
        self.business_case(p, owner, leader)
        if phase in ("execution", "closing", "realisation", "completed"):
            for months in (1, 5) if phase == "execution" else (5,):
                self.status_report(p, leader, now - timedelta(days=30 * months + p % 20))
        if kind in (0, 5):
            gate = gate_of(self.definition, "BP2")
            board = list(range(1, BOARD + 1))
            self.gate_request(p, gate, leader, board, self.meeting.at, self.meeting.key)
            self.owe_decision(DeadlineKind.GATE_DECISION, p, gate, board, self.meeting.at)
            voters = self.rng.sample(board, len(board) // 2 + 1)  # a majority: the last decides
            self.portfolio.pairs += [(p, voter) for voter in voters]
            self.portfolio.board_requests += 1
        elif kind == 2:
            gate = gate_of(self.definition, "BP3")
            due = self.app.cycle.owner_gate_due(now - timedelta(days=2))
            self.gate_request(p, gate, leader, [owner], due, None)
            self.owe_decision(DeadlineKind.OWNER_DECISION, p, gate, [owner], due)
            self.portfolio.pairs.append((p, owner))
            self.portfolio.owner_requests += 1
        elif phase == "execution" and status == "active":
            o = self.cycle
            request = self.report_request(p, leader, o, requested_at=min(o.opens_at, now))
            self.owe(
                DeadlineKind.STATUS_REPORT,
                report_subject(request),
                [leader],
                p,
                {lang: f"{o.event.label.get(lang)} {o.at.year}" for lang in ("nb", "en")},
                o.at,
            )

    def business_case(self, project: int, owner: int, leader: int) -> None:
        """3 benefits, each with 1 indicator and 2 or 3 measurements, and 5 open risks."""
        now, rng = self.now, self.rng
        stamp = {"created_at": now, "updated_at": now, "version": 1}
        today = now.date()
        for k in range(3):
            benefit = len(self.rows[Benefit]) + 1
            self.rows[Benefit].append(
                {"id": benefit, "project_id": project, "title": f"{BENEFITS[k]} {project}",
                 "description": "", "kind": ("time", "economic", "quality")[k],
                 "owner_id": None if benefit % 7 == 0 else owner, **stamp}
            )  # fmt: skip
            lower = k == 1  # costs go down
            baseline, target = (1000, 400) if lower else (0, 800)
            indicator = len(self.rows[Indicator]) + 1
            self.rows[Indicator].append(
                {"id": indicator, "benefit_id": benefit, "project_id": project,
                 "name": "Timer per år", "unit": "timer",
                 "direction": "lower" if lower else "higher",
                 "baseline": Decimal(baseline), "baseline_on": today - timedelta(days=500),
                 "target": Decimal(target),
                 "target_on": today + timedelta(days=200 + project % 300),
                 "plan_cycle": None, "plan_dates": [], **stamp}
            )  # fmt: skip
            for m in range(2 + project % 2):
                step = rng.randint(50, 250)
                self.rows[Measurement].append(
                    {"id": len(self.rows[Measurement]) + 1, "indicator_id": indicator,
                     "value": Decimal(baseline + (-step if lower else step) * (m + 1)),
                     "measured_on": today - timedelta(days=400 - 120 * m), "comment": "",
                     "recorded_by": owner, "recorded_at": now, "channel": "form"}
                )  # fmt: skip
        for k in range(5):
            p, c = rng.randint(1, 5), rng.randint(1, 5)
            self.rows[Risk].append(
                {"id": len(self.rows[Risk]) + 1, "project_id": project,
                 "kind": "opportunity" if k == 4 else "risk", "title": f"{RISKS[k]} {project}",
                 "description": "", "category": RISK_CATEGORIES[(project + k) % 4],
                 "owner_id": leader, "assessment_id": None, "probability": p, "consequence": c,
                 "score": p * c, "probability_after": None, "consequence_after": None,
                 "score_after": None, "response": "reduce", "mitigation": "", "status": "open",
                 "next_review_on": today + timedelta(days=rng.randint(-20, 90)),
                 "review_asked_on": None, **stamp}
            )  # fmt: skip

    def status_report(self, project: int, leader: int, published: datetime) -> None:
        ratings: dict[str, str] = {}
        comments: dict[str, str] = {}
        for dimension in required_dimensions(ReportKind.STATUS):
            levels = SCALES[dimension]
            level = levels[min(int(self.rng.expovariate(1.5)), len(levels) - 1)]
            ratings[str(dimension)] = level.value
            if level.colour is Colour.RED:
                comments[str(dimension)] = "Forsinket levering fra leverandør; tiltak iverksatt."
        self.rows[StatusReport].append(
            {
                "id": len(self.rows[StatusReport]) + 1,
                "project_id": project,
                "kind": "status",
                "status": "published",
                "ratings": ratings,
                "comments": comments,
                "budget": 10_000_000,
                "spent": 4_000_000,
                "forecast": 10_500_000,
                "created_by": leader,
                "created_at": published - timedelta(days=3),
                "updated_at": published,
                "published_by": leader,
                "published_at": published,
                "version": 3,
            }
        )

    def owe_decision(
        self, kind: DeadlineKind, project: int, gate: Gate, deciders: list[int], due: datetime
    ) -> None:
        """A deadline for each decider of the project's gate request."""
        self.owe(kind, gate_subject(project), deciders, project, self.gate_titles(gate), due)

    def owe(
        self,
        kind: DeadlineKind,
        subject: str,
        people: list[int],
        project: int,
        titles: dict[str, str],
        due: datetime,
    ) -> None:
        """Open deadlines, asked for a moment ago, as the engine's handler opens them."""
        self.owed.append(
            {
                "kind": kind,
                "subject": subject,
                "people": people,
                "project": project,
                "titles": titles,
                "due": due,
            }
        )


# --- the database and the server --------------------------------------------------------


def settings_for(url: str, base_url: str = "http://127.0.0.1:8000") -> dict[str, str]:
    """The server's PHASEGATE_* variables: production, the scheduler off."""
    return {**bulk.environment(url, base_url), "PHASEGATE_SCHEDULER_IN_WEB": "false"}


def seeded(url: str, n: int, seed: int) -> tuple[App, Portfolio]:
    """An emptied database with a portfolio of ``n`` projects; the app that wrote it."""
    emptied(url)
    app = build(Settings.load(settings_for(url)), pool_size=2)
    started = time.perf_counter()
    portfolio = Writer(app, n, datetime.now(UTC), seed).write()
    print(
        f"  {n} projects written in {time.perf_counter() - started:.1f} s "
        f"({portfolio.board_requests} board and {portfolio.owner_requests} owner requests "
        f"open, {len(portfolio.pairs)} votes to cast)",
        file=sys.stderr,
    )
    return app, portfolio


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    base: str
    process: subprocess.Popen[bytes]
    log: Path

    def pids(self) -> list[int]:
        """The uvicorn process and its workers."""
        return [self.process.pid, *children(self.process.pid)]


@contextmanager
def serving(url: str, workers: int, app: str = "web:server_app") -> Iterator[Server]:
    """uvicorn on loopback, serving the app as ``phasegate serve`` does, in a subprocess."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHASEGATE_")}
    env.update(settings_for(url, base))
    with tempfile.TemporaryDirectory() as folder:
        log_path = Path(folder) / "uvicorn.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    app.rsplit("/", 1)[-1],
                    "--factory",
                    "--app-dir",
                    app.rsplit("/", 1)[0] if "/" in app else str(HERE),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--workers",
                    str(workers),
                    "--log-level",
                    "info",  # as `phasegate serve`: the access log is written
                ],
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        server = Server(base, process, log_path)
        try:
            wait_until_up(server, workers)
            yield server
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_up(server: Server, workers: int) -> None:
    deadline = time.monotonic() + 60
    while True:
        if server.process.poll() is not None:
            raise SystemExit(f"error: uvicorn stopped:\n{server.log.read_text()[-3000:]}")
        if server.log.read_text().count("Application startup complete") >= workers:
            try:
                if httpx.get(f"{server.base}/healthz", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
        if time.monotonic() > deadline:
            raise SystemExit(f"error: uvicorn did not start:\n{server.log.read_text()[-3000:]}")
        time.sleep(0.1)


# --- CPU time from /proc ----------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()  # fields from the 3rd (state) on


def children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) and int(fields[1]) == parent:
            found.append(int(entry.name))
    return found


def postgres_pids() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU seconds of each process and of its children that have ended
    (utime, stime, cutime, cstime: fields 14 to 17). PostgreSQL's postmaster reaps the
    backends of closed connections, so their time is counted too."""
    times = {}
    for pid in pids:
        if (fields := _stat(pid)) is not None:
            times[pid] = sum(int(f) for f in fields[11:15]) / TICK
    return times


def machine_busy_seconds() -> float:
    """CPU seconds the machine spent busy, all cores (from /proc/stat's first line)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields[:8]) - idle) / TICK


@dataclass
class CpuMeter:
    """CPU seconds of the server, PostgreSQL, this client and everything else on the
    machine (other processes: a busy machine makes the figures worse) from start to stop."""

    server_pids: list[int]
    before: dict[str, dict[int, float]] = field(default_factory=dict)
    used: dict[str, float] = field(default_factory=dict)

    def _now(self) -> dict[str, dict[int, float]]:
        own = os.times()
        return {
            "server": cpu_seconds(self.server_pids),
            "postgres": cpu_seconds(postgres_pids()),
            "client": {0: own.user + own.system},
            "machine": {0: machine_busy_seconds()},
        }

    def start(self) -> None:
        self.before = self._now()

    def stop(self) -> None:
        after = self._now()
        for who, times in after.items():
            self.used[who] = sum(t - self.before[who].get(pid, 0.0) for pid, t in times.items())
        machine = self.used.pop("machine")
        self.used["other"] = max(0.0, machine - sum(self.used.values()))

    def shares(self, wall: float) -> str:
        """Each one's CPU time as a share of all cores over ``wall`` seconds."""
        cores = wall * (os.cpu_count() or 1)
        return ", ".join(f"{who} {100 * s / cores:.0f}%" for who, s in self.used.items())


# --- the measurements -------------------------------------------------------------------


def measure_page(
    server: Server,
    n: int,
    requests: int,
    session: str,
    path: str = "/",
    shown: str | None = None,
) -> Result:
    """GET ``path`` one request at a time, signed in; checks every page says ``shown``
    (the overview: that it shows all ``n`` projects)."""
    shown = shown or f"Viser {n} av {n} prosjekter"
    times: list[float] = []
    size = 0
    cookies = {SESSION_COOKIE: session}
    with httpx.Client(base_url=server.base, timeout=60, cookies=cookies) as client:
        for i in range(PAGE_WARM_UP + requests):
            started = time.perf_counter()
            response = client.get(path)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200 or shown not in response.text:
                raise SystemExit(
                    f"error: GET {path} answered {response.status_code}, not {shown!r}"
                )
            size = len(response.content)
            if i >= PAGE_WARM_UP:
                times.append(elapsed)
    p50 = percentile(times, 50)
    held = n >= TARGET_PAGE_PROJECTS  # smaller portfolios are shown for comparison
    return Result(
        f"GET {path} ({n} projects)",
        len(times),
        p50,
        percentile(times, 99),
        None,
        0,
        p50 <= TARGET_PAGE_P50_MS or not held,
        f"p50 <= {TARGET_PAGE_P50_MS:.0f} ms" if held else "(for comparison)",
        f"{size / 1024:.0f} KiB",
    )


@dataclass
class VoteRun:
    sent: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    elapsed: float = 0.0


def cast_votes(
    base: str, pairs: list[tuple[int, str]], clients: int, run: VoteRun, seconds: float
) -> None:
    """``clients`` threads, each with its own connection, take the next (request, token)
    pair until none is left or ``seconds`` have passed. (A synchronous httpx client per
    thread costs the client a third of the CPU time that one AsyncClient shared by 32
    tasks does.)"""
    work = iter(pairs)
    lock = threading.Lock()
    started = time.perf_counter()
    until = started + seconds

    def next_pair() -> tuple[int, str] | None:
        with lock:
            pair = next(work, None) if time.perf_counter() < until else None
            run.sent += pair is not None
            return pair

    def one_client() -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            while (pair := next_pair()) is not None:
                request, token = pair
                began = time.perf_counter()
                try:
                    response = client.post(
                        f"/api/gate-requests/{request}/votes",
                        json=VOTE,
                        headers={"authorization": f"Bearer {token}"},
                    )
                except httpx.HTTPError as exc:
                    run.errors.append(f"{type(exc).__name__} on request {request}: {exc}")
                    continue
                elapsed = (time.perf_counter() - began) * 1000
                if response.is_success:
                    run.latencies.append(elapsed)  # list.append is atomic
                else:
                    run.errors.append(
                        f"{response.status_code} on request {request}: {response.text}"
                    )

    threads = [threading.Thread(target=one_client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.elapsed = time.perf_counter() - started


def sessions(database: Database) -> int:
    """Connections PostgreSQL has accepted to this database so far (PostgreSQL 14+)."""
    q = text("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
    return count(database, q)


def measure_votes(
    server: Server,
    pairs: list[tuple[int, str]],
    args: argparse.Namespace,
    workers: int,
    database: Database,
) -> tuple[Result, CpuMeter, int]:
    """Warm up, then measure; returns the result, the CPU used and the votes sent."""
    warm, measured = VoteRun(), VoteRun()
    cast_votes(server.base, pairs[: args.warm_up], args.clients, warm, args.seconds)
    meter = CpuMeter(server.pids())
    opened = sessions(database)
    meter.start()
    cast_votes(server.base, pairs[args.warm_up :], args.clients, measured, args.seconds)
    meter.stop()
    opened = sessions(database) - opened
    errors = warm.errors + measured.errors
    for error in errors[:5]:
        print(f"  refused: {error}", file=sys.stderr)
    per_s = measured.sent / measured.elapsed
    p50 = percentile(measured.latencies, 50) if measured.latencies else float("nan")
    p99 = percentile(measured.latencies, 99) if measured.latencies else float("nan")
    met = per_s >= TARGET_VOTES_PER_S and p99 <= TARGET_VOTE_P99_MS and not errors
    what = f"POST vote, {workers} worker{'s' if workers > 1 else ''}, {args.clients} clients"
    return (
        Result(
            what,
            measured.sent,
            p50,
            p99,
            per_s,
            len(errors),
            met,
            f">= {TARGET_VOTES_PER_S:.0f}/s, p99 <= {TARGET_VOTE_P99_MS:.0f} ms",
            f"CPU: {meter.shares(measured.elapsed)}; {opened} new connections to PostgreSQL",
        ),
        meter,
        warm.sent + measured.sent,
    )


def make_tokens(app: App, people: set[int]) -> dict[int, str]:
    """One API token per voter, made by the engine as /account makes them."""
    return {person: app.engine.create_api_token("benchmark", actor=person)[1] for person in people}


@dataclass
class QueryCounter:
    queries: int = 0

    def __call__(self, *_args: Any) -> None:
        self.queries += 1


def sample_in_process(
    app: App, pairs: list[tuple[int, str]], profile: bool
) -> tuple[float, float, float, float]:
    """The route's engine calls, one vote at a time in this process, after a few to warm
    up: the token lookup (``principal_for``), then ``cast_vote``.

    Returns statements and CPU milliseconds per vote, for the token lookup and the vote.
    """
    counter = QueryCounter()
    engine = app.engine
    for request, token in pairs[:SAMPLE_WARM_UP]:
        who = engine.principal_for(session=None, api_token=token)
        assert who is not None
        engine.cast_vote(request, "approve", "", channel="api", actor=who.person)
    measured = pairs[SAMPLE_WARM_UP:]
    event.listen(app.database, "before_cursor_execute", counter)
    auth_q = vote_q = 0
    auth_s = vote_s = 0.0
    profiler = cProfile.Profile(time.process_time)
    for request, token in measured:
        counter.queries, started = 0, time.process_time()
        if profile:
            profiler.enable()
        who = engine.principal_for(session=None, api_token=token)
        middle, auth_q = time.process_time(), auth_q + counter.queries
        assert who is not None
        counter.queries = 0
        engine.cast_vote(request, "approve", "", channel="api", actor=who.person)
        if profile:
            profiler.disable()
        vote_s += time.process_time() - middle
        auth_s += middle - started
        vote_q += counter.queries
    event.remove(app.database, "before_cursor_execute", counter)
    if profile:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs()
        stats.sort_stats("cumulative").print_stats(40)
        stats.sort_stats("tottime").print_stats(25)
        print(out.getvalue(), file=sys.stderr)
    n = len(measured)
    return auth_q / n, vote_q / n, auth_s * 1000 / n, vote_s * 1000 / n


def overview_in_process(app: App, times: int = 5) -> tuple[float, float]:
    """``read_overview`` (the engine's part of GET /) here: median wall and CPU ms."""
    zone = app.settings.zone
    read_overview(app.engine, Filters(), Sort(), zone)  # warms the caches
    wall, cpu = [], []
    for _ in range(times):
        started, used = time.perf_counter(), time.process_time()
        read_overview(app.engine, Filters(), Sort(), zone)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def case_overviews_in_process(app: App, times: int = 5) -> str:
    """``benefits_overview`` and ``risks_overview`` here: median wall and CPU ms, and the
    statements each runs."""
    engine = app.engine
    calls: dict[str, Callable[[], object]] = {
        "benefits_overview": lambda: engine.benefits_overview(BenefitFilters()),
        "risks_overview": lambda: engine.risks_overview(RiskFilters()),
    }
    found = []
    for name, call in calls.items():
        call()  # warms the caches
        counter = QueryCounter()
        event.listen(app.database, "before_cursor_execute", counter)
        wall, cpu = [], []
        for _ in range(times):
            started, used = time.perf_counter(), time.process_time()
            call()
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - used) * 1000)
        event.remove(app.database, "before_cursor_execute", counter)
        found.append(
            f"{name} {statistics.median(wall):.0f} ms ({statistics.median(cpu):.0f} ms CPU, "
            f"{counter.queries // times} statements)"
        )
    return "; ".join(found)


def pmo_session(app: App) -> str:
    """A signed-in PMO's session (the pages need one; PHASEGATE_PUBLIC_READ is off)."""
    return app.engine.start_session(BOARD + 1, timedelta(hours=2), via="benchmark")


def count(database: Database, statement: Any) -> int:
    with database.connect() as conn:
        return int(conn.execute(statement).scalar_one())


def run_votes(
    url: str, workers: int, n_projects: int, args: argparse.Namespace
) -> tuple[Result, str]:
    needed = args.warm_up + args.votes + SAMPLE_VOTES
    size = max(n_projects, int(needed / VOTES_PER_PROJECT) + 20)
    app, portfolio = seeded(url, size, seed=workers)
    try:
        pairs = portfolio.pairs[:needed]
        started = time.perf_counter()
        tokens = make_tokens(app, {voter for _, voter in pairs})
        print(
            f"  {len(tokens)} API tokens made in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
        with_tokens = [(request, tokens[voter]) for request, voter in pairs]
        over_http, in_process = with_tokens[:-SAMPLE_VOTES], with_tokens[-SAMPLE_VOTES:]
        with serving(url, workers, args.app) as server:
            result, meter, sent = measure_votes(server, over_http, args, workers, app.database)
        recorded = count(app.database, select(func.count()).select_from(Vote))
        if not result.errors and recorded != sent:
            raise SystemExit(f"error: {recorded} votes recorded, {sent} accepted")
        auth_q, vote_q, auth_ms, vote_ms = sample_in_process(app, in_process, args.profile)
        n = result.n
        per_vote = ", ".join(f"{who} {s * 1000 / n:.1f}" for who, s in meter.used.items())
        detail = (
            f"  {result.what}: CPU ms per vote over HTTP: {per_vote}\n"
            f"    in this process, one vote at a time: the token lookup {auth_q:.0f} "
            f"statements, {auth_ms:.1f} ms CPU; cast_vote {vote_q:.1f} statements, "
            f"{vote_ms:.1f} ms CPU" + (" (with cProfile's overhead)" if args.profile else "")
        )
        return result, detail
    finally:
        app.database.dispose()


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("PHASEGATE_TEST_POSTGRES_URL"),
        help="a PostgreSQL database (its phasegate tables are EMPTIED; default "
        "$PHASEGATE_TEST_POSTGRES_URL)",
    )
    parser.add_argument(
        "--projects", type=int, nargs="+", help="overview sizes (default 1000 5000)"
    )
    parser.add_argument("--page-requests", type=int, help="GET / per size (default 20)")
    parser.add_argument(
        "--workers", type=int, nargs="*", help="uvicorn workers (default 1 2; none: no votes)"
    )
    parser.add_argument("--votes", type=int, help="measured votes per setting (default 3000)")
    parser.add_argument(
        "--seconds", type=float, help="at most this long per setting (default 30; quick 10)"
    )
    parser.add_argument("--warm-up", type=int, default=300, help="votes first (default 300)")
    parser.add_argument("--clients", type=int, default=32, help="concurrent (default 32)")
    parser.add_argument(
        "--quick", action="store_true", help="5000 projects, 1 worker, 10 s of votes"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the in-process votes")
    parser.add_argument(
        "--app",
        default="web:server_app",
        help="the app factory uvicorn serves, [DIR/]MODULE:FUNCTION (default: this file's "
        "server_app), to try a change without editing phasegate",
    )
    args = parser.parse_args(argv)
    url = args.database_url
    if not url or make_url(url).get_backend_name() != "postgresql":
        parser.error("give a PostgreSQL URL: --database-url or $PHASEGATE_TEST_POSTGRES_URL")
    args.projects = args.projects or ([TARGET_PAGE_PROJECTS] if args.quick else [1000, 5000])
    args.page_requests = args.page_requests or (6 if args.quick else 20)
    if args.workers is None:
        args.workers = [1] if args.quick else [1, 2]
    args.votes = args.votes or (1000 if args.quick else 3000)
    args.seconds = args.seconds or (10.0 if args.quick else 30.0)
    if args.quick:
        args.warm_up = min(args.warm_up, 100)
    return args


def report(where: str, results: list[Result], details: list[str]) -> int:
    """The table, and the exit status."""
    print(f"phasegate over HTTP (uvicorn, httpx) on {where}, {os.cpu_count()} cores")
    header = f"{'':<40} {'n':>5} {'p50 ms':>8} {'p99 ms':>8} {'votes/s':>8} {'errors':>6}  target"
    print(header)
    print("-" * len(header))
    for r in results:
        rate = "" if r.per_s is None else f"{r.per_s:.0f}"
        verdict = "" if r.target.startswith("(") else (": met" if r.met else ": NOT met")
        print(
            f"{r.what:<40} {r.n:>5} {r.p50_ms:>8.1f} {r.p99_ms:>8.1f} {rate:>8} {r.errors:>6}  "
            f"{r.target}{verdict}   {r.note}"
        )
    for detail in details:
        print(detail)
    if any(r.errors for r in results):
        print("error: votes were refused")
        return 2
    pages = [r for r in results if r.per_s is None]
    votes = [r for r in results if r.per_s is not None]
    return 0 if all(r.met for r in pages) and (not votes or any(r.met for r in votes)) else 1


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    url = args.database_url
    where = make_url(url).render_as_string(hide_password=True)
    print(f"phasegate web benchmark on {where}", file=sys.stderr)
    results: list[Result] = []
    details = []
    for size in args.projects:
        app, _ = seeded(url, size, seed=size)
        try:
            engine_wall, engine_cpu = overview_in_process(app)
            cases = case_overviews_in_process(app)
            session = pmo_session(app)
        finally:
            app.database.dispose()
        with serving(url, 1, args.app) as server:
            page = measure_page(server, size, args.page_requests, session)
            benefits = measure_page(
                server, size, args.page_requests, session, "/portfolio/benefits",
                f"Viser 1–50 av {3 * size}",
            )  # fmt: skip
            risks = measure_page(
                server, size, args.page_requests, session, "/portfolio/risks",
                f"Viser 1–50 av {5 * size}",
            )  # fmt: skip
        note = f"{page.note}; read_overview {engine_wall:.0f} ms ({engine_cpu:.0f} ms CPU)"
        results += [replace(page, note=note), benefits, risks]
        details.append(f"  {size} projects, in this process: {cases}")
    for workers in args.workers:
        result, detail = run_votes(url, workers, max(args.projects), args)
        results.append(result)
        details.append(detail)
    return report(where, results, details)


if __name__ == "__main__":
    sys.exit(main())
