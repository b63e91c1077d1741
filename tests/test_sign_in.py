"""Signing in by email link, sessions, API tokens and the demo's one-click sign-in, over
real HTTP against the real app."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from phasegate.bootstrap import App, build
from phasegate.engine.outbox import list_messages
from phasegate.mail.render import Notifications
from tests.factories import Cast, Clock, make_settings
from tests.webserver import serve

HTML = {"accept": "text/html"}


@pytest.fixture
def site(app: App) -> Iterator[str]:
    with serve(app) as url:
        yield url


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return found[1]


def sign_in_link(app: App, email: str) -> str:
    with app.database.connect() as conn:
        mails = [m for m in list_messages(conn) if m.kind == "sign_in" and m.recipient == email]
    assert mails, f"no sign-in email to {email}"
    found = re.search(r"https?://[^/\s]+(/login/\S+)", mails[0].body_text)
    assert found, mails[0].body_text
    return found[1]  # the path: the link's host is the configured base URL


def request_link(browser: httpx.Client, email: str) -> httpx.Response:
    form = browser.get("/login", headers=HTML)
    return browser.post("/login", data={"email": email, "csrf": csrf_of(form)}, headers=HTML)


def sign_in(browser: httpx.Client, app: App, email: str) -> httpx.Response:
    request_link(browser, email)
    link = sign_in_link(app, email)
    page = browser.get(link, headers=HTML)
    return browser.post(link, data={"csrf": csrf_of(page), "next": "/account"}, headers=HTML)


def test_signing_in_by_email_link(app: App, cast: Cast, site: str) -> None:
    with httpx.Client(base_url=site) as browser:
        sent = request_link(browser, "Kari.Nordmann@asker.example")
        assert sent.status_code == 200
        assert "Sjekk e-posten din" in sent.text
        link = sign_in_link(app, "kari.nordmann@asker.example")
        # Opening the link (a mail scanner does) signs no one in.
        page = browser.get(link, headers=HTML)
        assert page.status_code == 200
        assert "phasegate_session" not in browser.cookies
        done = browser.post(link, data={"csrf": csrf_of(page), "next": "/account"}, headers=HTML)
        assert done.status_code == 303
        assert done.headers["location"] == "/account"
        cookie = done.headers["set-cookie"]
        assert "phasegate_session=" in cookie
        assert "HttpOnly" in cookie
        assert "SameSite=lax" in cookie
        assert "Secure" not in cookie  # http base URL; https would make it Secure
        me = browser.get("/api/me")
        assert me.json()["name"] == "Kari Nordmann"
        assert me.json()["roles"] == ["pmo"]
        account = browser.get("/account", headers=HTML)
        assert "Kari Nordmann" in account.text


def refused_without_a_button(page: httpx.Response, words: str) -> None:
    assert page.status_code == 409
    assert words in page.text
    assert "<button" not in page.text.split("<main", 1)[-1], "nothing to press that can only fail"


def test_a_sign_in_link_works_once_and_for_minutes(
    app: App, cast: Cast, site: str, clock: Clock
) -> None:
    with httpx.Client(base_url=site) as browser:
        request_link(browser, "per@asker.example")
        link = sign_in_link(app, "per@asker.example")
        page = browser.get(link, headers=HTML)
        first = browser.post(link, data={"csrf": csrf_of(page)}, headers=HTML)
        assert first.status_code == 303
    with httpx.Client(base_url=site) as other:
        # Opened again, the used link says so at once, in the page's language.
        used = other.get(link, headers=HTML)
        refused_without_a_button(used, "Denne innloggingslenken er allerede brukt")
        assert "phasegate_session" not in other.cookies

        request_link(other, "hanne@asker.example")
        late = sign_in_link(app, "hanne@asker.example")
        page = other.get(late, headers=HTML)
        assert page.status_code == 200
        again = other.post(link, data={"csrf": csrf_of(page)}, headers=HTML)
        refused_without_a_button(again, "Denne innloggingslenken er allerede brukt")
        clock.advance(minutes=16)
        expired = other.post(late, data={"csrf": csrf_of(page)}, headers=HTML)
        refused_without_a_button(expired, "Denne innloggingslenken er utløpt")
        reopened = other.get(late, headers=HTML)
        refused_without_a_button(reopened, "Denne innloggingslenken er utløpt")

        made_up = other.post(f"{site}/login/not-a-real-token", data={"csrf": csrf_of(page)})
        assert made_up.status_code == 409
        assert made_up.json()["error"] == "sign_in_link_invalid"
        shown = other.get(f"{site}/login/not-a-real-token?lang=en", headers=HTML)
        refused_without_a_button(shown, "This sign-in link is not valid")


def test_a_link_checker_asking_with_head_gets_the_pages_answer_and_uses_nothing(
    app: App, cast: Cast, site: str
) -> None:
    with httpx.Client(base_url=site) as browser:
        request_link(browser, "per@asker.example")
        link = sign_in_link(app, "per@asker.example")

        checked = browser.head(link, headers=HTML)
        assert checked.status_code == 200
        assert checked.headers["content-type"].startswith("text/html")

        page = browser.get(link, headers=HTML)
        signed = browser.post(link, data={"csrf": csrf_of(page)}, headers=HTML)
        assert signed.status_code == 303, "the checker's HEAD did not use the link"
        assert browser.head(link, headers=HTML).status_code == 409


def test_an_unknown_address_gets_the_same_answer_and_no_email(
    app: App, cast: Cast, site: str
) -> None:
    with httpx.Client(base_url=site) as browser:
        known = request_link(browser, "per@asker.example")
        unknown = request_link(browser, "nobody@asker.example")
    assert unknown.status_code == known.status_code == 200
    assert unknown.text.replace("nobody@", "X@") == known.text.replace("per@", "X@")
    with app.database.connect() as conn:
        recipients = {m.recipient for m in list_messages(conn) if m.kind == "sign_in"}
    assert recipients == {"per@asker.example"}


def test_forms_refuse_a_request_without_their_csrf_value(app: App, cast: Cast, site: str) -> None:
    with httpx.Client(base_url=site) as browser:
        forged = browser.post("/login", data={"email": "per@asker.example", "csrf": "x"})
        assert forged.status_code == 403
        sign_in(browser, app, "per@asker.example")
        no_csrf = browser.post("/api/tokens", json={"name": "Arkiv"})
        assert no_csrf.status_code == 403
        assert no_csrf.json()["error"] == "csrf_rejected"
    with app.database.connect() as conn:
        assert [m for m in list_messages(conn) if m.kind == "sign_in"] != []


def test_api_tokens_are_shown_once_stored_hashed_and_can_be_revoked(
    app: App, cast: Cast, site: str
) -> None:
    with httpx.Client(base_url=site) as browser:
        sign_in(browser, app, "kari.nordmann@asker.example")
        account = browser.get("/account", headers=HTML)
        made = browser.post(
            "/account/tokens", data={"name": "Arkivsystem", "csrf": csrf_of(account)}, headers=HTML
        )
        token = re.search(r'<code id="new-token">([^<]+)</code>', made.text)
        assert token
        secret = token[1]
    with app.database.connect() as conn:
        stored = conn.exec_driver_sql("SELECT token_hash, prefix FROM api_tokens").all()
    assert [row.prefix for row in stored] == [secret[:8]]
    assert secret not in stored[0].token_hash

    with httpx.Client(base_url=site, headers={"authorization": f"Bearer {secret}"}) as system:
        me = system.get("/api/me")
        assert me.json()["email"] == "kari.nordmann@asker.example"
        # A bearer token needs no CSRF value: browsers never send it on their own.
        second = system.post("/api/tokens", json={"name": "Rapportverktøy"})
        assert second.status_code == 201
        listed = system.get("/api/tokens").json()
        assert {t["name"] for t in listed} == {"Arkivsystem", "Rapportverktøy"}
        assert all(t["token"] is None for t in listed)
        first = next(t["id"] for t in listed if t["name"] == "Arkivsystem")
        assert system.delete(f"/api/tokens/{first}").status_code == 204
        assert system.get("/api/me").status_code == 401


def test_signing_out_ends_the_session(app: App, cast: Cast, site: str) -> None:
    with httpx.Client(base_url=site) as browser:
        sign_in(browser, app, "per@asker.example")
        session = browser.cookies["phasegate_session"]
        account = browser.get("/account", headers=HTML)
        out = browser.post("/logout", data={"csrf": csrf_of(account)})
        assert out.status_code == 303
    with httpx.Client(base_url=site, cookies={"phasegate_session": session}) as replay:
        assert replay.get("/api/me").status_code == 401
        page = replay.get("/account", headers=HTML)
        assert page.status_code == 303
        assert page.headers["location"] == "/login?next=/account"


def test_a_session_expires(app: App, cast: Cast, site: str, clock: Clock) -> None:
    with httpx.Client(base_url=site) as browser:
        sign_in(browser, app, "per@asker.example")
        assert browser.get("/api/me").status_code == 200
        clock.advance(days=app.settings.session_days, seconds=1)
        assert browser.get("/api/me").status_code == 401


def test_the_session_cookie_is_secure_behind_https(database_url: str, clock: Clock) -> None:
    app = build(
        make_settings(database_url, base_url="https://phasegate.asker.example"), clock=clock
    )
    person = app.engine.register_person("Per Lie", "per@asker.example")
    try:
        with serve(app) as site, httpx.Client(base_url=site) as browser:
            app.engine.request_sign_in("per@asker.example")
            with app.database.connect() as conn:
                body = next(m.body_text for m in list_messages(conn) if m.kind == "sign_in")
            link = re.search(r"https://phasegate\.asker\.example(/login/\S+)", body)
            assert link
            page = browser.get(link[1], headers=HTML)
            # The form's cookie is Secure too, so httpx keeps it from plain http: send it.
            form_cookie = page.headers["set-cookie"].split(";")[0]
            assert "Secure" in page.headers["set-cookie"]
            done = browser.post(
                link[1], data={"csrf": csrf_of(page)}, headers={**HTML, "cookie": form_cookie}
            )
            assert done.status_code == 303
            assert "Secure" in done.headers["set-cookie"]
            assert person
    finally:
        app.database.dispose()


def test_the_demo_signs_in_with_one_click(app: App, cast: Cast, site: str) -> None:
    with httpx.Client(base_url=site) as browser:
        page = browser.get("/dev/sign-in", headers=HTML)
        assert "Logg inn som Kari Nordmann" in page.text
        done = browser.post(f"/dev/sign-in/{cast.pmo}", data={"csrf": csrf_of(page)})
        assert done.status_code == 303
        assert browser.get("/api/me").json()["roles"] == ["pmo"]


def test_the_one_click_sign_in_is_not_there_in_production(
    database_url: str, clock: Clock, tmp_path: Path
) -> None:
    app = build(make_settings(database_url, env="production", secret_key="k" * 40), clock=clock)
    try:
        with serve(app) as site, httpx.Client(base_url=site) as browser:
            assert browser.get("/dev/sign-in").status_code == 404
            assert browser.post("/dev/sign-in/1", data={"csrf": "x"}).status_code == 404
    finally:
        app.database.dispose()


@pytest.mark.parametrize("locale", ["nb", "nn", "en"])
def test_the_sign_in_email_reads_well(locale: str) -> None:
    notifications = Notifications(Path("notifications"), ZoneInfo("Europe/Oslo"))
    expires = datetime(2027, 3, 3, 9, 15, tzinfo=UTC)
    context = {"recipient": {"name": "Kari"}, "url": "https://p.example/login/abc"}
    email = notifications.render("sign_in", locale, {**context, "expires_at": expires})
    words = {
        "nb": ("innloggingslenke", "3. mars 2027 kl. 10.15"),
        "nn": ("innloggingslenkja", "3. mars 2027 kl. 10.15"),
        "en": ("sign-in link", "3 March 2027 at 10:15"),
    }
    for part in (email.text, email.html):
        assert "https://p.example/login/abc" in part
        assert words[locale][1] in part
    assert words[locale][0] in email.subject.lower()
