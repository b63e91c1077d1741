"""The business case in the JSON API: benefits with their indicators, measurements and
progress, the uncertainty register, the cost and people plans, and the PMO's lists.

Callers sign in as for the rest of the API (an API token, or a session with its CSRF
header); the engine decides who may change what. Decimals travel as JSON strings
("1234.5"; a comma is read as the decimal sign too), days as ISO 8601. A change names
the ``version`` it read, and a stale one is refused (409). A measurement and an
assessment are only ever added: there is no way here to change or delete one.
Refusals have the API's one shape, ``{error, message, params, field?, problems?}``, in
the language of Accept-Language, each problem naming its field.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from phasegate.bootstrap import App
from phasegate.domain.benefits import (
    BenefitKind,
    BenefitStatus,
    Direction,
    IndicatorDefinition,
    Progress,
    Trend,
    parse_value,
)
from phasegate.domain.plans import CostKind, CostLine, PeopleLine
from phasegate.domain.problems import Problem
from phasegate.domain.risks import Assessment, Band, RiskKind, RiskStatus
from phasegate.domain.risks import Response as RiskResponse
from phasegate.engine.benefits import BenefitDraft, IndicatorDraft
from phasegate.engine.business_case import BenefitView, IndicatorView, PlanView, RiskView
from phasegate.engine.risks import RiskDraft
from phasegate.errors import RegisterInvalid
from phasegate.web.access import Rule, SignedIn, guard
from phasegate.web.case_admin import XLSX, case_workbook
from phasegate.web.overview import attachment
from phasegate.web.params import MAX_ROW_ID, TEXT_LENGTH, Line, Lines, PersonRef, RowId, Version
from phasegate.web.refusals import reader_locale
from phasegate.web.report_api import ErrorOut

TAGS: list[str | Any] = ["business case"]
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": what}
    for status, what in (
        (401, "not signed in"),
        (403, "this person may not change the project's business case"),
        (404, "the project, benefit, indicator or risk does not exist"),
        (409, "someone changed it since you read it: read it again (version)"),
        (422, "a value is missing or wrong: see problems, each with its field"),
    )
}

Title = Annotated[Line, Field(min_length=1, max_length=200)]
Text = Annotated[Lines, Field(max_length=TEXT_LENGTH)]
Number = Annotated[
    Line,
    Field(max_length=40, examples=["1234.5"], description="a decimal number, as a string"),
]
Score = Annotated[int, Field(ge=-1000, le=1000, description="a step of the risk scale")]
Year = Annotated[int, Field(ge=-100_000, le=100_000)]
Amount = Annotated[int, Field(ge=-(10**15), le=10**15, description="whole kroner")]
Ref = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]


# --- what the API gives ------------------------------------------------------------------


class ProgressOut(BaseModel):
    """How far an indicator has come: the one computation every view shows."""

    achievement: str | None = Field(
        description="(latest − baseline) / (target − baseline), to four places; null when "
        "nothing is measured after the baseline"
    )
    percent: int | None
    latest: str | None
    latest_on: date | None
    previous: str | None
    previous_on: date | None
    trend: Trend
    reached: bool
    overdue: bool = Field(description="the target date passed without the target reached")


class MeasurementOut(BaseModel):
    id: int
    value: str
    measured_on: date
    comment: str
    channel: str = Field(description="form | email | api | import")
    recorded_at: datetime
    recorded_by: str | None


class IndicatorOut(BaseModel):
    id: int
    benefit_id: int
    name: str
    unit: str
    direction: Direction
    baseline: str
    baseline_on: date
    target: str
    target_on: date
    plan_cycle: str | None = Field(description="a reporting cycle of the annual wheel")
    plan_dates: list[date]
    version: int
    measurements: list[MeasurementOut] = Field(description="oldest first")
    progress: ProgressOut


class BenefitOut(BaseModel):
    id: int
    project_id: int
    title: str
    description: str
    kind: BenefitKind
    owner_id: int | None
    owner: str | None
    version: int
    status: BenefitStatus
    indicators: list[IndicatorOut]


class MeasurementRecordedOut(BaseModel):
    measurement: MeasurementOut
    progress: ProgressOut


class AssessmentOut(BaseModel):
    id: int
    probability: int
    consequence: int
    score: int
    probability_after: int | None
    consequence_after: int | None
    score_after: int | None
    response: RiskResponse
    mitigation: str
    status: RiskStatus
    next_review_on: date | None
    comment: str
    assessed_at: datetime
    assessed_by: str | None
    channel: str


class RiskOut(BaseModel):
    id: int
    project_id: int
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
    response: RiskResponse
    mitigation: str
    status: RiskStatus
    next_review_on: date | None
    review_overdue: bool
    band: Band = Field(description="the cell's colour on the configured matrix")
    version: int
    history: list[AssessmentOut] = Field(description="every assessment, newest first")


class CostLineOut(BaseModel):
    year: int
    kind: CostKind
    amount: int = Field(description="whole kroner; an operating saving is negative")
    benefit_id: int | None
    benefit: str | None
    note: str


class PeopleLineOut(BaseModel):
    year: int
    unit_id: int
    unit: str
    competence_id: int
    competence: str
    fte: str
    note: str


class YearOut(BaseModel):
    year: int
    investment: int
    operating: int
    total: int


class PlanOut(BaseModel):
    version: int = Field(description="send it back when saving; 0: no plan saved yet")
    costs: list[CostLineOut]
    people: list[PeopleLineOut]
    years: list[YearOut]
    fte: dict[int, str] = Field(description="FTEs per year")


class TermOut(BaseModel):
    id: int
    kind: str = Field(description="unit | competence")
    name: str
    active: bool = Field(description="false: retired, kept on plans, offered for no new line")


# --- what the API takes ------------------------------------------------------------------


class BenefitIn(BaseModel):
    title: Title
    description: Text = ""
    kind: BenefitKind
    owner: PersonRef | None = Field(default=None, description="the benefit owner (a person)")


class BenefitPatch(BaseModel):
    """The fields to change; those left out stay as they are."""

    title: Title | None = None
    description: Text | None = None
    kind: BenefitKind | None = None
    owner: PersonRef | None = None
    version: Version


class IndicatorIn(BaseModel):
    name: Title
    unit: Annotated[Line, Field(max_length=40)]
    direction: Direction
    baseline: Number
    baseline_on: date
    target: Number
    target_on: date
    plan_cycle: Annotated[Line, Field(max_length=100)] | None = None
    plan_dates: list[date] = Field(default_factory=list, max_length=100)


class IndicatorPatch(BaseModel):
    """The fields to change; those left out stay as they are."""

    name: Title | None = None
    unit: Annotated[Line, Field(max_length=40)] | None = None
    direction: Direction | None = None
    baseline: Number | None = None
    baseline_on: date | None = None
    target: Number | None = None
    target_on: date | None = None
    plan_cycle: Annotated[Line, Field(max_length=100)] | None = None
    plan_dates: list[date] | None = Field(default=None, max_length=100)
    version: Version


class MeasurementIn(BaseModel):
    value: Number
    measured_on: date
    comment: Text = ""


class AssessmentIn(BaseModel):
    probability: Score
    consequence: Score
    probability_after: Score | None = None
    consequence_after: Score | None = None
    response: RiskResponse
    mitigation: Text = ""
    status: RiskStatus = RiskStatus.OPEN
    next_review_on: date | None = None
    comment: Text = ""

    def assessment(self) -> Assessment:
        return Assessment(
            self.probability,
            self.consequence,
            self.probability_after,
            self.consequence_after,
            self.response,
            self.mitigation,
            self.status,
            self.next_review_on,
        )


class RiskIn(AssessmentIn):
    """A new risk (or opportunity) with its first assessment."""

    kind: RiskKind = RiskKind.RISK
    title: Title
    description: Text = ""
    category: Annotated[Line, Field(max_length=80)] = ""
    owner: PersonRef | None = None


class RiskPatch(BaseModel):
    """What the risk is; its scores change by a new assessment."""

    kind: RiskKind | None = None
    title: Title | None = None
    description: Text | None = None
    category: Annotated[Line, Field(max_length=80)] | None = None
    owner: PersonRef | None = None
    version: Version


class CostLineIn(BaseModel):
    year: Year
    kind: CostKind
    amount: Amount
    benefit_id: Ref | None = Field(default=None, description="the benefit a saving realises")
    note: Annotated[Line, Field(max_length=300)] = ""


class PeopleLineIn(BaseModel):
    year: Year
    unit_id: Ref
    competence_id: Ref
    fte: Number
    note: Annotated[Line, Field(max_length=300)] = ""


class PlanIn(BaseModel):
    """The whole cost plan, the whole people plan, or both; one left out stays as it is."""

    version: Version = Field(description="the plan version you read (0: none yet)")
    costs: list[CostLineIn] | None = Field(default=None, max_length=500)
    people: list[PeopleLineIn] | None = Field(default=None, max_length=500)


# --- from views --------------------------------------------------------------------------


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def progress_out(p: Progress) -> ProgressOut:
    return ProgressOut(
        achievement=None if p.achievement is None else str(p.achievement),
        percent=p.percent,
        latest=None if p.latest is None else _text(p.latest.value),
        latest_on=None if p.latest is None else p.latest.measured_on,
        previous=None if p.previous is None else _text(p.previous.value),
        previous_on=None if p.previous is None else p.previous.measured_on,
        trend=p.trend,
        reached=p.reached,
        overdue=p.overdue,
    )


def indicator_out(i: IndicatorView) -> IndicatorOut:
    d = i.definition
    return IndicatorOut(
        id=i.id,
        benefit_id=i.benefit_id,
        name=i.name,
        unit=d.unit,
        direction=d.direction,
        baseline=_text(d.baseline) or "0",
        baseline_on=d.baseline_on,
        target=_text(d.target) or "0",
        target_on=d.target_on,
        plan_cycle=i.plan_cycle,
        plan_dates=list(i.plan_dates),
        version=i.version,
        measurements=[
            MeasurementOut(
                id=m.id,
                value=_text(m.value) or "0",
                measured_on=m.measured_on,
                comment=m.comment,
                channel=m.channel,
                recorded_at=m.recorded_at,
                recorded_by=m.recorded_by,
            )
            for m in i.measurements
        ],
        progress=progress_out(i.progress),
    )


def benefit_out(project: int, b: BenefitView) -> BenefitOut:
    return BenefitOut(
        id=b.id,
        project_id=project,
        title=b.title,
        description=b.description,
        kind=b.kind,
        owner_id=b.owner_id,
        owner=b.owner,
        version=b.version,
        status=b.status,
        indicators=[indicator_out(i) for i in b.indicators],
    )


def risk_out(project: int, r: RiskView) -> RiskOut:
    return RiskOut(
        project_id=project,
        history=[AssessmentOut.model_validate(vars(a)) for a in r.history],
        **{k: v for k, v in vars(r).items() if k != "history"},
    )


def plan_out(plan: PlanView) -> PlanOut:
    return PlanOut(
        version=plan.version,
        costs=[
            CostLineOut(
                year=c.line.year,
                kind=c.line.kind,
                amount=c.line.amount,
                benefit_id=c.line.benefit,
                benefit=c.benefit_title,
                note=c.line.note,
            )
            for c in plan.costs
        ],
        people=[
            PeopleLineOut(
                year=p.line.year,
                unit_id=p.line.unit,
                unit=p.unit,
                competence_id=p.line.competence,
                competence=p.competence,
                fte=_text(p.line.fte) or "0",
                note=p.line.note,
            )
            for p in plan.people
        ],
        years=[
            YearOut(year=y.year, investment=y.investment, operating=y.operating, total=y.total)
            for y in plan.years
        ],
        fte={year: _text(fte) or "0" for year, fte in plan.fte.items()},
    )


class _Numbers:
    """Decimals read from the body's strings, every unreadable one a problem on its field."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def __call__(self, text: str, field: str) -> Decimal:
        value = parse_value(text)
        if value is None:
            self.problems.append(Problem.of("value_not_number", field, value=text))
            return Decimal(0)
        return value

    def check(self) -> None:
        if self.problems:
            raise RegisterInvalid(self.problems)


