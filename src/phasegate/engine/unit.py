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

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Connection, Executable, Row, bindparam, insert, select
from sqlalchemy.exc import DataError

from phasegate.domain.events import Event
from phasegate.storage.tables import AuditEvent, Person

if TYPE_CHECKING:
    from phasegate.engine.catalog import WorkflowCatalog


#: The database refused a value it cannot hold (a text longer than its column); the unit
#: of work has rolled back. The pages and the API answer it as bad input (``web/app.py``),
#: without importing the database's own exceptions.
ValueUnstorable = DataError


@dataclass(frozen=True)
class Actor:
    """Who is acting: a person, or the system itself (``person`` is None)."""

    person: int | None


SYSTEM = Actor(None)

Q_PERSON_NAME = select(Person.name).where(Person.id == bindparam("person"))
W_AUDIT = insert(AuditEvent)
W_AUDIT_RETURNING = W_AUDIT.returning(AuditEvent.id, sort_by_parameter_order=True)


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


class Publisher(Protocol):
    """Who hears of events outside phasegate: the webhooks, wired in by the composition root
    (:class:`phasegate.webhooks.fanout.Fanout`). The engine keeps the subscriptions and their
    queue; what may be subscribed and how a delivery is written are the publisher's."""

    def audience(self, conn: Connection, kinds: frozenset[str]) -> Sequence[Any]:
        """Those who want at least one of these kinds of event; empty if nobody does."""
        ...

    def publish(
        self, uow: UnitOfWork, audience: Sequence[Any], audited: Sequence[tuple[int, Event, Actor]]
    ) -> None:
        """Queue the audited events (with their audit ids) for ``audience``."""
        ...

    def subscription(
        self, url: str, chosen: Iterable[str], form: str
    ) -> tuple[str, list[str], str]:
        """The receiver's address, event types and format as stored, or a refusal."""
        ...

    def new_secret(self) -> str:
        """A fresh signing secret."""
        ...

    def ping(self, uow: UnitOfWork, subscription: int, name: str, form: str) -> tuple[str, str]:
        """A test delivery's kind and body."""
        ...


def dispatch(uow: UnitOfWork, handlers: HandlerTable, publisher: Publisher | None = None) -> None:
    """Run the handlers for every event (including ones they emit), audit them all, and
    queue them for the publisher's audience, all in the unit's transaction."""
    done = 0
    while done < len(uow.events):
        event, actor = uow.events[done]
        done += 1
        uow.actor, before = actor, uow.actor  # a handler acts for whoever caused the event
        for handler in handlers.get(type(event), ()):
            handler(event, uow)
        uow.actor = before
    if not uow.events:
        return
    rows = [
        {
            "occurred_at": uow.now,
            "kind": event.kind,
            "project_id": event.project_id,
            "actor_id": actor.person,
            "payload": event.payload(),
        }
        for event, actor in uow.events
    ]
    kinds = frozenset(event.kind for event, _ in uow.events)
    audience = publisher.audience(uow.conn, kinds) if publisher is not None else ()
    if not audience:
        uow.conn.execute(W_AUDIT, rows)
        return
    ids = uow.conn.execute(W_AUDIT_RETURNING, rows).scalars().all()
    audited = [
        (event_id, event, actor) for event_id, (event, actor) in zip(ids, uow.events, strict=True)
    ]
    assert publisher is not None
    publisher.publish(uow, audience, audited)
