"""The wheel and its reminder plans, built once from the wheel file."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from phasegate.domain.reminders import DeadlineKind, ReminderPlan
from phasegate.domain.wheel import Wheel

#: Daily digests go out this long after the morning's reminders, so a digest holds every
#: reminder of that morning even when several schedulers share the work.
DIGEST_AFTER_REMINDERS = timedelta(minutes=30)


@dataclass
class Cycle:
    """The organisation's wheel, with one reminder plan per kind of deadline."""

    wheel: Wheel
    plans: dict[DeadlineKind, ReminderPlan] = field(init=False)

    def __post_init__(self) -> None:
        self.plans = {
            kind: ReminderPlan(
                self.wheel.policy(kind),
                self.wheel.calendar,
                self.wheel.zone,
                self.wheel.schedule.send_at,
            )
            for kind in DeadlineKind
        }

    def plan(self, kind: DeadlineKind | str) -> ReminderPlan:
        return self.plans[DeadlineKind(kind)]

    def owner_gate_due(self, submitted: datetime) -> datetime:
        """An owner gate is due at the end of the Nth working day after it was submitted."""
        wheel = self.wheel
        day = wheel.calendar.add_working_days(
            submitted.astimezone(wheel.zone).date(), wheel.schedule.owner_gate_working_days
        )
        ends = wheel.calendar.working_day_ends(day) or wheel.day_ends
        return datetime.combine(day, ends, tzinfo=wheel.zone)

    def digest_time(self, day: datetime) -> datetime:
        """When the digest of ``day`` (local) may go out."""
        local = day.astimezone(self.wheel.zone).date()
        start = datetime.combine(local, self.wheel.schedule.send_at, tzinfo=self.wheel.zone)
        return start + DIGEST_AFTER_REMINDERS
