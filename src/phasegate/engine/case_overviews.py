"""The portfolio's benefits overview and risk overview: which benefits, which risks, across
projects. Queries only.

Both are paged in SQL, so a page costs the same few statements whatever the portfolio's
size, and each statement's work grows with the page (50 rows), not with the portfolio,
with two exceptions that count, in the database, what the filters match:

* **benefits:** the summary above the table (benefits, without owner, without
  indicator, without measurement, and by status) is one aggregate statement over the
  matching benefits. A benefit's status is derived, so counting by status (and the
  status filter) needs each indicator's latest measurement: one window over the matching
  projects' measurements, in the database. The rows shown take their progress, trend
  and status from :func:`phasegate.domain.benefits.progress` and
  :func:`~phasegate.domain.benefits.status`, as the project page does;
  :func:`status_sql` says the same in SQL, and a test holds the two together.
* **risks:** the matrix is one aggregate statement (counts per cell) over the matching
  open risks; the list's row count comes from it too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    Connection,
    Numeric,
    Select,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    select,
    type_coerce,
)
from sqlalchemy.orm import aliased

from phasegate.domain.benefits import (
    BenefitKind,
    BenefitStatus,
    IndicatorDefinition,
    Measurement,
    Progress,
    progress,
    status,
)
from phasegate.domain.model import Label
from phasegate.domain.risks import RiskKind, RiskStatus, Scale, matrix
from phasegate.domain.wheel import Wheel
from phasegate.engine.business_case import RiskView, definition_of, risk_view
from phasegate.engine.catalog import WorkflowCatalog
from phasegate.storage.registers import Benefit, Indicator, MeasurementDue, Risk
from phasegate.storage.registers import Measurement as MeasurementRow
from phasegate.storage.tables import Person, Project

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    AnySelect = Select[*tuple[Any, ...]]

#: Rows on a page of either overview.
PAGE_SIZE = 50
_Owner = aliased(Person)


@dataclass(frozen=True)
class ProjectFilters:
    """What both overviews narrow the projects to; None means any."""

    portfolio: str | None = None
    area: str | None = None  # development area (*utviklingsområde*)
    phase: str | None = None


@dataclass(frozen=True)
class BenefitFilters:
    projects: ProjectFilters = field(default_factory=ProjectFilters)
    status: BenefitStatus | None = None
    kind: BenefitKind | None = None
    owner: int | None = None  # the benefit owner (*gevinsteier*)
    unowned: bool = False  # only benefits without an owner


@dataclass(frozen=True)
class RiskFilters:
    projects: ProjectFilters = field(default_factory=ProjectFilters)
    category: str | None = None
    kind: RiskKind | None = None
    owner: int | None = None
    overdue: bool = False  # only risks whose review date has passed
    # One cell of the matrix, for the list only (the matrix shows every cell).
    probability: int | None = None
    consequence: int | None = None


@dataclass(frozen=True)
class Choices:
    """What the filters can offer."""

    portfolios: tuple[str, ...]
    areas: tuple[str, ...]
    phases: tuple[tuple[str, Label], ...]  # in workflow order
    owners: tuple[tuple[int, str], ...]
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Paging:
    page: int  # from 1
    pages: int  # at least 1
    total: int  # rows matching, on every page together

    @property
    def first_row(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1 if self.total else 0

    @property
    def last_row(self) -> int:
        return min(self.page * PAGE_SIZE, self.total)


@dataclass(frozen=True)
class IndicatorLine:
    """An indicator as the overview shows it: its progress as the project page has it."""

    id: int
    name: str
    definition: IndicatorDefinition
    progress: Progress


@dataclass(frozen=True)
class BenefitRow:
    id: int
    title: str
    kind: BenefitKind
    owner_id: int | None
    owner: str | None
    project_id: int
    project: str
    portfolio: str | None
    phase: str
    phase_label: Label
    indicators: tuple[IndicatorLine, ...]
    status: BenefitStatus
    next_due: date | None  # the next measurement its plans ask for


@dataclass(frozen=True)
class BenefitSummary:
    benefits: int
    unowned: int
    without_indicator: int
    unmeasured: int  # no measurement after the baseline on any indicator
    by_status: tuple[tuple[BenefitStatus, int], ...]


@dataclass(frozen=True)
class BenefitsOverview:
    rows: tuple[BenefitRow, ...]
    paging: Paging
    summary: BenefitSummary
    choices: Choices


@dataclass(frozen=True)
class RiskRow:
    risk: RiskView
    project_id: int
    project: str
    portfolio: str | None


@dataclass(frozen=True)
class RisksOverview:
    matrix: list[list[int]]  # open risks' counts, [probability − 1][consequence − 1]
    scale: Scale
    rows: tuple[RiskRow, ...]
    paging: Paging
    choices: Choices


# --- reading, as the engine offers it --------------------------------------------------


class CaseOverviews:
    """The engine's portfolio-wide views of benefits and risks (part of
    :class:`~phasegate.engine.service.Engine`)."""

    workflows: WorkflowCatalog
    scale: Scale
    wheel: Wheel | None

    def reading(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError  # the engine's (service.py)

    def today(self) -> date:
        raise NotImplementedError  # the engine's (case_writing.py)

    def benefits_overview(self, filters: BenefitFilters, page: int = 1) -> BenefitsOverview:
        """One page of every project's benefits (those without measurements too), the
        summary of all that match, and the filters' choices."""
        today = self.today()
        with self.reading() as conn:
            _without_jit(conn)
            summary = benefit_summary(conn, filters, today)
            paging = paged(summary.benefits, page)
            offset = (paging.page - 1) * PAGE_SIZE
            found = conn.execute(benefit_rows(filters, today).limit(PAGE_SIZE).offset(offset)).all()
            rows = self._benefit_rows(conn, found, today)
            choices = benefit_choices(conn, self.workflows)
        return BenefitsOverview(tuple(rows), paging, summary, choices)

    def benefits_export(self, filters: BenefitFilters) -> list[BenefitRow]:
        """Every benefit that matches, in the overview's order."""
        today = self.today()
        with self.reading() as conn:
            found = conn.execute(benefit_rows(filters, today)).all()
            return self._benefit_rows(conn, found, today)

    def risks_overview(self, filters: RiskFilters, page: int = 1) -> RisksOverview:
        """The matching open risks as a matrix, one page of them by score, and the
        filters' choices."""
        today = self.today()
        with self.reading() as conn:
            _without_jit(conn)
            cells = risk_matrix(conn, filters, self.scale, today)
            total = cell_total(cells, filters, self.scale)
            paging = paged(total, page)
            statement = risk_rows(filters, self.scale, today)
            statement = statement.limit(PAGE_SIZE).offset((paging.page - 1) * PAGE_SIZE)
            rows = [_risk_row(row, self.scale, today) for row in conn.execute(statement)]
            choices = risk_choices(conn, self.workflows)
        return RisksOverview(cells, self.scale, tuple(rows), paging, choices)

    def risks_export(self, filters: RiskFilters) -> list[RiskRow]:
        today = self.today()
        with self.reading() as conn:
            statement = risk_rows(filters, self.scale, today)
            return [_risk_row(row, self.scale, today) for row in conn.execute(statement)]

    def _benefit_rows(
        self, conn: Connection, found: Sequence[Any], today: date
    ) -> list[BenefitRow]:
        ids = [row.id for row in found]
        indicators = indicator_lines(conn, ids, today) if ids else {}
        due = next_due(conn, ids, today) if ids else {}
        cycles = _CycleDue(self.wheel, today)
        phase_of = _PhaseBook(conn, self.workflows)
        rows = []
        for row in found:
            lines = indicators.get(row.id, [])
            planned = [due.get(row.id)] + [cycles(c) for c in {c for _, c in lines if c}]
            days = [d for d in planned if d is not None]
            rows.append(
                BenefitRow(
                    id=row.id,
                    title=row.title,
                    kind=BenefitKind(row.kind),
                    owner_id=row.owner_id,
                    owner=row.owner,
                    project_id=row.project_id,
                    project=row.project,
                    portfolio=row.portfolio,
                    phase=row.phase,
                    phase_label=phase_of(row.workflow_name, row.workflow_version, row.phase)[1],
                    indicators=tuple(line for line, _ in lines),
                    status=status([line.progress for line, _ in lines]),
                    next_due=min(days, default=None),
                )
            )
        return rows


