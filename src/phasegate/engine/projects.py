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
from phasegate.storage.tables import ExternalEvent, Person, Project, RoleGrant

ROLES = ("board", "pmo", "reader", "admin")
LANGUAGES = ("nb", "en")

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
    require_office(uow, "register people")
    email = email.strip().lower()
    if "@" not in email or not name.strip():
        raise RuleViolation(f"A person needs a name and an email address (got {email!r}).")
    if language not in LANGUAGES:
        raise RuleViolation(f"Language must be one of {', '.join(LANGUAGES)}, not {language!r}.")
    if find_person_id(uow, email) is not None:
        raise DuplicateName(f"Someone with the email address {email} is already registered.")
    person = int(
        uow.scalar(W_PERSON, name=name.strip(), email=email, language=language, created_at=uow.now)
    )
    uow.emit(ev.PersonRegistered(person, name.strip(), email, language))
    return person


W_DIGEST = update(Person).where(Person.id == bindparam("person")).values(digest=bindparam("on"))


def set_digest(uow: UnitOfWork, person_id: int, digest: bool) -> None:
    """A person chooses (for themselves; or the PMO for them) one daily digest of reminders."""
    if uow.actor.person != person_id:
        require_office(uow, "change someone else's email preferences")
    require_people(uow, person_id)
    uow.conn.execute(W_DIGEST, {"person": person_id, "on": digest})
    uow.emit(ev.DigestChosen(person_id, digest))


def grant_role(uow: UnitOfWork, person_id: int, role: str) -> None:
    require_office(uow, "grant roles")
    if role not in ROLES:
        raise RuleViolation(f"Unknown role {role!r}; the roles are {', '.join(ROLES)}.")
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
    require_office(uow, "revoke roles")
    if role not in ROLES:
        raise RuleViolation(f"Unknown role {role!r}; the roles are {', '.join(ROLES)}.")
    if uow.actor.person == person_id and role in ("pmo", "admin"):
        raise RuleViolation(
            f"You cannot take the {role} role from yourself; ask another PMO or admin."
        )
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
        raise RuleViolation("A project needs a name.")
    if uow.scalar(Q_PROJECT_NAMED, name=name) is not None:
        raise DuplicateName(f"There is already a project named '{name}'. Choose another name.")
    require_people(uow, owner, leader)
    start = phase or definition.initial_phase
    if not definition.is_phase(start):
        known = ", ".join(p.id for p in definition.phases)
        raise RuleViolation(
            f"'{start}' is not a phase of {definition.name}; the phases are {known}."
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
        raise ProjectNotActive(
            f"{project.name} is {project.status}, not on hold; nothing to resume."
        )
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
            f"{project.name} is {project.status}; the event '{kind}' was not recorded."
        )
    if not kind.strip() or not kind.replace("_", "").isalnum():
        raise RuleViolation(f"{kind!r} is not an event name; use letters, digits and '_'.")
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
