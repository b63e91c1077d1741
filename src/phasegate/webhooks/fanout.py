"""Queue each event for the subscribers that want it, in the transaction that made it.

:func:`phasegate.engine.unit.dispatch` asks :meth:`Fanout.audience` who listens (one small
query) before it writes the audit trail. When someone does, the audit rows are written
returning their ids, and :meth:`Fanout.publish` queues one delivery per event and
subscriber in one statement. If the operation rolls back, nothing was queued; if it
commits, the deliveries are there: no event is lost between the change and the queue.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select

from phasegate.domain.events import Event
from phasegate.engine.unit import Actor, UnitOfWork
from phasegate.storage.tables import Person, Project, WebhookDelivery, WebhookSubscription
from phasegate.webhooks.catalog import body, hears

_S = WebhookSubscription
Q_AUDIENCE = select(_S.id, _S.event_types).where(_S.removed_at.is_(None)).order_by(_S.id)
# One id at a time: an operation's events name one project and one or two people, and a
# plain statement is cached whole, where an expanding IN list is compiled anew each time.
Q_PROJECT_NAME = select(Project.name).where(Project.id == bindparam("id"))
Q_PERSON_NAME = select(Person.name).where(Person.id == bindparam("id"))
W_DELIVERY = insert(WebhookDelivery)


@dataclass(frozen=True)
class Listener:
    """A subscription that is not removed, and what it listens to."""

    id: int
    event_types: tuple[str, ...]


def new_delivery_id() -> str:
    """A fresh delivery id, the ``webhook-id`` header: ``msg_`` and 24 random characters."""
    return "msg_" + secrets.token_urlsafe(18)


def delivery_row(
    subscription: int, event_id: int | None, kind: str, payload: str, now: datetime
) -> dict[str, Any]:
    """One pending delivery, ready to insert."""
    return {
        "delivery_id": new_delivery_id(),
        "subscription_id": subscription,
        "event_id": event_id,
        "kind": kind,
        "payload": payload,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


@dataclass(frozen=True)
class Fanout:
    """The engine's publisher of events to webhook subscribers.

    ``base_url`` makes each project's address in phasegate part of the payload; without
    it (tests, benchmarks) the payload has no ``url``.
    """

    base_url: str | None = None

    def audience(self, conn: Connection, kinds: frozenset[str]) -> Sequence[Listener]:
        """The subscriptions that hear at least one of these kinds of event."""
        listeners = [Listener(row.id, tuple(row.event_types)) for row in conn.execute(Q_AUDIENCE)]
        return [one for one in listeners if any(hears(one.event_types, k) for k in kinds)]

    def publish(
        self,
        uow: UnitOfWork,
        audience: Sequence[Listener],
        audited: Sequence[tuple[int, Event, Actor]],
    ) -> None:
        """Queue every audited event for each listener that hears it."""
        wanted = [
            (listener, event_id, event, actor)
            for event_id, event, actor in audited
            for listener in audience
            if hears(listener.event_types, event.kind)
        ]
        if not wanted:
            return
        projects = self._names(uow, Q_PROJECT_NAME, {e.project_id for _, _, e, _ in wanted})
        people = self._names(uow, Q_PERSON_NAME, {a.person for _, _, _, a in wanted})
        payloads: dict[int, str] = {}
        rows = []
        for listener, event_id, event, actor in wanted:
            if event_id not in payloads:
                data = self._data(event_id, event, actor, projects, people)
                payloads[event_id] = body(event.kind, uow.now, data)
            rows.append(
                delivery_row(listener.id, event_id, event.kind, payloads[event_id], uow.now)
            )
        uow.conn.execute(W_DELIVERY, rows)

    @staticmethod
    def _names(uow: UnitOfWork, query: Any, ids: set[int | None]) -> dict[int, str]:
        return {i: uow.scalar(query, id=i) for i in sorted(i for i in ids if i is not None)}

    def _data(
        self,
        event_id: int,
        event: Event,
        actor: Actor,
        projects: dict[int, str],
        people: dict[int, str],
    ) -> dict[str, Any]:
        data: dict[str, Any] = {"event_id": event_id, **event.payload()}
        if (project := event.project_id) is not None:
            data["project"] = {"id": project, "name": projects.get(project)}
            if self.base_url:
                data["project"]["url"] = f"{self.base_url.rstrip('/')}/projects/{project}"
        data["actor"] = (
            None if actor.person is None else {"id": actor.person, "name": people.get(actor.person)}
        )
        return data