def _without_jit(conn: Connection) -> None:
    """PostgreSQL compiles a statement it guesses costly (the summary's, at a few
    thousand projects) to machine code first, which here takes longer than running it."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL jit = off")


def paged(total: int, page: int) -> Paging:
    """The page asked for, kept within the pages there are."""
    pages = max(1, -(-total // PAGE_SIZE))
    return Paging(min(max(page, 1), pages), pages, total)


# --- benefits ---------------------------------------------------------------------------


def _project_conditions(filters: ProjectFilters) -> list[Any]:
    conditions: list[Any] = []
    if filters.portfolio is not None:
        conditions.append(Project.portfolio == filters.portfolio)
    if filters.area is not None:
        conditions.append(Project.development_area == filters.area)
    if filters.phase is not None:
        conditions.append(Project.phase == filters.phase)
    return conditions


def _benefit_conditions(filters: BenefitFilters) -> list[Any]:
    conditions = _in_projects(Benefit.project_id, filters.projects)
    if filters.kind is not None:
        conditions.append(Benefit.kind == filters.kind.value)
    if filters.unowned:
        conditions.append(Benefit.owner_id.is_(None))
    elif filters.owner is not None:
        conditions.append(Benefit.owner_id == filters.owner)
    return conditions


def _raw(column: Any) -> Any:
    """A ``Fixed`` column as the whole number of ten-thousandths it is stored as."""
    return cast(type_coerce(column, BigInteger), Numeric)


def indicator_states(projects: ProjectFilters, today: date) -> Any:
    """Per benefit with indicators: how many it has, how many reached their target, are
    overdue, and are measured (after the baseline), as :func:`progress` judges them.

    Reached means an achievement of at least 1 after rounding to four places (half to
    even), i.e. ``(latest − baseline) / (target − baseline) ≥ 0.99995``; it is compared
    multiplied out, in exact numbers, so no division and no rounding differ from Python's.
    """
    # Each indicator's latest measurement after its baseline: one step down the index
    # (ix_measurements_latest) per indicator, far cheaper than sorting every measurement.
    latest_value = (
        select(MeasurementRow.value)
        .where(
            MeasurementRow.indicator_id == Indicator.id,
            MeasurementRow.measured_on >= Indicator.baseline_on,
        )
        .order_by(MeasurementRow.measured_on.desc(), MeasurementRow.id.desc())
        .limit(1)
        .correlate(Indicator)
        .scalar_subquery()
    )
    each = (
        select(
            Indicator.benefit_id,
            Indicator.baseline,
            Indicator.target,
            Indicator.target_on,
            latest_value.label("latest"),
        )
        .where(*_in_projects(Indicator.project_id, projects))
        # OFFSET 0 keeps PostgreSQL from pulling the subquery up into the expressions
        # below, which would look each latest measurement up seven times.
        .offset(0)
        .subquery()
    )
    moved = (_raw(each.c.latest) - _raw(each.c.baseline)) * 20000
    span = (_raw(each.c.target) - _raw(each.c.baseline)) * 19999
    reached = and_(
        each.c.latest.is_not(None),
        case((each.c.target > each.c.baseline, moved >= span), else_=moved <= span),
    )
    # Each indicator's flags once (reached is costly: exact numbers), then summed.
    flags = (
        select(
            each.c.benefit_id,
            case((reached, 1), else_=0).label("reached"),
            case((each.c.target_on < today, 1), else_=0).label("late"),
            case((each.c.latest.is_not(None), 1), else_=0).label("measured"),
        )
        .offset(0)
        .subquery()
    )
    return (
        select(
            flags.c.benefit_id,
            func.count().label("indicators"),
            func.sum(flags.c.reached).label("reached"),
            func.sum(case((and_(flags.c.reached == 0, flags.c.late == 1), 1), else_=0)).label(
                "overdue"
            ),
            func.sum(flags.c.measured).label("measured"),
        )
        .group_by(flags.c.benefit_id)
        .subquery()
    )


def _in_projects(column: Any, projects: ProjectFilters) -> list[Any]:
    conditions = _project_conditions(projects)
    if not conditions:
        return []
    return [column.in_(select(Project.id).where(*conditions))]


def status_sql(states: Any) -> Any:
    """:func:`phasegate.domain.benefits.status`, in SQL, from :func:`indicator_states`."""
    indicators = func.coalesce(states.c.indicators, 0)
    return case(
        (and_(indicators > 0, states.c.reached == indicators), BenefitStatus.REALISED.value),
        (func.coalesce(states.c.overdue, 0) > 0, BenefitStatus.NOT_REALISED.value),
        (func.coalesce(states.c.measured, 0) > 0, BenefitStatus.REALISING.value),
        else_=BenefitStatus.PLANNED.value,
    )


def benefit_summary(conn: Connection, filters: BenefitFilters, today: date) -> BenefitSummary:
    """The counts above the table, for every benefit that matches: one statement."""
    states = indicator_states(filters.projects, today)
    derived = status_sql(states).label("status")
    inner = (
        select(
            derived,
            Benefit.owner_id,
            func.coalesce(states.c.indicators, 0).label("indicators"),
            func.coalesce(states.c.measured, 0).label("measured"),
        )
        .outerjoin(states, states.c.benefit_id == Benefit.id)
        .where(*_benefit_conditions(filters))
        .subquery()
    )
    statement = select(
        inner.c.status,
        func.count().label("benefits"),
        func.sum(case((inner.c.owner_id.is_(None), 1), else_=0)).label("unowned"),
        func.sum(case((inner.c.indicators == 0, 1), else_=0)).label("without_indicator"),
        func.sum(case((inner.c.measured == 0, 1), else_=0)).label("unmeasured"),
    ).group_by(inner.c.status)
    if filters.status is not None:
        statement = statement.where(inner.c.status == filters.status.value)
    found = {BenefitStatus(r.status): r for r in conn.execute(statement).all()}
    return BenefitSummary(
        benefits=sum(r.benefits for r in found.values()),
        unowned=sum(int(r.unowned or 0) for r in found.values()),
        without_indicator=sum(int(r.without_indicator or 0) for r in found.values()),
        unmeasured=sum(int(r.unmeasured or 0) for r in found.values()),
        by_status=tuple((s, found[s].benefits) for s in BenefitStatus if s in found),
    )


def benefit_rows(filters: BenefitFilters, today: date) -> AnySelect:
    """The matching benefits with project and owner, by project name, then benefit."""
    statement = (
        select(
            Benefit.id,
            Benefit.title,
            Benefit.kind,
            Benefit.owner_id,
            _Owner.name.label("owner"),
            Project.id.label("project_id"),
            Project.name.label("project"),
            Project.portfolio,
            Project.phase,
            Project.workflow_name,
            Project.workflow_version,
        )
        .join(Project, Project.id == Benefit.project_id)
        .outerjoin(_Owner, _Owner.id == Benefit.owner_id)
        .where(*_benefit_conditions(filters))
        .order_by(Project.name, Project.id, Benefit.id)
    )
    if filters.status is not None:
        # The derived status needs every matching indicator's latest measurement.
        states = indicator_states(filters.projects, today)
        statement = statement.outerjoin(states, states.c.benefit_id == Benefit.id).where(
            status_sql(states) == filters.status.value
        )
    return statement


def indicator_lines(
    conn: Connection, benefits: Sequence[int], today: date
) -> dict[int, list[tuple[IndicatorLine, str | None]]]:
    """The benefits' indicators with their progress (and plan cycle), in two statements:
    the indicators, and each one's latest two measurements after its baseline (all that
    :func:`progress` looks at)."""
    ranked = (
        select(
            MeasurementRow.indicator_id,
            MeasurementRow.value,
            MeasurementRow.measured_on,
            MeasurementRow.id,
            func.row_number()
            .over(
                partition_by=MeasurementRow.indicator_id,
                order_by=(MeasurementRow.measured_on.desc(), MeasurementRow.id.desc()),
            )
            .label("place"),
        )
        .join(Indicator, Indicator.id == MeasurementRow.indicator_id)
        .where(
            Indicator.benefit_id.in_(benefits),
            MeasurementRow.measured_on >= Indicator.baseline_on,
        )
        .subquery()
    )
    recent = (
        select(ranked.c.indicator_id, ranked.c.value, ranked.c.measured_on)
        .where(ranked.c.place <= 2)
        .order_by(ranked.c.indicator_id, ranked.c.measured_on, ranked.c.id)
    )
    measured: dict[int, list[Measurement]] = defaultdict(list)
    for row in conn.execute(recent).all():
        measured[row.indicator_id].append(Measurement(row.value, row.measured_on))
    statement = (
        select(*Indicator.__table__.c)
        .where(Indicator.benefit_id.in_(benefits))
        .order_by(Indicator.benefit_id, Indicator.id)
    )
    lines: dict[int, list[tuple[IndicatorLine, str | None]]] = defaultdict(list)
    for ind in conn.execute(statement).all():
        definition = definition_of(ind)
        found = progress(definition, measured.get(ind.id, []), today)
        line = IndicatorLine(ind.id, ind.name, definition, found)
        lines[ind.benefit_id].append((line, ind.plan_cycle))
    return lines


def next_due(conn: Connection, benefits: Sequence[int], today: date) -> dict[int, date]:
    """Each benefit's next planned measurement day (from today) among its dated plans."""
    statement = (
        select(Indicator.benefit_id, func.min(MeasurementDue.due_on).label("due_on"))
        .join(Indicator, Indicator.id == MeasurementDue.indicator_id)
        .where(Indicator.benefit_id.in_(benefits), MeasurementDue.due_on >= today)
        .group_by(Indicator.benefit_id)
    )
    return {row.benefit_id: row.due_on for row in conn.execute(statement).all()}


