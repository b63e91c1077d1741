"""The PMO's administration pages: people, roles and board membership, and re-sending
email that could not be delivered. Real app over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import update

from phasegate.bootstrap import App
from phasegate.mail.outbox import list_messages
from phasegate.storage.tables import OutboxMessage
from tests.factories import Cast
from tests.web_support import HTML, signed_in
from tests.webserver import serve


@pytest.fixture
def site(app: App) -> Iterator[str]:
    with serve(app) as url:
        yield url


def test_the_pmo_registers_a_person_and_makes_them_a_board_member(
    app: App, cast: Cast, site: str
) -> None:
    pmo, csrf = signed_in(app, site, cast.pmo)
    with pmo:
        page = pmo.get("/admin", headers=HTML)
        assert page.status_code == 200
        assert "Hanne Solberg" in page.text
        made = pmo.post(
            "/admin/people",
            data={
                "name": "Siri Dahl",
                "email": "siri.dahl@asker.example",
                "language": "nb",
                "csrf": csrf,
            },
        )
        assert made.status_code == 303
        siri = next(p for p in app.engine.people() if p.email == "siri.dahl@asker.example")
        granted = pmo.post("/admin/roles", data={"person": siri.id, "role": "board", "csrf": csrf})
        assert granted.status_code == 303
        assert app.engine.person(siri.id).roles == ("board",)
        revoked = pmo.post(
            "/admin/roles/revoke", data={"person": siri.id, "role": "board", "csrf": csrf}
        )
        assert revoked.status_code == 303
        assert app.engine.person(siri.id).roles == ()


def test_a_refused_change_is_shown_on_the_page(app: App, cast: Cast, site: str) -> None:
    pmo, csrf = signed_in(app, site, cast.pmo)
    with pmo:
        again = pmo.post(
            "/admin/people",
            data={"name": "Per Lie", "email": "per@asker.example", "csrf": csrf},
            headers=HTML,
        )
        assert again.status_code == 409
        assert "already registered" in again.text
        own = pmo.post(
            "/admin/roles/revoke", data={"person": cast.pmo, "role": "pmo", "csrf": csrf}
        )
        assert own.status_code == 409
    assert app.engine.person(cast.pmo).roles == ("pmo",)


def test_only_the_pmo_and_admins_administer(app: App, cast: Cast, site: str) -> None:
    member, csrf = signed_in(app, site, cast.board[0])
    with member:
        assert member.get("/admin", headers=HTML).status_code == 403
        refused = member.post(
            "/admin/roles", data={"person": cast.outsider, "role": "pmo", "csrf": csrf}
        )
        assert refused.status_code == 403
    assert app.engine.person(cast.outsider).roles == ()


def test_the_pmo_sends_a_dead_letter_again(app: App, cast: Cast, site: str) -> None:
    app.engine.request_sign_in("per@asker.example")  # any email will do
    with app.database.begin() as conn:
        conn.execute(update(OutboxMessage).values(status="dead", last_error="550 mailbox full"))
        dead = list_messages(conn, status="dead")[0]
    pmo, csrf = signed_in(app, site, cast.pmo)
    with pmo:
        page = pmo.get("/admin/mail", headers=HTML)
        assert "550 mailbox full" in page.text
        sent = pmo.post(f"/admin/mail/{dead.id}/resend", data={"csrf": csrf})
        assert sent.status_code == 303
    with app.database.connect() as conn:
        again = next(m for m in list_messages(conn) if m.id == dead.id)
    assert again.status == "pending"
    assert again.message_id == dead.message_id
