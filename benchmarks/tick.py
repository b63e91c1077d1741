"""Tick benchmark: the cost of one scheduler tick follows what is due, not the portfolio.

Run it with ``.venv/bin/python benchmarks/tick.py [--quick] [-n DUE] [--database-url URL]``
(``make bench`` runs it on SQLite).

The protocol: a database holds 1k, 10k and 100k projects (``--quick``: 1k and 10k) with
their deadlines, written with bulk Core inserts. Four projects in five are in execution
and owe a status report for the coming reporting cycle (last cycle's, closed, lies behind
them); one in four of those waits for its owner's decision on BP4. One project in five is
in concept, waiting for the board's decision on BP2 at the next meeting: three board
members owe a vote each. Every leader and owner is reminded of the next deadline for
submitting ideas. Every open deadline's next reminder lies in the future.

Two figures per size, each from the production Ticker (the shipped wheel, the templates,
signed links, the outbox):

* **nothing due**: the median of 20 ticks, after warm-up ticks. Target: 20 ms.
* **N due** (``-n``, default 1000): N open deadlines, drawn at random, are made due at a
  mix of stages (before, on the day, overdue, escalation); one tick reminds them all,
  renders their emails and queues them. The rows are reset and the tick repeated
  (``--rounds``, default 3); the median counts, the best is shown. Target: 3 s.

"Now" is a working-day morning at which no wheel occurrence is open, so the figures are
about reminders. Queries are counted with SQLAlchemy's ``before_cursor_execute`` event.
The targets are for 100k projects; the same figures are expected at every size, so every
row is held to them.

The database is a temporary SQLite file unless ``--database-url`` names another, e.g.
an empty PostgreSQL database: its phasegate tables are EMPTIED before every size.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time as clock
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine as Database
from sqlalchemy import bindparam, delete, event, func, select, text, update
from sqlalchemy.engine import make_url

import bulk
from bulk import BOARD, emptied, gate_of
from phasegate.bootstrap import App, build
from phasegate.cycle.deadlines import gate_subject, report_subject, wheel_subject
from phasegate.cycle.plans import Cycle
from phasegate.cycle.tick import TickReport
from phasegate.domain.reminders import DeadlineKind, ReminderState
from phasegate.domain.wheel import EventKind, Occurrence
from phasegate.settings import Settings
from phasegate.storage.database import connect, upgrade
from phasegate.storage.tables import Deadline, OutboxMessage, Reminder

TARGET_IDLE_MS = 20.0  # a tick with nothing due, 100k projects
TARGET_DUE_MS = 3000.0  # a tick with 1,000 due, their emails rendered and queued
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
FIRST_DAY = date(2027, 3, 1)  # "now" is the first quiet working day from here
IDLE_TICKS = 20
WARM_UP_TICKS = 3
#: How often each stage is drawn for a due deadline (kinds without a stage skip it).
STAGE_WEIGHTS = {"before": 3, "on_day": 4, "overdue": 2, "escalation": 1}


@dataclass(frozen=True)
class Result:
    projects: int
    deadlines: int
    due: int
    median_ms: float
    best_ms: float
    queries: int
    emails: int
    target_ms: float

    @property
    def met(self) -> bool:
        return self.median_ms <= self.target_ms


@dataclass
class Moments:
    """The wheel occurrences the portfolio's deadlines hang on, around one quiet "now"."""

    now: datetime
    cycle: Occurrence  # the next reporting cycle: status reports are due at its cut-off
    previous: Occurrence  # the one before: its reports are in
    meeting: Occurrence  # the next board meeting: BP2 votes are due then
    ideas: Occurrence  # the next deadline for submitting ideas


@dataclass
class StoppedClock:
    """The engine's clock, stopped at the benchmark's "now"."""

    now: datetime = EPOCH

    def __call__(self) -> datetime:
        return self.now


