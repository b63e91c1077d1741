"""Read-side queries: the portfolio, a request, pending decisions, the audit trail."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from phasegate.domain.rules import events_still_awaited
from phasegate.engine.lookups import get_project, person_name
from phasegate.engine.views import AuditEntry, GateRequestView, PersonView, ProjectView, VoteView
from phasegate.errors import NotFound
from phasegate.storage.tables import (
    AuditEvent,
    ExternalEvent,
    GateRequest,
    GateRequestDecider,
    Person,
    Project,
    RoleGrant,
    Vote,
)
from phasegate.workflow.catalog import WorkflowCatalog


def portfolio(session: Session, workflows: WorkflowCatalog) -> list[ProjectView]:
    """Every project with its owner, leader and open gate request, by portfolio and name."""
    owner, leader = aliased(Person), aliased(Person)
    rows = session.execute(
        select(Project, owner.name, leader.name, GateRequest.id, GateRequest.gate_id)
        .outerjoin(owner, owner.id == Project.owner_id)
        .outerjoin(leader, leader.id == Project.leader_id)
        .outerjoin(
            GateRequest, (GateRequest.project_id == Project.id) & (GateRequest.status == "open")
        )
        .order_by(Project.portfolio, Project.name)
    ).all()
    return [
        _project_view(session, workflows, p, o, lead, rid, gid) for p, o, lead, rid, gid in rows
    ]


def project(session: Session, workflows: WorkflowCatalog, project_id: int) -> ProjectView:
    p = get_project(session, project_id)
    open_request = session.execute(
        select(GateRequest.id, GateRequest.gate_id).where(
            GateRequest.project_id == p.id, GateRequest.status == "open"
        )
    ).first()
    return _project_view(
        session,
        workflows,
        p,
        person_name(session, p.owner_id) if p.owner_id else None,
        person_name(session, p.leader_id) if p.leader_id else None,
        open_request[0] if open_request else None,
        open_request[1] if open_request else None,
    )


def _project_view(
    session: Session,
    workflows: WorkflowCatalog,
    p: Project,
    owner: str | None,
    leader: str | None,
    request_id: int | None,
    gate_id: str | None,
) -> ProjectView:
    definition = workflows.pinned(session, p.workflow_name, p.workflow_version).definition
    return ProjectView(
        id=p.id,
        name=p.name,
        phase=p.phase,
        phase_label=definition.label_of(p.phase),
        status=p.status,
        owner=owner,
        leader=leader,
        development_area=p.development_area,
        portfolio=p.portfolio,
        workflow=p.workflow_name,
        workflow_version=p.workflow_version,
        version=p.version,
        open_request=request_id,
        open_gate=gate_id,
    )


def gate_request(session: Session, workflows: WorkflowCatalog, request_id: int) -> GateRequestView:
    request = session.get(GateRequest, request_id)
    if request is None:
        raise NotFound(f"There is no gate request with id {request_id}.")
    return _request_views(session, workflows, [request])[0]


def pending_for_person(
    session: Session, workflows: WorkflowCatalog, person_id: int
) -> list[GateRequestView]:
    """Open requests this person decides and has not voted on yet, oldest first."""
    voted = select(Vote.request_id).where(Vote.voter_id == person_id)
    requests = session.scalars(
        select(GateRequest)
        .join(GateRequestDecider, GateRequestDecider.request_id == GateRequest.id)
        .where(
            GateRequest.status == "open",
            GateRequestDecider.person_id == person_id,
            GateRequest.id.not_in(voted),
        )
        .order_by(GateRequest.submitted_at, GateRequest.id)
    ).all()
    return _request_views(session, workflows, requests)


def pending_for_board(session: Session, workflows: WorkflowCatalog) -> list[GateRequestView]:
    """Every open request the portfolio board decides, oldest first."""
    requests = session.scalars(
        select(GateRequest)
        .where(GateRequest.status == "open", GateRequest.decider_role == "board")
        .order_by(GateRequest.submitted_at, GateRequest.id)
    ).all()
    return _request_views(session, workflows, requests)


def _request_views(
    session: Session, workflows: WorkflowCatalog, requests: Iterable[GateRequest]
) -> list[GateRequestView]:
    requests = list(requests)
    ids = [r.id for r in requests]
    names: dict[int, str] = {
        row.id: row.name for row in session.execute(select(Person.id, Person.name))
    }
    deciders: dict[int, list[str]] = defaultdict(list)
    for rid, pid in session.execute(
        select(GateRequestDecider.request_id, GateRequestDecider.person_id).where(
            GateRequestDecider.request_id.in_(ids)
        )
    ):
        deciders[rid].append(names.get(pid, str(pid)))
    votes: dict[int, list[VoteView]] = defaultdict(list)
    for v in session.scalars(select(Vote).where(Vote.request_id.in_(ids)).order_by(Vote.id)):
        votes[v.request_id].append(
            VoteView(names.get(v.voter_id, "?"), v.outcome, v.comment, v.channel, v.cast_at)
        )
    views = []
    for r in requests:
        p = session.get(Project, r.project_id)
        assert p is not None
        definition = workflows.pinned(session, p.workflow_name, p.workflow_version).definition
        gate = definition.gate(r.gate_id)
        assert gate is not None
        received = set(
            session.scalars(
                select(ExternalEvent.kind).where(
                    ExternalEvent.project_id == p.id, ExternalEvent.phase == r.from_phase
                )
            )
        )
        views.append(
            GateRequestView(
                id=r.id,
                project_id=p.id,
                project=p.name,
                gate=r.gate_id,
                gate_label=gate.label,
                from_phase=r.from_phase,
                to_phase=r.to_phase,
                status=r.status,
                policy=r.policy,
                decider_role=r.decider_role,
                deciders=tuple(sorted(deciders[r.id])),
                votes=tuple(votes[r.id]),
                awaiting_events=events_still_awaited(gate, received) if r.status == "open" else (),
                submitted_by=names.get(r.submitted_by, "?"),
                submitted_at=r.submitted_at,
                outcome=r.outcome,
                decided_by=names.get(r.decided_by) if r.decided_by else None,
                decided_at=r.decided_at,
                checklist=dict(r.checklist),
                documents=list(r.documents.get("links", [])),
            )
        )
    return views


def audit_trail(session: Session, project_id: int | None = None) -> list[AuditEntry]:
    """The audit trail in the order it happened, for one project or for everything."""
    query = select(AuditEvent).order_by(AuditEvent.id)
    if project_id is not None:
        query = query.where(AuditEvent.project_id == project_id)
    return [
        AuditEntry(e.id, e.occurred_at, e.kind, e.actor, e.project_id, dict(e.payload))
        for e in session.scalars(query)
    ]


def people(session: Session) -> list[PersonView]:
    roles: dict[int, list[str]] = defaultdict(list)
    for pid, role in session.execute(select(RoleGrant.person_id, RoleGrant.role)):
        roles[pid].append(role)
    return [
        PersonView(p.id, p.name, p.email, p.language, tuple(sorted(roles[p.id])))
        for p in session.scalars(select(Person).order_by(Person.name))
    ]
