"""Loading rows by id, with row locks where an operation will change them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from phasegate.errors import NotFound
from phasegate.storage.tables import GateRequest, Person, Project, RoleGrant


def get_project(session: Session, project_id: int) -> Project:
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound(f"There is no project with id {project_id}.")
    return project


def lock_project(session: Session, project_id: int) -> Project:
    """The project, locked for this transaction (FOR UPDATE; SQLite locks the whole file)."""
    project = session.scalar(select(Project).where(Project.id == project_id).with_for_update())
    if project is None:
        raise NotFound(f"There is no project with id {project_id}.")
    return project


def lock_request(session: Session, request_id: int) -> GateRequest:
    request = session.scalar(
        select(GateRequest).where(GateRequest.id == request_id).with_for_update()
    )
    if request is None:
        raise NotFound(f"There is no gate request with id {request_id}.")
    return request


def get_person(session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"There is no person with id {person_id}.")
    return person


def person_name(session: Session, person_id: int | None) -> str:
    if person_id is None:
        return "system"
    person = session.get(Person, person_id)
    return person.name if person else f"person {person_id}"


def find_person(session: Session, email: str) -> Person | None:
    return session.scalar(select(Person).where(Person.email == email.strip().lower()))


def roles_of(session: Session, person_id: int) -> set[str]:
    return set(session.scalars(select(RoleGrant.role).where(RoleGrant.person_id == person_id)))


def board_members(session: Session) -> list[int]:
    return list(
        session.scalars(
            select(RoleGrant.person_id)
            .where(RoleGrant.role == "board")
            .order_by(RoleGrant.person_id)
        )
    )
