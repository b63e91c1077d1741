"""The development mailbox, through the real app over real HTTP, on SQLite and PostgreSQL.

With no SMTP server configured, mail stays in the outbox and /dev/mailbox shows every
message rendered, with links that work: a newcomer submits a gate request, opens the
mailbox, and decides from a board member's email with no mail server at all.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import pytest

from phasegate.bootstrap import App, build
from phasegate.domain.model import Answer
from phasegate.domain.rules import ChecklistAnswer
from phasegate.engine.outbox import OutboxEntry, list_messages
from phasegate.engine.service import Engine
from phasegate.errors import ConfigurationError
from tests.factories import Cast, Clock, complete_answers, linked_documents, make_settings
from tests.processes import free_port
from tests.webserver import serve

BOARD_ADDRESSES = {"hanne@asker.example", "per@asker.example", "ingrid@asker.example"}
BP1_SUBJECT = "[phasegate] Beslutning trengs: {project} – BP1 Start konseptfasen"
CSRF_FIELD = re.compile(r'name="csrf" value="([0-9a-f]+)"')
ROW = re.compile(
    r"<tr>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>\s*"
    r'<td><a href="([^"]+)">([^<]*)</a></td>\s*<td>([^<]*)</td>\s*</tr>'
)
CLICKABLE_VOTE_LINK = re.compile(r'<a href="(http://[^"]+/decide/[^"]+)">\1</a>')


# --- helpers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One line of the mailbox as a reader sees it."""

    written: str
    to: str
    href: str
    subject: str
    status: str


def rows(page: httpx.Response) -> list[Row]:
    return [Row(*(html.unescape(cell) for cell in found)) for found in ROW.findall(page.text)]


