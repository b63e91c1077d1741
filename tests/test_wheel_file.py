"""The annual cycle file: the shipped wheel loads, and every mistake is reported with its
line and what to do.

Each broken file is the small valid wheel ``MINIMAL`` with one thing changed, so the line
numbers in the assertions can be read off the listing below.
"""

from __future__ import annotations

import time as timer
from datetime import datetime, time
from pathlib import Path

import pytest

from phasegate.domain.reminders import DeadlineKind, EscalationRole, ReminderPolicy
from phasegate.domain.wheel import DEFAULT_REMINDERS, Audience, EventKind
from phasegate.errors import WorkflowInvalid, WorkflowNotFound
from phasegate.workflow.loader import load_workflow
from phasegate.workflow.wheel_loader import check_wheel_text, load_wheel, load_wheel_text

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "workflows" / "arshjul.yaml"
PHASES = ("idea", "concept", "planning", "execution", "closing", "realisation")
RFC_HINT = "see RFC 5545, e.g. FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=30"

# Line numbers, for reading the assertions: timezone 4, calendar 5 (half_days 6,
# half_day_ends 7, day_ends 8), schedule 9 (send_at 10, notice 11), reminders 12
# (status_report 13), events 14; styremote 15 (kind 16, label 17, rrule 18, start 19,
# duration 20, agenda 21); tertial-1 22 (kind 23, label 24, rrule 25, start 26, phases 27,
# request 28); rammesak 29 (kind 30, label 31, rrule 32, start 33, notify 34).
MINIMAL = """\
name: mini
version: 1
title: {nb: Mini, en: Mini}
timezone: Europe/Oslo
calendar:
  half_days: ["12-24", "easter-4"]
  half_day_ends: "12:00"
  day_ends: "16:00"
schedule:
  send_at: "08:00"
  board_notice_working_days: 5
reminders:
  status_report: {before: [5, 1], every: 2, at_most: 3, escalate_to: pmo}
events:
  - id: styremote
    kind: board_meeting
    label: Styremøte
    rrule: "FREQ=MONTHLY;BYDAY=2TU"
    start: "2026-01-13 13:00"
    duration_minutes: 120
    agenda_working_days_before: 3
  - id: tertial-1
    kind: reporting_cycle
    label: {nb: 1. tertial, en: First four-month report}
    rrule: "FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=30"
    start: "2026-04-30 12:00"
    phases: [execution, realisation]
    request_working_days_before: 10
  - id: rammesak
    kind: deadline
    label: Rammesak
    rrule: "FREQ=YEARLY;BYMONTH=6;BYDAY=3TU"
    start: "2026-06-16 18:00"
    notify: [pmo, board]
"""


def altered(*changes: tuple[str, str], text: str = MINIMAL) -> str:
    """``text`` with each (old, new) applied; each ``old`` must occur exactly once."""
    for old, new in changes:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


def problems(text: str, known_phases: tuple[str, ...] | None = PHASES) -> list[tuple[int, str]]:
    return [(p.line, p.message) for p in check_wheel_text(text, "mini.yaml", known_phases)]


# --- the files that are right ------------------------------------------------------------


def test_the_shipped_wheel_loads_with_the_default_workflows_phases() -> None:
    definition = load_workflow(ROOT / "workflows" / "prosjektveiviseren.yaml")

    wheel = load_wheel(SHIPPED, [p.id for p in definition.phases])

    assert wheel.name == "arshjul"
    assert wheel.timezone == "Europe/Oslo"
    assert [e.id for e in wheel.events] == [
        "styremote",
        "arsrapport",
        "tertial-1",
        "tertial-2",
        "hp-rammesak",
        "hp-forslag",
        "hp-vedtak",
        "innmelding",
    ]
    assert dict(wheel.reminders) == dict(DEFAULT_REMINDERS), "the file spells out the defaults"
    assert len(wheel.checksum) == 64


