"""The annual cycle (årshjul): when its events fall, when phasegate acts, which meeting a
gate request goes to. Dates are 2027–2028 and were checked against a printed calendar.
"""

from __future__ import annotations

import time as timer
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from phasegate.domain.calendar import DEFAULT_HALF_DAYS
from phasegate.domain.model import Label
from phasegate.domain.reminders import DeadlineKind, EscalationRole
from phasegate.domain.wheel import (
    BENEFIT_PHASE,
    DEFAULT_REMINDERS,
    EventKind,
    Occurrence,
    Schedule,
    Wheel,
    WheelEvent,
)
from phasegate.workflow.wheel_loader import load_wheel

OSLO = ZoneInfo("Europe/Oslo")
SHIPPED = Path(__file__).resolve().parents[1] / "workflows" / "arshjul.yaml"
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def oslo(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=OSLO)


def wall(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A naive local wall-clock time, as a wheel event's start is written."""
    return datetime.combine(date(year, month, day), time(hour, minute))


def year_of(wheel: Wheel, year: int, event_id: str | None = None) -> list[Occurrence]:
    found = wheel.occurrences(oslo(year, 1, 1), oslo(year + 1, 1, 1))
    return [o for o in found if event_id is None or o.event.id == event_id]


def event(
    event_id: str,
    rule: str,
    start: datetime,
    kind: EventKind = EventKind.DEADLINE,
    lead: int = 0,
) -> WheelEvent:
    return WheelEvent(event_id, kind, Label(event_id), rule, start, lead_working_days=lead)


def wheel_of(*events: WheelEvent, schedule: Schedule | None = None) -> Wheel:
    return Wheel(
        name="test",
        version=1,
        title=Label("Test"),
        timezone="Europe/Oslo",
        half_days=DEFAULT_HALF_DAYS,
        half_day_ends=time(12, 0),
        day_ends=time(16, 0),
        schedule=schedule or Schedule(),
        reminders={},
        events=events,
    )


@pytest.fixture(scope="module")
def wheel() -> Wheel:
    return load_wheel(SHIPPED)


# --- the shipped wheel in 2027 ----------------------------------------------------------


def test_board_meets_on_the_second_tuesday_of_every_month_but_july(wheel: Wheel) -> None:
    meetings = year_of(wheel, 2027, "styremote")

    assert [m.at.date() for m in meetings] == [
        date(2027, 1, 12),
        date(2027, 2, 9),
        date(2027, 3, 9),
        date(2027, 4, 13),
        date(2027, 5, 11),
        date(2027, 6, 8),
        date(2027, 8, 10),
        date(2027, 9, 14),
        date(2027, 10, 12),
        date(2027, 11, 9),
        date(2027, 12, 14),
    ]
    assert {(m.at.hour, m.at.minute) for m in meetings} == {(13, 0)}
    assert {m.ends_at - m.at for m in meetings} == {timedelta(hours=2)}


def test_tertial_cut_offs_on_working_days_stay_where_the_rule_puts_them(wheel: Wheel) -> None:
    [first] = year_of(wheel, 2027, "tertial-1")
    [second] = year_of(wheel, 2027, "tertial-2")

    assert first.at == first.nominal == oslo(2027, 4, 30, 12)
    assert first.at.weekday() == FRI
    assert second.at == second.nominal == oslo(2027, 8, 31, 12)
    assert second.at.weekday() == TUE


def test_tertial_cut_off_on_a_sunday_before_labour_day_moves_to_tuesday(wheel: Wheel) -> None:
    [cut_off] = year_of(wheel, 2028, "tertial-1")

    assert cut_off.nominal == oslo(2028, 4, 30, 12)
    assert cut_off.nominal.weekday() == SUN
    assert cut_off.at == oslo(2028, 5, 2, 12), "Monday 1 May is Arbeidernes dag"
    assert cut_off.key == "tertial-1/20280430T1200", "the key keeps the rule's date"


def test_annual_report_asks_execution_for_status_and_realisation_for_benefits(
    wheel: Wheel,
) -> None:
    [cycle] = year_of(wheel, 2027, "arsrapport")

    assert cycle.at == oslo(2027, 1, 29, 12), "the last Friday of January"
    assert cycle.event.phases == ("execution", "realisation")
    assert cycle.event.report_kind("execution") is DeadlineKind.STATUS_REPORT
    assert cycle.event.report_kind(BENEFIT_PHASE) is DeadlineKind.BENEFIT_REPORT


def test_action_programme_milestones_fall_in_june_october_and_december(wheel: Wheel) -> None:
    dates = {
        o.event.id: o.at
        for o in year_of(wheel, 2027)
        if o.event.id in {"hp-rammesak", "hp-forslag", "hp-vedtak"}
    }

    assert dates == {
        "hp-rammesak": oslo(2027, 6, 15, 18),
        "hp-forslag": oslo(2027, 10, 26, 12),
        "hp-vedtak": oslo(2027, 12, 14, 18),
    }


def test_idea_intake_closes_four_times_a_year_at_the_end_of_the_working_day(
    wheel: Wheel,
) -> None:
    intake = year_of(wheel, 2027, "innmelding")

    assert [o.at for o in intake] == [
        oslo(2027, 3, 15, 16),
        oslo(2027, 5, 18, 16),  # Sat 15 May; Mon 17 May is Grunnlovsdag and Whit Monday
        oslo(2027, 9, 15, 16),
        oslo(2027, 11, 15, 16),
    ]
    assert intake[0].event.notify == ("leaders", "owners", "pmo")


def test_occurrences_can_be_filtered_by_kind(wheel: Wheel) -> None:
    cycles = wheel.occurrences(
        oslo(2027, 1, 1), oslo(2028, 1, 1), kinds={EventKind.REPORTING_CYCLE}
    )

    assert [o.event.id for o in cycles] == ["arsrapport", "tertial-1", "tertial-2"]


def test_occurrences_are_the_half_open_range_of_nominal_times_in_any_zone(wheel: Wheel) -> None:
    meeting = oslo(2027, 3, 9, 13)

    assert wheel.occurrences(meeting, meeting + timedelta(minutes=1))[0].nominal == meeting
    assert wheel.occurrences(meeting - timedelta(days=1), meeting) == []
    in_utc = wheel.occurrences(datetime(2027, 3, 9, 12, tzinfo=UTC), oslo(2027, 3, 10))
    assert [o.key for o in in_utc] == ["styremote/20270309T1300"]
    assert in_utc[0].at.tzinfo == OSLO


def test_naive_times_are_refused_with_a_hint(wheel: Wheel) -> None:
    with pytest.raises(ValueError, match="has no time zone"):
        wheel.open_at(wall(2027, 3, 9, 12))


# --- rolling off days off ------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule_day", "moved_to"),
    [
        (date(2027, 5, 17), date(2027, 5, 18)),  # Grunnlovsdag (and Whit Monday)
        (date(2027, 3, 29), date(2027, 3, 30)),  # Easter Monday
        (date(2027, 3, 13), date(2027, 3, 15)),  # a Saturday
        (date(2027, 3, 25), date(2027, 3, 30)),  # Maundy Thursday: the whole Easter is off
    ],
)
def test_a_date_on_a_day_off_moves_to_the_next_working_day_at_the_same_time(
    rule_day: date, moved_to: date
) -> None:
    start = datetime.combine(rule_day, time(10, 30))
    wheel = wheel_of(event("frist", "FREQ=YEARLY", start))

    [occurrence] = year_of(wheel, 2027)

    assert occurrence.nominal == oslo(rule_day.year, rule_day.month, rule_day.day, 10, 30)
    assert occurrence.at == oslo(moved_to.year, moved_to.month, moved_to.day, 10, 30)


