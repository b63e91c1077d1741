"""The handler table: what happens after each domain event, in one visible place.

Every event is also written to the audit trail by :func:`phasegate.engine.unit.dispatch`,
in the same transaction. Handlers run in that transaction too; a failing handler rolls the
whole operation back. Later capabilities (email, deadlines, reporting cycles) add their
handlers here; the operations never call them directly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import bindparam, select

from phasegate.domain import events as ev
from phasegate.engine.gates import decide_if_ready
from phasegate.engine.lookups import lock_request
from phasegate.engine.unit import HandlerTable, UnitOfWork
from phasegate.storage.tables import GateRequest, Vote

if TYPE_CHECKING:
    from phasegate.mail.compose import MailComposer

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


def build_handlers(mail: MailComposer | None) -> HandlerTable:
    """The one table of what happens after each event (besides the audit trail).

    ``mail`` is None only where no email is wanted at all (some tests, benchmarks).
    """
    if mail is None:
        return {ev.ExternalEventRecorded: (decide_gates_waiting_for,)}
    return {
        ev.PersonRegistered: (),
        ev.RoleGranted: (),
        ev.ProjectRegistered: (),
        ev.PhaseEntered: (),
        ev.GateRequested: (mail.decision_requested,),
        ev.GateRequestWithdrawn: (),
        ev.VoteCast: (mail.vote_recorded,),
        ev.GateAwaitingEvents: (),
        ev.GateDecided: (mail.decision_made,),
        ev.ProjectHeld: (),
        ev.ProjectResumed: (),
        ev.ProjectStopped: (),
        ev.ProjectCompleted: (),
        ev.ExternalEventRecorded: (decide_gates_waiting_for,),
    }
