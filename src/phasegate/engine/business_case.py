"""A project's business case as the pages read it: benefits with their indicators and
progress, the uncertainty register, and the cost and people plans. Queries only.

The project page costs the same few queries whatever the number of benefits, indicators,
measurements and risks: each table is read once for the project, never row by row.
Progress and status come from :mod:`phasegate.domain.benefits`, the one computation every
view shows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import aliased

from phasegate.domain.benefits import (
    BenefitKind,
    BenefitStatus,
    Direction,
    IndicatorDefinition,
    Measurement,
    Progress,
    progress,
    status,
)
from phasegate.domain.model import Requirement
from phasegate.domain.plans import (
    CostKind,
    CostLine,
    PeopleLine,
    YearCosts,
    by_year,
    fte_by_year,
)
from phasegate.domain.risks import Band, RiskKind, RiskStatus, Scale, matrix, top
from phasegate.storage.registers import (
    Benefit,
    CostPlanLine,
    Indicator,
    PeoplePlanLine,
    ProjectPlan,
    ResourceTerm,
    Risk,
    RiskAssessment,
)
from phasegate.storage.registers import Measurement as MeasurementRow
from phasegate.storage.tables import Person

_Owner = aliased(Person)
Q_BENEFITS = (
    select(
        Benefit.id,
        Benefit.title,
        Benefit.description,
        Benefit.kind,
        Benefit.owner_id,
        _Owner.name.label("owner"),
        Benefit.version,
    )
    .outerjoin(_Owner, _Owner.id == Benefit.owner_id)
    .where(Benefit.project_id == bindparam("project"))
    .order_by(Benefit.id)
)
Q_INDICATORS = (
    select(Indicator)
    .where(Indicator.project_id == bindparam("project"))
    .order_by(Indicator.benefit_id, Indicator.id)
)
_Recorder = aliased(Person)
Q_MEASUREMENTS = (
    select(
        MeasurementRow.id,
        MeasurementRow.indicator_id,
        MeasurementRow.value,
        MeasurementRow.measured_on,
        MeasurementRow.comment,
        MeasurementRow.channel,
        MeasurementRow.recorded_at,
        _Recorder.name.label("recorded_by"),
    )
    .join(Indicator, Indicator.id == MeasurementRow.indicator_id)
    .outerjoin(_Recorder, _Recorder.id == MeasurementRow.recorded_by)
    .where(Indicator.project_id == bindparam("project"))
    .order_by(MeasurementRow.indicator_id, MeasurementRow.measured_on, MeasurementRow.id)
)
_RiskOwner = aliased(Person)
Q_RISKS = (
    select(Risk, _RiskOwner.name.label("owner"))
    .outerjoin(_RiskOwner, _RiskOwner.id == Risk.owner_id)
    .where(Risk.project_id == bindparam("project"))
    .order_by(Risk.status.desc(), Risk.score.desc(), Risk.id)  # open before closed
)
_Assessor = aliased(Person)
Q_ASSESSMENTS = (
    select(RiskAssessment, _Assessor.name.label("assessed_by_name"))
    .join(Risk, Risk.id == RiskAssessment.risk_id)
    .outerjoin(_Assessor, _Assessor.id == RiskAssessment.assessed_by)
    .where(Risk.project_id == bindparam("project"))
    .order_by(RiskAssessment.risk_id, RiskAssessment.id.desc())
)
Q_PLAN_VERSION = select(ProjectPlan.version).where(ProjectPlan.project_id == bindparam("project"))
_Unit, _Competence = aliased(ResourceTerm), aliased(ResourceTerm)
Q_COSTS = (
    select(CostPlanLine, Benefit.title.label("benefit_title"))
    .outerjoin(Benefit, Benefit.id == CostPlanLine.benefit_id)
    .where(CostPlanLine.project_id == bindparam("project"))
    .order_by(CostPlanLine.year, CostPlanLine.kind, CostPlanLine.id)
)
Q_PEOPLE = (
    select(
        PeoplePlanLine,
        _Unit.name.label("unit_name"),
        _Competence.name.label("competence_name"),
    )
    .join(_Unit, _Unit.id == PeoplePlanLine.unit_id)
    .join(_Competence, _Competence.id == PeoplePlanLine.competence_id)
    .where(PeoplePlanLine.project_id == bindparam("project"))
    .order_by(PeoplePlanLine.year, _Unit.name, _Competence.name)
)
Q_TERMS = select(
    ResourceTerm.id, ResourceTerm.kind, ResourceTerm.name, ResourceTerm.active
).order_by(ResourceTerm.kind, ResourceTerm.name)


@dataclass(frozen=True)
class MeasurementView:
    id: int
    value: Decimal
    measured_on: date
    comment: str
    channel: str
    recorded_at: datetime
    recorded_by: str | None


@dataclass(frozen=True)
class IndicatorView:
    id: int
    benefit_id: int
    name: str
    definition: IndicatorDefinition
    plan_cycle: str | None
    plan_dates: tuple[date, ...]
    version: int
    measurements: tuple[MeasurementView, ...]  # oldest first
    progress: Progress

    @property
    def unit(self) -> str:
        return self.definition.unit


@dataclass(frozen=True)
class BenefitView:
    id: int
    title: str
    description: str
    kind: BenefitKind
    owner_id: int | None
    owner: str | None
    version: int
    indicators: tuple[IndicatorView, ...]
    status: BenefitStatus


@dataclass(frozen=True)
class AssessmentView:
    id: int
    probability: int
    consequence: int
    score: int
    probability_after: int | None
    consequence_after: int | None
    score_after: int | None
    response: str
    mitigation: str
    status: str
    next_review_on: date | None
    comment: str
    assessed_at: datetime
    assessed_by: str | None
    channel: str


@dataclass(frozen=True)
class RiskView:
    id: int
    kind: RiskKind
    title: str
    description: str
    category: str
    owner_id: int | None
    owner: str | None
    probability: int
    consequence: int
    score: int
    probability_after: int | None
    consequence_after: int | None
    score_after: int | None
    response: str
    mitigation: str
    status: RiskStatus
    next_review_on: date | None
    version: int
    band: Band
    review_overdue: bool
    history: tuple[AssessmentView, ...]  # newest first


@dataclass(frozen=True)
class CostLineView:
    line: CostLine
    benefit_title: str | None


@dataclass(frozen=True)
class PeopleLineView:
    line: PeopleLine
    unit: str
    competence: str


@dataclass(frozen=True)
class Term:
    id: int
    kind: str
    name: str
    active: bool


@dataclass(frozen=True)
class PlanView:
    version: int  # 0: no plan saved yet
    costs: tuple[CostLineView, ...]
    years: tuple[YearCosts, ...]
    people: tuple[PeopleLineView, ...]
    fte: dict[int, Decimal] = field(default_factory=dict)

    def year(self, year: int) -> YearCosts | None:
        return next((y for y in self.years if y.year == year), None)


@dataclass(frozen=True)
class BusinessCase:
    """Everything the project page shows of benefits, risks and plans."""

    benefits: tuple[BenefitView, ...]
    risks: tuple[RiskView, ...]
    plan: PlanView
    scale: Scale
    matrix: list[list[int]]  # open risks' counts, [probability − 1][consequence − 1]

    @property
    def open_risks(self) -> list[RiskView]:
        return [r for r in self.risks if r.status is RiskStatus.OPEN]

    def top_risks(self, count: int = 5) -> list[RiskView]:
        """The open risks (not opportunities) with the highest scores."""
        return top(self.risks, count)

    @property
    def met(self) -> frozenset[Requirement]:
        """Which of the workflow's ``requires:`` the case meets."""
        met: set[Requirement] = set()
        if any(b.indicators for b in self.benefits):
            met.add(Requirement.BASELINED_BENEFIT)
        if self.open_risks:
            met.add(Requirement.RISK_ASSESSED)
        if self.plan.costs:
            met.add(Requirement.COST_PLAN)
        if self.plan.people:
            met.add(Requirement.PEOPLE_PLAN)
        return frozenset(met)


