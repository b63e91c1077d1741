"""Loading and validating the annual cycle file (`workflows/arshjul.yaml`).

Like the workflow loader, :func:`check_wheel_text` returns every problem it can find, each
with file and line and what to do about it, and leaves out problems that only follow from
one already reported. :func:`load_wheel` returns a :class:`~phasegate.domain.wheel.Wheel`
or raises :class:`~phasegate.errors.WorkflowInvalid` carrying those problems. The file is
read and composed by :mod:`phasegate.workflow.yamlfile`, within its limits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrulestr
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from phasegate.domain.calendar import DEFAULT_HALF_DAYS, HalfDay
from phasegate.domain.reminders import DeadlineKind, EscalationRole, ReminderPolicy
from phasegate.domain.text import shown
from phasegate.domain.wheel import (
    DEFAULT_REMINDERS,
    Audience,
    EventKind,
    Schedule,
    Wheel,
    WheelEvent,
)
from phasegate.errors import WorkflowInvalid, WorkflowNotFound
from phasegate.workflow.yamlfile import (
    LOADER,
    Loader,
    collector_paused,
    compose,
    fingerprint,
    read_file,
)
from phasegate.workflow.yamlnodes import IDENTIFIER, NodeReader, Problem, line_of

T = TypeVar("T")

TOP_REQUIRED = ("name", "version", "title", "timezone", "events")
TOP_OPTIONAL = ("calendar", "schedule", "reminders")
CALENDAR_KEYS = ("half_days", "half_day_ends", "day_ends")
SCHEDULE_KEYS = ("send_at", "board_notice_working_days", "owner_gate_working_days")
POLICY_KEYS = ("before", "on_day", "every", "at_most", "escalate_to")
EVENT_KEYS = ("id", "kind", "label", "rrule", "start")  # every event has these
KIND_KEYS: dict[EventKind, tuple[str, ...]] = {
    EventKind.BOARD_MEETING: ("duration_minutes", "agenda_working_days_before"),
    EventKind.REPORTING_CYCLE: ("phases", "request_working_days_before"),
    EventKind.DEADLINE: ("notify", "remind_from_working_days_before"),
}
LEAD_KEYS = {
    EventKind.BOARD_MEETING: "agenda_working_days_before",
    EventKind.REPORTING_CYCLE: "request_working_days_before",
    EventKind.DEADLINE: "remind_from_working_days_before",
}
#: Lead times when the file leaves them out; a deadline's follows its reminder policy.
DEFAULT_LEAD_WORKING_DAYS = {EventKind.BOARD_MEETING: 3, EventKind.REPORTING_CYCLE: 10}
MAX_LEAD_WORKING_DAYS = 250  # about a year of working days
MAX_DURATION_MINUTES = 24 * 60
RULE_EXAMPLE = "see RFC 5545, e.g. FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=30"

_ALL_EVENT_KEYS = (*EVENT_KEYS, "description", *(k for ks in KIND_KEYS.values() for k in ks))
_START = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}))?")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})")
_START_HELP = (
    'write it in quotes as "YYYY-MM-DD HH:MM" (e.g. "2026-04-30 12:00"), or as a date '
    "YYYY-MM-DD for the end of the working day"
)


def load_wheel(path: Path, known_phases: Collection[str] | None = None) -> Wheel:
    try:
        text, problems = read_file(path)
    except FileNotFoundError as exc:
        raise WorkflowNotFound("wheel", path=str(path)) from exc
    if text is None:
        raise WorkflowInvalid(problems, "wheel")
    return load_wheel_text(text, str(path), known_phases)


def check_wheel_file(
    path: Path, known_phases: Collection[str] | None = None, loader: Loader = LOADER
) -> list[Problem]:
    """Every problem of the wheel file at ``path``. Raises OSError if it cannot be read
    at all."""
    text, problems = read_file(path)
    if text is None:
        return problems
    return parse_wheel(text, str(path), known_phases, loader, fingerprinted=False)[1]


def load_wheel_text(text: str, file: str, known_phases: Collection[str] | None = None) -> Wheel:
    wheel, problems = parse_wheel(text, file, known_phases)
    if problems or wheel is None:
        raise WorkflowInvalid(problems, "wheel")
    return wheel


def check_wheel_text(
    text: str, file: str, known_phases: Collection[str] | None = None
) -> list[Problem]:
    return parse_wheel(text, file, known_phases, fingerprinted=False)[1]


def parse_wheel(
    text: str,
    file: str,
    known_phases: Collection[str] | None = None,
    loader: Loader = LOADER,
    *,
    fingerprinted: bool = True,
) -> tuple[Wheel | None, list[Problem]]:
    """The wheel (with its checksum if ``fingerprinted``; a check needs none) and every
    problem, sorted by line."""
    with collector_paused():
        root, problems = compose(text, file, loader)
        if root is None:
            return None, problems
        reader = NodeReader(file)
        wheel = _WheelParser(reader, known_phases).parse(root, text)
        if wheel is not None and fingerprinted:
            wheel = replace(wheel, checksum=fingerprint(root))
    return wheel, sorted(set(reader.problems))


class _WheelParser:
    def __init__(self, reader: NodeReader, known_phases: Collection[str] | None) -> None:
        self.r = reader
        self.known_phases = tuple(known_phases) if known_phases is not None else None
        self.half_days = DEFAULT_HALF_DAYS
        self.half_day_ends = time(12, 0)
        self.day_ends = time(16, 0)
        self.schedule = Schedule()
        self.reminders = dict(DEFAULT_REMINDERS)

    def parse(self, root: Node, text: str) -> Wheel | None:
        keys = self.r.mapping(root, "the wheel", required=TOP_REQUIRED, optional=TOP_OPTIONAL)
        if keys is None:
            return None
        name = self.r.identifier(keys["name"], "the wheel name") if "name" in keys else None
        version = (
            self.r.integer(keys["version"], "version", minimum=1) if "version" in keys else None
        )
        title = self.r.label(keys["title"], "title") if "title" in keys else None
        zone = self._timezone(keys["timezone"]) if "timezone" in keys else None
        # The settings first: events read the end of the day, the notice and the policies.
        if "calendar" in keys:
            self._calendar(keys["calendar"])
        if "schedule" in keys:
            self._schedule(keys["schedule"])
        if "reminders" in keys:
            self._reminders(keys["reminders"])
        events = self._events(keys["events"]) if "events" in keys else ()
        if self.r.problems or name is None or version is None or title is None or zone is None:
            return None
        return Wheel(
            name=name,
            version=version,
            title=title,
            timezone=zone,
            half_days=self.half_days,
            half_day_ends=self.half_day_ends,
            day_ends=self.day_ends,
            schedule=self.schedule,
            reminders=self.reminders,
            events=events,
            source=text,
        )

    # --- the settings around the events ---------------------------------------------

    def _timezone(self, node: Node) -> str | None:
        name = self.r.text(node, "timezone")
        if name is None:
            return None
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long
            self.r.problem(
                node, f"unknown time zone '{shown(name)}'; use an IANA name such as Europe/Oslo"
            )
            return None
        return name

    def _calendar(self, node: Node) -> None:
        keys = self.r.mapping(node, "calendar", optional=CALENDAR_KEYS)
        if keys is None:
            return
        if "half_days" in keys:
            self.half_days = self._half_days(keys["half_days"])
        half_day_ends = self._read(keys, "half_day_ends", self._clock, self.half_day_ends)
        day_ends = self._read(keys, "day_ends", self._clock, self.day_ends)
        if half_day_ends is None or day_ends is None:
            return  # reported
        self.half_day_ends, self.day_ends = half_day_ends, day_ends
        if half_day_ends > day_ends:
            self.r.problem(
                keys.get("half_day_ends") or keys["day_ends"],
                f"half_day_ends {half_day_ends:%H:%M} is after day_ends {day_ends:%H:%M}; a "
                "half day must end no later than a normal working day",
            )

    def _half_days(self, node: Node) -> tuple[str, ...]:
        specs: list[str] = []
        for item in self.r.sequence(node, "calendar: half_days"):
            spec = self.r.text(item, "calendar: a half day")
            if spec is None:
                continue
            try:
                HalfDay.parse(spec)
            except ValueError as exc:
                self.r.problem(item, f"calendar: {exc}")
                continue
            specs.append(spec)
        return tuple(specs)

    def _schedule(self, node: Node) -> None:
        keys = self.r.mapping(node, "schedule", optional=SCHEDULE_KEYS)
        if keys is None:
            return
        default = self.schedule
        send_at = self._read(keys, "send_at", self._clock, default.send_at)
        notice = self._read(
            keys, "board_notice_working_days", self._working_days, default.board_notice_working_days
        )
        owner = self._read(
            keys, "owner_gate_working_days", self._working_days, default.owner_gate_working_days
        )
        if send_at is None or notice is None or owner is None:
            return
        if owner == 0:
            self.r.problem(
                keys["owner_gate_working_days"],
                "owner_gate_working_days must be at least 1: the owner needs a day to decide",
            )
            return
        self.schedule = Schedule(send_at, notice, owner)

    def _reminders(self, node: Node) -> None:
        keys = self.r.mapping(node, "reminders", optional=tuple(k.value for k in DeadlineKind))
        for kind_name, value in (keys or {}).items():
            kind = DeadlineKind(kind_name)
            policy = self._policy(value, kind)
            if policy is not None:
                self.reminders[kind] = policy

    def _policy(self, node: Node, kind: DeadlineKind) -> ReminderPolicy | None:
        """A kind's policy; a key the file leaves out keeps the default for that kind."""
        what = f"reminders for {kind.value}"
        keys = self.r.mapping(node, what, optional=POLICY_KEYS)
        if keys is None:
            return None
        default = DEFAULT_REMINDERS[kind]
        before = self._read(keys, "before", self._before, default.before, what)
        on_day = self._read(keys, "on_day", self.r.boolean, default.on_day, what)
        every = self._read(keys, "every", self.r.integer, default.every, what)
        at_most = self._read(keys, "at_most", self.r.integer, default.at_most, what)
        escalate_ok, escalate_to = True, default.escalate_to
        if "escalate_to" in keys:
            escalate_ok, escalate_to = self._escalation(keys["escalate_to"], what)
        if before is None or on_day is None or every is None or at_most is None:
            return None
        if at_most and not every:
            self.r.problem(
                keys.get("every") or keys.get("at_most") or node,
                f"{what}: at_most {at_most} reminders after the deadline need 'every' (the "
                "working days between them) of 1 or more; or set at_most: 0",
            )
            return None
        if not escalate_ok:
            return None
        return ReminderPolicy(before, on_day, every, at_most, escalate_to)

    def _before(self, node: Node, what: str) -> tuple[int, ...] | None:
        if not isinstance(node, SequenceNode):
            self.r.problem(node, f"{what} must be a list of working days, e.g. [5, 1]")
            return None
        days = [self.r.integer(item, what, minimum=1) for item in node.value]
        found = tuple(d for d in days if d is not None)
        return found if len(found) == len(days) else None

    def _escalation(self, node: Node, what: str) -> tuple[bool, EscalationRole | None]:
        """Whether the value is usable, and the role (None: no escalation)."""
        if isinstance(node, ScalarNode) and node.tag.endswith(":null"):
            return True, None
        choices = (*(r.value for r in EscalationRole), "none")
        value = self.r.choice(node, f"{what}: escalate_to", choices)
        if value is None:
            return False, None
        return True, None if value == "none" else EscalationRole(value)

    # --- events ---------------------------------------------------------------------

    def _events(self, node: Node) -> tuple[WheelEvent, ...]:
        if _is_empty(node):
            self.r.problem(node, "events must list at least one event")
            return ()
        events: list[WheelEvent] = []
        seen: dict[str, int] = {}
        for item in self.r.sequence(node, "events"):
            parsed = self._event(item)
            if parsed is None:
                continue
            event, id_node = parsed
            if event.id in seen:
                self.r.problem(
                    id_node, f"duplicate event id '{event.id}' (first on line {seen[event.id]})"
                )
                continue
            seen[event.id] = line_of(id_node)
            events.append(event)
        return tuple(events)

    def _event(self, node: Node) -> tuple[WheelEvent, Node] | None:
        keys = self.r.mapping(node, "an event", optional=_ALL_EVENT_KEYS)
        if keys is None:
            return None
        event_id = self.r.identifier(keys["id"], "event id") if "id" in keys else None
        written = shown(_scalar(keys["id"])) if "id" in keys else ""
        what = f"event '{written}'" if written else "an event"  # a bad id still names it
        kind = None
        if "kind" in keys:
            value = self.r.choice(keys["kind"], f"{what}: kind", tuple(k.value for k in EventKind))
            kind = EventKind(value) if value else None
        self._event_keys(node, keys, kind, what)
        label = self.r.label(keys["label"], f"{what}: label") if "label" in keys else None
        description = None
        if "description" in keys:
            description = self.r.label(keys["description"], f"{what}: description", lines=True)
        start = self._start(keys["start"], what) if "start" in keys else None
        rule = None
        if "rrule" in keys:
            rule = self._rule(keys["rrule"], keys.get("start"), start, what)
        details = self._details(keys, kind, written or "?", what) if kind else None
        if event_id is None or kind is None or label is None or details is None:
            return None
        if start is None or rule is None:
            return None
        duration, phases, lead, notify = details
        event = WheelEvent(
            id=event_id,
            kind=kind,
            label=label,
            rule=rule,
            start=start,
            duration=duration,
            phases=phases,
            lead_working_days=lead,
            notify=notify,
            description=description,
        )
        return event, keys["id"]

    def _event_keys(
        self, node: Node, keys: dict[str, Node], kind: EventKind | None, what: str
    ) -> None:
        """Report missing keys, and keys that belong to another kind of event."""
        required = EVENT_KEYS + (("phases",) if kind is EventKind.REPORTING_CYCLE else ())
        for key in required:
            if key not in keys:
                self.r.problem(node, f"{what} is missing '{key}'")
        if kind is None:
            return  # unknown or missing kind: reported, and nothing to compare with
        for key, value in keys.items():
            owner = next((k for k, ks in KIND_KEYS.items() if key in ks), kind)
            if owner is not kind:
                self.r.problem(
                    _key_node(node, key) or value,
                    f"{what}: '{key}' is only for a {owner.value}, and this event is a "
                    f"{kind.value}; remove it or change the kind",
                )

    def _details(
        self, keys: dict[str, Node], kind: EventKind, event_id: str, what: str
    ) -> tuple[timedelta, tuple[str, ...], int, tuple[Audience, ...]] | None:
        """The fields of the event's own kind: duration, phases, lead time, audience."""
        minutes: int | None = 0
        if kind is EventKind.BOARD_MEETING:
            minutes = self._read(keys, "duration_minutes", self._minutes, 0, what)
        phases: tuple[str, ...] | None = ()
        if kind is EventKind.REPORTING_CYCLE and "phases" in keys:
            phases = self._phases(keys["phases"], f"reporting cycle '{event_id}'")
        notify: tuple[Audience, ...] | None = ()
        if kind is EventKind.DEADLINE and "notify" in keys:
            notify = self._notify(keys["notify"], what)
        lead = self._lead(keys, kind, what)
        if minutes is None or phases is None or notify is None or lead is None:
            return None
        return timedelta(minutes=minutes), phases, lead, notify

    def _lead(self, keys: dict[str, Node], kind: EventKind, what: str) -> int | None:
        key = LEAD_KEYS[kind]
        default = DEFAULT_LEAD_WORKING_DAYS.get(kind)
        if default is None:  # a deadline: reminders start with the policy's first
            default = max(self.reminders[DeadlineKind.DEADLINE].before, default=0)
        lead = self._read(keys, key, self._working_days, default, what)
        notice = self.schedule.board_notice_working_days
        if kind is EventKind.BOARD_MEETING and lead is not None and lead > notice:
            self.r.problem(
                keys.get(key) or keys.get("kind") or keys["id"],
                f"{what}: the agenda goes out {lead} working days before the meeting, but gate "
                f"requests may come in until {notice} working days before (schedule: "
                f"board_notice_working_days) and would miss it; set {key} to {notice} or less",
            )
            return None
        return lead

    def _phases(self, node: Node, what: str) -> tuple[str, ...] | None:
        if _is_empty(node):
            self.r.problem(
                node, f"{what} lists no phases; name the phases that owe a report, e.g. [execution]"
            )
            return None
        if not isinstance(node, SequenceNode):
            self.r.problem(node, f"{what}: phases must be a list, e.g. [execution]")
            return None
        phases: list[str] = []
        ok = True
        for item in node.value:
            phase = self.r.text(item, f"{what}: a phase")
            if phase is None:
                ok = False
            elif self.known_phases is not None and phase not in self.known_phases:
                self.r.problem(
                    item,
                    f"unknown phase '{phase}' in {what}; the workflow's phases are: "
                    f"{', '.join(self.known_phases)}",
                )
                ok = False
            elif self.known_phases is None and not IDENTIFIER.match(phase):
                self.r.problem(item, f"{what}: '{phase}' is not a phase id")
                ok = False
            elif phase in phases:
                self.r.problem(item, f"phase '{phase}' is listed twice in {what}")
                ok = False
            else:
                phases.append(phase)
        return tuple(phases) if ok else None

    def _notify(self, node: Node, what: str) -> tuple[Audience, ...] | None:
        if not isinstance(node, SequenceNode):
            self.r.problem(node, f"{what}: notify must be a list, e.g. [pmo, board]")
            return None
        choices = tuple(a.value for a in Audience)
        values = [self.r.choice(item, f"{what}: notify", choices) for item in node.value]
        if None in values:
            return None
        return tuple(dict.fromkeys(Audience(v) for v in values if v))

    # --- start and rule ---------------------------------------------------------------

    def _start(self, node: Node, what: str) -> datetime | None:
        # An unquoted date is a YAML timestamp node; its text as written reads the same.
        raw = _scalar(node)
        found = _START.fullmatch(raw)
        if found is None:
            written = f" '{shown(raw)}'" if raw else ""
            self.r.problem(node, f"{what}: start{written} is not a date and time; {_START_HELP}")
            return None
        year, month, day, hour, minute = found.groups()
        try:
            on = date(int(year), int(month), int(day))
            clock = time(int(hour), int(minute)) if hour else self.day_ends
        except ValueError:
            self.r.problem(node, f"{what}: start '{raw}' is not a real date or time; {_START_HELP}")
            return None
        return datetime.combine(on, clock)

    def _rule(
        self, node: Node, start_node: Node | None, start: datetime | None, what: str
    ) -> str | None:
        text = self.r.text(node, f"{what}: rrule")
        if text is None:
            return None
        try:
            rule, parts = normalise_rule(text)
            recurrence = rrulestr(rule, dtstart=start or datetime(2000, 1, 1))  # noqa: DTZ001
        except RuleNotForWheel as exc:
            self.r.problem(node, f"{what}: {exc}")
            return None
        except (ValueError, TypeError) as exc:
            self.r.problem(node, f"{what}: the rrule is not valid: {_plain(exc)}; {RULE_EXAMPLE}")
            return None
        if start is None or start_node is None:
            return rule  # the start's problem is reported; nothing to check the rule from
        first = None if never_matches(parts) else recurrence.after(start, inc=True)
        if first is None:
            self.r.problem(
                node,
                f"{what}: the rrule never gives a date from start {start:%Y-%m-%d} on; check "
                "BYMONTH, BYMONTHDAY, BYDAY, COUNT and UNTIL",
            )
        elif first != start:
            self.r.problem(
                start_node,
                f"{what}: start {start:%Y-%m-%d %H:%M} is not a date the rrule gives, and "
                "calendar apps show the start as the first occurrence; set start to "
                f'"{first:%Y-%m-%d %H:%M}"',
            )
        return rule if first == start else None

    # --- small values ---------------------------------------------------------------

    def _read(
        self,
        keys: dict[str, Node],
        key: str,
        read: Callable[[Node, str], T | None],
        default: T,
        what: str = "",
    ) -> T | None:
        """The value under ``key`` if the file gives it (None if wrong), else ``default``."""
        if key not in keys:
            return default
        return read(keys[key], f"{what}: {key}" if what else key)

    def _clock(self, node: Node, what: str) -> time | None:
        # Unquoted, 16:00 is a base-60 number to YAML 1.1; its text as written still reads.
        raw = _scalar(node)
        found = _CLOCK.fullmatch(raw)
        if found and int(found[1]) < 24 and int(found[2]) < 60:
            return time(int(found[1]), int(found[2]))
        self.r.problem(
            node,
            f'{what} \'{shown(raw)}\' is not a time of day; write it as "HH:MM", e.g. "16:00"',
        )
        return None

    def _working_days(self, node: Node, what: str) -> int | None:
        return self._bounded(node, what, MAX_LEAD_WORKING_DAYS, "about a year of working days")

    def _minutes(self, node: Node, what: str) -> int | None:
        return self._bounded(node, what, MAX_DURATION_MINUTES, "a day")

    def _bounded(self, node: Node, what: str, most: int, words: str) -> int | None:
        value = self.r.integer(node, what)
        if value is not None and value > most:
            self.r.problem(node, f"{what} is {value}, more than {most} ({words}); make it smaller")
            return None
        return value


