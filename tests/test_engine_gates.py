"""Gate requests and votes through the engine, on SQLite and PostgreSQL.

Each refusal is checked for what the user is told and for what it leaves behind: nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from phasegate.bootstrap import App, build
from phasegate.domain.events import GateDecided
from phasegate.domain.model import Answer, Gate
from phasegate.domain.rules import ChecklistAnswer, DocumentLink
from phasegate.engine.service import Engine
from phasegate.engine.views import AuditEntry, GateRequestView, ProjectView
from phasegate.errors import (
    AlreadyDecided,
    AlreadyVoted,
    CommentRequired,
    IncompleteGateRequest,
    NotADecider,
    NotPermitted,
    OwnGateNotAllowed,
    ProjectNotActive,
    RequestAlreadyOpen,
    RequestClosed,
    RuleViolation,
    WorkflowVersionConflict,
)
from tests.factories import (
    WORKFLOWS,
    Cast,
    Clock,
    complete_answers,
    make_settings,
    submit_complete,
)

DEFAULT = "prosjektveiviseren"
DEFAULT_YAML = (WORKFLOWS / f"{DEFAULT}.yaml").read_text(encoding="utf-8")
SHIPPED = int(DEFAULT_YAML.split("\nversion: ", 1)[1].split("\n", 1)[0])  # its version
BP1_DECIDERS = "    deciders: {role: board, policy: majority}\n"
BOARD_NAMES = ("Hanne Solberg", "Ingrid Berg", "Per Lie")  # sorted, as the engine lists them


# --- helpers ------------------------------------------------------------------------------


def gate_of(engine: Engine, gate_id: str, workflow: str = DEFAULT) -> Gate:
    gate = engine.workflows.current(workflow).gate(gate_id)
    assert gate is not None
    return gate


def register(
    engine: Engine,
    cast: Cast,
    name: str = "Digitaliseringsstrategi",
    *,
    leader: int | None = None,
    owner: int | None = None,
    phase: str | None = None,
    workflow: str | None = None,
) -> int:
    return engine.register_project(
        name,
        owner=owner or cast.owner,
        leader=leader or cast.leader,
        development_area="Digital innovasjon",
        phase=phase,
        workflow=workflow,
        actor=cast.leader,
    )


def kinds(engine: Engine, project: int) -> list[str]:
    return [e.kind for e in engine.audit_trail(project)]


def ids(views: list[GateRequestView]) -> list[int]:
    return [v.id for v in views]


Snapshot = tuple[list[AuditEntry], ProjectView, GateRequestView | None]


def snapshot(engine: Engine, project: int, request: int | None = None) -> Snapshot:
    """What a user could see: the whole audit trail, the project and the request."""
    return (
        engine.audit_trail(),
        engine.project(project),
        engine.gate_request(request) if request is not None else None,
    )


def open_bp1(engine: Engine, cast: Cast, name: str = "Digitaliseringsstrategi") -> tuple[int, int]:
    project = register(engine, cast, name)
    return project, submit_complete(engine, project, gate_of(engine, "BP1"), cast.leader)


def open_bp3(engine: Engine, cast: Cast, name: str = "Ny barneskole") -> tuple[int, int]:
    """A project in planning with its owner gate BP3 requested."""
    project = register(engine, cast, name, phase="planning")
    return project, submit_complete(engine, project, gate_of(engine, "BP3"), cast.leader)


@pytest.fixture
def build_app(database_url: str, clock: Clock) -> Iterator[Callable[..., App]]:
    """Builds more apps on the test's database (other workflow dirs, other instances)."""
    built: list[App] = []

    def make(**settings: object) -> App:
        app = build(make_settings(database_url, **settings), clock=clock)
        built.append(app)
        return app

    yield make
    for app in built:
        app.database.dispose()


# --- submitting ---------------------------------------------------------------------------


