"""Who may read /calendar.ics: a signed-in person, or a calendar program holding a personal
calendar address made on the account page. Real app over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import html
import logging
import re
import time
from collections.abc import Iterator

import httpx
import pytest
from icalendar import Calendar

from phasegate.bootstrap import App
from phasegate.engine.signin import digest
from phasegate.web.access import Rule, every_route, rule_of
from phasegate.web.app import create_app
from tests.factories import Cast
from tests.test_authorization import calls
from tests.web_support import HTML, api_client, signed_in
from tests.webserver import serve

ICAL = "text/calendar; charset=utf-8"


@pytest.fixture
def site(app: App) -> Iterator[str]:
    with serve(app) as url:
        yield url


def _make_address(client: httpx.Client, csrf: str, name: str) -> tuple[str, str, int]:
    """Make a calendar address through the account page's form, as a person would; the
    page's two addresses (own deadlines with the wheel, everyone's) and the address's id."""
    page = client.post("/account/feeds", data={"name": name, "csrf": csrf}, headers=HTML)
    assert page.status_code == 200, page.text
    assert page.headers["cache-control"] == "no-store"
    own = re.search(r'<code id="feed-own"[^>]*>([^<]+)</code>', page.text)
    everyone = re.search(r'<code id="feed-everyone"[^>]*>([^<]+)</code>', page.text)
    rows = re.findall(r'<tr id="feed-(\d+)">', page.text)
    assert own, page.text
    assert everyone, page.text
    assert rows, page.text
    return html.unescape(own[1]), html.unescape(everyone[1]), int(rows[0])


def _token_of(address: str) -> str:
    found = re.search(r"token=([^&]+)", address)
    assert found
    return found[1]


