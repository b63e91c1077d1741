"""Read-side queries: the portfolio, a request, pending decisions, the audit trail."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, bindparam, func, select
from sqlalchemy.orm import aliased

from phasegate.domain.rules import events_still_awaited
from phasegate.engine.catalog import WorkflowCatalog
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

Owner = aliased(Person)
Leader = aliased(Person)


def _projects(conn: Connection, workflows: WorkflowCatalog, where: Any = None) -> list[ProjectView]:
    query = (
        select(
            Project.id,
            Project.name,
            Project.phase,
            Project.status,
            Project.development_area,
            Project.portfolio,
            Project.workflow_name,
            Project.workflow_version,
            Project.version,
            Owner.name.label("owner"),
            Leader.name.label("leader"),
            GateRequest.id.label("open_request"),
            GateRequest.gate_id.label("open_gate"),
        )
        .outerjoin(Owner, Owner.id == Project.owner_id)
        .outerjoin(Leader, Leader.id == Project.leader_id)
        .outerjoin(
            GateRequest, (GateRequest.project_id == Project.id) & (GateRequest.status == "open")
        )
        .order_by(Project.portfolio, Project.name)
    )
    if where is not None:
        query = query.where(where)
    views = []
    for row in conn.execute(query):
        workflow = workflows.pinned(conn, row.workflow_name, row.workflow_version)
        views.append(
            ProjectView(
                id=row.id,
                name=row.name,
                phase=row.phase,
                phase_label=workflow.definition.label_of(row.phase),
                status=row.status,
                owner=row.owner,
                leader=row.leader,
                development_area=row.development_area,
                portfolio=row.portfolio,
                workflow=row.workflow_name,
                workflow_version=row.workflow_version,
                version=row.version,
                open_request=row.open_request,
                open_gate=row.open_gate,
            )
        )
    return views


def portfolio(conn: Connection, workflows: WorkflowCatalog) -> list[ProjectView]:
    """Every project with its owner, leader and open gate request, by portfolio and name."""
    return _projects(conn, workflows)


def require_project(conn: Connection, project_id: int) -> None:
    """Refuse an id that names no project (NotFound), reading only whether it exists."""
    if conn.scalar(select(Project.id).where(Project.id == project_id)) is None:
        raise NotFound("project", project=str(project_id))


def project(conn: Connection, workflows: WorkflowCatalog, project_id: int) -> ProjectView:
    found = _projects(conn, workflows, Project.id == project_id)
    if not found:
        raise NotFound("project", project=str(project_id))
    return found[0]


Q_REQUEST = select(GateRequest).where(GateRequest.id == bindparam("request"))
Q_PENDING_FOR_PERSON = (
    select(GateRequest)
    .join(GateRequestDecider, GateRequestDecider.request_id == GateRequest.id)
    .where(
        GateRequest.status == "open",
        GateRequestDecider.person_id == bindparam("person"),
        GateRequest.id.not_in(select(Vote.request_id).where(Vote.voter_id == bindparam("person"))),
    )
    .order_by(GateRequest.submitted_at, GateRequest.id)
)
Q_PENDING_FOR_BOARD = (
    select(GateRequest)
    .where(GateRequest.status == "open", GateRequest.decider_role == "board")
    .order_by(GateRequest.submitted_at, GateRequest.id)
)
Q_DECIDERS_OF = select(GateRequestDecider.request_id, GateRequestDecider.person_id).where(
    GateRequestDecider.request_id.in_(bindparam("requests", expanding=True))
)
Q_VOTES_OF = (
    select(Vote).where(Vote.request_id.in_(bindparam("requests", expanding=True))).order_by(Vote.id)
)
Q_NAMES = select(Person.id, Person.name).where(Person.id.in_(bindparam("people", expanding=True)))
Q_PROJECTS_OF = select(
    Project.id, Project.name, Project.workflow_name, Project.workflow_version
).where(Project.id.in_(bindparam("projects", expanding=True)))
Q_RECEIVED = select(ExternalEvent.kind).where(
    ExternalEvent.project_id == bindparam("project"), ExternalEvent.phase == bindparam("phase")
)


def gate_request(conn: Connection, workflows: WorkflowCatalog, request_id: int) -> GateRequestView:
    views = request_views(conn, workflows, Q_REQUEST, {"request": request_id})
    if not views:
        raise NotFound("gate_request", request=str(request_id))
    return views[0]


def pending_for_person(
    conn: Connection, workflows: WorkflowCatalog, person_id: int
) -> list[GateRequestView]:
    """Open requests this person decides and has not voted on yet, oldest first."""
    return request_views(conn, workflows, Q_PENDING_FOR_PERSON, {"person": person_id})


def pending_for_board(conn: Connection, workflows: WorkflowCatalog) -> list[GateRequestView]:
    """Every open request the portfolio board decides, oldest first."""
    return request_views(conn, workflows, Q_PENDING_FOR_BOARD, {})


def request_views(
    conn: Connection, workflows: WorkflowCatalog, query: Any, params: dict[str, Any]
) -> list[GateRequestView]:
    requests: Sequence[Row[Any]] = conn.execute(query, params).all()
    if not requests:
        return []
    ids = [r.id for r in requests]
    decider_rows = conn.execute(Q_DECIDERS_OF, {"requests": ids}).all()
    vote_rows = conn.execute(Q_VOTES_OF, {"requests": ids}).all()
    people = {pid for _, pid in decider_rows} | {v.voter_id for v in vote_rows}
    people |= {p for r in requests for p in (r.submitted_by, r.decided_by) if p is not None}
    names = {row.id: row.name for row in conn.execute(Q_NAMES, {"people": sorted(people)})}
    projects = {
        row.id: row
        for row in conn.execute(
            Q_PROJECTS_OF, {"projects": sorted({r.project_id for r in requests})}
        )
    }
    deciders: dict[int, list[str]] = defaultdict(list)
    decider_ids: dict[int, list[int]] = defaultdict(list)
    for rid, pid in decider_rows:
        deciders[rid].append(names.get(pid, str(pid)))
        decider_ids[rid].append(pid)
    votes: dict[int, list[VoteView]] = defaultdict(list)
    for v in vote_rows:
        votes[v.request_id].append(
            VoteView(
                names.get(v.voter_id, "?"), v.outcome, v.comment, v.channel, v.cast_at, v.voter_id
            )
        )
    views = []
    for r in requests:
        p = projects[r.project_id]
        definition = workflows.pinned(conn, p.workflow_name, p.workflow_version).definition
        gate = definition.gate(r.gate_id)
        assert gate is not None
        awaiting: tuple[str, ...] = ()
        if r.status == "open" and gate.requires_events:
            received = conn.execute(
                Q_RECEIVED, {"project": r.project_id, "phase": r.from_phase}
            ).scalars()
            awaiting = events_still_awaited(gate, set(received))
        views.append(
            GateRequestView(
                id=r.id,
                project_id=r.project_id,
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
                awaiting_events=awaiting,
                submitted_by=names.get(r.submitted_by, "?") if r.submitted_by else "system",
                submitted_at=r.submitted_at,
                outcome=r.outcome,
                decided_by=names.get(r.decided_by) if r.decided_by else None,
                decided_at=r.decided_at,
                checklist=dict(r.checklist),
                documents=list(r.documents.get("links", [])),
                closed_reason=r.closed_reason,
                decider_ids=tuple(sorted(decider_ids[r.id])),
                due_at=r.due_at,
                meeting_key=r.meeting_key,
            )
        )
    return views


def audit_trail(conn: Connection, project_id: int | None = None) -> list[AuditEntry]:
    """The audit trail in the order it happened, for one project or for everything."""
    query = (
        select(AuditEvent, func.coalesce(Person.name, "system").label("actor"))
        .outerjoin(Person, Person.id == AuditEvent.actor_id)
        .order_by(AuditEvent.id)
    )
    if project_id is not None:
        query = query.where(AuditEvent.project_id == project_id)
    return [
        AuditEntry(e.id, e.occurred_at, e.kind, e.actor, e.actor_id, e.project_id, dict(e.payload))
        for e in conn.execute(query)
    ]


def people(conn: Connection, where: Any = None) -> list[PersonView]:
    roles: dict[int, list[str]] = defaultdict(list)
    for pid, role in conn.execute(select(RoleGrant.person_id, RoleGrant.role)):
        roles[pid].append(role)
    query = select(Person).order_by(Person.name)
    if where is not None:
        query = query.where(where)
    return [
        PersonView(p.id, p.name, p.email, p.language, tuple(sorted(roles[p.id])), p.digest)
        for p in conn.execute(query)
    ]


def person(conn: Connection, person_id: int) -> PersonView:
    found = people(conn, Person.id == person_id)
    if not found:
        raise NotFound("person", person=str(person_id))
    return found[0]