def test_incomplete_gate_request_lists_every_problem_and_writes_nothing(
    engine: Engine, cast: Cast
) -> None:
    project = register(engine, cast)
    gate = gate_of(engine, "BP1")
    answers = complete_answers(gate)
    del answers["need_described"]
    answers["strategic_fit"] = ChecklistAnswer(Answer.STILL_OPEN, "Venter på kommuneplanen")
    answers["affected_parties"] = ChecklistAnswer(Answer.NOT_RELEVANT)
    answers["weather_checked"] = ChecklistAnswer(Answer.DONE)
    documents = [DocumentLink("concept_mandate", "ftp://filer.asker.example/mandat.pdf")]
    before = snapshot(engine, project)

    with pytest.raises(IncompleteGateRequest) as refused:
        engine.submit_gate_request(project, answers, documents, actor=cast.leader)

    assert [(p.field, p.code) for p in refused.value.problems] == [
        ("item-weather_checked", "checklist_item_unknown"),
        ("item-need_described", "checklist_unanswered"),
        ("item-strategic_fit", "checklist_mandatory"),
        ("item-affected_parties", "checklist_comment_needed"),
        ("doc-concept_mandate", "document_link_invalid"),
        ("doc-concept_mandate", "document_missing"),
    ]
    assert refused.value.params == {"gate": "BP1"}
    assert "  - item-need_described: Not answered. Choose an answer." in refused.value.message

    assert snapshot(engine, project) == before
    assert kinds(engine, project) == ["ProjectRegistered", "PhaseEntered"]
    after = engine.project(project)
    assert (after.phase, after.status, after.open_request) == ("idea", "active", None)
    assert engine.board_pending_decisions() == []
    assert engine.pending_decisions(cast.board[0]) == []

    # once everything is in place the same project can submit
    request = submit_complete(engine, project, gate, cast.leader)
    assert engine.project(project).open_request == request


def test_owner_gate_is_refused_when_the_project_manager_is_the_only_possible_decider(
    engine: Engine, cast: Cast
) -> None:
    project = register(engine, cast, owner=cast.leader, phase="planning")
    gate = gate_of(engine, "BP3")
    with pytest.raises(IncompleteGateRequest) as refused:
        submit_complete(engine, project, gate, cast.leader)
    assert [p.code for p in refused.value.problems] == ["gate_only_manager"]
    assert "cannot decide their own gate" in refused.value.message
    assert engine.project(project).open_request is None


def test_an_import_running_as_the_system_may_submit_a_gate_request(
    engine: Engine, cast: Cast
) -> None:
    """The access rule lets the system (imports, schedulers) act on gate requests."""
    project = register(engine, cast)
    request = submit_complete(engine, project, gate_of(engine, "BP1"), None)
    assert engine.project(project).open_request == request
    assert ids(engine.board_pending_decisions()) == [request]


def test_only_the_project_manager_or_pmo_may_submit_a_gate_request(
    engine: Engine, cast: Cast
) -> None:
    project = register(engine, cast)
    gate = gate_of(engine, "BP1")
    with pytest.raises(NotPermitted) as refused:
        submit_complete(engine, project, gate, cast.outsider)
    assert "only its project manager or the PMO" in refused.value.message
    assert kinds(engine, project) == ["ProjectRegistered", "PhaseEntered"]

    request = submit_complete(engine, project, gate, cast.pmo)
    assert engine.gate_request(request).submitted_by == "Kari Nordmann"


# --- who may vote -------------------------------------------------------------------------


def test_vote_by_an_outsider_is_refused_naming_the_deciders(engine: Engine, cast: Cast) -> None:
    project, request = open_bp1(engine, cast)
    engine.cast_vote(request, "approve", channel="link", actor=cast.board[0])
    before = snapshot(engine, project, request)

    with pytest.raises(NotADecider) as refused:
        engine.cast_vote(request, "approve", channel="link", actor=cast.outsider)

    assert not isinstance(refused.value, OwnGateNotAllowed)
    assert "Ola Utenfor is not a decider of BP1" in refused.value.message
    assert refused.value.params["deciders"] == sorted(BOARD_NAMES)
    assert "The deciders are: Hanne Solberg, Ingrid Berg and Per Lie." in refused.value.message
    assert snapshot(engine, project, request) == before
    assert len(engine.gate_request(request).votes) == 1


