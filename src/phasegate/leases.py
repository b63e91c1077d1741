"""The delivery queue both outboxes share: claim with a lease, then record each outcome.

Email (``outbox_messages``) and webhooks (``webhook_deliveries``) are queued the same way.
A row is *pending* until delivered (*sent*) or given up (*dead*, for the PMO to see and
re-send). A deliverer claims a batch of due rows in one short transaction, giving them a
lease (``claimed_until``) and its name; on PostgreSQL the rows are selected ``FOR UPDATE
SKIP LOCKED``, so two deliverers claim different rows, and on SQLite every transaction
begins IMMEDIATE, which serialises the claims. Each outcome is recorded in its own
transaction, and only by the deliverer that still holds the row.

A deliverer that dies after claiming leaves its lease to run out, and another delivers
those rows: delivery is at least once, never lost.
"""

from __future__ import annotations

import logging
import os
import random
import secrets
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import Connection, Executable, Row, Update, bindparam, update

log = logging.getLogger(__name__)

#: How long a claim is held before another deliverer may take the rows over.
LEASE = timedelta(minutes=5)

FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
JITTER = 0.2  # each delay is stretched or shrunk by up to this fraction


def retry_delay(attempt: int, rng: random.Random) -> timedelta:
    """How long to wait after the ``attempt``-th failed attempt (counting from 1).

    30 s, 1 min, 2 min, ... doubling up to one hour, each stretched or shrunk at random by
    up to 20 % so that rows which failed together do not all retry together.
    """
    base = min(FIRST_RETRY * (1 << min(max(attempt, 1) - 1, 32)), LONGEST_RETRY)
    return base * rng.uniform(1 - JITTER, 1 + JITTER)


def worker_name(name: str | None = None) -> str:
    """The name a deliverer claims rows under: ``name``, or host, pid and a random tag."""
    return (name or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}")[:100]


class Status(StrEnum):
    """Where a queued row is: waiting to go, delivered, or given up on."""

    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"


STATUSES = tuple(status.value for status in Status)


class Leased(Protocol):
    """A claimed row, as far as the queue needs to know it."""

    @property
    def id(self) -> int: ...

    @property
    def attempts(self) -> int: ...


@dataclass(frozen=True)
class QueueStatements:
    """The writes of a queue table, built once per table."""

    claim: Update
    sent: Update
    retry: Update
    dead: Update
    resend: Update  # a dead row queued again by the PMO (params: row, now)

    @classmethod
    def for_model(cls, table: type[Any]) -> QueueStatements:
        """The statements for a mapped queue table (its columns as in ``outbox_messages``)."""
        c = table
        mine = (c.id == bindparam("row"), c.claimed_by == bindparam("me"), c.status == "pending")
        return cls(
            claim=update(table)
            .where(c.id.in_(bindparam("rows", expanding=True)))
            .values(claimed_until=bindparam("until"), claimed_by=bindparam("me")),
            sent=update(table)
            .where(*mine)
            .values(
                status="sent",
                sent_at=bindparam("now"),
                claimed_until=None,
                attempts=c.attempts + 1,
            ),
            retry=update(table)
            .where(*mine)
            .values(
                attempts=c.attempts + 1,
                next_attempt_at=bindparam("next"),
                claimed_until=None,
                last_error=bindparam("error"),
            ),
            dead=update(table)
            .where(*mine)
            .values(
                status="dead",
                attempts=c.attempts + bindparam("tried"),
                claimed_until=None,
                last_error=bindparam("error"),
            ),
            # A re-sent row counts its age from the re-send: deliverers give up on rows
            # older than their maximum age, and the PMO asked for this one to go now.
            resend=update(table)
            .where(c.id == bindparam("row"), c.status == "dead")
            .values(
                status="pending",
                attempts=0,
                next_attempt_at=bindparam("now"),
                created_at=bindparam("now"),
                claimed_until=None,
            ),
        )


class Ledger:
    """One deliverer's bookkeeping on one queue, each change its own short transaction.

    One connection serves a whole pass: taking a pooled connection for every row would
    cost a round trip to PostgreSQL each time (the pool pings it first). ``what`` names
    the rows in the log ("Message", "Webhook delivery").
    """

    def __init__(
        self,
        conn: Connection,
        statements: QueueStatements,
        due: Executable,
        *,
        name: str,
        clock: Callable[[], datetime],
        what: str,
    ) -> None:
        self.conn = conn
        self.statements = statements
        self.due = due
        self.name = name
        self.clock = clock
        self.what = what
        self.rng = random.Random()  # noqa: S311 - jitter, not a secret

    def claim(self, batch_size: int, lease: timedelta) -> tuple[Sequence[Row[Any]], datetime]:
        """Lease the next due rows (``due`` takes ``now`` and ``batch``), and the lease's end."""
        now = self.clock()
        until = now + lease
        with self.conn.begin():
            rows = self.conn.execute(self.due, {"now": now, "batch": batch_size}).all()
            if rows:
                ids = [row.id for row in rows]
                self.conn.execute(
                    self.statements.claim, {"rows": ids, "until": until, "me": self.name}
                )
        return rows, until

    def sent(self, row: Leased) -> bool:
        """Record a delivery; False if the lease had passed to another deliverer meanwhile."""
        with self.conn.begin():
            done = self.conn.execute(
                self.statements.sent, {"row": row.id, "me": self.name, "now": self.clock()}
            )
        if done.rowcount != 1:
            log.warning(
                "%s %s was delivered, but its lease had passed to another deliverer, "
                "which may deliver it again (with the same id).",
                self.what,
                row.id,
            )
            return False
        return True

    def retry_later(self, rows: Sequence[Leased], error: str) -> None:
        """Put these rows back in the queue, each after its backoff, with the error."""
        now = self.clock()
        with self.conn.begin():
            self.conn.execute(
                self.statements.retry,
                [
                    {
                        "row": row.id,
                        "me": self.name,
                        "next": now + retry_delay(row.attempts + 1, self.rng),
                        "error": error,
                    }
                    for row in rows
                ],
            )

    def bury(self, graves: Sequence[tuple[Leased, str]], *, tried: bool) -> None:
        """Make dead letters of these rows, each with its error."""
        with self.conn.begin():
            self.conn.execute(
                self.statements.dead,
                [
                    {"row": row.id, "me": self.name, "error": error, "tried": int(tried)}
                    for row, error in graves
                ],
            )
        for row, error in graves:
            log.error("%s %s is a dead letter: %s", self.what, row.id, error)
