"""The handler table: what happens after each domain event, in one visible place.

Every event is also written to the audit trail by :func:`phasegate.engine.unit.dispatch`,
in the same transaction. Handlers run in that transaction too; a failing handler rolls the
whole operation back. Later capabilities (email, deadlines, reporting cycles) add their
handlers here; the operations never call them directly.

The engine does not import those capabilities: :class:`Mail` and :class:`Deadlines` say
what it needs of them, and the composition root (``bootstrap.py``) passes in the real ones,
:class:`phasegate.mail.compose.MailComposer` and
:class:`phasegate.cycle.deadlines.DeadlineKeeper`.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import bindparam, select

from phasegate.domain import events as ev
from phasegate.domain import register_events as rev
from phasegate.engine.gates import decide_if_ready
from phasegate.engine.lookups import lock_request
from phasegate.engine.unit import Handler, HandlerTable, UnitOfWork
from phasegate.storage.tables import GateRequest, Vote


class Mail(Protocol):
    """The emails that events cause, written to the outbox in the event's transaction."""

    def decision_requested(self, event: ev.GateRequested, uow: UnitOfWork) -> None: ...

    def vote_recorded(self, event: ev.VoteCast, uow: UnitOfWork) -> None: ...

    def decision_made(self, event: ev.GateDecided, uow: UnitOfWork) -> None: ...

    def sign_in_requested(self, event: ev.SignInRequested, uow: UnitOfWork) -> None: ...


class Deadlines(Protocol):
    """The deadlines that events open and close (the annual cycle's)."""

    def phase_entered(self, event: ev.PhaseEntered, uow: UnitOfWork) -> None: ...

    def gate_requested(self, event: ev.GateRequested, uow: UnitOfWork) -> None: ...

    def gate_withdrawn(self, event: ev.GateRequestWithdrawn, uow: UnitOfWork) -> None: ...

    def vote_cast(self, event: ev.VoteCast, uow: UnitOfWork) -> None: ...

    def gate_decided(self, event: ev.GateDecided, uow: UnitOfWork) -> None: ...

    def project_ended(
        self, event: ev.ProjectStopped | ev.ProjectCompleted, uow: UnitOfWork
    ) -> None: ...

    def report_published(self, event: ev.ReportPublished, uow: UnitOfWork) -> None: ...
    def measurement_recorded(self, event: rev.MeasurementRecorded, uow: UnitOfWork) -> None: ...
    def risk_assessed(self, event: rev.RiskAssessed, uow: UnitOfWork) -> None: ...


Q_OPEN_REQUEST_ID = select(GateRequest.id).where(
    GateRequest.project_id == bindparam("project"), GateRequest.status == "open"
)
Q_LAST_VOTER = (
    select(Vote.voter_id)
    .where(Vote.request_id == bindparam("request"))
    .order_by(Vote.id.desc())
    .limit(1)
)


def decide_gates_waiting_for(event: ev.ExternalEventRecorded, uow: UnitOfWork) -> None:
    """An awaited outside event arrived: decide the open request if its votes are in."""
    request_id = uow.scalar(Q_OPEN_REQUEST_ID, project=event.project)
    if request_id is None:
        return
    request, project, ballot = lock_request(uow, request_id)
    deciders, votes = set(ballot.deciders), dict(ballot.votes)
    if not votes:
        return
    last_voter = int(uow.scalar(Q_LAST_VOTER, request=request.id))
    decide_if_ready(uow, request, project, deciders, votes, decided_by=last_voter)


def build_handlers(mail: Mail | None, deadlines: Deadlines | None = None) -> HandlerTable:
    """The one table of what happens after each event (besides the audit trail).

    ``mail`` and ``deadlines`` are None only where no email or no annual cycle is wanted
    (some tests, benchmarks). Deadlines come before mail, so an email can say when the
    request is due.
    """
    if mail is None and deadlines is None:
        return {ev.ExternalEventRecorded: (decide_gates_waiting_for,)}
    d, m = deadlines, mail
    return {
        ev.PersonRegistered: (),
        ev.RoleGranted: (),
        ev.RoleRevoked: (),
        ev.DeadLetterResent: (),
        ev.DigestChosen: (),
        ev.ProjectRegistered: (),
        ev.PhaseEntered: _only(d.phase_entered if d else None),
        ev.GateRequested: _only(
            d.gate_requested if d else None, m.decision_requested if m else None
        ),
        ev.GateRequestWithdrawn: _only(d.gate_withdrawn if d else None),
        ev.VoteCast: _only(d.vote_cast if d else None, m.vote_recorded if m else None),
        ev.GateAwaitingEvents: (),
        ev.GateDecided: _only(d.gate_decided if d else None, m.decision_made if m else None),
        ev.ProjectHeld: (),
        ev.ProjectResumed: (),
        ev.ProjectStopped: _only(d.project_ended if d else None),
        ev.ProjectCompleted: _only(d.project_ended if d else None),
        ev.ExternalEventRecorded: (decide_gates_waiting_for,),
        ev.ReportRequested: (),
        ev.ReportPublished: _only(d.report_published if d else None),
        ev.ReportRequestCancelled: (),
        ev.BoardAgendaSent: (),
        ev.DeadlineEscalated: (),
        ev.SignInRequested: _only(m.sign_in_requested if m else None),
        ev.SignedIn: (),
        ev.SignedOut: (),
        ev.ApiTokenCreated: (),
        ev.ApiTokenRevoked: (),
        ev.CalendarFeedCreated: (),
        ev.CalendarFeedRevoked: (),
        ev.WebhookAdded: (),
        ev.WebhookRemoved: (),
        ev.WebhookSecretRotated: (),
        ev.WebhookPinged: (),
        ev.WebhookDeliveryResent: (),
        rev.BenefitAdded: (),
        rev.BenefitChanged: (),
        rev.IndicatorAdded: (),
        rev.IndicatorChanged: (),
        rev.MeasurementRecorded: _only(d.measurement_recorded if d else None),
        rev.MeasurementRequested: (),
        rev.RiskAdded: (),
        rev.RiskChanged: (),
        rev.RiskAssessed: _only(d.risk_assessed if d else None),
        rev.RiskReviewRequested: (),
        rev.CostPlanSaved: (),
        rev.PeoplePlanSaved: (),
        rev.ResourceTermSaved: (),
    }


def _only(*handlers: Handler | None) -> tuple[Handler, ...]:
    return tuple(h for h in handlers if h is not None)
