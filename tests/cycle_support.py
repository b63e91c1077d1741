"""Helpers for the annual-cycle tests: a wheel file of the test's own, ticks at local
times, and reading what the reminders table and the outbox say."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row, select

from phasegate.bootstrap import App, build
from phasegate.cycle.tick import TickReport
from phasegate.storage.tables import Deadline, OutboxMessage, Person, Reminder
from tests.factories import Clock, make_settings

OSLO = ZoneInfo("Europe/Oslo")

#: A wheel with policies the tests can count on, whatever the shipped default says.
TEST_WHEEL = """\
name: testhjul
version: 1
title: {nb: Testhjul, en: Test wheel}
timezone: Europe/Oslo
schedule:
  send_at: "08:00"
  board_notice_working_days: 5
  owner_gate_working_days: 10
reminders:
  gate_decision: {before: [3, 1], on_day: true, every: 2, at_most: 2, escalate_to: pmo}
  owner_decision: {before: [2], on_day: true, every: 2, at_most: 2, escalate_to: pmo}
  status_report: {before: [3], on_day: true, every: 2, at_most: 2, escalate_to: pmo}
  benefit_report: {before: [3], on_day: true, every: 2, at_most: 2, escalate_to: pmo}
  deadline: {before: [2], on_day: true}
events:
  - id: styremote
    kind: board_meeting
    label: {nb: Porteføljestyremøte, en: Portfolio board meeting}
    rrule: "FREQ=MONTHLY;BYMONTH=1,2,3,4,5,6,8,9,10,11,12;BYDAY=2TU"
    start: "2027-01-12 13:00"
    duration_minutes: 120
    agenda_working_days_before: 3
"""


#: The first tertial report as its own event: it opens on 16 April 2027 and asks projects in
#: execution for a status report by 30 April at 12.00.
TERTIAL = """
- id: tertial-1
  kind: reporting_cycle
  label: {nb: 1. tertialrapport, en: First tertial report}
  rrule: "FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=30"
  start: "2027-04-30 12:00"
  phases: [execution]
  request_working_days_before: 10
"""

#: The annual report: it asks projects in realisation for a benefit report by 30 April.
ANNUAL_REPORT = """
- id: arsrapport
  kind: reporting_cycle
  label: {nb: Årsrapport, en: Annual report}
  rrule: "FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=30"
  start: "2027-04-30 14:00"
  phases: [realisation]
  request_working_days_before: 10
"""


def wheel_file(tmp_path: Path, extra_events: str = "") -> Path:
    """The test wheel, with more events appended (YAML list items, any indentation)."""
    path = tmp_path / "arshjul.yaml"
    extra = textwrap.indent(textwrap.dedent(extra_events).strip("\n"), "  ")
    path.write_text(TEST_WHEEL + (extra + "\n" if extra else ""), encoding="utf-8")
    return path


@contextmanager
def cycle_app(database_url: str, wheel: Path, clock: Clock) -> Iterator[App]:
    app = build(make_settings(database_url, wheel_file=wheel), clock=clock, pool_size=10)
    try:
        yield app
    finally:
        app.database.dispose()


def local(day: date, at: time = time(8, 0)) -> datetime:
    return datetime.combine(day, at, tzinfo=OSLO)


def tick_at(app: App, clock: Clock, moment: datetime) -> TickReport:
    clock.now = moment
    return app.ticker.tick()


def every_day(app: App, clock: Clock, first: date, last: date, *times: time) -> None:
    """Tick at the given local times (08:00 and 14:00 by default) on every day, weekends too."""
    day = first
    while day <= last:
        for at in times or (time(8, 0), time(14, 0)):
            tick_at(app, clock, local(day, at))
        day += timedelta(days=1)


def reminder_days(app: App, person: int, kind: str = "reminder") -> list[tuple[date, str]]:
    """(local day, slot) of every reminder of ``kind`` recorded for ``person``, in order."""
    query = (
        select(Reminder.created_at, Reminder.slot)
        .where(Reminder.recipient_id == person, Reminder.kind == kind)
        .order_by(Reminder.id)
    )
    with app.database.connect() as conn:
        return [(at.astimezone(OSLO).date(), slot) for at, slot in conn.execute(query)]


def outbox(app: App, kind: str | None = None, to: str | None = None) -> list[Row[Any]]:
    """The outbox's messages (rows with the table's columns), oldest first."""
    query = select(*OutboxMessage.__table__.c).order_by(OutboxMessage.id)
    if kind is not None:
        query = query.where(OutboxMessage.kind == kind)
    if to is not None:
        query = query.where(OutboxMessage.recipient == to)
    with app.database.connect() as conn:
        return list(conn.execute(query).all())


def email_of(app: App, person: int) -> str:
    with app.database.connect() as conn:
        return str(conn.execute(select(Person.email).where(Person.id == person)).scalar_one())


def open_deadlines(app: App, person: int | None = None) -> list[tuple[str, str]]:
    query = select(Deadline.kind, Deadline.subject).where(Deadline.status == "open")
    if person is not None:
        query = query.where(Deadline.person_id == person)
    with app.database.connect() as conn:
        return [(k, s) for k, s in conn.execute(query.order_by(Deadline.id))]
