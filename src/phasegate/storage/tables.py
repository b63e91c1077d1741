"""The database tables, as typed SQLAlchemy 2 mappings.

The Alembic migrations in ``migrations/versions`` create exactly these; a test compares
the two so they cannot drift apart.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JsonData = JSON().with_variant(JSONB(), "postgresql")
BigId = BigInteger().with_variant(Integer(), "sqlite")  # SQLite autoincrements INTEGER only


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back time-zone aware (SQLite forgets)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, _dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("phasegate stores only time-zone aware datetimes")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, _dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: dict[Any, Any] = {  # noqa: RUF012 - SQLAlchemy reads it once
        datetime: UTCDateTime,
        dict[str, Any]: JsonData,
    }


class Person(Base):
    """Someone who uses phasegate: a project manager, owner, board member, PMO or reader."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    language: Mapped[str] = mapped_column(String(5), default="nb")
    created_at: Mapped[datetime]
    # One daily digest (*daglig oppsummering*) instead of a separate email per reminder.
    digest: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))

    # The languages of phasegate.i18n.LOCALES; widening it takes a migration (see 0007).
    __table_args__ = (CheckConstraint("language in ('nb', 'nn', 'en')", name="language"),)


class RoleGrant(Base):
    """An organisation-wide role: board (porteføljestyre), pmo, reader or admin."""

    __tablename__ = "role_grants"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)
    granted_at: Mapped[datetime]

    __table_args__ = (CheckConstraint("role in ('board', 'pmo', 'reader', 'admin')", name="role"),)


class WorkflowVersion(Base):
    """The exact workflow text a project started with, kept so later edits cannot change it."""

    __tablename__ = "workflow_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    version: Mapped[int]
    checksum: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)
    registered_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("name", "version"),)


class Project(Base):
    """A project (*prosjekt*) in the portfolio. ``version`` guards against double transitions."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    development_area: Mapped[str | None] = mapped_column(String(200))
    portfolio: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    phase: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(20))
    workflow_name: Mapped[str] = mapped_column(String(100))
    workflow_version: Mapped[int]
    phase_entered_at: Mapped[datetime]
    created_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own hook
    __table_args__ = (
        CheckConstraint("status in ('active', 'on_hold', 'completed', 'stopped')", name="status"),
    )


class GateRequest(Base):
    """A request to pass a gate: the checklist answers, the documents, and its status."""

    __tablename__ = "gate_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    gate_id: Mapped[str] = mapped_column(String(50))
    from_phase: Mapped[str] = mapped_column(String(50))
    to_phase: Mapped[str] = mapped_column(String(50))
    policy: Mapped[str] = mapped_column(String(20))
    decider_role: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="open")
    checklist: Mapped[dict[str, Any]]
    documents: Mapped[dict[str, Any]]
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))  # None: system
    submitted_at: Mapped[datetime]
    outcome: Mapped[str | None] = mapped_column(String(20))
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    decided_at: Mapped[datetime | None]
    closed_reason: Mapped[str | None] = mapped_column(Text)
    # When it is due: the board meeting whose agenda it is on, or N working days for owners.
    due_at: Mapped[datetime | None]
    meeting_key: Mapped[str | None] = mapped_column(String(120))

    __table_args__ = (
        CheckConstraint("status in ('open', 'decided', 'withdrawn')", name="status"),
        # One open request per project at a time: the database refuses a second.
        Index(
            "uq_gate_requests_one_open_per_project",
            "project_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )


class GateRequestDecider(Base):
    """Who may decide a request, fixed when it is submitted."""

    __tablename__ = "gate_request_deciders"

    request_id: Mapped[int] = mapped_column(ForeignKey("gate_requests.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True, index=True)


class Vote(Base):
    """One decider's vote on a gate request. A person votes once per request."""

    __tablename__ = "votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("gate_requests.id"))
    voter_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    outcome: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(String(10))
    cast_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("request_id", "voter_id"),
        CheckConstraint("outcome in ('approve', 'rework', 'hold', 'stop')", name="outcome"),
        CheckConstraint("channel in ('web', 'link', 'api')", name="channel"),
    )


