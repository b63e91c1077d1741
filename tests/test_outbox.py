"""The outbox as the engine, the PMO and the operators see it; and the sender's pure rules.

The outbox tests run on SQLite and on PostgreSQL. The rules (backoff, pacing, the SMTP
URL) are pure functions, tested with a seeded random generator and a pretend clock.
"""

from __future__ import annotations

import random
import re
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine as Database
from sqlalchemy import select
from typer.testing import CliRunner

from phasegate.cli.mail import mail_cli
from phasegate.engine.outbox import backlog, enqueue, get_message, list_messages, resend
from phasegate.errors import (
    ConfigurationError,
    NotADeadLetter,
    NotFound,
    OutboxMessageNotFound,
    SmtpUrlInvalid,
)
from phasegate.leases import retry_delay
from phasegate.mail.pacing import Pacer, pace_delay
from phasegate.mail.render import RenderedEmail
from phasegate.mail.smtp import SmtpTarget, parse_smtp_url
from phasegate.storage.database import connect
from phasegate.storage.tables import AuditEvent, OutboxMessage
from tests.factories import WORKFLOWS, Clock
from tests.processes import REPO, cli_env
from tests.smtp_server import MailServer, use_settings

EMAIL = RenderedEmail(
    subject="Beslutning ønskes: Digitaliseringsstrategi, BP1",
    text="Hei Hanne,\n\nGodkjenn: https://phasegate.example/v/abc\n",
    html='<p>Hei Hanne,</p><p><a href="https://phasegate.example/v/abc">Godkjenn</a></p>',
)


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    database = connect(database_url)
    yield database
    database.dispose()


def write(database: Database, now: datetime, recipient: str = "hanne@asker.example") -> str:
    with database.begin() as conn:
        return enqueue(conn, kind="decision_requested", recipient=recipient, email=EMAIL, now=now)


def make_dead(database: Database, message_id: str, error: str = "550 no such user") -> int:
    """Turn a message into a dead letter, as the sender would after a 5xx reply."""
    table = OutboxMessage.__table__
    with database.begin() as conn:
        conn.execute(
            table.update()
            .where(table.c.message_id == message_id)
            .values(status="dead", attempts=3, last_error=error)
        )
        return int(conn.execute(table.select().where(table.c.message_id == message_id)).one().id)


# --- the outbox --------------------------------------------------------------------------


def test_an_email_is_queued_pending_with_a_message_id_of_its_own(
    database: Database, clock: Clock
) -> None:
    with database.begin() as conn:
        message_id = enqueue(
            conn,
            kind="decision_requested",
            recipient="hanne@asker.example",
            email=EMAIL,
            now=clock(),
            domain="phasegate.asker.example",
        )
    other = write(database, clock())

    assert re.fullmatch(r"<[0-9a-f]{32}@phasegate\.asker\.example>", message_id)
    assert other != message_id
    with database.connect() as conn:
        newest, oldest = list_messages(conn)
        assert get_message(conn, oldest.id) == oldest
    assert newest.message_id == other
    assert oldest.message_id == message_id
    assert oldest.kind == "decision_requested"
    assert oldest.recipient == "hanne@asker.example"
    assert (oldest.subject, oldest.body_text, oldest.body_html) == (
        EMAIL.subject,
        EMAIL.text,
        EMAIL.html,
    )
    assert oldest.status == "pending"
    assert oldest.attempts == 0
    assert oldest.created_at == oldest.next_attempt_at == clock()
    assert oldest.sent_at is None
    assert oldest.last_error is None


def test_an_email_is_not_queued_when_the_change_that_caused_it_rolls_back(
    database: Database, clock: Clock
) -> None:
    def decide_and_fail() -> None:
        with database.begin() as conn:
            enqueue(
                conn, kind="decision_made", recipient="per@asker.example", email=EMAIL, now=clock()
            )
            raise RuntimeError("the decision failed after the email was written")

    with pytest.raises(RuntimeError):
        decide_and_fail()

    with database.connect() as conn:
        assert list_messages(conn) == []
        assert backlog(conn, clock()) == (0, None)


def test_the_outbox_lists_by_status_newest_first_and_reports_its_backlog(
    database: Database, clock: Clock
) -> None:
    first = write(database, clock(), "a@asker.example")
    clock.advance(minutes=10)
    second = write(database, clock(), "b@asker.example")
    third = write(database, clock(), "c@asker.example")
    make_dead(database, second)

    with database.connect() as conn:
        assert [e.message_id for e in list_messages(conn)] == [third, second, first]
        assert [e.message_id for e in list_messages(conn, limit=2)] == [third, second]
        assert [e.message_id for e in list_messages(conn, status="dead")] == [second]
        assert [e.message_id for e in list_messages(conn, status="pending")] == [third, first]
        assert list_messages(conn, status="sent") == []
        assert backlog(conn, clock()) == (2, clock() - timedelta(minutes=10))
        with pytest.raises(ValueError, match="unknown outbox status"):
            list_messages(conn, status="lost")


