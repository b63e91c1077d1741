"""Delivering webhooks over HTTP: at least once, signed, with retries and dead letters.

A pass (:meth:`Deliverer.deliver_pending`) claims due deliveries with a lease exactly as
the email sender does (:mod:`phasegate.leases`), posts each batch concurrently, and then
records every outcome:

- a 2xx answer: **sent**;
- no answer (refused, timed out, reset) or any other status: **retry later**, with the
  email outbox's backoff (30 s doubling to one hour, with jitter), because a receiver
  that is down, overloaded or being redeployed will come back;
- ``410 Gone``, a redirect (phasegate does not follow them: a signed body must reach the
  address the PMO registered), or an address that cannot be posted to: **dead** at once;
- still not accepted after ``PHASEGATE_WEBHOOK_MAX_AGE_HOURS``: **dead**;
- the webhook was removed meanwhile: **dead**.

The PMO sees dead deliveries with ``phasegate webhook deliveries --status dead`` and
re-sends one with ``phasegate webhook resend ID``. Every attempt of one delivery sends the
same body and the same ``webhook-id``, so a receiver can drop a repeat.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum

import httpx
import sqlalchemy

from phasegate.engine.deliveries import Q_DUE, QUEUE
from phasegate.leases import LEASE, Ledger, worker_name
from phasegate.settings import Settings
from phasegate.webhooks.signing import headers

log = logging.getLogger(__name__)

ANSWER_SNIPPET = 300  # characters of a refusing receiver's answer kept in last_error


@dataclass(frozen=True)
class Claimed:
    """A delivery this deliverer holds the lease on, with its subscription's address."""

    id: int
    delivery_id: str
    kind: str
    payload: str
    attempts: int
    last_error: str | None
    created_at: datetime
    subscription_id: int
    url: str
    secret: str
    previous_secret: str | None
    previous_secret_until: datetime | None
    removed_at: datetime | None

    def secrets_at(self, now: datetime) -> list[str]:
        """The secrets that sign now: the current one, and a rotated-out one still valid."""
        still_valid = self.previous_secret_until is not None and self.previous_secret_until > now
        if self.previous_secret and still_valid:
            return [self.secret, self.previous_secret]
        return [self.secret]


class Outcome(Enum):
    SENT = "sent"
    RETRY = "retry"
    DEAD = "dead"


@dataclass(frozen=True)
class DeliveryReport:
    """What one pass did."""

    sent: int = 0
    retried: int = 0
    dead: int = 0

    def __bool__(self) -> bool:
        return bool(self.sent or self.retried or self.dead)


def classify(response: httpx.Response) -> tuple[Outcome, str]:
    """What a receiver's answer means for the delivery, and the words to record."""
    status = response.status_code
    if 200 <= status < 300:
        return Outcome.SENT, ""
    if status == 410:
        return Outcome.DEAD, (
            "410 Gone: the receiver says this address is no longer in use. Remove the webhook, "
            "or register its new address."
        )
    if 300 <= status < 400:
        target = response.headers.get("location", "somewhere else")
        return Outcome.DEAD, (
            f"{status} redirect to {target}: phasegate does not follow redirects. Register the "
            "new address, then re-send."
        )
    answer = " ".join(response.text.split())[:ANSWER_SNIPPET]
    return Outcome.RETRY, f"HTTP {status}: {answer}" if answer else f"HTTP {status}"