def test_the_minimal_wheel_used_by_these_tests_is_valid() -> None:
    wheel = load_wheel_text(MINIMAL, "mini.yaml", PHASES)

    meeting, tertial, deadline = wheel.events
    assert meeting.kind is EventKind.BOARD_MEETING
    assert meeting.lead_working_days == 3
    assert tertial.phases == ("execution", "realisation")
    assert tertial.lead_working_days == 10
    assert deadline.notify == (Audience.PMO, Audience.BOARD)
    assert deadline.lead_working_days == 10, "reminders start with the deadline policy's first"
    assert problems(MINIMAL) == []


def test_settings_left_out_take_their_defaults() -> None:
    text = altered(
        (MINIMAL[MINIMAL.index("calendar:") : MINIMAL.index("events:")], ""),
        ("    agenda_working_days_before: 3\n", ""),
        ("    request_working_days_before: 10\n", ""),
    )

    wheel = load_wheel_text(text, "mini.yaml")

    assert wheel.half_days == ("12-24", "12-31", "easter-4", "pentecost-1")
    assert (wheel.half_day_ends, wheel.day_ends) == (time(12), time(16))
    assert wheel.schedule.send_at == time(8)
    assert [e.lead_working_days for e in wheel.events] == [3, 10, 10]


def test_a_policy_that_names_some_fields_keeps_the_defaults_for_the_rest() -> None:
    text = altered(
        ("status_report: {before: [5, 1], every: 2, at_most: 3, escalate_to: pmo}", ""),
        ("reminders:\n", "reminders:\n  gate_decision: {escalate_to: board}\n  deadline: {}\n"),
    )

    wheel = load_wheel_text(text, "mini.yaml")

    assert wheel.policy(DeadlineKind.GATE_DECISION) == ReminderPolicy(
        before=(3, 1), on_day=True, every=2, at_most=2, escalate_to=EscalationRole.BOARD
    )
    assert wheel.policy(DeadlineKind.DEADLINE) == DEFAULT_REMINDERS[DeadlineKind.DEADLINE]


def test_an_unquoted_date_is_a_start_at_the_end_of_the_working_day() -> None:
    text = altered(('start: "2026-06-16 18:00"', "start: 2026-06-16"))

    wheel = load_wheel_text(text, "mini.yaml")

    assert wheel.events[2].start == datetime(2026, 6, 16, 16, 0)  # noqa: DTZ001 (local)


def test_unquoted_times_of_day_are_read_as_written() -> None:
    text = altered(('day_ends: "16:00"', "day_ends: 15:30"))

    assert load_wheel_text(text, "mini.yaml").day_ends == time(15, 30)


def test_an_rrule_prefix_is_accepted_and_the_rule_is_kept_in_capitals() -> None:
    text = altered(('"FREQ=MONTHLY;BYDAY=2TU"', '"RRULE:freq=monthly;byday=2tu;"'))

    assert load_wheel_text(text, "mini.yaml").events[0].rule == "FREQ=MONTHLY;BYDAY=2TU"


def test_a_missing_file_says_where_it_was_looked_for(tmp_path: Path) -> None:
    with pytest.raises(WorkflowNotFound, match="PHASEGATE_WHEEL_FILE"):
        load_wheel(tmp_path / "arshjul.yaml")


def test_a_file_that_is_not_utf8_is_invalid(tmp_path: Path) -> None:
    path = tmp_path / "arshjul.yaml"
    path.write_bytes(MINIMAL.replace("Styremøte", "Styrem\xf8te").encode("latin-1"))

    with pytest.raises(WorkflowInvalid) as caught:
        load_wheel(path)

    assert [(p.line, p.message) for p in caught.value.file_problems] == [
        (17, "the file is not UTF-8 text (byte 0xF8 on this line); save it as UTF-8")
    ]


# --- YAML and keys -------------------------------------------------------------------------


