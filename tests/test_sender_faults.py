"""The sender against a real SMTP server: delivery, and every way delivery goes wrong.

Every test runs on SQLite and on PostgreSQL, with aiosmtpd listening on loopback. Time
moves only when a test moves the clock; nothing here waits for a backoff to pass.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine as Database
from sqlalchemy import select
from typer.testing import CliRunner

from phasegate.cli.mail import mail_cli
from phasegate.engine.outbox import enqueue, get_message, list_messages, resend
from phasegate.mail.render import RenderedEmail
from phasegate.mail.sender import Sender, SendReport
from phasegate.storage.database import connect
from phasegate.storage.tables import OutboxMessage
from tests.factories import Clock
from tests.processes import REPO, free_port
from tests.smtp_server import MailServer, Recorder, use_settings

MAIL_FROM = "phasegate <phasegate@asker.example>"
PYTHON = REPO / ".venv" / "bin" / "python"


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    database = connect(database_url)
    yield database
    database.dispose()


@pytest.fixture
def server() -> Iterator[MailServer]:
    with MailServer() as running:
        yield running


def queue(
    database: Database, now: datetime, recipients: list[str], *, subject: str = "Beslutning ønskes"
) -> list[str]:
    """Write one email per recipient, as the engine does; their Message-IDs, in order."""
    with database.begin() as conn:
        return [
            enqueue(
                conn,
                kind="decision_requested",
                recipient=recipient,
                email=RenderedEmail(
                    subject=f"{subject}: Digitaliseringsstrategi BP{n}",
                    text=f"Hei!\n\nGodkjenn her: https://phasegate.example/v/{n}\n",
                    html=f'<p>Hei!</p><p><a href="https://phasegate.example/v/{n}">Godkjenn</a></p>',
                ),
                now=now,
                domain="asker.example",
            )
            for n, recipient in enumerate(recipients, start=1)
        ]


def owners(count: int) -> list[str]:
    return [f"eier{n}@asker.example" for n in range(count)]


def sender(database: Database, url: str, clock: Clock, **options: object) -> Sender:
    return Sender(database, url, MAIL_FROM, clock=clock, **options)  # type: ignore[arg-type]


def deliver(database: Database, url: str, clock: Clock, **options: object) -> SendReport:
    return asyncio.run(sender(database, url, clock, **options).send_pending())


def statuses(database: Database) -> dict[str, tuple[str, int]]:
    """Message-ID -> (status, attempts) for every row."""
    with database.connect() as conn:
        return {e.message_id: (e.status, e.attempts) for e in list_messages(conn, limit=10_000)}


def test_a_batch_goes_over_one_connection_with_both_parts_and_the_rows_message_id(
    database: Database, server: MailServer, clock: Clock
) -> None:
    ids = queue(database, clock(), owners(3))
    clock.advance(seconds=5)

    report = deliver(database, server.url, clock)

    assert report == SendReport(sent=3)
    assert server.recorder.connections == 1
    received = {r.message_id: r for r in server.recorder.received}
    assert sorted(received) == sorted(ids)
    first = received[ids[0]]
    assert first.mail_from == "phasegate@asker.example"
    assert first.rcpt_tos == ("eier0@asker.example",)
    message = first.message
    assert message["From"] == MAIL_FROM
    assert message["To"] == "eier0@asker.example"
    assert message["Subject"] == "Beslutning ønskes: Digitaliseringsstrategi BP1"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Date"].datetime == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # written, not sent
    assert message.get_content_type() == "multipart/alternative"
    text, html = (part.get_content() for part in message.iter_parts())
    assert "https://phasegate.example/v/1" in text
    assert '<a href="https://phasegate.example/v/1">Godkjenn</a>' in html
    with database.connect() as conn:
        entries = list_messages(conn, status="sent")
    assert {e.message_id for e in entries} == set(ids)
    assert all(e.sent_at == clock() and e.attempts == 1 for e in entries)


def test_nothing_is_lost_while_the_server_is_down_and_each_message_arrives_once_after(
    database: Database, clock: Clock
) -> None:
    port = free_port()  # nothing listens here yet
    ids = queue(database, clock(), owners(4))

    report = deliver(database, f"smtp://127.0.0.1:{port}", clock)

    assert report.sent == 0
    assert report.retried == 4
    assert report.connection_error is not None
    assert f"127.0.0.1:{port}" in report.connection_error
    with database.connect() as conn:
        waiting = list_messages(conn, status="pending")
    assert len(waiting) == 4
    for entry in waiting:
        assert entry.attempts == 1
        assert clock() + timedelta(seconds=23) < entry.next_attempt_at
        assert entry.next_attempt_at < clock() + timedelta(seconds=37)
        assert entry.last_error is not None
        assert "SMTPConnectError" in entry.last_error

    with MailServer(port=port) as server:
        early = deliver(database, server.url, clock)  # the backoff has not passed yet
        assert early == SendReport()
        assert server.recorder.received == []

        clock.advance(minutes=1)
        report = deliver(database, server.url, clock)
        again = deliver(database, server.url, clock)

    assert report == SendReport(sent=4)
    assert again == SendReport()
    assert server.recorder.message_ids() == dict.fromkeys(ids, 1)
    assert statuses(database) == dict.fromkeys(ids, ("sent", 2))


def test_a_busy_reply_is_retried_later_and_delivered_once_with_the_same_message_id(
    database: Database, server: MailServer, clock: Clock
) -> None:
    (message_id,) = queue(database, clock(), owners(1))
    server.recorder.busy_replies = 1

    first = deliver(database, server.url, clock)

    assert first == SendReport(retried=1)
    with database.connect() as conn:
        (entry,) = list_messages(conn)
    assert entry.status == "pending"
    assert entry.last_error == "451 4.3.2 try later"
    assert entry.next_attempt_at > clock()

    clock.advance(minutes=1)
    second = deliver(database, server.url, clock)

    assert second == SendReport(sent=1)
    assert server.recorder.message_ids() == {message_id: 1}
    assert statuses(database) == {message_id: ("sent", 2)}


def test_a_refused_recipient_is_a_dead_letter_the_pmo_sees_and_can_resend(
    database: Database,
    database_url: str,
    server: MailServer,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    good, bad = queue(database, clock(), ["eier@asker.example", "sluttet@asker.example"])
    server.recorder.unknown.add("sluttet@asker.example")

    report = deliver(database, server.url, clock)

    assert report == SendReport(sent=1, dead=1)
    with database.connect() as conn:
        (dead,) = list_messages(conn, status="dead")
    assert dead.message_id == bad
    assert dead.recipient == "sluttet@asker.example"
    assert dead.last_error == "550 5.1.1 no such user"
    assert dead.attempts == 1

    use_settings(monkeypatch, tmp_path, database_url=database_url)
    shown = CliRunner().invoke(mail_cli, ["dead"])
    assert shown.exit_code == 0, shown.output
    assert "sluttet@asker.example" in shown.output
    assert "550 5.1.1 no such user" in shown.output
    assert f"{dead.id:>6}  dead" in shown.output

    server.recorder.unknown.clear()  # the address was fixed on the mail server's side
    with database.begin() as conn:
        resend(conn, dead.id, clock())
        assert get_message(conn, dead.id).status == "pending"
    report = deliver(database, server.url, clock)

    assert report == SendReport(sent=1)
    assert server.recorder.message_ids() == {good: 1, bad: 1}
    assert statuses(database) == {good: ("sent", 1), bad: ("sent", 1)}


def test_rows_claimed_by_a_sender_that_died_wait_for_its_lease_then_go_out_once(
    database: Database, server: MailServer, clock: Clock
) -> None:
    ids = queue(database, clock(), owners(5))
    doomed = sender(database, server.url, clock, name="doomed", batch_size=3)
    claimed = doomed.claim()  # ...and the process is killed before it sends anything
    assert [row.message_id for row in claimed] == ids[:3]

    clock.advance(minutes=4)  # the lease (5 minutes) still holds
    survivor = sender(database, server.url, clock, name="survivor")
    report = asyncio.run(survivor.send_pending())

    assert report == SendReport(sent=2)
    assert sorted(server.recorder.message_ids()) == sorted(ids[3:])

    clock.advance(minutes=2)  # the lease has run out
    report = asyncio.run(survivor.send_pending())

    assert report == SendReport(sent=3)
    assert server.recorder.message_ids() == dict.fromkeys(ids, 1)
    with database.connect() as conn:
        claimants = set(conn.execute(select(OutboxMessage.claimed_by)).scalars())
    assert claimants == {"survivor"}


def test_messages_older_than_the_maximum_age_go_dead_without_being_sent(
    database: Database, server: MailServer, clock: Clock
) -> None:
    (stale,) = queue(database, clock(), ["eier@asker.example"], subject="Påminnelse")
    server.recorder.busy_replies = 1
    assert deliver(database, server.url, clock) == SendReport(retried=1)
    clock.advance(hours=71)
    (fresh,) = queue(database, clock(), ["leder@asker.example"])
    clock.advance(hours=2)

    report = deliver(database, server.url, clock, max_age=timedelta(hours=72))

    assert report == SendReport(sent=1, dead=1)
    assert server.recorder.message_ids() == {fresh: 1}
    with database.connect() as conn:
        (dead,) = list_messages(conn, status="dead")
    assert dead.message_id == stale
    assert dead.last_error == "Not delivered within 72 hours; last error: 451 4.3.2 try later"


def test_a_rate_limit_of_30_a_minute_spaces_the_messages_two_seconds_apart(
    database: Database, server: MailServer, clock: Clock
) -> None:
    queue(database, clock(), owners(5))
    now = 1000.0
    slept: list[float] = []

    async def sleep(seconds: float) -> None:  # a pretend pause: time moves, nobody waits
        nonlocal now
        slept.append(seconds)
        now += seconds

    report = deliver(
        database, server.url, clock, rate_per_minute=30, monotonic=lambda: now, sleep=sleep
    )

    assert report == SendReport(sent=5)
    assert slept == [2.0, 2.0, 2.0, 2.0]


def test_user_and_password_from_the_url_log_in(database: Database, clock: Clock) -> None:
    ids = queue(database, clock(), owners(2))
    recorder = Recorder()
    with MailServer(
        recorder, auth_require_tls=False, authenticator=recorder.authenticate
    ) as server:
        url = f"smtp://post%40asker.example:hemme%3Alig@127.0.0.1:{server.port}"
        report = deliver(database, url, clock)

    assert report == SendReport(sent=2)
    assert recorder.logins == [("post@asker.example", "hemme:lig")]
    assert sorted(recorder.message_ids()) == sorted(ids)


def test_a_reply_that_comes_too_late_is_retried_and_may_arrive_twice_with_one_message_id(
    database: Database, server: MailServer, clock: Clock
) -> None:
    (message_id,) = queue(database, clock(), owners(1))
    server.recorder.slow_reply = 1.0  # the server takes the message, but says so too late

    report = deliver(database, server.url, clock, timeout=0.2)

    assert report.retried == 1
    assert report.connection_error is not None
    assert "SMTPReadTimeoutError" in report.connection_error
    server.recorder.slow_reply = 0
    clock.advance(minutes=1)
    assert deliver(database, server.url, clock) == SendReport(sent=1)
    # At least once: both copies carry the same Message-ID, so mail clients can drop one.
    assert server.recorder.message_ids() == {message_id: 2}
    assert statuses(database) == {message_id: ("sent", 2)}


SENDER_PROCESS = """
import sys, time
from datetime import UTC, datetime
from pathlib import Path
from phasegate.mail.sender import send_pending_sync
from phasegate.storage.database import connect

