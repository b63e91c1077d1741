"""A year on the wheel with controlled time: agendas, reporting cycles, reminders on working
days, escalation, and silence once the work is done.

Every date below was checked against the Norwegian calendar for 2027: Easter Sunday is
28 March (Maundy Thursday 25, Good Friday 26, Easter Monday 29 March are holidays),
Ascension Day is 6 May, and Whit Monday falls on 17 May, Constitution Day.
"""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from phasegate.bootstrap import App
from phasegate.domain.reports import ReportContent
from phasegate.errors import ReportLocked
from phasegate.storage.tables import Reminder, ReportRequest
from tests.cycle_support import (
    ANNUAL_REPORT,
    OSLO,
    TERTIAL,
    cycle_app,
    email_of,
    every_day,
    local,
    open_deadlines,
    outbox,
    reminder_days,
    tick_at,
    wheel_file,
)
from tests.factories import Cast, Clock, submit_complete

D = date

# A reporting cycle with its cut-off on Maundy Thursday (moves to Tuesday after Easter),
# and one on Friday 14 May, the working day before 17 May.
EASTER_AND_MAY = """
- id: paaskerapport
  kind: reporting_cycle
  label: {nb: Påskerapport, en: Easter report}
  rrule: "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=25"
  start: "2027-03-25 12:00"
  phases: [execution]
  request_working_days_before: 5
- id: mairapport
  kind: reporting_cycle
  label: {nb: Mairapport, en: May report}
  rrule: "FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=14"
  start: "2027-05-14 12:00"
  phases: [execution]
  request_working_days_before: 5
"""

REPORTING = TERTIAL + ANNUAL_REPORT  # a status report in spring, and a benefit report


@pytest.fixture
def people(app: App, cast: Cast) -> Cast:
    """The cast, registered in the database the cycle app uses (same database_url)."""
    return cast


def _project(app: App, cast: Cast, name: str, phase: str) -> int:
    return app.engine.register_project(name, owner=cast.owner, leader=cast.leader, phase=phase)


def test_a_board_request_submitted_in_march_is_on_the_april_meetings_agenda(
    database_url: str, tmp_path: Path, clock: Clock, cast: Cast
) -> None:
    with cycle_app(database_url, wheel_file(tmp_path), clock) as app:
        project = _project(app, cast, "Digitaliseringsstrategi", "idea")
        bp1 = app.engine.workflows.current("prosjektveiviseren").gate("BP1")
        assert bp1 is not None
        # Wednesday 3 March: the 9 March meeting is only 4 working days away (notice is 5).
        clock.now = local(D(2027, 3, 3), time(10, 0))
        request = submit_complete(app.engine, project, bp1, cast.leader)
        view = app.engine.gate_request(request)
        assert view.due_at is not None
        assert view.due_at.astimezone(OSLO) == local(D(2027, 4, 13), time(13, 0))
        assert view.meeting_key == "styremote/20270413T1300"
        asked = outbox(app, "decision_requested", to=email_of(app, cast.board[0]))
        assert "13. april 2027 kl. 13.00 (på sakslisten til porteføljestyremøte)" in (
            asked[0].body_text
        )

        every_day(app, clock, D(2027, 3, 3), D(2027, 4, 13))

        agendas = outbox(app, "board_agenda", to=email_of(app, cast.board[0]))
        assert [m.created_at.astimezone(OSLO).date() for m in agendas] == [
            D(2027, 3, 4),  # 3 working days before 9 March
            D(2027, 4, 8),  # 3 working days before 13 April
        ]
        march, april = agendas
        assert "Digitaliseringsstrategi" not in march.body_text
        assert "Digitaliseringsstrategi" in april.body_text
        assert "13. april 2027 kl. 13.00" in april.subject
        # "Se alle saker i phasegate" leads where the board decides, not to a read-only list.
        assert f"{app.settings.base_url}/decisions\n" in april.body_text
        # Every board member owes a vote by the meeting: reminded before and on the day.
        assert reminder_days(app, cast.board[1]) == [
            (D(2027, 4, 8), "before-3"),
            (D(2027, 4, 12), "before-1"),
            (D(2027, 4, 13), "on-day"),
        ]


