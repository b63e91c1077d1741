"""Gate operations at the edge: submit, vote, withdraw, decide.

Each function runs inside one :class:`UnitOfWork`. The rules themselves are in
:mod:`phasegate.domain.rules`; here we load rows, lock them, call the rules, write rows
and emit events.

Exactly-once decisions: a vote first locks its gate request row (``FOR UPDATE`` on
PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` serialises writers), so concurrent deciding votes
queue, and each later one sees the request already decided. The project's ``version``
column makes any transition that slipped past that lock fail instead of applying twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import insert, select

from phasegate.domain import events as ev
from phasegate.domain.machine import PhaseMachine
from phasegate.domain.model import (
    DeciderRole,
    Gate,
    Outcome,
    Policy,
    ProjectStatus,
    WorkflowDefinition,
)
from phasegate.domain.rules import (
    ChecklistAnswer,
    DocumentLink,
    comment_required,
    events_still_awaited,
    missing_for_submission,
    tally,
)
from phasegate.engine.access import require_manager_or_pmo
from phasegate.engine.lookups import (
    board_members,
    get_project,
    lock_project,
    lock_request,
    person_name,
)
from phasegate.engine.unit import UnitOfWork
from phasegate.engine.views import VoteResult
from phasegate.errors import (
    AlreadyDecided,
    AlreadyVoted,
    CommentRequired,
    IncompleteGateRequest,
    NotADecider,
    OwnGateNotAllowed,
    ProjectNotActive,
    RequestAlreadyOpen,
    RequestClosed,
    RuleViolation,
)
from phasegate.storage.tables import (
    ExternalEvent,
    GateRequest,
    GateRequestDecider,
    Project,
    Vote,
)


def submit_gate_request(
    uow: UnitOfWork,
    project_id: int,
    answers: Mapping[str, ChecklistAnswer],
    documents: Sequence[DocumentLink],
    gate_id: str | None = None,
) -> int:
    """Ask the deciders to pass the project's next gate; refused while anything is missing."""
    project = lock_project(uow.session, project_id)
    require_manager_or_pmo(uow, project, "submit a gate request")
    require_active(project)
    workflow = uow.workflows.pinned(uow.session, project.workflow_name, project.workflow_version)
    gate = _gate_to_request(workflow.definition, project, gate_id)
    _refuse_second_open_request(uow, project)
    missing = missing_for_submission(gate, answers, documents)
    deciders = _resolve_deciders(uow, gate, project, missing)
    if missing:
        raise IncompleteGateRequest(missing)
    request = GateRequest(
        project_id=project.id,
        gate_id=gate.id,
        from_phase=project.phase,
        to_phase=gate.to,
        policy=gate.deciders.policy.value,
        decider_role=gate.deciders.role.value,
        status="open",
        checklist={k: {"answer": a.answer.value, "comment": a.comment} for k, a in answers.items()},
        documents={"links": [vars(d) for d in documents]},
        submitted_by=uow.actor.person,
        submitted_at=uow.now,
    )
    uow.session.add(request)
    uow.session.flush()
    uow.session.execute(
        insert(GateRequestDecider), [{"request_id": request.id, "person_id": p} for p in deciders]
    )
    uow.emit(
        ev.GateRequested(
            project=project.id,
            request=request.id,
            gate=gate.id,
            from_phase=project.phase,
            to=gate.to,
            deciders=tuple(deciders),
            policy=gate.deciders.policy.value,
            awaiting_events=events_still_awaited(gate, received_events(uow, project)),
        )
    )
    return request.id


def require_active(project: Project) -> None:
    if project.status == ProjectStatus.ACTIVE:
        return
    if project.status == ProjectStatus.ON_HOLD:
        raise ProjectNotActive(
            f"{project.name} is on hold. Resume it before submitting a new gate request."
        )
    raise ProjectNotActive(f"{project.name} is {project.status}; nothing more can be decided.")


