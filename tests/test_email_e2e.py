"""A good day, by email: the board decides BP1 from the links in their inboxes.

Everything is real: the engine writes the emails to the outbox, the sender delivers them
with aiosmtplib to aiosmtpd on loopback, the links are followed over HTTP to the real app
served by uvicorn, and the decision email arrives at the project manager.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from email.message import EmailMessage

import httpx
import pytest

from phasegate.bootstrap import App, build
from phasegate.engine.service import Engine
from phasegate.mail.sender import Sender
from tests.factories import Clock, make_settings, submit_complete
from tests.processes import free_port
from tests.smtp_server import MailServer, Received
from tests.web_support import signed_in
from tests.webserver import serve

VOTE_LINK = re.compile(r"https?://[^\s\"<>]+/decide/[A-Za-z0-9_.-]+")
CSRF_FIELD = re.compile(r'name="csrf" value="([0-9a-f]+)"')


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    with MailServer() as server:
        yield server


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def mailing_app(
    database_url: str, clock: Clock, mail_server: MailServer, port: int
) -> Iterator[App]:
    """phasegate with a real SMTP server, and links that point where it will listen."""
    settings = make_settings(
        database_url, smtp_url=mail_server.url, base_url=f"http://127.0.0.1:{port}"
    )
    app = build(settings, clock=clock)
    yield app
    app.database.dispose()


def deliver(app: App, clock: Clock, server: MailServer) -> list[Received]:
    """One pass of the sender; returns what arrived at the SMTP server during it."""
    before = len(server.recorder.received)
    asyncio.run(
        Sender(app.database, server.url, app.settings.mail_from, clock=clock).send_pending()
    )
    return server.recorder.received[before:]


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    return str(text.get_content()), str(html.get_content())


def link_for(message: EmailMessage, outcome_word: str) -> str:
    """The vote link on the line that names the outcome, in the plain-text part."""
    text, _ = parts(message)
    for line_no, line in enumerate(lines := text.splitlines()):
        if outcome_word in line:
            for candidate in lines[line_no : line_no + 3]:
                if found := VOTE_LINK.search(candidate):
                    return found.group(0)
    raise AssertionError(f"no link for {outcome_word!r} in:\n{text}")


def press(browser: httpx.Client, url: str, comment: str = "") -> httpx.Response:
    page = browser.get(url)
    assert page.status_code == 200, page.text
    csrf = CSRF_FIELD.search(page.text)
    assert csrf is not None
    return browser.post(url, data={"comment": comment, "csrf": csrf.group(1)})


def test_the_board_decides_bp1_from_their_inboxes(
    mailing_app: App, clock: Clock, mail_server: MailServer, port: int
) -> None:
    engine: Engine = mailing_app.engine
    leader = engine.register_person("Ragnar Husum", "ragnar.husum@asker.example")
    owner = engine.register_person("Ole-Kristian Tangen", "ole-kristian.tangen@asker.example")
    hanne = engine.register_person("Hanne Solberg", "hanne@asker.example")
    per = engine.register_person("Per Lie", "per@asker.example")
    ingrid = engine.register_person("Ingrid Berg", "ingrid@asker.example", "en")
    for member in (hanne, per, ingrid):
        engine.grant_role(member, "board")
    project = engine.register_project(
        "Digitaliseringsstrategi", owner=owner, leader=leader, actor=leader
    )
    bp1 = engine.workflows.current("prosjektveiviseren").gates[0]

    submit_complete(engine, project, bp1, leader)
    requested = deliver(mailing_app, clock, mail_server)

    # Each board member gets their own email, in their own language, with both parts.
    by_person = {r.rcpt_tos: r.message for r in requested}
    assert set(by_person) == {
        ("hanne@asker.example",),
        ("per@asker.example",),
        ("ingrid@asker.example",),
    }
    for message in by_person.values():
        assert message.get_content_type() == "multipart/alternative"
        text, html = parts(message)
        assert "Digitaliseringsstrategi" in text
        assert "Digitaliseringsstrategi" in html
        assert len(set(VOTE_LINK.findall(text))) == 4  # one per outcome
        assert set(VOTE_LINK.findall(text)) == set(VOTE_LINK.findall(html))
        assert all(
            url.startswith(f"http://127.0.0.1:{port}/decide/") for url in VOTE_LINK.findall(text)
        )
    hanne_mail = by_person[("hanne@asker.example",)]
    ingrid_mail = by_person[("ingrid@asker.example",)]
    assert "Godkjenn" in parts(hanne_mail)[0]
    assert "Approve" in parts(ingrid_mail)[0]
    assert "Godkjenn" not in parts(ingrid_mail)[0]
    # No two people share a link.
    all_links = [link for m in by_person.values() for link in VOTE_LINK.findall(parts(m)[0])]
    assert len(all_links) == len(set(all_links)) == 12

    with serve(mailing_app, port), httpx.Client(timeout=10) as browser:
        approve = link_for(hanne_mail, "Godkjenn")
        trail_before = engine.audit_trail(project)

        opened = browser.get(approve)
        browser.head(approve)

        assert opened.status_code == 200
        assert "Digitaliseringsstrategi" in opened.text
        assert engine.audit_trail(project) == trail_before  # looking changes nothing
        assert engine.project(project).phase == "idea"

        clock.advance(hours=1)
        first = press(browser, approve, "Godt begrunnet")
        assert first.status_code == 200
        assert engine.project(project).phase == "idea"  # one of three is not a majority
        vote = next(e for e in engine.audit_trail(project) if e.kind == "VoteCast")
        assert (vote.actor, vote.payload["channel"]) == ("Hanne Solberg", "link")

        # The other deciders hear who has voted so far.
        told = deliver(mailing_app, clock, mail_server)
        assert {r.rcpt_tos for r in told} == {("per@asker.example",), ("ingrid@asker.example",)}
        assert all("Hanne Solberg" in parts(r.message)[0] for r in told)

        clock.advance(hours=2)
        second = press(browser, link_for(ingrid_mail, "Approve"))
        assert second.status_code == 200
        assert engine.project(project).phase == "concept"

        decided = deliver(mailing_app, clock, mail_server)
        recipients = {r.rcpt_tos for r in decided}
        assert ("ragnar.husum@asker.example",) in recipients
        assert ("ole-kristian.tangen@asker.example",) in recipients
        to_leader = next(r for r in decided if r.rcpt_tos == ("ragnar.husum@asker.example",))
        text, html = parts(to_leader.message)
        assert "Digitaliseringsstrategi" in text
        assert "Ingrid Berg" in text  # who decided
        assert "Konsept" in text  # where the project is now
        assert "Konsept" in html

        # "Se prosjektet i phasegate" leads to the project's own page, not the overview.
        page = f"http://127.0.0.1:{port}/projects/{project}"
        assert re.search(rf'<a href="{re.escape(page)}"[^>]*>Se prosjektet i phasegate</a>', html)
        assert page in text.split()
        leader_browser, _ = signed_in(mailing_app, f"http://127.0.0.1:{port}", leader)
        with leader_browser:
            shown = leader_browser.get(page, headers={"accept": "text/html"})
        assert shown.status_code == 200
        assert re.search(r"<h1[^>]*>\s*Digitaliseringsstrategi\s*</h1>", shown.text)