# --- when phasegate acts -------------------------------------------------------------


def test_agenda_goes_out_at_send_time_three_working_days_before_the_meeting(
    wheel: Wheel,
) -> None:
    by_day = {o.at.date(): o.opens_at for o in year_of(wheel, 2027, "styremote")}

    assert by_day[date(2027, 3, 9)] == oslo(2027, 3, 4, 8)  # Thu before Tue
    assert by_day[date(2027, 5, 11)] == oslo(2027, 5, 5, 8), "Ascension Day, Thu 6 May, is off"


def test_lead_working_days_count_back_across_easter() -> None:
    # Wed 31 March 2027: Tue 30 is 1 back; Mon 29 (Easter Monday), Fri 26 (Good Friday)
    # and Thu 25 (Maundy Thursday) are off; Wed 24 is a half day but a working day.
    wheel = wheel_of(event("frist", "FREQ=YEARLY", wall(2027, 3, 31, 12), lead=3))

    [occurrence] = year_of(wheel, 2027)

    assert wheel.calendar.add_working_days(date(2027, 3, 31), -3) == date(2027, 3, 23)
    assert occurrence.opens_at == oslo(2027, 3, 23, 8)


def test_with_no_lead_phasegate_acts_at_send_time_or_at_the_moment_if_earlier() -> None:
    wheel = wheel_of(
        event("morgen", "FREQ=YEARLY", wall(2027, 3, 10, 7, 0)),
        event("dag", "FREQ=YEARLY", wall(2027, 3, 10, 12, 0)),
    )

    opens = {o.event.id: o.opens_at for o in year_of(wheel, 2027)}

    assert opens == {"morgen": oslo(2027, 3, 10, 7), "dag": oslo(2027, 3, 10, 8)}


