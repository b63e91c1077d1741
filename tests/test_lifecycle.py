"""A project's whole life, idea to completed, told by its audit trail."""

from __future__ import annotations

from phasegate.domain.model import DeciderRole
from phasegate.engine.service import Engine
from tests.factories import Cast, Clock, submit_complete


def test_project_passes_all_six_gates_and_the_audit_trail_tells_the_story(
    engine: Engine, cast: Cast, clock: Clock
) -> None:
    project = engine.register_project(
        "Digitaliseringsstrategi",
        owner=cast.owner,
        leader=cast.leader,
        development_area="Digital innovasjon",
        actor=cast.leader,
    )
    workflow = engine.workflows.current("prosjektveiviseren")
    expected_phases = ["concept", "planning", "execution", "closing", "realisation", "completed"]
    for gate, after in zip(workflow.gates, expected_phases, strict=True):
        clock.advance(days=7)
        request = submit_complete(engine, project, gate, cast.leader)
        if gate.deciders.role is DeciderRole.BOARD:
            first = engine.cast_vote(
                request, "approve", "Godt begrunnet", channel="link", actor=cast.board[0]
            )
            assert not first.decided, "one of three is not a majority"
            assert engine.project(project).phase == gate.from_phase
            clock.advance(hours=2)
            result = engine.cast_vote(request, "approve", channel="web", actor=cast.board[2])
        else:
            result = engine.cast_vote(request, "approve", channel="link", actor=cast.owner)
        assert result.decided
        assert result.outcome == "approve"
        assert engine.project(project).phase == after

    final = engine.project(project)
    assert final.phase == "completed"
    assert final.status == "completed"

    trail = engine.audit_trail(project)
    story = [(e.kind, e.payload.get("gate") or e.payload.get("phase")) for e in trail]
    expected: list[tuple[str, str | None]] = [
        ("ProjectRegistered", "idea"),
        ("PhaseEntered", "idea"),
    ]
    for gate, after in zip(workflow.gates, expected_phases, strict=True):
        if gate.requires:  # BP3: the manager gives the project its baselined benefit first
            expected.extend([("BenefitAdded", None), ("IndicatorAdded", None)])
        expected.append(("GateRequested", gate.id))
        votes = 2 if gate.deciders.role is DeciderRole.BOARD else 1
        expected.extend([("VoteCast", gate.id)] * votes)
        expected.append(("GateDecided", gate.id))
        expected.append(
            ("ProjectCompleted", gate.id) if after == "completed" else ("PhaseEntered", after)
        )
    assert story == expected
    assert [e.occurred_at for e in trail] == sorted(e.occurred_at for e in trail)

    bp1_votes = [e for e in trail if e.kind == "VoteCast" and e.payload["gate"] == "BP1"]
    assert [(e.actor, e.payload["channel"], e.payload["comment"]) for e in bp1_votes] == [
        ("Hanne Solberg", "link", "Godt begrunnet"),
        ("Ingrid Berg", "web", ""),
    ]
    decided = next(e for e in trail if e.kind == "GateDecided" and e.payload["gate"] == "BP1")
    assert decided.actor == "Ingrid Berg"
    assert decided.payload["outcome"] == "approve"