class ExternalEvent(Base):
    """An event reported by an outside system, such as ``budget_allocated``."""

    __tablename__ = "external_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    kind: Mapped[str] = mapped_column(String(100))
    phase: Mapped[str] = mapped_column(String(50))
    source: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]]
    received_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("project_id", "phase", "kind"),)


class AuditEvent(Base):
    """The audit trail: one row per domain event, never updated or deleted."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    occurred_at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(60))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))  # None: the system
    payload: Mapped[dict[str, Any]]


class OutboxMessage(Base):
    """An email waiting to be sent, written in the same transaction as its cause.

    ``message_id`` is fixed when the row is written, so every retry of one logical email
    carries the same Message-ID. A sender claims rows by setting ``claimed_until`` (a
    lease); a sender that dies leaves the lease to run out, and another sends the row.
    """

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(60))
    recipient: Mapped[str] = mapped_column(String(320))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"))
    subject: Mapped[str] = mapped_column(String(500))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]

    __table_args__ = (
        CheckConstraint("status in ('pending', 'sent', 'dead')", name="status"),
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
    )


class WebhookSubscription(Base):
    """Someone outside phasegate that wants to hear of events: a Teams channel, an archive.

    The ``secret`` signs every delivery (Standard Webhooks, HMAC-SHA256). It is kept as it
    is, because signing needs it; it is shown once, when the subscription is made or its
    secret is rotated. A removed subscription keeps its row (``removed_at``), so its
    deliveries stay readable.
    """

    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(100))
    # After a rotation the old secret signs too, until it expires, so the receiver can
    # switch over without refusing deliveries.
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_until: Mapped[datetime | None]
    event_types: Mapped[list[str]] = mapped_column(JsonData)
    # standard: phasegate's signed JSON; teams: an Adaptive Card for a Teams workflow
    format: Mapped[str] = mapped_column(String(20), default="standard")
    created_at: Mapped[datetime]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    removed_at: Mapped[datetime | None]

    __table_args__ = (CheckConstraint("format in ('standard', 'teams')", name="format"),)


class WebhookDelivery(Base):
    """One event on its way to one subscriber, written in the same transaction as the event.

    It is queued, leased, retried and buried exactly like an email in ``outbox_messages``.
    ``payload`` is the request body, fixed when the row is written: every retry sends the
    same bytes with the same ``delivery_id`` (the ``webhook-id`` header), so a receiver can
    recognise a repeat. The unique key on (subscription, event) means an event reaches a
    subscriber's queue once.
    """

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    delivery_id: Mapped[str] = mapped_column(String(40), unique=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("webhook_subscriptions.id"))
    event_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("events.id"))
    kind: Mapped[str] = mapped_column(String(60))
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id"),
        CheckConstraint("status in ('pending', 'sent', 'dead')", name="status"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )


class WheelOccurrence(Base):
    """One occurrence of a wheel event that phasegate has acted on (*årshjul*).

    The row is written in the transaction that acts on the occurrence (sends the board
    agenda, asks the projects for reports, starts a deadline's reminders). Its unique key
    is what lets two schedulers race for it and only one win.
    """

    __tablename__ = "wheel_occurrences"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)  # "<event id>/<YYYYMMDDTHHMM>"
    event_id: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(30))
    occurs_at: Mapped[datetime]
    opened_at: Mapped[datetime]


class Deadline(Base):
    """Something a person owes by a time (*frist*), with the state of its reminders.

    ``next_reminder_at`` is when the scheduler should look at it again (NULL: never); the
    scheduler reads only rows that are due, so its cost follows the due rows, not the
    portfolio. ``version`` guards the reminder state against two schedulers.
    """

    __tablename__ = "deadlines"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    subject: Mapped[str] = mapped_column(String(150))  # what is owed: "gate_request:12", …
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))  # in the person's language
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(10), default="open")
    fixed_done: Mapped[int] = mapped_column(default=0)
    overdue_sent: Mapped[int] = mapped_column(default=0)
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    last_reminded_on: Mapped[date | None] = mapped_column(Date)
    next_reminder_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (
        UniqueConstraint("subject", "person_id"),
        CheckConstraint("status in ('open', 'done', 'cancelled')", name="status"),
        Index("ix_deadlines_next_reminder", "status", "next_reminder_at"),
    )


class Reminder(Base):
    """A reminder, escalation or notice that went out (or into a digest) for a deadline.

    Unique per deadline, slot and recipient: a reminder is recorded once, whatever number
    of schedulers run.
    """

    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    deadline_id: Mapped[int] = mapped_column(ForeignKey("deadlines.id"))
    slot: Mapped[str] = mapped_column(String(30))
    kind: Mapped[str] = mapped_column(String(20))  # reminder | escalation | escalated
    recipient_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime]
    message_id: Mapped[str | None] = mapped_column(String(200))  # None while in a digest
    digest_day: Mapped[date | None] = mapped_column(Date)
    context: Mapped[dict[str, Any]]  # what the digest needs to list it

    __table_args__ = (
        UniqueConstraint("deadline_id", "slot", "recipient_id"),
        CheckConstraint("kind in ('reminder', 'escalation', 'escalated')", name="kind"),
        Index(
            "ix_reminders_waiting_for_digest",
            "recipient_id",
            sqlite_where=text("message_id IS NULL"),
            postgresql_where=text("message_id IS NULL"),
        ),
    )


class Digest(Base):
    """One person's daily digest: at most one per person and day."""

    __tablename__ = "digests"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    day: Mapped[date] = mapped_column(Date)
    message_id: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("person_id", "day"),)


