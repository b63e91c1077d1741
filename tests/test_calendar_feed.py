"""The annual cycle as a calendar to subscribe to: /calendar.ics over real HTTP, read as a
calendar program reads it, with a personal calendar address (``?token=pgc_…``).

The dates were checked against the Norwegian calendar for 2027: summer time runs from
28 March to 31 October, and Monday 17 May (Constitution Day, also Whit Monday) is a
public holiday.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from icalendar import Calendar, Event
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import select

from phasegate.bootstrap import App
from phasegate.storage.tables import Deadline
from tests.cycle_support import cycle_app, local, tick_at, wheel_file
from tests.factories import Cast, Clock, submit_complete
from tests.webserver import serve

D = date

EVENTS = """
- id: maanedsrapport
  kind: reporting_cycle
  label: {nb: Januarrapport, en: January report}
  description: {nb: Status for januar., en: Status for January.}
  rrule: "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=29"
  start: "2027-01-29 12:00"
  phases: [execution]
  request_working_days_before: 5
- id: grunnlovsfrist
  kind: deadline
  label: {nb: Frist 17. mai, en: Deadline 17 May}
  rrule: "FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=17"
  start: "2027-05-17 12:00"
- id: innmelding
  kind: deadline
  label: {nb: Frist for innmelding av ideer, en: Deadline for submitting ideas}
  rrule: "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=15"
  start: "2027-02-15 12:00"
  notify: [pmo]
  remind_from_working_days_before: 2
