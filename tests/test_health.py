"""Readiness (/readyz) and Prometheus metrics (/metrics) over real HTTP, on both cores."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from phasegate.bootstrap import App, build
from phasegate.engine.outbox import backlog
from tests.factories import Cast, Clock, make_settings, submit_complete
from tests.webserver import serve


@pytest.fixture
def site(app: App) -> Iterator[str]:
    with serve(app) as url:
        yield url


def ask_board(app: App, cast: Cast) -> int:
    """A BP1 request to the board of three: one email to each member."""
    project = app.engine.register_project("Ny skole", owner=cast.owner, leader=cast.leader)
    gate = app.engine.workflows.current("prosjektveiviseren").gate("BP1")
    assert gate is not None
    return submit_complete(app.engine, project, gate, actor=cast.leader)


def queued(app: App) -> int:
    with app.engine.reading() as conn:
        return backlog(conn, app.engine.clock())[0]


def samples(site: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of /metrics, by name and labels."""
    answer = httpx.get(f"{site}/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def test_a_fresh_app_is_ready(site: str) -> None:
    answer = httpx.get(f"{site}/readyz")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["ready"] is True
    assert body["failed"] == []
    assert set(body["checks"]) == {
        "database",
        "schema",
        "outbox_backlog",
        "outbox_oldest_age_seconds",
    }
    # the fixture has no SMTP: mail is kept for the development mailbox, with no limit
    assert body["checks"]["outbox_backlog"] == {"ok": True, "value": 0, "limit": None}


@contextmanager
def sending(database_url: str, clock: Clock, **overrides: object) -> Iterator[App]:
    """An app with an SMTP server configured, so its outbox is expected to drain (nothing
    here delivers: the scheduler is off)."""
    built = build(
        make_settings(database_url, smtp_url="smtp://127.0.0.1:2525", **overrides), clock=clock
    )
    try:
        yield built
    finally:
        built.database.dispose()


def test_not_ready_while_the_outbox_holds_too_many_messages(
    database_url: str, clock: Clock, cast: Cast
) -> None:
    with sending(database_url, clock, ready_outbox_backlog=2) as strict:
        ask_board(strict, cast)
        with serve(strict) as url:
            answer = httpx.get(f"{url}/readyz")
        assert answer.status_code == 503, answer.text
        body = answer.json()
        assert body["failed"] == ["outbox_backlog"]
        assert body["checks"]["outbox_backlog"] == {
            "ok": False,
            "value": queued(strict),
            "limit": 2,
        }


def test_not_ready_while_an_unsent_message_waits_too_long(
    database_url: str, cast: Cast, clock: Clock
) -> None:
    with sending(database_url, clock) as app, serve(app) as site:
        ask_board(app, cast)
        assert httpx.get(f"{site}/readyz").status_code == 200
        clock.advance(seconds=app.settings.ready_outbox_age_seconds + 1)
        answer = httpx.get(f"{site}/readyz")
        assert answer.status_code == 503, answer.text
        body = answer.json()
        assert body["failed"] == ["outbox_oldest_age_seconds"]
        assert body["checks"]["outbox_oldest_age_seconds"]["value"] > 900


def test_without_smtp_a_waiting_outbox_is_no_fault(
    app: App, cast: Cast, clock: Clock, site: str
) -> None:
    """The demo keeps its mail for the development mailbox: it never drains, and the
    instance is still ready."""
    ask_board(app, cast)
    clock.advance(days=2)
    answer = httpx.get(f"{site}/readyz")
    assert answer.status_code == 200, answer.text
    assert answer.json()["checks"]["outbox_oldest_age_seconds"]["value"] > 86_400


def test_not_ready_on_a_schema_behind_the_code(tmp_path: Path, clock: Clock) -> None:
    bare = build(
        make_settings(f"sqlite:///{tmp_path / 'bare.db'}"), clock=clock, check_schema=False
    )
    try:
        with serve(bare) as url:
            answer = httpx.get(f"{url}/readyz")
        assert answer.status_code == 503, answer.text
        body = answer.json()
        assert "schema" in body["failed"]
        assert "database" not in body["failed"]
        assert "phasegate db upgrade" in body["checks"]["schema"]["value"]
    finally:
        bare.database.dispose()


def test_metrics_count_requests_outbox_decisions_and_ticks(app: App, cast: Cast, site: str) -> None:
    requests = (
        "phasegate_http_requests_total",
        (("method", "GET"), ("route", "/healthz"), ("status", "200")),
    )
    before = samples(site)
    assert before[("phasegate_outbox_depth", ())] == 0
    for _ in range(3):
        assert httpx.get(f"{site}/healthz").status_code == 200
    assert samples(site)[requests] == before.get(requests, 0) + 3

    request = ask_board(app, cast)
    after_request = samples(site)
    assert after_request[("phasegate_outbox_depth", ())] == queued(app) == 3

    app.engine.cast_vote(request, "approve", channel="web", actor=cast.board[0])
    app.engine.cast_vote(request, "approve", channel="web", actor=cast.board[1])
    decided = samples(site)
    assert decided[("phasegate_gate_decisions_total", (("outcome", "approve"),))] == 1
    assert decided[("phasegate_outbox_depth", ())] == queued(app)

    ticks = ("phasegate_tick_duration_seconds_count", ())
    assert decided[ticks] == 0
    app.ticker.tick()
    assert samples(site)[ticks] == 1


def test_metrics_show_the_webhook_deliveries_waiting_and_dead(
    app: App, cast: Cast, clock: Clock, site: str
) -> None:
    pending = ("phasegate_webhook_deliveries", (("status", "pending"),))
    dead = ("phasegate_webhook_deliveries", (("status", "dead"),))
    age = ("phasegate_webhook_oldest_pending_age_seconds", ())
    assert (samples(site)[pending], samples(site)[dead], samples(site)[age]) == (0, 0, 0)

    hook, _ = app.engine.add_webhook("Arkiv", "https://a.example/in", ["*"], actor=cast.pmo)
    app.engine.ping_webhook(hook, actor=cast.pmo)
    app.engine.ping_webhook(hook, actor=cast.pmo)
    clock.advance(minutes=10)
    waiting = samples(site)
    assert (waiting[pending], waiting[dead], waiting[age]) == (2, 0, 600)

    app.engine.remove_webhook(hook, actor=cast.pmo)
    gone = samples(site)
    assert (gone[pending], gone[dead], gone[age]) == (0, 2, 0)
