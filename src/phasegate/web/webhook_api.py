"""The JSON API for webhooks: the PMO and admins subscribe receivers and follow deliveries.

The same operations as ``phasegate webhook ...``. A new subscription's secret is in the
answer to its creation (and to a rotation) and never again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from phasegate.bootstrap import App
from phasegate.leases import STATUSES
from phasegate.web.access import Rule, SignedIn, guard
from phasegate.web.api import ERRORS, FromView, Page, _page
from phasegate.web.params import Limit, Line, Offset, RowId
from phasegate.webhooks.catalog import MAX_URL, SUBSCRIBABLE

DeliveryStatus = Annotated[str | None, Query(pattern=f"^({'|'.join(STATUSES)})$")]
EventType = Annotated[Line, Field(max_length=100)]


class WebhookIn(BaseModel):
    name: Line = Field(min_length=1, max_length=200, examples=["Arkiv"])
    url: Line = Field(min_length=1, max_length=MAX_URL, examples=["https://arkiv.example/in"])
    event_types: list[EventType] = Field(
        min_length=1,
        max_length=len(SUBSCRIBABLE) + 1,
        examples=[["GateDecided", "PhaseEntered"]],
        description="Event types (see /api/webhook-events), or ['*'] for all of them.",
    )
    format: str = Field(
        default="standard",
        pattern="^(standard|teams)$",
        description="standard: phasegate's signed JSON; teams: an Adaptive Card for a "
        "Microsoft Teams workflow.",
    )


class WebhookOut(FromView):
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


class SecretOut(BaseModel):
    secret: str = Field(description="Shown this once: give it to the receiver now.")
    previous_valid_until: datetime | None = Field(
        default=None, description="After a rotation: the old secret also signs until then."
    )


class WebhookCreatedOut(BaseModel):
    webhook: WebhookOut
    secret: str = Field(description="Shown this once: give it to the receiver now.")


class RemovedOut(BaseModel):
    webhook: WebhookOut
    dropped: int = Field(description="Pending deliveries that became dead letters.")


class DeliveryOut(FromView):
    id: int
    delivery_id: str = Field(description="The webhook-id header: the same on every attempt.")
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


def webhook_api_routes(app: App) -> APIRouter:
    engine = app.engine
    office = guard(app, Rule.OFFICE)
    router = APIRouter(prefix="/api", dependencies=[office], responses=ERRORS, tags=["webhooks"])

    def one(subscription: int) -> WebhookOut:
        return WebhookOut.model_validate(engine.webhook(subscription))

    def delivery(row: int) -> DeliveryOut:
        return DeliveryOut.model_validate(engine.webhook_delivery(row))

    @router.get("/webhook-events")
    def event_types() -> list[str]:
        """The event types a webhook can subscribe to."""
        return list(SUBSCRIBABLE)

    @router.get("/webhooks")
    def list_webhooks(removed: bool = False) -> list[WebhookOut]:
        """The webhooks, with their deliveries counted; removed ones only if asked."""
        return [WebhookOut.model_validate(v) for v in engine.webhooks(include_removed=removed)]

    @router.post("/webhooks", status_code=201)
    def add(me: SignedIn, body: WebhookIn) -> WebhookCreatedOut:
        """Subscribe a receiver; the answer holds its signing secret, this once."""
        hook, secret = engine.add_webhook(
            body.name, body.url, body.event_types, format=body.format, actor=me.person
        )
        return WebhookCreatedOut(webhook=one(hook), secret=secret)

    @router.get("/webhooks/{webhook}")
    def get(webhook: RowId) -> WebhookOut:
        return one(webhook)

    @router.delete("/webhooks/{webhook}")
    def remove(me: SignedIn, webhook: RowId) -> RemovedOut:
        """Stop sending; what was still pending becomes dead letters."""
        dropped = engine.remove_webhook(webhook, actor=me.person)
        return RemovedOut(webhook=one(webhook), dropped=dropped)

    @router.post("/webhooks/{webhook}/secret")
    def rotate(me: SignedIn, webhook: RowId) -> SecretOut:
        """A new secret; the old one also signs for 24 hours, for the receiver to switch."""
        secret, until = engine.rotate_webhook_secret(webhook, actor=me.person)
        return SecretOut(secret=secret, previous_valid_until=until)

    @router.post("/webhooks/{webhook}/ping", status_code=202)
    def ping(me: SignedIn, webhook: RowId) -> DeliveryOut:
        """Queue a test delivery of type Ping; the scheduler sends it within seconds."""
        return delivery(engine.ping_webhook(webhook, actor=me.person))

    @router.get("/webhooks/{webhook}/deliveries")
    def deliveries(
        webhook: RowId, status: DeliveryStatus = None, limit: Limit = 50, offset: Offset = 0
    ) -> Page[DeliveryOut]:
        """The webhook's deliveries, newest first."""
        engine.webhook(webhook)  # 404 for an unknown webhook
        rows = engine.webhook_deliveries(status=status, subscription=webhook, limit=limit + offset)
        return _page([DeliveryOut.model_validate(r) for r in rows], limit, offset)

    @router.post("/webhook-deliveries/{row}/resend")
    def resend(me: SignedIn, row: RowId) -> DeliveryOut:
        """Queue a dead delivery again, with the same id and body."""
        engine.resend_webhook_delivery(row, actor=me.person)
        return delivery(row)

    return router
