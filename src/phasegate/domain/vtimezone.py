"""A time zone's rules as an iCalendar VTIMEZONE (RFC 5545, 3.6.5), written from the
zone's own changes of offset (tzdata, through :mod:`zoneinfo`) over the years a calendar
covers.

Each change is written as the local time it happens at in the offset it changes *from*:
in Oslo, summer time starts at 02:00 standard time and ends at 03:00 summer time.
icalendar's ``add_missing_timezones`` writes 03:00 for the start as well.

Changes that come back each year on the same weekday of the same month (the last Sunday
of March) are one yearly RRULE, as most calendar programs write them; any other change
is a part of its own. Never RDATE: ical.js reads only the first date of an RDATE, and
skips DTSTART beside one, so it would know one year's summer time and no other.

Pure: the caller names the zone and the dates.
"""

from __future__ import annotations

import calendar
import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

# The zone is read this often between the dates; a change is then found to the second.
# Far shorter than any time between two changes of offset that tzdata knows of.
_STEP = timedelta(hours=6)
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Rule:
    """The zone's reckoning from some moment on: its offset from UTC, its name (CET,
    CEST), and whether it is summer time (*sommertid*)."""

    offset: timedelta
    name: str
    summer: bool


@dataclass(frozen=True)
class Change:
    """The zone changes from one rule to another at a moment (UTC)."""

    at: datetime
    before: Rule
    after: Rule

    @property
    def local_start(self) -> datetime:
        """When it happens on the clock, as the clock read just before: a VTIMEZONE
        part's DTSTART (which has no time zone of its own)."""
        return (self.at + self.before.offset).replace(tzinfo=None)


def rule_at(zone: ZoneInfo, moment: datetime) -> Rule:
    local = moment.astimezone(zone)
    offset, summer = local.utcoffset(), local.dst()
    assert offset is not None, "a ZoneInfo always knows"
    return Rule(offset, local.tzname() or "", summer is not None and summer > timedelta(0))


# A feed covers the same few years on every request: work them out once (some 60 ms).
@functools.lru_cache(maxsize=64)
def changes(zone: ZoneInfo, start: datetime, end: datetime) -> tuple[Change, ...]:
    """Every change of ``zone``'s rule from ``start`` to ``end`` (aware moments)."""
    found: list[Change] = []
    moment, rule = start, rule_at(zone, start)
    while moment < end:
        later = min(moment + _STEP, end)
        if (next_rule := rule_at(zone, later)) != rule:
            found.append(Change(_first_second_of(zone, moment, later), rule, next_rule))
        moment, rule = later, next_rule
    return tuple(found)


def _first_second_of(zone: ZoneInfo, before: datetime, after: datetime) -> datetime:
    """The first whole second in (before, after] at which the zone's rule is after's."""
    low, high = int(before.timestamp()), int(after.timestamp())
    rule = rule_at(zone, datetime.fromtimestamp(low, UTC))
    while high - low > 1:
        middle = (low + high) // 2
        if rule_at(zone, datetime.fromtimestamp(middle, UTC)) == rule:
            low = middle
        else:
            high = middle
    return datetime.fromtimestamp(high, UTC)


def vtimezone(zone: ZoneInfo, first: date, last: date) -> Timezone:
    """``zone``'s VTIMEZONE for local times from ``first`` up to ``last``: a first part
    that says which rule holds on ``first``, then the changes."""
    start = datetime.combine(first, time(), zone).astimezone(UTC)
    end = datetime.combine(last, time(), zone).astimezone(UTC)
    initial = rule_at(zone, start)
    timezone = Timezone()
    timezone.add("tzid", zone.key)
    timezone.add_component(_part(initial, initial, (start + initial.offset).replace(tzinfo=None)))
    alike: dict[tuple[Rule, Rule], list[Change]] = {}
    for change in changes(zone, start, end):
        alike.setdefault((change.before, change.after), []).append(change)
    for (before, after), each in alike.items():
        if (yearly := _yearly(each)) is not None:
            timezone.add_component(_part(before, after, each[0].local_start, yearly))
        else:
            for change in each:
                timezone.add_component(_part(before, after, change.local_start))
    return timezone


def _yearly(alike: list[Change]) -> dict[str, Any] | None:
    """The RRULE for changes that come once a year, in the same month, on the same
    weekday and clock time, and the same one of that month (the 2nd or the last); else
    None. It ends with the last of them: past it, the rule it brought holds."""
    starts = [change.local_start for change in alike]
    first = starts[0]
    if len(starts) < 2 or [s.year for s in starts] != list(
        range(first.year, first.year + len(starts))
    ):
        return None
    if any(
        (s.month, s.weekday(), s.time()) != (first.month, first.weekday(), first.time())
        for s in starts
    ):
        return None
    if all(s.day + 7 > calendar.monthrange(s.year, s.month)[1] for s in starts):
        which = -1
    elif len({(s.day - 1) // 7 for s in starts}) == 1:
        which = (first.day - 1) // 7 + 1
    else:
        return None
    return {
        "freq": "yearly",
        "bymonth": first.month,
        "byday": f"{which}{_WEEKDAYS[first.weekday()]}",
        "until": alike[-1].at,
    }


def _part(
    before: Rule, after: Rule, start: datetime, yearly: dict[str, Any] | None = None
) -> TimezoneStandard | TimezoneDaylight:
    part = TimezoneDaylight() if after.summer else TimezoneStandard()
    part.add("dtstart", start)
    if yearly is not None:
        part.add("rrule", yearly)
    part.add("tzoffsetfrom", before.offset)
    part.add("tzoffsetto", after.offset)
    if after.name:
        part.add("tzname", after.name)
    return part
