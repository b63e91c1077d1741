"""The working-day calendar (*arbeidsdager*), pure: which days count, and deadline maths.

Weekends and public holidays (*helligdager*, from the ``holidays`` package) are off. Half days
(*halve dager*: 24 and 31 December, the Wednesday before Easter, Whitsun Eve) are a
configurable extra layer: they are working days that end early.

Nothing here reads the clock or does I/O; callers pass in the dates they mean.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
from dateutil.easter import easter

#: The Norwegian half days: julaften, nyttårsaften, onsdag før skjærtorsdag, pinseaften.
DEFAULT_HALF_DAYS: tuple[str, ...] = ("12-24", "12-31", "easter-4", "pentecost-1")

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5
_PENTECOST_AFTER_EASTER = 49  # Whit Sunday is the seventh Sunday after Easter Sunday
_FIXED_SPEC = re.compile(r"(\d{2})-(\d{2})")
_MOVABLE_SPEC = re.compile(r"(easter|pentecost)(?:([+-])(\d{1,3}))?")
_SPEC_HELP = (
    'Write a fixed date as "MM-DD" (e.g. "12-24"), or a day relative to Easter Sunday or '
    'Whit Sunday as "easter-4" or "pentecost-1".'
)


@dataclass(frozen=True)
class HalfDay:
    """A rule for a half day (*halv dag*): a working day that ends early, e.g. at 12:00.

    Exactly one of ``month_day`` (a fixed date) and ``easter_offset`` (days from Easter
    Sunday) is set. Build one from its configuration text with :meth:`parse`.
    """

    spec: str
    month_day: tuple[int, int] | None = None
    easter_offset: int | None = None

    def __post_init__(self) -> None:
        if (self.month_day is None) == (self.easter_offset is None):
            raise ValueError(
                f"Half day {self.spec!r} needs either a fixed date or an offset from Easter."
            )

    @classmethod
    def parse(cls, spec: str) -> HalfDay:
        """Read ``"MM-DD"``, ``"easter±N"`` or ``"pentecost±N"``; raise ValueError otherwise."""
        text = spec.strip().lower()
        if fixed := _FIXED_SPEC.fullmatch(text):
            month, day = int(fixed[1]), int(fixed[2])
            try:
                date(2000, month, day)  # a leap year, so "02-29" is allowed
            except ValueError:
                raise ValueError(
                    f"Half day {spec!r} is not a date in the calendar. {_SPEC_HELP}"
                ) from None
            return cls(spec=spec, month_day=(month, day))
        if movable := _MOVABLE_SPEC.fullmatch(text):
            anchor, sign, days = movable.groups()
            offset = int(days or 0) * (-1 if sign == "-" else 1)
            if anchor == "pentecost":
                offset += _PENTECOST_AFTER_EASTER
            return cls(spec=spec, easter_offset=offset)
        raise ValueError(f"Half day {spec!r} is not understood. {_SPEC_HELP}")

    def date_in(self, year: int) -> date | None:
        """The date this rule names in ``year``; None for 29 February in a common year."""
        if self.month_day is not None:
            month, day = self.month_day
            try:
                return date(year, month, day)
            except ValueError:
                return None
        assert self.easter_offset is not None  # guaranteed by __post_init__
        sunday: date = easter(year)
        return sunday + timedelta(days=self.easter_offset)


class WorkingCalendar:
    """Norwegian working days (*arbeidsdager*).

    Weekends and public holidays (``holidays`` package, country NO) are off; configurable
    half days (24.12, 31.12, the Wednesday before Easter, Whitsun Eve) are an extra layer.
    A half day that falls on a weekend or a holiday is simply a day off.

    Holidays and half days are worked out once per year and kept, so lookups are cheap and
    do not depend on which dates were asked about first.
    """

    def __init__(
        self,
        *,
        country: str = "NO",
        language: str = "no",
        half_days: Iterable[str] = DEFAULT_HALF_DAYS,
        half_day_ends: time = time(12, 0),
        day_ends: time = time(16, 0),
    ) -> None:
        if isinstance(half_days, str):
            raise TypeError(
                f"half_days must be a list of rules, not the single text {half_days!r}."
            )
        if half_day_ends > day_ends:
            raise ValueError(
                f"A half day cannot end ({half_day_ends:%H:%M}) after a normal working day "
                f"({day_ends:%H:%M}). Set half_day_ends earlier than day_ends."
            )
        self._country = country
        self._language = language
        self._check_country_and_language()
        self._half_day_rules = tuple(HalfDay.parse(spec) for spec in half_days)
        self._half_day_ends = half_day_ends
        self._day_ends = day_ends
        self._holidays_by_year: dict[int, Mapping[date, str]] = {}
        self._half_days_by_year: dict[int, frozenset[date]] = {}

    def _check_country_and_language(self) -> None:
        try:
            probe = holidays.country_holidays(self._country, years=(), language=self._language)
        except NotImplementedError:
            raise ValueError(
                f"The holidays package has no public holidays for country {self._country!r}. "
                "Use an ISO 3166-1 alpha-2 code such as 'NO'."
            ) from None
        # The package silently falls back to another language for one it does not know.
        supported = probe.supported_languages or tuple(filter(None, [probe.default_language]))
        if self._language not in supported:
            raise ValueError(
                f"Holiday names for {self._country} are not available in {self._language!r}. "
                f"Choose one of: {', '.join(supported) or 'none (the package has no names)'}."
            )

    # --- what a day is --------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        """True on an arbeidsdag: Monday to Friday and not a public holiday."""
        return day.weekday() < _SATURDAY and day not in self._holidays(day.year)

    def holiday_name(self, day: date) -> str | None:
        """The public holiday's name in the calendar's language (e.g. "Langfredag"), or None.

        Two holidays on one day come joined, as the holidays package gives them:
        17 May 2027 is "Andre pinsedag; Grunnlovsdag".
        """
        return self._holidays(day.year).get(day)

    def is_half_day(self, day: date) -> bool:
        """True on a working day that a half-day rule shortens (e.g. julaften on a weekday)."""
        return day in self._half_days(day.year) and self.is_working_day(day)

    def working_day_ends(self, day: date) -> time | None:
        """When work ends that day: early on a half day, None when it is not a working day."""
        if not self.is_working_day(day):
            return None
        return self._half_day_ends if self.is_half_day(day) else self._day_ends

    # --- counting working days ------------------------------------------------------

    def next_working_day(self, day: date) -> date:
        """``day`` itself if it is a working day, otherwise the first one after it."""
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def add_working_days(self, day: date, n: int) -> date:
        """The date N working days after ``day`` (not counting ``day`` itself).

        ``n == 0`` rolls forward to the next working day; a negative ``n`` counts
        backwards, for "N working days before".
        """
        if n == 0:
            return self.next_working_day(day)
        step = _ONE_DAY if n > 0 else -_ONE_DAY
        remaining = abs(n)
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end``; negative if end < start.

        So ``working_days_between(d, add_working_days(d, n)) == n`` for every n >= 0.
        """
        if end < start:
            return -self.working_days_between(end, start)
        return sum(
            self.is_working_day(start + timedelta(days=offset))
            for offset in range(1, (end - start).days + 1)
        )

    def roll_deadline(self, moment: datetime, zone: ZoneInfo) -> datetime:
        """Move a deadline off a non-working day to the next working day, same wall-clock time.

        The day is judged in ``zone``, and the result is expressed in ``zone``. A deadline
        already on a working day keeps its instant.
        """
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(
                f"Deadline {moment.isoformat()} has no time zone. Pass an aware datetime."
            )
        local = moment.astimezone(zone)
        day = local.date()
        target = self.next_working_day(day)
        if target == day:
            return local
        moved = datetime.combine(target, local.time(), tzinfo=zone)
        # A wall-clock time that does not exist that day (a DST gap) becomes a real one.
        return moved.astimezone(UTC).astimezone(zone)

    # --- per-year caches ------------------------------------------------------------

    def _holidays(self, year: int) -> Mapping[date, str]:
        found = self._holidays_by_year.get(year)
        if found is None:
            table = holidays.country_holidays(self._country, years=year, language=self._language)
            found = self._holidays_by_year[year] = dict(table.items())
        return found

    def _half_days(self, year: int) -> frozenset[date]:
        found = self._half_days_by_year.get(year)
        if found is None:
            dates = (rule.date_in(year) for rule in self._half_day_rules)
            found = self._half_days_by_year[year] = frozenset(d for d in dates if d is not None)
        return found
