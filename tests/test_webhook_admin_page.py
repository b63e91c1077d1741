"""The PMO's webhook page, over HTTP: add a receiver and see its secret once, send it a
test, re-send what did not arrive, remove it."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from phasegate.bootstrap import App
from phasegate.webhooks.deliverer import Deliverer
from phasegate.webhooks.signing import verify
from tests.factories import Cast, Clock
from tests.web_support import HTML, signed_in
from tests.webhook_receiver import receiving
from tests.webserver import serve


@pytest.fixture
def site(app: App) -> Iterator[str]:
    with serve(app) as url:
        yield url


def test_the_pmo_adds_a_webhook_tests_it_and_resends_what_did_not_arrive(
    app: App, cast: Cast, site: str, clock: Clock
) -> None:
    pmo, csrf = signed_in(app, site, cast.pmo)
    with receiving() as receiver, pmo:
        empty = pmo.get("/admin/webhooks", headers=HTML)
        assert empty.status_code == 200
        assert "Ingen webhooks ennå." in empty.text
        assert "Et prosjekt har gått inn i en ny fase" in empty.text
        assert 'name="format" value="teams"' in empty.text

        added = pmo.post(
            "/admin/webhooks",
            data={
                "name": "Arkiv",
                "url": receiver.url,
                "events": ["GateDecided", "PhaseEntered"],
                "csrf": csrf,
            },
        )
        assert added.status_code == 201
        assert "Webhooken «Arkiv» er lagt til" in added.text
        secret = re.search(r'<code id="webhook-secret">(whsec_[^<]+)</code>', added.text)
        assert secret
        assert "GateDecided, PhaseEntered" in added.text
        [hook] = app.engine.webhooks()
        listed = pmo.get("/admin/webhooks", headers=HTML).text
        assert secret[1] not in listed  # shown that once

        receiver.answer(410)
        pinged = pmo.post(f"/admin/webhooks/{hook.id}/ping", data={"csrf": csrf})
        assert pinged.status_code == 303
        assert "En testlevering er lagt i køen" in pmo.get(pinged.headers["location"]).text
        asyncio.run(Deliverer(app.database, clock=clock).deliver_pending())

        dead_page = pmo.get("/admin/webhooks", headers=HTML).text
        assert "410 Gone" in dead_page
        [dead] = app.engine.webhook_deliveries(status="dead")
        resent = pmo.post(f"/admin/webhooks/deliveries/{dead.id}/resend", data={"csrf": csrf})
        assert resent.status_code == 303
        asyncio.run(Deliverer(app.database, clock=clock).deliver_pending())
        _, accepted = receiver.requests
        assert verify(secret[1], accepted.headers, accepted.body, datetime.now(UTC))
        assert "Ingen leveringer venter på å sendes på nytt." in pmo.get("/admin/webhooks").text

        removed = pmo.post(f"/admin/webhooks/{hook.id}/remove?lang=en", data={"csrf": csrf})
        assert removed.status_code == 303
        after = pmo.get(removed.headers["location"]).text
        assert "The webhook is removed." in after
        assert "No webhooks yet." in after


def test_a_form_the_engine_refuses_comes_back_with_the_reason_and_what_was_typed(
    app: App, cast: Cast, site: str
) -> None:
    pmo, csrf = signed_in(app, site, cast.pmo)
    with pmo:
        refused = pmo.post(
            "/admin/webhooks",
            data={"name": "Arkiv", "url": "https://arkiv.example/in", "csrf": csrf},
        )
    assert refused.status_code == 422
    assert "Velg minst én hendelsestype, eller * for alle." in refused.text  # in bokmål
    assert 'value="https://arkiv.example/in"' in refused.text
    assert app.engine.webhooks() == []


def test_only_the_office_sees_the_webhook_page(app: App, cast: Cast, site: str) -> None:
    member, csrf = signed_in(app, site, cast.board[0])
    with member:
        assert member.get("/admin/webhooks", headers=HTML).status_code == 403
        posted = member.post(
            "/admin/webhooks",
            data={"name": "Mitt", "url": "https://a.example/in", "events": "*", "csrf": csrf},
        )
        assert posted.status_code == 403
    assert app.engine.webhooks() == []