Q_MET = select(
    select(Indicator.id).where(Indicator.project_id == bindparam("project")).exists(),
    select(Risk.id).where(Risk.project_id == bindparam("project"), Risk.status == "open").exists(),
    select(CostPlanLine.id).where(CostPlanLine.project_id == bindparam("project")).exists(),
    select(PeoplePlanLine.id).where(PeoplePlanLine.project_id == bindparam("project")).exists(),
)


def requirements_met(conn: Connection, project: int) -> frozenset[Requirement]:
    """Which of the workflow's ``requires:`` the project's data meets, in one query. An
    indicator is stored only with a baseline and a target, so any indicator will do."""
    row = conn.execute(Q_MET, {"project": project}).one()
    order = (
        Requirement.BASELINED_BENEFIT,
        Requirement.RISK_ASSESSED,
        Requirement.COST_PLAN,
        Requirement.PEOPLE_PLAN,
    )
    return frozenset(r for r, met in zip(order, row, strict=True) if met)


Q_OPEN_RISKS = (
    select(
        Risk.id,
        Risk.kind,
        Risk.status,
        Risk.title,
        Risk.probability,
        Risk.consequence,
        Risk.score,
        _RiskOwner.name.label("owner"),
    )
    .outerjoin(_RiskOwner, _RiskOwner.id == Risk.owner_id)
    .where(Risk.project_id == bindparam("project"), Risk.status == "open")
)
Q_YEAR_COSTS = select(CostPlanLine.kind, CostPlanLine.amount).where(
    CostPlanLine.project_id == bindparam("project"), CostPlanLine.year == bindparam("year")
)


