"""Gate operations at the edge: submit, vote, withdraw, decide.

Each function runs inside one :class:`UnitOfWork`. The rules themselves are in
:mod:`phasegate.domain.rules`; here we load rows, lock them, call the rules, write rows
and emit events.

Exactly-once decisions: a vote first locks its gate request row (``FOR UPDATE`` on
PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` serialises writers), so concurrent deciding votes
queue, and each later one finds the request already decided. The project row is changed
only by an UPDATE that names the version it read, so a transition that somehow slipped
past that lock fails instead of applying twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    and_,
    bindparam,
    insert,
    select,
    update,
)

from phasegate.domain import events as ev
from phasegate.domain.machine import PhaseMachine
from phasegate.domain.model import DeciderRole, Gate, Outcome, Policy, ProjectStatus
from phasegate.domain.problems import Invalid, Problem
from phasegate.domain.rules import (
    ChecklistAnswer,
    DocumentLink,
    comment_required,
    events_still_awaited,
    missing_for_submission,
    requirements_unmet,
    tally,
)
from phasegate.engine.access import require_manager_or_pmo
from phasegate.engine.business_case import requirements_met
from phasegate.engine.lookups import (
    Q_OPEN_REQUEST,
    OpenRequest,
    ProjectState,
    RequestState,
    board_members,
    get_project,
    lock_project_for_request,
    lock_request,
)
from phasegate.engine.unit import UnitOfWork
from phasegate.engine.views import VoteResult
from phasegate.errors import (
    AlreadyDecided,
    AlreadyVoted,
    CommentRequired,
    ConcurrentUpdate,
    IncompleteGateRequest,
    NotADecider,
    OwnGateNotAllowed,
    ProjectNotActive,
    RequestAlreadyOpen,
    RequestClosed,
    RuleViolation,
)
from phasegate.storage.tables import ExternalEvent, GateRequest, GateRequestDecider, Project, Vote

Q_RECEIVED = select(ExternalEvent.kind).where(
    ExternalEvent.project_id == bindparam("project"), ExternalEvent.phase == bindparam("phase")
)
W_REQUEST = insert(GateRequest).returning(GateRequest.id)
W_DECIDER = insert(GateRequestDecider)
W_VOTE = insert(Vote)
W_CLOSE_REQUEST = (
    update(GateRequest)
    .where(and_(GateRequest.id == bindparam("request"), GateRequest.status == "open"))
    .values(
        status=bindparam("status"),
        outcome=bindparam("outcome"),
        decided_by=bindparam("decided_by"),
        decided_at=bindparam("at"),
        closed_reason=bindparam("reason"),
    )
)
W_PROJECT_STATE = (
    update(Project)
    .where(and_(Project.id == bindparam("project"), Project.version == bindparam("seen")))
    .values(
        phase=bindparam("phase"),
        status=bindparam("status"),
        phase_entered_at=bindparam("entered"),
        version=Project.version + 1,
    )
)


def submit_gate_request(
    uow: UnitOfWork,
    project_id: int,
    answers: Mapping[str, ChecklistAnswer],
    documents: Sequence[DocumentLink],
    gate_id: str | None = None,
) -> int:
    """Ask the deciders to pass the project's next gate; refused while anything is missing."""
    project, open_request = lock_project_for_request(uow, project_id)
    require_manager_or_pmo(uow, project, "submit_gate_request")
    require_active(project)
    workflow = uow.workflows.pinned(uow.conn, project.workflow_name, project.workflow_version)
    gate = _gate_to_request(workflow.definition.gates_from(project.phase), project, gate_id)
    _refuse_second_open_request(project, open_request)
    missing = missing_for_submission(gate, answers, documents)
    if gate.requires:
        missing += requirements_unmet(gate, requirements_met(uow.conn, project.id))
    deciders = _resolve_deciders(uow, gate, project, missing)
    if missing:
        raise IncompleteGateRequest(gate.id, missing)
    request_id = int(
        uow.scalar(
            W_REQUEST,
            project_id=project.id,
            gate_id=gate.id,
            from_phase=project.phase,
            to_phase=gate.to,
            policy=gate.deciders.policy.value,
            decider_role=gate.deciders.role.value,
            status="open",
            checklist={
                k: {"answer": a.answer.value, "comment": a.comment} for k, a in answers.items()
            },
            documents={"links": [vars(d) for d in documents]},
            submitted_by=uow.actor.person,
            submitted_at=uow.now,
        )
    )
    uow.conn.execute(W_DECIDER, [{"request_id": request_id, "person_id": p} for p in deciders])
    uow.emit(
        ev.GateRequested(
            project=project.id,
            request=request_id,
            gate=gate.id,
            from_phase=project.phase,
            to=gate.to,
            deciders=tuple(deciders),
            policy=gate.deciders.policy.value,
            awaiting_events=awaited_events(uow, gate, project.id, project.phase),
        )
    )
    return request_id