class Deliverer:
    """Delivers due webhook deliveries. Several may run at once, in any processes.

    ``clock`` is the application's time (leases, ages); ``wall`` stamps the signature,
    which receivers compare with their own clocks, so it is always the real time.
    ``transport`` lets a test route requests without a network; the tests here use a
    real receiver on loopback instead.
    """

    def __init__(
        self,
        database: sqlalchemy.Engine,
        *,
        clock: Callable[[], datetime],
        timeout: float = 10.0,
        max_age: timedelta = timedelta(hours=72),
        batch_size: int = 20,
        lease: timedelta = LEASE,
        name: str | None = None,
        wall: Callable[[], datetime] = lambda: datetime.now(UTC),
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.database = database
        self.clock = clock
        self.timeout = timeout
        self.max_age = max_age
        self.batch_size = batch_size
        self.lease = lease
        self.name = worker_name(name)
        self.wall = wall
        self.transport = transport

    async def deliver_pending(self) -> DeliveryReport:
        """Claim and post due deliveries, batch by batch, until none are due."""
        conn = await asyncio.to_thread(self.database.connect)
        ledger = Ledger(
            conn, QUEUE, Q_DUE, name=self.name, clock=self.clock, what="Webhook delivery"
        )
        done: Counter[Outcome] = Counter()
        try:
            rows, _until = await asyncio.to_thread(ledger.claim, self.batch_size, self.lease)
            if rows:  # an idle pass makes no HTTP client (its TLS set-up costs tens of ms)
                async with httpx.AsyncClient(
                    timeout=self.timeout, follow_redirects=False, transport=self.transport
                ) as client:
                    while rows:
                        batch = [Claimed(**row._mapping) for row in rows]
                        outcomes = await self._post_batch(client, batch)
                        await asyncio.to_thread(self._record, ledger, outcomes)
                        done.update(outcome for _, (outcome, _error) in outcomes)
                        rows, _until = await asyncio.to_thread(
                            ledger.claim, self.batch_size, self.lease
                        )
        finally:
            await asyncio.to_thread(conn.close)
        report = DeliveryReport(done[Outcome.SENT], done[Outcome.RETRY], done[Outcome.DEAD])
        if report:
            log.info("Webhook pass by %s: %s", self.name, report)
        return report

    async def _post_batch(
        self, client: httpx.AsyncClient, batch: list[Claimed]
    ) -> list[tuple[Claimed, tuple[Outcome, str]]]:
        """Post to the subscribers side by side, and to each one in the events' order."""
        queues: dict[int, list[Claimed]] = {}
        for row in batch:
            queues.setdefault(row.subscription_id, []).append(row)

        async def in_order(rows: list[Claimed]) -> list[tuple[Claimed, tuple[Outcome, str]]]:
            return [(row, await self._post(client, row)) for row in rows]

        done = await asyncio.gather(*(in_order(rows) for rows in queues.values()))
        return [outcome for queue in done for outcome in queue]

    async def _post(self, client: httpx.AsyncClient, row: Claimed) -> tuple[Outcome, str]:
        if row.removed_at is not None:
            return Outcome.DEAD, "Not delivered: the webhook was removed."
        if self.clock() - row.created_at > self.max_age:
            too_old = f"Not accepted within {self.max_age.total_seconds() / 3600:g} hours"
            return (
                Outcome.DEAD,
                f"{too_old}; last error: {row.last_error}" if row.last_error else too_old,
            )
        content = row.payload.encode()
        signed = headers(
            row.secrets_at(self.clock()), row.delivery_id, row.kind, self.wall(), content
        )
        try:
            response = await client.post(row.url, content=content, headers=signed)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            return Outcome.DEAD, f"The address cannot be posted to: {exc}"
        except httpx.HTTPError as exc:
            return Outcome.RETRY, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return classify(response)

    @staticmethod
    def _record(ledger: Ledger, results: list[tuple[Claimed, tuple[Outcome, str]]]) -> None:
        retry = [(row, error) for row, (outcome, error) in results if outcome is Outcome.RETRY]
        dead = [(row, error) for row, (outcome, error) in results if outcome is Outcome.DEAD]
        for row, (outcome, _) in results:
            if outcome is Outcome.SENT:
                ledger.sent(row)
        for row, error in retry:
            ledger.retry_later([row], error)
        if dead:
            ledger.bury(dead, tried=True)


def configured_deliverer(
    settings: Settings, database: sqlalchemy.Engine, clock: Callable[[], datetime]
) -> Deliverer:
    """The deliverer the settings describe. With a drill clock (PHASEGATE_CLOCK_START) the
    lease and the maximum age stretch with its speed, as the email sender's do."""
    speed = settings.drill_speed
    return Deliverer(
        database,
        clock=clock,
        timeout=settings.webhook_timeout_seconds,
        max_age=timedelta(hours=settings.webhook_max_age_hours) * speed,
        lease=LEASE * speed,
    )


def deliver_pending_sync(deliverer: Deliverer) -> DeliveryReport:
    """One pass from synchronous code (the CLI, the scheduler's thread)."""
    return asyncio.run(deliverer.deliver_pending())
