"""The uncertainty register: add a risk, change what it is, and reassess it.

A reassessment is a new ``risk_assessments`` row; the risk's row then takes a copy of the
latest assessment, the one with the highest id, so of two reassessments made at the same
moment both are kept, and the register shows the one written last, whatever order the
transactions commit in.

Who may: the project's manager and owner, the PMO and admins; the risk's owner may also
reassess it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Row, bindparam, insert, or_, select, update

from phasegate.domain import register_events as rev
from phasegate.domain.problems import Problem
from phasegate.domain.risks import Assessment, RiskKind, Scale, problems_in_assessment
from phasegate.engine.benefits import may_edit_case, owner_problems, require_case_editor
from phasegate.engine.lookups import get_project
from phasegate.engine.unit import UnitOfWork
from phasegate.errors import ConcurrentUpdate, NotFound, NotPermitted, RegisterInvalid
from phasegate.storage.registers import Risk, RiskAssessment


@dataclass(frozen=True)
class RiskDraft:
    """What a risk is: its kind, title, description, category and owner."""

    kind: RiskKind
    title: str
    description: str
    category: str
    owner: int | None


Q_RISK = select(Risk.id, Risk.project_id, Risk.owner_id, Risk.version).where(
    Risk.id == bindparam("risk")
)
W_RISK = insert(Risk).returning(Risk.id)
W_RISK_CHANGE = (
    update(Risk)
    .where(Risk.id == bindparam("risk"), Risk.version == bindparam("seen"))
    .values(
        kind=bindparam("kind"),
        title=bindparam("title"),
        description=bindparam("description"),
        category=bindparam("category"),
        owner_id=bindparam("owner"),
        updated_at=bindparam("now"),
        version=Risk.version + 1,
    )
)
W_ASSESSMENT = insert(RiskAssessment).returning(RiskAssessment.id)
# The copy of the latest assessment: only a newer one (a higher id) replaces it. On
# PostgreSQL a second writer waits for the first's row lock, then re-checks the condition.
W_CURRENT = (
    update(Risk)
    .where(
        Risk.id == bindparam("risk"),
        or_(Risk.assessment_id.is_(None), Risk.assessment_id < bindparam("assessment")),
    )
    .values(
        assessment_id=bindparam("assessment"),
        probability=bindparam("probability"),
        consequence=bindparam("consequence"),
        score=bindparam("score"),
        probability_after=bindparam("probability_after"),
        consequence_after=bindparam("consequence_after"),
        score_after=bindparam("score_after"),
        response=bindparam("response"),
        mitigation=bindparam("mitigation"),
        status=bindparam("status"),
        next_review_on=bindparam("next_review_on"),
        updated_at=bindparam("now"),
    )
)


def _draft_problems(uow: UnitOfWork, draft: RiskDraft) -> list[Problem]:
    problems = [] if draft.title.strip() else [Problem.of("value_missing", "title")]
    return problems + owner_problems(uow, draft.owner)


def add_risk(
    uow: UnitOfWork,
    project_id: int,
    draft: RiskDraft,
    assessment: Assessment,
    scale: Scale,
    today: date,
    channel: str = "form",
) -> int:
    """A new risk with its first assessment."""
    project = get_project(uow, project_id)
    require_case_editor(uow, project)
    problems = _draft_problems(uow, draft) + problems_in_assessment(scale, assessment, today)
    if problems:
        raise RegisterInvalid(problems)
    risk = int(
        uow.scalar(
            W_RISK,
            project_id=project.id,
            kind=draft.kind.value,
            title=draft.title.strip(),
            description=draft.description,
            category=draft.category.strip(),
            owner_id=draft.owner,
            assessment_id=None,
            **_current(assessment),
            review_asked_on=None,
            created_at=uow.now,
            updated_at=uow.now,
            version=1,
        )
    )
    uow.emit(
        rev.RiskAdded(
            project=project.id,
            risk=risk,
            risk_kind=draft.kind.value,
            title=draft.title.strip(),
            category=draft.category.strip(),
            owner=draft.owner,
            score=assessment.score,
        )
    )
    _assess(uow, project.id, risk, assessment, "", channel)
    return risk


def change_risk(uow: UnitOfWork, risk_id: int, draft: RiskDraft, seen: int) -> None:
    row = _risk(uow, risk_id)
    project = get_project(uow, row.project_id)
    require_case_editor(uow, project)
    problems = _draft_problems(uow, draft)
    if problems:
        raise RegisterInvalid(problems)
    changed = uow.conn.execute(
        W_RISK_CHANGE,
        {
            "risk": risk_id,
            "seen": seen,
            "kind": draft.kind.value,
            "title": draft.title.strip(),
            "description": draft.description,
            "category": draft.category.strip(),
            "owner": draft.owner,
            "now": uow.now,
        },
    ).rowcount
    if changed != 1:
        raise ConcurrentUpdate("risk")
    uow.emit(
        rev.RiskChanged(
            project=project.id,
            risk=risk_id,
            risk_kind=draft.kind.value,
            title=draft.title.strip(),
            category=draft.category.strip(),
            owner=draft.owner,
        )
    )


def assess_risk(
    uow: UnitOfWork,
    risk_id: int,
    assessment: Assessment,
    comment: str,
    channel: str,
    scale: Scale,
    today: date,
) -> int:
    """Reassess a risk: a new row, never an overwrite."""
    row = _risk(uow, risk_id)
    project = get_project(uow, row.project_id)
    if not may_edit_case(uow, project, also=row.owner_id):
        raise NotPermitted("assess_risk", person=uow.actor_name, project=project.name)
    problems = problems_in_assessment(scale, assessment, today)
    if problems:
        raise RegisterInvalid(problems)
    return _assess(uow, project.id, risk_id, assessment, comment, channel)


def _assess(
    uow: UnitOfWork, project: int, risk: int, a: Assessment, comment: str, channel: str
) -> int:
    assessment = int(
        uow.scalar(
            W_ASSESSMENT,
            risk_id=risk,
            probability=a.probability,
            consequence=a.consequence,
            probability_after=a.probability_after,
            consequence_after=a.consequence_after,
            response=a.response.value,
            mitigation=a.mitigation,
            status=a.status.value,
            next_review_on=a.next_review_on,
            comment=comment,
            assessed_by=uow.actor.person,
            assessed_at=uow.now,
            channel=channel,
        )
    )
    uow.conn.execute(
        W_CURRENT, {"risk": risk, "assessment": assessment, "now": uow.now, **_current(a)}
    )
    uow.emit(
        rev.RiskAssessed(
            project=project,
            risk=risk,
            assessment=assessment,
            probability=a.probability,
            consequence=a.consequence,
            score=a.score,
            score_after=a.score_after,
            response=a.response.value,
            status=a.status.value,
            next_review_on=a.next_review_on.isoformat() if a.next_review_on else None,
            channel=channel,
        )
    )
    return assessment


def _current(a: Assessment) -> dict[str, Any]:
    return {
        "probability": a.probability,
        "consequence": a.consequence,
        "score": a.score,
        "probability_after": a.probability_after,
        "consequence_after": a.consequence_after,
        "score_after": a.score_after,
        "response": a.response.value,
        "mitigation": a.mitigation,
        "status": a.status.value,
        "next_review_on": a.next_review_on,
    }


def _risk(uow: UnitOfWork, risk_id: int) -> Row[Any]:
    row = uow.one(Q_RISK, risk=risk_id)
    if row is None:
        raise NotFound("risk", risk=str(risk_id))
    return row
