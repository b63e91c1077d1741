"""Benefits, indicators and measurements: the operations that change them.

A benefit and an indicator are edited under their ``version`` (the form names the version
it read, so two editors cannot overwrite each other unseen). A measurement is only ever
inserted, so two people who record at the same moment both keep theirs.

Who may: a project's manager and owner, the PMO and admins edit its benefits; the benefit
owner may also record measurements of their benefit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, bindparam, delete, insert, select, update

from phasegate.domain import register_events as rev
from phasegate.domain.benefits import (
    BenefitKind,
    IndicatorDefinition,
    Measurement,
    problems_in_definition,
    problems_in_measurement,
    problems_in_plan,
    progress,
)
from phasegate.domain.problems import Problem
from phasegate.engine.access import OFFICE_ROLES
from phasegate.engine.business_case import definition_of
from phasegate.engine.lookups import ProjectState, get_project, roles_of
from phasegate.engine.unit import UnitOfWork
from phasegate.errors import ConcurrentUpdate, NotFound, NotPermitted, RegisterInvalid
from phasegate.storage.registers import Benefit, Indicator, MeasurementDue
from phasegate.storage.registers import Measurement as MeasurementRow
from phasegate.storage.tables import Person

CHANNELS = ("form", "email", "api", "import")


@dataclass(frozen=True)
class BenefitDraft:
    """What a person writes about a benefit."""

    title: str
    description: str
    kind: BenefitKind
    owner: int | None


@dataclass(frozen=True)
class IndicatorDraft:
    """What a person writes about an indicator: its definition and its measurement plan
    (a wheel reporting cycle's id, or dates)."""

    name: str
    definition: IndicatorDefinition
    plan_cycle: str | None = None
    plan_dates: tuple[date, ...] = ()


Q_BENEFIT = select(
    Benefit.id, Benefit.project_id, Benefit.owner_id, Benefit.title, Benefit.version
).where(Benefit.id == bindparam("benefit"))
Q_INDICATOR = (
    select(
        Indicator.id,
        Indicator.benefit_id,
        Indicator.project_id,
        Indicator.unit,
        Indicator.direction,
        Indicator.baseline,
        Indicator.baseline_on,
        Indicator.target,
        Indicator.target_on,
        Indicator.version,
        Benefit.owner_id,
    )
    .join(Benefit, Benefit.id == Indicator.benefit_id)
    .where(Indicator.id == bindparam("indicator"))
)
Q_MEASUREMENTS = (
    select(MeasurementRow.value, MeasurementRow.measured_on)
    .where(MeasurementRow.indicator_id == bindparam("indicator"))
    .order_by(MeasurementRow.measured_on, MeasurementRow.id)
)
Q_PERSON_EXISTS = select(Person.id).where(Person.id == bindparam("person"))
W_BENEFIT = insert(Benefit).returning(Benefit.id)
W_BENEFIT_CHANGE = (
    update(Benefit)
    .where(Benefit.id == bindparam("benefit"), Benefit.version == bindparam("seen"))
    .values(
        title=bindparam("title"),
        description=bindparam("description"),
        kind=bindparam("kind"),
        owner_id=bindparam("owner"),
        updated_at=bindparam("now"),
        version=Benefit.version + 1,
    )
)
W_INDICATOR = insert(Indicator).returning(Indicator.id)
W_INDICATOR_CHANGE = (
    update(Indicator)
    .where(Indicator.id == bindparam("indicator"), Indicator.version == bindparam("seen"))
    .values(
        name=bindparam("name"),
        unit=bindparam("unit"),
        direction=bindparam("direction"),
        baseline=bindparam("baseline"),
        baseline_on=bindparam("baseline_on"),
        target=bindparam("target"),
        target_on=bindparam("target_on"),
        plan_cycle=bindparam("plan_cycle"),
        plan_dates=bindparam("plan_dates"),
        updated_at=bindparam("now"),
        version=Indicator.version + 1,
    )
)
W_MEASUREMENT = insert(MeasurementRow).returning(MeasurementRow.id)
Q_DUE_DATES = select(MeasurementDue.due_on, MeasurementDue.asked_at).where(
    MeasurementDue.indicator_id == bindparam("indicator")
)
W_DUE = insert(MeasurementDue)
W_DUE_DROP = delete(MeasurementDue).where(
    MeasurementDue.indicator_id == bindparam("indicator"),
    MeasurementDue.due_on.in_(bindparam("days", expanding=True)),
    MeasurementDue.asked_at.is_(None),
)


def may_edit_case(uow: UnitOfWork, project: ProjectState, also: int | None = None) -> bool:
    """The project's manager or owner, the PMO, an admin, the system; and ``also`` (a
    benefit's or a risk's owner, for their measurements and reassessments)."""
    person = uow.actor.person
    if person is None or person in (project.leader_id, project.owner_id, also):
        return True
    return bool(roles_of(uow, person) & OFFICE_ROLES)


def require_case_editor(uow: UnitOfWork, project: ProjectState) -> None:
    """A project's business case is edited by its manager or owner, the PMO or an admin."""
    if not may_edit_case(uow, project):
        raise NotPermitted("business_case", person=uow.actor_name, project=project.name)


def owner_problems(uow: UnitOfWork, owner: int | None) -> list[Problem]:
    """An owner (of a benefit or a risk) who is nobody phasegate knows."""
    if owner is not None and uow.scalar(Q_PERSON_EXISTS, person=owner) is None:
        return [Problem.of("benefit_owner_unknown", "owner", value=str(owner))]
    return []


def _text_problems(title: str, field: str = "title") -> list[Problem]:
    return [] if title.strip() else [Problem.of("value_missing", field)]


def add_benefit(uow: UnitOfWork, project_id: int, draft: BenefitDraft) -> int:
    project = get_project(uow, project_id)
    require_case_editor(uow, project)
    problems = _text_problems(draft.title) + owner_problems(uow, draft.owner)
    if problems:
        raise RegisterInvalid(problems)
    benefit = int(
        uow.scalar(
            W_BENEFIT,
            project_id=project.id,
            title=draft.title.strip(),
            description=draft.description,
            kind=draft.kind.value,
            owner_id=draft.owner,
            created_at=uow.now,
            updated_at=uow.now,
            version=1,
        )
    )
    uow.emit(
        rev.BenefitAdded(
            project=project.id,
            benefit=benefit,
            title=draft.title.strip(),
            benefit_kind=draft.kind.value,
            owner=draft.owner,
        )
    )
    return benefit


def change_benefit(uow: UnitOfWork, benefit_id: int, draft: BenefitDraft, seen: int) -> None:
    row = _benefit(uow, benefit_id)
    project = get_project(uow, row.project_id)
    require_case_editor(uow, project)
    problems = _text_problems(draft.title) + owner_problems(uow, draft.owner)
    if problems:
        raise RegisterInvalid(problems)
    changed = uow.conn.execute(
        W_BENEFIT_CHANGE,
        {
            "benefit": benefit_id,
            "seen": seen,
            "title": draft.title.strip(),
            "description": draft.description,
            "kind": draft.kind.value,
            "owner": draft.owner,
            "now": uow.now,
        },
    ).rowcount
    if changed != 1:
        raise ConcurrentUpdate("benefit")
    uow.emit(
        rev.BenefitChanged(
            project=project.id,
            benefit=benefit_id,
            title=draft.title.strip(),
            benefit_kind=draft.kind.value,
            owner=draft.owner,
        )
    )


def add_indicator(
    uow: UnitOfWork, benefit_id: int, draft: IndicatorDraft, cycles: Sequence[str]
) -> int:
    row = _benefit(uow, benefit_id)
    project = get_project(uow, row.project_id)
    require_case_editor(uow, project)
    _refuse_bad_indicator(draft, cycles)
    d = draft.definition
    indicator = int(
        uow.scalar(
            W_INDICATOR,
            benefit_id=benefit_id,
            project_id=project.id,
            name=draft.name.strip(),
            unit=d.unit.strip(),
            direction=d.direction.value,
            baseline=d.baseline,
            baseline_on=d.baseline_on,
            target=d.target,
            target_on=d.target_on,
            plan_cycle=draft.plan_cycle,
            plan_dates=[day.isoformat() for day in sorted(set(draft.plan_dates))],
            created_at=uow.now,
            updated_at=uow.now,
            version=1,
        )
    )
    _plan_due_dates(uow, indicator, draft)
    uow.emit(rev.IndicatorAdded(**_indicator_event(project.id, benefit_id, indicator, draft)))
    return indicator


def change_indicator(
    uow: UnitOfWork, indicator_id: int, draft: IndicatorDraft, seen: int, cycles: Sequence[str]
) -> None:
    row = _indicator(uow, indicator_id)
    project = get_project(uow, row.project_id)
    require_case_editor(uow, project)
    _refuse_bad_indicator(draft, cycles)
    d = draft.definition
    changed = uow.conn.execute(
        W_INDICATOR_CHANGE,
        {
            "indicator": indicator_id,
            "seen": seen,
            "name": draft.name.strip(),
            "unit": d.unit.strip(),
            "direction": d.direction.value,
            "baseline": d.baseline,
            "baseline_on": d.baseline_on,
            "target": d.target,
            "target_on": d.target_on,
            "plan_cycle": draft.plan_cycle,
            "plan_dates": [day.isoformat() for day in sorted(set(draft.plan_dates))],
            "now": uow.now,
        },
    ).rowcount
    if changed != 1:
        raise ConcurrentUpdate("indicator")
    _plan_due_dates(uow, indicator_id, draft)
    uow.emit(
        rev.IndicatorChanged(**_indicator_event(project.id, row.benefit_id, indicator_id, draft))
    )


def record_measurement(
    uow: UnitOfWork,
    indicator_id: int,
    value: Decimal,
    measured_on: date,
    comment: str,
    channel: str,
    today: date,
) -> int:
    """Keep a measured value; it never replaces one recorded before."""
    if channel not in CHANNELS:
        raise ValueError(f"a measurement comes by {', '.join(CHANNELS)}, not {channel!r}")
    row = _indicator(uow, indicator_id)
    project = get_project(uow, row.project_id)
    if not may_edit_case(uow, project, also=row.owner_id):
        raise NotPermitted("measure", person=uow.actor_name, project=project.name)
    definition = definition_of(row)
    measurement = Measurement(value, measured_on)
    problems = problems_in_measurement(definition, measurement, today)
    if problems:
        raise RegisterInvalid(problems)
    measurement_id = int(
        uow.scalar(
            W_MEASUREMENT,
            indicator_id=indicator_id,
            value=value,
            measured_on=measured_on,
            comment=comment,
            recorded_by=uow.actor.person,
            recorded_at=uow.now,
            channel=channel,
        )
    )
    kept = [
        Measurement(r.value, r.measured_on)
        for r in uow.rows(Q_MEASUREMENTS, indicator=indicator_id)
    ]
    now_progress = progress(definition, kept, today)
    latest = now_progress.latest == measurement
    uow.emit(
        rev.MeasurementRecorded(
            project=project.id,
            benefit=row.benefit_id,
            indicator=indicator_id,
            measurement=measurement_id,
            value=str(value),
            measured_on=measured_on.isoformat(),
            channel=channel,
            achievement=str(now_progress.achievement)
            if latest and now_progress.achievement is not None
            else None,
        )
    )
    return measurement_id


def _refuse_bad_indicator(draft: IndicatorDraft, cycles: Sequence[str]) -> None:
    problems = _text_problems(draft.name, "name")
    problems += problems_in_definition(draft.definition)
    problems += problems_in_plan(draft.plan_dates, draft.plan_cycle, cycles)
    if problems:
        raise RegisterInvalid(problems)


def _plan_due_dates(uow: UnitOfWork, indicator: int, draft: IndicatorDraft) -> None:
    """The plan's dates to come, as rows the scheduler finds; dates no longer planned and
    not yet asked for are dropped."""
    today = uow.now.date()
    wanted = {day for day in draft.plan_dates if day >= today}
    have = {r.due_on: r.asked_at for r in uow.rows(Q_DUE_DATES, indicator=indicator)}
    dropped = [day for day, asked in have.items() if asked is None and day not in wanted]
    if dropped:
        uow.conn.execute(W_DUE_DROP, {"indicator": indicator, "days": dropped})
    new = sorted(wanted - set(have))
    if new:
        uow.conn.execute(
            W_DUE, [{"indicator_id": indicator, "due_on": day, "asked_at": None} for day in new]
        )


def _indicator_event(
    project: int, benefit: int, indicator: int, draft: IndicatorDraft
) -> dict[str, Any]:
    d = draft.definition
    return {
        "project": project,
        "benefit": benefit,
        "indicator": indicator,
        "name": draft.name.strip(),
        "unit": d.unit.strip(),
        "direction": d.direction.value,
        "baseline": str(d.baseline),
        "baseline_on": d.baseline_on.isoformat(),
        "target": str(d.target),
        "target_on": d.target_on.isoformat(),
        "plan_cycle": draft.plan_cycle,
        "plan_dates": tuple(day.isoformat() for day in sorted(set(draft.plan_dates))),
    }


def _benefit(uow: UnitOfWork, benefit_id: int) -> Row[Any]:
    row = uow.one(Q_BENEFIT, benefit=benefit_id)
    if row is None:
        raise NotFound("benefit", benefit=str(benefit_id))
    return row


def _indicator(uow: UnitOfWork, indicator_id: int) -> Row[Any]:
    row = uow.one(Q_INDICATOR, indicator=indicator_id)
    if row is None:
        raise NotFound("indicator", indicator=str(indicator_id))
    return row