def test_pmo_cannot_vote_on_an_owner_gate(engine: Engine, cast: Cast) -> None:
    project, request = open_bp3(engine, cast)
    before = snapshot(engine, project, request)

    with pytest.raises(NotADecider) as refused:
        engine.cast_vote(request, "approve", channel="web", actor=cast.pmo)

    assert "The deciders are: Ole-Kristian Tangen." in refused.value.message
    assert snapshot(engine, project, request) == before
    assert engine.project(project).phase == "planning"


def test_project_manager_cannot_decide_their_own_gate(engine: Engine, cast: Cast) -> None:
    project, request = open_bp3(engine, cast)
    before = snapshot(engine, project, request)

    with pytest.raises(OwnGateNotAllowed) as refused:
        engine.cast_vote(request, "approve", channel="web", actor=cast.leader)

    assert "Ragnar Husum is the project manager of Ny barneskole" in refused.value.message
    assert snapshot(engine, project, request) == before


def test_board_member_who_leads_the_project_is_not_a_decider_of_its_board_gates(
    engine: Engine, cast: Cast
) -> None:
    chair = cast.board[0]
    project = register(engine, cast, "Heltidskultur", leader=chair)
    request = submit_complete(engine, project, gate_of(engine, "BP1"), chair)

    view = engine.gate_request(request)
    assert view.deciders == ("Ingrid Berg", "Per Lie")
    assert engine.pending_decisions(chair) == []
    before = snapshot(engine, project, request)
    with pytest.raises(OwnGateNotAllowed):
        engine.cast_vote(request, "approve", channel="web", actor=chair)
    assert snapshot(engine, project, request) == before

    # a majority of the two remaining members is both of them
    assert not engine.cast_vote(request, "approve", channel="web", actor=cast.board[1]).decided
    assert engine.cast_vote(request, "approve", channel="web", actor=cast.board[2]).decided
    assert engine.project(project).phase == "concept"


# --- votes that come too late or twice ----------------------------------------------------


def test_same_member_voting_twice_reports_already_voted(engine: Engine, cast: Cast) -> None:
    project, request = open_bp1(engine, cast)
    engine.cast_vote(request, "approve", "Godt begrunnet", channel="link", actor=cast.board[0])
    before = snapshot(engine, project, request)

    with pytest.raises(AlreadyVoted) as refused:
        engine.cast_vote(request, "approve", channel="web", actor=cast.board[0])

    assert "Hanne Solberg has already voted 'approve' on BP1" in refused.value.message
    assert snapshot(engine, project, request) == before
    assert [v.channel for v in engine.gate_request(request).votes] == ["link"]


def test_second_vote_after_decision_reports_already_decided(
    engine: Engine, cast: Cast, clock: Clock
) -> None:
    project, request = open_bp1(engine, cast)
    clock.advance(hours=1)
    engine.cast_vote(request, "approve", channel="link", actor=cast.board[0])
    clock.advance(hours=3, minutes=30)  # 2026-03-02 13:30 UTC
    assert engine.cast_vote(request, "approve", channel="link", actor=cast.board[1]).decided
    clock.advance(days=1)
    before = snapshot(engine, project, request)

    with pytest.raises(AlreadyDecided) as refused:
        engine.cast_vote(request, "stop", "For dyrt", channel="link", actor=cast.board[2])

    assert refused.value.params["by"] == "Per Lie"
    assert refused.value.params["at"] == datetime(2026, 3, 2, 13, 30, tzinfo=UTC)
    assert refused.value.message.startswith("Already decided by Per Lie on 2 March 2026 at 13:30")
    assert "approve" in refused.value.message
    assert snapshot(engine, project, request) == before
    assert engine.project(project).phase == "concept"


