"""Checking a business-case spreadsheet's rows against what the database holds, into a
plan: what an import would add and change, and every problem on its file, sheet, row and
column. No database: the engine reads a :class:`Known` and applies the plan
(``engine/case_imports.py``); the files are read in ``case_table.py``.

Rows name projects by name, benefits by title within the project, indicators by name
within the benefit, people by email address, and units and competences by name.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from phasegate.domain.benefits import (
    BenefitKind,
    Direction,
    IndicatorDefinition,
    Measurement,
    parse_value,
    problems_in_definition,
    problems_in_measurement,
    problems_in_plan,
)
from phasegate.domain.plans import (
    CostKind,
    CostLine,
    PeopleLine,
    problems_in_costs,
    problems_in_people,
)
from phasegate.domain.problems import Param, Problem
from phasegate.domain.risks import (
    Assessment,
    Response,
    RiskKind,
    RiskStatus,
    Scale,
    problems_in_assessment,
)
from phasegate.portfolio.case_table import (
    CHOICES,
    KINDS,
    CaseFiles,
    RowProblem,
    Table,
    choices_of,
    keyed,
    parse_day,
    required,
)

# --- what the database holds --------------------------------------------------------------


@dataclass(frozen=True)
class KnownIndicator:
    id: int
    name: str
    definition: IndicatorDefinition
    plan_cycle: str | None
    plan_dates: tuple[date, ...]
    version: int
    measured: frozenset[tuple[date, Decimal]]  # (day, value) of every measurement kept


@dataclass(frozen=True)
class KnownBenefit:
    id: int
    title: str
    description: str
    kind: str
    owner: str | None  # an email address
    version: int
    indicators: Mapping[str, KnownIndicator]  # by keyed(name)


@dataclass(frozen=True)
class RiskFields:
    kind: RiskKind
    title: str
    description: str
    category: str
    owner: str | None  # an email address


@dataclass(frozen=True)
class KnownRisk:
    id: int
    fields: RiskFields
    assessment: Assessment
    version: int


@dataclass(frozen=True)
class CostRow:
    year: int
    kind: CostKind
    amount: int
    benefit: str | None  # the benefit's title
    note: str


@dataclass(frozen=True)
class PeopleRow:
    year: int
    unit: str
    competence: str
    fte: Decimal
    note: str


@dataclass(frozen=True)
class KnownProject:
    id: int
    name: str
    benefits: Mapping[str, KnownBenefit]  # by keyed(title)
    risks: Mapping[str, KnownRisk]  # by keyed(title)
    plan_version: int
    costs: tuple[CostRow, ...]
    people: tuple[PeopleRow, ...]


@dataclass(frozen=True)
class Term:
    id: int
    name: str
    active: bool


@dataclass(frozen=True)
class Known:
    """What the planner compares the file with, read by the engine in one go."""

    projects: Mapping[str, KnownProject]  # by keyed(name)
    people: Mapping[str, int]  # email (lower case) -> person
    units: Mapping[str, Term]  # by keyed(name)
    competences: Mapping[str, Term]
    cycles: tuple[str, ...]
    scale: Scale
    today: date


# --- the plan -----------------------------------------------------------------------------


@dataclass(frozen=True)
class BenefitPlan:
    project: str
    title: str
    description: str
    kind: BenefitKind
    owner: str | None
    existing: KnownBenefit | None
    changed: bool


@dataclass(frozen=True)
class IndicatorPlan:
    project: str
    benefit: str
    name: str
    definition: IndicatorDefinition
    plan_cycle: str | None
    plan_dates: tuple[date, ...]
    existing: KnownIndicator | None
    changed: bool


@dataclass(frozen=True)
class MeasurementPlan:
    project: str
    benefit: str
    indicator: str
    value: Decimal
    measured_on: date
    comment: str


@dataclass(frozen=True)
class RiskPlan:
    project: str
    fields: RiskFields
    assessment: Assessment
    existing: KnownRisk | None
    changed: bool  # what the risk is (title, owner, ...) differs
    assess: bool  # a new assessment: new, or its scores or status differ


@dataclass(frozen=True)
class PlanLines:
    project: str
    costs: tuple[CostRow, ...] | None
    people: tuple[PeopleRow, ...] | None
    seen: int


@dataclass(frozen=True)
class CasePlan:
    """What an import would do, and every problem; with any problem it does nothing."""

    benefits: tuple[BenefitPlan, ...] = ()
    indicators: tuple[IndicatorPlan, ...] = ()
    measurements: tuple[MeasurementPlan, ...] = ()
    risks: tuple[RiskPlan, ...] = ()
    plans: tuple[PlanLines, ...] = ()
    known_measurements: int = 0  # rows already kept, so skipped
    problems: tuple[RowProblem, ...] = ()
    sources: tuple[str, ...] = ()
    files: CaseFiles = field(default_factory=CaseFiles)

    @property
    def ok(self) -> bool:
        return not self.problems

    def counts(self) -> dict[str, int]:
        """How many of each thing the import adds or changes."""
        return {
            "benefits_added": sum(b.existing is None for b in self.benefits),
            "benefits_changed": sum(b.changed for b in self.benefits),
            "indicators_added": sum(i.existing is None for i in self.indicators),
            "indicators_changed": sum(i.changed for i in self.indicators),
            "measurements_added": len(self.measurements),
            "measurements_known": self.known_measurements,
            "risks_added": sum(r.existing is None for r in self.risks),
            "risks_changed": sum(r.changed for r in self.risks),
            "risks_assessed": sum(r.assess and r.existing is not None for r in self.risks),
            "plans_saved": len(self.plans),
        }


def plan_case(files: CaseFiles, known: Known) -> CasePlan:
    """Check every table's rows against ``known`` and each other."""
    planner = _Planner(known)
    readers = {
        "benefits": planner.benefit_rows,
        "indicators": planner.indicator_rows,
        "measurements": planner.measurement_rows,
        "risks": planner.risk_rows,
        "costs": planner.cost_rows,
        "people": planner.people_rows,
    }
    for kind in KINDS:  # benefits before the indicators that name them, and so on
        for table in files.tables:
            if table.kind == kind:
                readers[kind](table)
    plans = planner.plans()
    return CasePlan(
        benefits=tuple(planner.benefits.values()),
        indicators=tuple(planner.indicators.values()),
        measurements=tuple(planner.measurements),
        risks=tuple(planner.risks.values()),
        plans=plans,
        known_measurements=planner.known_measurements,
        problems=files.problems + tuple(planner.problems),
        sources=files.sources,
        files=files,
    )


