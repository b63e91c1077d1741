"""What the project page and the gate request form read: queries only, nothing written.

Everything here takes a reading connection (``engine.reading()``). The page is a handful
of queries whatever the project's history: its gate requests with every decider and vote
are read together, not one request at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, select

from phasegate.domain.model import Gate, Phase
from phasegate.engine import queries
from phasegate.engine.access import require_manager_or_pmo
from phasegate.engine.catalog import WorkflowCatalog
from phasegate.engine.lookups import get_project
from phasegate.engine.reports import ReportView, project_reports
from phasegate.engine.unit import UnitOfWork
from phasegate.engine.views import AuditEntry, GateRequestView, ProjectView
from phasegate.storage.tables import Deadline, GateRequest, Person, Project

Q_DESCRIPTION = select(Project.description).where(Project.id == bindparam("project"))
Q_REQUESTS_OF_PROJECT = (
    select(GateRequest)
    .where(GateRequest.project_id == bindparam("project"))
    .order_by(GateRequest.submitted_at.desc(), GateRequest.id.desc())
)
Q_OPEN_DEADLINES = (
    select(Deadline.kind, Deadline.title, Deadline.due_at, Person.name.label("person"))
    .join(Person, Person.id == Deadline.person_id)
    .where(Deadline.project_id == bindparam("project"), Deadline.status == "open")
    .order_by(Deadline.due_at, Person.name, Deadline.id)
)


@dataclass(frozen=True)
class DeadlineLine:
    """Something someone owes the project, and by when."""

    kind: str
    title: str  # in the language of the person who owes it
    person: str
    due_at: datetime


@dataclass(frozen=True)
class ProjectPage:
    project: ProjectView
    description: str
    phases: tuple[Phase, ...]  # the pinned workflow's phases, in order
    requests: list[GateRequestView]  # every gate request, newest first
    reports: list[ReportView]  # the published reports, newest first
    deadlines: list[DeadlineLine]  # what is still owed, soonest first
    audit: list[AuditEntry]  # in the order it happened


@dataclass(frozen=True)
class GateForm:
    """What the gate request form needs: the project and the gate that leads out of its phase.

    ``gate`` is None when no single gate leads on (a finished project, or a phase with a
    choice of gates); ``open_gate`` names a request already waiting for its decision.
    """

    project: ProjectView
    gate: Gate | None
    open_gate: str | None


def project_page(conn: Connection, workflows: WorkflowCatalog, project_id: int) -> ProjectPage:
    """Everything the project page shows; NotFound for an unknown project."""
    project = queries.project(conn, workflows, project_id)
    definition = workflows.pinned(conn, project.workflow, project.workflow_version).definition
    requests = queries.request_views(
        conn, workflows, Q_REQUESTS_OF_PROJECT, {"project": project_id}
    )
    published = [r for r in project_reports(conn, project_id) if r.published_at is not None]
    published.sort(key=lambda r: (r.published_at, r.id), reverse=True)
    deadlines = [
        DeadlineLine(row.kind, row.title, row.person, row.due_at)
        for row in conn.execute(Q_OPEN_DEADLINES, {"project": project_id})
    ]
    return ProjectPage(
        project=project,
        description=str(conn.execute(Q_DESCRIPTION, {"project": project_id}).scalar() or ""),
        phases=definition.phases,
        requests=requests,
        reports=published,
        deadlines=deadlines,
        audit=queries.audit_trail(conn, project_id),
    )


def gate_form(uow: UnitOfWork, project_id: int) -> GateForm:
    """The next gate of the project, for the acting person to request.

    Raises NotFound for an unknown project, and NotPermitted (the engine's own rule, asked
    in a read-only unit of work, see ``Engine.asking``) when they may not submit its gate
    requests.
    """
    conn, workflows = uow.conn, uow.workflows
    state = get_project(uow, project_id)
    require_manager_or_pmo(uow, state, "submit_gate_request")
    project = queries.project(conn, workflows, project_id)
    definition = workflows.pinned(conn, state.workflow_name, state.workflow_version).definition
    candidates = definition.gates_from(state.phase)
    gate = candidates[0] if len(candidates) == 1 and state.status == "active" else None
    return GateForm(project=project, gate=gate, open_gate=project.open_gate)


__all__ = ["DeadlineLine", "GateForm", "ProjectPage", "gate_form", "project_page"]
