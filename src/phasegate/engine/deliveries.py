"""The webhook deliveries' queue: what the publisher writes and the deliverer claims.

The statements on ``webhook_subscriptions`` and ``webhook_deliveries`` that the webhooks
package runs live here, beside the engine's other tables, so that the package itself never
imports the storage. :class:`phasegate.webhooks.fanout.Fanout` queues deliveries in the
engine's transaction; :class:`phasegate.webhooks.deliverer.Deliverer` claims them with
:data:`Q_DUE` and records each outcome with :data:`QUEUE` (:mod:`phasegate.leases`).
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, or_, select

from phasegate.leases import QueueStatements
from phasegate.storage.tables import Person, Project, WebhookDelivery, WebhookSubscription

_D, _S = WebhookDelivery, WebhookSubscription
QUEUE = QueueStatements.for_model(WebhookDelivery)
W_DELIVERY = insert(WebhookDelivery)
Q_AUDIENCE = select(_S.id, _S.event_types, _S.format).where(_S.removed_at.is_(None)).order_by(_S.id)
# One id at a time: an operation's events name one project and one or two people, and a
# plain statement is cached whole, where an expanding IN list is compiled anew each time.
Q_PROJECT_NAME = select(Project.name).where(Project.id == bindparam("id"))
Q_PERSON_NAME = select(Person.name).where(Person.id == bindparam("id"))
# What a deliverer claims: due, not leased to another deliverer, with its receiver.
Q_DUE = (
    select(
        _D.id,
        _D.delivery_id,
        _D.kind,
        _D.payload,
        _D.attempts,
        _D.last_error,
        _D.created_at,
        _D.subscription_id,
        _S.url,
        _S.secret,
        _S.previous_secret,
        _S.previous_secret_until,
        _S.removed_at,
    )
    .join(_S, _S.id == _D.subscription_id)
    .where(
        _D.status == "pending",
        _D.next_attempt_at <= bindparam("now"),
        or_(_D.claimed_until.is_(None), _D.claimed_until < bindparam("now")),
    )
    .order_by(_D.id)
    .limit(bindparam("batch"))
    .with_for_update(of=_D, skip_locked=True)
)


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