def test_resend_puts_a_dead_letter_back_with_its_message_id_and_no_attempts(
    database: Database, clock: Clock
) -> None:
    message_id = write(database, clock())
    row = make_dead(database, message_id)
    clock.advance(days=5)

    with database.begin() as conn:
        resend(conn, row, clock())
        entry = get_message(conn, row)

    assert entry.message_id == message_id
    assert entry.status == "pending"
    assert entry.attempts == 0
    assert entry.next_attempt_at == clock()
    assert entry.created_at == clock()  # its age counts from the re-send
    assert entry.last_error == "550 no such user"  # kept, so the PMO can see what happened


def test_resend_refuses_a_message_that_is_not_dead_and_one_that_does_not_exist(
    database: Database, clock: Clock
) -> None:
    write(database, clock())
    with database.begin() as conn:
        (pending,) = list_messages(conn)
        with pytest.raises(NotADeadLetter, match=r"is pending, not dead.*send-pending"):
            resend(conn, pending.id, clock())
        with pytest.raises(OutboxMessageNotFound, match="No message 999") as missing:
            resend(conn, 999, clock())
        assert isinstance(missing.value, NotFound)
        with pytest.raises(OutboxMessageNotFound):
            get_message(conn, 999)
        assert get_message(conn, pending.id).status == "pending"


# --- the sender's rules --------------------------------------------------------------


def test_retry_delays_start_near_30_seconds_double_and_stop_growing_at_an_hour() -> None:
    rng = random.Random(20260302)
    for attempt, base in [(1, 30), (2, 60), (3, 120), (4, 240), (7, 1920), (8, 3600)]:
        for _ in range(200):
            seconds = retry_delay(attempt, rng).total_seconds()
            assert base * 0.8 <= seconds <= base * 1.2, (attempt, seconds)
    for attempt in (9, 20, 1000):
        assert 2880 <= retry_delay(attempt, rng).total_seconds() <= 4320


def test_retry_delays_are_spread_by_jitter_so_failures_do_not_retry_in_step() -> None:
    rng = random.Random(7)
    delays = [retry_delay(3, rng).total_seconds() for _ in range(1000)]

    assert len(set(delays)) > 900
    assert min(delays) < 120 * 0.85
    assert max(delays) > 120 * 1.15
    assert 115 < sum(delays) / len(delays) < 125
    assert retry_delay(3, random.Random(1)) == retry_delay(3, random.Random(1))


def test_pacing_lets_no_minute_hold_more_messages_than_the_rate() -> None:
    assert pace_delay(sent=0, elapsed=0.0, rate_per_minute=30) == 0.0
    assert pace_delay(sent=1, elapsed=0.5, rate_per_minute=30) == 1.5
    assert pace_delay(sent=10, elapsed=25.0, rate_per_minute=30) == 0.0  # behind: no wait
    assert pace_delay(sent=1000, elapsed=0.0, rate_per_minute=0) == 0.0  # 0: no limit

    now = 0.0
    pacer = Pacer(30, lambda: now)
    sent_at: list[float] = []
    for _ in range(95):
        now += pacer.delay()
        pacer.record()
        sent_at.append(now)
        now += 0.01  # sending takes a moment

    assert all(sum(1 for t in sent_at if start <= t < start + 60) <= 30 for start in sent_at)
    assert sent_at[-1] < 94 * 2 + 1  # and it does not dawdle: two seconds apart


@pytest.mark.parametrize(
    ("url", "target"),
    [
        ("smtp://relay.asker.example", SmtpTarget("relay.asker.example", 25, False)),
        ("smtps://relay.asker.example", SmtpTarget("relay.asker.example", 465, True)),
        (
            "smtp://post%40asker.example:p%3Ass%2Fw@relay.asker.example:587/",
            SmtpTarget("relay.asker.example", 587, False, "post@asker.example", "p:ss/w"),
        ),
        ("smtp://nopassword@10.0.0.5:2525", SmtpTarget("10.0.0.5", 2525, False, "nopassword")),
    ],
)
def test_smtp_urls_name_host_port_tls_and_login(url: str, target: SmtpTarget) -> None:
    parsed = parse_smtp_url(url)
    assert parsed == target
    assert parsed.password == target.password


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://relay.asker.example", "must start with smtp:// or smtps://"),
        ("relay.asker.example:25", "must start with smtp:// or smtps://"),
        ("smtp://", "names no host"),
        ("smtp://relay.asker.example:99999", "port is not a number"),
        ("smtp://relay.asker.example:smtp", "port is not a number"),
        ("smtp://relay.asker.example/mail?x=1", "nothing may follow host:port"),
    ],
)
def test_a_bad_smtp_url_is_refused_naming_the_setting(url: str, problem: str) -> None:
    with pytest.raises(SmtpUrlInvalid, match=problem) as refused:
        parse_smtp_url(url)
    assert "PHASEGATE_SMTP_URL" in refused.value.message
    assert isinstance(refused.value, ConfigurationError)


