"""One pass of the annual cycle (a *tick*): do everything that is due at a moment.

The database decides what is due; the clock only says when to look. A tick:

1. **Opens wheel occurrences** whose time to act has come: sends a board meeting's agenda,
   asks the projects in a reporting cycle's phases for their reports, or starts the
   reminders of an informational deadline. Each occurrence is opened in one transaction
   that first writes its row under a unique key, so of two schedulers only one opens it.
2. **Sends reminders** for deadlines whose ``next_reminder_at`` has passed. Rows are
   claimed in batches (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite serialises
   writers), and every reminder is recorded under a unique (deadline, slot, recipient)
   key in the transaction that queues its email. A tick after downtime sends one catch-up
   reminder per deadline: :class:`~phasegate.domain.reminders.ReminderPlan` picks the
   latest due slot.
3. **Asks for due measurements and risk reviews** (:mod:`phasegate.cycle.registers`):
   planned measurement dates and risk review dates coming within two weeks, claimed like
   deadlines; a measurement that follows a reporting cycle is asked as the cycle opens.
4. **Sends daily digests** to the people who chose one, once a day per person (unique key).

Its cost follows the number of due items: every query reads through an index on what is
due, never the whole portfolio.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update

from phasegate.cycle.deadlines import (
    gate_subject,
    open_deadlines,
    report_subject,
    wheel_subject,
)
from phasegate.cycle.mail import ROLE_LABELS, CycleMail, DeadlineRow
from phasegate.cycle.plans import Cycle
from phasegate.cycle.registers import RegisterAsks
from phasegate.domain import events as ev
from phasegate.domain.reminders import DeadlineKind, Reminder, ReminderState, Stage
from phasegate.domain.wheel import BENEFIT_PHASE, EventKind, Occurrence
from phasegate.engine.agenda import read_agenda
from phasegate.engine.business_case import read_benefits
from phasegate.engine.outbox import enqueue_many
from phasegate.engine.service import Engine
from phasegate.engine.unit import UnitOfWork
from phasegate.engine.views import GateRequestView
from phasegate.errors import ConcurrentUpdate
from phasegate.i18n import LOCALES
from phasegate.mail.compose import Recipient
from phasegate.storage.tables import (
    Deadline,
    Digest,
    GateRequest,
    Project,
    ReportRequest,
    RoleGrant,
    WheelOccurrence,
)
from phasegate.storage.tables import Reminder as ReminderRow

log = logging.getLogger(__name__)

BATCH = 200

Q_OPENED = select(WheelOccurrence.key).where(
    WheelOccurrence.key.in_(bindparam("keys", expanding=True))
)
W_OCCURRENCE = insert(WheelOccurrence)
Q_ROLE = select(RoleGrant.person_id).where(RoleGrant.role == bindparam("role"))
Q_REPORTING_PROJECTS = (
    select(
        Project.id,
        Project.name,
        Project.phase,
        Project.leader_id,
        Project.owner_id,
        Project.workflow_name,
        Project.workflow_version,
    )
    .where(Project.status == "active", Project.phase.in_(bindparam("phases", expanding=True)))
    .order_by(Project.id)
)
Q_ACTIVE_LEADERS = (
    select(Project.leader_id)
    .where(Project.status == "active", Project.leader_id.is_not(None))
    .distinct()
)
Q_ACTIVE_OWNERS = (
    select(Project.owner_id)
    .where(Project.status == "active", Project.owner_id.is_not(None))
    .distinct()
)
W_REPORT_REQUEST = insert(ReportRequest).returning(ReportRequest.id)
Q_MEETING_KEYS = select(GateRequest.id, GateRequest.meeting_key).where(
    GateRequest.id.in_(bindparam("requests", expanding=True))
)

_D = Deadline
Q_DUE = (
    select(
        _D.id,
        _D.kind,
        _D.subject,
        _D.person_id,
        _D.project_id,
        _D.title,
        _D.due_at,
        _D.fixed_done,
        _D.overdue_sent,
        _D.escalated,
        _D.last_reminded_on,
        _D.version,
        Project.name.label("project_name"),
    )
    .outerjoin(Project, Project.id == _D.project_id)
    .where(_D.status == "open", _D.next_reminder_at <= bindparam("now"))
    .order_by(_D.next_reminder_at, _D.id)
    .limit(bindparam("batch"))
    .with_for_update(of=_D, skip_locked=True)
)
W_ADVANCE = (
    update(Deadline)
    .where(_D.id == bindparam("row"), _D.version == bindparam("seen"))
    .values(
        fixed_done=bindparam("fixed_done"),
        overdue_sent=bindparam("overdue_sent"),
        escalated=bindparam("escalated"),
        last_reminded_on=bindparam("last_on"),
        next_reminder_at=bindparam("next_at"),
        status=bindparam("new_status"),
        closed_at=bindparam("closed"),
        version=_D.version + 1,
    )
)
W_REMINDER = insert(ReminderRow)

_R = ReminderRow
Q_DIGEST_WAITING = (
    select(_R.recipient_id)
    .where(_R.message_id.is_(None), _R.digest_day <= bindparam("day"))
    .distinct()
)
Q_DIGESTED = select(Digest.person_id).where(Digest.day == bindparam("day"))
Q_DIGEST_ENTRIES = (
    select(_R.id, _R.context)
    .where(
        _R.recipient_id == bindparam("person"),
        _R.message_id.is_(None),
        _R.digest_day <= bindparam("day"),
    )
    .order_by(_R.id)
    .with_for_update(skip_locked=True)
)
W_DIGEST = insert(Digest)
W_DIGESTED = (
    update(ReminderRow)
    .where(_R.id.in_(bindparam("rows", expanding=True)))
    .values(message_id=bindparam("message"))
)


@dataclass(frozen=True)
class TickReport:
    """What one tick did."""

    occurrences: int = 0  # wheel occurrences opened
    report_requests: int = 0
    reminders: int = 0  # deadlines that got a reminder or an escalation
    escalations: int = 0
    digests: int = 0
    measurements: int = 0  # measurements asked for (planned dates and reporting cycles)
    risk_reviews: int = 0  # risk reviews asked for

    def __bool__(self) -> bool:
        return any(
            (self.occurrences, self.reminders, self.digests, self.measurements, self.risk_reviews)
        )


class Ticker:
    """Runs ticks against one engine (its clock says what "now" is)."""

    def __init__(
        self,
        engine: Engine,
        cycle: Cycle,
        mail: CycleMail,
        batch: int = BATCH,
        *,
        timed: Callable[[], AbstractContextManager[object]] = nullcontext,
    ) -> None:
        self.engine = engine
        self.cycle = cycle
        self.mail = mail
        self.batch = batch
        self.timed = timed  # times each tick (the metrics' histogram)
        self.registers = RegisterAsks(engine, cycle, mail, batch, self._people)

    def tick(self) -> TickReport:
        with self.timed():
            now = self.engine.clock()
            occurrences, requested, measured = self.open_occurrences(now)
            measured += self.registers.planned_measurements(now)
            reviews = self.registers.risk_reviews(now)
            reminders, escalations = self.send_reminders(now)
            digests = self.send_digests(now)
            return TickReport(
                occurrences, requested, reminders, escalations, digests, measured, reviews
            )

    # --- 1. wheel occurrences ----------------------------------------------------------

    def open_occurrences(self, now: datetime) -> tuple[int, int, int]:
        """Open what is due; (occurrences, report requests, measurements asked for)."""
        due = self.cycle.wheel.open_at(now)
        if not due:
            return 0, 0, 0
        with self.engine.reading() as conn:
            opened = set(conn.execute(Q_OPENED, {"keys": [o.key for o in due]}).scalars())
        count = requested = measured = 0
        for occurrence in due:
            if occurrence.key in opened:
                continue
            try:
                with self.engine.unit(None) as uow:
                    uow.conn.execute(
                        W_OCCURRENCE,
                        {
                            "key": occurrence.key,
                            "event_id": occurrence.event.id,
                            "kind": occurrence.event.kind.value,
                            "occurs_at": occurrence.at,
                            "opened_at": uow.now,
                        },
                    )
                    reports, measurements = self._act_on(uow, occurrence)
            except ConcurrentUpdate:
                log.info("wheel occurrence %s was opened by another scheduler", occurrence.key)
                continue
            count += 1
            requested += reports
            measured += measurements
        return count, requested, measured

    def _act_on(self, uow: UnitOfWork, occurrence: Occurrence) -> tuple[int, int]:
        """(report requests, measurements asked for) that opening the occurrence made."""
        kind = occurrence.event.kind
        if kind is EventKind.BOARD_MEETING:
            self._send_agenda(uow, occurrence)
            return 0, 0
        if kind is EventKind.REPORTING_CYCLE:
            reports = self._request_reports(uow, occurrence)
            return reports, self.registers.for_cycle(uow, occurrence)
        self._start_wheel_deadline(uow, occurrence)
        return 0, 0

    def _send_agenda(self, uow: UnitOfWork, meeting: Occurrence) -> None:
        """Every board member gets the meeting's agenda, as the engine reads it: the open
        board decisions due by then, those earlier meetings carried over included."""
        pending = read_agenda(uow.conn, uow.workflows, self.cycle.wheel, meeting, uow.now)
        achieved = {view.id: self._achievement(uow, view) for view in pending}
        for person in self._people(uow, uow.conn.execute(Q_ROLE, {"role": "board"}).scalars()):
            items = [
                {
                    "project": view.project,
                    "gate_id": view.gate,
                    "gate_label": view.gate_label.get(person.language),
                    "submitted_at": view.submitted_at,
                    "submitted_by": view.submitted_by,
                    "votes_cast": len(view.votes),
                    "deciders": len(view.deciders),
                    "achievement": achieved[view.id],  # BP6: how far each indicator came
                    "links": self.mail.gates.vote_links(view.id, person.id, uow.now)
                    if person.id in view.decider_ids
                    and all(v.voter_id != person.id for v in view.votes)
                    else [],
                }
                for view in pending
            ]
            self.mail.board_agenda(
                uow,
                person=person,
                meeting_label=meeting.event.label.get(person.language),
                starts_at=meeting.at,
                items=items,
            )
        uow.emit(ev.BoardAgendaSent(meeting=meeting.key, requests=tuple(v.id for v in pending)))

    def _achievement(self, uow: UnitOfWork, view: GateRequestView) -> list[dict[str, Any]]:
        """For a request out of realisation (BP6): each indicator's achievement in per cent
        (None: not measured), as ``domain.benefits.progress`` computes it everywhere."""
        if view.from_phase != BENEFIT_PHASE:
            return []
        today = uow.now.astimezone(self.cycle.wheel.zone).date()
        return [
            {"name": i.name, "percent": i.progress.percent}
            for b in read_benefits(uow.conn, view.project_id, today)
            for i in b.indicators
        ]

    def _request_reports(self, uow: UnitOfWork, cycle: Occurrence) -> int:
        """Ask every active project in the cycle's phases for its report."""
        event = cycle.event
        year = cycle.at.year
        titles: dict[str, str] = {lang: f"{event.label.get(lang)} {year}" for lang in LOCALES}
        projects = uow.rows(Q_REPORTING_PROJECTS, phases=list(event.phases))
        people = {p.id: p for p in self._people(uow, _askees(projects))}
        for project in projects:
            kind = event.report_kind(project.phase)
            benefit = kind is DeadlineKind.BENEFIT_REPORT
            asked = (
                (project.owner_id or project.leader_id)
                if benefit
                else (project.leader_id or project.owner_id)
            )
            request = int(
                uow.scalar(
                    W_REPORT_REQUEST,
                    project_id=project.id,
                    occurrence_key=cycle.key,
                    cycle_label={lang: event.label.get(lang) for lang in LOCALES},
                    kind="benefit" if benefit else "status",
                    person_id=asked,
                    due_at=cycle.at,
                    status="open",
                    requested_at=uow.now,
                    closed_at=None,
                    report_id=None,
                )
            )
            uow.emit(
                ev.ReportRequested(
                    project=project.id,
                    request=request,
                    cycle=cycle.key,
                    report_kind="benefit" if benefit else "status",
                    person=asked,
                    due_at=cycle.at.isoformat(),
                )
            )
            if asked is None:
                log.warning("%s has no leader or owner to ask for its report", project.name)
                continue
            open_deadlines(
                uow,
                self.cycle,
                kind=kind,
                subject=report_subject(request),
                people=[asked],
                project=project.id,
                titles=titles,
                due=cycle.at,
            )
            person = people[asked]
            definition = uow.workflows.pinned(
                uow.conn, project.workflow_name, project.workflow_version
            ).definition
            self.mail.report_requested(
                uow,
                request=request,
                person=person,
                project=project,
                phase_label=definition.label_of(project.phase).get(person.language),
                cycle_label=titles[person.language],
                report_kind="benefit" if benefit else "status",
                due=cycle.at,
            )
        return len(projects)

    def _start_wheel_deadline(self, uow: UnitOfWork, occurrence: Occurrence) -> None:
        """An informational deadline: everyone it concerns gets its reminders from now."""
        audience: set[int] = set()
        for who in occurrence.event.notify:
            query = {"leaders": Q_ACTIVE_LEADERS, "owners": Q_ACTIVE_OWNERS}.get(who.value, Q_ROLE)
            found = uow.conn.execute(query, {"role": who.value}).scalars()
            audience.update(int(p) for p in found if p is not None)
        label = occurrence.event.label
        open_deadlines(
            uow,
            self.cycle,
            kind=DeadlineKind.DEADLINE,
            subject=wheel_subject(occurrence.key),
            people=audience,
            project=None,
            titles={lang: label.get(lang) for lang in LOCALES},
            due=occurrence.at,
            remind_now=True,
        )

    # --- 2. reminders ------------------------------------------------------------------

    def send_reminders(self, now: datetime) -> tuple[int, int]:
        """Work through the due deadlines in batches; returns (reminded, escalated)."""
        reminded = escalated = 0
        seen: set[int] = set()
        while True:
            try:
                with self.engine.unit(None) as uow:
                    rows = uow.rows(Q_DUE, now=now, batch=self.batch)
                    fresh = [row for row in rows if row.id not in seen]
                    if not fresh:
                        return reminded, escalated
                    seen.update(row.id for row in fresh)
                    done = self._remind_batch(uow, fresh)
            except ConcurrentUpdate:
                log.info("another scheduler recorded a reminder first; leaving it to that one")
                return reminded, escalated
            reminded += done[0]
            escalated += done[1]
            if len(rows) < self.batch:
                return reminded, escalated

    def _remind_batch(self, uow: UnitOfWork, rows: list[Any]) -> tuple[int, int]:
        now = uow.now
        today = now.astimezone(self.cycle.wheel.zone).date()
        people = {p.id: p for p in self._people(uow, {row.person_id for row in rows})}
        meetings = self._meeting_keys(uow, rows)
        roles: dict[str, list[Recipient]] = {}  # escalation roles' members, asked once
        advances: list[dict[str, Any]] = []
        records: list[dict[str, Any]] = []
        outgoing: list[dict[str, Any]] = []  # outbox rows, written in one statement
        reminded = escalated = 0
        for row in rows:
            deadline = DeadlineRow(
                row.id,
                row.kind,
                row.subject,
                row.person_id,
                row.project_id,
                row.project_name,
                row.title,
                row.due_at,
                meetings.get(row.subject),
            )
            plan = self.cycle.plan(row.kind)
            state = ReminderState(
                row.fixed_done, row.overdue_sent, row.escalated, row.last_reminded_on
            )
            reminder, state = plan.fire(row.due_at, state, now)
            if reminder is not None and row.person_id in people:
                reminded += 1
                person = people[row.person_id]
                if reminder.stage is Stage.ESCALATION:
                    escalated += 1
                    records += self._escalate(
                        uow, deadline, reminder, state, person, today, roles, outgoing
                    )
                else:
                    item = self.mail.item(deadline, person, now)
                    context = self.mail.reminder_context(
                        item, person, deadline, reminder, state.overdue_sent, now
                    )
                    records.append(
                        self._record(
                            uow, deadline, reminder, "reminder", person, context, today, outgoing
                        )
                    )
            next_at = plan.next_at(row.due_at, state)
            if next_at is not None and next_at <= now:
                log.error("deadline %s would be due again at once; stopping its reminders", row.id)
                next_at = None
            finished = next_at is None and row.kind == DeadlineKind.DEADLINE.value
            advances.append(
                {
                    "row": row.id,
                    "seen": row.version,
                    "fixed_done": state.fixed_done,
                    "overdue_sent": state.overdue_sent,
                    "escalated": state.escalated,
                    "last_on": state.last_on,
                    "next_at": next_at,
                    "new_status": "done" if finished else "open",
                    "closed": now if finished else None,
                }
            )
        enqueue_many(uow.conn, outgoing)
        if records:
            uow.conn.execute(W_REMINDER, records)
        uow.conn.execute(W_ADVANCE, advances)
        return reminded, escalated

    def _escalate(
        self,
        uow: UnitOfWork,
        deadline: DeadlineRow,
        reminder: Reminder,
        state: ReminderState,
        person: Recipient,
        today: date,
        roles: dict[str, list[Recipient]],
        outgoing: list[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        """Tell the escalation role, and tell the person it was escalated."""
        role = self.cycle.plan(deadline.kind).policy.escalate_to
        assert role is not None
        if role.value not in roles:
            found = uow.conn.execute(Q_ROLE, {"role": role.value}).scalars()
            roles[role.value] = self._people(uow, found)
        members = [m for m in roles[role.value] if m.id != person.id]
        records = []
        for member in members:
            item = self.mail.item(deadline, member, uow.now)
            item["links"], item["action_url"] = [], None  # links are the owner's own
            context = {
                "recipient": {"name": member.name},
                "item": item,
                "owed_by": person.name,
                "reminders_sent": state.overdue_sent,
            }
            records.append(
                self._record(
                    uow, deadline, reminder, "escalation", member, context, today, outgoing
                )
            )
        item = self.mail.item(deadline, person, uow.now)
        context = {
            "recipient": {"name": person.name},
            "item": item,
            "escalated_to": ROLE_LABELS[role.value][person.language],
        }
        records.append(
            self._record(uow, deadline, reminder, "escalated", person, context, today, outgoing)
        )
        uow.emit(
            ev.DeadlineEscalated(
                project=deadline.project_id,
                deadline=deadline.id,
                person=person.id,
                to_role=role.value,
            )
        )
        return records

    def _record(
        self,
        uow: UnitOfWork,
        deadline: DeadlineRow,
        reminder: Reminder,
        kind: str,
        person: Recipient,
        context: dict[str, Any],
        today: date,
        outgoing: list[dict[str, Any]],
    ) -> dict[str, Any]:
        """The reminder's row; its email goes to ``outgoing`` (or waits for the digest)."""
        entry = {
            "kind": kind,
            "stage": reminder.stage.value,
            "item": {**context["item"], "due_at": deadline.due_at.isoformat()},
            "owed_by": context.get("owed_by"),
            "escalated_to": context.get("escalated_to"),
        }
        message_id = None
        if not person.digest:
            row = self.mail.gates.outbox_row(uow, kind, person, deadline.project_id, context)
            outgoing.append(row)
            message_id = row["message_id"]
        return {
            "deadline_id": deadline.id,
            "slot": reminder.slot,
            "kind": kind,
            "recipient_id": person.id,
            "created_at": uow.now,
            "message_id": message_id,
            "digest_day": today if person.digest else None,
            "context": entry,
        }

    # --- 3. digests ----------------------------------------------------------------------

    def send_digests(self, now: datetime) -> int:
        """One digest per person and day, once the morning's reminders are all in."""
        if now < self.cycle.digest_time(now):
            return 0
        today = now.astimezone(self.cycle.wheel.zone).date()
        with self.engine.reading() as conn:
            waiting = set(conn.execute(Q_DIGEST_WAITING, {"day": today}).scalars())
            if not waiting:
                return 0
            waiting -= set(conn.execute(Q_DIGESTED, {"day": today}).scalars())
        sent = 0
        for person_id in sorted(waiting):
            try:
                with self.engine.unit(None) as uow:
                    sent += self._digest_for(uow, person_id, today)
            except ConcurrentUpdate:
                log.info("person %s got today's digest from another scheduler", person_id)
        return sent

    def _digest_for(self, uow: UnitOfWork, person_id: int, today: date) -> int:
        rows = uow.rows(Q_DIGEST_ENTRIES, person=person_id, day=today)
        people = self._people(uow, [person_id])
        if not rows or not people:
            return 0
        entries = [_digest_entry(row.context) for row in rows]
        entries.sort(key=lambda e: (-e["item"]["overdue_working_days"], e["item"]["due_at"]))
        message_id = self.mail.digest(uow, people[0], today, entries)
        uow.conn.execute(
            W_DIGEST,
            {"person_id": person_id, "day": today, "message_id": message_id, "created_at": uow.now},
        )
        uow.conn.execute(W_DIGESTED, {"rows": [row.id for row in rows], "message": message_id})
        return 1

    # --- helpers -------------------------------------------------------------------------

    @staticmethod
    def _meeting_keys(uow: UnitOfWork, rows: list[Any]) -> dict[str, str | None]:
        """The board meeting each gate-request deadline in the batch is due at, in one query."""
        subjects = {row.subject for row in rows if row.subject.startswith("gate_request:")}
        if not subjects:
            return {}
        ids = [int(subject.partition(":")[2]) for subject in subjects]
        found = uow.conn.execute(Q_MEETING_KEYS, {"requests": ids})
        return {gate_subject(row.id): row.meeting_key for row in found}

    def _people(self, uow: UnitOfWork, ids: Any) -> list[Recipient]:
        return self.mail.gates.people(uow, [int(i) for i in ids if i is not None])


def _askees(projects: Any) -> set[int]:
    return {p for row in projects for p in (row.leader_id, row.owner_id) if p is not None}


def _digest_entry(stored: dict[str, Any]) -> dict[str, Any]:
    item = dict(stored["item"])
    item["due_at"] = datetime.fromisoformat(item["due_at"])
    return {**stored, "item": item}
