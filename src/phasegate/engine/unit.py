"""The unit of work and the message bus: one transaction per operation.

An operation runs inside :class:`UnitOfWork`, records domain events with :meth:`emit`,
and returns. Before the commit, :func:`dispatch` hands every event to its handlers and
writes it to the audit trail, all in the same transaction: a handler's failure rolls the
whole operation back, so nothing is ever half-written.

The engine talks to the database through SQLAlchemy Core statements built once at import
(see the ``Q_*`` and ``W_*`` constants beside each operation). Building a statement from
ORM attributes costs several times more than running it, and an operation runs a handful.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Executable, Row, bindparam, insert, select

from phasegate.domain.events import Event
from phasegate.storage.tables import AuditEvent, Person

if TYPE_CHECKING:
    from phasegate.workflow.catalog import WorkflowCatalog


@dataclass(frozen=True)
class Actor:
    """Who is acting: a person, or the system itself (``person`` is None)."""

    person: int | None


SYSTEM = Actor(None)

Q_PERSON_NAME = select(Person.name).where(Person.id == bindparam("person"))
W_AUDIT = insert(AuditEvent)


@dataclass
class UnitOfWork:
    conn: Connection
    now: datetime
    actor: Actor
    workflows: WorkflowCatalog
    events: list[tuple[Event, Actor]] = field(default_factory=list)

    def emit(self, *events: Event) -> None:
        """Record what happened, as done by the current actor."""
        self.events.extend((event, self.actor) for event in events)

    def act_as(self, person: int | None) -> None:
        """Let the following operations in this transaction be done by ``person``.

        For work that several people's actions make one whole, such as the votes taken at
        a board meeting and recorded together; each event keeps its own actor.
        """
        self.actor = SYSTEM if person is None else Actor(person)

    @property
    def actor_name(self) -> str:
        """The acting person's name, for messages (looked up only when needed)."""
        return "system" if self.actor.person is None else self.name_of(self.actor.person)

    def name_of(self, person: int) -> str:
        name = self.scalar(Q_PERSON_NAME, person=person)
        return str(name) if name is not None else f"person {person}"

    def one(self, statement: Executable, **params: Any) -> Row[Any] | None:
        return self.conn.execute(statement, params).first()

    def scalar(self, statement: Executable, **params: Any) -> Any:
        return self.conn.execute(statement, params).scalar()

    def rows(self, statement: Executable, **params: Any) -> Sequence[Row[Any]]:
        return self.conn.execute(statement, params).all()


Handler = Callable[[Any, UnitOfWork], None]
HandlerTable = Mapping[type[Event], Sequence[Handler]]


def dispatch(uow: UnitOfWork, handlers: HandlerTable) -> None:
    """Run the handlers for every event (including ones they emit), then audit them all."""
    done = 0
    while done < len(uow.events):
        event, actor = uow.events[done]
        done += 1
        uow.actor, before = actor, uow.actor  # a handler acts for whoever caused the event
        for handler in handlers.get(type(event), ()):
            handler(event, uow)
        uow.actor = before
    if uow.events:
        uow.conn.execute(
            W_AUDIT,
            [
                {
                    "occurred_at": uow.now,
                    "kind": event.kind,
                    "project_id": event.project_id,
                    "actor_id": actor.person,
                    "payload": event.payload(),
                }
                for event, actor in uow.events
            ],
        )