def test_a_vote_closes_the_voters_deadline_and_the_decision_closes_the_rest(
    database_url: str, tmp_path: Path, clock: Clock, cast: Cast
) -> None:
    with cycle_app(database_url, wheel_file(tmp_path), clock) as app:
        project = _project(app, cast, "Boligpolitisk strategi", "idea")
        bp1 = app.engine.workflows.current("prosjektveiviseren").gate("BP1")
        assert bp1 is not None
        clock.now = local(D(2027, 3, 3), time(10, 0))
        request = submit_complete(app.engine, project, bp1, cast.leader)
        every_day(app, clock, D(2027, 3, 3), D(2027, 4, 8))
        clock.now = local(D(2027, 4, 8), time(9, 0))
        app.engine.cast_vote(request, "approve", channel="web", actor=cast.board[0])
        every_day(app, clock, D(2027, 4, 9), D(2027, 4, 12))
        assert reminder_days(app, cast.board[0]) == [(D(2027, 4, 8), "before-3")]
        assert reminder_days(app, cast.board[1])[-1] == (D(2027, 4, 12), "before-1")
        clock.now = local(D(2027, 4, 12), time(15, 0))
        app.engine.cast_vote(request, "approve", channel="web", actor=cast.board[1])  # decides
        every_day(app, clock, D(2027, 4, 13), D(2027, 4, 30))
        assert reminder_days(app, cast.board[2])[-1] == (D(2027, 4, 12), "before-1")
        assert open_deadlines(app) == []


def test_a_tertial_cycle_opens_on_its_date_and_asks_exactly_the_projects_in_execution(
    database_url: str, tmp_path: Path, clock: Clock, cast: Cast
) -> None:
    with cycle_app(database_url, wheel_file(tmp_path, REPORTING), clock) as app:
        clock.now = local(D(2027, 4, 1))
        asked = {_project(app, cast, f"Bygg {n}", "execution") for n in range(3)}
        held = _project(app, cast, "Bygg på vent", "execution")
        for phase in ("idea", "concept", "planning", "closing"):
            _project(app, cast, f"Prosjekt i {phase}", phase)
        benefit = _project(app, cast, "Gevinst", "realisation")
        _hold(app, held, cast)

        # Ten working days before Friday 30 April is Friday 16 April.
        tick_at(app, clock, local(D(2027, 4, 15), time(23, 59)))
        assert outbox(app, "report_requested") == []
        report = tick_at(app, clock, local(D(2027, 4, 16), time(8, 0)))
        assert report.occurrences == 2
        assert report.report_requests == 4

        with app.database.connect() as conn:
            rows = conn.execute(
                select(ReportRequest.project_id, ReportRequest.kind, ReportRequest.person_id)
            ).all()
        assert {(p, k) for p, k, _ in rows} == {(p, "status") for p in asked} | {
            (benefit, "benefit")
        }
        assert all(person == cast.leader for p, k, person in rows if k == "status")
        assert [person for _, k, person in rows if k == "benefit"] == [cast.owner]
        requested = outbox(app, "report_requested")
        assert len(requested) == 4
        assert all("30. april 2027" in m.body_text for m in requested)
        # Opening again later is a no-op: the occurrence is recorded once.
        assert tick_at(app, clock, local(D(2027, 4, 16), time(14, 0))).occurrences == 0
        assert len(outbox(app, "report_requested")) == 4


def _hold(app: App, project: int, cast: Cast) -> None:
    """Put a project in execution on hold the way the engine does: a board decision."""
    bp4 = app.engine.workflows.current("prosjektveiviseren").gate("BP4")
    assert bp4 is not None
    request = submit_complete(app.engine, project, bp4, cast.leader)
    _decide(app, request, "hold", cast, "Venter på budsjett")
    assert app.engine.project(project).status == "on_hold"


def _decide(app: App, request: int, outcome: str, cast: Cast, comment: str = "") -> None:
    """The gate's deciders decide: its owner, or a majority of the board."""
    owner_gate = app.engine.gate_request(request).decider_role == "owner"
    for person in (cast.owner,) if owner_gate else cast.board[:2]:
        app.engine.cast_vote(request, outcome, comment, channel="web", actor=person)