@dataclass
class QueryCounter:
    """Counts the statements sent to the database while ``on``."""

    queries: int = 0
    on: bool = False

    def __call__(self, *_args: Any) -> None:
        if self.on:
            self.queries += 1


@dataclass
class Portfolio:
    """The rows written for one size, and the open deadlines the due ones are drawn from."""

    projects: int
    deadlines: int = 0
    open: list[tuple[int, DeadlineKind]] = field(default_factory=list)


# --- when "now" is, and the reminder states around it ----------------------------------


def moments(cycle: Cycle, first: date) -> Moments:
    """The first working day from ``first`` whose 10:00 has no wheel occurrence open."""
    wheel, zone = cycle.wheel, cycle.wheel.zone
    for offset in range(400):
        day = first + timedelta(days=offset)
        now = datetime.combine(day, time(10, 0), zone)
        if wheel.calendar.is_working_day(day) and not wheel.open_at(now):
            break
    else:
        raise SystemExit("error: the wheel has an occurrence open on every working day")
    ahead = wheel.occurrences(now, now + timedelta(days=400))
    behind = wheel.occurrences(now - timedelta(days=400), now)

    def first_of(found: list[Occurrence], test: Callable[[Occurrence], bool]) -> Occurrence:
        return next(o for o in found if test(o))

    def reporting(o: Occurrence) -> bool:
        return o.event.kind is EventKind.REPORTING_CYCLE and "execution" in o.event.phases

    return Moments(
        now=now,
        cycle=first_of(ahead, reporting),
        previous=first_of(behind[::-1], reporting),
        meeting=first_of(ahead, lambda o: o.event.kind is EventKind.BOARD_MEETING),
        ideas=first_of(ahead, lambda o: o.event.kind is EventKind.DEADLINE),
    )


def reminder_columns(
    state: ReminderState, due: datetime, next_at: datetime | None
) -> dict[str, Any]:
    return {
        "due_at": due,
        "fixed_done": state.fixed_done,
        "overdue_sent": state.overdue_sent,
        "escalated": state.escalated,
        "last_reminded_on": state.last_on,
        "next_reminder_at": next_at,
    }


def asked_recently(
    cycle: Cycle, kind: DeadlineKind, due: datetime, now: datetime
) -> dict[str, Any]:
    """A deadline opened a moment ago: its first reminder lies ahead."""
    plan = cycle.plan(kind)
    state = plan.start(due, now)
    next_at = plan.next_at(due, state)
    if next_at is not None and next_at <= now:
        raise SystemExit(f"error: a {kind} deadline due {due} would be due now")
    return reminder_columns(state, due, next_at)


def due_stages(cycle: Cycle, kind: DeadlineKind, now: datetime) -> list[tuple[str, dict[str, Any]]]:
    """For each stage the kind's policy has: the columns of a deadline due at ``now``.

    The deadline's day is placed so that a reminder slot is today at 08:00, and its history
    is played through the plan slot by slot up to today, as a scheduler would have sent it.
    """
    plan, calendar, zone = cycle.plan(kind), cycle.wheel.calendar, cycle.wheel.zone
    policy = plan.policy
    today = now.astimezone(zone).date()
    offsets = [("before", days) for days in policy.before] + [("on_day", 0)]
    offsets += [("overdue", -policy.every * n) for n in range(1, policy.at_most + 1)]
    if policy.escalate_to is not None:
        offsets.append(("escalation", -policy.every * (policy.at_most + 1)))
    stages = []
    for stage, offset in offsets:
        day = calendar.add_working_days(today, offset)
        due = datetime.combine(day, time(12, 0), zone)
        state = ReminderState()
        morning = datetime.combine(today, plan.send_at, zone)
        while (at := plan.next_at(due, state)) is not None and at < morning:
            _, state = plan.fire(due, state, at)
        reminder, _ = plan.fire(due, state, now)
        if at is None or at > now or reminder is None or reminder.stage.value != stage:
            raise SystemExit(f"error: could not make a {kind} deadline due at stage {stage}")
        stages.append((stage, reminder_columns(state, due, at)))
    return stages


