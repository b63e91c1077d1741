"""The demo's business cases (*gevinster, usikkerhetsregister, kostnads- og
bemanningsplaner*) for six of Asker's projects, from ``business_case.yaml``.

Everything goes through the engine's operations, as a project manager, a benefit owner or
a risk owner would do it, so the audit trail, the webhooks and the reminders see the demo
as they would see real work. The figures are invented: every description, comment and
note says ``[Demodata]``.

Dates in the file are relative to the engine's day (``today-18m``), so measurements lie in
the past and reviews fall due soon whatever day the demo is loaded. Plan years are counted
from this year (``from: -1``).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from phasegate.domain.benefits import BenefitKind, Direction, IndicatorDefinition
from phasegate.domain.plans import CostKind, CostLine, PeopleLine
from phasegate.domain.risks import Assessment, Response, RiskKind, RiskStatus
from phasegate.engine.benefits import BenefitDraft, IndicatorDraft
from phasegate.engine.risks import RiskDraft
from phasegate.engine.service import Engine
from phasegate.workflow.yamlfile import load_data

CASE_FILE = Path(__file__).with_name("business_case.yaml")

#: What every invented description, comment and note starts with.
MARK = "[Demodata]"

_RELATIVE = re.compile(r"today(?:([+-])(\d{1,3})([dwmy]))?")

Person = Callable[[str | None], int | None]


def marked(text: str | None) -> str:
    """``text`` marked as demo data."""
    return f"{MARK} {text or ''}".strip()


def relative_day(text: object, today: date) -> date:
    """``today``, ``today+3d``, ``today-6w``, ``today-18m`` or ``today+2y`` as a date."""
    found = _RELATIVE.fullmatch(str(text).strip())
    if found is None:
        raise ValueError(f"A date in the demo's business cases is like today-18m, not {text!r}")
    sign, count, what = found.groups()
    if sign is None:
        return today
    steps = int(count) if sign == "+" else -int(count)
    if what == "d":
        return today + timedelta(days=steps)
    if what == "w":
        return today + timedelta(weeks=steps)
    return add_months(today, steps * 12 if what == "y" else steps)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), or the month's last day if it has none."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def load_cases(engine: Engine, person: Person, pmo: int | None, case_file: Path = CASE_FILE) -> int:
    """Give the file's projects their benefits, risks and plans; how many got them now.

    A project that has any benefit, risk or plan already is left as it is, so loading the
    demo again adds nothing. The PMO (``pmo``) keeps the lists of units and competences
    and writes for a project that has no manager.
    """
    data: dict[str, Any] = load_data(case_file, "seed")
    today = engine.today()
    units = _terms(engine, "unit", data.get("units", []), pmo)
    competences = _terms(engine, "competence", data.get("competences", []), pmo)
    projects = {p.name: p for p in engine.portfolio()}
    added = 0
    for entry in data.get("projects", []):
        name = _need(entry, "project", "a project")
        project = projects.get(name)
        if project is None:
            raise ValueError(f"The demo's business cases name an unknown project: {name!r}")
        case = engine.business_case(project.id)
        if case.benefits or case.risks or case.plan.version:
            continue
        author = person(project.leader) or pmo
        benefits = _benefits(engine, project.id, entry.get("benefits", []), person, author, today)
        for risk in entry.get("risks", []):
            _risk(engine, project.id, risk, person, author, today)
        costs = _costs(entry.get("costs"), benefits, today.year)
        people = _people(entry.get("people"), units, competences, today.year)
        if costs or people:
            engine.save_plans(project.id, costs=costs, people=people, seen=0, actor=author)
        added += 1
    return added


def _terms(engine: Engine, kind: str, names: Sequence[str], pmo: int | None) -> dict[str, int]:
    """The PMO's list of ``kind`` (unit or competence), with the file's names added."""
    known = {t.name: t.id for t in engine.terms() if t.kind == kind}
    for name in names:
        if name not in known:
            known[name] = engine.save_term(kind, name, actor=pmo)
    return known


def _benefits(
    engine: Engine,
    project: int,
    entries: Sequence[Mapping[str, Any]],
    person: Person,
    author: int | None,
    today: date,
) -> dict[str, int]:
    """The benefits added, by title, with their indicators and measurements."""
    added: dict[str, int] = {}
    cycles = engine.reporting_cycles()
    for entry in entries:
        title = _need(entry, "title", "a benefit")
        owner = person(entry.get("owner"))
        draft = BenefitDraft(
            title, marked(entry.get("description")), BenefitKind(entry["kind"]), owner
        )
        benefit = engine.add_benefit(project, draft, actor=author)
        added[title] = benefit
        for indicator in entry.get("indicators", []):
            _indicator(engine, benefit, indicator, owner or author, cycles, today, author)
    return added


def _indicator(
    engine: Engine,
    benefit: int,
    entry: Mapping[str, Any],
    measurer: int | None,
    cycles: Sequence[str],
    today: date,
    author: int | None,
) -> None:
    definition = IndicatorDefinition(
        unit=str(entry["unit"]),
        direction=Direction(entry["direction"]),
        baseline=_number(entry["baseline"]),
        baseline_on=relative_day(entry["baseline_on"], today),
        target=_number(entry["target"]),
        target_on=relative_day(entry["target_on"], today),
    )
    plan = entry.get("plan")
    if isinstance(plan, list):
        draft = IndicatorDraft(
            entry["name"], definition, plan_dates=tuple(relative_day(d, today) for d in plan)
        )
    else:  # a reporting cycle; a wheel without it leaves the indicator with no plan
        draft = IndicatorDraft(entry["name"], definition, plan if plan in cycles else None)
    indicator = engine.add_indicator(benefit, draft, actor=author)
    for measured in entry.get("measurements", []):
        engine.record_measurement(
            indicator,
            _number(measured["value"]),
            relative_day(measured["day"], today),
            marked(measured.get("comment")),
            actor=measurer,  # the benefit owner reports the figures
        )


def _risk(
    engine: Engine,
    project: int,
    entry: Mapping[str, Any],
    person: Person,
    author: int | None,
    today: date,
) -> None:
    """A risk with its first assessment, then its reassessments by its owner, in order."""
    owner = person(entry.get("owner"))
    draft = RiskDraft(
        RiskKind(entry["kind"]),
        _need(entry, "title", "a risk"),
        marked(entry.get("description")),
        str(entry.get("category", "")),
        owner,
    )
    (first, _), *later = [
        _assessment(entry, a, today) for a in _need(entry, "assessments", "a risk")
    ]
    risk = engine.add_risk(project, draft, first, actor=author)
    for assessment, comment in later:
        engine.assess_risk(risk, assessment, comment, actor=owner or author)


def _assessment(
    risk: Mapping[str, Any], entry: Mapping[str, Any], today: date
) -> tuple[Assessment, str]:
    probability, consequence = entry["score"]
    after = entry.get("after") or (None, None)
    status = RiskStatus(entry.get("status", "open"))
    review = entry.get("review")
    assessment = Assessment(
        probability=probability,
        consequence=consequence,
        probability_after=after[0],
        consequence_after=after[1],
        response=Response(risk["response"]),
        mitigation=str(risk.get("mitigation", "")),
        status=status,
        next_review_on=relative_day(review, today) if review else None,
    )
    comment = entry.get("comment")
    return assessment, marked(comment) if comment else ""


def _costs(
    entry: Mapping[str, Any] | None, benefits: Mapping[str, int], this_year: int
) -> list[CostLine] | None:
    """Investment, operating costs and savings per year; a saving names its benefit."""
    if not entry:
        return None
    first = this_year + int(entry.get("from", 0))
    rows: list[tuple[CostKind, Sequence[int], int | None]] = [
        (CostKind.INVESTMENT, entry.get("investment", []), None),
        (CostKind.OPERATING, entry.get("operating", []), None),
    ]
    savings = entry.get("savings")
    if savings:
        title = savings["benefit"]
        if title not in benefits:
            raise ValueError(f"A saving in the demo names an unknown benefit: {title!r}")
        rows.append((CostKind.OPERATING, savings["amounts"], benefits[title]))
    return [
        CostLine(first + n, kind, int(amount), benefit, marked(None))
        for kind, amounts, benefit in rows
        for n, amount in enumerate(amounts)
        if amount
    ]


def _people(
    entry: Mapping[str, Any] | None,
    units: Mapping[str, int],
    competences: Mapping[str, int],
    this_year: int,
) -> list[PeopleLine] | None:
    """FTE per year, unit and competence (the names from the PMO's lists)."""
    if not entry:
        return None
    first = this_year + int(entry.get("from", 0))
    lines = []
    for line in entry.get("lines", []):
        unit, competence = units.get(line["unit"]), competences.get(line["competence"])
        if unit is None or competence is None:
            raise ValueError(
                f"A people plan in the demo names a unit or competence not on the lists: {line}"
            )
        for n, fte in enumerate(line["fte"]):
            if fte:
                lines.append(PeopleLine(first + n, unit, competence, _number(fte), marked(None)))
    return lines


def _number(value: object) -> Decimal:
    return Decimal(str(value))


def _need(entry: Mapping[str, Any], key: str, what: str) -> Any:
    if not entry.get(key):
        raise ValueError(f"In the demo's business cases, {what} has no {key}: {dict(entry)}")
    return entry[key]
