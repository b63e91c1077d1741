"""The webhook API over HTTP: the PMO subscribes a receiver, pings it, and follows it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from phasegate.bootstrap import App
from phasegate.webhooks.deliverer import Deliverer
from phasegate.webhooks.signing import verify
from tests.factories import Cast, Clock
from tests.web_support import api_client
from tests.webhook_receiver import receiving
from tests.webserver import serve


@pytest.fixture
def site(app: App) -> Iterator[str]:
    with serve(app) as url:
        yield url


def test_the_pmo_subscribes_pings_and_follows_a_receiver_over_the_api(
    app: App, cast: Cast, site: str, clock: Clock
) -> None:
    with receiving() as receiver, api_client(app, site, cast.pmo) as pmo:
        made = pmo.post(
            "/api/webhooks",
            json={"name": "Arkiv", "url": receiver.url, "event_types": ["GateDecided"]},
        )
        assert made.status_code == 201, made.text
        hook, secret = made.json()["webhook"], made.json()["secret"]
        assert secret.startswith("whsec_")
        assert hook["event_types"] == ["GateDecided"]

        listed = pmo.get("/api/webhooks").json()
        assert [w["name"] for w in listed] == ["Arkiv"]
        assert "secret" not in listed[0]
        assert secret not in pmo.get(f"/api/webhooks/{hook['id']}").text

        pinged = pmo.post(f"/api/webhooks/{hook['id']}/ping")
        assert pinged.status_code == 202
        assert pinged.json()["status"] == "pending"
        asyncio.run(Deliverer(app.database, clock=clock).deliver_pending())

        [ping] = receiver.requests
        assert verify(secret, ping.headers, ping.body, datetime.now(UTC))
        assert ping.json["type"] == "Ping"
        sent = pmo.get(f"/api/webhooks/{hook['id']}/deliveries").json()
        assert sent["total"] == 1
        assert sent["items"][0]["status"] == "sent"
        assert sent["items"][0]["delivery_id"] == ping.headers["webhook-id"]

        again = pmo.post(f"/api/webhook-deliveries/{sent['items'][0]['id']}/resend")
        assert again.status_code == 409
        assert again.json()["error"] == "not_a_dead_delivery"

        rotated = pmo.post(f"/api/webhooks/{hook['id']}/secret").json()
        assert rotated["secret"] != secret
        assert rotated["previous_valid_until"] is not None

        removed = pmo.delete(f"/api/webhooks/{hook['id']}")
        assert removed.status_code == 200
        assert removed.json()["webhook"]["removed_at"] is not None
        assert pmo.get("/api/webhooks").json() == []
        assert [w["name"] for w in pmo.get("/api/webhooks?removed=true").json()] == ["Arkiv"]


def test_bad_input_and_other_people_are_refused_in_the_api_error_shape(
    app: App, cast: Cast, site: str
) -> None:
    with api_client(app, site, cast.pmo) as pmo, api_client(app, site, cast.board[0]) as board:
        events = pmo.get("/api/webhook-events").json()
        assert "GateDecided" in events
        assert "SignInRequested" not in events

        unknown = pmo.post(
            "/api/webhooks",
            json={"name": "Arkiv", "url": "https://a.example/in", "event_types": ["Gate"]},
        )
        assert unknown.status_code == 422
        assert unknown.json()["error"] == "webhook_invalid"
        assert "Ukjente hendelsestyper: Gate." in unknown.json()["message"]
        assert unknown.json()["params"]["unknown"] == ["Gate"]
        assert unknown.json()["field"] == "event_types"

        not_web = pmo.post(
            "/api/webhooks",
            json={"name": "Arkiv", "url": "mailto:pmo@a.example", "event_types": ["*"]},
        )
        assert not_web.status_code == 422
        assert "http://- eller https://-adresse" in not_web.json()["message"]

        assert pmo.get("/api/webhooks/999").json()["error"] == "webhook_not_found"

        slack = pmo.post(
            "/api/webhooks",
            json={"name": "S", "url": "https://a.example/in", "event_types": ["*"], "format": "x"},
        )
        assert slack.status_code == 422
        teams = pmo.post(
            "/api/webhooks",
            json={
                "name": "Teams",
                "url": "https://a.example/in",
                "event_types": ["GateDecided"],
                "format": "teams",
            },
        )
        assert teams.status_code == 201
        assert teams.json()["webhook"]["format"] == "teams"
        app.engine.remove_webhook(teams.json()["webhook"]["id"], actor=cast.pmo)

        refused = board.post(
            "/api/webhooks",
            json={"name": "Mitt", "url": "https://a.example/in", "event_types": ["*"]},
        )
        assert refused.status_code == 403
        assert board.get("/api/webhooks").status_code == 403
    assert app.engine.webhooks() == []