class _CycleDue:
    """The next day of a reporting cycle (an indicator's plan may follow one), from the
    wheel, worked out once per cycle and page; no statement."""

    def __init__(self, wheel: Wheel | None, today: date) -> None:
        self.wheel = wheel
        self.today = today
        self.known: dict[str, date | None] = {}

    def __call__(self, cycle: str) -> date | None:
        if cycle not in self.known:
            self.known[cycle] = self._next(cycle)
        return self.known[cycle]

    def _next(self, cycle: str) -> date | None:
        if self.wheel is None:
            return None
        start = datetime.combine(self.today, datetime.min.time(), self.wheel.zone)
        for found in self.wheel.occurrences(start, start + timedelta(days=400)):
            if found.event.id == cycle:
                return found.at.astimezone(self.wheel.zone).date()
        return None


def benefit_choices(conn: Connection, workflows: WorkflowCatalog) -> Choices:
    projects = _project_choices(conn, workflows)
    owners = select(Person.id, Person.name).where(Person.id.in_(select(Benefit.owner_id)))
    found = conn.execute(owners).all()
    return Choices(*projects, owners=_by_name((r.id, r.name) for r in found))


# --- risks ------------------------------------------------------------------------------


def _risk_conditions(filters: RiskFilters, today: date) -> list[Any]:
    conditions = [
        Risk.status == RiskStatus.OPEN.value,
        *_in_projects(Risk.project_id, filters.projects),
    ]
    if filters.category is not None:
        conditions.append(Risk.category == filters.category)
    if filters.kind is not None:
        conditions.append(Risk.kind == filters.kind.value)
    if filters.owner is not None:
        conditions.append(Risk.owner_id == filters.owner)
    if filters.overdue:
        conditions.append(Risk.next_review_on < today)
    return conditions


