"""The transactional outbox: outgoing email as rows written with the change that caused it.

:func:`enqueue` writes a message with the caller's connection, inside the caller's
transaction: if the change rolls back, the email was never queued. A
:class:`~phasegate.mail.sender.Sender` delivers the rows later, at least once, claiming
them with :data:`Q_DUE` and recording each outcome with :data:`QUEUE`.

Each row gets its Message-ID when it is written and keeps it through every retry and
re-send, so a recipient's mail system can recognise a duplicate.

Messages are addressed by their row id (``OutboxEntry.id``), the number the CLI and the
development mailbox show.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection, RowMapping, bindparam, func, insert, or_, select

from phasegate.errors import NotADeadLetter, OutboxMessageNotFound
from phasegate.leases import STATUSES, QueueStatements
from phasegate.storage.tables import OutboxMessage


class RenderedEmail(Protocol):
    """An email as rendered (:class:`phasegate.mail.render.RenderedEmail`), ready to queue."""

    @property
    def subject(self) -> str: ...

    @property
    def text(self) -> str: ...

    @property
    def html(self) -> str: ...


@dataclass(frozen=True)
class OutboxEntry:
    """One message in the outbox, as the PMO and the development mailbox see it."""

    id: int
    message_id: str
    kind: str
    recipient: str
    subject: str
    body_text: str
    body_html: str
    status: str  # pending, sent or dead
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    next_attempt_at: datetime


_O = OutboxMessage
_ENTRY_COLUMNS = (
    _O.id,
    _O.message_id,
    _O.kind,
    _O.recipient,
    _O.subject,
    _O.body_text,
    _O.body_html,
    _O.status,
    _O.attempts,
    _O.last_error,
    _O.created_at,
    _O.sent_at,
    _O.next_attempt_at,
)

QUEUE = QueueStatements.for_model(OutboxMessage)
W_ENQUEUE = insert(OutboxMessage)
Q_ALL = select(*_ENTRY_COLUMNS).order_by(_O.id.desc()).limit(bindparam("limit"))
Q_BY_STATUS = (
    select(*_ENTRY_COLUMNS)
    .where(_O.status == bindparam("status"))
    .order_by(_O.id.desc())
    .limit(bindparam("limit"))
)
Q_ONE = select(*_ENTRY_COLUMNS).where(_O.id == bindparam("row"))
Q_STATUS = select(_O.status).where(_O.id == bindparam("row"))
Q_BACKLOG = select(func.count(), func.min(_O.created_at)).where(
    _O.status == "pending", _O.created_at <= bindparam("now")
)
# What a sender claims: due, and not leased to another sender (or its lease ran out).
Q_DUE = (
    select(
        _O.id,
        _O.message_id,
        _O.recipient,
        _O.subject,
        _O.body_text,
        _O.body_html,
        _O.attempts,
        _O.last_error,
        _O.created_at,
    )
    .where(
        _O.status == "pending",
        _O.next_attempt_at <= bindparam("now"),
        or_(_O.claimed_until.is_(None), _O.claimed_until < bindparam("now")),
    )
    .order_by(_O.id)
    .limit(bindparam("batch"))
    .with_for_update(skip_locked=True)
)


def new_message_id(domain: str) -> str:
    """A fresh, unguessable Message-ID such as ``<3f9c...@phasegate.local>``."""
    return f"<{secrets.token_hex(16)}@{domain}>"


def enqueue(
    conn: Connection,
    *,
    kind: str,
    recipient: str,
    email: RenderedEmail,
    now: datetime,
    person_id: int | None = None,
    project_id: int | None = None,
    domain: str = "phasegate.local",
) -> str:
    """Write one outgoing email as a pending row in the caller's transaction.

    Returns its Message-ID (``<random@domain>``), which every retry keeps.
    """
    row = outbox_row(
        kind=kind,
        recipient=recipient,
        email=email,
        now=now,
        person_id=person_id,
        project_id=project_id,
        domain=domain,
    )
    conn.execute(W_ENQUEUE, row)
    return str(row["message_id"])


def enqueue_many(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Write several rows made by :func:`outbox_row` in one statement (one round trip)."""
    if rows:
        conn.execute(W_ENQUEUE, rows)


def outbox_row(
    *,
    kind: str,
    recipient: str,
    email: RenderedEmail,
    now: datetime,
    person_id: int | None = None,
    project_id: int | None = None,
    domain: str = "phasegate.local",
) -> dict[str, Any]:
    """The row of one pending email, its Message-ID fixed now; write it with enqueue_many."""
    return {
        "message_id": new_message_id(domain),
        "kind": kind,
        "recipient": recipient,
        "person_id": person_id,
        "project_id": project_id,
        "subject": email.subject,
        "body_text": email.text,
        "body_html": email.html,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


def _entry(row: RowMapping) -> OutboxEntry:
    return OutboxEntry(**row)


def list_messages(
    conn: Connection, *, status: str | None = None, limit: int = 200
) -> list[OutboxEntry]:
    """The newest ``limit`` messages, newest first; only those in ``status`` if given."""
    if status is None:
        rows = conn.execute(Q_ALL, {"limit": limit})
    else:
        if status not in STATUSES:
            raise ValueError(f"unknown outbox status {status!r}; use one of {STATUSES}")
        rows = conn.execute(Q_BY_STATUS, {"status": status, "limit": limit})
    return [_entry(row) for row in rows.mappings()]


def get_message(conn: Connection, row_id: int) -> OutboxEntry:
    """The message with row id ``row_id`` (the id the CLI and mailbox show)."""
    row = conn.execute(Q_ONE, {"row": row_id}).mappings().first()
    if row is None:
        raise OutboxMessageNotFound(message=str(row_id))
    return _entry(row)


def resend(conn: Connection, row_id: int, now: datetime) -> None:
    """Put a dead letter back in the queue: pending, no attempts, the same Message-ID."""
    if conn.execute(QUEUE.resend, {"row": row_id, "now": now}).rowcount == 1:
        return
    status = conn.execute(Q_STATUS, {"row": row_id}).scalar()
    if status is None:
        raise OutboxMessageNotFound("dead", message=str(row_id))
    raise NotADeadLetter("pending" if status == "pending" else "sent", message=str(row_id))


def written_ahead(conn: Connection, table: type[Any], now: datetime) -> tuple[int, datetime | None]:
    """How many rows wait in a queue table (the outbox, the webhook deliveries) that were
    written after ``now``, and when the first was: what a drill's later clock queued."""
    query = select(func.count(), func.min(table.created_at)).where(
        table.status == "pending", table.created_at > now
    )
    count, first = conn.execute(query).one()
    return int(count), first


def backlog(conn: Connection, now: datetime) -> tuple[int, datetime | None]:
    """How many messages wait to be sent as of ``now``, and when the oldest was written."""
    count, oldest = conn.execute(Q_BACKLOG, {"now": now}).one()
    return int(count), oldest


def backlog_age(conn: Connection, now: datetime) -> tuple[int, float]:
    """How many messages wait to be sent, and how many seconds the oldest has waited
    (0 when none waits)."""
    count, oldest = backlog(conn, now)
    return count, (now - oldest).total_seconds() if oldest is not None else 0.0