def _is_empty(node: Node) -> bool:
    """Nothing after the key, or an empty list `[]`."""
    return node.tag.endswith(":null") or (isinstance(node, SequenceNode) and not node.value)


def _scalar(node: Node) -> str:
    return str(node.value).strip() if isinstance(node, ScalarNode) else ""


def _key_node(node: Node, key: str) -> Node | None:
    if isinstance(node, MappingNode):
        return next((k for k, _ in node.value if str(k.value) == key), None)
    return None


# --- recurrence rules (RFC 5545 RRULE) ----------------------------------------------------

RULE_PARTS = (
    "FREQ", "INTERVAL", "COUNT", "UNTIL", "BYMONTH", "BYWEEKNO", "BYYEARDAY", "BYMONTHDAY",
    "BYDAY", "BYSETPOS", "WKST",
)  # fmt: skip
WHEEL_FREQUENCIES = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY")
_HOURS = ("HOURLY", "MINUTELY", "SECONDLY", "BYHOUR", "BYMINUTE", "BYSECOND")
_NUMBER_RANGES = {
    "BYMONTH": 12,
    "BYMONTHDAY": 31,
    "BYYEARDAY": 366,
    "BYWEEKNO": 53,
    "BYSETPOS": 366,
}
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_BYDAY = re.compile(r"([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
_UNTIL = re.compile(r"\d{8}(T\d{6})?")
_ONLY_WITH = {  # RFC 5545, 3.3.10: parts that some frequencies must not have
    "BYWEEKNO": ("YEARLY",),
    "BYYEARDAY": ("YEARLY", "DAILY"),
    "BYMONTHDAY": ("YEARLY", "MONTHLY", "DAILY"),
}
_LONGEST_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class RuleNotForWheel(ValueError):
    """A rule RFC 5545 allows but a wheel of dates cannot use; the message says why."""


def normalise_rule(text: str) -> tuple[str, dict[str, str]]:
    """The rule as ``FREQ=...;NAME=VALUE...`` in capitals, and its parts.

    Raises :class:`RuleNotForWheel` or ValueError, with the reason in plain words.
    """
    body = text.strip()
    for name in ("DTSTART", "TZID"):
        if name in body.upper():
            raise RuleNotForWheel(
                f"the rrule must not contain {name}; give the first date and time in 'start:' "
                "(the wheel's timezone applies to it)"
            )
    if len(body.splitlines()) > 1:
        raise ValueError("write the rule on one line, without EXDATE or RDATE")
    if body.upper().startswith("RRULE:"):
        body = body[len("RRULE:") :]
    parts: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in body.split(";"))):
        name, equals, value = (s.strip().upper() for s in part.partition("="))
        if not equals or not value:
            raise ValueError(f"'{part}' is not NAME=VALUE")
        if name in _HOURS:
            raise RuleNotForWheel(_hours_message(f"{name}={value}"))
        if name not in RULE_PARTS:
            raise ValueError(f"unknown part '{name}'; a rule has {', '.join(RULE_PARTS)}")
        if name in parts:
            raise ValueError(f"{name} is given twice")
        _check_part(name, value)
        parts[name] = value
    _check_whole(parts)
    ordered = {"FREQ": parts["FREQ"], **parts}
    return ";".join(f"{name}={value}" for name, value in ordered.items()), parts


