"""Cost and people plans by year, and the PMO's lists of units and competences.

A plan is saved whole, under the version the form read (``project_plans.version``; 0 when
the project has no plan yet): a second save made from the same reading is refused, not
merged, so nobody's lines vanish unseen. The cost plan and the people plan share that
version, as they share one form.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import bindparam, delete, insert, select, update

from phasegate.domain import register_events as rev
from phasegate.domain.plans import CostLine, PeopleLine, problems_in_costs, problems_in_people
from phasegate.domain.problems import Problem
from phasegate.engine.access import require_office
from phasegate.engine.benefits import require_case_editor
from phasegate.engine.lookups import get_project
from phasegate.engine.unit import UnitOfWork
from phasegate.errors import ConcurrentUpdate, NotFound, RegisterInvalid
from phasegate.storage.registers import (
    Benefit,
    CostPlanLine,
    PeoplePlanLine,
    ProjectPlan,
    ResourceTerm,
)

TERM_KINDS = ("unit", "competence")

Q_PLAN_VERSION = select(ProjectPlan.version).where(ProjectPlan.project_id == bindparam("project"))
W_PLAN_FIRST = insert(ProjectPlan)
W_PLAN_NEXT = (
    update(ProjectPlan)
    .where(ProjectPlan.project_id == bindparam("project"), ProjectPlan.version == bindparam("seen"))
    .values(
        version=ProjectPlan.version + 1,
        updated_by=bindparam("person"),
        updated_at=bindparam("now"),
    )
)
Q_BENEFIT_IDS = select(Benefit.id).where(Benefit.project_id == bindparam("project"))
Q_TERM_IDS = select(ResourceTerm.id).where(ResourceTerm.kind == bindparam("kind"))
W_COSTS_CLEAR = delete(CostPlanLine).where(CostPlanLine.project_id == bindparam("project"))
W_COSTS = insert(CostPlanLine)
W_PEOPLE_CLEAR = delete(PeoplePlanLine).where(PeoplePlanLine.project_id == bindparam("project"))
W_PEOPLE = insert(PeoplePlanLine)
Q_TERM = select(ResourceTerm.id, ResourceTerm.kind).where(ResourceTerm.id == bindparam("term"))
Q_TERM_NAMED = select(ResourceTerm.id).where(
    ResourceTerm.kind == bindparam("kind"), ResourceTerm.name == bindparam("name")
)
W_TERM = insert(ResourceTerm).returning(ResourceTerm.id)
W_TERM_CHANGE = (
    update(ResourceTerm)
    .where(ResourceTerm.id == bindparam("term"))
    .values(name=bindparam("name"), active=bindparam("active"))
)


def _next_version(uow: UnitOfWork, project: int, seen: int) -> None:
    """Claim the plan's next version, or refuse: someone saved since ``seen`` was read."""
    current = uow.scalar(Q_PLAN_VERSION, project=project)
    if current is None:
        if seen != 0:
            raise ConcurrentUpdate("plan")
        uow.conn.execute(
            W_PLAN_FIRST,
            {
                "project_id": project,
                "version": 1,
                "updated_by": uow.actor.person,
                "updated_at": uow.now,
            },
        )  # two first saves at once: the unique key refuses the second (ConcurrentUpdate)
        return
    changed = uow.conn.execute(
        W_PLAN_NEXT,
        {"project": project, "seen": seen, "person": uow.actor.person, "now": uow.now},
    ).rowcount
    if changed != 1:
        raise ConcurrentUpdate("plan")


def save_plans(
    uow: UnitOfWork,
    project_id: int,
    costs: Sequence[CostLine] | None,
    people: Sequence[PeopleLine] | None,
    seen: int,
) -> None:
    """Replace the project's cost plan, its people plan, or both (None leaves one as it
    is), under the version read."""
    project = get_project(uow, project_id)
    require_case_editor(uow, project)
    problems: list[Problem] = []
    if costs is not None:
        benefits = uow.conn.execute(Q_BENEFIT_IDS, {"project": project.id}).scalars()
        problems += problems_in_costs(costs, benefits)
    if people is not None:
        units = uow.conn.execute(Q_TERM_IDS, {"kind": "unit"}).scalars().all()
        competences = uow.conn.execute(Q_TERM_IDS, {"kind": "competence"}).scalars().all()
        problems += problems_in_people(people, units, competences)
    if problems:
        raise RegisterInvalid(problems)
    _next_version(uow, project.id, seen)
    if costs is not None:
        uow.conn.execute(W_COSTS_CLEAR, {"project": project.id})
        if costs:
            uow.conn.execute(
                W_COSTS,
                [
                    {
                        "project_id": project.id,
                        "year": line.year,
                        "kind": line.kind.value,
                        "amount": line.amount,
                        "benefit_id": line.benefit,
                        "note": line.note,
                    }
                    for line in costs
                ],
            )
        uow.emit(
            rev.CostPlanSaved(
                project=project.id,
                years=tuple(sorted({line.year for line in costs})),
                investment=sum(line.amount for line in costs if line.kind.value == "investment"),
                operating=sum(line.amount for line in costs if line.kind.value == "operating"),
            )
        )
    if people is not None:
        uow.conn.execute(W_PEOPLE_CLEAR, {"project": project.id})
        if people:
            uow.conn.execute(
                W_PEOPLE,
                [
                    {
                        "project_id": project.id,
                        "year": line.year,
                        "unit_id": line.unit,
                        "competence_id": line.competence,
                        "fte": line.fte,
                        "note": line.note,
                    }
                    for line in people
                ],
            )
        uow.emit(
            rev.PeoplePlanSaved(
                project=project.id,
                years=tuple(sorted({line.year for line in people})),
                fte=str(sum((line.fte for line in people), Decimal(0))),
            )
        )


def save_term(
    uow: UnitOfWork, kind: str, name: str, *, term: int | None = None, active: bool = True
) -> int:
    """Add a unit or a competence (``term`` None), or rename, retire or restore one. A
    retired term stays on the plans that use it and is not offered for new lines."""
    require_office(uow, "resource_terms")
    if kind not in TERM_KINDS:
        raise ValueError(f"a resource term is a unit or a competence, not {kind!r}")
    cleaned = name.strip()
    if not cleaned:
        raise RegisterInvalid([Problem.of("value_missing", "name")])
    existing = uow.scalar(Q_TERM_NAMED, kind=kind, name=cleaned)
    if existing is not None and existing != term:
        raise RegisterInvalid([Problem.of("term_exists", "name", value=cleaned)])
    if term is None:
        term = int(uow.scalar(W_TERM, kind=kind, name=cleaned, active=active))
    else:
        row = uow.one(Q_TERM, term=term)
        if row is None or row.kind != kind:
            raise NotFound(kind, row=str(term))
        uow.conn.execute(W_TERM_CHANGE, {"term": term, "name": cleaned, "active": active})
    uow.emit(rev.ResourceTermSaved(term=term, term_kind=kind, name=cleaned, active=active))
    return term