class _Row:
    """One row's cells, parsed as each column needs, its problems kept in the planner."""

    def __init__(
        self, table: Table, number: int, cells: Mapping[str, str], out: list[RowProblem]
    ) -> None:
        self.table, self.at, self.cells, self.out = table, number, cells, out
        self.failed = False

    def fail(self, key: str | None, code: str, **params: Param) -> None:
        self.out.append(self.table.problem(self.at, key, code, **params))
        self.failed = True

    def text(self, key: str) -> str:
        value = self.cells.get(key, "")
        if not value and required(self.table.kind, key):
            self.fail(key, "value_missing")
        return value

    def choice(self, key: str, default: str | None = None) -> str | None:
        word = self.cells.get(key, "")
        if not word:
            if default is None:
                self.fail(key, "value_missing")
            return default
        found = choices_of(self.table.kind, key).get(keyed(word))
        if found is None:
            _, enum = CHOICES[(self.table.kind, key)]
            self.fail(key, "value_not_choice", value=word, choices=[m.value for m in enum])
        return found

    def number(self, key: str) -> Decimal | None:
        text = self.cells.get(key, "")
        if not text:
            if required(self.table.kind, key):
                self.fail(key, "value_missing")
            return None
        value = parse_value(text)
        if value is None:
            self.fail(key, "value_not_number", value=text)
        return value

    def whole(self, key: str) -> int | None:
        value = self.number(key)
        if value is None:
            return None
        if value != value.to_integral_value():
            self.fail(key, "value_not_number", value=self.cells[key])
            return None
        return int(value)

    def day(self, key: str) -> date | None:
        text = self.cells.get(key, "")
        if not text:
            if required(self.table.kind, key):
                self.fail(key, "value_missing")
            return None
        found = parse_day(text)
        if found is None:
            self.fail(key, "value_not_date", value=text)
        return found

    def person(self, key: str, people: Mapping[str, int]) -> str | None:
        email = self.cells.get(key, "").lower()
        if not email:
            return None
        if email not in people:
            self.fail(key, "import_person_unknown", value=email)
        return email

    def domain(self, problems: Iterable[Problem], fields: Mapping[str, str] | None = None) -> None:
        """The domain's own problems, on the columns they are about."""
        for problem in problems:
            column = (fields or {}).get(problem.field or "", problem.field)
            self.out.append(
                RowProblem(
                    self.table.file,
                    self.table.sheet,
                    self.at,
                    None if column is None else self.table.titles.get(column, column),
                    problem,
                )
            )
            self.failed = True