def test_an_unclosed_bracket_is_a_yaml_syntax_error_that_names_the_bracket_line() -> None:
    text = altered(("en: First four-month report}", "en: First four-month report"))

    [(line, message)] = problems(text)

    assert line == 25
    assert message.startswith("YAML syntax error: ")
    assert "on line 24" in message


def test_unknown_missing_and_duplicate_top_level_keys_are_reported() -> None:
    text = altered(("timezone: Europe/Oslo\n", "tidssone: Europe/Oslo\nversion: 2\n"))

    assert problems(text) == [
        (1, "the wheel is missing 'timezone'"),
        (4, "unknown key 'tidssone' in the wheel; expected one of: calendar, events, name, "
            "reminders, schedule, timezone, title, version"),
        (5, "duplicate key 'version' in the wheel (first given on line 2)"),
    ]  # fmt: skip


def test_an_unknown_event_key_is_reported_on_its_line() -> None:
    text = altered(("    duration_minutes: 120\n", "    varighet: 120\n"))

    [(line, message)] = problems(text)

    assert line == 20
    assert message.startswith("unknown key 'varighet' in an event; expected one of: ")


def test_a_key_of_another_kind_of_event_says_which_kind_it_belongs_to() -> None:
    text = altered(("    notify: [pmo, board]\n", "    phases: [execution]\n"))

    assert problems(text) == [
        (34, "event 'rammesak': 'phases' is only for a reporting_cycle, and this event is a "
             "deadline; remove it or change the kind"),
    ]  # fmt: skip


@pytest.mark.parametrize("key", ["rrule", "start", "label"])
def test_an_event_without_rrule_start_or_label_is_reported_on_the_event(key: str) -> None:
    line = next(line for line in MINIMAL.splitlines(keepends=True)[21:28] if f" {key}:" in line)
    text = altered((line, ""), text=MINIMAL)

    assert problems(text) == [(22, f"event 'tertial-1' is missing '{key}'")]


def test_an_unknown_kind_is_reported_once() -> None:
    text = altered(("kind: deadline", "kind: frist"))

    assert problems(text) == [
        (30, "event 'rammesak': kind 'frist' is not one of: board_meeting, reporting_cycle, "
             "deadline"),
    ]  # fmt: skip


def test_two_events_with_one_id_are_reported_on_the_second() -> None:
    text = altered(("- id: rammesak", "- id: tertial-1"))

    assert problems(text) == [(29, "duplicate event id 'tertial-1' (first on line 22)")]


def test_a_wheel_without_events_is_reported() -> None:
    text = MINIMAL[: MINIMAL.index("events:")] + "events: []\n"

    assert problems(text) == [(14, "events must list at least one event")]


# --- recurrence rules ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "why"),
    [
        ("FREQ=FORTNIGHTLY", "FREQ=FORTNIGHTLY is not a frequency; use YEARLY, MONTHLY, WEEKLY, "
                             "DAILY"),
        ("BYMONTH=4;BYMONTHDAY=30", "FREQ is missing; start the rule with FREQ=YEARLY, MONTHLY, "
                                    "WEEKLY or DAILY"),
        ("FREQ=YEARLY;BYMONTH=13", "BYMONTH value '13' must be 1 to 12"),
        ("FREQ=YEARLY;BYMONTH=4;MONTHDAY=30", "unknown part 'MONTHDAY'; a rule has FREQ, "
            "INTERVAL, COUNT, UNTIL, BYMONTH, BYWEEKNO, BYYEARDAY, BYMONTHDAY, BYDAY, BYSETPOS, "
            "WKST"),
        ("FREQ=MONTHLY;BYDAY=2TI", "BYDAY value '2TI' is not a weekday like TU, or a numbered "
                                   "one like 2TU (second Tuesday) or -1FR (last Friday)"),
        ("FREQ=MONTHLY;BYDAY=6TU", "BYDAY value '6TU': a month has at most 5 of each weekday"),
        ("FREQ=YEARLY;FREQ=MONTHLY", "FREQ is given twice"),
        ("FREQ=WEEKLY;BYMONTHDAY=30", "BYMONTHDAY cannot be used with FREQ=WEEKLY (RFC 5545)"),
        ("FREQ=YEARLY;UNTIL=20301399", "UNTIL=20301399 must be a local date like 20301231 or "
            "date-time like 20301231T235900, without 'Z' (the wheel's timezone applies)"),
        ("FREQ=YEARLY;INTERVAL=0", "INTERVAL=0 must be a whole number of 1 or more"),
        ("FREQ=YEARLY;COUNT=3;UNTIL=20301231", "give COUNT or UNTIL, not both"),
        ("FREQ=YEARLY;UNTIL=20301231T235900Z", "UNTIL=20301231T235900Z must be a local date "
            "like 20301231 or date-time like 20301231T235900, without 'Z' (the wheel's timezone "
            "applies)"),
    ],
)  # fmt: skip
def test_a_bad_rrule_says_what_is_wrong_and_shows_an_example(rule: str, why: str) -> None:
    text = altered(('"FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=30"', f'"{rule}"'))

    assert problems(text) == [
        (25, f"event 'tertial-1': the rrule is not valid: {why}; {RFC_HINT}"),
    ]