def test_reminders_fall_on_working_days_around_easter_and_17_may_then_escalate(
    database_url: str, tmp_path: Path, clock: Clock, cast: Cast
) -> None:
    with cycle_app(database_url, wheel_file(tmp_path, EASTER_AND_MAY), clock) as app:
        clock.now = local(D(2027, 3, 1))
        _project(app, cast, "Nytt rådhus", "execution")
        every_day(app, clock, D(2027, 3, 1), D(2027, 6, 1))

        # The Easter cut-off (Maundy Thursday 25 March) moves to Tuesday 30 March.
        # Reminders: 3 working days before it, on the day, then every 2 working days,
        # at most 2, then escalation; Easter's holidays never count and never get mail.
        leader = reminder_days(app, cast.leader)
        assert leader[:4] == [
            (D(2027, 3, 22), "before-3"),  # Mon: Wed 24 and Tue 23 count, 25–29 do not
            (D(2027, 3, 30), "on-day"),
            (D(2027, 4, 1), "overdue-1"),
            (D(2027, 4, 5), "overdue-2"),
        ]
        # Friday 14 May: overdue reminders skip Whit Monday / 17 May.
        assert leader[4:] == [
            (D(2027, 5, 11), "before-3"),
            (D(2027, 5, 14), "on-day"),
            (D(2027, 5, 19), "overdue-1"),  # Tue 18 counts 1, Wed 19 counts 2
            (D(2027, 5, 21), "overdue-2"),
        ]
        # After two overdue reminders: escalation to the PMO, and the leader is told.
        assert reminder_days(app, cast.pmo, "escalation") == [
            (D(2027, 4, 7), "escalation"),
            (D(2027, 5, 25), "escalation"),
        ]
        assert reminder_days(app, cast.leader, "escalated") == [
            (D(2027, 4, 7), "escalation"),
            (D(2027, 5, 25), "escalation"),
        ]
        escalation = outbox(app, "escalation", to=email_of(app, cast.pmo))[0]
        assert "Ragnar Husum" in escalation.body_text
        # And then nothing more: escalation is the last step.
        chasing = ("reminder", "escalation", "escalated")
        sent = [m.id for m in outbox(app) if m.kind in chasing]
        every_day(app, clock, D(2027, 6, 2), D(2027, 6, 30))
        assert [m.id for m in outbox(app) if m.kind in chasing] == sent
        # No email went out on a weekend or a holiday.
        calendar = app.wheel.calendar
        days = {m.created_at.astimezone(OSLO).date() for m in outbox(app)}
        assert all(calendar.is_working_day(day) for day in days)


def test_nothing_more_is_sent_once_the_report_is_published(
    database_url: str, tmp_path: Path, clock: Clock, cast: Cast
) -> None:
    with cycle_app(database_url, wheel_file(tmp_path, EASTER_AND_MAY), clock) as app:
        clock.now = local(D(2027, 3, 1))
        project = _project(app, cast, "Nytt rådhus", "execution")
        every_day(app, clock, D(2027, 3, 1), D(2027, 3, 31))
        assert [slot for _, slot in reminder_days(app, cast.leader)] == [
            "before-3",
            "on-day",
        ]
        clock.now = local(D(2027, 3, 31), time(16, 0))
        draft = app.engine.start_report(project, actor=cast.leader)
        app.engine.save_report(draft, _complete_report(), actor=cast.leader)
        answered = app.engine.publish_report(draft, actor=cast.leader)
        assert len(answered) == 1

        every_day(app, clock, D(2027, 4, 1), D(2027, 4, 30))
        assert [slot for _, slot in reminder_days(app, cast.leader)] == ["before-3", "on-day"]
        assert outbox(app, "escalation") == []
        assert open_deadlines(app, cast.leader) == []


def test_leaving_execution_cancels_the_report_request(
    database_url: str, tmp_path: Path, clock: Clock, cast: Cast
) -> None:
    with cycle_app(database_url, wheel_file(tmp_path, EASTER_AND_MAY), clock) as app:
        clock.now = local(D(2027, 3, 1))
        project = _project(app, cast, "Nytt rådhus", "execution")
        every_day(app, clock, D(2027, 3, 1), D(2027, 3, 23))
        assert open_deadlines(app, cast.leader) != []
        bp4 = app.engine.workflows.current("prosjektveiviseren").gate("BP4")
        assert bp4 is not None
        clock.now = local(D(2027, 3, 23), time(10, 0))
        request = submit_complete(app.engine, project, bp4, cast.leader)
        _decide(app, request, "approve", cast)
        assert app.engine.project(project).phase == "closing"
        every_day(app, clock, D(2027, 3, 24), D(2027, 4, 30))
        assert [slot for _, slot in reminder_days(app, cast.leader)] == ["before-3"]
        with app.database.connect() as conn:
            status = conn.execute(select(ReportRequest.status)).scalar_one()
        assert status == "cancelled"


