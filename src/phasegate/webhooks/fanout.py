"""Queue each event for the subscribers that want it, in the transaction that made it.

:class:`Fanout` is the engine's publisher (:class:`phasegate.engine.unit.Publisher`), wired
in by the composition root: the engine keeps the subscriptions and their queue, and asks
the publisher what only the webhooks know (what may be subscribed, how a body is written,
what a secret looks like).

:func:`phasegate.engine.unit.dispatch` asks :meth:`Fanout.audience` who listens (one small
query) before it writes the audit trail. When someone does, the audit rows are written
returning their ids, and :meth:`Fanout.publish` queues one delivery per event and
subscriber in one statement. If the operation rolls back, nothing was queued; if it
commits, the deliveries are there: no event is lost between the change and the queue.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from phasegate.domain.events import Event
from phasegate.engine.deliveries import (
    Q_AUDIENCE,
    Q_PERSON_NAME,
    Q_PROJECT_NAME,
    W_DELIVERY,
    delivery_row,
)
from phasegate.engine.lookups import get_project
from phasegate.engine.unit import Actor, UnitOfWork
from phasegate.webhooks import signing
from phasegate.webhooks.catalog import PING, body, event_types, hears, payload_format, receiver_url
from phasegate.webhooks.teams import Names, card


@dataclass(frozen=True)
class Listener:
    """A subscription that is not removed, and what it listens to."""

    id: int
    event_types: tuple[str, ...]
    format: str = "standard"


@dataclass(frozen=True)
class Fanout:
    """The engine's publisher of events to webhook subscribers.

    ``base_url`` makes each project's address in phasegate part of the payload; without
    it (tests, benchmarks) the payload has no ``url``. ``locale`` is the language of the
    Teams cards (the organisation's, PHASEGATE_LOCALE).
    """

    base_url: str | None = None
    locale: str = "nb"

    def audience(self, conn: Connection, kinds: frozenset[str]) -> Sequence[Listener]:
        """The subscriptions that hear at least one of these kinds of event."""
        listeners = [
            Listener(row.id, tuple(row.event_types), row.format) for row in conn.execute(Q_AUDIENCE)
        ]
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
        payloads: dict[tuple[int, str], str] = {}
        rows = []
        for listener, event_id, event, actor in wanted:
            key = (event_id, listener.format)
            if key not in payloads:
                data = self._data(event_id, event, actor, projects, people)
                payloads[key] = self.render(uow, event.kind, data, listener.format)
            rows.append(delivery_row(listener.id, event_id, event.kind, payloads[key], uow.now))
        uow.conn.execute(W_DELIVERY, rows)

    def subscription(
        self, url: str, chosen: Iterable[str], form: str
    ) -> tuple[str, list[str], str]:
        """The receiver's address, the event types and the format as stored; refused
        (WebhookInvalid) if any is not usable."""
        form = payload_format(form)
        return receiver_url(url), event_types(chosen), form

    def new_secret(self) -> str:
        return signing.new_secret()

    def ping(self, uow: UnitOfWork, subscription: int, name: str, form: str) -> tuple[str, str]:
        """A test delivery to the subscription: its kind and body."""
        data: dict[str, Any] = {
            "webhook": {"id": subscription, "name": name},
            "message": "A test delivery from phasegate: the receiver is set up right.",
        }
        return PING, self.render(uow, PING, data, form)

    def render(self, uow: UnitOfWork, kind: str, data: dict[str, Any], form: str) -> str:
        """The request body of one delivery in the subscription's format."""
        if form != "teams":
            return body(kind, uow.now, data)
        project = (data.get("project") or {}).get("id")
        return card(kind, data, self._labels(uow, project), self.locale)

    def _labels(self, uow: UnitOfWork, project: int | None) -> Names:
        """The phase and gate labels of the project's own workflow version."""
        if project is None:
            return Names()
        state = get_project(uow, project)
        workflow = uow.workflows.pinned(uow.conn, state.workflow_name, state.workflow_version)
        definition = workflow.definition
        return Names(
            phases={s: definition.label_of(s).get(self.locale) for s in definition.state_ids},
            gates={g.id: g.label.get(self.locale) for g in definition.gates},
        )

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