@pytest.mark.parametrize(
    "rule", ["FREQ=HOURLY", "FREQ=MINUTELY;INTERVAL=30", "FREQ=DAILY;BYHOUR=9"]
)
def test_a_rule_finer_than_a_day_is_refused_because_a_wheel_holds_dates(rule: str) -> None:
    text = altered(('"FREQ=YEARLY;BYMONTH=6;BYDAY=3TU"', f'"{rule}"'))

    [(line, message)] = problems(text)

    assert line == 32
    assert "a wheel holds dates, not hours" in message
    assert "give the time of day in 'start:'" in message


def test_a_rule_with_a_time_zone_is_told_the_wheels_time_zone_applies() -> None:
    text = altered(('"FREQ=MONTHLY;BYDAY=2TU"', '"FREQ=MONTHLY;BYDAY=2TU;TZID=Europe/Oslo"'))

    [(line, message)] = problems(text)

    assert line == 18
    assert message.startswith("event 'styremote': the rrule must not contain TZID;")


def test_an_event_with_a_bad_id_is_still_named_in_its_other_problems() -> None:
    text = altered(
        ("- id: tertial-1", "- id: 1. tertial"), ("phases: [execution, realisation]", "phases: []")
    )

    assert [message for _, message in problems(text)] == [
        "event id '1. tertial' is not a valid id: use letters, digits, '_' or '-', starting "
        "with a letter",
        "reporting cycle '1. tertial' lists no phases; name the phases that owe a report, e.g. "
        "[execution]",
    ]


def test_a_rule_with_its_own_dtstart_is_told_to_use_start() -> None:
    text = altered(
        ('rrule: "FREQ=MONTHLY;BYDAY=2TU"', 'rrule: "DTSTART:20260113T130000\\nRRULE:FREQ=MONTHLY"')
    )

    assert problems(text) == [
        (18, "event 'styremote': the rrule must not contain DTSTART; give the first date and "
             "time in 'start:' (the wheel's timezone applies to it)"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=31",  # 31 April
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30,31",  # 30 and 31 February
        "FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=30;UNTIL=20251231",  # over before it starts
    ],
)
def test_a_rule_that_never_happens_is_reported_quickly(rule: str) -> None:
    text = altered(('"FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=30"', f'"{rule}"'))

    began = timer.perf_counter()
    found = problems(text)

    assert found == [
        (25, "event 'tertial-1': the rrule never gives a date from start 2026-04-30 on; check "
             "BYMONTH, BYMONTHDAY, BYDAY, COUNT and UNTIL"),
    ]  # fmt: skip
    assert timer.perf_counter() - began < 0.5


