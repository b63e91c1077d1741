"""Loading the rows an operation works on, locked where it will change them.

Operations see typed, frozen snapshots (:class:`ProjectState`, :class:`RequestState`) and
change the database only through explicit UPDATE statements that name the version they
read. The queries that load what an operation needs are joined, so a vote or a request
costs one round trip to read its context.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, bindparam, select

from phasegate.engine.unit import UnitOfWork
from phasegate.errors import NotFound
from phasegate.storage.tables import (
    GateRequest,
    GateRequestDecider,
    Person,
    Project,
    RoleGrant,
    Vote,
)


@dataclass(frozen=True)
class ProjectState:
    """What the gate operations need to know about a project, as read in this transaction."""

    id: int
    name: str
    phase: str
    status: str
    owner_id: int | None
    leader_id: int | None
    workflow_name: str
    workflow_version: int
    version: int
    phase_entered_at: datetime


@dataclass(frozen=True)
class RequestState:
    """A gate request as read (and locked) in this transaction."""

    id: int
    project_id: int
    gate_id: str
    from_phase: str
    status: str
    policy: str
    outcome: str | None
    decided_by: int | None
    decided_at: datetime | None
    closed_reason: str | None


@dataclass(frozen=True)
class Ballot:
    """Who decides a request, and how those who have voted voted."""

    deciders: frozenset[int]
    votes: dict[int, str]


@dataclass(frozen=True)
class OpenRequest:
    gate_id: str
    submitted_at: datetime


_PROJECT = [getattr(Project, f.name).label(f"p_{f.name}") for f in fields(ProjectState)]
_REQUEST = [getattr(GateRequest, f.name).label(f"r_{f.name}") for f in fields(RequestState)]


def _take(cls: type[Any], row: Row[Any], prefix: str) -> Any:
    m = row._mapping
    return cls(**{f.name: m[prefix + f.name] for f in fields(cls)})


# FOR UPDATE on PostgreSQL; on SQLite, BEGIN IMMEDIATE already holds the write lock.
Q_PROJECT = select(*_PROJECT).where(Project.id == bindparam("project"))
Q_PROJECT_LOCKED = Q_PROJECT.with_for_update()
# Read after the project's lock is held, in a statement of its own (see Q_BALLOT): a
# request submitted while this one waited for the lock is then seen.
Q_OPEN_REQUEST = select(GateRequest.gate_id, GateRequest.submitted_at).where(
    GateRequest.project_id == bindparam("project"), GateRequest.status == "open"
)
Q_REQUEST_WITH_PROJECT = (
    select(*_REQUEST, *_PROJECT)
    .join(Project, Project.id == GateRequest.project_id)
    .where(GateRequest.id == bindparam("request"))
    .with_for_update(of=[GateRequest, Project])
)
# Read in its own statement, after the lock is held. On PostgreSQL a statement that waited
# for a row lock sees the locked rows as committed, but any rows it joined (other votes)
# as they were when it started: joined, a vote queued behind another would count only
# itself, and two votes that together make the majority would leave the gate open.
Q_BALLOT = (
    select(GateRequestDecider.person_id.label("decider"), Vote.outcome.label("vote"))
    .outerjoin(
        Vote,
        and_(
            Vote.request_id == GateRequestDecider.request_id,
            Vote.voter_id == GateRequestDecider.person_id,
        ),
    )
    .where(GateRequestDecider.request_id == bindparam("request"))
)  # one row per decider, with their vote if they have cast one
Q_ROLES = select(RoleGrant.role).where(RoleGrant.person_id == bindparam("person"))
Q_BOARD = select(RoleGrant.person_id).where(RoleGrant.role == "board").order_by(RoleGrant.person_id)
Q_PERSON_BY_EMAIL = select(Person.id, Person.name).where(Person.email == bindparam("email"))
Q_PEOPLE_EXISTING = select(Person.id).where(Person.id.in_(bindparam("people", expanding=True)))


def get_project(uow: UnitOfWork, project_id: int, *, lock: bool = False) -> ProjectState:
    row = uow.one(Q_PROJECT_LOCKED if lock else Q_PROJECT, project=project_id)
    if row is None:
        raise NotFound("project", project=str(project_id))
    state: ProjectState = _take(ProjectState, row, "p_")
    return state


def lock_project_for_request(
    uow: UnitOfWork, project_id: int
) -> tuple[ProjectState, OpenRequest | None]:
    """The project, locked, and the gate request it has open, if any."""
    project = get_project(uow, project_id, lock=True)
    row = uow.one(Q_OPEN_REQUEST, project=project_id)
    open_request = None if row is None else OpenRequest(row.gate_id, row.submitted_at)
    return project, open_request


def lock_request(uow: UnitOfWork, request_id: int) -> tuple[RequestState, ProjectState, Ballot]:
    """The gate request, locked, with its project, its deciders and the votes so far."""
    locked = uow.one(Q_REQUEST_WITH_PROJECT, request=request_id)
    if locked is None:
        raise NotFound("gate_request", request=str(request_id))
    rows = uow.rows(Q_BALLOT, request=request_id)
    votes = {int(r.decider): str(r.vote) for r in rows if r.vote is not None}
    ballot = Ballot(frozenset(int(r.decider) for r in rows), votes)
    return _take(RequestState, locked, "r_"), _take(ProjectState, locked, "p_"), ballot


def require_people(uow: UnitOfWork, *people: int | None) -> None:
    wanted = {p for p in people if p is not None}
    if not wanted:
        return
    found = set(uow.conn.execute(Q_PEOPLE_EXISTING, {"people": sorted(wanted)}).scalars())
    if missing := sorted(wanted - found):
        raise NotFound("people", people=[str(person) for person in missing])


def find_person_id(uow: UnitOfWork, email: str) -> int | None:
    row = uow.one(Q_PERSON_BY_EMAIL, email=email.strip().lower())
    return None if row is None else int(row.id)


def roles_of(uow: UnitOfWork, person_id: int) -> set[str]:
    return {str(r) for r in uow.conn.execute(Q_ROLES, {"person": person_id}).scalars()}


def board_members(uow: UnitOfWork) -> list[int]:
    return [int(p) for p in uow.conn.execute(Q_BOARD).scalars()]