def test_owner_clicking_approve_twice_is_told_it_is_already_decided(
    engine: Engine, cast: Cast, clock: Clock
) -> None:
    project, request = open_bp3(engine, cast)
    clock.advance(minutes=5)
    engine.cast_vote(request, "approve", channel="link", actor=cast.owner)
    clock.advance(seconds=2)
    with pytest.raises(AlreadyDecided) as refused:
        engine.cast_vote(request, "approve", channel="link", actor=cast.owner)
    assert refused.value.message.startswith(
        "Already decided by Ole-Kristian Tangen on 2 March 2026 at 09:05"
    )
    assert engine.project(project).phase == "execution"
    assert kinds(engine, project).count("VoteCast") == 1


def test_vote_on_a_withdrawn_request_reports_request_closed(engine: Engine, cast: Cast) -> None:
    project, request = open_bp1(engine, cast)
    engine.withdraw_gate_request(request, "Feil vedlegg", actor=cast.leader)
    before = snapshot(engine, project, request)

    with pytest.raises(RequestClosed) as refused:
        engine.cast_vote(request, "approve", channel="link", actor=cast.board[0])

    assert "withdrawn (Feil vedlegg)" in refused.value.message
    assert snapshot(engine, project, request) == before
    assert engine.gate_request(request).votes == ()


# --- outcomes -----------------------------------------------------------------------------


def test_rework_closes_the_request_keeps_the_phase_and_the_project_may_submit_again(
    engine: Engine, cast: Cast
) -> None:
    project, request = open_bp1(engine, cast)
    engine.cast_vote(request, "rework", "Mangler kostnader", channel="web", actor=cast.board[0])
    result = engine.cast_vote(request, "rework", "Enig", channel="web", actor=cast.board[1])

    assert (result.decided, result.outcome) == (True, "rework")
    view = engine.gate_request(request)
    assert (view.status, view.outcome, view.decided_by) == ("decided", "rework", "Per Lie")
    after = engine.project(project)
    assert (after.phase, after.status, after.open_request) == ("idea", "active", None)
    assert engine.board_pending_decisions() == []

    again = submit_complete(engine, project, gate_of(engine, "BP1"), cast.leader)
    assert again != request
    assert engine.project(project).open_request == again


def test_split_board_falls_back_to_rework(engine: Engine, cast: Cast) -> None:
    project, request = open_bp1(engine, cast)
    engine.cast_vote(request, "approve", channel="web", actor=cast.board[0])
    engine.cast_vote(request, "hold", "Vent på budsjett", channel="web", actor=cast.board[1])
    result = engine.cast_vote(
        request, "stop", "Ikke prioritert", channel="web", actor=cast.board[2]
    )

    assert (result.decided, result.outcome) == (True, "rework")
    after = engine.project(project)
    assert (after.phase, after.status) == ("idea", "active")
    assert [v.outcome for v in engine.gate_request(request).votes] == ["approve", "hold", "stop"]


def test_hold_pauses_the_project_until_its_owner_resumes_it(engine: Engine, cast: Cast) -> None:
    project, request = open_bp3(engine, cast)
    gate = gate_of(engine, "BP3")
    result = engine.cast_vote(
        request, "hold", "Venter på budsjett", channel="link", actor=cast.owner
    )

    assert (result.decided, result.project_status) == (True, "on_hold")
    held = engine.project(project)
    assert (held.phase, held.status, held.open_request) == ("planning", "on_hold", None)

    with pytest.raises(ProjectNotActive) as refused:
        submit_complete(engine, project, gate, cast.leader)
    assert "on hold" in refused.value.message

    with pytest.raises(NotPermitted):
        engine.resume_project(project, "Jeg vil videre", actor=cast.outsider)
    assert engine.project(project).status == "on_hold"

    engine.resume_project(project, "Budsjett bevilget", actor=cast.owner)
    resumed = engine.project(project)
    assert (resumed.phase, resumed.status) == ("planning", "active")
    assert kinds(engine, project)[-1] == "ProjectResumed"

    again = submit_complete(engine, project, gate, cast.leader)
    assert engine.cast_vote(again, "approve", channel="link", actor=cast.owner).decided
    assert engine.project(project).phase == "execution"