def test_a_start_that_is_not_one_of_the_rules_dates_names_the_first_one() -> None:
    text = altered(('start: "2026-01-13 13:00"', 'start: "2026-01-01 13:00"'))

    assert problems(text) == [
        (19, "event 'styremote': start 2026-01-01 13:00 is not a date the rrule gives, and "
             'calendar apps show the start as the first occurrence; set start to '
             '"2026-01-13 13:00"'),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("start", "shown"),
    [
        ('"30.04.2026 12:00"', " '30.04.2026 12:00'"),
        ('"2026-04-30 kl 12"', " '2026-04-30 kl 12'"),
        ("[2026, 4, 30]", ""),
    ],
)
def test_a_start_that_is_not_a_date_and_time_shows_the_format(start: str, shown: str) -> None:
    text = altered(('start: "2026-04-30 12:00"', f"start: {start}"))

    assert problems(text) == [
        (26, f"event 'tertial-1': start{shown} is not a date and time; write it in quotes as "
             '"YYYY-MM-DD HH:MM" (e.g. "2026-04-30 12:00"), or as a date YYYY-MM-DD for the '
             "end of the working day"),
    ]  # fmt: skip


def test_a_start_on_a_day_the_calendar_lacks_is_not_a_real_date() -> None:
    text = altered(('start: "2026-04-30 12:00"', 'start: "2026-04-31 12:00"'))

    [(line, message)] = problems(text)

    assert line == 26
    assert message.startswith("event 'tertial-1': start '2026-04-31 12:00' is not a real date")


# --- calendar, schedule and reminders ------------------------------------------------------


def test_an_unknown_time_zone_is_reported() -> None:
    text = altered(("timezone: Europe/Oslo", "timezone: Europe/Olso"))

    assert problems(text) == [
        (4, "unknown time zone 'Europe/Olso'; use an IANA name such as Europe/Oslo"),
    ]


def test_a_time_zone_name_longer_than_a_file_name_is_unknown_and_shown_cut() -> None:
    text = altered(("timezone: Europe/Oslo", f"timezone: Europe/{'x' * 5000}"))

    [(line, message)] = problems(text)

    assert line == 4
    assert message.startswith("unknown time zone 'Europe/xxx")
    assert "…'; use an IANA name such as Europe/Oslo" in message


def test_a_half_day_that_is_not_understood_shows_the_forms() -> None:
    text = altered(('["12-24", "easter-4"]', '["12-24", "skjærtorsdag"]'))

    [(line, message)] = problems(text)

    assert line == 6
    assert message.startswith("calendar: Half day 'skjærtorsdag' is not understood.")
    assert '"easter-4"' in message


@pytest.mark.parametrize(("old", "new", "line"), [
    ('send_at: "08:00"', 'send_at: "8am"', 10),
    ('day_ends: "16:00"', 'day_ends: "25:00"', 8),
])  # fmt: skip
def test_a_time_of_day_must_be_hours_and_minutes(old: str, new: str, line: int) -> None:
    [(found_line, message)] = problems(altered((old, new)))

    assert found_line == line
    assert message.endswith('is not a time of day; write it as "HH:MM", e.g. "16:00"')


def test_a_half_day_cannot_end_after_a_normal_day() -> None:
    text = altered(('half_day_ends: "12:00"', 'half_day_ends: "17:00"'))

    assert problems(text) == [
        (7, "half_day_ends 17:00 is after day_ends 16:00; a half day must end no later than a "
            "normal working day"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ("{before: [5, -1]}", "reminders for status_report: before must be at least 1"),
        ("{every: -2}", "reminders for status_report: every must be at least 0"),
        ("{at_most: 3, every: 0}", "reminders for status_report: at_most 3 reminders after the "
            "deadline need 'every' (the working days between them) of 1 or more; or set "
            "at_most: 0"),
        ("{escalate_to: leder}", "reminders for status_report: escalate_to 'leder' is not one "
            "of: board, pmo, none"),
        ("{on_day: ja takk}", "reminders for status_report: on_day must be true or false"),
    ],
)  # fmt: skip
def test_a_reminder_policy_problem_is_reported_on_its_line(policy: str, message: str) -> None:
    text = altered(("{before: [5, 1], every: 2, at_most: 3, escalate_to: pmo}", policy))

    assert problems(text) == [(13, message)]


