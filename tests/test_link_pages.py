"""Voting from an email link, through the real app over real HTTP, on SQLite and PostgreSQL.

A link only ever shows a confirmation page; the vote is the POST from its one button. Every
refused link gets a page that says why, and leaves the audit trail exactly as it was.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest

from phasegate.bootstrap import App, build
from phasegate.domain.model import Answer, Gate
from phasegate.domain.rules import ChecklistAnswer, DocumentLink
from phasegate.engine.service import Engine
from phasegate.links import LinkSigner
from tests.factories import (
    TEST_SECRET,
    Cast,
    Clock,
    complete_answers,
    make_settings,
    submit_complete,
)
from tests.webserver import serve

OUTCOMES = ("approve", "rework", "hold", "stop")
MANDATE_URL = "https://docs.asker.example/digitaliseringsstrategi/mandat.pdf"
CSRF_FIELD = re.compile(r'name="csrf" value="([0-9a-f]+)"')


# --- the app, served for real -------------------------------------------------------------


@pytest.fixture
def server(app: App) -> Iterator[str]:
    with serve(app) as url:
        yield url


@contextmanager
def app_with(database_url: str, clock: Clock, **settings: object) -> Iterator[App]:
    """A second phasegate on the same database, configured differently."""
    other = build(make_settings(database_url, **settings), clock=clock)
    try:
        yield other
    finally:
        other.database.dispose()


@pytest.fixture
def browser(server: str) -> Iterator[httpx.Client]:
    """A decider's browser: it keeps cookies, as a browser does."""
    with httpx.Client(base_url=server, timeout=10) as http:
        yield http


@pytest.fixture
def signer(app: App) -> LinkSigner:
    """The signer the decision emails use, from the same settings as the app."""
    settings = app.settings
    return LinkSigner(
        app.secret_key, settings.previous_secret_keys(), timedelta(days=settings.link_ttl_days)
    )


# --- the story: Digitaliseringsstrategi asks the board to start its concept phase ---------


@dataclass(frozen=True)
class Bp1:
    project: int
    request: int


def submit_bp1(engine: Engine, cast: Cast) -> Bp1:
    project = engine.register_project(
        "Digitaliseringsstrategi",
        owner=cast.owner,
        leader=cast.leader,
        development_area="Digital innovasjon",
        actor=cast.leader,
    )
    gate = gate_of(engine, "BP1")
    answers = complete_answers(gate)
    answers["overlap_checked"] = ChecklistAnswer(
        Answer.NOT_RELEVANT, "Ingen andre initiativ i porteføljen berører dette"
    )
    documents = [DocumentLink("concept_mandate", MANDATE_URL, "Mandat, versjon 2")]
    request = engine.submit_gate_request(project, answers, documents, actor=cast.leader)
    return Bp1(project, request)


@pytest.fixture
def bp1(engine: Engine, cast: Cast) -> Bp1:
    return submit_bp1(engine, cast)


def gate_of(engine: Engine, gate_id: str) -> Gate:
    gate = engine.workflows.current("prosjektveiviseren").gate(gate_id)
    assert gate is not None
    return gate


def link(signer: LinkSigner, clock: Clock, request: int, person: int, outcome: str) -> str:
    """The path of a vote link, as a decision email carries it."""
    return f"/decide/{signer.issue(request, person, outcome, clock())}"


def open_page(browser: httpx.Client, path: str) -> str:
    """Open the link as the decider does; returns the CSRF field of its form."""
    page = browser.get(path)
    assert page.status_code == 200, page.text
    found = CSRF_FIELD.search(page.text)
    assert found, "the confirmation page has a CSRF field"
    return found.group(1)


def press_button(browser: httpx.Client, path: str, comment: str = "") -> httpx.Response:
    """Open the link, then press the page's button."""
    csrf = open_page(browser, path)
    return browser.post(path, data={"comment": comment, "csrf": csrf})


def state(engine: Engine, bp1: Bp1) -> tuple[Any, ...]:
    """Everything a link could change: the audit trail, the request and the project."""
    return (
        engine.audit_trail(),
        engine.gate_request(bp1.request),
        engine.project(bp1.project),
    )