"""

NEW_YEAR = local(D(2027, 1, 4), time(10, 0))  # a Monday
REPORTS_OPEN = local(D(2027, 1, 22), time(9, 0))  # the January report's requests go out


@dataclass(frozen=True)
class Portfolio:
    idea: int  # BP1 submitted: each board member owes a vote at the meeting on 9 February
    running: int  # in execution: its leader owes the January report


@pytest.fixture
def wheel(tmp_path: Path) -> Path:
    return wheel_file(tmp_path, EVENTS)


@pytest.fixture
def cycle(database_url: str, wheel: Path, clock: Clock) -> Iterator[App]:
    clock.now = NEW_YEAR
    with cycle_app(database_url, wheel, clock) as app:
        yield app


def _portfolio(app: App, cast: Cast, clock: Clock) -> Portfolio:
    engine = app.engine
    running = engine.register_project(
        "Ny skoleportal", owner=cast.owner, leader=cast.leader, phase="execution"
    )
    tick_at(app, clock, REPORTS_OPEN)
    idea = engine.register_project("Digitalt førstevalg", owner=cast.owner, leader=cast.leader)
    submit_complete(engine, idea, _bp1(app), cast.leader)
    return Portfolio(idea, running)


def _bp1(app: App) -> Any:
    gate = app.engine.workflows.current("prosjektveiviseren").gate("BP1")
    assert gate is not None
    return gate


@contextmanager
def _feed_client(app: App, person: int) -> Iterator[httpx.Client]:
    """A calendar program subscribed with ``person``'s calendar address: no cookie and no
    header, only the token in the address, beside whatever filters a request adds."""
    _, token = app.engine.create_calendar_feed("Outlook", actor=person)
    with serve(app) as url, httpx.Client(base_url=url, params={"token": token}) as client:
        yield client


def _calendar(client: httpx.Client, **params: object) -> Calendar:
    response = client.get("/calendar.ics", params=params)
    assert response.status_code == 200, response.text
    return Calendar.from_ical(response.content)


def _events(calendar: Calendar, category: str | None = None) -> list[Event]:
    return [
        e
        for e in calendar.walk("VEVENT")
        if category is None or category in [str(c) for c in e["CATEGORIES"].cats]
    ]


def _starts(events: list[Event]) -> list[datetime]:
    return [e.decoded("DTSTART") for e in events]


def _deadline_id(app: App, person: int) -> int:
    with app.database.connect() as conn:
        return int(conn.execute(select(Deadline.id).where(Deadline.person_id == person)).one()[0])


def _uids(calendar: Calendar) -> list[str]:
    return [str(e["UID"]) for e in calendar.walk("VEVENT")]


# --- the wheel ------------------------------------------------------------------------------


def test_the_feed_is_a_valid_calendar_in_oslo_time_with_its_zone(cycle: App, cast: Cast) -> None:
    with _feed_client(cycle, cast.pmo) as client:
        response = client.get("/calendar.ics")
        head = client.head("/calendar.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["content-disposition"] == 'inline; filename="arshjul.ics"'
    assert response.headers["cache-control"] == "private, max-age=300"
    assert head.status_code == 200
    assert head.headers["content-type"] == "text/calendar; charset=utf-8"

    calendar = Calendar.from_ical(response.content)
    assert str(calendar["PRODID"]) == "-//phasegate//årshjul//NB"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["X-WR-CALNAME"]) == "phasegate – årshjul"
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Oslo"
    assert [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")] == ["Europe/Oslo"]
    assert calendar.get_missing_tzids() == set()
    assert "BEGIN:VTIMEZONE" in response.text
    # Stamped with phasegate's clock, not the wall clock of the server.
    assert {e.decoded("DTSTAMP") for e in calendar.walk("VEVENT")} == {NEW_YEAR}


def test_a_1300_board_meeting_stays_at_1300_in_oslo_all_year_across_summer_time(
    cycle: App, cast: Cast
) -> None:
    with _feed_client(cycle, cast.board[0]) as client:
        calendar = _calendar(client)
    meetings = _events(calendar, "board_meeting")
    starts = _starts(meetings)
    # Shown from 90 days back to 400 days ahead: every second Tuesday of 2027 but July,
    # and January and February 2028.
    assert [s.date() for s in starts if s.year == 2027] == [
        D(2027, month, day)
        for month, day in (
            *[(1, 12), (2, 9), (3, 9), (4, 13), (5, 11), (6, 8)],  # no meeting in July
            *[(8, 10), (9, 14), (10, 12), (11, 9), (12, 14)],
        )
    ]
    assert all(s.time() == time(13, 0) and str(s.tzinfo) == "Europe/Oslo" for s in starts)
    assert {s.utcoffset() for s in starts} == {timedelta(hours=1), timedelta(hours=2)}
    assert all(e.decoded("DTEND") - e.decoded("DTSTART") == timedelta(hours=2) for e in meetings)
    assert all(str(e["SUMMARY"]) == "Porteføljestyremøte" for e in meetings)
    april = next(e for e in meetings if e.decoded("DTSTART").month == 4)
    assert april.to_ical().decode().count("DTSTART;TZID=Europe/Oslo:20270413T130000") == 1


def test_an_event_on_a_public_holiday_is_shown_on_the_next_working_day(
    cycle: App, cast: Cast
) -> None:
    with _feed_client(cycle, cast.leader) as client:
        calendar = _calendar(client)
    (seventeenth,) = [e for e in _events(calendar, "deadline") if "17. mai" in e["SUMMARY"]]
    assert seventeenth.decoded("DTSTART") == local(D(2027, 5, 18), time(12, 0))
    assert seventeenth.decoded("DTEND") == seventeenth.decoded("DTSTART")  # a moment
    assert "Flyttet fra 17. mai 2027" in seventeenth["DESCRIPTION"]
    # Its identity is still the day the rule gives.
    assert str(seventeenth["UID"]) == "wheel-grunnlovsfrist-20270517T1200@127.0.0.1"


def test_a_reporting_cycle_says_which_phases_report_and_english_is_available(
    cycle: App, cast: Cast
) -> None:
    with _feed_client(cycle, cast.leader) as client:
        norwegian = _calendar(client)
        english = _calendar(client, lang="en")
        refused = client.get("/calendar.ics", params={"lang": "de"})
    (report,) = [
        e for e in _events(norwegian, "reporting_cycle") if e.decoded("DTSTART").year == 2027
    ]
    assert report.decoded("DTSTART") == local(D(2027, 1, 29), time(12, 0))
    assert "Status for januar." in report["DESCRIPTION"]
    assert "Faser som rapporterer: Gjennomføre" in report["DESCRIPTION"]
    assert str(english["X-WR-CALNAME"]) == "phasegate – annual cycle"
    summaries = {str(e["SUMMARY"]) for e in _events(english)}
    assert {"Portfolio board meeting", "January report", "Deadline 17 May"} <= summaries
    assert refused.status_code == 422


# --- deadlines ------------------------------------------------------------------------------


def test_a_board_members_feed_shows_only_their_own_deadlines_with_a_reminder(
    cycle: App, cast: Cast, clock: Clock
) -> None:
    _portfolio(cycle, cast, clock)
    with _feed_client(cycle, cast.board[0]) as client:
        response = client.get("/calendar.ics", params={"person": cast.board[0]})
        mine = Calendar.from_ical(response.content)
        leaders = _calendar(client, person=cast.leader, wheel="false")
    assert response.headers["content-disposition"] == (
        f'inline; filename="arshjul-person-{cast.board[0]}.ics"'
    )
    assert str(mine["X-WR-CALNAME"]) == "phasegate – årshjul – Hanne Solberg"
    (vote,) = _events(mine, "gate_decision")
    assert str(vote["SUMMARY"]).startswith("Frist: BP1 – ")
    assert str(vote["SUMMARY"]).endswith(" – Digitalt førstevalg")
    assert vote.decoded("DTSTART") == local(D(2027, 2, 9), time(13, 0))
    assert str(vote["UID"]) == f"deadline-{_deadline_id(cycle, cast.board[0])}@127.0.0.1"
    assert str(vote["URL"]) == cycle.settings.base_url
    (alarm,) = vote.walk("VALARM")
    assert alarm.decoded("TRIGGER") == -timedelta(days=1)
    assert _events(mine, "status_report") == []
    assert _events(mine, "board_meeting") != []  # the shared wheel is in everyone's feed

    # The leader owes the January report of the project in execution, and no votes.
    (report,) = _events(leaders)
    assert str(report["SUMMARY"]) == "Frist: Januarrapport 2027 – Ny skoleportal"
    assert not any("Ny skoleportal" in e["SUMMARY"] for e in _events(mine))


def test_a_project_feed_shows_its_own_deadlines_once_each_with_who_still_owes_them(
    cycle: App, cast: Cast, clock: Clock
) -> None:
    portfolio = _portfolio(cycle, cast, clock)
    with _feed_client(cycle, cast.pmo) as client:
        idea = _calendar(client, project=portfolio.idea, wheel="false")
        running = _calendar(client, project=portfolio.running, wheel="false")
        everything = _calendar(client, wheel="false")
    assert str(idea["X-WR-CALNAME"]) == "phasegate – årshjul – Digitalt førstevalg"
    (vote,) = _events(idea)  # three board members owe it: one entry, not three
    assert "Venter på: Hanne Solberg, Ingrid Berg, Per Lie" in vote["DESCRIPTION"]
    assert "VALARM" not in vote.to_ical().decode()
    (report,) = _events(running)
    assert "Ny skoleportal" in report["SUMMARY"]
    assert Counter(str(e["SUMMARY"]).split(" – ")[-1] for e in _events(everything)) == {
        "Digitalt førstevalg": 1,
        "Ny skoleportal": 1,
    }


def test_a_vote_takes_the_deadline_out_of_the_voters_feed_but_not_the_others(
    cycle: App, cast: Cast, clock: Clock
) -> None:
    portfolio = _portfolio(cycle, cast, clock)
    request = cycle.engine.board_pending_decisions()[0].id
    cycle.engine.cast_vote(request, "approve", channel="web", actor=cast.board[0])
    with _feed_client(cycle, cast.pmo) as client:
        voter = _calendar(client, person=cast.board[0], wheel="false")
        other = _calendar(client, person=cast.board[1], wheel="false")
        project = _calendar(client, project=portfolio.idea, wheel="false")
    assert _events(voter) == []
    assert len(_events(other)) == 1
    (vote,) = _events(project)
    assert "Venter på: Ingrid Berg, Per Lie" in vote["DESCRIPTION"]


def test_a_wheel_deadline_someone_owes_is_one_entry_not_two(
    cycle: App, cast: Cast, clock: Clock
) -> None:
    tick_at(cycle, clock, local(D(2027, 2, 11), time(9, 0)))  # the PMO is reminded from now
    with _feed_client(cycle, cast.pmo) as client:
        with_wheel = _calendar(client, person=cast.pmo)
        deadlines_only = _calendar(client, person=cast.pmo, wheel="false")
    intake = [e for e in _events(with_wheel) if "innmelding" in e["SUMMARY"]]
    assert [str(e["UID"]) for e in intake] == [
        "wheel-innmelding-20270215T1200@127.0.0.1",
        "wheel-innmelding-20280215T1200@127.0.0.1",
    ]
    (owed,) = _events(deadlines_only)
    assert str(owed["SUMMARY"]) == "Frist: Frist for innmelding av ideer"
    assert owed.decoded("DTSTART") == local(D(2027, 2, 15), time(12, 0))


def test_a_persons_feed_is_in_their_own_language_unless_the_address_says_otherwise(
    cycle: App, cast: Cast
) -> None:
    with _feed_client(cycle, cast.outsider) as client:
        own = _calendar(client, person=cast.outsider)  # registered with English
        asked = _calendar(client, person=cast.outsider, lang="nb")
    assert str(own["X-WR-CALNAME"]) == "phasegate – annual cycle – Ola Utenfor"
    assert "Portfolio board meeting" in {str(e["SUMMARY"]) for e in _events(own)}
    assert str(asked["X-WR-CALNAME"]) == "phasegate – årshjul – Ola Utenfor"


# --- identity and cost ------------------------------------------------------------------------


def test_uids_are_unique_and_the_same_after_new_data_and_a_restart(
    cycle: App, database_url: str, wheel: Path, cast: Cast, clock: Clock
) -> None:
    portfolio = _portfolio(cycle, cast, clock)
    feeds: dict[str, dict[str, object]] = {
        "everyone": {},
        "a board member": {"person": cast.board[0]},
        "a project": {"project": portfolio.idea},
    }

    def uids(app: App) -> dict[str, list[str]]:
        with _feed_client(app, cast.pmo) as client:
            return {name: _uids(_calendar(client, **params)) for name, params in feeds.items()}

    before = uids(cycle)
    # More data: another project asks for a gate decision, a little later.
    other = cycle.engine.register_project("Smart vann", owner=cast.owner, leader=cast.leader)
    clock.advance(hours=3)
    submit_complete(cycle.engine, other, _bp1(cycle), cast.leader)
    after = uids(cycle)
    with cycle_app(database_url, wheel, clock) as rebuilt:
        restarted = uids(rebuilt)

    for name, found in before.items():
        assert len(found) == len(set(found)), name
        assert len(after[name]) == len(set(after[name])), name
        assert set(found) <= set(after[name]), name
        assert restarted[name] == after[name], name
    assert len(after["everyone"]) == len(before["everyone"]) + 1  # the new request, once
    assert len(after["a board member"]) == len(before["a board member"]) + 1
    assert after["a project"] == before["a project"]


def test_an_unknown_person_or_project_is_a_404_that_names_it(cycle: App, cast: Cast) -> None:
    with _feed_client(cycle, cast.pmo) as client:
        person = client.get("/calendar.ics", params={"person": 9999})
        project = client.get("/calendar.ics", params={"project": 9999, "person": cast.leader})
    assert person.status_code == 404
    assert "Det finnes ingen person med id 9999." in person.json()["message"]
    assert person.json()["field"] == "person"
    assert project.status_code == 404
    assert "Det finnes ikke noe prosjekt med id 9999." in project.json()["message"]
    assert project.json()["params"] == {"project": "9999"}


def test_the_feed_costs_the_same_few_queries_however_many_deadlines(
    cycle: App, cast: Cast, clock: Clock
) -> None:
    _portfolio(cycle, cast, clock)
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(str(args[2]))

    with _feed_client(cycle, cast.pmo) as client:
        _calendar(client)  # the address's first use is noted; later polls write nothing
        sqlalchemy_event.listen(cycle.database, "before_cursor_execute", record)
        try:
            _calendar(client)
            few = list(statements)
            for name in ("Smart vann", "Ny bybro", "Grønn skolevei", "Trygg hjemme"):
                project = cycle.engine.register_project(name, owner=cast.owner, leader=cast.leader)
                submit_complete(cycle.engine, project, _bp1(cycle), cast.leader)
            statements.clear()
            calendar = _calendar(client)
            many = list(statements)
        finally:
            sqlalchemy_event.remove(cycle.database, "before_cursor_execute", record)
    assert len(_events(calendar, "gate_decision")) == 5
    assert len(many) == len(few)
    assert sum("FROM deadlines" in s for s in many) == 1
