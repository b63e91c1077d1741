"""Business-case spreadsheets in and out: checking a file against the database, applying
it in one transaction, and reading the tables an export writes.

A check reads what the database holds (:func:`read_known`) and lets
``portfolio/case_plan.py`` plan the import; it writes nothing. An import reads and plans
again inside its one transaction, so a plan gone stale since the check (a benefit added
meanwhile, a measurement recorded twice) is judged on what is there now, and applies every
change through the same operations the forms use, each with its own checks and audit
event. Any refusal rolls the whole import back.

A measurement row is kept once: a row whose indicator already has a measurement of the
same value on the same day (or that repeats an earlier row of the file) is skipped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import aliased

from phasegate.domain.benefits import (
    BenefitKind,
    Measurement,
    progress,
    status,
)
from phasegate.domain.plans import CostKind, CostLine, PeopleLine
from phasegate.domain.risks import Assessment, Response, RiskKind, RiskStatus, Scale
from phasegate.engine import benefits, plans, risks
from phasegate.engine.benefits import BenefitDraft, IndicatorDraft
from phasegate.engine.business_case import definition_of
from phasegate.engine.risks import RiskDraft
from phasegate.engine.unit import UnitOfWork
from phasegate.errors import NotFound, RuleViolation
from phasegate.portfolio.case_plan import (
    BenefitPlan,
    CasePlan,
    CostRow,
    IndicatorPlan,
    Known,
    KnownBenefit,
    KnownIndicator,
    KnownProject,
    KnownRisk,
    PeopleRow,
    PlanLines,
    RiskFields,
    RiskPlan,
    Term,
    plan_case,
)
from phasegate.portfolio.case_table import keyed, read_case_files
from phasegate.storage.registers import (
    Benefit,
    CostPlanLine,
    Indicator,
    PeoplePlanLine,
    ProjectPlan,
    ResourceTerm,
    Risk,
)
from phasegate.storage.registers import Measurement as MeasurementRow
from phasegate.storage.tables import Person, Project

Q_PROJECTS = select(Project.id, Project.name).order_by(Project.name)
Q_PEOPLE = select(Person.id, Person.email)
Q_BENEFITS = select(Benefit).order_by(Benefit.project_id, Benefit.id)
Q_INDICATORS = select(Indicator).order_by(Indicator.benefit_id, Indicator.id)
_Recorder = aliased(Person)
Q_MEASUREMENTS = (
    select(
        MeasurementRow.indicator_id,
        MeasurementRow.value,
        MeasurementRow.measured_on,
        MeasurementRow.comment,
        MeasurementRow.channel,
        MeasurementRow.recorded_at,
        _Recorder.email.label("recorded_by"),
        Indicator.project_id,
    )
    .join(Indicator, Indicator.id == MeasurementRow.indicator_id)
    .outerjoin(_Recorder, _Recorder.id == MeasurementRow.recorded_by)
    .order_by(MeasurementRow.indicator_id, MeasurementRow.measured_on, MeasurementRow.id)
)
Q_RISKS = select(Risk).order_by(Risk.project_id, Risk.id)
Q_TERMS = select(ResourceTerm).order_by(ResourceTerm.kind, ResourceTerm.name)
Q_PLANS = select(ProjectPlan.project_id, ProjectPlan.version)
Q_COSTS = select(CostPlanLine).order_by(
    CostPlanLine.project_id, CostPlanLine.year, CostPlanLine.kind, CostPlanLine.id
)
Q_PEOPLE_LINES = select(PeoplePlanLine).order_by(
    PeoplePlanLine.project_id, PeoplePlanLine.year, PeoplePlanLine.id
)
Q_PROJECT_OF = {
    "benefit": select(Benefit.project_id).where(Benefit.id == bindparam("row")),
    "indicator": select(Indicator.project_id).where(Indicator.id == bindparam("row")),
    "risk": select(Risk.project_id).where(Risk.id == bindparam("row")),
}


@dataclass(frozen=True)
class _Rows:
    """Every business-case row of the database (or of one project), read once."""

    projects: dict[int, str]
    emails: dict[int, str]
    benefits: list[Any]
    indicators: list[Any]
    measurements: list[Any]
    risks: list[Any]
    terms: list[Any]
    versions: dict[int, int]
    costs: list[Any]
    people: list[Any]


def _only(statement: Any, column: Any, project: int | None) -> Any:
    return statement if project is None else statement.where(column == project)


def _read(conn: Connection, project: int | None = None) -> _Rows:
    """Ten queries, whatever the number of rows."""
    return _Rows(
        projects={r.id: r.name for r in conn.execute(_only(Q_PROJECTS, Project.id, project))},
        emails={r.id: r.email for r in conn.execute(Q_PEOPLE)},
        benefits=list(conn.execute(_only(Q_BENEFITS, Benefit.project_id, project))),
        indicators=list(conn.execute(_only(Q_INDICATORS, Indicator.project_id, project))),
        measurements=list(conn.execute(_only(Q_MEASUREMENTS, Indicator.project_id, project))),
        risks=list(conn.execute(_only(Q_RISKS, Risk.project_id, project))),
        terms=list(conn.execute(Q_TERMS)),
        versions={
            r.project_id: r.version
            for r in conn.execute(_only(Q_PLANS, ProjectPlan.project_id, project))
        },
        costs=list(conn.execute(_only(Q_COSTS, CostPlanLine.project_id, project))),
        people=list(conn.execute(_only(Q_PEOPLE_LINES, PeoplePlanLine.project_id, project))),
    )


def _assessment(risk: Any) -> Assessment:
    return Assessment(
        risk.probability,
        risk.consequence,
        risk.probability_after,
        risk.consequence_after,
        Response(risk.response),
        risk.mitigation,
        RiskStatus(risk.status),
        risk.next_review_on,
    )


def read_known(conn: Connection, scale: Scale, today: date, cycles: Sequence[str]) -> Known:
    """What a business-case import is checked against."""
    rows = _read(conn)
    terms = {t.id: t for t in rows.terms}
    measured: dict[int, set[tuple[date, Decimal]]] = defaultdict(set)
    for m in rows.measurements:
        measured[m.indicator_id].add((m.measured_on, m.value))
    indicators: dict[int, dict[str, KnownIndicator]] = defaultdict(dict)
    for ind in rows.indicators:
        indicators[ind.benefit_id][keyed(ind.name)] = KnownIndicator(
            ind.id,
            ind.name,
            definition_of(ind),
            ind.plan_cycle,
            tuple(date.fromisoformat(d) for d in ind.plan_dates or ()),
            ind.version,
            frozenset(measured.get(ind.id, ())),
        )
    by_project: dict[int, dict[str, KnownBenefit]] = defaultdict(dict)
    titles: dict[int, str] = {}
    for b in rows.benefits:
        titles[b.id] = b.title
        by_project[b.project_id][keyed(b.title)] = KnownBenefit(
            b.id,
            b.title,
            b.description,
            b.kind,
            rows.emails.get(b.owner_id) if b.owner_id else None,
            b.version,
            indicators.get(b.id, {}),
        )
    risk_rows: dict[int, dict[str, KnownRisk]] = defaultdict(dict)
    for r in rows.risks:
        owner = rows.emails.get(r.owner_id) if r.owner_id else None
        fields = RiskFields(RiskKind(r.kind), r.title, r.description, r.category, owner)
        risk_rows[r.project_id][keyed(r.title)] = KnownRisk(r.id, fields, _assessment(r), r.version)
    costs: dict[int, list[CostRow]] = defaultdict(list)
    for c in rows.costs:
        title = keyed(titles[c.benefit_id]) if c.benefit_id in titles else None
        costs[c.project_id].append(CostRow(c.year, CostKind(c.kind), c.amount, title, c.note))
    people: dict[int, list[PeopleRow]] = defaultdict(list)
    for p in rows.people:
        unit, competence = keyed(terms[p.unit_id].name), keyed(terms[p.competence_id].name)
        people[p.project_id].append(PeopleRow(p.year, unit, competence, p.fte, p.note))
    return Known(
        projects={
            keyed(name): KnownProject(
                pid,
                name,
                by_project.get(pid, {}),
                risk_rows.get(pid, {}),
                rows.versions.get(pid, 0),
                tuple(costs.get(pid, ())),
                tuple(people.get(pid, ())),
            )
            for pid, name in rows.projects.items()
        },
        people={email.lower(): pid for pid, email in rows.emails.items()},
        units={keyed(t.name): Term(t.id, t.name, t.active) for t in rows.terms if t.kind == "unit"},
        competences={
            keyed(t.name): Term(t.id, t.name, t.active)
            for t in rows.terms
            if t.kind == "competence"
        },
        cycles=tuple(cycles),
        scale=scale,
        today=today,
    )


def apply_case(
    uow: UnitOfWork, plan: CasePlan, scale: Scale, today: date, cycles: Sequence[str]
) -> dict[str, int]:
    """Plan again on what the transaction reads, then make every change; a problem, or any
    refusal of an operation, leaves nothing."""
    known = read_known(uow.conn, scale, today, cycles)
    fresh = plan_case(plan.files, known)
    if fresh.problems:
        raise RuleViolation("import_problems", count=len(fresh.problems))
    _Applier(uow, known, cycles).apply(fresh)
    return fresh.counts()


class _Applier:
    """The plan's changes in order: benefits, their indicators, measurements, risks and
    plans, each later kind finding what an earlier one added."""

    def __init__(self, uow: UnitOfWork, known: Known, cycles: Sequence[str]) -> None:
        self.uow, self.known, self.cycles = uow, known, cycles
        self.benefit_ids: dict[tuple[str, str], int] = {}
        self.indicator_ids: dict[tuple[str, str, str], int] = {}

    def apply(self, plan: CasePlan) -> None:
        for b in plan.benefits:
            self.benefit(b)
        for i in plan.indicators:
            self.indicator(i)
        for m in plan.measurements:
            key = (m.project, m.benefit, keyed(m.indicator))
            indicator = self.indicator_ids.get(key)
            if indicator is None:
                known = self.known.projects[m.project].benefits[m.benefit]
                indicator = known.indicators[key[2]].id
            benefits.record_measurement(
                self.uow, indicator, m.value, m.measured_on, m.comment, "import", self.today
            )
        for r in plan.risks:
            self.risk(r)
        for p in plan.plans:
            self.plan(p)

    @property
    def today(self) -> date:
        return self.known.today

    def person(self, email: str | None) -> int | None:
        return None if email is None else self.known.people[email]

    def benefit_id(self, project: str, title: str) -> int:
        done = self.benefit_ids.get((project, title))
        return done if done is not None else self.known.projects[project].benefits[title].id

    def benefit(self, b: BenefitPlan) -> None:
        draft = BenefitDraft(b.title, b.description, b.kind, self.person(b.owner))
        if b.existing is None:
            found = benefits.add_benefit(self.uow, self.known.projects[b.project].id, draft)
        else:
            found = b.existing.id
            if b.changed:
                benefits.change_benefit(self.uow, found, draft, b.existing.version)
        self.benefit_ids[(b.project, keyed(b.title))] = found

    def indicator(self, i: IndicatorPlan) -> None:
        draft = IndicatorDraft(i.name, i.definition, i.plan_cycle, i.plan_dates)
        if i.existing is None:
            benefit = self.benefit_id(i.project, i.benefit)
            found = benefits.add_indicator(self.uow, benefit, draft, self.cycles)
        else:
            found = i.existing.id
            if i.changed:
                version = i.existing.version
                benefits.change_indicator(self.uow, found, draft, version, self.cycles)
        self.indicator_ids[(i.project, i.benefit, keyed(i.name))] = found

    def risk(self, r: RiskPlan) -> None:
        f, scale = r.fields, self.known.scale
        draft = RiskDraft(f.kind, f.title, f.description, f.category, self.person(f.owner))
        if r.existing is None:
            project = self.known.projects[r.project].id
            risks.add_risk(self.uow, project, draft, r.assessment, scale, self.today, "import")
            return
        if r.changed:
            risks.change_risk(self.uow, r.existing.id, draft, r.existing.version)
        if r.assess:
            risks.assess_risk(
                self.uow, r.existing.id, r.assessment, "", "import", scale, self.today
            )

    def plan(self, p: PlanLines) -> None:
        costs = None
        if p.costs is not None:
            costs = [
                CostLine(
                    c.year,
                    c.kind,
                    c.amount,
                    self.benefit_id(p.project, c.benefit) if c.benefit else None,
                    c.note,
                )
                for c in p.costs
            ]
        people = None
        if p.people is not None:
            units, competences = self.known.units, self.known.competences
            people = [
                PeopleLine(
                    line.year,
                    units[line.unit].id,
                    competences[line.competence].id,
                    line.fte,
                    line.note,
                )
                for line in p.people
            ]
        plans.save_plans(self.uow, self.known.projects[p.project].id, costs, people, p.seen)


# --- export -------------------------------------------------------------------------------

Record = dict[str, Any]


def case_tables(
    conn: Connection, project: int | None, scale: Scale, today: date
) -> dict[str, list[Record]]:
    """Every kind's rows, as the export writes them (choices as their keys), by project
    name; ``project``: only that project's."""
    rows = _read(conn, project)
    del scale  # the scores are kept; the band is the page's
    order = {pid: n for n, pid in enumerate(sorted(rows.projects, key=rows.projects.__getitem__))}
    name = rows.projects.__getitem__
    email = rows.emails.get
    terms = {t.id: t.name for t in rows.terms}
    benefit_rows = sorted(rows.benefits, key=lambda b: (order[b.project_id], b.id))
    titles = {b.id: b.title for b in benefit_rows}
    measured: dict[int, list[Any]] = defaultdict(list)
    for m in rows.measurements:
        measured[m.indicator_id].append(m)
    progresses: dict[int, list[Any]] = defaultdict(list)
    indicators: list[Record] = []
    measurements: list[Record] = []
    for ind in sorted(rows.indicators, key=lambda i: (order[i.project_id], i.benefit_id, i.id)):
        kept = measured.get(ind.id, [])
        done = progress(
            definition_of(ind), [Measurement(m.value, m.measured_on) for m in kept], today
        )
        progresses[ind.benefit_id].append(done)
        latest = done.latest
        indicators.append(
            {
                "project": name(ind.project_id),
                "benefit": titles[ind.benefit_id],
                "name": ind.name,
                "unit": ind.unit,
                "direction": ind.direction,
                "baseline": ind.baseline,
                "baseline_on": ind.baseline_on,
                "target": ind.target,
                "target_on": ind.target_on,
                "plan_cycle": ind.plan_cycle or "",
                "plan_dates": " ".join(ind.plan_dates or ()),
                "latest": None if latest is None else latest.value,
                "latest_on": None if latest is None else latest.measured_on,
                "achievement": done.achievement,
                "percent": done.percent,
                "trend": done.trend.value,
            }
        )
        measurements += [
            {
                "project": name(ind.project_id),
                "benefit": titles[ind.benefit_id],
                "indicator": ind.name,
                "value": m.value,
                "measured_on": m.measured_on,
                "comment": m.comment,
                "channel": m.channel,
                "recorded_by": m.recorded_by or "",
                "recorded_at": _moment(m.recorded_at),
            }
            for m in kept
        ]
    benefit_records = [
        {
            "project": name(b.project_id),
            "title": b.title,
            "kind": BenefitKind(b.kind).value,
            "owner_email": email(b.owner_id) or "",
            "description": b.description,
            "status": status(progresses.get(b.id, [])).value,
        }
        for b in benefit_rows
    ]
    risk_records = [
        {
            "project": name(r.project_id),
            "title": r.title,
            "kind": r.kind,
            "category": r.category,
            "owner_email": email(r.owner_id) or "",
            "description": r.description,
            "probability": r.probability,
            "consequence": r.consequence,
            "probability_after": r.probability_after,
            "consequence_after": r.consequence_after,
            "response": r.response,
            "mitigation": r.mitigation,
            "status": r.status,
            "next_review_on": r.next_review_on,
            "score": r.score,
            "score_after": r.score_after,
        }
        for r in sorted(rows.risks, key=lambda r: (order[r.project_id], r.id))
    ]
    cost_records = [
        {
            "project": name(c.project_id),
            "year": c.year,
            "kind": c.kind,
            "amount": c.amount,
            "benefit": titles.get(c.benefit_id, ""),
            "note": c.note,
        }
        for c in sorted(rows.costs, key=lambda c: (order[c.project_id], c.year, c.kind, c.id))
    ]
    people_records = [
        {
            "project": name(p.project_id),
            "year": p.year,
            "unit": terms[p.unit_id],
            "competence": terms[p.competence_id],
            "fte": p.fte,
            "note": p.note,
        }
        for p in sorted(rows.people, key=lambda p: (order[p.project_id], p.year, p.id))
    ]
    return {
        "benefits": benefit_records,
        "indicators": indicators,
        "measurements": measurements,
        "risks": risk_records,
        "costs": cost_records,
        "people": people_records,
    }