def test_after_ten_days_of_downtime_each_overdue_item_gets_one_catch_up_reminder(
    database_url: str, tmp_path: Path, clock: Clock, cast: Cast
) -> None:
    with cycle_app(database_url, wheel_file(tmp_path, EASTER_AND_MAY), clock) as app:
        clock.now = local(D(2027, 3, 1))
        projects = [_project(app, cast, f"Prosjekt {n}", "execution") for n in range(5)]
        every_day(app, clock, D(2027, 3, 1), D(2027, 3, 31))  # overdue-1 not yet due
        before = _reminder_count(app)

        # Down from 31 March until 10 April (10 days; 1 April would have had overdue-1,
        # 5 April overdue-2). One tick on restart sends one reminder per item.
        report = tick_at(app, clock, local(D(2027, 4, 10), time(9, 30)))
        assert report.reminders == len(projects)
        assert _reminder_count(app) == before + len(projects)
        assert reminder_days(app, cast.leader)[-5:] == [(D(2027, 4, 10), "overdue-1")] * 5
        # Ticking again the same day sends nothing more.
        every_day(app, clock, D(2027, 4, 10), D(2027, 4, 11))
        assert _reminder_count(app) == before + len(projects)


def _reminder_count(app: App) -> int:
    with app.database.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Reminder)).scalar_one())


def test_a_person_who_chose_the_digest_gets_one_email_a_day(
    database_url: str, tmp_path: Path, clock: Clock, cast: Cast
) -> None:
    with cycle_app(database_url, wheel_file(tmp_path, EASTER_AND_MAY), clock) as app:
        clock.now = local(D(2027, 3, 1))
        app.engine.set_digest(cast.leader, True, actor=cast.leader)
        for n in range(3):
            _project(app, cast, f"Prosjekt {n}", "execution")
        every_day(app, clock, D(2027, 3, 1), D(2027, 3, 30), time(8, 0), time(8, 45))
        leader = email_of(app, cast.leader)
        assert outbox(app, "reminder", to=leader) == []
        digests = outbox(app, "digest", to=leader)
        assert [m.created_at.astimezone(OSLO).date() for m in digests] == [
            D(2027, 3, 22),
            D(2027, 3, 30),
        ]
        assert all(m.body_text.count("Prosjekt") >= 3 for m in digests)
        # The report requests themselves still come as they happen.
        assert len(outbox(app, "report_requested", to=leader)) == 3


def test_an_informational_deadline_reminds_its_audience_and_then_stops(
    database_url: str, tmp_path: Path, clock: Clock, cast: Cast
) -> None:
    budget = """
    - id: rammesak
      kind: deadline
      label: {nb: Rammesak for handlingsprogrammet, en: Budget frames}
      rrule: "FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=15"
      start: "2027-06-15 12:00"
      notify: [pmo, board]
    """
    with cycle_app(database_url, wheel_file(tmp_path, budget), clock) as app:
        every_day(app, clock, D(2027, 6, 1), D(2027, 6, 30))
        for person in (cast.pmo, *cast.board):
            assert reminder_days(app, person) == [
                (D(2027, 6, 11), "before-2"),
                (D(2027, 6, 15), "on-day"),
            ]
        assert reminder_days(app, cast.leader) == []
        assert open_deadlines(app) == []


def _complete_report() -> ReportContent:
    return ReportContent.from_json(
        {
            "overall": "on_track",
            "time": "on_plan",
            "cost": "on_budget",
            "quality": "as_expected",
            "risk": "low",
        },
        {"overall": "Alt går etter planen."},
        budget=12_000_000,
        spent=4_500_000,
        forecast=11_800_000,
    )


def test_two_publishes_for_one_request_publish_one_report(
    database_url: str, tmp_path: Path, clock: Clock, cast: Cast
) -> None:
    """A double click on "Publiser" where the first click started the draft: the second
    finds the request answered, and is refused, instead of publishing a second report."""
    with cycle_app(database_url, wheel_file(tmp_path, EASTER_AND_MAY), clock) as app:
        clock.now = local(D(2027, 3, 1))
        project = _project(app, cast, "Nytt rådhus", "execution")
        every_day(app, clock, D(2027, 3, 1), D(2027, 3, 23))
        with app.database.connect() as conn:
            request = conn.execute(select(ReportRequest.id)).scalar_one()
        first = app.engine.start_report(project, actor=cast.leader)
        app.engine.save_report(first, _complete_report(), actor=cast.leader)
        app.engine.publish_report(first, request=request, actor=cast.leader)
        second = app.engine.start_report(project, actor=cast.leader)
        assert second != first
        app.engine.save_report(second, _complete_report(), actor=cast.leader)
        with pytest.raises(ReportLocked, match=f"already answered by report {first}"):
            app.engine.publish_report(second, request=request, actor=cast.leader)
        published = [r for r in app.engine.project_reports(project) if not r.is_draft]
        assert [r.id for r in published] == [first]