def may_submit(uow: UnitOfWork, project_id: int) -> bool:
    """Whether the acting person could submit a gate request for the project now, by the
    rules :func:`submit_gate_request` applies (who, an active project, none open); read
    without a lock, for a page deciding whether to offer the form."""
    project = get_project(uow, project_id)
    try:
        require_manager_or_pmo(uow, project, "submit_gate_request")
        require_active(project)
    except RuleViolation:
        return False
    return uow.one(Q_OPEN_REQUEST, project=project_id) is None


def require_active(project: ProjectState) -> None:
    if project.status == ProjectStatus.ACTIVE:
        return
    if project.status == ProjectStatus.ON_HOLD:
        raise ProjectNotActive("on_hold", project=project.name)
    ended = "stopped" if project.status == ProjectStatus.STOPPED else "completed"
    raise ProjectNotActive(ended, project=project.name)


def _gate_to_request(
    candidates: tuple[Gate, ...], project: ProjectState, gate_id: str | None
) -> Gate:
    if gate_id is not None:
        chosen = next((g for g in candidates if g.id == gate_id), None)
        if chosen is None:
            raise RuleViolation(
                "gate_not_from_phase",
                field="gate",
                project=project.name,
                phase=project.phase,
                gate=gate_id,
                gates=[g.id for g in candidates],
            )
        return chosen
    if len(candidates) != 1:
        raise RuleViolation(
            "gate_unspecified",
            field="gate",
            project=project.name,
            phase=project.phase,
            gates=[g.id for g in candidates],
        )
    return candidates[0]


def _refuse_second_open_request(project: ProjectState, existing: OpenRequest | None) -> None:
    if existing is not None:
        raise RequestAlreadyOpen(
            project=project.name, gate=existing.gate_id, submitted_at=existing.submitted_at
        )


def _resolve_deciders(
    uow: UnitOfWork, gate: Gate, project: ProjectState, missing: list[Problem]
) -> list[int]:
    """The people who decide this gate for this project; never its project manager."""
    if gate.deciders.role is DeciderRole.OWNER:
        if project.owner_id is None:
            missing.append(Problem.of("gate_no_owner", project=project.name, gate=gate.id))
            return []
        candidates = [project.owner_id]
    else:
        candidates = board_members(uow)
        if not candidates:
            missing.append(Problem.of("gate_no_board", gate=gate.id))
            return []
    deciders = [p for p in candidates if p != project.leader_id]
    if not deciders:
        missing.append(Problem.of("gate_only_manager", gate=gate.id))
    return deciders


def awaited_events(uow: UnitOfWork, gate: Gate, project_id: int, phase: str) -> tuple[str, ...]:
    """The outside events the gate still waits for (none asked: no query)."""
    if not gate.requires_events:
        return ()
    received = {
        str(kind)
        for kind in uow.conn.execute(Q_RECEIVED, {"project": project_id, "phase": phase}).scalars()
    }
    return events_still_awaited(gate, received)


def cast_vote(
    uow: UnitOfWork, request_id: int, outcome: Outcome, comment: str, channel: str
) -> VoteResult:
    """Record one decider's vote and, when the policy is met, decide the gate."""
    voter = uow.actor.person
    if voter is None:
        raise NotADecider("system")
    request, project, ballot = lock_request(uow, request_id)
    refuse_closed(uow, request)
    deciders, votes = set(ballot.deciders), dict(ballot.votes)
    if voter == project.leader_id:
        raise OwnGateNotAllowed(person=uow.actor_name, project=project.name, gate=request.gate_id)
    if voter not in deciders:
        raise NotADecider(
            "person",
            person=uow.actor_name,
            gate=request.gate_id,
            project=project.name,
            deciders=sorted(uow.name_of(p) for p in deciders),
        )
    if voter in votes:
        raise AlreadyVoted(
            person=uow.actor_name, vote=votes[voter], gate=request.gate_id, project=project.name
        )
    if comment_required(outcome, comment):
        raise CommentRequired(outcome.value, field="comment", outcome=outcome.value)
    uow.conn.execute(
        W_VOTE,
        {
            "request_id": request.id,
            "voter_id": voter,
            "outcome": outcome.value,
            "comment": comment.strip(),
            "channel": channel,
            "cast_at": uow.now,
        },
    )
    uow.emit(
        ev.VoteCast(
            project=project.id,
            request=request.id,
            gate=request.gate_id,
            voter=voter,
            outcome=outcome.value,
            comment=comment.strip(),
            channel=channel,
        )
    )
    votes[voter] = outcome.value
    decision = decide_if_ready(uow, request, project, deciders, votes, decided_by=voter)
    return VoteResult(
        request=request.id,
        decided=decision.outcome is not None,
        outcome=decision.outcome,
        project_phase=decision.phase or project.phase,
        project_status=decision.status or project.status,
        awaiting_events=decision.awaiting,
    )


def refuse_closed(uow: UnitOfWork, request: RequestState) -> None:
    if request.status == "decided":
        who = uow.name_of(request.decided_by) if request.decided_by else "system"
        assert request.decided_at is not None
        assert request.outcome is not None
        raise AlreadyDecided(who, request.decided_at, request.outcome)
    if request.status == "withdrawn":
        raise RequestClosed("withdrawn", gate=request.gate_id, why=request.closed_reason or "")