def _cell_conditions(filters: RiskFilters, scale: Scale) -> list[Any]:
    """The list's cell, counted as :func:`~phasegate.domain.risks.matrix` counts it: a
    score off the scale (from an older, larger scale) sits on the nearest edge."""
    conditions: list[Any] = []
    for column, value, top in (
        (Risk.probability, filters.probability, scale.probability),
        (Risk.consequence, filters.consequence, scale.consequence),
    ):
        if value is None:
            continue
        if not 1 <= value <= top:
            conditions.append(false())
        elif value == top:
            conditions.append(column >= top)
        elif value == 1:
            conditions.append(column <= 1)
        else:
            conditions.append(column == value)
    return conditions


def risk_matrix(
    conn: Connection, filters: RiskFilters, scale: Scale, today: date
) -> list[list[int]]:
    """Counts per cell of the matching open risks: one aggregate statement."""
    statement = (
        select(Risk.probability, Risk.consequence, func.count().label("risks"))
        .where(*_risk_conditions(filters, today))
        .group_by(Risk.probability, Risk.consequence)
    )
    counts = [[0] * scale.consequence for _ in range(scale.probability)]
    for row in conn.execute(statement).all():
        # The domain places the cell (an off-scale score sits on the nearest edge).
        placed = matrix(scale, [(row.probability, row.consequence)])
        for p, line in enumerate(placed):
            for c, one in enumerate(line):
                counts[p][c] += one * row.risks
    return counts