# --- the portfolio, in bulk --------------------------------------------------------------


class Writer(bulk.Writer):
    """One size's portfolio: people, projects, gate and report requests, their deadlines."""

    TABLES = (*bulk.Writer.TABLES, Deadline)

    def __init__(self, app: App, m: Moments, n: int) -> None:
        super().__init__(app, n, m.now)
        self.m = m
        self.open: list[tuple[int, DeadlineKind]] = []
        self.states: dict[tuple[DeadlineKind, datetime], dict[str, Any]] = {}

    def write(self) -> Portfolio:
        """People, projects, gate and report requests and their deadlines."""
        self.pin_workflow()
        self.people()
        for p in range(1, self.n + 1):
            self.project(p)
        for person in range(self.first_leader, self.first_owner + self.owners):
            ideas = self.m.ideas
            title = ideas.event.label.get(self.language(person))
            self.owe(DeadlineKind.DEADLINE, wheel_subject(ideas.key), person, None, title, ideas.at)
        with self.app.database.begin() as conn:
            self.insert_rows(conn)
        return Portfolio(self.n, len(self.rows[Deadline]), self.open)

    def project(self, p: int) -> None:
        """One project: in concept awaiting the board's BP2, or in execution reporting."""
        m, definition = self.m, self.definition
        leader = self.first_leader + p % self.leaders
        owner = self.first_owner + p % self.owners
        concept = p % 5 == 0
        self.add_project(
            p,
            leader=leader,
            owner=owner,
            area="Oppvekst" if p % 3 else "Samfunnsutvikling",
            portfolio="Digitalisering" if p % 2 else "Bygg og eiendom",
            phase="concept" if concept else "execution",
            status="active",
            entered=timedelta(days=90),
            created=timedelta(days=300),
        )
        if concept:
            gate = gate_of(definition, "BP2")
            voters = sorted({1 + (p + k) % BOARD for k in range(3)})
            self.gate_request(p, gate, leader, voters, m.meeting.at, m.meeting.key)
            titles = self.gate_titles(gate)
            for voter in voters:
                title = titles[self.language(voter)]
                self.owe(DeadlineKind.GATE_DECISION, gate_subject(p), voter, p, title, m.meeting.at)
            return
        self.done_report_request(p, leader, m.previous)
        request = self.report_request(p, leader, m.cycle, requested_at=m.cycle.opens_at)
        title = f"{m.cycle.event.label.get(self.language(leader))} {m.cycle.at.year}"
        self.owe(DeadlineKind.STATUS_REPORT, report_subject(request), leader, p, title, m.cycle.at)
        if p % 4 == 1:
            gate = gate_of(definition, "BP4")
            due = self.app.cycle.owner_gate_due(m.now - timedelta(days=2))
            self.gate_request(p, gate, leader, [owner], due, None)
            title = self.gate_titles(gate)[self.language(owner)]
            self.owe(DeadlineKind.OWNER_DECISION, gate_subject(p), owner, p, title, due)

    def owe(
        self,
        kind: DeadlineKind,
        subject: str,
        person: int,
        project: int | None,
        title: str,
        due: datetime,
    ) -> None:
        """An open deadline, asked for a moment ago."""
        if (kind, due) not in self.states:
            self.states[kind, due] = asked_recently(self.app.cycle, kind, due, self.m.now)
        deadline = len(self.rows[Deadline]) + 1
        self.rows[Deadline].append(
            {
                "id": deadline,
                "kind": kind.value,
                "subject": subject,
                "person_id": person,
                "project_id": project,
                "title": title,
                "status": "open",
                "created_at": self.m.now - timedelta(days=1),
                "closed_at": None,
                "version": 1,
                **self.states[kind, due],
            }
        )
        self.open.append((deadline, kind))

    def done_report_request(self, project: int, leader: int, o: Occurrence) -> None:
        """A report asked for by a past reporting cycle, handed in: its deadline closed."""
        closed = o.at - timedelta(days=1)
        request = self.report_request(project, leader, o, requested_at=o.opens_at, closed_at=closed)
        self.rows[Deadline].append(
            {
                "id": len(self.rows[Deadline]) + 1,
                "kind": DeadlineKind.STATUS_REPORT.value,
                "subject": report_subject(request),
                "person_id": leader,
                "project_id": project,
                "title": f"{o.event.label.get(self.language(leader))} {o.at.year}",
                "due_at": o.at,
                "status": "done",
                "fixed_done": 2,
                "overdue_sent": 0,
                "escalated": False,
                "last_reminded_on": o.at.date(),
                "next_reminder_at": None,
                "created_at": o.opens_at,
                "closed_at": closed,
                "version": 3,
            }
        )


