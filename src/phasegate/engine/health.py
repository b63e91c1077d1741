"""What the operators watch, read from the database: ``/readyz`` and ``/metrics``.

Each reading says what it found or why it could not: a database that is away is something
to report, not an error to raise, so every :class:`~sqlalchemy.exc.SQLAlchemyError` becomes
a word here and the pages never see the database's own exceptions.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine as Database
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from phasegate.engine.outbox import backlog_age
from phasegate.engine.webhooks import Backlog
from phasegate.engine.webhooks import backlog as webhook_backlog
from phasegate.errors import SchemaOutOfDate
from phasegate.storage.database import ensure_schema_current
from phasegate.storage.tables import GateRequest, Reminder

log = logging.getLogger(__name__)

Q_DECISIONS = (
    select(GateRequest.outcome, func.count())
    .where(GateRequest.status == "decided")
    .group_by(GateRequest.outcome)
)
Q_REMINDERS = select(Reminder.kind, func.count()).group_by(Reminder.kind)


@dataclass(frozen=True)
class Readiness:
    """The readiness checks' findings. ``database`` and ``schema`` are None when they
    hold, else why not; ``outbox`` is (waiting, seconds the oldest waited), or why it
    could not be read."""

    database: str | None
    schema: str | None
    outbox: tuple[int, float] | str


def readiness(database: Database, now: datetime) -> Readiness:
    """Does the database answer, is its schema this code's, and what waits in the outbox."""
    try:
        with database.connect() as conn:
            conn.execute(text("SELECT 1"))
        answers = None
    except SQLAlchemyError as exc:
        answers = f"unreachable: {type(exc).__name__}"
    try:
        ensure_schema_current(database)
        schema = None
    except (SchemaOutOfDate, SQLAlchemyError) as exc:
        schema = str(exc)
    outbox: tuple[int, float] | str
    try:
        with database.connect() as conn:
            outbox = backlog_age(conn, now)
    except SQLAlchemyError as exc:
        outbox = f"unreadable: {type(exc).__name__}"
    return Readiness(answers, schema, outbox)


@dataclass(frozen=True)
class Figures:
    """The counts and queues ``/metrics`` exports, as the database has them now."""

    decisions: dict[str, int]  # by outcome ("none": decided without one)
    reminders: dict[str, int]  # by kind
    outbox_waiting: int
    outbox_waited_seconds: float
    webhooks: Backlog


def figures(database: Database, now: datetime) -> Figures | None:
    """The figures, or None (logged) when the database cannot be read."""
    try:
        with database.begin() as conn:
            decisions = {outcome or "none": n for outcome, n in conn.execute(Q_DECISIONS)}
            reminders = {str(kind): n for kind, n in conn.execute(Q_REMINDERS)}
            waiting, waited = backlog_age(conn, now)
            webhooks = webhook_backlog(conn, now)
    except SQLAlchemyError:
        log.warning("metrics: the database could not be read", exc_info=True)
        return None
    return Figures(decisions, reminders, waiting, waited, webhooks)