def never_matches(parts: dict[str, str]) -> bool:
    """True when BYMONTH and BYMONTHDAY name no real day, e.g. 30 February.

    Those rules would send dateutil searching to the year 9999, which takes seconds.
    """
    if "BYMONTH" not in parts or "BYMONTHDAY" not in parts:
        return False
    months = [int(m) for m in parts["BYMONTH"].split(",")]
    days = [int(d) for d in parts["BYMONTHDAY"].split(",")]
    return all(0 < day > _LONGEST_MONTH[month - 1] for month in months for day in days)


def _check_part(name: str, value: str) -> None:
    if name == "FREQ" and value in _HOURS:
        raise RuleNotForWheel(_hours_message(f"FREQ={value}"))
    if name == "FREQ" and value not in WHEEL_FREQUENCIES:
        raise ValueError(f"FREQ={value} is not a frequency; use {', '.join(WHEEL_FREQUENCIES)}")
    if name in {"INTERVAL", "COUNT"} and not (value.isdigit() and int(value) >= 1):
        raise ValueError(f"{name}={value} must be a whole number of 1 or more")
    if name == "UNTIL" and not _is_until(value):
        raise ValueError(
            f"UNTIL={value} must be a local date like 20301231 or date-time like "
            "20301231T235900, without 'Z' (the wheel's timezone applies)"
        )
    if name == "WKST" and value not in _WEEKDAYS:
        raise ValueError(f"WKST={value} must be a weekday: {', '.join(_WEEKDAYS)}")
    if name in _NUMBER_RANGES:
        _check_numbers(name, value, _NUMBER_RANGES[name])
    if name == "BYDAY":
        for day in value.split(","):
            found = _BYDAY.fullmatch(day)
            if found is None or (found[1] and not 1 <= abs(int(found[1])) <= 53):
                raise ValueError(
                    f"BYDAY value '{day}' is not a weekday like TU, or a numbered one like "
                    "2TU (second Tuesday) or -1FR (last Friday)"
                )