@dataclass(frozen=True)
class Decision:
    """What :func:`decide_if_ready` did: decided (outcome, new phase) or what it awaits."""

    outcome: str | None = None
    phase: str | None = None
    status: str | None = None
    awaiting: tuple[str, ...] = ()


def decide_if_ready(
    uow: UnitOfWork,
    request: RequestState,
    project: ProjectState,
    deciders: set[int],
    votes: Mapping[int, str],
    decided_by: int,
) -> Decision:
    """Decide the gate if the votes meet its policy (and, to approve, no event is awaited)."""
    outcome = tally(Policy(request.policy), deciders, {v: Outcome(o) for v, o in votes.items()})
    if outcome is None:
        return Decision()
    workflow = uow.workflows.pinned(uow.conn, project.workflow_name, project.workflow_version)
    gate = workflow.definition.gate(request.gate_id)
    assert gate is not None  # the request was made from this very definition
    # Only moving on waits for outside events; rework, hold and stop never need a budget.
    awaiting = (
        awaited_events(uow, gate, project.id, project.phase) if outcome is Outcome.APPROVE else ()
    )
    if awaiting:
        uow.emit(
            ev.GateAwaitingEvents(
                project=project.id, request=request.id, gate=gate.id, awaiting=awaiting
            )
        )
        return Decision(awaiting=awaiting)
    closed = uow.conn.execute(
        W_CLOSE_REQUEST,
        {
            "request": request.id,
            "status": "decided",
            "outcome": outcome.value,
            "decided_by": decided_by,
            "at": uow.now,
            "reason": None,
        },
    )
    if closed.rowcount != 1:  # pragma: no cover - the row lock makes this unreachable
        raise ConcurrentUpdate()
    uow.emit(
        ev.GateDecided(
            project=project.id,
            request=request.id,
            gate=gate.id,
            outcome=outcome.value,
            decided_by=decided_by,
            votes=tuple(sorted(votes.items())),
        )
    )
    phase, status = _apply_outcome(uow, project, gate, outcome, workflow.machine)
    return Decision(outcome.value, phase, status)


def _apply_outcome(
    uow: UnitOfWork, project: ProjectState, gate: Gate, outcome: Outcome, machine: PhaseMachine
) -> tuple[str, str]:
    """Move the project as the decision says; returns its new phase and status."""
    phase, status, entered = project.phase, project.status, None
    if outcome is Outcome.APPROVE:
        phase = _moved(lambda: machine.pass_gate(project.phase, gate.id))
        entered = uow.now
        if phase == machine.definition.completed:
            status = ProjectStatus.COMPLETED.value
            uow.emit(ev.ProjectCompleted(project=project.id, gate=gate.id))
        else:
            uow.emit(ev.PhaseEntered(project=project.id, phase=phase, via_gate=gate.id))
    elif outcome is Outcome.HOLD:
        status = ProjectStatus.ON_HOLD.value
        uow.emit(ev.ProjectHeld(project=project.id, phase=project.phase, gate=gate.id))
    elif outcome is Outcome.STOP:
        phase = _moved(lambda: machine.stop(project.phase))
        entered = uow.now
        status = ProjectStatus.STOPPED.value
        uow.emit(ev.ProjectStopped(project=project.id, phase=project.phase, gate=gate.id))
    else:  # rework: the request is closed; the project stays and may submit again
        return phase, status
    set_project_state(uow, project, phase=phase, status=status, entered=entered)
    return phase, status


def _moved(move: Callable[[], str]) -> str:
    """The phase machine's move; a move the workflow does not have is refused as a broken
    rule, with the machine's problem."""
    try:
        return move()
    except Invalid as exc:
        raise RuleViolation("transition", problems=exc.problems) from exc


def set_project_state(
    uow: UnitOfWork, project: ProjectState, *, phase: str, status: str, entered: Any = None
) -> None:
    """Change the project row, but only if nobody changed it since we read it."""
    result = uow.conn.execute(
        W_PROJECT_STATE,
        {
            "project": project.id,
            "seen": project.version,
            "phase": phase,
            "status": status,
            "entered": entered or project.phase_entered_at,
        },
    )
    if result.rowcount != 1:
        raise ConcurrentUpdate("project", project=project.name)


def withdraw_gate_request(uow: UnitOfWork, request_id: int, reason: str) -> None:
    request, project, _ = lock_request(uow, request_id)
    refuse_closed(uow, request)
    require_manager_or_pmo(uow, project, "withdraw_gate_request")
    uow.conn.execute(
        W_CLOSE_REQUEST,
        {
            "request": request.id,
            "status": "withdrawn",
            "outcome": None,
            "decided_by": None,
            "at": uow.now,
            "reason": reason.strip() or "withdrawn",
        },
    )
    uow.emit(
        ev.GateRequestWithdrawn(
            project=project.id, request=request.id, gate=request.gate_id, reason=reason.strip()
        )
    )
