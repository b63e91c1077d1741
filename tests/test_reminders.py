"""The reminder plan, pure: which day each reminder goes out, catch-up after downtime, and
escalation only after the reminders were really sent."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from phasegate.domain.calendar import WorkingCalendar
from phasegate.domain.reminders import (
    EscalationRole,
    ReminderPlan,
    ReminderPolicy,
    ReminderState,
    Stage,
)
from tests.cycle_support import OSLO

POLICY = ReminderPolicy(
    before=(3, 1), on_day=True, every=2, at_most=2, escalate_to=EscalationRole.PMO
)
CALENDAR = WorkingCalendar()


def plan(policy: ReminderPolicy = POLICY) -> ReminderPlan:
    return ReminderPlan(policy, CALENDAR, OSLO, time(8, 0))


def at(day: date, hour: int = 8, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=OSLO)


def walk(p: ReminderPlan, due: datetime, first: date, last: date) -> list[tuple[date, str]]:
    """Fire at 08:00 and 15:00 every day, as a scheduler would; what was sent, when."""
    state, sent, day = p.start(due, at(first, 0)), [], first
    while day <= last:
        for hour in (8, 15):
            reminder, state = p.fire(due, state, at(day, hour))
            if reminder is not None:
                sent.append((day, reminder.slot))
        day += timedelta(days=1)
    return sent


def test_the_slots_before_and_on_the_day_skip_easter() -> None:
    # Due Tuesday 30 March 2027 12:00, the first working day after Easter.
    due = at(date(2027, 3, 30), 12)
    slots = plan().fixed_slots(due)
    # Counting back: Mon 29 (Easter Monday), Fri 26, Thu 25 are holidays; Wed 24 is 1.
    assert [(s.key, s.at) for s in slots] == [
        ("before-3", at(date(2027, 3, 22))),
        ("before-1", at(date(2027, 3, 24))),
        ("on-day", at(date(2027, 3, 30))),
    ]


def test_a_full_run_reminds_then_escalates_once_and_stops() -> None:
    due = at(date(2027, 5, 14), 12)  # Friday before 17 May (Whit Monday and Constitution Day)
    sent = walk(plan(), due, date(2027, 5, 1), date(2027, 6, 30))
    assert sent == [
        (date(2027, 5, 11), "before-3"),
        (date(2027, 5, 13), "before-1"),
        (date(2027, 5, 14), "on-day"),
        (date(2027, 5, 19), "overdue-1"),
        (date(2027, 5, 21), "overdue-2"),
        (date(2027, 5, 25), "escalation"),
    ]


def test_after_downtime_only_the_latest_due_slot_goes_out() -> None:
    p, due = plan(), at(date(2027, 5, 14), 12)
    state = p.start(due, at(date(2027, 5, 1)))
    # Down from before the first reminder until after the deadline passed by 3 days.
    reminder, state = p.fire(due, state, at(date(2027, 5, 19), 9))
    assert reminder is not None
    assert (reminder.slot, reminder.stage) == ("overdue-1", Stage.OVERDUE)
    assert p.fire(due, state, at(date(2027, 5, 19), 15)) == (None, state)
    # The next one counts from the catch-up, not from the missed slots.
    assert p.next_at(due, state) == at(date(2027, 5, 21))


def test_escalation_needs_the_reminders_to_have_been_sent() -> None:
    p, due = plan(), at(date(2027, 5, 14), 12)
    state = ReminderState(fixed_done=3, last_on=date(2027, 5, 14))
    # Ten days of downtime: one overdue reminder, not an escalation.
    reminder, state = p.fire(due, state, at(date(2027, 5, 28)))
    assert reminder is not None
    assert reminder.slot == "overdue-1"
    reminder, state = p.fire(due, state, at(date(2027, 6, 2)))
    assert reminder is not None
    assert reminder.slot == "overdue-2"
    reminder, state = p.fire(due, state, at(date(2027, 6, 4)))
    assert reminder is not None
    assert reminder.stage is Stage.ESCALATION
    assert p.next_at(due, state) is None


def test_a_deadline_made_late_skips_the_reminders_already_past() -> None:
    p, due = plan(), at(date(2027, 5, 14), 12)
    state = p.start(due, at(date(2027, 5, 12), 10))  # asked two days before
    assert state.fixed_done == 1  # before-3 (11 May) is past; before-1 (13 May) is not
    assert p.next_at(due, state) == at(date(2027, 5, 13))


def test_an_informational_policy_ends_after_the_day() -> None:
    p = plan(ReminderPolicy(before=(2,), on_day=True))
    due = at(date(2027, 6, 15), 12)
    assert walk(p, due, date(2027, 6, 1), date(2027, 7, 1)) == [
        (date(2027, 6, 11), "before-2"),
        (date(2027, 6, 15), "on-day"),
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"before": (0,)}, "1 or more working days"),
        ({"every": -1}, "0 or more"),
        ({"at_most": 2}, "need `every`"),
    ],
)
def test_a_policy_that_makes_no_sense_is_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ReminderPolicy(**kwargs)  # type: ignore[arg-type]
