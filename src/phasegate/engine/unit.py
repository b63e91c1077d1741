"""The unit of work and the message bus: one transaction per operation.

An operation runs inside :class:`UnitOfWork`, records domain events with :meth:`emit`,
and returns. Before the commit, :func:`dispatch` writes every event to the audit trail and
hands it to its handlers, all in the same transaction: a handler's failure rolls the whole
operation back, so nothing is ever half-written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from phasegate.domain.events import Event
from phasegate.storage.tables import AuditEvent

if TYPE_CHECKING:
    from phasegate.workflow.catalog import WorkflowCatalog


@dataclass(frozen=True)
class Actor:
    """Who is acting: a person, or the system itself (``person`` is None)."""

    person: int | None
    name: str


SYSTEM = Actor(None, "system")


@dataclass
class UnitOfWork:
    session: Session
    now: datetime
    actor: Actor
    workflows: WorkflowCatalog
    events: list[Event] = field(default_factory=list)

    def emit(self, *events: Event) -> None:
        self.events.extend(events)


Handler = Callable[[Any, UnitOfWork], None]
HandlerTable = Mapping[type[Event], Sequence[Handler]]


def dispatch(uow: UnitOfWork, handlers: HandlerTable) -> None:
    """Run the handlers for every event (including ones they emit), then audit them all."""
    done = 0
    while done < len(uow.events):
        event = uow.events[done]
        done += 1
        for handler in handlers.get(type(event), ()):
            handler(event, uow)
    if uow.events:
        uow.session.flush()
        uow.session.execute(
            insert(AuditEvent),
            [
                {
                    "occurred_at": uow.now,
                    "kind": event.kind,
                    "project_id": event.project_id,
                    "actor_id": uow.actor.person,
                    "actor": uow.actor.name,
                    "payload": _jsonable(event.payload()),
                }
                for event in uow.events
            ],
        )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value