def _events(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == ICAL
    return [str(e["SUMMARY"]) for e in Calendar.from_ical(response.content).walk("VEVENT")]


def test_an_anonymous_caller_gets_no_calendar_with_or_without_filters(
    app: App, cast: Cast, site: str
) -> None:
    me, _ = signed_in(app, site, cast.leader)
    with me:
        assert _events(me.get("/calendar.ics")) != []  # there is a calendar to hide
    asked = [{}, {"person": cast.leader}, {"person": cast.leader, "wheel": "false"}, {"lang": "en"}]
    with httpx.Client(base_url=site) as anonymous:
        answers = [anonymous.get("/calendar.ics", params=params) for params in asked]
        head = anonymous.head("/calendar.ics")
        browser = anonymous.get("/calendar.ics", headers=HTML)
    for answer in answers:
        assert answer.status_code == 401
        assert answer.json()["error"] == "not_signed_in"
        assert "/account" in answer.json()["message"]  # where to get an address
        assert "VEVENT" not in answer.text
        assert "VCALENDAR" not in answer.text
    assert head.status_code == 401
    assert browser.status_code == 303  # a browser is sent to sign in, and back
    assert browser.headers["location"] == "/login?next=/calendar.ics"


def test_an_address_made_on_the_account_page_gives_the_calendar_until_it_is_revoked(
    app: App, cast: Cast, site: str
) -> None:
    member = cast.board[0]
    me, csrf = signed_in(app, site, member)
    with me:
        own, everyone, feed = _make_address(me, csrf, "Outlook")
        token = _token_of(own)
        assert own.startswith(f"{app.settings.base_url}/calendar.ics?token=pgc_")
        assert own.endswith(f"&person={member}")
        assert everyone == f"{app.settings.base_url}/calendar.ics?token={token}"

        path = own.removeprefix(app.settings.base_url)
        with httpx.Client(base_url=site) as calendar_program:  # no cookie, no header
            mine = calendar_program.get(path)
            whole = calendar_program.get(everyone.removeprefix(app.settings.base_url))
        assert _events(mine) != []
        assert "Hanne Solberg" in str(Calendar.from_ical(mine.content)["X-WR-CALNAME"])
        assert "private" in mine.headers["cache-control"]
        assert _events(whole) != []

        listed = me.get("/account", headers=HTML)
        assert "Outlook" in listed.text
        assert token[:8] in listed.text  # the start tells addresses apart
        assert token not in listed.text  # shown once, never again
        (shown,) = app.engine.calendar_feeds(member)
        assert shown.last_used_at == app.engine.clock()

        revoked = me.post(f"/account/feeds/{feed}/revoke", data={"csrf": csrf})
        assert revoked.status_code == 303
        assert revoked.headers["location"].endswith("/account#kalender")
        assert "trukket tilbake" in me.get("/account", headers=HTML).text

    with httpx.Client(base_url=site) as calendar_program:
        refused = calendar_program.get(path)
    assert refused.status_code == 401
    assert refused.json()["error"] == "feed_token_refused"
    assert "VEVENT" not in refused.text

    trail = [e for e in app.engine.audit_trail() if e.kind.startswith("CalendarFeed")]
    assert [(e.kind, e.actor_id, e.payload["feed"]) for e in trail] == [
        ("CalendarFeedCreated", member, feed),
        ("CalendarFeedRevoked", member, feed),
    ]
    assert not any(token in str(e.payload) or digest(token) in str(e.payload) for e in trail)


def test_a_calendar_address_opens_the_calendar_and_nothing_else(
    app: App, cast: Cast, site: str
) -> None:
    _, token = app.engine.create_calendar_feed("Telefon", actor=cast.pmo)
    with httpx.Client(base_url=site) as client:
        assert _events(client.get("/calendar.ics", params={"token": token})) != []
        refused = [
            client.get("/api/me", headers={"authorization": f"Bearer {token}"}),
            client.get("/api/me", params={"token": token}),
            client.get("/api/tokens", params={"token": token}),
            client.get("/account", params={"token": token}),
            client.get("/admin/tokens", params={"token": token}),
            client.get("/calendar.ics", headers={"authorization": f"Bearer {token}"}),
        ]
        client.cookies.set("phasegate_session", token)
        refused.append(client.get("/api/me"))
    assert [answer.status_code for answer in refused] == [401] * len(refused)
    # Of all the app's routes, the guard lets a calendar address open the calendar only.
    routes = every_route(list(create_app(app).routes))
    assert {r.path for r in routes if rule_of(calls(r)) is Rule.FEED} == {"/calendar.ics"}


def test_a_session_and_an_api_token_still_get_the_calendar(app: App, cast: Cast, site: str) -> None:
    me, _ = signed_in(app, site, cast.leader)
    with me, api_client(app, site, cast.owner) as integration:
        assert _events(me.get("/calendar.ics", params={"person": cast.leader})) != []
        assert _events(integration.get("/calendar.ics")) != []


def test_an_id_out_of_range_is_a_404_never_a_server_error(app: App, cast: Cast, site: str) -> None:
    me, _ = signed_in(app, site, cast.leader)
    with me:
        for bad in ("99999999999999999999", "2147483648", "0", "-1"):
            for name in ("person", "project"):
                answer = me.get("/calendar.ics", params={name: bad})
                assert answer.status_code == 404, (name, bad, answer.text)
                assert "VEVENT" not in answer.text


def test_someone_elses_address_is_theirs_to_revoke_or_the_pmos(
    app: App, cast: Cast, site: str
) -> None:
    feed, token = app.engine.create_calendar_feed("Outlook", actor=cast.leader)
    other, csrf = signed_in(app, site, cast.outsider)
    with other:
        assert other.post(f"/account/feeds/{feed}/revoke", data={"csrf": csrf}).status_code == 403
        assert other.get("/admin/feeds", headers={"accept": "application/json"}).status_code == 403
    with httpx.Client(base_url=site) as calendar_program:
        assert calendar_program.get("/calendar.ics", params={"token": token}).status_code == 200

    pmo, csrf = signed_in(app, site, cast.pmo)
    with pmo:
        assert 'href="/admin/feeds' in pmo.get("/admin", headers=HTML).text
        listed = pmo.get("/admin/feeds", headers=HTML)
        assert "Kalenderadresser" in listed.text
        assert "Ragnar Husum" in listed.text
        assert token[:8] in listed.text
        assert token not in listed.text
        revoked = pmo.post(f"/admin/feeds/{feed}/revoke", data={"csrf": csrf})
        assert revoked.status_code == 303
        assert "virker ikke lenger" in pmo.get(revoked.headers["location"], headers=HTML).text
    with httpx.Client(base_url=site) as calendar_program:
        assert calendar_program.get("/calendar.ics", params={"token": token}).status_code == 401
    (audited,) = [e for e in app.engine.audit_trail() if e.kind == "CalendarFeedRevoked"]
    assert (audited.actor_id, audited.payload["person"]) == (cast.pmo, cast.leader)


def test_the_request_log_never_holds_a_calendar_address(
    app: App, cast: Cast, site: str, caplog: pytest.LogCaptureFixture
) -> None:
    _, token = app.engine.create_calendar_feed("Outlook", actor=cast.leader)
    with caplog.at_level(logging.INFO), httpx.Client(base_url=site) as calendar_program:
        assert calendar_program.get("/calendar.ics", params={"token": token}).status_code == 200
        mistyped = token[:-1] + ("A" if token[-1] != "A" else "B")
        assert calendar_program.get("/calendar.ics", params={"token": mistyped}).status_code == 401
        # The server logs a request just after answering it: give it a moment.
        deadline = time.monotonic() + 5
        while len(_access_lines(caplog)) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    logged = _access_lines(caplog)
    assert [getattr(r, "path", None) for r in logged] == ["/calendar.ics", "/calendar.ics"]
    server = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    everything = "\n".join(f"{r.getMessage()} {vars(r)}" for r in server)
    assert token not in everything
    assert mistyped not in everything


def _access_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "phasegate.http"]