# --- the routes --------------------------------------------------------------------------


def case_api_routes(app: App) -> APIRouter:  # noqa: PLR0915 - one route per operation
    engine = app.engine
    router = APIRouter(
        prefix="/api",
        dependencies=[guard(app, Rule.SIGNED_IN)],
        responses=ERRORS,
        tags=TAGS,
    )

    def benefits_of(project: int) -> list[BenefitView]:
        engine.project(project)  # NotFound for a project that does not exist
        return list(engine.business_case(project).benefits)

    def benefit(benefit_id: int) -> tuple[int, BenefitView]:
        project = engine.case_project_of("benefit", benefit_id)
        found = next(b for b in engine.business_case(project).benefits if b.id == benefit_id)
        return project, found

    def indicator(indicator_id: int) -> tuple[int, IndicatorView]:
        project = engine.case_project_of("indicator", indicator_id)
        case = engine.business_case(project)
        found = next(i for b in case.benefits for i in b.indicators if i.id == indicator_id)
        return project, found

    def risk(risk_id: int) -> tuple[int, RiskView]:
        project = engine.case_project_of("risk", risk_id)
        found = next(r for r in engine.business_case(project).risks if r.id == risk_id)
        return project, found

    @router.get("/projects/{project}/benefits")
    def list_benefits(project: RowId) -> list[BenefitOut]:
        """The project's benefits, each with its indicators, measurements and progress."""
        return [benefit_out(project, b) for b in benefits_of(project)]

    @router.post("/projects/{project}/benefits", status_code=201)
    def add_benefit(me: SignedIn, project: RowId, body: BenefitIn) -> BenefitOut:
        draft = BenefitDraft(body.title, body.description, body.kind, body.owner)
        added = engine.add_benefit(project, draft, actor=me.person)
        return benefit_out(project, next(b for b in benefits_of(project) if b.id == added))

    @router.patch("/benefits/{benefit_id}")
    def change_benefit(me: SignedIn, benefit_id: RowId, body: BenefitPatch) -> BenefitOut:
        """Change the fields given, under the version read (409 if it is stale)."""
        project, now = benefit(benefit_id)
        given = body.model_fields_set
        draft = BenefitDraft(
            body.title if body.title is not None else now.title,
            body.description if body.description is not None else now.description,
            body.kind or now.kind,
            body.owner if "owner" in given else now.owner_id,
        )
        engine.change_benefit(benefit_id, draft, body.version, actor=me.person)
        return benefit_out(project, benefit(benefit_id)[1])

    @router.post("/benefits/{benefit_id}/indicators", status_code=201)
    def add_indicator(me: SignedIn, benefit_id: RowId, body: IndicatorIn) -> IndicatorOut:
        """An indicator with its baseline, target and measurement plan (a reporting cycle
        of the annual wheel, or dates)."""
        number = _Numbers()
        definition = IndicatorDefinition(
            body.unit,
            body.direction,
            number(body.baseline, "baseline"),
            body.baseline_on,
            number(body.target, "target"),
            body.target_on,
        )
        number.check()
        draft = IndicatorDraft(body.name, definition, body.plan_cycle, tuple(body.plan_dates))
        added = engine.add_indicator(benefit_id, draft, actor=me.person)
        return indicator_out(indicator(added)[1])

    @router.patch("/indicators/{indicator_id}")
    def change_indicator(me: SignedIn, indicator_id: RowId, body: IndicatorPatch) -> IndicatorOut:
        """Change the fields given, under the version read (409 if it is stale)."""
        _, now = indicator(indicator_id)
        d, given = now.definition, body.model_fields_set
        number = _Numbers()
        definition = IndicatorDefinition(
            body.unit if body.unit is not None else d.unit,
            body.direction or d.direction,
            d.baseline if body.baseline is None else number(body.baseline, "baseline"),
            body.baseline_on or d.baseline_on,
            d.target if body.target is None else number(body.target, "target"),
            body.target_on or d.target_on,
        )
        number.check()
        draft = IndicatorDraft(
            body.name if body.name is not None else now.name,
            definition,
            body.plan_cycle if "plan_cycle" in given else now.plan_cycle,
            tuple(body.plan_dates) if body.plan_dates is not None else now.plan_dates,
        )
        engine.change_indicator(indicator_id, draft, body.version, actor=me.person)
        return indicator_out(indicator(indicator_id)[1])

    @router.post("/indicators/{indicator_id}/measurements", status_code=201)
    def record_measurement(
        me: SignedIn, indicator_id: RowId, body: MeasurementIn
    ) -> MeasurementRecordedOut:
        """Keep a measured value (channel "api"). It is never overwritten: a correction is
        a new measurement."""
        number = _Numbers()
        value = number(body.value, "value")
        number.check()
        kept = engine.record_measurement(
            indicator_id, value, body.measured_on, body.comment, channel="api", actor=me.person
        )
        _, now = indicator(indicator_id)
        out = indicator_out(now)
        return MeasurementRecordedOut(
            measurement=next(m for m in out.measurements if m.id == kept), progress=out.progress
        )

    @router.get("/projects/{project}/risks")
    def list_risks(project: RowId) -> list[RiskOut]:
        """The uncertainty register: open risks first, by score, each with its history."""
        engine.project(project)
        return [risk_out(project, r) for r in engine.business_case(project).risks]

    @router.post("/projects/{project}/risks", status_code=201)
    def add_risk(me: SignedIn, project: RowId, body: RiskIn) -> RiskOut:
        """A risk or an opportunity, with its first assessment."""
        draft = RiskDraft(body.kind, body.title, body.description, body.category, body.owner)
        added = engine.add_risk(project, draft, body.assessment(), channel="api", actor=me.person)
        return risk_out(project, risk(added)[1])

    @router.patch("/risks/{risk_id}")
    def change_risk(me: SignedIn, risk_id: RowId, body: RiskPatch) -> RiskOut:
        """Change what the risk is, under the version read; its scores change by a new
        assessment."""
        project, now = risk(risk_id)
        draft = RiskDraft(
            body.kind or now.kind,
            body.title if body.title is not None else now.title,
            body.description if body.description is not None else now.description,
            body.category if body.category is not None else now.category,
            body.owner if "owner" in body.model_fields_set else now.owner_id,
        )
        engine.change_risk(risk_id, draft, body.version, actor=me.person)
        return risk_out(project, risk(risk_id)[1])

    @router.post("/risks/{risk_id}/assessments", status_code=201)
    def assess_risk(me: SignedIn, risk_id: RowId, body: AssessmentIn) -> RiskOut:
        """Reassess: a new assessment row; the history keeps every one."""
        engine.assess_risk(risk_id, body.assessment(), body.comment, channel="api", actor=me.person)
        project, now = risk(risk_id)
        return risk_out(project, now)

    @router.get("/projects/{project}/plans")
    def get_plans(project: RowId) -> PlanOut:
        """The cost plan and the people plan by year, with their version."""
        engine.project(project)
        return plan_out(engine.business_case(project).plan)

    @router.put("/projects/{project}/plans")
    def save_plans(me: SignedIn, project: RowId, body: PlanIn) -> PlanOut:
        """Replace the cost plan, the people plan or both, under the version read."""
        number = _Numbers()
        costs = None
        if body.costs is not None:
            costs = [CostLine(c.year, c.kind, c.amount, c.benefit_id, c.note) for c in body.costs]
        people = None
        if body.people is not None:
            people = [
                PeopleLine(
                    p.year, p.unit_id, p.competence_id, number(p.fte, f"people-{n}-fte"), p.note
                )
                for n, p in enumerate(body.people)
            ]
        number.check()
        engine.save_plans(project, costs=costs, people=people, seen=body.version, actor=me.person)
        return plan_out(engine.business_case(project).plan)

    @router.get("/resource-terms")
    def resource_terms() -> list[TermOut]:
        """The PMO's units and competences, retired ones marked."""
        return [TermOut(id=t.id, kind=t.kind, name=t.name, active=t.active) for t in engine.terms()]

    @router.get(
        "/projects/{project}/business-case.xlsx",
        response_class=Response,
        responses={200: {"content": {XLSX: {}}, "description": "A sheet per kind."}},
    )
    def business_case_xlsx(request: Request, project: RowId) -> Response:
        """The project's benefits, indicators, measurements, risks and plans as one Excel
        workbook, a sheet per kind, headers in the reader's language; it imports again."""
        locale = reader_locale(request, app.settings.locale.value)
        body = case_workbook(engine.case_tables(project), locale)
        return attachment(body, XLSX, f"business-case-{project}.xlsx")

    return router
