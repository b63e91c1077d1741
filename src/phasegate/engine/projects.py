"""People, roles and projects at the edge: registering, resuming, outside events."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update

from phasegate.domain import events as ev
from phasegate.domain.model import ProjectStatus, WorkflowDefinition
from phasegate.engine.access import require_office, require_resumer
from phasegate.engine.gates import set_project_state
from phasegate.engine.lookups import find_person_id, get_project, require_people
from phasegate.engine.unit import UnitOfWork
from phasegate.errors import DuplicateName, ProjectNotActive, RuleViolation
from phasegate.i18n import LOCALES
from phasegate.storage.tables import ExternalEvent, Person, Project, RoleGrant

ROLES = ("board", "pmo", "reader", "admin")

W_PERSON = insert(Person).returning(Person.id)
Q_HAS_ROLE = select(RoleGrant.role).where(
    RoleGrant.person_id == bindparam("person"), RoleGrant.role == bindparam("role")
)
W_ROLE = insert(RoleGrant)
Q_PROJECT_NAMED = select(Project.id).where(Project.name == bindparam("name"))
W_PROJECT = insert(Project).returning(Project.id)
Q_EXTERNAL_SEEN = select(ExternalEvent.id).where(
    ExternalEvent.project_id == bindparam("project"),
    ExternalEvent.phase == bindparam("phase"),
    ExternalEvent.kind == bindparam("kind"),
)
W_EXTERNAL = insert(ExternalEvent)


def register_person(uow: UnitOfWork, name: str, email: str, language: str = "nb") -> int:
    require_office(uow, "register_people")
    email = email.strip().lower()
    if "@" not in email or not name.strip():
        raise RuleViolation("person_incomplete", email=email)
    if language not in LOCALES:
        raise RuleViolation(
            "language_unknown", field="language", language=language, languages=list(LOCALES)
        )
    if find_person_id(uow, email) is not None:
        raise DuplicateName("email", field="email", email=email)
    person = int(
        uow.scalar(W_PERSON, name=name.strip(), email=email, language=language, created_at=uow.now)
    )
    uow.emit(ev.PersonRegistered(person, name.strip(), email, language))
    return person


W_DIGEST = update(Person).where(Person.id == bindparam("person")).values(digest=bindparam("on"))


def set_digest(uow: UnitOfWork, person_id: int, digest: bool) -> None:
    """A person chooses (for themselves; or the PMO for them) one daily digest of reminders."""
    if uow.actor.person != person_id:
        require_office(uow, "change_preferences")
    require_people(uow, person_id)
    uow.conn.execute(W_DIGEST, {"person": person_id, "on": digest})
    uow.emit(ev.DigestChosen(person_id, digest))


def grant_role(uow: UnitOfWork, person_id: int, role: str) -> None:
    require_office(uow, "grant_roles")
    if role not in ROLES:
        raise RuleViolation("role_unknown", role=role, roles=list(ROLES))
    require_people(uow, person_id)
    if uow.scalar(Q_HAS_ROLE, person=person_id, role=role) is not None:
        return  # granting a role someone has is a no-op, not an error
    uow.conn.execute(W_ROLE, {"person_id": person_id, "role": role, "granted_at": uow.now})
    uow.emit(ev.RoleGranted(person_id, role))


W_REVOKE_ROLE = delete(RoleGrant).where(
    RoleGrant.person_id == bindparam("person"), RoleGrant.role == bindparam("which")
)


def revoke_role(uow: UnitOfWork, person_id: int, role: str) -> None:
    """Take a role away (e.g. leaving the board); the PMO and admins only."""
    require_office(uow, "revoke_roles")
    if role not in ROLES:
        raise RuleViolation("role_unknown", role=role, roles=list(ROLES))
    if uow.actor.person == person_id and role in ("pmo", "admin"):
        raise RuleViolation("own_role", role=role)
    if uow.conn.execute(W_REVOKE_ROLE, {"person": person_id, "which": role}).rowcount:
        uow.emit(ev.RoleRevoked(person_id, role))


def register_project(
    uow: UnitOfWork,
    name: str,
    *,
    owner: int | None,
    leader: int | None,
    development_area: str | None = None,
    portfolio: str | None = None,
    description: str = "",
    definition: WorkflowDefinition,
    phase: str | None = None,
) -> int:
    """Put a project in the portfolio, in the workflow's first phase unless told otherwise.

    ``phase`` is for bringing in an existing portfolio (the demo's seed): the project
    starts in that phase, and the audit trail says so.
    """
    name = name.strip()
    if not name:
        raise RuleViolation("project_name_missing", field="name")
    if uow.scalar(Q_PROJECT_NAMED, name=name) is not None:
        raise DuplicateName("project", field="name", name=name)
    require_people(uow, owner, leader)
    start = phase or definition.initial_phase
    if not definition.is_phase(start):
        raise RuleViolation(
            "phase_unknown",
            field="phase",
            phase=start,
            workflow=definition.name,
            phases=[p.id for p in definition.phases],
        )
    project = int(
        uow.scalar(
            W_PROJECT,
            name=name,
            owner_id=owner,
            leader_id=leader,
            development_area=development_area,
            portfolio=portfolio,
            description=description,
            phase=start,
            status=ProjectStatus.ACTIVE.value,
            workflow_name=definition.name,
            workflow_version=definition.version,
            phase_entered_at=uow.now,
            created_at=uow.now,
            version=1,
        )
    )
    uow.emit(
        ev.ProjectRegistered(
            project=project,
            name=name,
            owner=owner,
            leader=leader,
            development_area=development_area,
            workflow=definition.name,
            workflow_version=definition.version,
            phase=start,
        ),
        ev.PhaseEntered(project=project, phase=start),
    )
    return project


def resume_project(uow: UnitOfWork, project_id: int, comment: str) -> None:
    project = get_project(uow, project_id, lock=True)
    require_resumer(uow, project)
    if project.status != ProjectStatus.ON_HOLD:
        raise ProjectNotActive("not_on_hold", project=project.name, status=project.status)
    set_project_state(uow, project, phase=project.phase, status=ProjectStatus.ACTIVE.value)
    uow.emit(ev.ProjectResumed(project=project.id, phase=project.phase, comment=comment.strip()))


def record_external_event(
    uow: UnitOfWork, project_id: int, kind: str, source: str, payload: dict[str, Any]
) -> bool:
    """Note that an outside system reported ``kind`` for the project in its current phase.

    Reporting the same event twice in a phase is harmless: the second report is ignored
    and False is returned. Gates waiting for the event are decided by a handler.
    """
    project = get_project(uow, project_id, lock=True)
    if project.status in (ProjectStatus.COMPLETED, ProjectStatus.STOPPED):
        raise ProjectNotActive(
            "event_not_recorded", project=project.name, status=project.status, event=kind
        )
    if not kind.strip() or not kind.replace("_", "").isalnum():
        raise RuleViolation("event_name", event=kind)
    if uow.scalar(Q_EXTERNAL_SEEN, project=project.id, phase=project.phase, kind=kind) is not None:
        return False
    uow.conn.execute(
        W_EXTERNAL,
        {
            "project_id": project.id,
            "kind": kind,
            "phase": project.phase,
            "source": source,
            "payload": payload,
            "received_at": uow.now,
        },
    )
    uow.emit(ev.ExternalEventRecorded(project.id, kind, project.phase, source))
    return True