def test_stop_ends_the_project_for_good(engine: Engine, cast: Cast) -> None:
    project, request = open_bp3(engine, cast)
    result = engine.cast_vote(
        request, "stop", "Ikke lenger prioritert", channel="link", actor=cast.owner
    )

    assert (result.decided, result.outcome) == (True, "stop")
    stopped = engine.project(project)
    assert (stopped.phase, stopped.status) == ("stopped", "stopped")
    assert kinds(engine, project)[-2:] == ["GateDecided", "ProjectStopped"]

    before = snapshot(engine, project)
    with pytest.raises(ProjectNotActive):
        submit_complete(engine, project, gate_of(engine, "BP3"), cast.leader)
    with pytest.raises(ProjectNotActive):
        engine.resume_project(project, "Likevel", actor=cast.owner)
    assert snapshot(engine, project) == before


@pytest.mark.parametrize("outcome", ["rework", "hold", "stop"])
@pytest.mark.parametrize("comment", ["", "   "])
def test_rework_hold_and_stop_need_a_comment(
    engine: Engine, cast: Cast, outcome: str, comment: str
) -> None:
    project, request = open_bp3(engine, cast)
    before = snapshot(engine, project, request)

    with pytest.raises(CommentRequired) as refused:
        engine.cast_vote(request, outcome, comment, channel="link", actor=cast.owner)

    assert f"'{outcome}' vote needs a comment" in refused.value.message
    assert snapshot(engine, project, request) == before
    assert engine.pending_decisions(cast.owner)[0].id == request


def test_approve_needs_no_comment(engine: Engine, cast: Cast) -> None:
    project, request = open_bp3(engine, cast)
    assert engine.cast_vote(request, "approve", channel="link", actor=cast.owner).decided
    assert engine.project(project).phase == "execution"


# --- one open request at a time -----------------------------------------------------------


def test_second_open_request_for_the_same_project_is_refused(engine: Engine, cast: Cast) -> None:
    project, request = open_bp1(engine, cast)
    before = snapshot(engine, project, request)

    with pytest.raises(RequestAlreadyOpen) as refused:
        submit_complete(engine, project, gate_of(engine, "BP1"), cast.leader)

    assert "already has an open request for BP1" in refused.value.message
    assert snapshot(engine, project, request) == before
    assert ids(engine.board_pending_decisions()) == [request]


def test_project_manager_withdraws_a_request_and_may_submit_a_new_one(
    engine: Engine, cast: Cast
) -> None:
    project, request = open_bp1(engine, cast)
    before = snapshot(engine, project, request)

    with pytest.raises(NotPermitted):
        engine.withdraw_gate_request(request, "Jeg liker den ikke", actor=cast.outsider)
    assert snapshot(engine, project, request) == before

    engine.withdraw_gate_request(request, "Nytt mandat kommer", actor=cast.leader)
    view = engine.gate_request(request)
    assert view.status == "withdrawn"
    assert engine.project(project).open_request is None
    assert engine.board_pending_decisions() == []
    assert kinds(engine, project)[-1] == "GateRequestWithdrawn"

    again = submit_complete(engine, project, gate_of(engine, "BP1"), cast.leader)
    assert ids(engine.board_pending_decisions()) == [again]


# --- pending decisions --------------------------------------------------------------------


def test_pending_decisions_lists_what_each_person_still_has_to_decide(
    engine: Engine, cast: Cast, clock: Clock
) -> None:
    _, board_request = open_bp1(engine, cast)
    clock.advance(hours=1)
    _, owner_request = open_bp3(engine, cast)

    assert ids(engine.pending_decisions(cast.board[0])) == [board_request]
    assert ids(engine.pending_decisions(cast.owner)) == [owner_request]
    for bystander in (cast.outsider, cast.pmo, cast.leader):
        assert engine.pending_decisions(bystander) == []

    engine.cast_vote(board_request, "approve", channel="link", actor=cast.board[0])
    assert engine.pending_decisions(cast.board[0]) == []
    assert ids(engine.pending_decisions(cast.board[1])) == [board_request]

    engine.cast_vote(board_request, "approve", channel="link", actor=cast.board[1])
    assert engine.pending_decisions(cast.board[2]) == [], "a decided request is not pending"

    engine.cast_vote(owner_request, "approve", channel="link", actor=cast.owner)
    assert engine.pending_decisions(cast.owner) == []


