"""Real `phasegate scheduler` processes on PostgreSQL, with a real SMTP server on loopback.

Two schedulers share one database through a simulated month: every reminder arrives
exactly once. A scheduler stopped for ten days sends one catch-up reminder per overdue
item when it comes back, not one for every slot it missed. A scheduler told to stop in
the middle of a delivery finishes it, so nothing it sent goes out a second time.

The processes run on a drill clock (PHASEGATE_CLOCK_START, PHASEGATE_CLOCK_SPEED); the
test sets the database up in-process with the same engine, wheel file and settings.
These tests need PostgreSQL (row locks, several processes); without it they skip, and in
CI a missing PostgreSQL stops the run (see conftest.py).
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Row, func, select, text

from phasegate.bootstrap import App, build
from phasegate.engine.outbox import enqueue
from phasegate.mail.render import RenderedEmail
from phasegate.scheduler import run_pass, sender_for
from phasegate.storage.database import connect
from phasegate.storage.tables import (
    Base,
    Deadline,
    Digest,
    OutboxMessage,
    Reminder,
    ReportRequest,
)
from tests.cycle_support import OSLO, wheel_file
from tests.factories import TEST_SECRET, Clock, make_settings, submit_complete
from tests.processes import PHASEGATE, cli_env, run_phasegate
from tests.smtp_server import MailServer

pytestmark = pytest.mark.postgres_only

#: A reporting cycle whose cut-off is in February 2027: requests go out on 8 February,
#: reminders 3 working days before (10 Feb), on the day (15 Feb), then overdue every 2
#: working days (17 and 19 Feb), and the PMO hears of it on 23 Feb.
CYCLE = """\
- id: tertial-test
  kind: reporting_cycle
  label: {nb: Testtertial, en: Test four-month report}
  rrule: "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=15"
  start: "2027-02-15 12:00"
  phases: [execution]
  request_working_days_before: 5
"""
MONTH_START = datetime(2027, 2, 1, 0, 0, tzinfo=OSLO)
MONTH_END = datetime(2027, 3, 1, 0, 0, tzinfo=OSLO)
MONTH_SECONDS = 48.0  # real seconds the simulated month takes
SPEED = (MONTH_END - MONTH_START).total_seconds() / MONTH_SECONDS
#: Once both schedulers are stopped, one last pass at this moment delivers what is left;
#: no reminder falls due between the month's end and then, and the day's digests are due.
LAST_PASS = datetime(2027, 3, 2, 12, 0, tzinfo=OSLO)
STATUS_SLOTS = {"before-3", "on-day", "overdue-1", "overdue-2", "escalation"}
# The BP1 requests, submitted on 31 January, are on the agenda of the board meeting of
# 9 February (the agenda goes out on the 4th): the board is reminded on 4 and 8 February,
# on the day, then on 11 and 15 February, and the PMO hears of it on the 17th.


# --- fixtures and helpers -----------------------------------------------------------------


@pytest.fixture
def database_url(postgres_migrated: str) -> str:
    """This run's PostgreSQL database, emptied (these tests run on PostgreSQL only)."""
    database = connect(postgres_migrated)
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with database.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    database.dispose()
    return postgres_migrated


@pytest.fixture
def server() -> Iterator[MailServer]:
    with MailServer() as running:
        yield running


@pytest.fixture
def wheel(tmp_path: Path) -> Path:
    return wheel_file(tmp_path, CYCLE)


@dataclass
class Scheduler:
    """One `phasegate scheduler` process, its output in files (a full pipe would stall it)."""

    process: subprocess.Popen[str]
    out: Path
    err: Path
    started: float = 0.0  # time.monotonic() when it said it runs: its clock started then

    @property
    def output(self) -> str:
        return self.out.read_text(encoding="utf-8") + self.err.read_text(encoding="utf-8")

    def report(self, lines: int = 60) -> str:
        """Its exit and the log lines that say something (not APScheduler's every run)."""
        said = [line for line in self.output.splitlines() if not _noise(line)]
        shown = said if len(said) <= lines else [*said[:10], "[...]", *said[-(lines - 10) :]]
        return "\n".join(
            [f"--- scheduler pid {self.process.pid}, exit {self.process.returncode}:", *shown]
        )