def register_snapshot(conn: Connection, project: int, year: int) -> dict[str, Any]:
    """What a status report keeps of the registers when it is published: the top open
    risks by score, and the year's planned costs (None: the plan has no such year), so
    the report reads later as it was written."""
    costs = conn.execute(Q_YEAR_COSTS, {"project": project, "year": year}).all()
    planned = None
    if costs:
        planned = {
            kind.value: sum(c.amount for c in costs if c.kind == kind.value) for kind in CostKind
        }
    return {
        "year": year,
        "top_risks": [
            {
                "id": r.id,
                "title": r.title,
                "probability": r.probability,
                "consequence": r.consequence,
                "score": r.score,
                "owner": r.owner,
            }
            for r in top(conn.execute(Q_OPEN_RISKS, {"project": project}).all())
        ],
        "plan": planned,
    }


def business_case(conn: Connection, project: int, scale: Scale, today: date) -> BusinessCase:
    """The project's whole business case, in eight queries whatever its size."""
    benefits = read_benefits(conn, project, today)
    risks = read_risks(conn, project, scale, today)
    plan = read_plan(conn, project)
    cells = [(r.probability, r.consequence) for r in risks if r.status is RiskStatus.OPEN]
    return BusinessCase(benefits, risks, plan, scale, matrix(scale, cells))


def read_benefits(conn: Connection, project: int, today: date) -> tuple[BenefitView, ...]:
    measured: dict[int, list[MeasurementView]] = defaultdict(list)
    for row in conn.execute(Q_MEASUREMENTS, {"project": project}):
        measured[row.indicator_id].append(
            MeasurementView(
                row.id,
                row.value,
                row.measured_on,
                row.comment,
                row.channel,
                row.recorded_at,
                row.recorded_by,
            )
        )
    by_benefit: dict[int, list[IndicatorView]] = defaultdict(list)
    for ind in conn.execute(Q_INDICATORS, {"project": project}):
        by_benefit[ind.benefit_id].append(indicator_view(ind, measured.get(ind.id, []), today))
    views = []
    for b in conn.execute(Q_BENEFITS, {"project": project}):
        indicators = tuple(by_benefit.get(b.id, ()))
        views.append(
            BenefitView(
                b.id,
                b.title,
                b.description,
                BenefitKind(b.kind),
                b.owner_id,
                b.owner,
                b.version,
                indicators,
                status([i.progress for i in indicators]),
            )
        )
    return tuple(views)