def test_board_pending_decisions_lists_only_board_gates_with_the_votes_so_far(
    engine: Engine, cast: Cast, clock: Clock
) -> None:
    _, first = open_bp1(engine, cast)
    clock.advance(hours=1)
    open_bp3(engine, cast)
    clock.advance(hours=1)
    _, second = open_bp1(engine, cast, "Heltidskultur")
    engine.cast_vote(first, "approve", "Godt begrunnet", channel="link", actor=cast.board[0])

    queue = engine.board_pending_decisions()

    assert ids(queue) == [first, second]
    assert {v.decider_role for v in queue} == {"board"}
    top = queue[0]
    assert (top.project, top.gate, top.deciders) == ("Digitaliseringsstrategi", "BP1", BOARD_NAMES)
    assert [(v.voter, v.outcome, v.comment, v.channel) for v in top.votes] == [
        ("Hanne Solberg", "approve", "Godt begrunnet", "link")
    ]
    assert queue[1].votes == ()


# --- gates that wait for outside events -------------------------------------------------


@pytest.fixture
def events_engine(build_app: Callable[..., App], tmp_path: Path) -> Engine:
    """An engine whose workflow 'medhendelser' makes BP1 wait for budget_allocated."""
    directory = tmp_path / "workflows"
    directory.mkdir()
    text = DEFAULT_YAML.replace(f"name: {DEFAULT}\n", "name: medhendelser\n", 1)
    text = text.replace(BP1_DECIDERS, BP1_DECIDERS + "    requires_events: [budget_allocated]\n", 1)
    assert text.count("requires_events: [budget_allocated]") == 1
    (directory / "medhendelser.yaml").write_text(text, encoding="utf-8")
    return build_app(workflows_dir=directory).engine


def test_board_approval_waits_for_the_required_event_before_the_project_moves(
    events_engine: Engine, cast: Cast, clock: Clock
) -> None:
    engine = events_engine
    project = register(engine, cast, workflow="medhendelser")
    gate = gate_of(engine, "BP1", "medhendelser")
    request = submit_complete(engine, project, gate, cast.leader)
    assert engine.gate_request(request).awaiting_events == ("budget_allocated",)

    engine.cast_vote(request, "approve", channel="link", actor=cast.board[0])
    result = engine.cast_vote(request, "approve", channel="link", actor=cast.board[1])

    assert not result.decided
    assert result.awaiting_events == ("budget_allocated",)
    waiting = engine.gate_request(request)
    assert (waiting.status, waiting.awaiting_events) == ("open", ("budget_allocated",))
    assert engine.project(project).phase == "idea"
    assert "GateDecided" not in kinds(engine, project)
    assert kinds(engine, project)[-1] == "GateAwaitingEvents"

    clock.advance(days=3)
    assert engine.record_external_event(project, "budget_allocated", source="økonomisystem")

    decided = engine.gate_request(request)
    assert (decided.status, decided.outcome, decided.awaiting_events) == ("decided", "approve", ())
    assert engine.project(project).phase == "concept"
    assert kinds(engine, project)[-3:] == ["ExternalEventRecorded", "GateDecided", "PhaseEntered"]


def test_same_external_event_reported_twice_in_a_phase_counts_once(
    events_engine: Engine, cast: Cast
) -> None:
    engine = events_engine
    project = register(engine, cast, workflow="medhendelser")
    request = submit_complete(engine, project, gate_of(engine, "BP1", "medhendelser"), cast.leader)
    engine.cast_vote(request, "approve", channel="link", actor=cast.board[0])

    assert engine.record_external_event(project, "budget_allocated", source="økonomisystem")
    before = snapshot(engine, project, request)
    assert not engine.record_external_event(project, "budget_allocated", source="økonomisystem")
    assert snapshot(engine, project, request) == before
    assert kinds(engine, project).count("ExternalEventRecorded") == 1
    assert engine.gate_request(request).awaiting_events == ()

    # the event is already in, so the deciding vote moves the project at once
    assert engine.cast_vote(request, "approve", channel="link", actor=cast.board[1]).decided
    assert engine.project(project).phase == "concept"