def _noise(line: str) -> bool:
    return "apscheduler.executors" in line or "_Tally(sent=0, retried=0, dead=0," in line


def problems(output: str) -> list[str]:
    """Errors and phasegate's own warnings (APScheduler's "skipped: already running" is not)."""
    return [
        line
        for line in output.splitlines()
        if " ERROR " in line or " WARNING phasegate" in line or "Traceback" in line
    ]


def env_for(
    url: str, smtp_url: str, wheel: Path, clock_start: datetime | None = None, speed: float = 1.0
) -> dict[str, str]:
    """The command's settings: ticks and deliveries every second, on a drill clock if given."""
    drill = {} if clock_start is None else {"clock_start": clock_start.isoformat()}
    return cli_env(
        database_url=url,
        smtp_url=smtp_url,
        wheel_file=str(wheel),
        secret_key=TEST_SECRET,
        env="test",
        tick_seconds="1",
        outbox_seconds="1",
        clock_speed=str(speed),
        **drill,
    )


def start(name: str, env: dict[str, str], folder: Path) -> Scheduler:
    out, err = folder / f"{name}.out", folder / f"{name}.err"
    with out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen(  # noqa: S603 - our own command
            [str(PHASEGATE), "scheduler"],
            cwd=folder,
            env=env,
            stdout=stdout,
            stderr=stderr,
            text=True,
        )
    return Scheduler(process, out, err)


def wait_until_running(schedulers: list[Scheduler], timeout: float = 60) -> None:
    """Wait for each to print its banner: its drill clock starts as it builds the app."""
    deadline = time.monotonic() + timeout
    while not all(s.started for s in schedulers):
        for s in schedulers:
            if not s.started and "phasegate scheduler:" in s.out.read_text(encoding="utf-8"):
                s.started = time.monotonic()
            assert s.process.poll() is None, f"a scheduler died while starting\n{s.report()}"
        assert time.monotonic() < deadline, "\n".join(s.report() for s in schedulers)
        time.sleep(0.02)


def stop(schedulers: list[Scheduler]) -> None:
    """SIGTERM: each finishes the pass under way and exits."""
    for s in schedulers:
        if s.process.poll() is None:
            s.process.send_signal(signal.SIGTERM)
    for s in schedulers:
        try:
            s.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            s.process.kill()
            s.process.wait()
            raise AssertionError(f"a scheduler ignored SIGTERM for 30 s\n{s.report()}") from None


@pytest.fixture
def running() -> Iterator[list[Scheduler]]:
    """The schedulers a test starts; whatever happens, none outlives it."""
    started: list[Scheduler] = []
    yield started
    for s in started:
        if s.process.poll() is None:
            s.process.kill()
            s.process.wait()


def assert_clean(schedulers: list[Scheduler]) -> None:
    for s in schedulers:
        assert s.process.returncode == 0, s.report()
        found = problems(s.output)
        assert not found, f"{len(found)} problem(s) logged, the first: {found[:5]}\n{s.report()}"


def all_of(app: App, *columns: Any) -> list[Row[Any]]:
    with app.database.connect() as conn:
        return list(conn.execute(select(*columns)).all())


def how_many(app: App, table: Any, *where: Any) -> int:
    with app.database.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())


@dataclass(frozen=True)
class Portfolio:
    leaders: list[int]
    board: list[int]
    pmo: int
    digest_reader: int  # a leader who chose the daily digest
    projects: list[int]  # in execution: each owes a status report in the cycle
    ideas: list[int]  # in idea, each with BP1 waiting for the board


