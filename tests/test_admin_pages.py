"""The PMO's administration pages: people, roles and board membership, everyone's API
tokens, and re-sending email that could not be delivered. Real app over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import update

from phasegate.bootstrap import App
from phasegate.engine.outbox import list_messages
from phasegate.engine.signin import digest
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
        assert "Noen er allerede registrert med e-postadressen per@asker.example." in again.text
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


def test_a_non_pmo_is_told_in_their_own_language_who_may_administer(
    app: App, cast: Cast, site: str
) -> None:
    name = app.engine.person(cast.board[0]).name
    member, _ = signed_in(app, site, cast.board[0])
    with member:
        bokmal = member.get("/admin", headers=HTML)
        nynorsk = member.get("/admin", params={"lang": "nn"}, headers=HTML)

    assert bokmal.status_code == nynorsk.status_code == 403
    assert f"{name} har ikke tilgang til dette: bare PMO og administratorer har det." in (
        bokmal.text
    )
    assert f"{name} har ikkje tilgang til dette: berre PMO og administratorar har det." in (
        nynorsk.text
    )
    for page in (bokmal, nynorsk):
        assert "may not do this" not in page.text
        assert "only the PMO" not in page.text


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


def test_the_pmo_sees_everyones_tokens_and_revokes_one(app: App, cast: Cast, site: str) -> None:
    archive, secret = app.engine.create_api_token("Arkivsystem", actor=cast.leader)
    _, other = app.engine.create_api_token("Sak/arkiv-test", actor=cast.outsider)
    gone, _ = app.engine.create_api_token("Gammel", actor=cast.outsider)
    app.engine.revoke_api_token(gone, actor=cast.outsider)
    with httpx.Client(base_url=site, headers={"authorization": f"Bearer {secret}"}) as api:
        assert api.get("/api/me").status_code == 200  # the token works, and is marked used
    pmo, csrf = signed_in(app, site, cast.pmo)
    with pmo:
        assert 'href="/admin/tokens' in pmo.get("/admin", headers=HTML).text
        page = pmo.get("/admin/tokens", headers=HTML)
        assert page.status_code == 200
        for shown in ("API-nøkler", "Ragnar Husum", "ragnar.husum@asker.example", "Arkivsystem"):
            assert shown in page.text
        assert "Ola Utenfor" in page.text
        assert "Sak/arkiv-test" in page.text
        assert secret[:8] in page.text  # the stored prefix tells tokens apart
        for hidden in (secret, other, digest(secret), digest(other)):
            assert hidden not in page.text
        assert page.text.count("trukket tilbake") == 1
        assert f"/admin/tokens/{gone}/revoke" not in page.text  # nothing left to revoke
        english = pmo.get("/admin/tokens?lang=en", headers=HTML)
        assert "API tokens" in english.text
        assert "Owner" in english.text

        revoked = pmo.post(f"/admin/tokens/{archive}/revoke", data={"csrf": csrf})
        assert revoked.status_code == 303
        assert revoked.headers["location"] == "/admin/tokens?done=1"
        after = pmo.get(revoked.headers["location"], headers=HTML)
        assert "trukket tilbake og virker ikke lenger" in after.text
        assert f"/admin/tokens/{archive}/revoke" not in after.text
    with httpx.Client(base_url=site, headers={"authorization": f"Bearer {secret}"}) as api:
        assert api.get("/api/me").status_code == 401
    with httpx.Client(base_url=site, headers={"authorization": f"Bearer {other}"}) as api:
        assert api.get("/api/me").status_code == 200  # only the one revoked
    audited = [e for e in app.engine.audit_trail() if e.kind == "ApiTokenRevoked"]
    assert [(e.actor_id, e.payload["person"], e.payload["token"]) for e in audited][-1] == (
        cast.pmo,
        cast.leader,
        archive,
    )


def test_a_reader_may_not_see_or_revoke_tokens(app: App, cast: Cast, site: str) -> None:
    app.engine.grant_role(cast.outsider, "reader")
    token, _ = app.engine.create_api_token("Arkivsystem", actor=cast.leader)
    reader, csrf = signed_in(app, site, cast.outsider)
    with reader:
        page = reader.get("/admin/tokens", headers=HTML)
        assert page.status_code == 403
        assert "Arkivsystem" not in page.text
        refused = reader.post(f"/admin/tokens/{token}/revoke", data={"csrf": csrf})
        assert refused.status_code == 403
    assert [t.revoked_at for t in app.engine.api_tokens(cast.leader)] == [None]


def test_revoking_a_token_without_the_forms_csrf_is_refused(
    app: App, cast: Cast, site: str
) -> None:
    token, _ = app.engine.create_api_token("Arkivsystem", actor=cast.leader)
    pmo, csrf = signed_in(app, site, cast.pmo)
    with pmo:
        for sent in ({}, {"csrf": "forged"}, {"csrf": csrf[:-1]}):
            refused = pmo.post(f"/admin/tokens/{token}/revoke", data=sent)
            assert refused.status_code == 403
            assert refused.json()["error"] == "csrf_rejected"
    assert [t.revoked_at for t in app.engine.api_tokens(cast.leader)] == [None]


def test_an_english_page_stays_english_after_a_change(app: App, cast: Cast, site: str) -> None:
    pmo, csrf = signed_in(app, site, cast.pmo)
    with pmo:
        page = pmo.get("/admin?lang=en", headers=HTML).text
        assert 'action="/admin/people?lang=en"' in page
        made = pmo.post(
            "/admin/people?lang=en",
            data={"name": "Siri Dahl", "email": "siri@asker.example", "csrf": csrf},
        )
        assert made.headers["location"] == "/admin?done=1&lang=en"
        assert "Saved." in pmo.get(made.headers["location"], headers=HTML).text
        siri = next(p for p in app.engine.people() if p.email == "siri@asker.example")
        granted = pmo.post(
            "/admin/roles?lang=en", data={"person": siri.id, "role": "board", "csrf": csrf}
        )
        assert granted.headers["location"] == "/admin?done=1&lang=en"