def cell_total(cells: list[list[int]], filters: RiskFilters, scale: Scale) -> int:
    """How many risks the list holds: the matrix's, or its cell's, or its row's."""
    total = 0
    for p in range(1, scale.probability + 1):
        for c in range(1, scale.consequence + 1):
            if filters.probability in (None, p) and filters.consequence in (None, c):
                total += cells[p - 1][c - 1]
    return total


def risk_rows(filters: RiskFilters, scale: Scale, today: date) -> AnySelect:
    """The matching open risks, highest score first (then consequence, then oldest)."""
    return (
        select(
            *Risk.__table__.c,
            _Owner.name.label("owner"),
            Project.name.label("project"),
            Project.portfolio,
        )
        .join(Project, Project.id == Risk.project_id)
        .outerjoin(_Owner, _Owner.id == Risk.owner_id)
        .where(*_risk_conditions(filters, today), *_cell_conditions(filters, scale))
        .order_by(Risk.score.desc(), Risk.consequence.desc(), Risk.id)
    )


def _risk_row(row: Any, scale: Scale, today: date) -> RiskRow:
    return RiskRow(
        risk_view(row, row.owner, scale, today), row.project_id, row.project, row.portfolio
    )


def risk_choices(conn: Connection, workflows: WorkflowCatalog) -> Choices:
    projects = _project_choices(conn, workflows)
    # One statement: the owners (a semi-join on their index) and the categories.
    owners = select(Person.id, Person.name, literal(None).label("category")).where(
        Person.id.in_(select(Risk.owner_id))
    )
    categories = select(literal(None), literal(None), Risk.category).group_by(Risk.category)
    found = conn.execute(owners.union_all(categories)).all()
    return Choices(
        *projects,
        owners=_by_name((r.id, r.name) for r in found if r.id is not None),
        categories=tuple(sorted({r.category for r in found if r.category}, key=_text)),
    )