def _moment(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


# --- the engine's part ----------------------------------------------------------------------


class CaseImporting:
    """Spreadsheets in and out: a part of :class:`~phasegate.engine.service.Engine`."""

    scale: Scale

    def unit(self, actor: int | None) -> AbstractContextManager[UnitOfWork]:
        raise NotImplementedError  # the engine's (service.py)

    def reading(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError  # the engine's (service.py)

    def today(self) -> date:
        raise NotImplementedError  # CaseWriting's

    def reporting_cycles(self) -> list[str]:
        raise NotImplementedError  # CaseWriting's

    def check_case_files(self, files: Sequence[tuple[str, bytes]]) -> CasePlan:
        """What importing the files would add and change, and every problem row by row;
        reads the database and writes nothing (the dry run)."""
        read = read_case_files(files)
        with self.reading() as conn:
            known = read_known(conn, self.scale, self.today(), self.reporting_cycles())
        return plan_case(read, known)

    def import_case(self, plan: CasePlan, *, actor: int | None) -> dict[str, int]:
        """Apply a checked plan in one transaction: all of it, or nothing. Returns how
        many of each thing it added or changed."""
        with self.unit(actor) as uow:
            return apply_case(uow, plan, self.scale, self.today(), self.reporting_cycles())

    def case_tables(self, project: int | None = None) -> dict[str, list[Record]]:
        """The business case of one project, or of every project, as export rows."""
        with self.reading() as conn:
            if (
                project is not None
                and not conn.execute(select(Project.id).where(Project.id == project)).first()
            ):
                raise NotFound("project", project=str(project))
            return case_tables(conn, project, self.scale, self.today())

    def case_project_of(self, kind: str, row: int) -> int:
        """The project a benefit, an indicator or a risk belongs to."""
        with self.reading() as conn:
            found = conn.execute(Q_PROJECT_OF[kind], {"row": row}).scalar()
        if found is None:
            raise _missing(kind, row)
        return int(found)


def _missing(kind: str, row: int) -> NotFound:
    if kind == "benefit":
        return NotFound("benefit", benefit=str(row))
    if kind == "indicator":
        return NotFound("indicator", indicator=str(row))
    return NotFound("risk", risk=str(row))
