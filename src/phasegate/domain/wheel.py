"""The annual cycle (*årshjul*), pure: recurring events and when each one happens.

A wheel is a list of events, each a recurrence rule (RFC 5545 RRULE) with a start in the
wheel's time zone: board meetings, reporting cycles and informational deadlines. An
:class:`Occurrence` is one instance of an event: the time the rule gives (``nominal``, its
stable identity), that time moved off weekends and public holidays (``at``), and the
moment phasegate should act on it (``opens_at``: the agenda email, the report requests,
the first reminder).

Nothing here reads the clock or does I/O; callers pass in the time they mean. Expanding a
rule is the expensive part, so a wheel keeps each year's occurrences once worked out:
:meth:`Wheel.open_at` runs on every scheduler tick.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cached_property
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from phasegate.domain.calendar import WorkingCalendar
from phasegate.domain.model import Label
from phasegate.domain.reminders import DeadlineKind, EscalationRole, ReminderPolicy

#: A reporting cycle asks projects in this phase for a benefit report, others for a status report.
BENEFIT_PHASE = "realisation"

#: The reminder policy of each kind of deadline when the wheel file leaves it out.
DEFAULT_REMINDERS: Mapping[DeadlineKind, ReminderPolicy] = MappingProxyType(
    {
        DeadlineKind.GATE_DECISION: ReminderPolicy(
            before=(3, 1), on_day=True, every=2, at_most=2, escalate_to=EscalationRole.PMO
        ),
        DeadlineKind.OWNER_DECISION: ReminderPolicy(
            before=(2,), on_day=True, every=2, at_most=2, escalate_to=EscalationRole.PMO
        ),
        DeadlineKind.STATUS_REPORT: ReminderPolicy(
            before=(5, 1), on_day=True, every=2, at_most=3, escalate_to=EscalationRole.PMO
        ),
        DeadlineKind.BENEFIT_REPORT: ReminderPolicy(
            before=(5, 1), on_day=True, every=3, at_most=2, escalate_to=EscalationRole.PMO
        ),
        DeadlineKind.DEADLINE: ReminderPolicy(before=(10, 2), on_day=True),
        DeadlineKind.MEASUREMENT: ReminderPolicy(
            before=(5,), on_day=True, every=5, at_most=2, escalate_to=EscalationRole.PMO
        ),
        DeadlineKind.RISK_REVIEW: ReminderPolicy(
            before=(5,), on_day=True, every=5, at_most=2, escalate_to=EscalationRole.PMO
        ),
    }
)

_SEARCH_YEARS = 2  # how far ahead next_board_meeting looks


class EventKind(StrEnum):
    """What an event in the wheel is, and so what phasegate does about it."""

    BOARD_MEETING = "board_meeting"  # porteføljestyremøte: gate requests go on its agenda
    REPORTING_CYCLE = "reporting_cycle"  # tertial, årsrapport: reports are owed by a cut-off
    DEADLINE = "deadline"  # an informational date (rammesak, budsjettvedtak, innmelding)


class Audience(StrEnum):
    """Who hears of an informational deadline."""

    BOARD = "board"  # porteføljestyret
    PMO = "pmo"  # porteføljekontoret
    LEADERS = "leaders"  # line leaders (*ledere*), who send in ideas
    OWNERS = "owners"  # project owners (*prosjekteiere*)


@dataclass(frozen=True)
class WheelEvent:
    """One recurring entry in the wheel, as the file describes it."""

    id: str
    kind: EventKind
    label: Label
    rule: str  # the RRULE, e.g. "FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=30"
    start: datetime  # naive local wall-clock time of DTSTART, in the wheel's zone
    duration: timedelta = timedelta(0)
    phases: tuple[str, ...] = ()  # reporting_cycle: which project phases owe a report
    # board_meeting: the agenda goes out this many working days before; reporting_cycle:
    # the requests do; deadline: the reminders start.
    lead_working_days: int = 0
    notify: tuple[Audience, ...] = ()  # deadline: who hears of it
    description: Label | None = None

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None:
            raise ValueError(
                f"Event {self.id!r}: start {self.start.isoformat()} must be a naive local "
                "wall-clock time; the wheel's time zone applies to it."
            )
        if self.lead_working_days < 0 or self.duration < timedelta(0):
            raise ValueError(f"Event {self.id!r}: lead days and duration are 0 or more.")

    def report_kind(self, phase: str) -> DeadlineKind:
        """What a project in ``phase`` owes in this reporting cycle."""
        if phase == BENEFIT_PHASE:
            return DeadlineKind.BENEFIT_REPORT
        return DeadlineKind.STATUS_REPORT


@dataclass(frozen=True)
class Occurrence:
    """One instance of a wheel event. All three times are aware, in the wheel's zone."""

    event: WheelEvent
    nominal: datetime  # the time the rule gives: the occurrence's identity
    at: datetime  # nominal, moved to the next working day (same wall clock) if need be
    opens_at: datetime  # when phasegate acts on it: agenda, requests, first reminder

    @property
    def ends_at(self) -> datetime:
        return self.at + self.event.duration

    @property
    def key(self) -> str:
        """Stable across runs and file edits that keep the date: database keys, iCal UIDs."""
        return f"{self.event.id}/{self.nominal:%Y%m%dT%H%M}"