# --- shared -----------------------------------------------------------------------------


def _project_choices(
    conn: Connection, workflows: WorkflowCatalog
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, Label], ...]]:
    """Portfolios, development areas and phases (in workflow order): one statement."""
    statement = select(
        Project.portfolio,
        Project.development_area,
        Project.workflow_name,
        Project.workflow_version,
        Project.phase,
    ).group_by(
        Project.portfolio,
        Project.development_area,
        Project.workflow_name,
        Project.workflow_version,
        Project.phase,
    )
    found = conn.execute(statement).all()
    phase_of = _PhaseBook(conn, workflows)
    phases: dict[str, tuple[int, Label]] = {}
    for r in found:
        phases.setdefault(r.phase, phase_of(r.workflow_name, r.workflow_version, r.phase))
    return (
        tuple(sorted({r.portfolio for r in found if r.portfolio}, key=_text)),
        tuple(sorted({r.development_area for r in found if r.development_area}, key=_text)),
        tuple((p, label) for p, (_, label) in sorted(phases.items(), key=lambda i: i[1][0])),
    )


class _PhaseBook:
    """A phase's place in its workflow and its label, once per workflow version and phase
    (the catalogue caches the versions, so this rarely reads the database)."""

    def __init__(self, conn: Connection, workflows: WorkflowCatalog) -> None:
        self.conn = conn
        self.workflows = workflows
        self.known: dict[tuple[str, int, str], tuple[int, Label]] = {}

    def __call__(self, workflow: str, version: int, phase: str) -> tuple[int, Label]:
        key = (workflow, version, phase)
        if key not in self.known:
            definition = self.workflows.pinned(self.conn, workflow, version).definition
            order = [p.id for p in definition.phases] + [t.id for t in definition.terminals]
            rank = order.index(phase) if phase in order else len(order)
            self.known[key] = (rank, definition.label_of(phase))
        return self.known[key]


_NORWEGIAN = str.maketrans({"æ": "{", "ø": "|", "å": "}"})


def _text(value: str) -> str:
    return value.casefold().translate(_NORWEGIAN)


def _by_name(pairs: Any) -> tuple[tuple[int, str], ...]:
    key: Callable[[tuple[int, str]], str] = lambda pair: _text(pair[1])  # noqa: E731
    return tuple(sorted(set(pairs), key=key))


__all__ = [
    "PAGE_SIZE",
    "BenefitFilters",
    "BenefitRow",
    "BenefitSummary",
    "BenefitsOverview",
    "CaseOverviews",
    "Choices",
    "IndicatorLine",
    "Paging",
    "ProjectFilters",
    "RiskFilters",
    "RiskRow",
    "RisksOverview",
]
