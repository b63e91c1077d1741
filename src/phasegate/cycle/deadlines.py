"""Deadlines from transitions: handlers that open and close what people owe.

- A board gate request goes on the agenda of the next board meeting that leaves enough
  notice; every board decider owes a vote by that meeting.
- An owner gate is due N working days after it is submitted.
- A vote closes the voter's deadline; a decision or withdrawal closes the rest.
- Leaving a phase cancels the report requests that no longer apply; a stopped or
  completed project owes nothing more.

Reporting cycles ask projects for reports when they open (see :mod:`phasegate.cycle.tick`):
a project is subscribed to a cycle by being in one of its phases when the cycle opens.

These run in the operation's transaction, like every handler.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import and_, bindparam, insert, select, update

from phasegate.cycle.plans import Cycle
from phasegate.domain import events as ev
from phasegate.domain import register_events as rev
from phasegate.domain.reminders import DeadlineKind, ReminderState
from phasegate.engine.unit import UnitOfWork
from phasegate.errors import ConcurrentUpdate
from phasegate.i18n import LOCALES
from phasegate.storage.tables import Deadline, GateRequest, Person, Project, ReportRequest

W_DEADLINE = insert(Deadline)
W_SCHEDULE_REQUEST = (
    update(GateRequest)
    .where(GateRequest.id == bindparam("request"))
    .values(due_at=bindparam("due"), meeting_key=bindparam("meeting"))
)
Q_REQUEST_ROLE = select(GateRequest.decider_role).where(GateRequest.id == bindparam("request"))
Q_LANGUAGES = select(Person.id, Person.language).where(
    Person.id.in_(bindparam("people", expanding=True))
)
Q_PROJECT_NAME = select(Project.name, Project.workflow_name, Project.workflow_version).where(
    Project.id == bindparam("project")
)
_OPEN = Deadline.status == "open"
_CLOSED = {
    "status": bindparam("new_status"),
    "closed_at": bindparam("now"),
    "next_reminder_at": None,
    "version": Deadline.version + 1,
}
W_CLOSE_FOR_PERSON = (
    update(Deadline)
    .where(and_(Deadline.subject == bindparam("what"), Deadline.person_id == bindparam("who")))
    .where(_OPEN)
    .values(**_CLOSED)
)
W_CLOSE_SUBJECT = (
    update(Deadline).where(Deadline.subject == bindparam("what")).where(_OPEN).values(**_CLOSED)
)
W_CLOSE_LIKE = (
    update(Deadline)
    .where(Deadline.subject.like(bindparam("prefix")))
    .where(_OPEN)
    .values(**_CLOSED)
)
W_CLOSE_LIKE_FOR_PERSON = W_CLOSE_LIKE.where(Deadline.person_id == bindparam("who"))
W_CLOSE_PROJECT = (
    update(Deadline)
    .where(Deadline.project_id == bindparam("of_project"))
    .where(_OPEN)
    .values(**_CLOSED)
)
Q_OPEN_REPORT_REQUESTS = select(
    ReportRequest.id, ReportRequest.occurrence_key, ReportRequest.kind
).where(ReportRequest.project_id == bindparam("project"), ReportRequest.status == "open")
W_CANCEL_REPORT_REQUEST = (
    update(ReportRequest)
    .where(ReportRequest.id == bindparam("request"), ReportRequest.status == "open")
    .values(status="cancelled", closed_at=bindparam("now"))
)


def gate_subject(request: int) -> str:
    return f"gate_request:{request}"


def report_subject(request: int) -> str:
    return f"report_request:{request}"


def measurement_subject(indicator: int, due_on: date) -> str:
    return f"measurement:{indicator}:{due_on.isoformat()}"


def risk_review_subject(risk: int, review_on: date) -> str:
    return f"risk_review:{risk}:{review_on.isoformat()}"


def wheel_subject(occurrence_key: str) -> str:
    return f"wheel:{occurrence_key}"


def open_deadlines(
    uow: UnitOfWork,
    cycle: Cycle,
    *,
    kind: DeadlineKind,
    subject: str,
    people: Iterable[int],
    project: int | None,
    titles: dict[str, str],
    due: datetime,
    remind_now: bool = False,
) -> None:
    """Start a deadline for each person, its reminders planned by the kind's policy.

    Reminders whose time has already passed are skipped (the person was just asked), unless
    ``remind_now``: then the latest of them goes out on the next tick, as for a wheel
    deadline whose first reminder is the moment it opens.
    """
    plan = cycle.plan(kind)
    state = ReminderState() if remind_now else plan.start(due, uow.now)
    next_at = plan.next_at(due, state)
    wanted = sorted(set(people))
    if not wanted:
        return
    languages = {row.id: row.language for row in uow.conn.execute(Q_LANGUAGES, {"people": wanted})}
    uow.conn.execute(
        W_DEADLINE,
        [
            {
                "kind": kind.value,
                "subject": subject,
                "person_id": person,
                "project_id": project,
                "title": titles.get(languages.get(person, "nb"), titles["nb"]),
                "due_at": due,
                "status": "open",
                "fixed_done": state.fixed_done,
                "overdue_sent": 0,
                "escalated": False,
                "last_reminded_on": None,
                "next_reminder_at": next_at,
                "created_at": uow.now,
                "closed_at": None,
                "version": 1,
            }
            for person in wanted
        ],
    )


def close_deadlines(uow: UnitOfWork, subject: str, status: str, person: int | None = None) -> None:
    params = {"what": subject, "new_status": status, "now": uow.now}
    if person is None:
        uow.conn.execute(W_CLOSE_SUBJECT, params)
    else:
        uow.conn.execute(W_CLOSE_FOR_PERSON, {**params, "who": person})


class DeadlineKeeper:
    """The handlers that keep deadlines in step with the gates and phases."""

    def __init__(self, cycle: Cycle) -> None:
        self.cycle = cycle

    def gate_requested(self, event: ev.GateRequested, uow: UnitOfWork) -> None:
        """Schedule the request: the next board meeting with notice, or N working days."""
        wheel = self.cycle.wheel
        role = uow.scalar(Q_REQUEST_ROLE, request=event.request)
        meeting = wheel.next_board_meeting(uow.now) if role == "board" else None
        if meeting is not None:
            due, meeting_key, kind = meeting.at, meeting.key, DeadlineKind.GATE_DECISION
        else:
            due, meeting_key = self.cycle.owner_gate_due(uow.now), None
            kind = DeadlineKind.GATE_DECISION if role == "board" else DeadlineKind.OWNER_DECISION
        uow.conn.execute(
            W_SCHEDULE_REQUEST, {"request": event.request, "due": due, "meeting": meeting_key}
        )
        project = uow.one(Q_PROJECT_NAME, project=event.project)
        assert project is not None
        definition = uow.workflows.pinned(
            uow.conn, project.workflow_name, project.workflow_version
        ).definition
        gate = definition.gate(event.gate)
        assert gate is not None
        open_deadlines(
            uow,
            self.cycle,
            kind=kind,
            subject=gate_subject(event.request),
            people=event.deciders,
            project=event.project,
            titles={lang: f"{gate.id} – {gate.label.get(lang)}" for lang in LOCALES},
            due=due,
        )

    def vote_cast(self, event: ev.VoteCast, uow: UnitOfWork) -> None:
        close_deadlines(uow, gate_subject(event.request), "done", person=event.voter)

    def gate_decided(self, event: ev.GateDecided, uow: UnitOfWork) -> None:
        """Those who had not voted owe nothing more."""
        close_deadlines(uow, gate_subject(event.request), "cancelled")

    def gate_withdrawn(self, event: ev.GateRequestWithdrawn, uow: UnitOfWork) -> None:
        close_deadlines(uow, gate_subject(event.request), "cancelled")

    def report_published(self, event: ev.ReportPublished, uow: UnitOfWork) -> None:
        """The report is in: nothing more is owed, and no more reminders go out."""
        for request in event.requests:
            close_deadlines(uow, report_subject(request), "done")

    def measurement_recorded(self, event: rev.MeasurementRecorded, uow: UnitOfWork) -> None:
        """A measurement answers every measurement the indicator has owed so far.

        One from an email link answers its person's request, once: a second (a double
        click, an old tab) finds nothing owed and is refused, so it is never kept twice.
        The open row is updated under its lock, so of two at once only one finds it.
        """
        params = {
            "prefix": f"measurement:{event.indicator}:%",
            "new_status": "done",
            "now": uow.now,
        }
        if event.channel == "email":
            answered = uow.conn.execute(
                W_CLOSE_LIKE_FOR_PERSON, {**params, "who": uow.actor.person}
            ).rowcount
            if not answered:
                raise ConcurrentUpdate()
        uow.conn.execute(W_CLOSE_LIKE, params)

    def risk_assessed(self, event: rev.RiskAssessed, uow: UnitOfWork) -> None:
        """A reassessment is the review that was owed."""
        uow.conn.execute(
            W_CLOSE_LIKE,
            {"prefix": f"risk_review:{event.risk}:%", "new_status": "done", "now": uow.now},
        )

    def phase_entered(self, event: ev.PhaseEntered, uow: UnitOfWork) -> None:
        """Cancel report requests whose cycle does not ask projects in the new phase."""
        for request in uow.rows(Q_OPEN_REPORT_REQUESTS, project=event.project):
            wheel_event = self.cycle.wheel.event_of(request.occurrence_key)
            if wheel_event is not None and event.phase in wheel_event.phases:
                kind = wheel_event.report_kind(event.phase)
                if kind.value.removesuffix("_report") == request.kind:
                    continue
            self._cancel_report_request(
                uow, event.project, request.id, f"the project entered {event.phase}"
            )

    def project_ended(
        self, event: ev.ProjectStopped | ev.ProjectCompleted, uow: UnitOfWork
    ) -> None:
        """A stopped or completed project owes no reports and no votes any more."""
        reason = "the project stopped" if isinstance(event, ev.ProjectStopped) else "completed"
        for request in uow.rows(Q_OPEN_REPORT_REQUESTS, project=event.project):
            self._cancel_report_request(uow, event.project, request.id, reason)
        uow.conn.execute(
            W_CLOSE_PROJECT,
            {"of_project": event.project, "new_status": "cancelled", "now": uow.now},
        )

    @staticmethod
    def _cancel_report_request(uow: UnitOfWork, project: int, request: int, reason: str) -> None:
        uow.conn.execute(W_CANCEL_REPORT_REQUEST, {"request": request, "now": uow.now})
        close_deadlines(uow, report_subject(request), "cancelled")
        uow.emit(ev.ReportRequestCancelled(project=project, request=request, reason=reason))