def definition_of(row: Any) -> IndicatorDefinition:
    """A stored indicator (any row with its columns) as the domain's definition."""
    return IndicatorDefinition(
        unit=row.unit,
        direction=Direction(row.direction),
        baseline=row.baseline,
        baseline_on=row.baseline_on,
        target=row.target,
        target_on=row.target_on,
    )


def indicator_view(ind: Any, measured: Iterable[MeasurementView], today: date) -> IndicatorView:
    definition = definition_of(ind)
    kept = tuple(measured)
    return IndicatorView(
        id=ind.id,
        benefit_id=ind.benefit_id,
        name=ind.name,
        definition=definition,
        plan_cycle=ind.plan_cycle,
        plan_dates=tuple(date.fromisoformat(d) for d in ind.plan_dates or ()),
        version=ind.version,
        measurements=kept,
        progress=progress(definition, [Measurement(m.value, m.measured_on) for m in kept], today),
    )


def read_risks(conn: Connection, project: int, scale: Scale, today: date) -> tuple[RiskView, ...]:
    history: dict[int, list[AssessmentView]] = defaultdict(list)
    for a in conn.execute(Q_ASSESSMENTS, {"project": project}):
        history[a.risk_id].append(
            AssessmentView(
                a.id,
                a.probability,
                a.consequence,
                a.probability * a.consequence,
                a.probability_after,
                a.consequence_after,
                _product(a.probability_after, a.consequence_after),
                a.response,
                a.mitigation,
                a.status,
                a.next_review_on,
                a.comment,
                a.assessed_at,
                a.assessed_by_name,
                a.channel,
            )
        )
    return tuple(
        risk_view(r, r.owner, scale, today, history.get(r.id, ()))
        for r in conn.execute(Q_RISKS, {"project": project})
    )


def risk_view(
    r: Any, owner: str | None, scale: Scale, today: date, history: Iterable[AssessmentView] = ()
) -> RiskView:
    state = RiskStatus(r.status)
    return RiskView(
        id=r.id,
        kind=RiskKind(r.kind),
        title=r.title,
        description=r.description,
        category=r.category,
        owner_id=r.owner_id,
        owner=owner,
        probability=r.probability,
        consequence=r.consequence,
        score=r.score,
        probability_after=r.probability_after,
        consequence_after=r.consequence_after,
        score_after=r.score_after,
        response=r.response,
        mitigation=r.mitigation,
        status=state,
        next_review_on=r.next_review_on,
        version=r.version,
        band=scale.band(r.score),
        review_overdue=state is RiskStatus.OPEN
        and r.next_review_on is not None
        and r.next_review_on < today,
        history=tuple(history),
    )


def read_plan(conn: Connection, project: int) -> PlanView:
    version = conn.execute(Q_PLAN_VERSION, {"project": project}).scalar() or 0
    costs = tuple(
        CostLineView(
            CostLine(c.year, CostKind(c.kind), c.amount, c.benefit_id, c.note), c.benefit_title
        )
        for c in conn.execute(Q_COSTS, {"project": project})
    )
    people = tuple(
        PeopleLineView(
            PeopleLine(p.year, p.unit_id, p.competence_id, p.fte, p.note),
            p.unit_name,
            p.competence_name,
        )
        for p in conn.execute(Q_PEOPLE, {"project": project})
    )
    return PlanView(
        version,
        costs,
        tuple(by_year(v.line for v in costs)),
        people,
        fte_by_year(v.line for v in people),
    )


def terms(conn: Connection) -> list[Term]:
    """The PMO's units and competences, retired ones too (marked)."""
    return [Term(r.id, r.kind, r.name, r.active) for r in conn.execute(Q_TERMS)]


def _product(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a * b