def test_an_unknown_kind_of_reminder_lists_the_kinds() -> None:
    text = altered(("  status_report: {", "  statusrapport: {"))

    assert problems(text) == [
        (13, "unknown key 'statusrapport' in reminders; expected one of: benefit_report, "
             "deadline, gate_decision, measurement, owner_decision, risk_review, status_report"),
    ]  # fmt: skip


def test_an_agenda_that_goes_out_before_the_request_deadline_is_reported() -> None:
    text = altered(("agenda_working_days_before: 3", "agenda_working_days_before: 7"))

    assert problems(text) == [
        (21, "event 'styremote': the agenda goes out 7 working days before the meeting, but "
             "gate requests may come in until 5 working days before (schedule: "
             "board_notice_working_days) and would miss it; set agenda_working_days_before "
             "to 5 or less"),
    ]  # fmt: skip


# --- phases and audiences ------------------------------------------------------------------


def test_an_unknown_phase_names_the_workflows_phases() -> None:
    text = altered(("phases: [execution, realisation]", "phases: [exécution, realisation]"))

    assert problems(text) == [
        (27, "unknown phase 'exécution' in reporting cycle 'tertial-1'; the workflow's phases "
             "are: idea, concept, planning, execution, closing, realisation"),
    ]  # fmt: skip


def test_without_a_workflow_phases_are_only_checked_to_be_ids() -> None:
    text = altered(("phases: [execution, realisation]", "phases: [gjennomforing, 2-drift]"))

    assert problems(text, known_phases=None) == [
        (27, "reporting cycle 'tertial-1': '2-drift' is not a phase id"),
    ]


def test_a_reporting_cycle_with_no_phases_is_reported() -> None:
    text = altered(("phases: [execution, realisation]", "phases: []"))

    assert problems(text) == [
        (27, "reporting cycle 'tertial-1' lists no phases; name the phases that owe a report, "
             "e.g. [execution]"),
    ]  # fmt: skip


def test_a_reporting_cycle_without_phases_is_missing_them() -> None:
    text = altered(("    phases: [execution, realisation]\n", ""))

    assert problems(text) == [(22, "event 'tertial-1' is missing 'phases'")]


def test_notify_with_an_unknown_audience_lists_the_audiences() -> None:
    text = altered(("notify: [pmo, board]", "notify: [pmo, styret]"))

    assert problems(text) == [
        (34, "event 'rammesak': notify 'styret' is not one of: board, pmo, leaders, owners"),
    ]


# --- several problems at once ---------------------------------------------------------------


def test_a_file_with_several_problems_reports_all_of_them_in_line_order() -> None:
    text = altered(
        ("timezone: Europe/Oslo", "timezone: Oslo"),
        ('"FREQ=MONTHLY;BYDAY=2TU"', '"FREQ=HOURLY"'),
        ("phases: [execution, realisation]", "phases: [utførelse]"),
        ("    label: Rammesak\n", ""),
        ("notify: [pmo, board]", "notify: [alle]"),
    )

    found = problems(text)

    assert [line for line, _ in found] == [4, 18, 27, 29, 33]
    assert "unknown time zone 'Oslo'" in found[0][1]
    assert "a wheel holds dates, not hours" in found[1][1]
    assert "unknown phase 'utførelse'" in found[2][1]
    assert found[3][1] == "event 'rammesak' is missing 'label'"
    assert "notify 'alle'" in found[4][1]
    with pytest.raises(WorkflowInvalid, match=r"has problems \(5\)"):
        load_wheel_text(text, "mini.yaml", PHASES)