# --- the database ------------------------------------------------------------------------


@contextmanager
def database_for(url: str | None) -> Iterator[str]:
    """A migrated, empty database: a new SQLite file, or the given PostgreSQL one emptied."""
    if url is None:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'tick.db'}"
            database = connect(url)
            upgrade(database)
            database.dispose()
            yield url
        return
    emptied(url)
    yield url


def settings_for(url: str) -> Settings:
    return Settings.load(bulk.environment(url, "https://phasegate.asker.example"))


def analyse(database: Database) -> None:
    """Fresh statistics, as a production database would have after its nightly routine."""
    with database.begin() as conn:
        conn.execute(text("ANALYZE"))


# --- the measurements ----------------------------------------------------------------------


def timed_tick(app: App, counter: QueryCounter) -> tuple[float, int, TickReport]:
    """One tick: its milliseconds, its statements, and its report."""
    counter.queries, counter.on = 0, True
    started = clock.perf_counter()
    report = app.ticker.tick()
    elapsed = (clock.perf_counter() - started) * 1000
    counter.on = False
    return elapsed, counter.queries, report


def count(database: Database, table: Any) -> int:
    with database.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


W_STATE = (
    update(Deadline)
    .where(Deadline.id == bindparam("row"))
    .values(
        due_at=bindparam("due_at"),
        status="open",
        fixed_done=bindparam("fixed_done"),
        overdue_sent=bindparam("overdue_sent"),
        escalated=bindparam("escalated"),
        last_reminded_on=bindparam("last_reminded_on"),
        next_reminder_at=bindparam("next_reminder_at"),
        closed_at=None,
    )
)


def make_due(database: Database, due: list[dict[str, Any]]) -> None:
    """Put the chosen rows in their due state, and forget what the last round sent.

    The audit trail is append-only: its escalation events of each round stay.
    """
    with database.begin() as conn:
        conn.execute(delete(Reminder))
        conn.execute(delete(OutboxMessage))
        conn.execute(W_STATE, due)


def choose_due(
    cycle: Cycle, portfolio: Portfolio, n: int, now: datetime
) -> tuple[list[dict[str, Any]], Counter[str]]:
    """N open deadlines at random, each at a stage its kind's policy has, drawn by weight.

    Returns their new columns, and how many of each kind and stage were drawn.
    """
    rng = random.Random(n)  # a repeatable draw
    stages = {kind: due_stages(cycle, kind, now) for kind in DeadlineKind}
    chosen = rng.sample(portfolio.open, min(n, len(portfolio.open)))
    rows, mix = [], Counter[str]()
    for deadline, kind in chosen:
        options = stages[kind]
        stage, columns = rng.choices(options, [STAGE_WEIGHTS[s] for s, _ in options])[0]
        rows.append({"row": deadline, **columns})
        mix[f"{kind.value} {stage}"] += 1
    return rows, mix