url, smtp_url, name, folder = sys.argv[1:5]
database = connect(url)
with database.connect():
    pass  # connected and imported: ready
Path(folder, name + ".ready").touch()
while not Path(folder, "go").exists():
    time.sleep(0.005)
report = send_pending_sync(
    database, smtp_url, "phasegate <phasegate@asker.example>",
    clock=lambda: datetime.now(UTC), name=name, batch_size=20,
)
database.dispose()
print(report.sent, report.retried, report.dead, report.connection_error)
"""


def test_two_sender_processes_deliver_500_messages_exactly_once(
    database: Database, database_url: str, server: MailServer, tmp_path: Path
) -> None:
    ids = queue(database, datetime.now(UTC) - timedelta(seconds=1), owners(500))
    names = ("sender-a", "sender-b")
    processes = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and script
            [str(PYTHON), "-c", SENDER_PROCESS, database_url, server.url, name, str(tmp_path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in names
    ]
    try:
        deadline = time.monotonic() + 60
        while not all((tmp_path / f"{name}.ready").exists() for name in names):
            assert all(p.poll() is None for p in processes), "a sender died while starting"
            assert time.monotonic() < deadline, "the senders did not start within 60 s"
            time.sleep(0.01)
        (tmp_path / "go").touch()  # both start sending at the same moment
        outputs = [p.communicate(timeout=60) for p in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
            process.communicate()

    for process, (_, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
        assert err == ""
    sent = [int(out.split()[0]) for out, _ in outputs]
    assert sum(sent) == 500
    assert all(n > 0 for n in sent), f"one sender did all the work: {sent}"
    assert server.recorder.message_ids() == dict.fromkeys(ids, 1)
    assert statuses(database) == dict.fromkeys(ids, ("sent", 1))
    with database.connect() as conn:
        claimants = list(conn.execute(select(OutboxMessage.claimed_by)).scalars())
    assert sorted(set(claimants)) == list(names)