class _Planner:
    def __init__(self, known: Known) -> None:
        self.known = known
        self.problems: list[RowProblem] = []
        self.benefits: dict[tuple[str, str], BenefitPlan] = {}
        self.indicators: dict[tuple[str, str, str], IndicatorPlan] = {}
        self.measurements: list[MeasurementPlan] = []
        self.measured: set[tuple[str, str, str, date, Decimal]] = set()
        self.known_measurements = 0
        self.risks: dict[tuple[str, str], RiskPlan] = {}
        self.costs: dict[str, list[tuple[_Row, CostRow]]] = {}
        self.people: dict[str, list[tuple[_Row, PeopleRow]]] = {}
        self.rows_of: dict[tuple[str, ...], int] = {}

    def row(self, table: Table, number: int, cells: Mapping[str, str]) -> _Row:
        return _Row(table, number, cells, self.problems)

    def project(self, row: _Row) -> KnownProject | None:
        name = row.text("project")
        if not name:
            return None
        found = self.known.projects.get(keyed(name))
        if found is None:
            row.fail("project", "import_project_unknown", value=name)
        return found

    def once(self, row: _Row, key: tuple[str, ...], column: str) -> bool:
        """The first row with this key; a later one is a problem that names the first."""
        first = self.rows_of.setdefault((row.table.kind, *key), row.at)
        if first != row.at:
            row.fail(column, "import_row_twice", row=str(first))
            return False
        return True

    # --- each kind ---------------------------------------------------------------------

    def benefit_rows(self, table: Table) -> None:
        for number, cells in table.rows:
            row = self.row(table, number, cells)
            project = self.project(row)
            title = row.text("title")
            kind = row.choice("kind")
            owner = row.person("owner_email", self.known.people)
            description = cells.get("description", "")
            if project is None or row.failed or kind is None:
                continue
            key = (keyed(project.name), keyed(title))
            if not self.once(row, key, "title"):
                continue
            existing = project.benefits.get(keyed(title))
            changed = existing is not None and (
                existing.title,
                existing.description,
                existing.kind,
                existing.owner,
            ) != (title, description, kind, owner)
            self.benefits[key] = BenefitPlan(
                key[0], title, description, BenefitKind(kind), owner, existing, changed
            )

    def benefit_of(
        self, row: _Row, project: KnownProject | None, column: str = "benefit"
    ) -> str | None:
        """The benefit a row names: in the project, or in this file's benefits."""
        title = row.text(column)
        if project is None or not title:
            return None
        key = keyed(title)
        if key not in project.benefits and (keyed(project.name), key) not in self.benefits:
            row.fail(column, "import_benefit_unknown", value=title)
            return None
        return key

    def indicator_rows(self, table: Table) -> None:
        for number, cells in table.rows:
            row = self.row(table, number, cells)
            project = self.project(row)
            benefit = self.benefit_of(row, project)
            name = row.text("name")
            unit = row.text("unit")
            direction = row.choice("direction")
            baseline, target = row.number("baseline"), row.number("target")
            baseline_on, target_on = row.day("baseline_on"), row.day("target_on")
            cycle = cells.get("plan_cycle") or None
            dates = self.plan_dates(row)
            if (
                project is None
                or benefit is None
                or row.failed
                or direction is None
                or baseline is None
                or target is None
                or baseline_on is None
                or target_on is None
            ):
                continue
            definition = IndicatorDefinition(
                unit, Direction(direction), baseline, baseline_on, target, target_on
            )
            row.domain(problems_in_definition(definition))
            row.domain(problems_in_plan(dates, cycle, self.known.cycles), {"plan": "plan_cycle"})
            key = (keyed(project.name), benefit, keyed(name))
            if row.failed or not self.once(row, key, "name"):
                continue
            known_benefit = project.benefits.get(benefit)
            existing = None if known_benefit is None else known_benefit.indicators.get(keyed(name))
            changed = existing is not None and (
                existing.name,
                existing.definition,
                existing.plan_cycle,
                tuple(sorted(set(existing.plan_dates))),
            ) != (name, definition, cycle, tuple(sorted(set(dates))))
            self.indicators[key] = IndicatorPlan(
                key[0], benefit, name, definition, cycle, dates, existing, changed
            )

    def plan_dates(self, row: _Row) -> tuple[date, ...]:
        text = row.cells.get("plan_dates", "")
        found: list[date] = []
        for part in text.replace(";", " ").replace(",", " ").split():
            day = parse_day(part)
            if day is None:
                row.fail("plan_dates", "value_not_date", value=part)
            else:
                found.append(day)
        return tuple(found)

    def measurement_rows(self, table: Table) -> None:
        for number, cells in table.rows:
            row = self.row(table, number, cells)
            project = self.project(row)
            benefit = self.benefit_of(row, project)
            name = row.text("indicator")
            value = row.number("value")
            measured_on = row.day("measured_on")
            if project is None or benefit is None or not name or row.failed:
                continue
            pkey = keyed(project.name)
            planned = self.indicators.get((pkey, benefit, keyed(name)))
            known_benefit = project.benefits.get(benefit)
            existing = None if known_benefit is None else known_benefit.indicators.get(keyed(name))
            source: IndicatorPlan | KnownIndicator | None = planned or existing
            if source is None:
                row.fail("indicator", "import_indicator_unknown", value=name)
                continue
            if value is None or measured_on is None:
                continue
            definition = source.definition
            row.domain(
                problems_in_measurement(
                    definition, Measurement(value, measured_on), self.known.today
                )
            )
            if row.failed:
                continue
            key = (pkey, benefit, keyed(name), measured_on, value)
            kept = existing is not None and (measured_on, value) in existing.measured
            if kept or key in self.measured:
                self.known_measurements += 1
                continue
            self.measured.add(key)
            self.measurements.append(
                MeasurementPlan(pkey, benefit, name, value, measured_on, cells.get("comment", ""))
            )

    def risk_rows(self, table: Table) -> None:
        scale = self.known.scale
        for number, cells in table.rows:
            row = self.row(table, number, cells)
            project = self.project(row)
            title = row.text("title")
            kind = row.choice("kind", RiskKind.RISK.value)
            owner = row.person("owner_email", self.known.people)
            scores = {
                key: row.whole(key)
                for key in ("probability", "consequence", "probability_after", "consequence_after")
            }
            response = row.choice("response")
            status = row.choice("status", RiskStatus.OPEN.value)
            review = row.day("next_review_on")
            if project is None or row.failed or kind is None or response is None or status is None:
                continue
            probability, consequence = scores["probability"], scores["consequence"]
            if probability is None or consequence is None:
                continue
            assessment = Assessment(
                probability,
                consequence,
                scores["probability_after"],
                scores["consequence_after"],
                Response(response),
                cells.get("mitigation", ""),
                RiskStatus(status),
                review,
            )
            fields = RiskFields(
                RiskKind(kind),
                title,
                cells.get("description", ""),
                cells.get("category", ""),
                owner,
            )
            existing = project.risks.get(keyed(title))
            assess = existing is None or existing.assessment != assessment
            if assess:
                row.domain(problems_in_assessment(scale, assessment, self.known.today))
            key = (keyed(project.name), keyed(title))
            if row.failed or not self.once(row, key, "title"):
                continue
            changed = existing is not None and existing.fields != fields
            self.risks[key] = RiskPlan(key[0], fields, assessment, existing, changed, assess)

    def cost_rows(self, table: Table) -> None:
        for number, cells in table.rows:
            row = self.row(table, number, cells)
            project = self.project(row)
            year = row.whole("year")
            kind = row.choice("kind")
            amount = row.whole("amount")
            if cells.get("benefit"):
                self.benefit_of(row, project)
            if project is None or row.failed or year is None or kind is None or amount is None:
                continue
            title = cells.get("benefit", "")
            benefit = keyed(title) if title else None
            line = CostRow(year, CostKind(kind), amount, benefit, cells.get("note", ""))
            self.costs.setdefault(keyed(project.name), []).append((row, line))

    def people_rows(self, table: Table) -> None:
        for number, cells in table.rows:
            row = self.row(table, number, cells)
            project = self.project(row)
            year = row.whole("year")
            unit = self.term(row, "unit", self.known.units, project)
            competence = self.term(row, "competence", self.known.competences, project)
            fte = row.number("fte")
            if project is None or row.failed or year is None or fte is None:
                continue
            line = PeopleRow(year, unit or "", competence or "", fte, cells.get("note", ""))
            self.people.setdefault(keyed(project.name), []).append((row, line))

    def term(
        self, row: _Row, key: str, terms: Mapping[str, Term], project: KnownProject | None
    ) -> str | None:
        """A unit or competence by name: one the PMO keeps, and not retired unless the
        project's plan has it already."""
        name = row.text(key)
        if not name:
            return None
        found = terms.get(keyed(name))
        if found is None:
            row.fail(key, f"import_{key}_unknown", value=name)
            return None
        used = project is not None and any(
            keyed(getattr(line, key)) == keyed(name) for line in project.people
        )
        if not found.active and not used:
            row.fail(key, "import_term_retired", value=found.name)
        return keyed(name)

    def plans(self) -> tuple[PlanLines, ...]:
        """Each project's plan lines from the file, checked as the engine will, and kept
        only when they differ from what the project has."""
        found: list[PlanLines] = []
        projects = {p for p in self.known.projects if p in self.costs or p in self.people}
        for key in sorted(projects):
            project = self.known.projects[key]
            costs = self._costs(project, self.costs.get(key))
            people = self._people(project, self.people.get(key))
            if costs is None and people is None:
                continue
            found.append(PlanLines(key, costs, people, project.plan_version))
        return tuple(found)

    def _costs(
        self, project: KnownProject, rows: list[tuple[_Row, CostRow]] | None
    ) -> tuple[CostRow, ...] | None:
        if rows is None:
            return None
        titles = sorted(
            {keyed(t) for t in project.benefits}
            | {b for p, b in self.benefits if p == keyed(project.name)}
        )
        number = {title: n for n, title in enumerate(titles, start=1)}
        lines = [
            CostLine(c.year, c.kind, c.amount, number.get(c.benefit) if c.benefit else None, c.note)
            for _, c in rows
        ]
        for problem in problems_in_costs(lines, number.values()):
            self._on_row(rows, problem, "cost-")
        mine = tuple(c for _, c in rows)
        return None if _same(mine, project.costs) else mine

    def _people(
        self, project: KnownProject, rows: list[tuple[_Row, PeopleRow]] | None
    ) -> tuple[PeopleRow, ...] | None:
        if rows is None:
            return None
        units = {k: t.id for k, t in self.known.units.items()}
        competences = {k: t.id for k, t in self.known.competences.items()}
        lines = [
            PeopleLine(p.year, units[p.unit], competences[p.competence], p.fte, p.note)
            for _, p in rows
        ]
        for problem in problems_in_people(lines, units.values(), competences.values()):
            self._on_row(rows, problem, "people-")
        mine = tuple(p for _, p in rows)
        return None if _same(mine, project.people) else mine

    def _on_row(self, rows: Sequence[tuple[_Row, object]], problem: Problem, prefix: str) -> None:
        """A plan problem on ``cost-<n>-<column>``, put on the n-th row's column."""
        where = (problem.field or "").removeprefix(prefix)
        index, _, column = where.partition("-")
        row = rows[int(index)][0]
        row.domain([Problem(problem.code, column, problem.params)])


def _same(mine: Sequence[object], theirs: Sequence[object]) -> bool:
    """The same lines, in any order (1.5 and 1.5000 årsverk are the same)."""
    return Counter(mine) == Counter(theirs)