@dataclass(frozen=True)
class Schedule:
    """When phasegate sends things, and the notice periods around gates."""

    send_at: time = time(8, 0)  # local time reminders and requests go out
    # A board gate request goes on the agenda of the first meeting at least this many
    # working days after it is submitted.
    board_notice_working_days: int = 5
    owner_gate_working_days: int = 10  # an owner gate is due this many working days after


@dataclass(frozen=True)
class Wheel:
    """The annual cycle: its calendar, its schedule, its reminder policies and its events.

    ``reminders`` always holds every :class:`DeadlineKind`: kinds not given take
    :data:`DEFAULT_REMINDERS`.
    """

    name: str
    version: int
    title: Label
    timezone: str
    half_days: tuple[str, ...]
    half_day_ends: time
    day_ends: time
    schedule: Schedule
    reminders: Mapping[DeadlineKind, ReminderPolicy]
    events: tuple[WheelEvent, ...]
    checksum: str = ""
    source: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        complete = {**DEFAULT_REMINDERS, **self.reminders}
        object.__setattr__(self, "reminders", MappingProxyType(complete))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def calendar(self) -> WorkingCalendar:
        return WorkingCalendar(
            half_days=self.half_days, half_day_ends=self.half_day_ends, day_ends=self.day_ends
        )

    def event(self, event_id: str) -> WheelEvent | None:
        return next((e for e in self.events if e.id == event_id), None)

    def event_of(self, occurrence_key: str) -> WheelEvent | None:
        """The event an occurrence key ("<event id>/<YYYYMMDDTHHMM>") belongs to."""
        return self.event(event_id_of(occurrence_key))

    def policy(self, kind: DeadlineKind) -> ReminderPolicy:
        return self.reminders[kind]

    # --- occurrences ----------------------------------------------------------------

    def occurrences(
        self,
        start: datetime,
        end: datetime,
        *,
        kinds: Collection[EventKind] | None = None,
    ) -> list[Occurrence]:
        """Occurrences whose nominal time is in [start, end), sorted by (at, event id)."""
        low, high = self._local(start), self._local(end)
        found = [
            occurrence
            for year in range(low.year, high.year + 1)
            for occurrence in self._year(year)
            if low <= occurrence.nominal < high
            and (kinds is None or occurrence.event.kind in kinds)
        ]
        return sorted(found, key=_order)

    def open_at(self, now: datetime) -> list[Occurrence]:
        """Occurrences with ``opens_at <= now < at``: act on them now, their moment is ahead.

        Called on every scheduler tick, so it only scans the years cached around ``now``.
        """
        local = self._local(now)
        # A rolled occurrence can belong to last year's rule; a long lead can reach into
        # a year ahead.
        last = (local + self._lead_reach).year
        found = [
            occurrence
            for year in range(local.year - 1, last + 1)
            for occurrence in self._year(year)
            if occurrence.opens_at <= now < occurrence.at
        ]
        return sorted(found, key=_order)

    def next_board_meeting(self, submitted: datetime) -> Occurrence | None:
        """The first board meeting with the notice period's working days to spare.

        A request submitted on day D goes to the first meeting on or after the day
        ``board_notice_working_days`` working days after D. None when the wheel has no
        board meetings in the next two years.
        """
        local = self._local(submitted)
        earliest_day = self.calendar.add_working_days(
            local.date(), self.schedule.board_notice_working_days
        )
        candidates = [
            occurrence
            for year in range(local.year - 1, local.year + _SEARCH_YEARS + 1)
            for occurrence in self._year(year)
            if occurrence.event.kind is EventKind.BOARD_MEETING
            and occurrence.at > submitted
            and occurrence.at.date() >= earliest_day
        ]
        return min(candidates, key=_order, default=None)

    def board_meeting_before(self, meeting: Occurrence) -> Occurrence | None:
        """The board meeting before this one (within a year), None if there is none."""
        year = meeting.nominal.year
        earlier = [
            occurrence
            for occurrence in (*self._year(year - 1), *self._year(year))
            if occurrence.event.kind is EventKind.BOARD_MEETING and occurrence.at < meeting.at
        ]
        return max(earlier, key=_order, default=None)

    def board_meeting_at(self, moment: datetime) -> Occurrence | None:
        """The board meeting going on at ``moment``, or else the next one (within two
        years): the one whose agenda the open board requests are on now."""
        year = self._local(moment).year
        ahead = [
            occurrence
            for y in range(year - 1, year + _SEARCH_YEARS + 1)
            for occurrence in self._year(y)
            if occurrence.event.kind is EventKind.BOARD_MEETING and occurrence.ends_at > moment
        ]
        return min(ahead, key=_order, default=None)

    # --- expansion, cached per year -------------------------------------------------

    @cached_property
    def _years(self) -> dict[int, tuple[Occurrence, ...]]:
        return {}

    @cached_property
    def _rules(self) -> tuple[Any, ...]:
        return tuple(rrulestr(event.rule, dtstart=event.start) for event in self.events)

    @cached_property
    def _lead_reach(self) -> timedelta:
        """A generous bound on how far before its moment an occurrence opens."""
        longest = max((e.lead_working_days for e in self.events), default=0)
        return timedelta(days=2 * longest + 14)  # weekends, Easter and Christmas included

    def _year(self, year: int) -> tuple[Occurrence, ...]:
        """Every event's occurrences with a nominal time in ``year``, sorted."""
        cached = self._years.get(year)
        if cached is None:
            low, high = datetime(year, 1, 1), datetime(year + 1, 1, 1)  # noqa: DTZ001 (local)
            cached = tuple(
                sorted(
                    (
                        self._occurrence(event, moment)
                        for event, rule in zip(self.events, self._rules, strict=True)
                        for moment in rule.between(low, high, inc=True)
                        if moment < high
                    ),
                    key=_order,
                )
            )
            self._years[year] = cached  # a race only computes the same tuple twice
        return cached

    def _occurrence(self, event: WheelEvent, wall_clock: datetime) -> Occurrence:
        zone = self.zone
        # A wall-clock time in the spring DST gap becomes a real one (02:30 -> 03:30).
        nominal = wall_clock.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)
        at = self.calendar.roll_deadline(nominal, zone)
        opens_day = self.calendar.add_working_days(at.date(), -event.lead_working_days)
        opens_at = _combine(opens_day, self.schedule.send_at, zone)
        return Occurrence(event=event, nominal=nominal, at=at, opens_at=min(opens_at, at))

    def _local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(
                f"{moment.isoformat()} has no time zone. Pass an aware datetime; the wheel "
                f"works in {self.timezone}."
            )
        return moment.astimezone(self.zone)


def _combine(day: date, clock: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC).astimezone(zone)


def _order(occurrence: Occurrence) -> tuple[datetime, str]:
    return occurrence.at, occurrence.event.id


def event_id_of(occurrence_key: str) -> str:
    """The event id of an occurrence key ("<event id>/<YYYYMMDDTHHMM>", see Occurrence.key)."""
    return occurrence_key.partition("/")[0]