def measure(url: str, n_projects: int, n_due: int, rounds: int) -> list[Result]:
    settings = settings_for(url)
    stopped = StoppedClock()
    app = build(settings, clock=stopped, pool_size=2)
    m = moments(app.cycle, FIRST_DAY)
    stopped.now = m.now
    try:
        started = clock.perf_counter()
        portfolio = Writer(app, m, n_projects).write()
        analyse(app.database)
        built = clock.perf_counter() - started
        print(
            f"  {n_projects:>7} projects, {portfolio.deadlines} deadlines "
            f"({len(portfolio.open)} open) written in {built:.1f} s",
            file=sys.stderr,
        )
        counter = QueryCounter()
        event.listen(app.database, "before_cursor_execute", counter)

        for _ in range(WARM_UP_TICKS):
            app.ticker.tick()
        idle = [timed_tick(app, counter) for _ in range(IDLE_TICKS)]
        if count(app.database, OutboxMessage):
            raise SystemExit("error: a tick with nothing due queued email")
        times = [ms for ms, _, _ in idle]
        results = [
            Result(
                n_projects,
                portfolio.deadlines,
                0,
                statistics.median(times),
                min(times),
                idle[-1][1],
                0,
                TARGET_IDLE_MS,
            )
        ]

        due, mix = choose_due(app.cycle, portfolio, n_due, m.now)
        print(
            f"  due: {', '.join(f'{n} {what}' for what, n in sorted(mix.items()))}", file=sys.stderr
        )
        timings, emails = [], set()
        for _ in range(rounds):
            make_due(app.database, due)
            ms, queries, report = timed_tick(app, counter)
            timings.append(ms)
            emails.add(count(app.database, OutboxMessage))
            if report.reminders != len(due):
                raise SystemExit(f"error: {len(due)} deadlines were due, {report} reminded")
        results.append(
            Result(
                n_projects,
                portfolio.deadlines,
                len(due),
                statistics.median(timings),
                min(timings),
                queries,
                max(emails),
                TARGET_DUE_MS,
            )
        )
        return results
    finally:
        app.database.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-n", type=int, default=1000, help="due deadlines (default 1000)")
    parser.add_argument("--quick", action="store_true", help="1k and 10k projects only")
    parser.add_argument(
        "--projects", type=int, nargs="+", help="portfolio sizes (default 1000 10000 100000)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="due ticks per size (default 3)")
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL database to use (its phasegate tables are emptied!) instead of "
        "a temporary SQLite file",
    )
    args = parser.parse_args(argv)
    if args.database_url and make_url(args.database_url).get_backend_name() != "postgresql":
        parser.error("--database-url takes a PostgreSQL URL; SQLite runs on a temporary file")
    sizes = args.projects or ((1_000, 10_000) if args.quick else (1_000, 10_000, 100_000))

    results: list[Result] = []
    where = "SQLite (temporary file)"
    if args.database_url:
        where = make_url(args.database_url).render_as_string(hide_password=True)
    print(f"phasegate tick benchmark on {where}", file=sys.stderr)
    for size in sizes:
        with database_for(args.database_url) as url:
            results += measure(url, size, args.n, args.rounds)

    print(f"one tick, on {where}: nothing due (median of {IDLE_TICKS}), "
          f"{args.n} due (median of {args.rounds}, best in brackets)")  # fmt: skip
    header = (
        f"{'projects':>9} {'deadlines':>10} {'due':>6} {'ms/tick':>9} {'(best)':>9} "
        f"{'queries':>8} {'emails':>7}  target"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        verdict = "met" if r.met else "NOT met"
        print(
            f"{r.projects:>9} {r.deadlines:>10} {r.due:>6} {r.median_ms:>9.1f} "
            f"{f'({r.best_ms:.1f})':>9} {r.queries:>8} {r.emails:>7}  "
            f"<= {r.target_ms:.0f} ms: {verdict}"
        )
    return 0 if all(r.met for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
