"""The database tables, as typed SQLAlchemy 2 mappings.

The Alembic migrations in ``migrations/versions`` create exactly these; a test compares
the two so they cannot drift apart.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
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

    __table_args__ = (CheckConstraint("language in ('nb', 'en')", name="language"),)


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
