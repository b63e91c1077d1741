"""What the calendar feed (``/calendar.ics``, :mod:`phasegate.web.calendar`) reads: whom
and what a feed is for, and the open deadlines it lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from phasegate.errors import NotFound
from phasegate.storage.tables import Deadline, Person, Project

Q_DEADLINES = (
    select(
        Deadline.id,
        Deadline.kind,
        Deadline.subject,
        Deadline.title,
        Deadline.due_at,
        Project.name.label("project"),
        Person.name.label("person"),
        Person.language,
    )
    .join(Person, Person.id == Deadline.person_id)
    .outerjoin(Project, Project.id == Deadline.project_id)
    .where(Deadline.status == "open")
    .order_by(Deadline.due_at, Deadline.id)
)


@dataclass(frozen=True)
class FeedOwner:
    """The person and the project a feed is filtered by, by name (None: not filtered)."""

    person_name: str | None = None
    person_language: str | None = None
    project_name: str | None = None


@dataclass(frozen=True)
class OpenDeadline:
    """One person's open deadline (*frist*), as a calendar entry needs it."""

    id: int
    kind: str
    subject: str  # what is owed: ``gate_request:N``, ``report_request:N``, ``wheel:…``
    title: str  # in the person's language
    due_at: datetime
    project: str | None  # its name
    person: str  # who owes it, by name
    language: str  # theirs


def feed_owner(conn: Connection, person: int | None, project: int | None) -> FeedOwner:
    """Who and what the feed is for, in one query; an unknown id is NotFound naming it."""
    if person is None and project is None:
        return FeedOwner()
    names = conn.execute(
        select(
            select(Person.name).where(Person.id == person).scalar_subquery().label("person"),
            select(Person.language).where(Person.id == person).scalar_subquery().label("lang"),
            select(Project.name).where(Project.id == project).scalar_subquery().label("project"),
        )
    ).one()
    if person is not None and names.person is None:
        raise NotFound("calendar_person", field="person", person=str(person))
    if project is not None and names.project is None:
        raise NotFound("calendar_project", field="project", project=str(project))
    return FeedOwner(names.person, names.lang, names.project)


def open_deadlines(conn: Connection, person: int | None, project: int | None) -> list[OpenDeadline]:
    """The open deadlines, soonest first; only the person's or the project's if given."""
    query = Q_DEADLINES
    if person is not None:
        query = query.where(Deadline.person_id == person)
    if project is not None:
        query = query.where(Deadline.project_id == project)
    return [OpenDeadline(**row._mapping) for row in conn.execute(query)]