def test_a_refused_smtp_url_does_not_show_the_password() -> None:
    with pytest.raises(SmtpUrlInvalid) as refused:
        parse_smtp_url("smtp://post:topphemmelig@relay.asker.example:xx")
    assert "topphemmelig" not in refused.value.message
    assert "relay.asker.example:xx" in refused.value.message


# --- the command line ------------------------------------------------------------------


def test_send_pending_refuses_without_an_smtp_server_and_says_where_mail_is(
    database: Database,
    database_url: str,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    write(database, clock())
    use_settings(monkeypatch, tmp_path, database_url=database_url)

    result = CliRunner().invoke(mail_cli, ["send-pending"])

    assert result.exit_code == 1
    assert "mail stays in the outbox; see /dev/mailbox, or set PHASEGATE_SMTP_URL" in (
        result.stderr
    )
    with database.connect() as conn:
        assert backlog(conn, clock())[0] == 1


def test_the_cli_lists_the_outbox_and_resends_a_dead_letter(
    database: Database,
    database_url: str,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    write(database, clock(), "hanne@asker.example")
    gone = write(database, clock(), "sluttet@asker.example")
    row = make_dead(database, gone, "550 5.1.1 no such user")
    use_settings(monkeypatch, tmp_path, database_url=database_url, workflows_dir=str(WORKFLOWS))
    cli = CliRunner()

    listed = cli.invoke(mail_cli, ["list"])
    only_dead = cli.invoke(mail_cli, ["list", "--status", "dead"])
    dead = cli.invoke(mail_cli, ["dead"])
    resent = cli.invoke(mail_cli, ["resend", str(row)])
    again = cli.invoke(mail_cli, ["resend", str(row)])
    missing = cli.invoke(mail_cli, ["resend", "4242"])
    none_dead = cli.invoke(mail_cli, ["dead"])

    assert listed.exit_code == 0
    assert "hanne@asker.example" in listed.stdout
    assert "sluttet@asker.example" in listed.stdout
    assert "hanne@asker.example" not in only_dead.stdout
    assert f"{row:>6}  dead       3" in only_dead.stdout
    assert dead.exit_code == 0
    assert "sluttet@asker.example" in dead.stdout
    assert "last error: 550 5.1.1 no such user" in dead.stdout
    assert "1 dead letter(s)" in dead.stdout
    assert resent.exit_code == 0, resent.output
    assert f"Message {row} to sluttet@asker.example is queued again ({gone})" in resent.stdout
    assert again.exit_code == 1
    assert "is pending, not dead" in again.stderr
    assert missing.exit_code == 1
    assert "No message 4242" in missing.stderr
    assert none_dead.stdout.strip() == "No dead letters."
    with database.connect() as conn:
        assert get_message(conn, row).status == "pending"
        audited = conn.execute(select(AuditEvent.kind, AuditEvent.actor_id, AuditEvent.payload))
        # The operator at the machine acts as the system; the re-send is in the audit trail.
        assert [tuple(a) for a in audited] == [("DeadLetterResent", None, {"message": row})]


def test_send_pending_as_a_real_command_delivers_the_outbox(
    database: Database, database_url: str, tmp_path: Path
) -> None:
    ids = [write(database, datetime.now(UTC) - timedelta(seconds=1)) for _ in range(3)]
    with MailServer() as server:
        done = subprocess.run(  # noqa: S603 - our own interpreter and module
            [
                str(REPO / ".venv" / "bin" / "python"),
                "-c",
                "from phasegate.cli.mail import mail_cli; mail_cli()",
                "send-pending",
            ],
            cwd=tmp_path,
            env=cli_env(
                database_url=database_url,
                smtp_url=server.url,
                mail_from="phasegate <phasegate@asker.example>",
            ),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "sent 3, to retry 0, dead 0"
    assert sorted(server.recorder.message_ids()) == sorted(ids)
    with database.connect() as conn:
        assert {e.status for e in list_messages(conn)} == {"sent"}


def test_send_pending_exits_non_zero_when_the_server_cannot_be_reached(
    database: Database,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    write(database, datetime.now(UTC) - timedelta(seconds=1))
    use_settings(monkeypatch, tmp_path, database_url=database_url, smtp_url="smtp://127.0.0.1:1")

    result = CliRunner().invoke(mail_cli, ["send-pending"])

    assert result.exit_code == 1
    assert result.stdout.strip() == "sent 0, to retry 1, dead 0"
    assert "could not deliver through 127.0.0.1:1" in result.stderr
    assert "stay queued" in result.stderr


def test_send_pending_with_an_unusable_smtp_url_names_the_setting(
    database: Database,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    url = "smtp://post:hemmelig@relay.asker.example:abc"
    use_settings(monkeypatch, tmp_path, database_url=database_url, smtp_url=url)

    result = CliRunner().invoke(mail_cli, ["send-pending"])

    assert result.exit_code == 1
    assert result.stderr.startswith(
        "error: PHASEGATE_SMTP_URL (smtp://relay.asker.example:abc) is not usable: "
        "the port is not a number"
    )
    assert "hemmelig" not in result.output
