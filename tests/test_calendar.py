"""The working-day calendar: Norwegian holidays, half days and deadline maths, 2025–2027."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from phasegate.domain.calendar import DEFAULT_HALF_DAYS, HalfDay, WorkingCalendar

OSLO = ZoneInfo("Europe/Oslo")
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar()


# --- Easter (påske) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 4, 2), "Skjærtorsdag"),
        (date(2026, 4, 3), "Langfredag"),
        (date(2026, 4, 5), "Første påskedag"),
        (date(2026, 4, 6), "Andre påskedag"),
        (date(2025, 4, 17), "Skjærtorsdag"),
        (date(2025, 4, 21), "Andre påskedag"),
        (date(2027, 3, 25), "Skjærtorsdag"),
        (date(2027, 3, 29), "Andre påskedag"),
    ],
)
def test_easter_holidays_are_days_off_with_their_norwegian_names(
    cal: WorkingCalendar, day: date, name: str
) -> None:
    assert not cal.is_working_day(day)
    assert cal.holiday_name(day) == name


@pytest.mark.parametrize("day", [date(2025, 4, 16), date(2026, 4, 1), date(2027, 3, 24)])
def test_wednesday_before_easter_is_a_half_day_ending_at_noon(
    cal: WorkingCalendar, day: date
) -> None:
    assert day.weekday() == WED
    assert cal.is_working_day(day)
    assert cal.is_half_day(day)
    assert cal.working_day_ends(day) == time(12, 0)


def test_deadline_on_maundy_thursday_rolls_to_the_tuesday_after_easter(
    cal: WorkingCalendar,
) -> None:
    deadline = datetime(2026, 4, 2, 15, 0, tzinfo=OSLO)

    assert cal.roll_deadline(deadline, OSLO) == datetime(2026, 4, 7, 15, 0, tzinfo=OSLO)


def test_five_working_days_after_friday_27_march_2026_skips_easter(
    cal: WorkingCalendar,
) -> None:
    # Mon 30.3 (1), Tue 31.3 (2), Wed 1.4 (3, half day still counts),
    # Thu 2.4–Mon 6.4 are Easter and the weekend, Tue 7.4 (4), Wed 8.4 (5).
    assert cal.add_working_days(date(2026, 3, 27), 5) == date(2026, 4, 8)


def test_three_working_days_before_the_tuesday_after_easter_is_the_monday_before(
    cal: WorkingCalendar,
) -> None:
    # Back from Tue 7.4: Mon 6.4 to Thu 2.4 are off, Wed 1.4 (1), Tue 31.3 (2), Mon 30.3 (3).
    assert cal.add_working_days(date(2026, 4, 7), -3) == date(2026, 3, 30)


# --- May: 1 May, 17 May, Ascension, Whitsun -----------------------------------------


def test_17_may_on_a_sunday_is_off_anyway_and_named(cal: WorkingCalendar) -> None:
    day = date(2026, 5, 17)

    assert day.weekday() == SUN
    assert not cal.is_working_day(day)
    assert cal.holiday_name(day) == "Grunnlovsdag"
    assert cal.next_working_day(day) == date(2026, 5, 18)


def test_17_may_2027_is_a_monday_off_and_also_whit_monday(cal: WorkingCalendar) -> None:
    # Easter Sunday 2027 is 28 March, so Whit Monday (Easter + 50) is 17 May as well.
    day = date(2027, 5, 17)

    assert day.weekday() == MON
    assert not cal.is_working_day(day)
    assert cal.holiday_name(day) == "Andre pinsedag; Grunnlovsdag"
    assert cal.roll_deadline(datetime(2027, 5, 17, 12, 0, tzinfo=OSLO), OSLO) == datetime(
        2027, 5, 18, 12, 0, tzinfo=OSLO
    )


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2025, 5, 1), "Arbeidernes dag"),
        (date(2026, 5, 1), "Arbeidernes dag"),
        (date(2026, 5, 14), "Kristi himmelfartsdag"),
        (date(2026, 5, 25), "Andre pinsedag"),
        (date(2025, 5, 29), "Kristi himmelfartsdag"),
        (date(2027, 5, 6), "Kristi himmelfartsdag"),
        (date(2027, 5, 17), "Andre pinsedag; Grunnlovsdag"),
    ],
)
def test_may_holidays_on_weekdays_are_days_off(cal: WorkingCalendar, day: date, name: str) -> None:
    assert day.weekday() < SAT
    assert not cal.is_working_day(day)
    assert cal.holiday_name(day) == name


def test_whitsun_eve_is_a_saturday_so_not_a_working_day_at_all(cal: WorkingCalendar) -> None:
    whitsun_eve = date(2026, 5, 23)

    assert whitsun_eve.weekday() == SAT
    assert not cal.is_working_day(whitsun_eve)
    assert not cal.is_half_day(whitsun_eve)
    assert cal.working_day_ends(whitsun_eve) is None


def test_a_week_with_ascension_day_has_four_working_days(cal: WorkingCalendar) -> None:
    # Mon 11.5 to Fri 15.5 2026, with Kristi himmelfartsdag on Thursday 14.5.
    assert cal.working_days_between(date(2026, 5, 10), date(2026, 5, 15)) == 4


# --- Christmas and New Year (jul og nyttår) -------------------------------------------


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2025, 12, 25), "Første juledag"),
        (date(2025, 12, 26), "Andre juledag"),
        (date(2026, 1, 1), "Første nyttårsdag"),
        (date(2026, 12, 25), "Første juledag"),
        (date(2027, 1, 1), "Første nyttårsdag"),
    ],
)
def test_christmas_and_new_year_are_days_off(cal: WorkingCalendar, day: date, name: str) -> None:
    assert not cal.is_working_day(day)
    assert cal.holiday_name(day) == name


@pytest.mark.parametrize(
    "day",
    [date(2025, 12, 24), date(2025, 12, 31), date(2026, 12, 24), date(2026, 12, 31)],
)
def test_christmas_eve_and_new_years_eve_on_weekdays_are_half_days(
    cal: WorkingCalendar, day: date
) -> None:
    assert day.weekday() < SAT
    assert cal.is_working_day(day)
    assert cal.is_half_day(day)
    assert cal.working_day_ends(day) == time(12, 0)


def test_christmas_eve_2026_is_a_thursday_half_day(cal: WorkingCalendar) -> None:
    assert date(2026, 12, 24).weekday() == THU
    assert cal.working_day_ends(date(2026, 12, 24)) == time(12, 0)
    assert cal.working_day_ends(date(2026, 12, 23)) == time(16, 0)


def test_working_days_across_christmas_2026(cal: WorkingCalendar) -> None:
    # From Wed 23.12: Thu 24.12 (1, half day), Fri 25.12 and the weekend off,
    # Mon 28.12 (2), Tue 29.12 (3).
    assert cal.add_working_days(date(2026, 12, 23), 3) == date(2026, 12, 29)


def test_working_days_across_new_year_2027(cal: WorkingCalendar) -> None:
    # From Wed 30.12.2026: Thu 31.12 (1), Fri 1.1 and the weekend off, Mon 4.1.2027 (2).
    assert cal.add_working_days(date(2026, 12, 30), 2) == date(2027, 1, 4)


def test_two_working_days_before_the_first_monday_of_2027(cal: WorkingCalendar) -> None:
    # Back from Mon 4.1.2027: the weekend and Fri 1.1 are off, Thu 31.12 (1), Wed 30.12 (2).
    assert cal.add_working_days(date(2027, 1, 4), -2) == date(2026, 12, 30)


def test_christmas_week_2025_has_three_working_days(cal: WorkingCalendar) -> None:
    # Mon 22.12, Tue 23.12 and Wed 24.12 (half day); Thu 25.12 and Fri 26.12 are off.
    assert cal.working_days_between(date(2025, 12, 21), date(2025, 12, 26)) == 3


# --- counting working days ------------------------------------------------------------


def test_a_working_day_is_its_own_next_working_day(cal: WorkingCalendar) -> None:
    assert cal.next_working_day(date(2026, 3, 27)) == date(2026, 3, 27)
    assert cal.add_working_days(date(2026, 3, 27), 0) == date(2026, 3, 27)


def test_zero_working_days_from_a_holiday_rolls_forward(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(date(2026, 4, 3), 0) == date(2026, 4, 7)


def test_one_working_day_after_a_saturday_is_monday(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(date(2026, 3, 28), 1) == date(2026, 3, 30)


def test_april_2026_has_nineteen_working_days(cal: WorkingCalendar) -> None:
    # 22 weekdays, less Skjærtorsdag, Langfredag and Andre påskedag.
    assert cal.working_days_between(date(2026, 3, 31), date(2026, 4, 30)) == 19


def test_2026_has_253_working_days(cal: WorkingCalendar) -> None:
    # 261 weekdays, less eight holidays on weekdays: 1.1, 2.4, 3.4, 6.4, 1.5, 14.5, 25.5, 25.12.
    assert cal.working_days_between(date(2025, 12, 31), date(2026, 12, 31)) == 253


def test_working_days_between_counts_backwards_as_negative(cal: WorkingCalendar) -> None:
    assert cal.working_days_between(date(2026, 4, 8), date(2026, 3, 27)) == -5
    assert cal.working_days_between(date(2026, 4, 8), date(2026, 4, 8)) == 0


def test_counting_and_adding_working_days_agree_across_three_years(
    cal: WorkingCalendar,
) -> None:
    start = date(2025, 1, 1)
    for offset in range(0, 3 * 365, 5):
        day = start + timedelta(days=offset)
        for n in (1, 4, 10, 25):
            assert cal.working_days_between(day, cal.add_working_days(day, n)) == n
            if cal.is_working_day(day):
                assert cal.working_days_between(day, cal.add_working_days(day, -n)) == -n


# --- deadlines in Oslo time -----------------------------------------------------------


def test_saturday_deadline_keeps_its_clock_time_across_the_switch_to_summer_time(
    cal: WorkingCalendar,
) -> None:
    saturday = datetime(2026, 3, 28, 10, 0, tzinfo=OSLO)

    rolled = cal.roll_deadline(saturday, OSLO)

    assert rolled == datetime(2026, 3, 30, 10, 0, tzinfo=OSLO)
    assert (rolled.hour, rolled.minute) == (10, 0)
    assert saturday.utcoffset() == timedelta(hours=1)
    assert rolled.utcoffset() == timedelta(hours=2)


def test_deadline_on_a_working_day_stays_put(cal: WorkingCalendar) -> None:
    deadline = datetime(2026, 4, 1, 11, 0, tzinfo=OSLO)

    assert cal.roll_deadline(deadline, OSLO) == deadline


def test_deadline_day_is_judged_in_oslo_not_in_utc(cal: WorkingCalendar) -> None:
    # Friday 23:30 UTC is already Saturday 00:30 in Oslo.
    late_friday_utc = datetime(2026, 3, 27, 23, 30, tzinfo=UTC)

    rolled = cal.roll_deadline(late_friday_utc, OSLO)

    assert rolled == datetime(2026, 3, 30, 0, 30, tzinfo=OSLO)
    assert rolled.tzinfo is OSLO


def test_deadline_without_a_time_zone_is_refused(cal: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="no time zone"):
        cal.roll_deadline(datetime(2026, 3, 28, 10, 0), OSLO)  # noqa: DTZ001


# --- configuration --------------------------------------------------------------------


def test_the_default_half_days_are_the_norwegian_ones() -> None:
    assert DEFAULT_HALF_DAYS == ("12-24", "12-31", "easter-4", "pentecost-1")
    assert HalfDay.parse("pentecost-1").date_in(2026) == date(2026, 5, 23)
    assert HalfDay.parse("easter-4").date_in(2026) == date(2026, 4, 1)
    assert HalfDay.parse("12-24").date_in(2027) == date(2027, 12, 24)


def test_without_half_days_the_wednesday_before_easter_is_a_full_day() -> None:
    cal = WorkingCalendar(half_days=())

    assert not cal.is_half_day(date(2026, 4, 1))
    assert cal.working_day_ends(date(2026, 4, 1)) == time(16, 0)


def test_a_municipality_can_add_midsummer_eve_and_end_half_days_at_one() -> None:
    cal = WorkingCalendar(
        half_days=[*DEFAULT_HALF_DAYS, "06-23"], half_day_ends=time(13, 0), day_ends=time(15, 30)
    )

    assert cal.working_day_ends(date(2026, 6, 23)) == time(13, 0)  # sankthansaften, Tuesday
    assert cal.working_day_ends(date(2026, 12, 24)) == time(13, 0)
    assert cal.working_day_ends(date(2026, 6, 22)) == time(15, 30)


def test_holiday_names_can_be_english() -> None:
    cal = WorkingCalendar(language="en_US")

    assert cal.holiday_name(date(2026, 4, 3)) == "Good Friday"


def test_an_ordinary_day_has_no_holiday_name(cal: WorkingCalendar) -> None:
    assert cal.holiday_name(date(2026, 3, 29)) is None  # a plain Sunday
    assert cal.holiday_name(date(2026, 4, 1)) is None  # a half day is not a helligdag


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("24.12", "not understood"),
        ("12-32", "not a date"),
        ("13-01", "not a date"),
        ("easter-x", "not understood"),
        ("whitsun-1", "not understood"),
        ("", "not understood"),
    ],
)
def test_a_bad_half_day_is_refused_with_the_accepted_forms(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        WorkingCalendar(half_days=[spec])

    assert repr(spec) in str(caught.value)
    assert '"MM-DD"' in str(caught.value)
    assert '"easter-4"' in str(caught.value)


def test_a_single_half_day_text_instead_of_a_list_is_refused() -> None:
    with pytest.raises(TypeError, match="list of rules"):
        WorkingCalendar(half_days="12-24")


def test_half_days_ending_after_the_normal_day_are_refused() -> None:
    with pytest.raises(ValueError, match="half_day_ends earlier"):
        WorkingCalendar(half_day_ends=time(17, 0))


def test_an_unknown_country_is_refused() -> None:
    with pytest.raises(ValueError, match="no public holidays for country 'XX'"):
        WorkingCalendar(country="XX")


def test_a_language_the_package_lacks_is_refused_rather_than_silently_english() -> None:
    # The holidays package falls back to English names for "nb"; we would rather say so.
    with pytest.raises(ValueError, match="not available in 'nb'") as caught:
        WorkingCalendar(language="nb")

    assert "Choose one of: en_US, no," in str(caught.value)