@pytest.mark.parametrize(
    ("outcome", "status"), [("rework", "active"), ("hold", "on_hold"), ("stop", "stopped")]
)
def test_board_saying_no_is_not_held_back_by_an_awaited_budget_event(
    events_engine: Engine, cast: Cast, outcome: str, status: str
) -> None:
    """Only passing the gate needs the budget; rework, hold or stop must not wait for it."""
    engine = events_engine
    project = register(engine, cast, workflow="medhendelser")
    request = submit_complete(engine, project, gate_of(engine, "BP1", "medhendelser"), cast.leader)
    engine.cast_vote(request, outcome, "Ikke nå", channel="web", actor=cast.board[0])
    result = engine.cast_vote(request, outcome, "Enig", channel="web", actor=cast.board[1])

    assert (result.decided, result.outcome) == (True, outcome)
    assert engine.project(project).status == status
    assert engine.gate_request(request).status == "decided"


# --- workflow versions --------------------------------------------------------------------

NEW_BP1_ITEM = """    checklist:
      - id: risks_assessed
        text:
          nb: De største risikoene er vurdert.
          en: The main risks are assessed.
        mandatory: true
"""


def test_project_keeps_the_workflow_version_it_started_with(
    build_app: Callable[..., App], cast: Cast, tmp_path: Path
) -> None:
    directory = tmp_path / "workflows"
    directory.mkdir()
    path = directory / f"{DEFAULT}.yaml"
    path.write_text(DEFAULT_YAML, encoding="utf-8")
    engine = build_app(workflows_dir=directory).engine
    v1_bp1 = gate_of(engine, "BP1")
    old = register(engine, cast, "Digitaliseringsstrategi")

    edited = DEFAULT_YAML.replace("    checklist:\n", NEW_BP1_ITEM, 1)
    assert edited != DEFAULT_YAML
    path.write_text(edited, encoding="utf-8")
    with pytest.raises(WorkflowVersionConflict) as refused:
        register(engine, cast, "Heltidskultur")
    assert "Raise the version number" in refused.value.message
    assert [p.name for p in engine.portfolio()] == ["Digitaliseringsstrategi"]

    raised = edited.replace(f"\nversion: {SHIPPED}\n", f"\nversion: {SHIPPED + 1}\n", 1)
    path.write_text(raised, encoding="utf-8")
    new = register(engine, cast, "Heltidskultur")

    assert engine.project(new).workflow_version == SHIPPED + 1
    assert engine.project(old).workflow_version == SHIPPED
    # the old project still runs on its version's BP1 checklist, complete for it
    old_request = submit_complete(engine, old, v1_bp1, cast.leader)
    assert "risks_assessed" not in (engine.gate_request(old_request).checklist or {})
    with pytest.raises(IncompleteGateRequest) as incomplete:
        submit_complete(engine, new, v1_bp1, cast.leader)
    assert [p.field for p in incomplete.value.problems] == ["item-risks_assessed"]


def test_refused_registration_leaves_the_workflow_usable_by_another_instance(
    engine: Engine, cast: Cast, build_app: Callable[..., App]
) -> None:
    with pytest.raises(RuleViolation, match="'dream' is not a phase"):
        register(engine, cast, "Ny barneskole", phase="dream")
    project = register(engine, cast, "Ny barneskole")
    submit_complete(engine, project, gate_of(engine, "BP1"), cast.leader)

    second_instance = build_app().engine  # another web process, or this one after a restart
    view = second_instance.project(project)
    assert (view.phase, view.workflow_version) == ("idea", SHIPPED)
    assert len(second_instance.board_pending_decisions()) == 1