def _gate_to_request(definition: WorkflowDefinition, project: Project, gate_id: str | None) -> Gate:
    candidates = definition.gates_from(project.phase)
    if gate_id is not None:
        chosen = next((g for g in candidates if g.id == gate_id), None)
        if chosen is None:
            options = ", ".join(g.id for g in candidates) or "none"
            raise RuleViolation(
                f"{project.name} is in phase '{project.phase}'; gate {gate_id} does not lead "
                f"out of it. Gates from this phase: {options}."
            )
        return chosen
    if len(candidates) != 1:
        options = ", ".join(g.id for g in candidates) or "none"
        raise RuleViolation(
            f"Say which gate to request for {project.name}; gates from '{project.phase}': "
            f"{options}."
        )
    return candidates[0]


def _refuse_second_open_request(uow: UnitOfWork, project: Project) -> None:
    existing = uow.session.scalar(
        select(GateRequest).where(
            GateRequest.project_id == project.id, GateRequest.status == "open"
        )
    )
    if existing is not None:
        raise RequestAlreadyOpen(
            f"{project.name} already has an open request for {existing.gate_id}, submitted "
            f"{existing.submitted_at:%Y-%m-%d %H:%M} UTC. Withdraw it or wait for the decision."
        )


def _resolve_deciders(
    uow: UnitOfWork, gate: Gate, project: Project, missing: list[str]
) -> list[int]:
    """The people who decide this gate for this project; never its project manager."""
    if gate.deciders.role is DeciderRole.OWNER:
        if project.owner_id is None:
            missing.append(f"{project.name} has no project owner to decide {gate.id}; assign one")
            return []
        candidates = [project.owner_id]
    else:
        candidates = board_members(uow.session)
        if not candidates:
            missing.append(f"there is no portfolio board to decide {gate.id}; appoint its members")
            return []
    deciders = [p for p in candidates if p != project.leader_id]
    if not deciders:
        missing.append(
            f"the only decider of {gate.id} is the project manager, who cannot decide their own "
            "gate; ask the PMO to appoint another owner"
        )
    return deciders


def received_events(uow: UnitOfWork, project: Project) -> set[str]:
    """Outside events reported for the project while in its current phase."""
    return set(
        uow.session.scalars(
            select(ExternalEvent.kind).where(
                ExternalEvent.project_id == project.id, ExternalEvent.phase == project.phase
            )
        )
    )