def text_of(page: httpx.Response) -> str:
    """The page's words as a reader sees them: no style sheet, no tags, one space apart."""
    body = re.sub(r"<style>.*?</style>", " ", page.text, flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


# --- the confirmation page ----------------------------------------------------------------


def test_opening_a_link_shows_the_request_and_changes_nothing(
    engine: Engine, cast: Cast, bp1: Bp1, signer: LinkSigner, clock: Clock, browser: httpx.Client
) -> None:
    clock.advance(minutes=30)
    engine.cast_vote(bp1.request, "approve", "Godt begrunnet", channel="web", actor=cast.board[0])
    path = link(signer, clock, bp1.request, cast.board[1], "approve")
    before = state(engine, bp1)

    page = browser.get(path)

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    source, words = page.text, text_of(page)
    assert '<html lang="nb">' in source
    assert "Bekreft stemmen din" in words
    assert "Hei Per Lie." in words
    assert "Digitaliseringsstrategi" in words
    assert "BP1: Start konseptfasen" in words
    assert "Denne lenken gjelder stemmen: Godkjenn" in words
    assert "går videre til fasen Konsept" in words
    assert "Sendt inn av Ragnar Husum 2. mars 2026 kl. 10.00" in words
    assert "Hanne Solberg, Ingrid Berg, Per Lie (flertallet avgjør)" in words
    # the checklist, with its answers and comments
    assert "Behovet og problemet idéen skal løse er beskrevet. Utført" in words
    assert (
        "Porteføljen er sjekket for overlapp med pågående initiativ. Ikke relevant "
        "Ingen andre initiativ i porteføljen berører dette"
    ) in words
    # the documents, as links that do not pass the token on
    assert f'href="{MANDATE_URL}" rel="noreferrer noopener">Mandat, versjon 2</a>' in source
    assert "Mandat for konseptfasen: Mandat, versjon 2" in words
    # the votes so far, in Oslo time
    assert "Hanne Solberg godkjent 2. mars 2026 kl. 10.30 Godt begrunnet" in words
    # one form, posting back to this very link, with one button and an optional comment
    assert source.count("<form") == 1
    assert f'<form method="post" action="{path}">' in source
    assert source.count("<button") == 1
    assert 'type="submit">Godkjenn</button>' in source
    assert "Kommentar (valgfritt)" in words
    assert "Ingenting blir registrert før du trykker på knappen." in words
    assert "Lenken gjelder til 16. mars 2026 kl. 10.30." in words
    assert "<script" not in source.lower()
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"
    assert "script-src" not in page.headers["content-security-policy"]
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert state(engine, bp1) == before


def test_a_head_request_changes_nothing(
    engine: Engine, cast: Cast, bp1: Bp1, signer: LinkSigner, clock: Clock, browser: httpx.Client
) -> None:
    path = link(signer, clock, bp1.request, cast.board[0], "approve")
    before = state(engine, bp1)

    response = browser.head(path)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.content == b""
    assert state(engine, bp1) == before


@pytest.mark.parametrize("outcome", ["rework", "hold", "stop"])
def test_the_page_says_a_comment_is_required_to_rework_hold_or_stop(
    cast: Cast, bp1: Bp1, signer: LinkSigner, clock: Clock, browser: httpx.Client, outcome: str
) -> None:
    page = browser.get(link(signer, clock, bp1.request, cast.board[0], outcome))

    assert page.status_code == 200
    assert "Kommentar (påkrevd: skriv hvorfor)" in text_of(page)
    assert "required" in page.text[page.text.index("<textarea") :].split(">")[0]


def test_what_others_wrote_is_shown_as_text_never_run(
    engine: Engine, cast: Cast, bp1: Bp1, signer: LinkSigner, clock: Clock, browser: httpx.Client
) -> None:
    engine.cast_vote(
        bp1.request, "rework", "<script>alert('x')</script>", channel="web", actor=cast.board[0]
    )

    page = browser.get(link(signer, clock, bp1.request, cast.board[1], "approve"))

    assert page.status_code == 200
    assert "<script" not in page.text.lower()
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page.text


# --- voting -------------------------------------------------------------------------------


def test_the_button_records_the_vote_as_cast_from_an_email_link(
    engine: Engine, cast: Cast, bp1: Bp1, signer: LinkSigner, clock: Clock, browser: httpx.Client
) -> None:
    path = link(signer, clock, bp1.request, cast.board[0], "approve")

    result = press_button(browser, path, "Viktig for kommunen")

    assert result.status_code == 200
    words = text_of(result)
    assert "Stemmen din er registrert" in words
    assert (
        "Du stemte «godkjent» på BP1: Start konseptfasen for prosjektet Digitaliseringsstrategi."
    ) in words
    assert "Beslutningen venter på stemmer fra de andre beslutningstakerne." in words
    assert "<script" not in result.text.lower()
    (vote,) = engine.gate_request(bp1.request).votes
    assert (vote.voter, vote.outcome, vote.comment, vote.channel) == (
        "Hanne Solberg",
        "approve",
        "Viktig for kommunen",
        "link",
    )
    cast_events = [e for e in engine.audit_trail(bp1.project) if e.kind == "VoteCast"]
    assert [(e.actor_id, e.payload["channel"]) for e in cast_events] == [(cast.board[0], "link")]
    assert engine.project(bp1.project).phase == "idea"


def test_the_second_board_member_s_vote_moves_the_project_to_concept(
    engine: Engine, cast: Cast, bp1: Bp1, signer: LinkSigner, clock: Clock, browser: httpx.Client
) -> None:
    press_button(browser, link(signer, clock, bp1.request, cast.board[0], "approve"))
    clock.advance(hours=2)

    result = press_button(browser, link(signer, clock, bp1.request, cast.board[1], "approve"))

    assert result.status_code == 200
    words = text_of(result)
    assert "Stemmen din er registrert" in words
    assert "Beslutningspunktet er nå avgjort: godkjent." in words
    assert "Prosjektet er nå i fasen Konsept." in words
    assert engine.project(bp1.project).phase == "concept"
    request = engine.gate_request(bp1.request)
    assert (request.status, request.outcome, request.decided_by) == (
        "decided",
        "approve",
        "Per Lie",
    )
    assert [v.channel for v in request.votes] == ["link", "link"]


@pytest.mark.parametrize(
    ("outcome", "outcome_nb", "afterwards", "status"),
    [
        ("approve", "godkjent", "Prosjektet er nå i fasen Gjennomføre.", "active"),
        (
            "rework",
            "bearbeides",
            "Prosjektet blir i fasen Planlegge og kan sende inn på nytt.",
            "active",
        ),
        ("hold", "satt på vent", "Prosjektet er satt på vent i fasen Planlegge.", "on_hold"),
        ("stop", "stanset", "Prosjektet er stanset.", "stopped"),
    ],
)
def test_the_owner_s_vote_decides_an_owner_gate_and_the_page_says_what_happened(
    engine: Engine,
    cast: Cast,
    signer: LinkSigner,
    clock: Clock,
    browser: httpx.Client,
    outcome: str,
    outcome_nb: str,
    afterwards: str,
    status: str,
) -> None:
    project = engine.register_project(
        "Ny arkivløsning", owner=cast.owner, leader=cast.leader, phase="planning", actor=cast.pmo
    )
    request = submit_complete(engine, project, gate_of(engine, "BP3"), cast.leader)

    result = press_button(browser, link(signer, clock, request, cast.owner, outcome), "Begrunnet")

    assert result.status_code == 200
    assert f"Beslutningspunktet er nå avgjort: {outcome_nb}. {afterwards}" in text_of(result)
    assert engine.project(project).status == status


def test_rework_without_a_comment_asks_for_one_and_records_nothing(
    engine: Engine, cast: Cast, bp1: Bp1, signer: LinkSigner, clock: Clock, browser: httpx.Client
) -> None:
    path = link(signer, clock, bp1.request, cast.board[0], "rework")
    csrf = open_page(browser, path)
    before = state(engine, bp1)

    refused = browser.post(path, data={"comment": "  \n ", "csrf": csrf})

    assert refused.status_code == 400
    words = text_of(refused)
    assert "Skriv en kommentar som sier hvorfor. Ingenting er registrert." in words
    assert refused.text.count("<button") == 1, "the form is shown again"
    assert re.search(r"<textarea[^>]*>  \n </textarea>", refused.text), "the text is kept"
    assert state(engine, bp1) == before

    again = browser.post(path, data={"comment": "Mangler kostnadsanslag", "csrf": csrf})

    assert again.status_code == 200
    assert [v.comment for v in engine.gate_request(bp1.request).votes] == ["Mangler kostnadsanslag"]


# --- using a link again -------------------------------------------------------------------


def test_second_click_on_a_link_reports_the_vote_already_cast(
    engine: Engine, cast: Cast, bp1: Bp1, signer: LinkSigner, clock: Clock, browser: httpx.Client
) -> None:
    path = link(signer, clock, bp1.request, cast.board[0], "approve")
    csrf = open_page(browser, path)
    assert browser.post(path, data={"comment": "", "csrf": csrf}).status_code == 200
    clock.advance(hours=1)
    before = state(engine, bp1)

    replay = browser.post(path, data={"comment": "", "csrf": csrf})
    reopened = browser.get(path)
    other_outcome = browser.get(link(signer, clock, bp1.request, cast.board[0], "stop"))

    for page in (replay, reopened, other_outcome):
        assert page.status_code == 409
        words = text_of(page)
        assert "Du har allerede stemt" in words
        assert "Du stemte allerede «godkjent» 2. mars 2026 kl. 10.00." in words
        assert "Ingenting er endret." in words
        assert "<form" not in page.text
    assert state(engine, bp1) == before
    assert len(engine.gate_request(bp1.request).votes) == 1


def test_second_click_on_link_reports_already_decided(
    engine: Engine, cast: Cast, bp1: Bp1, signer: LinkSigner, clock: Clock, browser: httpx.Client
) -> None:
    hanne = link(signer, clock, bp1.request, cast.board[0], "approve")
    per = link(signer, clock, bp1.request, cast.board[1], "approve")
    press_button(browser, hanne)
    clock.advance(minutes=45)
    per_csrf = open_page(browser, per)
    assert browser.post(per, data={"comment": "", "csrf": per_csrf}).status_code == 200
    clock.advance(days=1)
    before = state(engine, bp1)

    replay = browser.post(per, data={"comment": "", "csrf": per_csrf})

    assert replay.status_code == 409
    words = text_of(replay)
    assert "Allerede avgjort" in words
    assert "Allerede avgjort av Per Lie 2. mars 2026 kl. 10.45 (utfall: godkjent)." in words
    assert state(engine, bp1) == before


def test_a_link_to_a_decided_request_shows_who_decided_instead_of_a_form(
    engine: Engine, cast: Cast, bp1: Bp1, signer: LinkSigner, clock: Clock, browser: httpx.Client
) -> None:
    ingrid = link(signer, clock, bp1.request, cast.board[2], "stop")
    csrf = open_page(browser, ingrid)  # opened before the others decided
    clock.advance(hours=3)
    engine.cast_vote(bp1.request, "approve", channel="web", actor=cast.board[0])
    engine.cast_vote(bp1.request, "approve", channel="web", actor=cast.board[1])
    before = state(engine, bp1)

    opened = browser.get(ingrid)
    pressed = browser.post(ingrid, data={"comment": "For dyrt", "csrf": csrf})

    for page in (opened, pressed):
        assert page.status_code == 409
        assert "Allerede avgjort av Per Lie 2. mars 2026 kl. 13.00 (utfall: godkjent)." in (
            text_of(page)
        )
        assert "<form" not in page.text
    assert state(engine, bp1) == before


# --- refused links ------------------------------------------------------------------------


def test_a_tampered_link_is_refused_in_norwegian_and_english(
    engine: Engine, cast: Cast, bp1: Bp1, signer: LinkSigner, clock: Clock, browser: httpx.Client
) -> None:
    path = link(signer, clock, bp1.request, cast.board[0], "approve")
    csrf = open_page(browser, path)
    last = path[-2]
    tampered = path[:-2] + ("A" if last != "A" else "B") + path[-1]
    before = state(engine, bp1)

    opened = browser.get(tampered)
    pressed = browser.post(tampered, data={"comment": "", "csrf": csrf})

    for page in (opened, pressed):
        assert page.status_code == 400
        words = text_of(page)
        assert '<html lang="nb">' in page.text
        assert "Lenken virker ikke" in words
        assert "Lenken er skadet eller ikke laget av phasegate." in words
        assert "This link does not work" in words
        assert "Open it again from the email" in words
        assert "<form" not in page.text
    assert state(engine, bp1) == before


def test_an_expired_link_says_when_it_expired_and_changes_nothing(
    engine: Engine, cast: Cast, bp1: Bp1, signer: LinkSigner, clock: Clock, browser: httpx.Client
) -> None:
    path = link(signer, clock, bp1.request, cast.board[0], "approve")
    csrf = open_page(browser, path)
    clock.advance(days=15)
    before = state(engine, bp1)

    opened = browser.get(path)
    pressed = browser.post(path, data={"comment": "", "csrf": csrf})

    for page in (opened, pressed):
        assert page.status_code == 410
        words = text_of(page)
        assert "Lenken er utløpt" in words
        assert "Lenken gikk ut 16. mars 2026 kl. 10.00." in words
        assert "Be prosjektlederen eller prosjektkontoret om en ny forespørsel" in words
    assert state(engine, bp1) == before
    assert engine.gate_request(bp1.request).votes == ()


def test_a_link_to_a_withdrawn_request_says_so_and_changes_nothing(
    engine: Engine, cast: Cast, bp1: Bp1, signer: LinkSigner, clock: Clock, browser: httpx.Client
) -> None:
    path = link(signer, clock, bp1.request, cast.board[0], "approve")
    csrf = open_page(browser, path)
    engine.withdraw_gate_request(bp1.request, "Mandatet skrives om", actor=cast.leader)
    before = state(engine, bp1)

    opened = browser.get(path)
    pressed = browser.post(path, data={"comment": "", "csrf": csrf})

    for page in (opened, pressed):
        assert page.status_code == 410
        words = text_of(page)
        assert "Forespørselen er trukket" in words
        assert (
            "Forespørselen om BP1 for prosjektet Digitaliseringsstrategi er trukket tilbake."
            in (words)
        )
        assert "Begrunnelse: Mandatet skrives om" in words
        assert "<form" not in page.text
    assert state(engine, bp1) == before


def test_someone_who_does_not_decide_the_gate_is_told_who_does(
    engine: Engine, cast: Cast, bp1: Bp1, signer: LinkSigner, clock: Clock, browser: httpx.Client
) -> None:
    before = state(engine, bp1)

    outsider = browser.get(link(signer, clock, bp1.request, cast.outsider, "approve"))
    leader = browser.get(link(signer, clock, bp1.request, cast.leader, "approve"))

    assert outsider.status_code == 403
    assert '<html lang="en">' in outsider.text, "Ola Utenfor reads English"
    assert "You cannot vote on this request" in text_of(outsider)
    assert (
        "Ola Utenfor is not a decider of BP1 for the project Digitaliseringsstrategi. "
        "The deciders are: Hanne Solberg, Ingrid Berg, Per Lie."
    ) in text_of(outsider)
    assert leader.status_code == 403
    assert "Du kan ikke stemme over denne saken" in text_of(leader)
    assert state(engine, bp1) == before


@pytest.mark.parametrize("forgery", ["no cookie", "no field", "wrong field", "other link's field"])
def test_a_vote_without_the_page_s_csrf_token_is_refused(
    engine: Engine,
    cast: Cast,
    bp1: Bp1,
    signer: LinkSigner,
    clock: Clock,
    browser: httpx.Client,
    forgery: str,
) -> None:
    path = link(signer, clock, bp1.request, cast.board[0], "approve")
    other = link(signer, clock, bp1.request, cast.board[1], "approve")
    csrf = open_page(browser, path)
    data = {"comment": "", "csrf": csrf}
    if forgery == "no cookie":
        browser.cookies.clear()
    elif forgery == "no field":
        del data["csrf"]
    elif forgery == "wrong field":
        data["csrf"] = "0" * len(csrf)
    else:
        data["csrf"] = open_page(browser, other)
    before = state(engine, bp1)

    refused = browser.post(path, data=data)

    assert refused.status_code == 403
    words = text_of(refused)
    assert "Stemmen ble ikke registrert" in words
    assert "Åpne lenken fra e-posten på nytt og trykk på knappen igjen." in words
    assert state(engine, bp1) == before


def test_the_csrf_cookie_is_http_only_and_same_site_strict(
    cast: Cast, bp1: Bp1, signer: LinkSigner, clock: Clock, browser: httpx.Client
) -> None:
    page = browser.get(link(signer, clock, bp1.request, cast.board[0], "approve"))

    cookie = page.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert "path=/decide" in cookie
    assert "secure" not in cookie, "the test server speaks plain http"


def test_links_signed_before_a_key_rotation_still_open(
    engine: Engine, cast: Cast, bp1: Bp1, signer: LinkSigner, clock: Clock, database_url: str
) -> None:
    before_rotation = link(signer, clock, bp1.request, cast.board[0], "approve")
    new_key = "a-brand-new-secret-key-after-the-rotation-of-2026"
    foreign = link(LinkSigner("a-key-nobody-configured"), clock, bp1.request, cast.board[0], "stop")

    with (
        app_with(database_url, clock, secret_key=new_key, old_secret_keys=TEST_SECRET) as rotated,
        serve(rotated) as url,
        httpx.Client(base_url=url, timeout=10) as browser,
    ):
        assert browser.get(foreign).status_code == 400
        result = press_button(browser, before_rotation)

    assert result.status_code == 200
    assert "Stemmen din er registrert" in text_of(result)
    assert [v.channel for v in engine.gate_request(bp1.request).votes] == ["link"]


def test_the_csrf_cookie_is_secure_when_phasegate_is_served_over_https(
    cast: Cast, bp1: Bp1, signer: LinkSigner, clock: Clock, database_url: str
) -> None:
    path = link(signer, clock, bp1.request, cast.board[0], "approve")

    with (
        app_with(database_url, clock, base_url="https://phasegate.asker.example") as behind_tls,
        serve(behind_tls) as url,
    ):
        page = httpx.get(url + path, timeout=10)

    assert page.status_code == 200
    assert "; secure" in page.headers["set-cookie"].lower()


# --- language -----------------------------------------------------------------------------


def test_an_english_speaking_decider_gets_english_pages(
    engine: Engine, cast: Cast, signer: LinkSigner, clock: Clock, browser: httpx.Client
) -> None:
    emma = engine.register_person("Emma Clarke", "emma.clarke@asker.example", "en")
    engine.grant_role(emma, "board")
    bp1 = submit_bp1(engine, cast)
    path = link(signer, clock, bp1.request, emma, "approve")

    page = browser.get(path)
    words = text_of(page)
    assert '<html lang="en">' in page.text
    assert "Confirm your vote" in words
    assert "Hello Emma Clarke." in words
    assert "BP1: Start the concept phase" in words
    assert "This link is for the vote: Approve" in words
    assert "The need and the problem the idea addresses are described. Done" in words
    assert "Nobody has voted yet." in words
    assert "This link is valid until 16 March 2026 at 10:00." in words
    assert "Bekreft" not in words

    result = press_button(browser, path)
    assert "Your vote is recorded" in text_of(result)
    assert "The decision waits for the other deciders' votes." in text_of(result)

    again = browser.get(path)
    assert again.status_code == 409
    assert "You already voted “approve” on 2 March 2026 at 10:00." in text_of(again)


# --- mail scanners ------------------------------------------------------------------------


def test_a_mail_scanner_opening_every_link_changes_nothing(
    engine: Engine, cast: Cast, bp1: Bp1, signer: LinkSigner, clock: Clock, server: str
) -> None:
    """Safe Links, Defender and Mimecast open every link in a message, and every link on
    the pages they reach, with GET and HEAD; none of that may cast a vote."""
    emailed = [
        link(signer, clock, bp1.request, person, outcome)
        for person in cast.board
        for outcome in OUTCOMES
    ]
    before = state(engine, bp1)
    seen: set[str] = set()
    elsewhere: set[str] = set()

    with httpx.Client(base_url=server, timeout=10, follow_redirects=True) as scanner:
        queue = list(emailed)
        while queue:
            path = queue.pop()
            if path in seen:
                continue
            seen.add(path)
            assert scanner.head(path).status_code < 500
            page = scanner.get(path)
            assert page.status_code < 500
            assert "<script" not in page.text.lower()
            for found in re.findall(r'(?:href|action|src)="([^"]+)"', page.text):
                target = urljoin(server + path, found.replace("&amp;", "&"))
                if target.startswith(server):
                    queue.append(target.removeprefix(server) or "/")
                else:
                    elsewhere.add(target)

    assert set(emailed) <= seen
    assert elsewhere == {MANDATE_URL}, "the only way out is the attached document"
    assert state(engine, bp1) == before
    assert engine.gate_request(bp1.request).votes == ()
