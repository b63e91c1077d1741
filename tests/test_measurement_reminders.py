"""The årshjul keeps the business case alive: due measurements and risk reviews are asked
for, chased by their reminder policies, and closed by the measurement or reassessment.

Engine-level, on SQLite and PostgreSQL, with the test wheel (its measurement and risk
review policies are the defaults: 5 working days before, on the day, two reminders five
working days apart, then the PMO).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from phasegate.bootstrap import App
from phasegate.domain.benefits import BenefitKind, Direction, IndicatorDefinition
from phasegate.domain.risks import Assessment, Response, RiskKind, RiskStatus
from phasegate.engine.benefits import BenefitDraft, IndicatorDraft
from phasegate.engine.risks import RiskDraft
from phasegate.errors import ConcurrentUpdate
from phasegate.storage.tables import Deadline
from tests.cycle_support import (
    OSLO,
    TERTIAL,
    cycle_app,
    email_of,
    local,
    open_deadlines,
    outbox,
    reminder_days,
    tick_at,
    wheel_file,
)
from tests.factories import Clock
from tests.test_project_pages import as_person
from tests.webserver import serve

START = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def app(database_url: str, tmp_path: Path, clock: Clock) -> Iterator[App]:
    clock.now = START
    with cycle_app(database_url, wheel_file(tmp_path, TERTIAL), clock) as built:
        yield built


def people(app: App) -> tuple[int, int, int]:
    """(project manager, benefit owner, someone in the PMO)."""
    engine = app.engine
    leader = engine.register_person("Ragnar Husum", "ragnar@asker.example")
    owner = engine.register_person("Ole Tangen", "ole@asker.example", "nn")
    pmo = engine.register_person("Kari Nordmann", "kari@asker.example")
    engine.grant_role(pmo, "pmo")
    return leader, owner, pmo


def hours_saved(
    app: App,
    *,
    owner: int | None,
    leader: int,
    cycle: str | None = None,
    dates: tuple[date, ...] = (),
) -> tuple[int, int]:
    """A project with one benefit and one indicator planned as given: (project, indicator)."""
    engine = app.engine
    project = engine.register_project(
        "Jakten på tidstyvene", owner=leader, leader=leader, actor=leader
    )
    benefit = engine.add_benefit(
        project, BenefitDraft("Spart tid", "", BenefitKind.TIME, owner), actor=leader
    )
    definition = IndicatorDefinition(
        "timer", Direction.HIGHER, Decimal(0), date(2027, 1, 1), Decimal(1200), date(2028, 12, 31)
    )
    draft = IndicatorDraft("Timer spart per år", definition, plan_cycle=cycle, plan_dates=dates)
    return project, engine.add_indicator(benefit, draft, actor=leader)


def asks(app: App, to: str) -> list[str]:
    return [row.subject for row in outbox(app, "measurement_requested", to)]


def test_a_measurement_that_follows_a_reporting_cycle_is_asked_for_once_as_it_opens(
    app: App, clock: Clock
) -> None:
    leader, owner, _ = people(app)
    _, indicator = hours_saved(app, owner=owner, leader=leader, cycle="tertial-1")

    report = tick_at(app, clock, local(date(2027, 4, 16), time(9, 0)))  # the cycle opens
    tick_at(app, clock, local(date(2027, 4, 16), time(10, 0)))

    assert report.measurements == 1
    assert open_deadlines(app, owner) == [("measurement", f"measurement:{indicator}:2027-04-30")]
    sent = asks(app, "ole@asker.example")
    assert len(sent) == 1  # the project is in its idea phase: any phase is asked
    assert "Timer spart per år" in sent[0]
    assert "Jakten på tidstyvene" in sent[0]


def test_a_planned_date_is_asked_for_two_weeks_ahead_once_due_at_the_end_of_that_day(
    app: App, clock: Clock
) -> None:
    leader, owner, _ = people(app)
    _, indicator = hours_saved(app, owner=owner, leader=leader, dates=(date(2027, 5, 20),))

    assert tick_at(app, clock, local(date(2027, 5, 5))).measurements == 0  # 15 days ahead
    assert tick_at(app, clock, local(date(2027, 5, 6))).measurements == 1  # 14 days ahead
    assert tick_at(app, clock, local(date(2027, 5, 7))).measurements == 0

    assert open_deadlines(app, owner) == [("measurement", f"measurement:{indicator}:2027-05-20")]
    with app.database.connect() as conn:
        due = conn.execute(select(Deadline.due_at).where(Deadline.person_id == owner)).scalar_one()
    assert due.astimezone(OSLO) == datetime(2027, 5, 20, 16, 0, tzinfo=OSLO)  # day_ends
    assert len(asks(app, "ole@asker.example")) == 1


def test_without_a_benefit_owner_the_project_manager_is_asked(app: App, clock: Clock) -> None:
    leader, _, _ = people(app)
    hours_saved(app, owner=None, leader=leader, dates=(date(2027, 5, 20),))

    tick_at(app, clock, local(date(2027, 5, 10)))

    assert [kind for kind, _ in open_deadlines(app, leader)] == ["measurement"]
    assert len(asks(app, "ragnar@asker.example")) == 1


def test_two_schedulers_at_once_ask_once(app: App, clock: Clock) -> None:
    leader, owner, _ = people(app)
    hours_saved(app, owner=owner, leader=leader, dates=(date(2027, 5, 20),))
    clock.now = local(date(2027, 5, 10))
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def tick() -> None:
        start.wait()
        try:
            app.ticker.tick()
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert len(asks(app, "ole@asker.example")) == 1
    assert len(open_deadlines(app, owner)) == 1


def test_recording_the_measurement_closes_it_and_no_reminder_follows(
    app: App, clock: Clock
) -> None:
    leader, owner, _ = people(app)
    _, indicator = hours_saved(app, owner=owner, leader=leader, dates=(date(2027, 5, 20),))
    tick_at(app, clock, local(date(2027, 5, 10)))

    app.engine.record_measurement(indicator, Decimal(300), date(2027, 5, 10), actor=owner)
    for day in (date(2027, 5, 13), date(2027, 5, 20), date(2027, 5, 28)):
        tick_at(app, clock, local(day))

    assert open_deadlines(app, owner) == []
    assert reminder_days(app, owner) == []


def test_a_measurement_from_an_email_link_is_kept_once(app: App, clock: Clock) -> None:
    """A double click: the second finds nothing owed, and the engine keeps one value."""
    leader, owner, _ = people(app)
    project, indicator = hours_saved(app, owner=owner, leader=leader, dates=(date(2027, 5, 20),))
    tick_at(app, clock, local(date(2027, 5, 10)))
    record = app.engine.record_measurement

    record(indicator, Decimal(300), date(2027, 5, 10), channel="email", actor=owner)
    with pytest.raises(ConcurrentUpdate):
        record(indicator, Decimal(300), date(2027, 5, 10), channel="email", actor=owner)

    kept = app.engine.business_case(project).benefits[0].indicators[0].measurements
    assert [(m.value, m.channel) for m in kept] == [(Decimal(300), "email")]


def test_an_unanswered_measurement_is_chased_then_passed_to_the_pmo(app: App, clock: Clock) -> None:
    leader, owner, pmo = people(app)
    hours_saved(app, owner=owner, leader=leader, dates=(date(2027, 5, 20),))
    day = date(2027, 5, 6)
    while day <= date(2027, 6, 20):
        tick_at(app, clock, local(day))
        day = date.fromordinal(day.toordinal() + 1)

    # Five working days before, on the day, two overdue reminders five working days apart,
    # then the PMO hears of it and the owner is told.
    slots = [slot for _, slot in reminder_days(app, owner)]
    assert slots == ["before-5", "on-day", "overdue-1", "overdue-2"]
    assert [slot for _, slot in reminder_days(app, pmo, "escalation")] == ["escalation"]
    assert [slot for _, slot in reminder_days(app, owner, "escalated")] == ["escalation"]
    owner_mail = outbox(app, "reminder", email_of(app, owner))
    assert all("/measure/" in row.body_text for row in owner_mail)
    pmo_mail = outbox(app, "escalation", "kari@asker.example")
    assert "Ole Tangen" in pmo_mail[0].body_text
    assert "/measure/" not in pmo_mail[0].body_text  # the link is the owner's own


def test_a_risk_review_comes_due_and_the_reassessment_closes_it(app: App, clock: Clock) -> None:
    leader, owner, _ = people(app)
    engine = app.engine
    project = engine.register_project(
        "Digital postkasse", owner=leader, leader=leader, actor=leader
    )
    first = Assessment(4, 4, 2, 3, Response.REDUCE, "Opplæring", RiskStatus.OPEN, date(2027, 5, 20))
    risk = engine.add_risk(
        project,
        RiskDraft(RiskKind.RISK, "Leverandøren blir forsinket", "", "Leverandør", owner),
        first,
        actor=leader,
    )

    assert tick_at(app, clock, local(date(2027, 5, 5))).risk_reviews == 0
    assert tick_at(app, clock, local(date(2027, 5, 6))).risk_reviews == 1
    assert tick_at(app, clock, local(date(2027, 5, 7))).risk_reviews == 0
    assert open_deadlines(app, owner) == [("risk_review", f"risk_review:{risk}:2027-05-20")]
    sent = outbox(app, "risk_review_requested", "ole@asker.example")
    assert len(sent) == 1
    form = f"/projects/{project}/risks/{risk}/assessments/new"
    assert form in sent[0].body_text
    with serve(app) as url, as_person(app, url, owner) as (browser, _):
        opened = browser.get(form)  # the link leads the owner to the reassessment form
    assert opened.status_code == 200
    assert "Leverandøren blir forsinket" in opened.text

    again = Assessment(3, 4, 2, 3, Response.REDUCE, "Opplæring", RiskStatus.OPEN, date(2027, 9, 1))
    engine.assess_risk(risk, again, "Leveransen er på plass", actor=owner)
    tick_at(app, clock, local(date(2027, 5, 20)))

    assert open_deadlines(app, owner) == []  # reviewed; the next review is far off
    assert reminder_days(app, owner) == []
    # When the new review date comes near, the owner is asked again, for that date.
    tick_at(app, clock, local(date(2027, 8, 20)))
    assert open_deadlines(app, owner) == [("risk_review", f"risk_review:{risk}:2027-09-01")]