class ReportRequest(Base):
    """A reporting cycle asking one project for a report (*rapporteringsforespørsel*)."""

    __tablename__ = "report_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    occurrence_key: Mapped[str] = mapped_column(String(120))
    cycle_label: Mapped[dict[str, Any]]  # {"nb": …, "nn": …, "en": …}; older rows lack nn
    kind: Mapped[str] = mapped_column(String(10))  # status | benefit
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))  # who is asked
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(10), default="open")
    requested_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    report_id: Mapped[int | None] = mapped_column(ForeignKey("status_reports.id"))

    __table_args__ = (
        UniqueConstraint("project_id", "occurrence_key"),
        CheckConstraint("kind in ('status', 'benefit')", name="kind"),
        CheckConstraint("status in ('open', 'done', 'cancelled')", name="status"),
    )


class StatusReport(Base):
    """A status report (*statusrapport*) or benefit report: a draft until published, then locked."""

    __tablename__ = "status_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    ratings: Mapped[dict[str, Any]]  # dimension -> level value
    comments: Mapped[dict[str, Any]]  # dimension -> comment
    budget: Mapped[int | None] = mapped_column(BigInteger)
    spent: Mapped[int | None] = mapped_column(BigInteger)
    forecast: Mapped[int | None] = mapped_column(BigInteger)
    # At publishing: the top open risks and the year's planned costs, as they were then.
    register: Mapped[dict[str, Any] | None]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    published_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    published_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (
        CheckConstraint("kind in ('status', 'benefit')", name="kind"),
        CheckConstraint("status in ('draft', 'published')", name="status"),
        # One draft per project at a time: a second "new report" returns the same draft.
        Index(
            "uq_status_reports_one_draft_per_project",
            "project_id",
            unique=True,
            sqlite_where=text("status = 'draft'"),
            postgresql_where=text("status = 'draft'"),
        ),
    )


class SignInLink(Base):
    """A one-time sign-in link sent by email (*innloggingslenke*); only its hash is kept."""

    __tablename__ = "sign_in_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class Session(Base):
    """A signed-in browser: the cookie holds the token, the database only its hash."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class ApiToken(Base):
    """A token an integration uses (``Authorization: Bearer …``); stored hashed, revocable."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(12))  # shown, to tell tokens apart
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class CalendarFeed(Base):
    """A personal, revocable calendar address (*kalenderabonnement*): calendar programs
    cannot sign in, so ``/calendar.ics?token=…`` carries this token; only its hash is kept."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(12))  # shown, to tell addresses apart
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


# The business case's tables share this metadata (and the migrations' comparison).
from phasegate.storage import registers as _registers  # noqa: E402, F401