def _is_until(value: str) -> bool:
    if not _UNTIL.fullmatch(value):
        return False
    try:
        datetime.strptime(value, "%Y%m%dT%H%M%S" if "T" in value else "%Y%m%d")  # noqa: DTZ007
    except ValueError:
        return False
    return True


def _check_numbers(name: str, value: str, most: int) -> None:
    signed = name != "BYMONTH"
    for item in value.split(","):
        number = int(item) if re.fullmatch(r"[+-]?\d+", item) else 0
        if not (1 <= number <= most or (signed and -most <= number <= -1)):
            allowed = f"1 to {most}" + (f" or -1 to -{most}" if signed else "")
            raise ValueError(f"{name} value '{item}' must be {allowed}")


def _check_whole(parts: dict[str, str]) -> None:
    if "FREQ" not in parts:
        raise ValueError(
            "FREQ is missing; start the rule with FREQ=YEARLY, MONTHLY, WEEKLY or DAILY"
        )
    if "COUNT" in parts and "UNTIL" in parts:
        raise ValueError("give COUNT or UNTIL, not both")
    for name, frequencies in _ONLY_WITH.items():
        if name in parts and parts["FREQ"] not in frequencies:
            raise ValueError(f"{name} cannot be used with FREQ={parts['FREQ']} (RFC 5545)")
    if parts["FREQ"] == "MONTHLY":
        for day in parts.get("BYDAY", "").split(","):
            found = _BYDAY.fullmatch(day)
            if found and found[1] and abs(int(found[1])) > 5:
                raise ValueError(f"BYDAY value '{day}': a month has at most 5 of each weekday")


def _plain(exc: Exception) -> str:
    """dateutil's complaint about a part, in the words the other checks use."""
    if found := re.fullmatch(r"invalid '(\w+)': (.*)", str(exc)):
        return f"{found[1]}={found[2]} is not a value it can have"
    return str(exc)


def _hours_message(part: str) -> str:
    return (
        f"{part} repeats within a day, but a wheel holds dates, not hours; use FREQ=DAILY, "
        "WEEKLY, MONTHLY or YEARLY and give the time of day in 'start:'"
    )
