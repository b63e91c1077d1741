"""The handler table: what happens after each domain event, in one visible place.

Every event is also written to the audit trail by :func:`phasegate.engine.unit.dispatch`,
in the same transaction. Handlers run in that transaction too; a failing handler rolls the
whole operation back. Later capabilities (email, deadlines, reporting cycles) add their
handlers here; the operations never call them directly.
"""

from __future__ import annotations

from sqlalchemy import select

from phasegate.domain import events as ev
from phasegate.engine.gates import decide_if_ready
from phasegate.engine.lookups import get_project, lock_request
from phasegate.engine.unit import HandlerTable, UnitOfWork
from phasegate.storage.tables import GateRequest, GateRequestDecider, Vote


def decide_gates_waiting_for(event: ev.ExternalEventRecorded, uow: UnitOfWork) -> None:
    """An awaited outside event arrived: decide the open request if its votes are in."""
    request_id = uow.session.scalar(
        select(GateRequest.id).where(
            GateRequest.project_id == event.project, GateRequest.status == "open"
        )
    )
    if request_id is None:
        return
    request = lock_request(uow.session, request_id)
    project = get_project(uow.session, request.project_id)
    deciders = set(
        uow.session.scalars(
            select(GateRequestDecider.person_id).where(GateRequestDecider.request_id == request.id)
        )
    )
    rows = uow.session.execute(
        select(Vote.voter_id, Vote.outcome).where(Vote.request_id == request.id).order_by(Vote.id)
    ).all()
    if not rows:
        return
    votes = dict(rows)
    decide_if_ready(uow, request, project, deciders, votes, decided_by=rows[-1][0])


HANDLERS: HandlerTable = {
    ev.PersonRegistered: (),
    ev.RoleGranted: (),
    ev.ProjectRegistered: (),
    ev.PhaseEntered: (),
    ev.GateRequested: (),
    ev.GateRequestWithdrawn: (),
    ev.VoteCast: (),
    ev.GateAwaitingEvents: (),
    ev.GateDecided: (),
    ev.ProjectHeld: (),
    ev.ProjectResumed: (),
    ev.ProjectStopped: (),
    ev.ProjectCompleted: (),
    ev.ExternalEventRecorded: (decide_gates_waiting_for,),
}