def portfolio(app: App, *, projects: int, ideas: int) -> Portfolio:
    """People and projects through the engine's own operations."""
    engine = app.engine
    board = [
        engine.register_person(f"Styremedlem {i}", f"styre{i}@asker.example") for i in range(3)
    ]
    for member in board:
        engine.grant_role(member, "board")
    pmo = engine.register_person("Kari Nordmann", "kari.nordmann@asker.example")
    engine.grant_role(pmo, "pmo")
    leaders = [
        engine.register_person(
            f"Prosjektleder {i}", f"leder{i}@asker.example", "en" if i % 5 == 0 else "nb"
        )
        for i in range(40)
    ]
    owner = engine.register_person("Ole-Kristian Tangen", "eier@asker.example")
    engine.set_digest(leaders[1], True, actor=None)
    in_execution = [
        engine.register_project(
            f"Prosjekt {i:03}", owner=owner, leader=leaders[i % len(leaders)], phase="execution"
        )
        for i in range(projects)
    ]
    gate = engine.workflows.current("prosjektveiviseren").gates[0]
    waiting = []
    for i in range(ideas):
        leader = leaders[i % len(leaders)]
        project = engine.register_project(f"Idé {i:02}", owner=owner, leader=leader)
        submit_complete(engine, project, gate, leader)
        waiting.append(project)
    return Portfolio(leaders, board, pmo, leaders[1], in_execution, waiting)


# --- two schedulers, one month ------------------------------------------------------------


def test_two_schedulers_through_a_month_deliver_every_reminder_exactly_once(
    database_url: str,
    server: MailServer,
    wheel: Path,
    tmp_path: Path,
    running: list[Scheduler],
) -> None:
    clock = Clock(MONTH_START - timedelta(hours=1))
    app = build(make_settings(database_url, wheel_file=wheel), clock=clock, pool_size=5)
    try:
        cast = portfolio(app, projects=200, ideas=10)
        queued_before = how_many(app, OutboxMessage)  # the board's BP1 emails
        env = env_for(database_url, server.url, wheel, MONTH_START, SPEED)
        running += [start(name, env, tmp_path) for name in ("scheduler-a", "scheduler-b")]
        wait_until_running(running)
        until = max(s.started for s in running) + MONTH_SECONDS + 1.0
        while (now := time.monotonic()) < until:
            dead = [s for s in running if s.process.poll() is not None]
            assert not dead, "\n".join(s.report() for s in dead)
            time.sleep(min(0.5, until - now))
        stop(running)
        assert_clean(running)

        last = run_phasegate(
            "tick",
            "--now",
            LAST_PASS.isoformat(),
            cwd=tmp_path,
            env=env_for(database_url, server.url, wheel),
            timeout=120,
        )
        assert last.returncode == 0, last.stdout + last.stderr

        received = server.recorder.message_ids()
        outbox = all_of(
            app,
            OutboxMessage.message_id,
            OutboxMessage.kind,
            OutboxMessage.status,
            OutboxMessage.claimed_by,
        )
        reminders = all_of(
            app,
            Reminder.deadline_id,
            Reminder.slot,
            Reminder.kind,
            Reminder.recipient_id,
            Reminder.message_id,
        )
        report = "\n\n".join([s.report() for s in running] + [last.stdout + last.stderr])

        # Exactly once: every message arrived once, and every queued message arrived.
        arrived = sum(received.values())
        twice = {m: n for m, n in received.items() if n > 1}
        assert not twice, f"{len(twice)} of {arrived} arrived more than once: {twice}\n{report}"
        statuses = Counter(row.status for row in outbox)
        assert statuses == {"sent": len(outbox)}, f"{statuses}\n{report}"
        assert set(received) == {row.message_id for row in outbox}
        # ...and what arrived is what the cycle owed: the reminders (or digests of them),
        # the report requests and the board's agenda, besides the BP1 emails from before.
        keys = Counter((r.deadline_id, r.slot, r.recipient_id) for r in reminders)
        assert max(keys.values()) == 1, [k for k, n in keys.items() if n > 1]
        assert all(r.message_id is not None for r in reminders), "a digest was never sent"
        kinds = Counter(row.kind for row in outbox)
        digests = how_many(app, Digest)
        direct = sum(1 for r in reminders if r.recipient_id != cast.digest_reader)
        assert kinds["report_requested"] == len(cast.projects)
        assert kinds["board_agenda"] == len(cast.board)
        assert digests > 0
        owed = queued_before + direct + digests + kinds["report_requested"] + kinds["board_agenda"]
        assert arrived == len(received) == owed, f"{kinds}, {digests} digests\n{report}"

        # Every status report was chased on schedule, each slot once, then escalated.
        with app.database.connect() as conn:
            asked = select(Deadline.id, Deadline.person_id).where(Deadline.kind == "status_report")
            status = {row.id: row.person_id for row in conn.execute(asked)}
        assert len(status) == len(cast.projects)
        slots: dict[int, set[str]] = {d: set() for d in status}
        for r in reminders:
            if r.deadline_id in status:
                slots[r.deadline_id].add(r.slot)
                expected = cast.pmo if r.kind == "escalation" else status[r.deadline_id]
                assert r.recipient_id == expected, r
        missing = {d: STATUS_SLOTS - got for d, got in slots.items() if got != STATUS_SLOTS}
        assert not missing, f"{len(missing)} status deadlines missed slots: {missing}\n{report}"
        on_day = {
            r.recipient_id for r in reminders if r.deadline_id in status and r.slot == "on-day"
        }
        assert on_day == set(cast.leaders)  # each leads five of the 200 projects
        # The board was reminded of its BP1 votes, and the PMO told when none came.
        gate_slots = Counter(r.slot for r in reminders if r.deadline_id not in status)
        assert gate_slots["escalation"] == 2 * len(cast.ideas) * len(cast.board), gate_slots
        assert gate_slots["overdue-2"] == len(cast.ideas) * len(cast.board), gate_slots

        # Both schedulers were at work: each delivered mail. Which one's tick wins a given
        # batch is a race (on a busy machine one may win them all), so ticks are counted
        # together: the exactly-once checks above are what matter.
        senders = Counter(str(row.claimed_by).split(":")[1] for row in outbox)
        for s in running:
            assert senders[str(s.process.pid)] > 0, f"pid {s.process.pid} sent nothing: {senders}"
        assert any("tick: TickReport(" in s.output for s in running), "no tick did any work"
    finally:
        app.database.dispose()


