"""Deciding in phasegate itself: the board's queue and "my decisions", over real HTTP, on
SQLite and PostgreSQL.

The board opens its queue at the meeting, sees every request with what it needs to decide,
and votes from the page under the same rules as an email link. Every refusal leaves the
votes and the audit trail exactly as they were.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import httpx
import pytest

from phasegate.bootstrap import App
from phasegate.domain.model import Answer, Gate
from phasegate.domain.reports import Dimension, ReportContent
from phasegate.domain.rules import ChecklistAnswer, DocumentLink
from phasegate.engine.service import Engine
from tests.factories import Cast, Clock, complete_answers, submit_complete
from tests.web_support import HTML, signed_in
from tests.webserver import serve

MANDATE_URL = "https://docs.asker.example/digitaliseringsstrategi/mandat.pdf"


@pytest.fixture
def site(app: App) -> Iterator[str]:
    with serve(app) as url:
        yield url


@contextmanager
def browser_of(app: App, site: str, person: int) -> Iterator[tuple[httpx.Client, str]]:
    client, csrf = signed_in(app, site, person)
    client.headers.update(HTML)
    try:
        yield client, csrf
    finally:
        client.close()


# --- the story: Digitaliseringsstrategi asks the board to start its concept phase ---------


@dataclass(frozen=True)
class Bp1:
    project: int
    request: int


@pytest.fixture
def bp1(engine: Engine, cast: Cast) -> Bp1:
    project = engine.register_project(
        "Digitaliseringsstrategi", owner=cast.owner, leader=cast.leader, actor=cast.leader
    )
    answers = complete_answers(gate_of(engine, "BP1"))
    answers["overlap_checked"] = ChecklistAnswer(
        Answer.NOT_RELEVANT, "Ingen andre initiativ i porteføljen berører dette"
    )
    documents = [DocumentLink("concept_mandate", MANDATE_URL, "Mandat, versjon 2")]
    request = engine.submit_gate_request(project, answers, documents, actor=cast.leader)
    return Bp1(project, request)


def gate_of(engine: Engine, gate_id: str) -> Gate:
    gate = engine.workflows.current("prosjektveiviseren").gate(gate_id)
    assert gate is not None
    return gate


def vote(
    client: httpx.Client, csrf: str, request: int, outcome: str, comment: str = ""
) -> httpx.Response:
    data = {"outcome": outcome, "comment": comment, "csrf": csrf}
    return client.post(f"/decisions/{request}/vote?lang=en", data=data)


def text_of(page: httpx.Response) -> str:
    """The page's words as a reader sees them: no style, no tags, one space apart."""
    body = re.sub(r"<style>.*?</style>", " ", page.text, flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def decisions_in_trail(engine: Engine, project: int) -> int:
    return sum(entry.kind == "GateDecided" for entry in engine.audit_trail(project))


# --- seeing the queue ---------------------------------------------------------------------


def test_the_board_sees_each_request_with_what_it_needs_to_decide(
    app: App, engine: Engine, cast: Cast, clock: Clock, bp1: Bp1, site: str
) -> None:
    report = engine.start_report(bp1.project, actor=cast.leader)
    content = ReportContent(
        {
            Dimension.OVERALL: "at_risk",
            Dimension.TIME: "on_plan",
            Dimension.COST: "over_budget",
            Dimension.QUALITY: "as_expected",
            Dimension.RISK: "medium",
        },
        {Dimension.COST: "Konsulentbruken er høyere enn planlagt"},
        budget=1_000_000,
        spent=900_000,
        forecast=1_250_000,
    )
    engine.save_report(report, content, actor=cast.leader)
    engine.publish_report(report, actor=cast.leader)
    clock.advance(minutes=30)
    engine.cast_vote(bp1.request, "approve", "Godt begrunnet", channel="link", actor=cast.board[0])
    clock.advance(days=3)  # Monday 2 March to Thursday 5 March 2026

    with browser_of(app, site, cast.board[1]) as (client, _):
        page = client.get("/decisions?lang=en")

    assert page.status_code == 200, page.text
    words, source = text_of(page), page.text
    assert "Digitaliseringsstrategi: BP1 Start the concept phase" in words
    assert "Is the idea worth exploring?" in words  # the gate's purpose
    assert "Submitted by Ragnar Husum" in words
    assert "Waiting for 3 working days" in words
    assert "On the agenda of: Portfolio board meeting" in words
    # the checklist answers, with their comments
    assert "The need and the problem the idea addresses are described. Done" in words
    assert (
        "The portfolio is checked for overlap with ongoing initiatives. Not relevant "
        "Ingen andre initiativ i porteføljen berører dette"
    ) in words
    # the documents, as links
    assert f'href="{MANDATE_URL}" rel="noreferrer noopener">Mandat, versjon 2</a>' in source
    assert "Mandate for the concept phase: Mandat, versjon 2" in words
    # the votes so far
    assert "Hanne Solberg approve" in words
    assert "Godt begrunnet" in words
    # the latest published status report, colours in words too
    assert "Overall assessment At risk Yellow" in words
    assert "Cost Over budget Red Konsulentbruken er høyere enn planlagt" in words
    assert "Time On plan Green" in words
    # the board's five questions as a decision aid
    assert "Is the total uncertainty acceptable, and are the initiatives achievable?" in words
    # Per Lie may still vote: a labelled form per outcome
    assert source.count(f'action="/decisions/{bp1.request}/vote?lang=en"') == 4
    for outcome in ("approve", "rework", "hold", "stop"):
        field = f"comment-{bp1.request}-{outcome}"
        assert f'for="{field}">' in source
        assert f'id="{field}"' in source
    assert "Comment on “rework” (required: say why)" in words
    assert "Comment on “approve” (optional)" in words


def test_my_decisions_lists_only_what_i_have_yet_to_vote_on_in_norwegian(
    app: App, engine: Engine, cast: Cast, bp1: Bp1, site: str
) -> None:
    engine.cast_vote(bp1.request, "approve", "", channel="link", actor=cast.board[0])

    with browser_of(app, site, cast.board[0]) as (voted, _):
        mine_after_voting = text_of(voted.get("/decisions/mine"))
        board_after_voting = text_of(voted.get("/decisions"))
    with browser_of(app, site, cast.board[2]) as (waiting, _):
        mine_waiting = waiting.get("/decisions/mine")

    assert "Du har ingen saker som venter på stemmen din." in mine_after_voting
    assert "Du har stemt «godkjent»" in board_after_voting
    assert mine_waiting.status_code == 200
    assert "Digitaliseringsstrategi: BP1 Start konseptfasen" in text_of(mine_waiting)
    assert "Porteføljestyrets fem spørsmål" in text_of(mine_waiting)


def test_an_anonymous_browser_is_sent_to_sign_in(site: str) -> None:
    with httpx.Client(base_url=site, headers=HTML) as anonymous:
        page = anonymous.get("/decisions/mine")

    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/decisions/mine"


# --- deciding from the page ---------------------------------------------------------------


def test_two_approvals_from_the_page_decide_the_gate_and_the_project_enters_concept(
    app: App, engine: Engine, cast: Cast, bp1: Bp1, site: str
) -> None:
    with browser_of(app, site, cast.board[0]) as (client, csrf):
        first = vote(client, csrf, bp1.request, "approve", "Vel begrunnet")
        assert first.status_code == 303
        assert first.headers["location"] == f"/decisions?done={bp1.request}&lang=en"
        shown = client.get(first.headers["location"])

    assert shown.status_code == 200
    words = text_of(shown)
    assert "Your vote is recorded" in words
    assert "You voted “approve” on BP1: Start the concept phase" in words
    assert "Hanne Solberg approve" in words
    assert "Vel begrunnet" in words
    (recorded,) = engine.gate_request(bp1.request).votes
    assert (recorded.voter_id, recorded.channel, recorded.comment) == (
        cast.board[0],
        "web",
        "Vel begrunnet",
    )
    assert engine.project(bp1.project).phase == "idea"

    with browser_of(app, site, cast.board[1]) as (client, csrf):
        second = vote(client, csrf, bp1.request, "approve")
        done = client.get(second.headers["location"])

    assert second.status_code == 303
    assert "The gate is now decided: approve. The project is now in the Concept phase." in text_of(
        done
    )
    assert engine.gate_request(bp1.request).status == "decided"
    assert engine.project(bp1.project).phase == "concept"
    assert decisions_in_trail(engine, bp1.project) == 1


def test_rework_without_a_comment_is_refused_and_keeps_the_form(
    app: App, engine: Engine, cast: Cast, bp1: Bp1, site: str
) -> None:
    before = engine.audit_trail(bp1.project)

    with browser_of(app, site, cast.board[0]) as (client, csrf):
        page = vote(client, csrf, bp1.request, "rework", "   ")

    assert page.status_code == 400
    assert "Write a comment that says why. Nothing has been recorded." in text_of(page)
    field = f"comment-{bp1.request}-rework"
    assert f'aria-describedby="{field}-error {field}-means" aria-invalid="true"' in page.text
    assert engine.gate_request(bp1.request).votes == ()
    assert engine.audit_trail(bp1.project) == before


def test_someone_who_is_not_a_decider_cannot_vote(
    app: App, engine: Engine, cast: Cast, bp1: Bp1, site: str
) -> None:
    before = engine.audit_trail(bp1.project)

    with browser_of(app, site, cast.outsider) as (client, csrf):
        queue = client.get("/decisions")
        page = vote(client, csrf, bp1.request, "approve")

    assert "You are not among the deciders" in text_of(queue)
    assert "/vote" not in queue.text  # no forms for someone who cannot vote
    assert page.status_code == 403
    assert "Ola Utenfor is not a decider of BP1" in text_of(page)
    assert engine.gate_request(bp1.request).votes == ()
    assert engine.audit_trail(bp1.project) == before


def test_the_project_manager_cannot_decide_their_own_owner_gate(
    app: App, engine: Engine, cast: Cast, site: str
) -> None:
    project = engine.register_project(
        "Ny arkivløsning",
        owner=cast.owner,
        leader=cast.leader,
        phase="planning",
        actor=cast.leader,
    )
    request = submit_complete(engine, project, gate_of(engine, "BP3"), cast.leader)

    with browser_of(app, site, cast.leader) as (client, csrf):
        mine = client.get("/decisions/mine")
        page = vote(client, csrf, request, "approve")
    with browser_of(app, site, cast.owner) as (owner, _):
        owners = owner.get("/decisions/mine?lang=en")

    assert "Ny arkivløsning" not in text_of(mine)
    assert page.status_code == 403
    assert "is the project manager of Ny arkivløsning and cannot decide" in text_of(page)
    assert engine.gate_request(request).votes == ()
    assert engine.project(project).phase == "planning"
    # the owner decides it, from the same page
    assert "Ny arkivløsning: BP3" in text_of(owners)
    assert f'action="/decisions/{request}/vote?lang=en"' in owners.text


def test_a_vote_without_signing_in_is_refused(engine: Engine, bp1: Bp1, site: str) -> None:
    with httpx.Client(base_url=site, headers=HTML) as anonymous:
        page = anonymous.post(
            f"/decisions/{bp1.request}/vote", data={"outcome": "approve", "csrf": "x"}
        )

    assert page.status_code == 401
    assert engine.gate_request(bp1.request).votes == ()


def test_a_vote_without_the_session_s_csrf_value_is_refused(
    app: App, engine: Engine, cast: Cast, bp1: Bp1, site: str
) -> None:
    with browser_of(app, site, cast.board[0]) as (client, _):
        missing = client.post(f"/decisions/{bp1.request}/vote", data={"outcome": "approve"})
        forged = client.post(
            f"/decisions/{bp1.request}/vote", data={"outcome": "approve", "csrf": "0" * 64}
        )

    assert missing.status_code == 403
    assert forged.status_code == 403
    assert engine.gate_request(bp1.request).votes == ()


def test_a_second_click_on_the_deciding_vote_says_already_decided(
    app: App, engine: Engine, cast: Cast, clock: Clock, bp1: Bp1, site: str
) -> None:
    engine.cast_vote(bp1.request, "approve", "", channel="link", actor=cast.board[0])

    with browser_of(app, site, cast.board[1]) as (client, csrf):
        first = vote(client, csrf, bp1.request, "approve")
        clock.advance(seconds=5)
        second = vote(client, csrf, bp1.request, "approve")
    with browser_of(app, site, cast.board[2]) as (late, late_csrf):
        third = vote(late, late_csrf, bp1.request, "stop", "For dyrt")

    assert first.status_code == 303
    assert second.status_code == 409
    assert "Already decided by Per Lie on 2 March 2026" in text_of(second)
    assert third.status_code == 409
    assert "Already decided by Per Lie" in text_of(third)
    assert len(engine.gate_request(bp1.request).votes) == 2
    assert decisions_in_trail(engine, bp1.project) == 1
    assert engine.project(bp1.project).phase == "concept"


def test_the_pages_answer_head_and_show_the_meeting_date(
    app: App, cast: Cast, bp1: Bp1, site: str, engine: Engine
) -> None:
    due = engine.gate_request(bp1.request).due_at
    assert isinstance(due, datetime)

    with browser_of(app, site, cast.board[0]) as (client, _):
        head = client.head("/decisions")
        page = client.get("/decisions")

    assert head.status_code == 200
    assert "På sakslisten til: Porteføljestyremøte" in text_of(page)
