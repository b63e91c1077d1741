"""Webhook subscriptions and their deliveries: the PMO's operations, and what they read.

Every change is done by the PMO or an admin and is audited; the secret is never in the
audit trail. Deliveries are queued by :mod:`phasegate.webhooks.fanout` and delivered by
:mod:`phasegate.webhooks.deliverer`; what is here only adds, removes and re-queues them.
What may be subscribed, a secret and a test delivery's body are the publisher's
(:class:`~phasegate.engine.unit.Publisher`), which the composition root wires in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, case, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from phasegate.domain import events as ev
from phasegate.domain.text import tidy
from phasegate.engine.access import require_office
from phasegate.engine.deliveries import QUEUE, delivery_row
from phasegate.engine.unit import Publisher, UnitOfWork
from phasegate.errors import (
    NotADeadDelivery,
    WebhookDeliveryNotFound,
    WebhookInvalid,
    WebhookNotFound,
)
from phasegate.leases import STATUSES
from phasegate.storage.tables import WebhookDelivery, WebhookSubscription

#: How long a rotated-out secret still signs, so the receiver can switch over.
ROTATION_GRACE = timedelta(hours=24)

_S, _D = WebhookSubscription, WebhookDelivery
W_SUBSCRIPTION = insert(WebhookSubscription).returning(_S.id)
Q_NAME_TAKEN = select(_S.id).where(_S.name == bindparam("name"))
Q_LIVE = (
    select(_S.id, _S.name, _S.format)
    .where(_S.id == bindparam("row"), _S.removed_at.is_(None))
    .with_for_update()
)
Q_EXISTS = select(_S.id).where(_S.id == bindparam("row"))
W_REMOVE = (
    update(WebhookSubscription).where(_S.id == bindparam("row")).values(removed_at=bindparam("now"))
)
W_DROP_PENDING = (
    update(WebhookDelivery)
    .where(_D.subscription_id == bindparam("row"), _D.status == "pending")
    .values(status="dead", claimed_until=None, last_error=bindparam("error"))
)
W_ROTATE = (
    update(WebhookSubscription)
    .where(_S.id == bindparam("row"))
    .values(
        previous_secret=_S.secret,
        previous_secret_until=bindparam("until"),
        secret=bindparam("secret"),
    )
)
W_DELIVERY = insert(WebhookDelivery).returning(_D.id)
Q_DELIVERY_STATE = (
    select(_D.status, _S.removed_at, _S.name)
    .join(_S, _S.id == _D.subscription_id)
    .where(_D.id == bindparam("row"))
    .with_for_update(of=_D)
)


@dataclass(frozen=True)
class WebhookView:
    """A subscription as the PMO sees it: never its secret."""

    id: int
    name: str
    url: str
    event_types: list[str]
    format: str
    created_at: datetime
    removed_at: datetime | None
    pending: int
    sent: int
    dead: int
    last_sent_at: datetime | None


@dataclass(frozen=True)
class DeliveryView:
    """One delivery: which event, to whom, and how it went."""

    id: int
    delivery_id: str
    webhook: int
    webhook_name: str
    kind: str
    event_id: int | None
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None


# --- changes ---------------------------------------------------------------------------


def add_webhook(
    uow: UnitOfWork,
    publisher: Publisher,
    name: str,
    url: str,
    chosen: list[str],
    form: str = "standard",
) -> tuple[int, str]:
    """Subscribe ``url`` to the chosen event types, its deliveries written in ``form``
    (standard or teams); return its id and its signing secret."""
    require_office(uow, "add_webhook")
    name = webhook_name(name)
    address, kinds, form = publisher.subscription(webhook_url(url), chosen, form)
    if uow.scalar(Q_NAME_TAKEN, name=name) is not None:
        raise WebhookInvalid("name_taken", field="name", name=name)
    secret = publisher.new_secret()
    row = {
        "name": name,
        "url": address,
        "secret": secret,
        "event_types": kinds,
        "format": form,
        "created_at": uow.now,
        "created_by": uow.actor.person,
    }
    try:
        with uow.conn.begin_nested():
            subscription = int(uow.conn.execute(W_SUBSCRIPTION, row).scalar_one())
    except IntegrityError as exc:  # the same name, added at the same moment
        raise WebhookInvalid("name_taken", field="name", name=name) from exc
    uow.emit(ev.WebhookAdded(subscription, name, address, tuple(kinds), form))
    return subscription, secret


def webhook_name(name: str) -> str:
    """The name as stored: one line of text, tidied, its spaces collapsed, 1 to 200 long."""
    tidied = tidy(name)
    if not tidied.ok:
        at = tidied.at + 1
        fault = str(tidied.fault).removeprefix("text_")
        raise WebhookInvalid(f"name_{fault}", field="name", char=tidied.char, at=at)
    name = " ".join(tidied.text.split())
    if not name or len(name) > 200:
        raise WebhookInvalid("name_length", field="name", limit=200)
    return name


def webhook_url(url: str) -> str:
    """The URL as given, around spaces trimmed, refused if anything in it is not text or is
    a space: a line break or a space inside a pasted address means it was cut or joined."""
    tidied = tidy(url)
    if not tidied.ok:
        at = tidied.at + 1
        fault = str(tidied.fault).removeprefix("text_")
        raise WebhookInvalid(f"url_{fault}", field="url", char=tidied.char, at=at)
    address, lead = url.strip(), len(url) - len(url.lstrip())
    space = next((at for at, char in enumerate(address) if char.isspace()), None)
    if space is not None:
        char, at = f"U+{ord(address[space]):04X}", lead + space + 1
        raise WebhookInvalid("url_space", field="url", char=char, at=at)
    return address


def _live(uow: UnitOfWork, subscription: int) -> tuple[int, str, str]:
    """Lock a subscription that is not removed: (id, name, format)."""
    found = uow.one(Q_LIVE, row=subscription)
    if found is not None:
        return int(found.id), str(found.name), str(found.format)
    if uow.scalar(Q_EXISTS, row=subscription) is None:
        raise WebhookNotFound(webhook=str(subscription))
    raise WebhookInvalid("removed", webhook=str(subscription))


def remove_webhook(uow: UnitOfWork, subscription: int) -> int:
    """Stop a subscription; its pending deliveries become dead letters. Returns how many."""
    require_office(uow, "remove_webhook")
    _, name, _ = _live(uow, subscription)
    uow.conn.execute(W_REMOVE, {"row": subscription, "now": uow.now})
    dropped = uow.conn.execute(
        W_DROP_PENDING,
        {"row": subscription, "error": f"Not delivered: the webhook {name!r} was removed."},
    ).rowcount
    uow.emit(ev.WebhookRemoved(subscription, dropped))
    return int(dropped)


def rotate_secret(uow: UnitOfWork, publisher: Publisher, subscription: int) -> tuple[str, datetime]:
    """A new signing secret; the old one still signs until the returned time."""
    require_office(uow, "rotate_webhook_secret")
    _live(uow, subscription)
    secret, until = publisher.new_secret(), uow.now + ROTATION_GRACE
    uow.conn.execute(W_ROTATE, {"row": subscription, "secret": secret, "until": until})
    uow.emit(ev.WebhookSecretRotated(subscription, until.isoformat()))
    return secret, until


def ping(uow: UnitOfWork, publisher: Publisher, subscription: int) -> int:
    """Queue a test delivery (type ``Ping``) to check the receiver; returns its row id."""
    require_office(uow, "ping_webhook")
    _, name, form = _live(uow, subscription)
    kind, payload = publisher.ping(uow, subscription, name, form)
    row = delivery_row(subscription, None, kind, payload, uow.now)
    delivery = int(uow.conn.execute(W_DELIVERY, row).scalar_one())
    uow.emit(ev.WebhookPinged(subscription, delivery))
    return delivery


def resend_delivery(uow: UnitOfWork, delivery: int) -> None:
    """Queue a dead delivery again, with the same id and body; the next pass sends it."""
    require_office(uow, "resend_webhook_delivery")
    state = uow.one(Q_DELIVERY_STATE, row=delivery)
    if state is None:
        raise WebhookDeliveryNotFound(delivery=str(delivery))
    if state.removed_at is not None:
        raise WebhookInvalid("delivery_removed", delivery=str(delivery), name=state.name)
    if state.status != "dead":
        status = "pending" if state.status == "pending" else "sent"
        raise NotADeadDelivery(status, delivery=str(delivery))
    uow.conn.execute(QUEUE.resend, {"row": delivery, "now": uow.now})
    uow.emit(ev.WebhookDeliveryResent(delivery))


# --- reading ---------------------------------------------------------------------------

_COUNT = {status: func.count(case((_D.status == status, 1))).label(status) for status in STATUSES}
Q_WEBHOOKS = (
    select(
        _S.id,
        _S.name,
        _S.url,
        _S.event_types,
        _S.format,
        _S.created_at,
        _S.removed_at,
        *_COUNT.values(),
        func.max(_D.sent_at).label("last_sent_at"),
    )
    .outerjoin(_D, _D.subscription_id == _S.id)
    .group_by(_S.id)
    .order_by(_S.id)
)
_DELIVERY_COLUMNS = (
    _D.id,
    _D.delivery_id,
    _D.subscription_id.label("webhook"),
    _S.name.label("webhook_name"),
    _D.kind,
    _D.event_id,
    _D.status,
    _D.attempts,
    _D.last_error,
    _D.created_at,
    _D.next_attempt_at,
    _D.sent_at,
)


def list_webhooks(conn: Connection, *, include_removed: bool = False) -> list[WebhookView]:
    query = Q_WEBHOOKS if include_removed else Q_WEBHOOKS.where(_S.removed_at.is_(None))
    return [
        WebhookView(**{**row._mapping, "event_types": list(row.event_types)})
        for row in conn.execute(query)
    ]


def webhook(conn: Connection, subscription: int) -> WebhookView:
    found = conn.execute(Q_WEBHOOKS.where(_S.id == subscription)).first()
    if found is None:
        raise WebhookNotFound(webhook=str(subscription))
    return WebhookView(**{**found._mapping, "event_types": list(found.event_types)})


def list_deliveries(
    conn: Connection,
    *,
    status: str | None = None,
    subscription: int | None = None,
    limit: int = 50,
) -> list[DeliveryView]:
    """The newest deliveries first, of one status or webhook if given."""
    query = select(*_DELIVERY_COLUMNS).join(_S, _S.id == _D.subscription_id)
    if status is not None:
        if status not in STATUSES:
            raise WebhookInvalid(
                "status_unknown", field="status", status=status, statuses=list(STATUSES)
            )
        query = query.where(_D.status == status)
    if subscription is not None:
        query = query.where(_D.subscription_id == subscription)
    rows = conn.execute(query.order_by(_D.id.desc()).limit(limit))
    return [DeliveryView(**row._mapping) for row in rows]


def delivery(conn: Connection, row_id: int) -> DeliveryView:
    found = conn.execute(
        select(*_DELIVERY_COLUMNS).join(_S, _S.id == _D.subscription_id).where(_D.id == row_id)
    ).first()
    if found is None:
        raise WebhookDeliveryNotFound(delivery=str(row_id))
    return DeliveryView(**found._mapping)


Q_BACKLOG = select(
    func.count(case((_D.status == "pending", 1))),
    func.min(case((_D.status == "pending", _D.created_at))),
    func.count(case((_D.status == "dead", 1))),
).where(_D.status != "sent")


@dataclass(frozen=True)
class Backlog:
    """What waits: deliveries still to go, how long the oldest has waited, dead ones."""

    pending: int
    oldest_age_seconds: float
    dead: int


def backlog(conn: Connection, now: datetime) -> Backlog:
    pending, oldest, dead = conn.execute(Q_BACKLOG).one()
    age = max((now - oldest).total_seconds(), 0.0) if oldest is not None else 0.0
    return Backlog(int(pending), age, int(dead))