# --- downtime ---------------------------------------------------------------------------


def test_a_scheduler_back_after_ten_days_sends_one_catch_up_reminder_per_overdue_item(
    database_url: str,
    server: MailServer,
    wheel: Path,
    tmp_path: Path,
    running: list[Scheduler],
) -> None:
    clock = Clock(datetime(2027, 2, 1, 9, 0, tzinfo=OSLO))
    app = build(
        make_settings(database_url, wheel_file=wheel, smtp_url=server.url), clock=clock, pool_size=5
    )
    try:
        cast = portfolio(app, projects=30, ideas=0)
        sender = sender_for(app)
        day = datetime(2027, 2, 8, 9, 0, tzinfo=OSLO)  # the cycle's requests go out
        while day < datetime(2027, 2, 17, tzinfo=OSLO):  # ...and its reminders, to the day
            clock.now = day
            run_pass(app, sender)
            day += timedelta(days=1)
        assert how_many(app, ReportRequest) == len(cast.projects)
        assert how_many(app, Reminder, Reminder.slot == "on-day") == len(cast.projects)

        # 17 February: the status reports are two working days late.
        overdue_at = datetime(2027, 2, 17, 9, 0, tzinfo=OSLO)
        first = start("before", env_for(database_url, server.url, wheel, overdue_at, 1.0), tmp_path)
        running.append(first)
        wait_until_running([first])
        wait_for(
            lambda: how_many(app, Reminder, Reminder.slot == "overdue-1") == len(cast.projects),
            first,
        )
        wait_for(lambda: how_many(app, OutboxMessage, OutboxMessage.status != "sent") == 0, first)
        time.sleep(2)  # a few more ticks: nothing more is due
        stop([first])
        assert_clean([first])
        with app.database.connect() as conn:
            seen = conn.execute(select(func.max(Reminder.id))).scalar_one()

        # Stopped for ten days; it comes back on 27 February and runs several ticks.
        back = start(
            "after",
            env_for(database_url, server.url, wheel, overdue_at + timedelta(days=10), 1.0),
            tmp_path,
        )
        running.append(back)
        wait_until_running([back])
        wait_for(lambda: how_many(app, Reminder, Reminder.id > seen) > 0, back)
        time.sleep(4)
        wait_for(lambda: how_many(app, OutboxMessage, OutboxMessage.status != "sent") == 0, back)
        stop([back])
        assert_clean([back])

        with app.database.connect() as conn:
            new = conn.execute(
                select(Reminder.deadline_id, Reminder.slot, Reminder.kind).where(Reminder.id > seen)
            ).all()
        per_deadline = Counter(row.deadline_id for row in new)
        assert len(per_deadline) == len(cast.projects), per_deadline
        assert set(per_deadline.values()) == {1}, f"more than one catch-up: {per_deadline}"
        assert {(row.slot, row.kind) for row in new} == {("overdue-2", "reminder")}
        received = server.recorder.message_ids()
        assert max(received.values()) == 1, {m: n for m, n in received.items() if n > 1}
        assert how_many(app, OutboxMessage, OutboxMessage.status == "sent") == len(received)
        assert how_many(app, OutboxMessage) == len(received)
    finally:
        app.database.dispose()