def test_a_refused_registration_still_pins_the_version_so_every_instance_agrees(
    build_app: Callable[..., App], cast: Cast, tmp_path: Path
) -> None:
    directory = tmp_path / "workflows"
    directory.mkdir()
    path = directory / f"{DEFAULT}.yaml"
    path.write_text(DEFAULT_YAML, encoding="utf-8")
    engine = build_app(workflows_dir=directory).engine
    original_bp1 = gate_of(engine, "BP1")
    with pytest.raises(RuleViolation, match="'dream' is not a phase"):
        register(engine, cast, "Ny barneskole", phase="dream")

    # The version's text was stored on first use, so an edit needs a new number, even
    # though no project runs on that version yet. No instance can hold a text the database
    # does not have.
    path.write_text(DEFAULT_YAML.replace("    checklist:\n", NEW_BP1_ITEM, 1), encoding="utf-8")
    with pytest.raises(WorkflowVersionConflict, match="Raise the version number"):
        register(engine, cast, "Ny barneskole")

    path.write_text(
        path.read_text(encoding="utf-8").replace(
            f"\nversion: {SHIPPED}\n", f"\nversion: {SHIPPED + 1}\n", 1
        ),
        encoding="utf-8",
    )
    project = register(engine, cast, "Ny barneskole")
    other = build_app(workflows_dir=directory).engine
    for instance in (other, engine):
        with pytest.raises(IncompleteGateRequest) as incomplete:
            submit_complete(instance, project, original_bp1, cast.leader)
        assert [p.field for p in incomplete.value.problems] == ["item-risks_assessed"]
    assert engine.project(project).workflow_version == SHIPPED + 1


# --- nothing half-written -----------------------------------------------------------------


def test_failing_handler_leaves_the_deciding_vote_unwritten(
    app: App, cast: Cast, clock: Clock
) -> None:
    engine = app.engine
    project, request = open_bp1(engine, cast)
    engine.cast_vote(request, "approve", channel="link", actor=cast.board[0])

    def boom(event: GateDecided, uow: object) -> None:
        raise RuntimeError("e-posttjenesten svarer ikke")

    failing = Engine(
        app.engine.database,
        app.engine.workflows,
        clock,
        handlers={**app.engine.handlers, GateDecided: (boom,)},
    )
    clock.advance(hours=1)
    before = snapshot(engine, project, request)

    with pytest.raises(RuntimeError, match="svarer ikke"):
        failing.cast_vote(request, "approve", "Enig", channel="link", actor=cast.board[1])

    assert snapshot(engine, project, request) == before
    view = engine.gate_request(request)
    assert (view.status, len(view.votes)) == ("open", 1)
    assert engine.project(project).phase == "idea"
    assert ids(engine.pending_decisions(cast.board[1])) == [request]

    # nothing was kept, so the member can simply vote again
    assert engine.cast_vote(request, "approve", "Enig", channel="link", actor=cast.board[1]).decided
    assert engine.project(project).phase == "concept"


def test_editing_only_comments_keeps_the_version_usable(
    build_app: Callable[..., App], cast: Cast, tmp_path: Path
) -> None:
    directory = tmp_path / "workflows"
    directory.mkdir()
    path = directory / f"{DEFAULT}.yaml"
    path.write_text(DEFAULT_YAML, encoding="utf-8")
    engine = build_app(workflows_dir=directory).engine
    register(engine, cast, "Før kommentaren")

    path.write_text("# Endret av prosjektkontoret\n" + DEFAULT_YAML, encoding="utf-8")
    later = register(engine, cast, "Etter kommentaren")

    assert engine.project(later).workflow_version == SHIPPED


def test_a_vote_with_an_unknown_decision_or_channel_is_refused_plainly(
    engine: Engine, cast: Cast
) -> None:
    project, request = open_bp1(engine, cast)
    before = snapshot(engine, project, request)

    with pytest.raises(RuleViolation, match="'maybe' is not a valid choice; use one of: approve"):
        engine.cast_vote(request, "maybe", channel="web", actor=cast.board[0])
    with pytest.raises(RuleViolation, match="'fax' is not a valid choice; use one of: web") as fax:
        engine.cast_vote(request, "approve", channel="fax", actor=cast.board[0])

    assert fax.value.field == "channel"

    assert snapshot(engine, project, request) == before