def cast_vote(
    uow: UnitOfWork, request_id: int, outcome: Outcome, comment: str, channel: str
) -> VoteResult:
    """Record one decider's vote and, when the policy is met, decide the gate."""
    voter = uow.actor.person
    if voter is None:
        raise NotADecider("Votes are cast by people; the system cannot vote.")
    request = lock_request(uow.session, request_id)
    _refuse_closed(uow, request)
    project = get_project(uow.session, request.project_id)
    deciders = set(
        uow.session.scalars(
            select(GateRequestDecider.person_id).where(GateRequestDecider.request_id == request.id)
        )
    )
    if voter == project.leader_id:
        raise OwnGateNotAllowed(
            f"{uow.actor.name} is the project manager of {project.name} and cannot decide its "
            f"gate {request.gate_id}."
        )
    if voter not in deciders:
        names = ", ".join(sorted(person_name(uow.session, p) for p in deciders))
        raise NotADecider(
            f"{uow.actor.name} is not a decider of {request.gate_id} for {project.name}. "
            f"The deciders are: {names}."
        )
    if comment_required(outcome, comment):
        raise CommentRequired(f"A '{outcome.value}' vote needs a comment that says why.")
    votes: dict[int, str] = {
        row.voter_id: row.outcome
        for row in uow.session.execute(
            select(Vote.voter_id, Vote.outcome).where(Vote.request_id == request.id)
        )
    }
    if voter in votes:
        raise AlreadyVoted(
            f"{uow.actor.name} has already voted '{votes[voter]}' on {request.gate_id} for "
            f"{project.name}. A vote is recorded once."
        )
    uow.session.add(
        Vote(
            request_id=request.id,
            voter_id=voter,
            outcome=outcome.value,
            comment=comment.strip(),
            channel=channel,
            cast_at=uow.now,
        )
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
    awaiting = decide_if_ready(uow, request, project, deciders, votes, decided_by=voter)
    return VoteResult(
        request=request.id,
        decided=request.status == "decided",
        outcome=request.outcome,
        project_phase=project.phase,
        project_status=project.status,
        awaiting_events=awaiting,
    )


def _refuse_closed(uow: UnitOfWork, request: GateRequest) -> None:
    if request.status == "decided":
        assert request.decided_at is not None
        assert request.outcome is not None
        who = person_name(uow.session, request.decided_by) if request.decided_by else "system"
        raise AlreadyDecided(who, request.decided_at, request.outcome)
    if request.status == "withdrawn":
        raise RequestClosed(
            f"The request for {request.gate_id} was withdrawn ({request.closed_reason}). "
            "Nothing was changed."
        )


def decide_if_ready(
    uow: UnitOfWork,
    request: GateRequest,
    project: Project,
    deciders: set[int],
    votes: Mapping[int, str],
    decided_by: int,
) -> tuple[str, ...]:
    """Decide the gate if the votes meet its policy and no outside event is awaited.

    Returns the events still awaited (empty when decided or still voting).
    """
    outcome = tally(Policy(request.policy), deciders, {v: Outcome(o) for v, o in votes.items()})
    if outcome is None:
        return ()
    workflow = uow.workflows.pinned(uow.session, project.workflow_name, project.workflow_version)
    gate = workflow.definition.gate(request.gate_id)
    assert gate is not None  # the request was made from this very definition
    awaiting = events_still_awaited(gate, received_events(uow, project))
    if awaiting:
        uow.emit(
            ev.GateAwaitingEvents(
                project=project.id, request=request.id, gate=gate.id, awaiting=awaiting
            )
        )
        return awaiting
    request.status = "decided"
    request.outcome = outcome.value
    request.decided_by = decided_by
    request.decided_at = uow.now
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
    _apply_outcome(uow, project, gate, outcome, workflow.machine)
    uow.session.flush()  # the version check happens here: a stale project fails, not applies
    return ()


def _apply_outcome(
    uow: UnitOfWork, project: Project, gate: Gate, outcome: Outcome, machine: PhaseMachine
) -> None:
    definition = machine.definition
    if outcome is Outcome.APPROVE:
        project.phase = machine.pass_gate(project.phase, gate.id)
        project.phase_entered_at = uow.now
        if project.phase == definition.completed:
            project.status = ProjectStatus.COMPLETED.value
            uow.emit(ev.ProjectCompleted(project=project.id, gate=gate.id))
        else:
            uow.emit(ev.PhaseEntered(project=project.id, phase=project.phase, via_gate=gate.id))
    elif outcome is Outcome.HOLD:
        project.status = ProjectStatus.ON_HOLD.value
        uow.emit(ev.ProjectHeld(project=project.id, phase=project.phase, gate=gate.id))
    elif outcome is Outcome.STOP:
        phase = project.phase
        project.phase = machine.stop(phase)
        project.phase_entered_at = uow.now
        project.status = ProjectStatus.STOPPED.value
        uow.emit(ev.ProjectStopped(project=project.id, phase=phase, gate=gate.id))
    # rework: the request is closed; the project stays and may submit again


def withdraw_gate_request(uow: UnitOfWork, request_id: int, reason: str) -> None:
    request = lock_request(uow.session, request_id)
    _refuse_closed(uow, request)
    project = get_project(uow.session, request.project_id)
    require_manager_or_pmo(uow, project, "withdraw a gate request")
    request.status = "withdrawn"
    request.closed_reason = reason.strip() or "withdrawn"
    request.decided_at = uow.now
    uow.emit(
        ev.GateRequestWithdrawn(
            project=project.id, request=request.id, gate=request.gate_id, reason=reason.strip()
        )
    )
