"""Domain events: small frozen records of what happened.

Operations return these; the message bus writes each one to the audit trail and hands it
to the handlers in :func:`phasegate.engine.handlers.build_handlers`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True)
class Event:
    """Base of all domain events."""

    @property
    def kind(self) -> str:
        return type(self).__name__

    @property
    def project_id(self) -> int | None:
        return getattr(self, "project", None)

    def payload(self) -> dict[str, Any]:
        """The event's fields as JSON-ready values (tuples become lists)."""
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True)
class PersonRegistered(Event):
    person: int
    name: str
    email: str
    language: str


@dataclass(frozen=True)
class RoleRevoked(Event):
    person: int
    role: str


@dataclass(frozen=True)
class DeadLetterResent(Event):
    """The PMO put an undeliverable email back in the queue."""

    message: int  # the outbox row


@dataclass(frozen=True)
class DigestChosen(Event):
    """The person wants reminders in one daily digest (or, with False, one by one again)."""

    person: int
    digest: bool


@dataclass(frozen=True)
class RoleGranted(Event):
    person: int
    role: str


@dataclass(frozen=True)
class ProjectRegistered(Event):
    project: int
    name: str
    owner: int | None
    leader: int | None
    development_area: str | None
    workflow: str
    workflow_version: int
    phase: str


@dataclass(frozen=True)
class PhaseEntered(Event):
    project: int
    phase: str
    via_gate: str | None = None


@dataclass(frozen=True)
class GateRequested(Event):
    project: int
    request: int
    gate: str
    from_phase: str
    to: str
    deciders: tuple[int, ...]
    policy: str
    awaiting_events: tuple[str, ...] = ()


@dataclass(frozen=True)
class GateRequestWithdrawn(Event):
    project: int
    request: int
    gate: str
    reason: str


@dataclass(frozen=True)
class VoteCast(Event):
    project: int
    request: int
    gate: str
    voter: int
    outcome: str
    comment: str
    channel: str


@dataclass(frozen=True)
class GateDecided(Event):
    project: int
    request: int
    gate: str
    outcome: str
    decided_by: int
    votes: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class GateAwaitingEvents(Event):
    """The votes are in, but the gate waits for outside events before it is decided."""

    project: int
    request: int
    gate: str
    awaiting: tuple[str, ...]


@dataclass(frozen=True)
class ProjectHeld(Event):
    project: int
    phase: str
    gate: str


@dataclass(frozen=True)
class ProjectResumed(Event):
    project: int
    phase: str
    comment: str


@dataclass(frozen=True)
class ProjectStopped(Event):
    project: int
    phase: str
    gate: str


@dataclass(frozen=True)
class ProjectCompleted(Event):
    project: int
    gate: str


@dataclass(frozen=True)
class ExternalEventRecorded(Event):
    project: int
    event: str
    phase: str
    source: str


@dataclass(frozen=True)
class ReportRequested(Event):
    """A reporting cycle asked the project for a status or benefit report."""

    project: int
    request: int
    cycle: str  # the wheel occurrence, "<event id>/<YYYYMMDDTHHMM>"
    report_kind: str  # status | benefit
    person: int | None
    due_at: str  # ISO 8601, UTC


@dataclass(frozen=True)
class ReportPublished(Event):
    project: int
    report: int
    report_kind: str
    requests: tuple[int, ...]  # the report requests it answered


@dataclass(frozen=True)
class ReportRequestCancelled(Event):
    """The project left the phases the cycle asks, so the report is no longer owed."""

    project: int
    request: int
    reason: str


@dataclass(frozen=True)
class BoardAgendaSent(Event):
    meeting: str  # the wheel occurrence
    requests: tuple[int, ...]


@dataclass(frozen=True)
class DeadlineEscalated(Event):
    project: int | None
    deadline: int
    person: int
    to_role: str


@dataclass(frozen=True)
class SignInRequested(Event):
    """Someone asked for a sign-in link; the handler makes it and emails it (never logged).
    ``next`` is the page they wanted: the link leads there."""

    person: int
    next: str = "/"


@dataclass(frozen=True)
class SignedIn(Event):
    person: int
    via: str  # email_link | demo


@dataclass(frozen=True)
class SignedOut(Event):
    person: int


@dataclass(frozen=True)
class ApiTokenCreated(Event):
    person: int
    token: int  # the token's row id, never the token
    name: str


@dataclass(frozen=True)
class ApiTokenRevoked(Event):
    person: int
    token: int


@dataclass(frozen=True)
class CalendarFeedCreated(Event):
    """A person made a personal calendar address (*kalenderadresse*)."""

    person: int
    feed: int  # the address's row id, never its token
    name: str


@dataclass(frozen=True)
class CalendarFeedRevoked(Event):
    person: int  # whose address it was; the actor may be the PMO
    feed: int


@dataclass(frozen=True)
class WebhookAdded(Event):
    subscription: int
    name: str
    url: str
    event_types: tuple[str, ...]
    format: str = "standard"  # the audit trail never holds the secret


@dataclass(frozen=True)
class WebhookRemoved(Event):
    subscription: int
    dropped: int  # pending deliveries that became dead letters


@dataclass(frozen=True)
class WebhookSecretRotated(Event):
    subscription: int
    old_valid_until: str  # ISO time until which the old secret still signs


@dataclass(frozen=True)
class WebhookPinged(Event):
    subscription: int
    delivery: int


@dataclass(frozen=True)
class WebhookDeliveryResent(Event):
    delivery: int