def wait_for(condition: Any, scheduler: Scheduler, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert scheduler.process.poll() is None, f"the scheduler died\n{scheduler.report()}"
        assert time.monotonic() < deadline, f"waited {timeout} s in vain\n{scheduler.report()}"
        time.sleep(0.1)


# --- stopping -----------------------------------------------------------------------------


def test_sigterm_during_a_delivery_lets_it_finish_and_nothing_goes_out_twice(
    database_url: str,
    server: MailServer,
    wheel: Path,
    tmp_path: Path,
    running: list[Scheduler],
) -> None:
    database = connect(database_url)
    now = datetime.now(UTC)
    with database.begin() as conn:
        ids = [
            enqueue(
                conn,
                kind="reminder",
                recipient=f"leder{n}@asker.example",
                email=RenderedEmail(
                    subject=f"Påminnelse: statusrapport for Prosjekt {n:03}",
                    text="Hei!\n\nStatusrapporten skal leveres i dag.\n",
                    html="<p>Hei!</p><p>Statusrapporten skal leveres i dag.</p>",
                ),
                now=now - timedelta(seconds=1),
                domain="asker.example",
            )
            for n in range(20)
        ]
    server.recorder.slow_reply = 0.25  # a pass over the 20 takes about five seconds

    scheduler = start("stopped", env_for(database_url, server.url, wheel), tmp_path)
    running.append(scheduler)
    wait_until_running([scheduler])
    wait_for(lambda: len(server.recorder.received) >= 3, scheduler)
    stop([scheduler])  # in the middle of the pass

    try:
        with database.connect() as conn:
            rows = {
                row.message_id: row
                for row in conn.execute(
                    select(
                        OutboxMessage.message_id, OutboxMessage.status, OutboxMessage.claimed_until
                    )
                )
            }
        received = server.recorder.message_ids()
        assert max(received.values()) == 1
        unrecorded = [m for m in received if rows[m].status != "sent"]
        assert not unrecorded, (
            f"{len(unrecorded)} of {len(received)} delivered messages are still pending, so "
            f"another sender will deliver them again once the lease runs out\n{scheduler.report()}"
        )
        assert_clean([scheduler])
        assert received == dict.fromkeys(ids, 1), "the pass under way did not finish"
    finally:
        database.dispose()
