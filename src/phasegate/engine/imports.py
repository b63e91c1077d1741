"""Registering a checked portfolio table: every new person and project, or none."""

from __future__ import annotations

from dataclasses import dataclass

from phasegate.domain.model import WorkflowDefinition
from phasegate.engine.access import require_office
from phasegate.engine.lookups import find_person_id
from phasegate.engine.projects import register_person, register_project
from phasegate.engine.unit import UnitOfWork
from phasegate.errors import RuleViolation
from phasegate.portfolio.table import ImportPlan


@dataclass(frozen=True)
class Imported:
    projects: tuple[int, ...]
    people: tuple[int, ...]


def import_portfolio(
    uow: UnitOfWork, plan: ImportPlan, *, definition: WorkflowDefinition, portfolio: str | None
) -> Imported:
    """Register the plan's new people, then its projects, in the caller's one transaction.

    Each registration is checked again here (a name taken meanwhile raises), so a plan
    that went stale between the check and the write fails whole and leaves nothing.
    """
    require_office(uow, "import_portfolio")
    if plan.problems:
        raise RuleViolation("import_problems", count=len(plan.problems))
    people = tuple(register_person(uow, p.name, p.email) for p in plan.new_people)

    def person(email: str | None) -> int | None:
        if email is None:
            return None
        found = find_person_id(uow, email)
        if found is None:
            raise RuleViolation("email_unknown", email=email)
        return found

    projects = tuple(
        register_project(
            uow,
            row.name,
            owner=person(row.owner_email),
            leader=person(row.leader_email),
            development_area=row.area,
            portfolio=portfolio,
            description=row.description,
            definition=definition,
            phase=row.phase,
        )
        for row in plan.projects
    )
    return Imported(projects=projects, people=people)