def text_of(page: httpx.Response) -> str:
    """The page's words as a reader sees them: no style sheet, no tags, one space apart."""
    body = re.sub(r"<style>.*?</style>", " ", page.text, flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def outbox(app: App) -> list[OutboxEntry]:
    with app.engine.reading() as conn:
        return list_messages(conn, limit=1000)


def register_project(engine: Engine, cast: Cast, name: str = "Digitaliseringsstrategi") -> int:
    return engine.register_project(name, owner=cast.owner, leader=cast.leader, actor=cast.leader)


def submit_bp1(
    engine: Engine, cast: Cast, project: int, comment: str = "Ingen overlapp funnet"
) -> int:
    """The project manager submits BP1, every item done, one with a comment."""
    bp1 = engine.workflows.current("prosjektveiviseren").gates[0]
    answers = complete_answers(bp1)
    answers["overlap_checked"] = ChecklistAnswer(Answer.NOT_RELEVANT, comment)
    return engine.submit_gate_request(project, answers, linked_documents(bp1), actor=cast.leader)


@contextmanager
def app_with(database_url: str, clock: Clock, **settings: object) -> Iterator[App]:
    """phasegate on the test's database, configured as the test says."""
    built = build(make_settings(database_url, **settings), clock=clock)
    try:
        yield built
    finally:
        built.database.dispose()


@pytest.fixture
def browser(app: App) -> Iterator[httpx.Client]:
    """A browser pointed at the app (no SMTP configured), served for real."""
    with serve(app) as url, httpx.Client(base_url=url, timeout=10) as http:
        yield http


# --- the list -------------------------------------------------------------------------------


def test_the_mailbox_shows_one_email_per_board_member_after_a_bp1_request(
    engine: Engine, cast: Cast, browser: httpx.Client
) -> None:
    empty = browser.get("/dev/mailbox")
    assert empty.status_code == 200
    assert "Ingen e-post ennå" in text_of(empty)

    submit_bp1(engine, cast, register_project(engine, cast))
    page = browser.get("/dev/mailbox")

    assert page.status_code == 200
    assert '<html lang="nb">' in page.text
    words = text_of(page)
    assert "Utviklingspostkasse" in words
    assert "Ingen e-posttjener er satt opp" in words
    assert "Til Emne Status" in words
    listed = rows(page)
    assert {row.to for row in listed} == BOARD_ADDRESSES
    assert len(listed) == 3
    subject = BP1_SUBJECT.format(project="Digitaliseringsstrategi")
    assert all(row.subject == subject for row in listed)
    assert all(row.status == "venter" for row in listed)
    assert all(row.written == "2026-03-02 10:00" for row in listed)  # Oslo time, not UTC


def test_the_mailbox_speaks_english_when_asked(
    engine: Engine, cast: Cast, browser: httpx.Client
) -> None:
    submit_bp1(engine, cast, register_project(engine, cast))

    page = browser.get("/dev/mailbox", params={"lang": "en"})

    assert page.status_code == 200
    assert '<html lang="en">' in page.text
    words = text_of(page)
    assert "Development mailbox" in words
    assert "No mail server is configured" in words
    assert "To Subject Status" in words
    assert "Utviklingspostkasse" not in words
    listed = rows(page)
    assert {row.to for row in listed} == BOARD_ADDRESSES
    assert all(row.status == "waiting" for row in listed)
    # Opening an email keeps the page in English; the email is in the recipient's language.
    assert all(row.href.endswith("?lang=en") for row in listed)
    message = browser.get(listed[0].href)
    assert '<html lang="en">' in message.text
    assert "Plain text" in text_of(message)
    assert "Beslutning trengs" in text_of(message)


def test_the_newest_email_is_at_the_top(
    engine: Engine, cast: Cast, clock: Clock, browser: httpx.Client
) -> None:
    submit_bp1(engine, cast, register_project(engine, cast, "Digitaliseringsstrategi"))
    clock.advance(hours=2)
    submit_bp1(engine, cast, register_project(engine, cast, "Folkehelse"))

    listed = rows(browser.get("/dev/mailbox"))

    assert len(listed) == 6
    assert [row.subject for row in listed] == (
        [BP1_SUBJECT.format(project="Folkehelse")] * 3
        + [BP1_SUBJECT.format(project="Digitaliseringsstrategi")] * 3
    )
    assert [row.written for row in listed] == ["2026-03-02 12:00"] * 3 + ["2026-03-02 10:00"] * 3


# --- one message ----------------------------------------------------------------------------


def test_a_message_shows_recipient_message_id_clickable_links_and_its_html(
    app: App, engine: Engine, cast: Cast, browser: httpx.Client
) -> None:
    submit_bp1(engine, cast, register_project(engine, cast))
    to_hanne = next(row for row in rows(browser.get("/dev/mailbox")) if row.to.startswith("hanne"))
    stored = next(m for m in outbox(app) if m.recipient == "hanne@asker.example")

    page = browser.get(to_hanne.href)

    assert page.status_code == 200
    words = text_of(page)
    assert "Til hanne@asker.example" in words
    assert f"Message-ID {stored.message_id}" in words
    heading = '<h1 class="ds-heading" data-size="md">[phasegate] Beslutning trengs: '
    assert heading + "Digitaliseringsstrategi" in page.text
    assert "Hei Hanne Solberg," in words
    # The plain text, with its four vote links clickable, one per outcome.
    links = CLICKABLE_VOTE_LINK.findall(page.text)
    assert len(links) == 4
    assert all(link.startswith("http://127.0.0.1:8000/decide/") for link in links)
    assert re.search(r"Godkjenn:\s*<a href=", page.text)
    assert (
        '<a href="https://docs.asker.example/concept_mandate.pdf">'
        "https://docs.asker.example/concept_mandate.pdf</a>"
    ) in page.text
    # The HTML version, in a frame.
    frame = re.search(r'<iframe[^>]* src="([^"]+)"', page.text)
    assert frame is not None
    assert frame.group(1) == f"/dev/mailbox/{stored.id}/html"

    shown = browser.get(frame.group(1))

    assert shown.status_code == 200
    assert shown.headers["content-type"].startswith("text/html")
    head = shown.text.split("</head>", 1)[0]
    assert '<base target="_top">' in head, "links in the frame open in the whole window"
    assert "Hei Hanne Solberg," in shown.text
    assert "Godkjenn" in shown.text
    html_links = set(re.findall(r'href="(http://[^"]+/decide/[^"]+)"', shown.text))
    assert html_links == set(links)


def test_an_unknown_message_is_not_found(engine: Engine, cast: Cast, browser: httpx.Client) -> None:
    submit_bp1(engine, cast, register_project(engine, cast))

    assert browser.get("/dev/mailbox/999").status_code == 404
    assert browser.get("/dev/mailbox/999/html").status_code == 404
    assert browser.get("/dev/mailbox/999", params={"lang": "en"}).status_code == 404


def test_markup_in_a_subject_or_body_is_shown_as_text_not_run(
    app: App, engine: Engine, cast: Cast, browser: httpx.Client
) -> None:
    evil = '<script>alert("x")</script>'
    submit_bp1(
        engine, cast, register_project(engine, cast, f"Strategi {evil}"), comment=f"Merk {evil}"
    )
    message = next(m for m in outbox(app) if m.recipient == "hanne@asker.example")
    assert evil in message.subject
    assert evil in message.body_text

    listing = browser.get("/dev/mailbox")
    page = browser.get(f"/dev/mailbox/{message.id}")
    shown = browser.get(f"/dev/mailbox/{message.id}/html")

    for response in (listing, page, shown):
        assert response.status_code == 200
        assert "<script" not in response.text.lower()
    assert "&lt;script&gt;" in listing.text
    assert "Strategi <script>alert" in text_of(page)  # the reader sees the words as typed
    assert "Merk <script>alert" in text_of(page)


def test_an_address_in_a_comment_is_clickable_without_the_punctuation_around_it(
    app: App, engine: Engine, cast: Cast, browser: httpx.Client
) -> None:
    comment = (
        'Se "https://wiki.asker.example/overlapp?aar=2026&del=2" og '
        "<https://wiki.asker.example/plan>, og https://wiki.asker.example/notat."
    )
    submit_bp1(engine, cast, register_project(engine, cast), comment=comment)
    message = next(m for m in outbox(app) if m.recipient == "hanne@asker.example")

    page = browser.get(f"/dev/mailbox/{message.id}")

    assert (
        '&quot;<a href="https://wiki.asker.example/overlapp?aar=2026&amp;del=2">'
        "https://wiki.asker.example/overlapp?aar=2026&amp;del=2</a>&quot;"
    ) in page.text
    assert (
        '&lt;<a href="https://wiki.asker.example/plan">https://wiki.asker.example/plan</a>&gt;,'
    ) in page.text
    assert (
        '<a href="https://wiki.asker.example/notat">https://wiki.asker.example/notat</a>.'
    ) in page.text


# --- a newcomer's first decision ------------------------------------------------------------


def test_a_newcomer_decides_from_the_mailbox_with_no_mail_server(
    database_url: str, clock: Clock
) -> None:
    port = free_port()
    with app_with(database_url, clock, base_url=f"http://127.0.0.1:{port}") as app:
        engine = app.engine
        leader = engine.register_person("Ragnar Husum", "ragnar.husum@asker.example")
        owner = engine.register_person("Ole-Kristian Tangen", "ole-kristian.tangen@asker.example")
        board = [
            engine.register_person(name, f"{name.split()[0].lower()}@asker.example")
            for name in ("Hanne Solberg", "Per Lie", "Ingrid Berg")
        ]
        for member in board:
            engine.grant_role(member, "board")
        cast = Cast(leader, owner, (board[0], board[1], board[2]), leader, leader)
        project = register_project(engine, cast)
        submit_bp1(engine, cast, project)
        trail_before = engine.audit_trail(project)

        with serve(app, port) as url, httpx.Client(base_url=url, timeout=10) as browser:
            # Sent to sign in, the newcomer finds the mailbox in the menu.
            home = browser.get("/", headers={"accept": "text/html"}, follow_redirects=True)
            assert home.url.path == "/login"
            assert 'href="/dev/mailbox?lang=nb">Utviklingspostkasse</a>' in home.text
            mailbox = browser.get("/dev/mailbox?lang=nb")
            to_hanne = next(row for row in rows(mailbox) if row.to == "hanne@asker.example")

            email = browser.get(to_hanne.href)
            approve = re.search(r'Godkjenn:\s*<a href="([^"]+)"', email.text)
            assert approve is not None, email.text
            assert approve.group(1).startswith(f"{url}/decide/")

            clock.advance(minutes=20)
            confirm = browser.get(approve.group(1))
            assert confirm.status_code == 200
            assert "Bekreft stemmen din" in text_of(confirm)
            assert "Digitaliseringsstrategi" in text_of(confirm)
            assert engine.audit_trail(project) == trail_before  # opening decides nothing
            csrf = CSRF_FIELD.search(confirm.text)
            assert csrf is not None

            done = browser.post(
                approve.group(1), data={"comment": "Godt begrunnet", "csrf": csrf.group(1)}
            )

            assert done.status_code == 200
            assert "Stemmen din er registrert" in text_of(done)
            votes = [e for e in engine.audit_trail(project) if e.kind == "VoteCast"]
            assert len(votes) == 1
            assert (votes[0].actor, votes[0].payload["channel"]) == ("Hanne Solberg", "link")

            # The other two board members are told, and it shows at the top of the mailbox.
            newest = rows(browser.get("/dev/mailbox"))[:2]
            assert {row.to for row in newest} == {"per@asker.example", "ingrid@asker.example"}
            assert all("Ny stemme i BP1" in row.subject for row in newest)
            assert all("Hanne Solberg" in row.subject for row in newest)


# --- on, off, and looking changes nothing ---------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "shown"),
    [
        pytest.param({"smtp_url": "smtp://127.0.0.1:1"}, False, id="smtp-configured"),
        pytest.param(
            {"smtp_url": "smtp://127.0.0.1:1", "dev_mailbox": "true"}, True, id="smtp-and-enabled"
        ),
        pytest.param({"dev_mailbox": "false"}, False, id="no-smtp-but-disabled"),
    ],
)
def test_the_mailbox_is_off_with_smtp_unless_it_is_enabled(
    database_url: str, clock: Clock, settings: dict[str, str], shown: bool
) -> None:
    with (
        app_with(database_url, clock, **settings) as app,
        serve(app) as url,
        httpx.Client(base_url=url, timeout=10) as browser,
    ):
        mailbox = browser.get("/dev/mailbox")
        home = browser.get("/login")  # the menu, as anyone sees it

    assert home.status_code == 200
    if shown:
        assert mailbox.status_code == 200
        assert "Utviklingspostkasse" in text_of(mailbox)
        assert 'href="/dev/mailbox?lang=nb">Utviklingspostkasse</a>' in home.text
    else:
        assert mailbox.status_code == 404
        assert "/dev/mailbox" not in home.text
        assert "Utviklingspostkasse" not in home.text


