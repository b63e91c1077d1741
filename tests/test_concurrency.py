"""Decisions happen exactly once, however many deciding votes arrive at the same moment."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from phasegate.engine.service import Engine
from phasegate.engine.views import VoteResult
from phasegate.errors import AlreadyDecided, AlreadyVoted, PhasegateError, RequestAlreadyOpen
from tests.factories import Cast, submit_complete

THREADS = 20


def _race(calls: list[tuple[int, str]], vote: object) -> list[VoteResult | PhasegateError]:
    """Run every call at the same instant, each on its own thread and connection."""
    barrier = threading.Barrier(len(calls))

    def one(call: tuple[int, str]) -> VoteResult | PhasegateError:
        barrier.wait()
        try:
            return vote(*call)  # type: ignore[operator,no-any-return]
        except PhasegateError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(one, calls))


def test_twenty_simultaneous_deciding_votes_move_the_project_exactly_once(
    engine: Engine, cast: Cast
) -> None:
    # A board of 39 decides by majority (20 votes). 19 have approved; each of the other 20
    # members now casts what would be the deciding vote, all at once.
    board = list(cast.board)
    for i in range(39 - len(board)):
        member = engine.register_person(f"Styremedlem {i}", f"styre{i}@asker.example")
        engine.grant_role(member, "board")
        board.append(member)
    project = engine.register_project("Samtidighet", owner=cast.owner, leader=cast.leader)
    gate = engine.workflows.current("prosjektveiviseren").gates[0]
    request = submit_complete(engine, project, gate, cast.leader)
    for member in board[:19]:
        assert not engine.cast_vote(request, "approve", channel="api", actor=member).decided

    def vote(member: int, comment: str) -> VoteResult:
        return engine.cast_vote(request, "approve", comment, channel="link", actor=member)

    results = _race([(m, "ja") for m in board[19:]], vote)

    winners = [r for r in results if isinstance(r, VoteResult)]
    losers = [r for r in results if not isinstance(r, VoteResult)]
    assert len(winners) == 1
    assert winners[0].decided
    assert winners[0].project_phase == "concept"
    assert len(losers) == THREADS - 1
    assert all(isinstance(e, AlreadyDecided) for e in losers), losers
    assert all("Already decided by" in e.message for e in losers)

    assert engine.project(project).phase == "concept"
    kinds = Counter(e.kind for e in engine.audit_trail(project))
    assert kinds["GateDecided"] == 1
    assert kinds["VoteCast"] == 20
    assert kinds["PhaseEntered"] == 2  # idea at registration, concept once
    assert len(engine.gate_request(request).votes) == 20


def test_the_same_vote_sent_many_times_at_once_is_recorded_once(engine: Engine, cast: Cast) -> None:
    project = engine.register_project(
        "Dobbeltklikk", owner=cast.owner, leader=cast.leader, phase="planning"
    )
    gate = engine.workflows.current("prosjektveiviseren").gate("BP3")
    assert gate is not None
    request = submit_complete(engine, project, gate, cast.leader)

    def vote(member: int, comment: str) -> VoteResult:
        return engine.cast_vote(request, "approve", comment, channel="link", actor=member)

    results = _race([(cast.owner, "godkjent")] * 10, vote)

    assert sum(isinstance(r, VoteResult) for r in results) == 1
    refused = [r for r in results if not isinstance(r, VoteResult)]
    assert all(isinstance(e, AlreadyDecided | AlreadyVoted) for e in refused), refused
    assert engine.project(project).phase == "execution"
    kinds = Counter(e.kind for e in engine.audit_trail(project))
    assert (kinds["VoteCast"], kinds["GateDecided"]) == (1, 1)


def test_two_votes_that_together_make_the_majority_decide_the_gate_once(
    engine: Engine, cast: Cast
) -> None:
    """A board of three decides by two approvals. Two members approve at the same instant:
    the second to get the lock must count the first's vote, so one of them decides."""
    gate = engine.workflows.current("prosjektveiviseren").gates[0]
    for round_ in range(8):
        project = engine.register_project(
            f"Samtidig flertall {round_}", owner=cast.owner, leader=cast.leader
        )
        request = submit_complete(engine, project, gate, cast.leader)

        def vote(member: int, comment: str, request: int = request) -> VoteResult:
            return engine.cast_vote(request, "approve", comment, channel="api", actor=member)

        results = _race([(cast.board[0], "ja"), (cast.board[1], "ja")], vote)

        assert all(isinstance(r, VoteResult) for r in results), results
        assert sorted(r.decided for r in results if isinstance(r, VoteResult)) == [False, True]
        assert engine.project(project).phase == "concept", f"round {round_}"
        kinds = Counter(e.kind for e in engine.audit_trail(project))
        assert (kinds["VoteCast"], kinds["GateDecided"]) == (2, 1)


def test_two_gate_requests_at_once_leave_one_open_and_tell_the_other_why(
    engine: Engine, cast: Cast
) -> None:
    """The manager and the PMO ask for BP1 at the same instant: one request is opened,
    and the other is told which request is already open (not a generic clash)."""
    gate = engine.workflows.current("prosjektveiviseren").gates[0]
    for round_ in range(6):
        project = engine.register_project(
            f"Samtidig søknad {round_}", owner=cast.owner, leader=cast.leader
        )

        def ask(person: int, _comment: str, project: int = project) -> int:
            return submit_complete(engine, project, gate, person)

        results = _race([(cast.leader, ""), (cast.pmo, "")], ask)

        opened = [r for r in results if isinstance(r, int)]
        refused = [r for r in results if not isinstance(r, int)]
        assert len(opened) == 1, results
        assert [type(e) for e in refused] == [RequestAlreadyOpen], refused
        assert "already has an open request for BP1" in refused[0].message
