"""A project's cost plan and people plan by year (*kostnads- og bemanningsplan*). Pure.

- **Cost plan:** whole kroner per year, as investment (*investering*) or as an operating
  effect (*driftskonsekvens*). An operating effect may be negative: a saving, which is a
  benefit in kroner and names the benefit it realises.
- **People plan:** full-time equivalents (*årsverk*) per year, organisational unit and
  competence, from the lists the PMO keeps.

A plan is saved whole: the lines given replace the project's lines.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from phasegate.domain.problems import Problem

#: The years a plan may cover, and the largest amount a line may carry (as reports).
FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_AMOUNT = 10**13
MAX_FTE = Decimal(10000)


class CostKind(StrEnum):
    INVESTMENT = "investment"
    OPERATING = "operating"


@dataclass(frozen=True)
class CostLine:
    year: int
    kind: CostKind
    amount: int  # whole kroner; an operating saving is negative
    benefit: int | None = None  # the benefit a saving realises
    note: str = ""


@dataclass(frozen=True)
class PeopleLine:
    year: int
    unit: int  # an organisational unit from the PMO's list
    competence: int  # a competence from the PMO's list
    fte: Decimal
    note: str = ""


def problems_in_costs(lines: Sequence[CostLine], benefits: Iterable[int]) -> list[Problem]:
    """Each line in its own field ``cost-<n>-<what>``; a year and kind at most once per
    benefit; a saving names one of the project's benefits."""
    known = set(benefits)
    problems: list[Problem] = []
    seen: set[tuple[int, CostKind, int | None]] = set()
    for n, line in enumerate(lines):
        where = f"cost-{n}"
        if not FIRST_YEAR <= line.year <= LAST_YEAR:
            problems.append(
                Problem.of("plan_year_off", f"{where}-year", first=FIRST_YEAR, last=LAST_YEAR)
            )
        if abs(line.amount) >= MAX_AMOUNT:
            problems.append(
                Problem.of("report_amount_too_large", f"{where}-amount", limit=MAX_AMOUNT)
            )
        if line.kind is CostKind.INVESTMENT and line.amount < 0:
            problems.append(Problem.of("plan_investment_negative", f"{where}-amount"))
        if line.benefit is not None:
            if line.kind is not CostKind.OPERATING:
                problems.append(Problem.of("plan_benefit_on_investment", f"{where}-benefit"))
            elif line.benefit not in known:
                problems.append(
                    Problem.of("plan_benefit_unknown", f"{where}-benefit", row=str(line.benefit))
                )
        key = (line.year, line.kind, line.benefit)
        if key in seen:
            problems.append(Problem.of("plan_line_twice", f"{where}-year", year=str(line.year)))
        seen.add(key)
    return problems


def problems_in_people(
    lines: Sequence[PeopleLine], units: Iterable[int], competences: Iterable[int]
) -> list[Problem]:
    known_units, known_competences = set(units), set(competences)
    problems: list[Problem] = []
    seen: set[tuple[int, int, int]] = set()
    for n, line in enumerate(lines):
        where = f"people-{n}"
        if not FIRST_YEAR <= line.year <= LAST_YEAR:
            problems.append(
                Problem.of("plan_year_off", f"{where}-year", first=FIRST_YEAR, last=LAST_YEAR)
            )
        if line.unit not in known_units:
            problems.append(Problem.of("plan_unit_unknown", f"{where}-unit", row=str(line.unit)))
        if line.competence not in known_competences:
            problems.append(
                Problem.of(
                    "plan_competence_unknown", f"{where}-competence", row=str(line.competence)
                )
            )
        if not Decimal(0) < line.fte < MAX_FTE:
            problems.append(Problem.of("plan_fte_off", f"{where}-fte", value=line.fte))
        key = (line.year, line.unit, line.competence)
        if key in seen:
            problems.append(Problem.of("plan_line_twice", f"{where}-year", year=str(line.year)))
        seen.add(key)
    return problems


@dataclass(frozen=True)
class YearCosts:
    """One year's sums of a cost plan."""

    year: int
    investment: int
    operating: int  # net: costs less savings

    @property
    def total(self) -> int:
        return self.investment + self.operating


def by_year(lines: Iterable[CostLine]) -> list[YearCosts]:
    investment: dict[int, int] = defaultdict(int)
    operating: dict[int, int] = defaultdict(int)
    for line in lines:
        target = investment if line.kind is CostKind.INVESTMENT else operating
        target[line.year] += line.amount
    years = sorted(set(investment) | set(operating))
    return [YearCosts(y, investment.get(y, 0), operating.get(y, 0)) for y in years]


def fte_by_year(lines: Iterable[PeopleLine]) -> dict[int, Decimal]:
    sums: dict[int, Decimal] = defaultdict(Decimal)
    for line in lines:
        sums[line.year] += line.fte
    return dict(sorted(sums.items()))


class CostCheck(StrEnum):
    """How a status report's figures stand against the year's plan."""

    NO_PLAN = "no_plan"  # the plan has nothing for the year
    MATCHES = "matches"
    BUDGET_DIFFERS = "budget_differs"  # the report's budget is not the plan's investment
    FORECAST_OVER = "forecast_over"  # the forecast exceeds the planned investment


@dataclass(frozen=True)
class CostFinding:
    check: CostCheck
    planned: int | None
    reported: int | None


def check_report(
    plan: Mapping[int, YearCosts], year: int, budget: int | None, forecast: int | None
) -> list[CostFinding]:
    """A status report's budget and forecast against the plan's investment for ``year``.

    Findings, not refusals: the report is the project's word, and the board sees both.
    """
    planned = plan.get(year)
    if planned is None or planned.investment == 0:
        return [CostFinding(CostCheck.NO_PLAN, None, budget)] if budget is not None else []
    findings: list[CostFinding] = []
    if budget is not None and budget != planned.investment:
        findings.append(CostFinding(CostCheck.BUDGET_DIFFERS, planned.investment, budget))
    if forecast is not None and forecast > planned.investment:
        findings.append(CostFinding(CostCheck.FORECAST_OVER, planned.investment, forecast))
    if not findings and budget is not None:
        findings.append(CostFinding(CostCheck.MATCHES, planned.investment, budget))
    return findings