def test_open_at_returns_what_has_opened_and_not_yet_happened(wheel: Wheel) -> None:
    def keys(now: datetime) -> list[str]:
        return [o.key for o in wheel.open_at(now)]

    assert keys(oslo(2027, 4, 16, 7, 59)) == []
    assert keys(oslo(2027, 4, 16, 8, 0)) == ["tertial-1/20270430T1200"]
    assert keys(oslo(2027, 4, 30, 11, 59)) == [
        "tertial-1/20270430T1200",
        "innmelding/20270515T1600",  # opens 10 working days before Tue 18 May
    ]
    assert keys(oslo(2027, 4, 30, 12, 0)) == ["innmelding/20270515T1600"]


def test_open_at_agrees_with_the_windows_of_all_occurrences_through_a_year(
    wheel: Wheel,
) -> None:
    everything = wheel.occurrences(oslo(2026, 1, 1), oslo(2029, 1, 1))
    now = oslo(2026, 12, 20, 7)
    while now < oslo(2028, 1, 10):
        expected = [o for o in everything if o.opens_at <= now < o.at]
        assert wheel.open_at(now) == expected, now
        now += timedelta(hours=7)


def test_open_at_is_cheap_enough_for_every_scheduler_tick(wheel: Wheel) -> None:
    now = oslo(2027, 4, 20, 9)
    wheel.open_at(now)  # the first call works out the years around now
    calls = 500
    began = timer.perf_counter()
    for _ in range(calls):
        wheel.open_at(now)
    per_call = (timer.perf_counter() - began) / calls

    assert per_call < 0.001, f"{per_call * 1e6:.0f} µs per call"


# --- which board meeting a gate request goes to ---------------------------------------


