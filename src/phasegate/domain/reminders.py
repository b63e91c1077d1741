"""When to remind someone of a deadline, and when to escalate (*purring og eskalering*), pure.

A deadline (*frist*) has a policy from the wheel file:

- reminders a number of working days **before** it, and one **on the day**;
- then one every ``every`` working days **after** it, at most ``at_most`` of them;
- then **escalation** to a named role (the board or the PMO), and the person is told.

Reminders go out at a fixed local time (``send_at``, 08:00 by default) on working days.

The state of a deadline's reminders is a small record (:class:`ReminderState`) kept in its
database row. :meth:`ReminderPlan.fire` says what to send at a given moment and the next
state; :meth:`ReminderPlan.next_at` says when to look again. Both are pure, so a scheduler
that was stopped for ten days and calls ``fire`` once gets **one** catch-up reminder: the
latest slot that is due, never every slot it missed. An overdue reminder counts only when
it was sent, so escalation follows ``at_most`` reminders the person actually received.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from phasegate.domain.calendar import WorkingCalendar


class DeadlineKind(StrEnum):
    """What is owed by a deadline, each with its own reminder policy in the wheel file."""

    GATE_DECISION = "gate_decision"  # a board member's vote on a gate request
    OWNER_DECISION = "owner_decision"  # a project owner's decision on an owner gate
    STATUS_REPORT = "status_report"  # a status report (*statusrapport*) in a reporting cycle
    BENEFIT_REPORT = "benefit_report"  # a benefit report (*gevinstrapport*) in realisation
    DEADLINE = "deadline"  # an informational date in the wheel; nothing to hand in
    MEASUREMENT = "measurement"  # a benefit owner's measurement (*måling*) the plan has due
    RISK_REVIEW = "risk_review"  # a risk owner's review (*revurdering*) of a risk


class EscalationRole(StrEnum):
    """Who hears about a deadline that reminders did not help with."""

    BOARD = "board"  # porteføljestyret
    PMO = "pmo"  # porteføljekontoret


class Stage(StrEnum):
    BEFORE = "before"
    ON_DAY = "on_day"
    OVERDUE = "overdue"
    ESCALATION = "escalation"


@dataclass(frozen=True)
class ReminderPolicy:
    """How one kind of deadline is chased (*purrerutine*)."""

    before: tuple[int, ...] = ()  # working days before the deadline, e.g. (5, 1)
    on_day: bool = True
    every: int = 0  # working days between reminders after the deadline; 0: none after
    at_most: int = 0  # how many reminders after the deadline, at most
    escalate_to: EscalationRole | None = None

    def __post_init__(self) -> None:
        if any(days <= 0 for days in self.before):
            raise ValueError("reminders before a deadline are 1 or more working days before it")
        if self.every < 0 or self.at_most < 0:
            raise ValueError("every and at_most count working days and reminders: 0 or more")
        if self.at_most and not self.every:
            raise ValueError("reminders after the deadline need `every` working days between")


@dataclass(frozen=True)
class ReminderState:
    """How far a deadline's reminders have come; stored in the deadline's row."""

    fixed_done: int = 0  # of the slots before and on the day, how many are sent or skipped
    overdue_sent: int = 0
    escalated: bool = False
    last_on: date | None = None  # the local day the latest reminder went out


@dataclass(frozen=True)
class Reminder:
    """One reminder to send. ``slot`` names it uniquely within its deadline."""

    slot: str  # "before-5", "on-day", "overdue-2", "escalation"
    stage: Stage
    number: int = 0  # the count, for overdue reminders (1, 2, …)


@dataclass(frozen=True)
class Slot:
    key: str
    stage: Stage
    at: datetime


class ReminderPlan:
    """A policy applied on a working-day calendar in one time zone."""

    def __init__(
        self,
        policy: ReminderPolicy,
        calendar: WorkingCalendar,
        zone: ZoneInfo,
        send_at: time = time(8, 0),
    ) -> None:
        self.policy = policy
        self.calendar = calendar
        self.zone = zone
        self.send_at = send_at

    def fixed_slots(self, due: datetime) -> list[Slot]:
        """The reminders before and on the day of ``due``, earliest first."""
        local = due.astimezone(self.zone)
        slots = [
            Slot(
                f"before-{days}",
                Stage.BEFORE,
                self._at(self.calendar.add_working_days(local.date(), -days)),
            )
            for days in sorted(set(self.policy.before), reverse=True)
        ]
        if self.policy.on_day:
            slots.append(Slot("on-day", Stage.ON_DAY, min(self._at(local.date()), local)))
        return slots

    def start(self, due: datetime, created: datetime) -> ReminderState:
        """The state of a new deadline: slots already past when it was made are skipped.

        Someone asked today for something due in two days has just had the request; a
        "due in five days" reminder now would only be noise.
        """
        past = sum(1 for slot in self.fixed_slots(due) if slot.at <= created)
        return ReminderState(fixed_done=past)

    def next_at(self, due: datetime, state: ReminderState) -> datetime | None:
        """When :meth:`fire` will next have something to send; None when nothing will."""
        slots = self.fixed_slots(due)
        if state.fixed_done < len(slots):
            return slots[state.fixed_done].at
        if not self._more_after(state):
            return None
        return self._after_at(due, state)

    def fire(
        self, due: datetime, state: ReminderState, now: datetime
    ) -> tuple[Reminder | None, ReminderState]:
        """What to send at ``now`` (at most one reminder), and the state after sending it."""
        today = now.astimezone(self.zone).date()
        slots = self.fixed_slots(due)
        reachable = [i for i in range(state.fixed_done, len(slots)) if slots[i].at <= now]
        stale = now >= due and self._more_after(state) and self._after_at(due, state) <= now
        if reachable and not stale:
            slot = slots[reachable[-1]]  # the latest due slot; earlier missed ones are skipped
            return Reminder(slot.key, slot.stage), replace(
                state, fixed_done=reachable[-1] + 1, last_on=today
            )
        if now < due or not self._more_after(state) or self._after_at(due, state) > now:
            return None, state
        done = replace(state, fixed_done=len(slots), last_on=today)
        if state.overdue_sent < self.policy.at_most:
            number = state.overdue_sent + 1
            return Reminder(f"overdue-{number}", Stage.OVERDUE, number), replace(
                done, overdue_sent=number
            )
        return Reminder("escalation", Stage.ESCALATION), replace(done, escalated=True)

    def overdue_working_days(self, due: datetime, now: datetime) -> int:
        """Working days since the deadline passed, 0 before or on it."""
        if now <= due:
            return 0
        start, end = due.astimezone(self.zone).date(), now.astimezone(self.zone).date()
        return max(self.calendar.working_days_between(start, end), 0)

    def working_days_left(self, due: datetime, now: datetime) -> int:
        """Working days from ``now`` up to the deadline's day, 0 on the day or after it."""
        start, end = now.astimezone(self.zone).date(), due.astimezone(self.zone).date()
        return max(self.calendar.working_days_between(start, end), 0)

    # --- the slots after the deadline -----------------------------------------------

    def _more_after(self, state: ReminderState) -> bool:
        if state.escalated:
            return False
        return state.overdue_sent < self.policy.at_most or self.policy.escalate_to is not None

    def _after_at(self, due: datetime, state: ReminderState) -> datetime:
        """The next reminder after the deadline: ``every`` working days after the last one."""
        due_day = due.astimezone(self.zone).date()
        base = max(due_day, state.last_on or due_day)
        return self._at(self.calendar.add_working_days(base, max(self.policy.every, 1)))

    def _at(self, day: date) -> datetime:
        return datetime.combine(day, self.send_at, tzinfo=self.zone)
