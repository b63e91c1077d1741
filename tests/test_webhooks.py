"""Outgoing webhooks: queued with the event, signed, delivered at least once, never lost.

The receiver is a real HTTP server on loopback (``tests/webhook_receiver.py``), the
database real SQLite and PostgreSQL, and the deliverer the one the scheduler runs.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from phasegate.bootstrap import App
from phasegate.domain.events import PhaseEntered
from phasegate.engine.service import Engine
from phasegate.errors import (
    NotADeadDelivery,
    NotPermitted,
    WebhookInvalid,
    WebhookNotFound,
    WebhookSignatureInvalid,
)
from phasegate.storage.tables import AuditEvent, WebhookDelivery
from phasegate.webhooks.deliverer import Deliverer, DeliveryReport
from phasegate.webhooks.signing import verify
from tests.factories import Cast, Clock, submit_complete
from tests.processes import free_port
from tests.webhook_receiver import Received, receiving


def deliver(app: App, clock: Clock, **options: object) -> DeliveryReport:
    deliverer = Deliverer(app.database, clock=clock, **options)  # type: ignore[arg-type]
    return asyncio.run(deliverer.deliver_pending())


def an_idea(engine: Engine, cast: Cast) -> int:
    return engine.register_project(
        "Digitaliseringsstrategi", owner=cast.owner, leader=cast.leader, actor=cast.leader
    )


def decide_bp1(engine: Engine, cast: Cast, project: int) -> int:
    """The manager asks for BP1 and two of the three board members approve it."""
    bp1 = engine.workflows.current("prosjektveiviseren").gates[0]
    request = submit_complete(engine, project, bp1, cast.leader)
    for member in cast.board[:2]:
        engine.cast_vote(request, "approve", channel="web", actor=member)
    return project


def deliveries(app: App) -> list[tuple[str, str, int]]:
    """Every delivery row: (kind, status, attempts), oldest first."""
    d = WebhookDelivery
    with app.database.connect() as conn:
        rows = conn.execute(select(d.kind, d.status, d.attempts).order_by(d.id)).all()
    return [(row.kind, row.status, row.attempts) for row in rows]


def checked(received: Received, secret: str) -> str:
    """The delivery id, after checking the signature as a receiver must."""
    return verify(secret, received.headers, received.body, datetime.now(UTC))


# --- what is sent, and how -----------------------------------------------------------------


def test_a_gate_decision_reaches_the_subscriber_signed_with_the_project_named(
    app: App, cast: Cast, clock: Clock
) -> None:
    engine = app.engine
    project = an_idea(engine, cast)
    with receiving() as receiver:
        hook, secret = engine.add_webhook(
            "Arkiv", receiver.url, ["GateDecided", "PhaseEntered"], actor=cast.pmo
        )
        decide_bp1(engine, cast, project)

        report = deliver(app, clock)

        assert report == DeliveryReport(sent=2)
        assert receiver.types() == ["GateDecided", "PhaseEntered"]  # not the votes
        decided, entered = receiver.requests
        assert {checked(decided, secret), checked(entered, secret)} == {
            decided.headers["webhook-id"],
            entered.headers["webhook-id"],
        }
        assert decided.headers["phasegate-event"] == "GateDecided"
        data = decided.json["data"]
        assert data["gate"] == "BP1"
        assert data["outcome"] == "approve"
        assert data["project"] == {
            "id": project,
            "name": "Digitaliseringsstrategi",
            "url": f"http://127.0.0.1:8000/projects/{project}",
        }
        assert data["actor"]["name"] == "Per Lie"
        assert entered.json["data"]["phase"] == "concept"
        assert decided.json["timestamp"] == clock.now.isoformat().replace("+00:00", "Z")
        # The audit trail names the event each delivery carries.
        with app.database.connect() as conn:
            kind = conn.execute(
                select(AuditEvent.kind).where(AuditEvent.id == data["event_id"])
            ).scalar()
        assert kind == "GateDecided"

        assert deliver(app, clock) == DeliveryReport()  # a second pass sends nothing again
        assert len(receiver.requests) == 2
        assert engine.webhook(hook).sent == 2


def test_a_subscriber_to_everything_hears_project_events_but_not_sign_in(
    app: App, cast: Cast, clock: Clock
) -> None:
    engine = app.engine
    with receiving() as receiver:
        engine.add_webhook("Teams: porteføljen", receiver.url, ["*"], actor=cast.pmo)
        engine.request_sign_in("kari.nordmann@asker.example")
        decide_bp1(engine, cast, an_idea(engine, cast))
        deliver(app, clock)
    assert receiver.types() == [
        "ProjectRegistered",
        "PhaseEntered",
        "GateRequested",
        "VoteCast",
        "VoteCast",
        "GateDecided",
        "PhaseEntered",
    ]


def test_a_teams_subscription_gets_an_adaptive_card_saying_what_happened(
    app: App, cast: Cast, clock: Clock
) -> None:
    engine = app.engine
    project = an_idea(engine, cast)
    with receiving() as receiver:
        hook, secret = engine.add_webhook(
            "Teams: porteføljen", receiver.url, ["GateDecided", "PhaseEntered"],
            format="teams", actor=cast.pmo,
        )  # fmt: skip
        decide_bp1(engine, cast, project)
        engine.ping_webhook(hook, actor=cast.pmo)
        deliver(app, clock)

    decided, entered, ping = (r.json for r in receiver.requests)
    checked(receiver.requests[0], secret)  # signed all the same
    assert decided["type"] == "message"
    [attachment] = decided["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    content = attachment["content"]
    assert content["type"] == "AdaptiveCard"
    headline, facts = content["body"]
    assert headline["text"] == (
        "Digitaliseringsstrategi: BP1 Start konseptfasen er avgjort: godkjent."
    )
    assert {f["title"]: f["value"] for f in facts["facts"]} == {
        "Prosjekt": "Digitaliseringsstrategi",
        "Beslutningspunkt": "BP1 Start konseptfasen",
        "Utfall": "godkjent",
        "Av": "Per Lie",
    }
    assert content["actions"] == [
        {
            "type": "Action.OpenUrl",
            "title": "Åpne i phasegate",
            "url": f"http://127.0.0.1:8000/projects/{project}",
        }
    ]
    assert entered["summary"] == "Digitaliseringsstrategi er nå i fasen Konsept."
    assert ping["summary"] == "Test fra phasegate: mottakeren er satt opp riktig."
    assert engine.webhook(hook).format == "teams"
    with pytest.raises(WebhookInvalid, match="Unknown format 'slack'"):
        engine.add_webhook("Slack", receiver.url, ["*"], format="slack", actor=cast.pmo)


def test_an_operation_that_rolls_back_queues_no_delivery(app: App, cast: Cast) -> None:
    engine = app.engine
    engine.add_webhook("Arkiv", "https://archive.asker.example/in", ["*"], actor=cast.pmo)
    project = engine.register_project("Ny skole", owner=cast.owner, leader=cast.leader)
    registered = [("ProjectRegistered", "pending", 0), ("PhaseEntered", "pending", 0)]
    assert deliveries(app) == registered

    def fail_after_the_event() -> None:
        with engine.unit(None) as uow:
            uow.emit(PhaseEntered(project, "concept"))
            raise RuntimeError("the operation failed after its event")

    with pytest.raises(RuntimeError):
        fail_after_the_event()
    assert deliveries(app) == registered
    assert [e.kind for e in engine.audit_trail(project)] == ["ProjectRegistered", "PhaseEntered"]


# --- when the receiver fails -----------------------------------------------------------------


def test_a_failing_receiver_gets_the_same_delivery_again_after_the_backoff(
    app: App, cast: Cast, clock: Clock
) -> None:
    engine = app.engine
    with receiving() as receiver:
        engine.add_webhook("Arkiv", receiver.url, ["ProjectRegistered"], actor=cast.pmo)
        engine.register_project("Ny skole", owner=cast.owner, leader=cast.leader)
        receiver.answer(503)

        assert deliver(app, clock) == DeliveryReport(retried=1)
        assert deliver(app, clock) == DeliveryReport()  # not yet: it waits its backoff
        [dead_or_alive] = engine.webhook_deliveries()
        assert dead_or_alive.status == "pending"
        assert dead_or_alive.last_error == "HTTP 503: the receiver refused this"

        clock.advance(minutes=1)
        assert deliver(app, clock) == DeliveryReport(sent=1)

    first, second = receiver.requests
    assert first.body == second.body
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert deliveries(app) == [("ProjectRegistered", "sent", 2)]


def test_an_unreachable_receiver_is_retried_then_dead_then_resent_by_the_pmo(
    app: App, cast: Cast, clock: Clock
) -> None:
    engine = app.engine
    port = free_port()  # nothing listens here yet
    url = f"http://127.0.0.1:{port}/hooks/phasegate"
    engine.add_webhook("Arkiv", url, ["ProjectRegistered"], actor=cast.pmo)
    engine.register_project("Ny skole", owner=cast.owner, leader=cast.leader)

    assert deliver(app, clock) == DeliveryReport(retried=1)
    [waiting] = engine.webhook_deliveries()
    assert waiting.last_error is not None
    assert waiting.last_error.startswith("ConnectError")

    clock.advance(hours=73)
    assert deliver(app, clock) == DeliveryReport(dead=1)
    [dead] = engine.webhook_deliveries(status="dead")
    assert dead.last_error is not None
    assert dead.last_error.startswith("Not accepted within 72 hours; last error: ConnectError")

    with pytest.raises(NotPermitted):
        engine.resend_webhook_delivery(dead.id, actor=cast.board[0])
    engine.resend_webhook_delivery(dead.id, actor=cast.pmo)
    with pytest.raises(NotADeadDelivery, match="still queued"):
        engine.resend_webhook_delivery(dead.id, actor=cast.pmo)
    with receiving(port) as receiver:
        assert deliver(app, clock) == DeliveryReport(sent=1)
    assert [r.headers["webhook-id"] for r in receiver.requests] == [dead.delivery_id]
    assert receiver.types() == ["ProjectRegistered"]


@pytest.mark.parametrize(
    ("status", "headers", "reason"),
    [
        (410, {}, "410 Gone: the receiver says this address is no longer in use"),
        (
            301,
            {"location": "https://new.asker.example/in"},
            "301 redirect to https://new.asker.example/in: phasegate does not follow redirects",
        ),
    ],
)
def test_a_gone_or_moved_receiver_makes_a_dead_letter_at_once(
    app: App, cast: Cast, clock: Clock, status: int, headers: dict[str, str], reason: str
) -> None:
    engine = app.engine
    with receiving() as receiver:
        engine.add_webhook("Arkiv", receiver.url, ["ProjectRegistered"], actor=cast.pmo)
        engine.register_project("Ny skole", owner=cast.owner, leader=cast.leader)
        receiver.answer(status, **headers)
        assert deliver(app, clock) == DeliveryReport(dead=1)
    [dead] = engine.webhook_deliveries(status="dead")
    assert dead.last_error is not None
    assert dead.last_error.startswith(reason)
    assert len(receiver.requests) == 1


def test_removing_a_webhook_stops_what_it_still_had_queued(
    app: App, cast: Cast, clock: Clock
) -> None:
    engine = app.engine
    with receiving() as receiver:
        hook, _ = engine.add_webhook("Arkiv", receiver.url, ["*"], actor=cast.pmo)
        engine.register_project("Ny skole", owner=cast.owner, leader=cast.leader)
        assert engine.remove_webhook(hook, actor=cast.pmo) == 2
        engine.register_project("Ny barnehage", owner=cast.owner, leader=cast.leader)
        assert deliver(app, clock) == DeliveryReport()
    assert receiver.requests == []
    dropped = engine.webhook_deliveries()
    assert [d.kind for d in dropped] == ["PhaseEntered", "ProjectRegistered"]  # newest first
    assert {d.status for d in dropped} == {"dead"}
    assert {d.last_error for d in dropped} == {"Not delivered: the webhook 'Arkiv' was removed."}
    assert engine.webhooks() == []
    assert [v.name for v in engine.webhooks(include_removed=True)] == ["Arkiv"]
    with pytest.raises(WebhookInvalid, match="was removed"):
        engine.ping_webhook(hook, actor=cast.pmo)
    with pytest.raises(WebhookInvalid, match="was removed"):
        engine.resend_webhook_delivery(dropped[0].id, actor=cast.pmo)


# --- secrets and signatures ----------------------------------------------------------------


def test_after_a_rotation_both_secrets_sign_for_a_day(app: App, cast: Cast, clock: Clock) -> None:
    engine = app.engine
    with receiving() as receiver:
        hook, old = engine.add_webhook("Arkiv", receiver.url, ["*"], actor=cast.pmo)
        new, until = engine.rotate_webhook_secret(hook, actor=cast.pmo)
        assert until == clock.now + timedelta(hours=24)
        engine.ping_webhook(hook, actor=cast.pmo)
        deliver(app, clock)
        clock.advance(hours=25)
        engine.ping_webhook(hook, actor=cast.pmo)
        deliver(app, clock)
    during, after = receiver.requests
    assert len(during.headers["webhook-signature"].split()) == 2
    checked(during, old)
    checked(during, new)
    checked(after, new)
    with pytest.raises(WebhookSignatureInvalid, match="no signature matches"):
        checked(after, old)
    assert after.json["data"]["webhook"] == {"id": hook, "name": "Arkiv"}


def test_a_receiver_refuses_a_tampered_body_a_replay_and_a_missing_header(
    app: App, cast: Cast, clock: Clock
) -> None:
    with receiving() as receiver:
        hook, secret = app.engine.add_webhook("Arkiv", receiver.url, ["*"], actor=cast.pmo)
        app.engine.ping_webhook(hook, actor=cast.pmo)
        deliver(app, clock)
    [ping] = receiver.requests
    now = datetime.now(UTC)
    assert verify(secret, ping.headers, ping.body, now) == ping.headers["webhook-id"]
    with pytest.raises(WebhookSignatureInvalid, match="no signature matches"):
        verify(secret, ping.headers, ping.body.replace(b"test", b"TEST"), now)
    with pytest.raises(WebhookSignatureInvalid, match="a replay"):
        verify(secret, ping.headers, ping.body, now + timedelta(minutes=6))
    without = {k: v for k, v in ping.headers.items() if k != "webhook-timestamp"}
    with pytest.raises(WebhookSignatureInvalid, match="missing or malformed header"):
        verify(secret, without, ping.body, now)


# --- managing webhooks ---------------------------------------------------------------------


def test_bad_subscriptions_are_refused_saying_what_would_do(app: App, cast: Cast) -> None:
    engine = app.engine
    with pytest.raises(WebhookInvalid, match=r"Unknown event type\(s\): GateDecdied\. The types"):
        engine.add_webhook("Arkiv", "https://a.example/in", ["GateDecdied"], actor=cast.pmo)
    with pytest.raises(WebhookInvalid, match="SignInRequested"):
        engine.add_webhook("Spion", "https://a.example/in", ["SignInRequested"], actor=cast.pmo)
    with pytest.raises(WebhookInvalid, match="give an absolute http:// or https:// URL"):
        engine.add_webhook("Arkiv", "ftp://a.example/in", ["GateDecided"], actor=cast.pmo)
    with pytest.raises(WebhookInvalid, match="at least one event type"):
        engine.add_webhook("Arkiv", "https://a.example/in", [" , "], actor=cast.pmo)
    hook, _ = engine.add_webhook(
        "Arkiv", "https://a.example/in", ["GateDecided, PhaseEntered", "GateDecided"], actor=None
    )
    assert engine.webhook(hook).event_types == ["GateDecided", "PhaseEntered"]
    with pytest.raises(WebhookInvalid, match=r"named 'Arkiv' already\. Choose another"):
        engine.add_webhook("Arkiv", "https://b.example/in", ["*"], actor=cast.pmo)
    with pytest.raises(NotPermitted, match="only the PMO or an admin"):
        engine.add_webhook("Mitt", "https://c.example/in", ["*"], actor=cast.board[0])
    with pytest.raises(WebhookNotFound):
        engine.remove_webhook(hook + 100, actor=cast.pmo)


def test_the_audit_trail_records_webhook_changes_without_the_secret(app: App, cast: Cast) -> None:
    engine = app.engine
    hook, secret = engine.add_webhook("Arkiv", "https://a.example/in", ["*"], actor=cast.pmo)
    new, _ = engine.rotate_webhook_secret(hook, actor=cast.pmo)
    engine.remove_webhook(hook, actor=cast.pmo)
    trail = [e for e in engine.audit_trail(None) if e.kind.startswith("Webhook")]
    assert [e.kind for e in trail] == ["WebhookAdded", "WebhookSecretRotated", "WebhookRemoved"]
    assert all(secret not in str(e.payload) and new not in str(e.payload) for e in trail)
    assert trail[0].payload["url"] == "https://a.example/in"


# --- several deliverers at once -------------------------------------------------------------


@pytest.mark.postgres_only
def test_two_deliverers_at_once_post_each_delivery_exactly_once(
    app: App, cast: Cast, clock: Clock
) -> None:
    engine = app.engine
    with receiving() as receiver:
        engine.add_webhook("Arkiv", receiver.url, ["ProjectRegistered"], actor=cast.pmo)
        for n in range(40):
            engine.register_project(f"Prosjekt {n}", owner=cast.owner, leader=cast.leader)
        receiver.delay = 0.02  # a batch of five takes a tenth of a second: they interleave
        start = threading.Barrier(2)
        reports: list[DeliveryReport] = []

        def run(name: str) -> None:
            start.wait()
            reports.append(deliver(app, clock, name=name, batch_size=5))

        threads = [threading.Thread(target=run, args=(name,)) for name in ("a", "b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    ids = [r.headers["webhook-id"] for r in receiver.requests]
    assert len(ids) == 40
    assert len(set(ids)) == 40
    assert sum(r.sent for r in reports) == 40
    assert all(r.sent > 0 for r in reports), reports  # both took part
    assert {status for _, status, _ in deliveries(app)} == {"sent"}