@pytest.mark.parametrize(
    ("submitted", "meeting"),
    [
        (oslo(2027, 3, 2, 15), oslo(2027, 3, 9, 13)),  # Tue: exactly 5 working days
        (oslo(2027, 3, 3, 9), oslo(2027, 4, 13, 13)),  # Wed: only 4, so April's
        (oslo(2027, 4, 6, 9), oslo(2027, 4, 13, 13)),
        (oslo(2027, 4, 7, 9), oslo(2027, 5, 11, 13)),
        (oslo(2027, 6, 2, 9), oslo(2027, 8, 10, 13)),  # Wed: June's is 4 away, no July
    ],
)
def test_a_board_gate_request_goes_to_the_first_meeting_with_five_days_notice(
    wheel: Wheel, submitted: datetime, meeting: datetime
) -> None:
    found = wheel.next_board_meeting(submitted)

    assert found is not None
    assert found.at == meeting


def test_a_request_in_the_morning_of_a_meeting_day_with_no_notice_goes_to_that_meeting() -> None:
    board = event("styre", "FREQ=MONTHLY;BYDAY=2TU", wall(2027, 1, 12, 13), EventKind.BOARD_MEETING)
    wheel = wheel_of(board, schedule=Schedule(board_notice_working_days=0))

    before = wheel.next_board_meeting(oslo(2027, 3, 9, 12))
    after = wheel.next_board_meeting(oslo(2027, 3, 9, 14))

    assert before is not None
    assert before.at == oslo(2027, 3, 9, 13)
    assert after is not None
    assert after.at == oslo(2027, 4, 13, 13)


def test_a_wheel_without_board_meetings_has_no_next_meeting() -> None:
    wheel = wheel_of(event("frist", "FREQ=YEARLY", wall(2027, 4, 30, 12)))

    assert wheel.next_board_meeting(oslo(2027, 3, 3, 9)) is None


# --- identity and daylight saving ------------------------------------------------------


def test_keys_are_stable_across_loads_and_name_the_rules_time(wheel: Wheel) -> None:
    again = load_wheel(SHIPPED)

    first = [o.key for o in year_of(wheel, 2027)]
    assert first == [o.key for o in year_of(again, 2027)]
    assert "styremote/20270309T1300" in first
    assert "innmelding/20270515T1600" in first, "the rule's Saturday, not the moved Tuesday"
    assert len(set(first)) == len(first)


def test_a_one_oclock_meeting_stays_at_one_oclock_across_the_spring_change(
    wheel: Wheel,
) -> None:
    march, april = year_of(wheel, 2027, "styremote")[2:4]

    assert (march.at.hour, april.at.hour) == (13, 13)
    assert march.at.astimezone(UTC).hour == 12, "winter time, UTC+1"
    assert april.at.astimezone(UTC).hour == 11, "summer time, UTC+2"


def test_a_time_in_the_spring_gap_becomes_the_hour_after() -> None:
    # Clocks go from 02:00 to 03:00 on Sunday 28 March 2027 (also Easter Sunday).
    wheel = wheel_of(event("natt", "FREQ=WEEKLY;BYDAY=SU", wall(2027, 3, 21, 2, 30)))

    gap = [o for o in year_of(wheel, 2027) if o.nominal.date() == date(2027, 3, 28)]

    assert [o.nominal for o in gap] == [oslo(2027, 3, 28, 3, 30)]
    assert gap[0].nominal.utcoffset() == timedelta(hours=2)
    assert gap[0].at == oslo(2027, 3, 30, 3, 30), "Easter Monday is off too"


# --- policies ---------------------------------------------------------------------------


def test_every_kind_of_deadline_has_a_policy_even_when_none_is_given() -> None:
    wheel = wheel_of(event("frist", "FREQ=YEARLY", wall(2027, 4, 30, 12)))

    assert {kind: wheel.policy(kind) for kind in DeadlineKind} == dict(DEFAULT_REMINDERS)
    assert wheel.policy(DeadlineKind.STATUS_REPORT).escalate_to is EscalationRole.PMO
    assert wheel.policy(DeadlineKind.DEADLINE).escalate_to is None


def test_events_are_found_by_id(wheel: Wheel) -> None:
    found = wheel.event("tertial-2")

    assert found is not None
    assert found.label.get("en") == "Second four-month report"
    assert wheel.event("tertial-3") is None