def test_looking_at_the_mailbox_changes_nothing(
    app: App, engine: Engine, cast: Cast, browser: httpx.Client
) -> None:
    project = register_project(engine, cast)
    submit_bp1(engine, cast, project)
    before = outbox(app)
    trail = engine.audit_trail()
    first = before[-1].id
    pages = [
        "/dev/mailbox",
        "/dev/mailbox?lang=en",
        f"/dev/mailbox/{first}",
        f"/dev/mailbox/{first}?lang=en",
        f"/dev/mailbox/{first}/html",
    ]

    for path in pages:
        assert browser.get(path).status_code == 200, path
        assert browser.head(path).status_code == 200, path

    after = outbox(app)
    assert after == before
    assert [m.status for m in after] == ["pending"] * 3
    assert engine.audit_trail() == trail


def test_an_unknown_message_gets_a_page_in_a_browser_and_json_otherwise(
    app: App, cast: Cast
) -> None:
    with serve(app) as url, httpx.Client(base_url=url, timeout=10) as http:
        page = http.get("/dev/mailbox/999999", headers={"accept": "text/html"})
        data = http.get("/dev/mailbox/999999", headers={"accept": "application/json"})

    assert page.status_code == data.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Det gikk ikke" in page.text
    assert "999999" in page.text
    assert data.json()["error"] == "outbox_message_not_found"


def test_production_never_serves_the_mailbox_even_without_smtp(
    database_url: str, clock: Clock
) -> None:
    """The mailbox shows every sign-in and vote link to whoever asks: production has no
    mailbox, with or without SMTP, and refuses to be told to have one."""
    secret = "a-production-secret-that-is-comfortably-longer-than-32-chars"
    settings = make_settings(database_url, env="production", secret_key=secret)
    assert settings.smtp_url is None
    assert not settings.dev_mailbox_enabled
    app = build(settings, clock=clock)
    try:
        with serve(app) as site:
            for path in ("/dev/mailbox", "/dev/sign-in"):
                assert httpx.get(f"{site}{path}").status_code == 404, path
    finally:
        app.database.dispose()
    with pytest.raises(ConfigurationError, match="PHASEGATE_DEV_MAILBOX would show"):
        make_settings(database_url, env="production", secret_key=secret, dev_mailbox="true")
