"""A drill on one clock: `phasegate tick --now T` writes the mail and the webhook deliveries
at T, and `mail send-pending --now T` and `webhook deliver --now T` deliver them at T, to a
real SMTP server and a real HTTP receiver on loopback, whether T is years ahead or long
past. Without --now every command keeps the real time.

The tick runs as the installed command; the commands after it run in this process (the
same code, through typer), which keeps these tests to seconds.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from phasegate.bootstrap import App, build
from phasegate.cli import cli
from phasegate.domain.wheel import EventKind
from phasegate.engine.outbox import OutboxEntry, list_messages
from phasegate.webhooks.signing import verify
from phasegate.workflow.wheel_loader import load_wheel
from tests.cycle_support import wheel_file
from tests.factories import make_settings
from tests.processes import cli_env, free_port, run_phasegate
from tests.smtp_server import MailServer
from tests.webhook_receiver import receiving

#: Every spring since 2015 the projects in execution are asked for their first report.
SPRING_REPORT = """
- id: tertial-1
  kind: reporting_cycle
  label: {nb: 1. tertialrapport, en: First tertial report}
  rrule: "FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=30"
  start: "2015-04-30 12:00"
  phases: [execution]
"""
LEADER = "ragnar.husum@asker.example"


@dataclass(frozen=True)
class Drill:
    app: App
    env: dict[str, str]
    at: datetime  # when the drill's tick asks the project for its spring report
    cwd: Path

    def tick(self) -> str:
        """`phasegate tick --now T`, as the operator runs it."""
        done = run_phasegate("tick", "--now", self.at.isoformat(), cwd=self.cwd, env=self.env)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def phasegate(self, *args: str, smtp: str = "") -> Result:
        """A command after the tick, on the same settings (with this SMTP server)."""
        unset = {name: None for name in os.environ if name.startswith("PHASEGATE_")}
        env = {**unset, **self.env, "PHASEGATE_SMTP_URL": smtp or None}
        done = CliRunner().invoke(cli, list(args), env=env)
        assert done.exception is None or isinstance(done.exception, SystemExit), done.exception
        assert done.exit_code == 0, done.output
        return done

    def outbox(self) -> list[OutboxEntry]:
        with self.app.engine.reading() as conn:
            return list_messages(conn, limit=100)


@pytest.fixture
def years() -> int:
    """How many years from this one the drill is (tests parametrize it)."""
    return 3


@pytest.fixture
def drill(
    database_url: str, tmp_path: Path, years: int, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Drill]:
    """A project in execution, and the moment, ``years`` from this year, at which the
    wheel asks it for its spring report."""
    monkeypatch.chdir(tmp_path)  # no .env file of the developer's
    wheel = wheel_file(tmp_path, SPRING_REPORT)
    app = build(make_settings(database_url, wheel_file=wheel))
    leader = app.engine.register_person("Ragnar Husum", LEADER)
    app.engine.register_project("Nytt rådhus", owner=None, leader=leader, phase="execution")
    year = datetime(datetime.now(UTC).year + years, 1, 1, tzinfo=UTC)
    [spring] = load_wheel(wheel).occurrences(
        year, year + timedelta(days=365), kinds=[EventKind.REPORTING_CYCLE]
    )
    env = cli_env(database_url=database_url, wheel_file=str(wheel))
    yield Drill(app, env, spring.opens_at, tmp_path)
    app.database.dispose()


@pytest.mark.parametrize("years", [3, -1], ids=["years-ahead", "a-year-back"])
def test_what_a_drills_tick_writes_is_delivered_at_the_drills_time(
    drill: Drill, years: int
) -> None:
    port = free_port()  # the archive is down during the tick
    _hook, secret = drill.app.engine.add_webhook(
        "Arkiv", f"http://127.0.0.1:{port}/in", ["ReportRequested"], actor=None
    )
    ticked = drill.tick()
    assert "1 report(s) requested" in ticked
    assert "webhooks: 0 sent, 1 to retry, 0 dead" in ticked
    written = drill.outbox()
    assert LEADER in {m.recipient for m in written}

    now, an_hour_on = drill.at.isoformat(), (drill.at + timedelta(hours=1)).isoformat()
    with MailServer() as server, receiving(port) as receiver:
        if years > 0:  # on the real clock the drill's work is not due yet, and they say so
            plain = drill.phasegate("mail", "send-pending", smtp=server.url).stdout
            assert plain.startswith("sent 0, to retry 0, dead 0\n")
            assert f"{len(written)} message(s) were written later than now" in plain
            plain = drill.phasegate("webhook", "deliver").stdout
            assert plain.startswith("sent 0, to retry 0, dead 0\n")
            assert "1 delivery(ies) were written later than now" in plain
            assert drill.outbox() == written
        sent = drill.phasegate("mail", "send-pending", "--now", now, smtp=server.url).stdout
        posted = drill.phasegate("webhook", "deliver", "--now", an_hour_on).stdout
        received = list(server.recorder.received)

    assert sent.strip() == f"sent {len(written)}, to retry 0, dead 0"
    assert {r.rcpt_tos[0]: r.message_id for r in received} == {
        m.recipient: m.message_id for m in written
    }
    assert {(m.status, m.sent_at) for m in drill.outbox()} == {("sent", drill.at)}
    assert posted.strip() == "sent 1, to retry 0, dead 0"
    [request] = receiver.requests
    assert request.type == "ReportRequested"
    # The drill's time is in the body; the signature carries the real time, which the
    # receiver checks against its own clock.
    assert request.json["timestamp"] == drill.at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    assert verify(secret, request.headers, request.body, datetime.now(UTC))


@pytest.mark.parametrize("years", [-1], ids=["a-year-back"])  # older than 72 hours
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_drills_dead_letter_is_resent_and_delivered_in_the_drills_time(drill: Drill) -> None:
    drill.tick()
    now = drill.at.isoformat()
    with MailServer() as server:
        # Sent on the real clock, mail written a year ago is long dead: the old trap.
        plain = drill.phasegate("mail", "send-pending", smtp=server.url).stdout
        assert plain.startswith("sent 0, to retry 0, dead 1\n")
        [dead] = drill.outbox()
        resent = drill.phasegate("mail", "resend", str(dead.id), "--now", now).stdout
        assert f"Message {dead.id} to {LEADER} is queued again" in resent
        sent = drill.phasegate("mail", "send-pending", "--now", now, smtp=server.url).stdout
        received = list(server.recorder.received)

    assert sent.strip() == "sent 1, to retry 0, dead 0"
    assert [r.message_id for r in received] == [dead.message_id]
    assert [(m.status, m.created_at) for m in drill.outbox()] == [("sent", drill.at)]


COMMANDS_WITH_NOW = [
    ["tick"],
    ["mail", "send-pending"],
    ["mail", "resend", "1"],
    ["webhook", "deliver"],
    ["webhook", "ping", "1"],
    ["webhook", "resend", "1"],
]


@pytest.mark.parametrize(
    ("now", "says"),
    [
        ("16 April", "--now '16 April' is not an ISO 8601 time; write it like 2027-04-19T08:00"),
        ("9999-12-31T23:30", "--now '9999-12-31T23:30' is out of range; give a time from"),
        ("0001-01-01", "--now '0001-01-01' is out of range"),
        ("2027-04-\udcff", "--now '2027-04-\ufffd' is not an ISO 8601 time"),
    ],
    ids=["words", "the-last-day", "the-first-day", "a-byte-that-is-not-utf-8"],
)
def test_every_drill_command_refuses_a_time_it_cannot_use_in_the_same_words(
    now: str, says: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # nothing is read or written: the value is refused first
    runner = CliRunner()
    answers = {
        " ".join(command): runner.invoke(cli, [*command, "--now", now])
        for command in COMMANDS_WITH_NOW
    }

    for command, answer in answers.items():
        assert answer.exit_code == 2, (command, answer.output)
        assert answer.stderr.startswith(f"error: {says}"), (command, answer.stderr)
    assert len({answer.stderr for answer in answers.values()}) == 1
    assert list(tmp_path.iterdir()) == []
