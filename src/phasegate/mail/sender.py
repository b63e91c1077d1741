"""Delivering the outbox over SMTP: at least once, with retries, never by two senders at once.

A pass (:meth:`Sender.send_pending`) repeats three steps until nothing is due:

1. **Claim** a batch of due rows in one short transaction. The rows get a lease
   (``claimed_until``) and the sender's name. On PostgreSQL the rows are selected
   ``FOR UPDATE SKIP LOCKED``, so two senders claim different rows; on SQLite every
   transaction begins IMMEDIATE, which serialises the claims.
2. **Send** the batch over one SMTP connection. Each message carries the Message-ID its
   row was given when it was written, on every attempt.
3. **Record** each outcome in its own transaction, and only after the server answered:
   sent; retry later (a 4xx reply, or the connection failed), with exponential backoff and
   jitter; or dead (a 5xx reply, or older than the maximum age), for the PMO to see and
   re-send.

A sender that dies after claiming leaves its lease to run out; then another sender sends
those rows. A message the server accepted just before a crash may therefore go out twice;
the unchanged Message-ID lets the recipient's mail system recognise the duplicate.

The pure parts live beside it: the SMTP URL in :mod:`phasegate.mail.smtp`, the backoff and
the rate limit in :mod:`phasegate.mail.pacing`, the MIME message in
:mod:`phasegate.mail.message`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, NoReturn

import aiosmtplib
import sqlalchemy
from sqlalchemy import Connection

from phasegate.engine.outbox import Q_DUE, QUEUE
from phasegate.errors import MailNotConfigured
from phasegate.leases import LEASE, Ledger, worker_name
from phasegate.mail.message import Claimed, build_message
from phasegate.mail.pacing import Pacer
from phasegate.mail.smtp import parse_smtp_url
from phasegate.settings import Settings

log = logging.getLogger(__name__)


# --- what a pass reports, and the statements it runs -----------------------------------


@dataclass(frozen=True)
class SendReport:
    """What one pass did. ``connection_error`` is set when the server could not be reached."""

    sent: int = 0
    retried: int = 0
    dead: int = 0
    connection_error: str | None = None


# --- the sender ------------------------------------------------------------------------


class _ConnectionLost(Exception):
    """The SMTP connection failed; the rest of the batch waits for a later attempt."""


class Outcome(Enum):
    """What became of one attempt to send a message."""

    SENT = "sent"  # the server accepted it
    RETRY = "retry"  # a 4xx reply: try again later
    DEAD = "dead"  # a 5xx reply, or a message that can never be sent
    LOST = "lost"  # the connection failed: this and the rest of the batch wait


@dataclass
class _Tally:
    sent: int = 0
    retried: int = 0
    dead: int = 0
    connection_error: str | None = None

    def count(self, outcome: Outcome) -> None:
        if outcome is Outcome.SENT:
            self.sent += 1
        elif outcome is Outcome.RETRY:
            self.retried += 1
        elif outcome is Outcome.DEAD:
            self.dead += 1

    def report(self) -> SendReport:
        return SendReport(self.sent, self.retried, self.dead, self.connection_error)


def _reply_code(exc: aiosmtplib.SMTPResponseException | aiosmtplib.SMTPRecipientsRefused) -> int:
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return exc.recipients[0].code if exc.recipients else 550
    return exc.code


def _describe(exc: BaseException | None) -> str:
    if exc is None:
        return ""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused) and exc.recipients:
        exc = exc.recipients[0]
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return f"{exc.code} {exc.message}"
    return f"{type(exc).__name__}: {exc}"


class _Books(Ledger):
    """The outbox rows as one sender keeps them (see :class:`phasegate.leases.Ledger`)."""

    def __init__(self, conn: Connection, name: str, clock: Callable[[], datetime]) -> None:
        super().__init__(conn, QUEUE, Q_DUE, name=name, clock=clock, what="Message")

    def claim_messages(self, batch_size: int, lease: timedelta) -> list[Claimed]:
        rows, until = self.claim(batch_size, lease)
        return [Claimed(**row._mapping, claimed_until=until) for row in rows]

    def record(self, row: Claimed, outcome: Outcome, error: str) -> None:
        if outcome is Outcome.SENT:
            self.sent(row)
        elif outcome is Outcome.RETRY:
            self.retry_later([row], error)
        else:
            self.bury([(row, error)], tried=True)


@dataclass
class _Pass:
    """One pass of a sender: its bookkeeping, its pace and its counts."""

    books: _Books
    pacer: Pacer
    tally: _Tally = field(default_factory=_Tally)


class Sender:
    """Delivers the outbox to one SMTP server. Several may run at once, in any processes.

    ``monotonic`` and ``sleep`` pace the rate limit; tests pass pretend ones.
    """

    def __init__(
        self,
        database: sqlalchemy.Engine,
        smtp_url: str,
        mail_from: str,
        *,
        clock: Callable[[], datetime],
        rate_per_minute: int = 0,
        max_age: timedelta = timedelta(hours=72),
        batch_size: int = 50,
        lease: timedelta = LEASE,
        name: str | None = None,
        timeout: float = 30.0,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.database = database
        self.target = parse_smtp_url(smtp_url)
        self.mail_from = mail_from
        self.clock = clock
        self.rate_per_minute = rate_per_minute
        self.max_age = max_age
        self.lease = lease
        self.name = worker_name(name)
        self.timeout = timeout
        self.monotonic = monotonic
        self.sleep = sleep
        self.batch_size = batch_size
        if rate_per_minute > 0:
            # A rate-limited batch must be sent well within its lease, or another sender
            # would take over rows this one is still sending.
            within_lease = int(rate_per_minute * lease.total_seconds() / 60 / 2)
            self.batch_size = max(1, min(batch_size, within_lease))

    def claim(self) -> list[Claimed]:
        """Take the lease on the next batch of due rows, in one short transaction."""
        with self.database.connect() as conn:
            return _Books(conn, self.name, self.clock).claim_messages(self.batch_size, self.lease)

    async def send_pending(self) -> SendReport:
        """Claim and send due rows, batch by batch, until none are due or the server is away."""
        # The database work runs on worker threads: a sender sharing an event loop (the web
        # server's, say) must not stall it while SQLite waits for its write lock.
        conn = await asyncio.to_thread(self.database.connect)
        books = _Books(conn, self.name, self.clock)
        run = _Pass(books, Pacer(self.rate_per_minute, self.monotonic))
        try:
            while batch := await asyncio.to_thread(
                books.claim_messages, self.batch_size, self.lease
            ):
                try:
                    await self._deliver(run, batch)
                except _ConnectionLost:
                    break  # the server is away: what is still due waits for the next pass
        finally:
            await asyncio.to_thread(conn.close)
        log.info("Outbox pass by %s: %s", self.name, run.tally)
        return run.tally.report()

    async def _deliver(self, run: _Pass, batch: list[Claimed]) -> None:
        fresh = await self._without_expired(run, batch)
        if not fresh:
            return
        lease_ends = min(row.claimed_until for row in fresh)
        smtp = self._smtp()
        try:
            try:
                await smtp.connect()
            except (aiosmtplib.SMTPException, OSError) as exc:
                await self._lost(run, fresh, exc)
            for index, row in enumerate(fresh):
                if (delay := run.pacer.delay()) > 0:
                    await self.sleep(delay)
                if self.clock() >= lease_ends:
                    return  # the lease ran out: whoever claims these next sends them
                run.pacer.record()
                outcome, error = await self._send(smtp, row)
                if outcome is Outcome.LOST:
                    await self._lost(run, fresh[index:], error)
                await asyncio.to_thread(run.books.record, row, outcome, _describe(error))
                run.tally.count(outcome)
        finally:
            await self._close(smtp)

    async def _without_expired(self, run: _Pass, batch: list[Claimed]) -> list[Claimed]:
        """Bury the rows past the maximum age, and return the others."""
        now = self.clock()
        too_old = f"Not delivered within {self.max_age.total_seconds() / 3600:g} hours"
        expired = [
            (row, f"{too_old}; last error: {row.last_error}" if row.last_error else too_old)
            for row in batch
            if now - row.created_at > self.max_age
        ]
        if expired:
            await asyncio.to_thread(run.books.bury, expired, tried=False)
            run.tally.dead += len(expired)
        return [row for row in batch if now - row.created_at <= self.max_age]

    async def _send(
        self, smtp: aiosmtplib.SMTP, row: Claimed
    ) -> tuple[Outcome, BaseException | None]:
        """Offer one message to the server, and classify the answer."""
        try:
            await smtp.send_message(build_message(row, self.mail_from))
        except (aiosmtplib.SMTPResponseException, aiosmtplib.SMTPRecipientsRefused) as exc:
            return (Outcome.DEAD if 500 <= _reply_code(exc) < 600 else Outcome.RETRY), exc
        except (aiosmtplib.SMTPNotSupported, ValueError) as exc:
            # The message itself can never go: a malformed address, a newline in a header.
            return Outcome.DEAD, exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            return Outcome.LOST, exc
        return Outcome.SENT, None

    async def _lost(
        self, run: _Pass, rows: Sequence[Claimed], exc: BaseException | None
    ) -> NoReturn:
        """The connection failed: these rows wait for a later attempt, and the batch ends."""
        error = _describe(exc)
        where = f"{self.target.host}:{self.target.port}"
        log.warning("SMTP server %s failed (%s); %d message(s) wait", where, error, len(rows))
        await asyncio.to_thread(run.books.retry_later, rows, error)
        run.tally.retried += len(rows)
        run.tally.connection_error = f"{where}: {error}"
        raise _ConnectionLost(error) from exc

    def _smtp(self) -> aiosmtplib.SMTP:
        target = self.target
        return aiosmtplib.SMTP(
            hostname=target.host,
            port=target.port,
            username=target.username,
            password=target.password,
            use_tls=target.implicit_tls,
            start_tls=False if target.implicit_tls else None,  # None: STARTTLS when offered
            timeout=self.timeout,
        )

    @staticmethod
    async def _close(smtp: aiosmtplib.SMTP) -> None:
        try:
            if smtp.is_connected:
                await smtp.quit()
        except (aiosmtplib.SMTPException, OSError):
            pass  # the messages are recorded already; a failed goodbye changes nothing
        finally:
            smtp.close()


def configured_sender(
    settings: Settings, database: sqlalchemy.Engine, clock: Callable[[], datetime]
) -> Sender:
    """The sender the settings describe: relay, sender address, rate limit, maximum age.

    With a drill clock (PHASEGATE_CLOCK_START) the lease and the maximum age are counted
    on that fast clock, so they stretch with its speed, or a lease would end before the
    first message is sent.
    """
    if settings.smtp_url is None:
        raise MailNotConfigured()
    speed = settings.drill_speed
    return Sender(
        database,
        settings.smtp_url.get_secret_value(),
        settings.mail_from,
        clock=clock,
        rate_per_minute=settings.mail_rate_per_minute,
        max_age=timedelta(hours=settings.mail_max_age_hours) * speed,
        lease=LEASE * speed,
    )


def send_pending_sync(
    database: sqlalchemy.Engine,
    smtp_url: str,
    mail_from: str,
    *,
    clock: Callable[[], datetime],
    **options: Any,
) -> SendReport:
    """One pass of :class:`Sender` from synchronous code (the CLI); ``options`` as for it.

    It runs its own event loop, so call it from a thread that has none running.
    """
    return asyncio.run(Sender(database, smtp_url, mail_from, clock=clock, **options).send_pending())
