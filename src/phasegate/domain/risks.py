"""The uncertainty register (*usikkerhetsregister*): risks and opportunities, scored. Pure.

A risk (or an opportunity, its good twin) is scored for probability (*sannsynlighet*) and
consequence (*konsekvens*) on the scale set in configuration, 5 × 5 by default, before
and after its mitigation (*tiltak*). The score is their product. Each reassessment is a
new assessment; the register shows the latest, the history keeps all of them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Protocol, TypeVar

from phasegate.domain.problems import Problem


class RiskKind(StrEnum):
    RISK = "risk"  # trussel
    OPPORTUNITY = "opportunity"  # mulighet


class Response(StrEnum):
    """What is done about it (*tiltaksstrategi*)."""

    AVOID = "avoid"  # unngå
    REDUCE = "reduce"  # redusere
    TRANSFER = "transfer"  # overføre
    ACCEPT = "accept"  # akseptere


class RiskStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Band(StrEnum):
    """Where a score falls on the matrix: the colour of its cell."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@dataclass(frozen=True)
class Scale:
    """The matrix: how many steps probability and consequence have (5 × 5 by default),
    and the share of the largest score from which a cell is medium, and high."""

    probability: int = 5
    consequence: int = 5
    medium_from: float = 0.2  # of the largest score: 5 of 25
    high_from: float = 0.48  # 12 of 25

    def __post_init__(self) -> None:
        if not (2 <= self.probability <= 10 and 2 <= self.consequence <= 10):
            raise ValueError("a risk scale has 2 to 10 steps each way")
        if not 0 < self.medium_from < self.high_from <= 1:
            raise ValueError("0 < medium_from < high_from ≤ 1")

    @property
    def largest(self) -> int:
        return self.probability * self.consequence

    def cell(self, probability: int, consequence: int) -> tuple[int, int]:
        """The matrix cell a pair of scores falls in; scores off this scale (from an older,
        larger one) count on the nearest edge."""
        return (
            min(max(probability, 1), self.probability),
            min(max(consequence, 1), self.consequence),
        )

    def band(self, score: int) -> Band:
        if score >= self.high_from * self.largest:
            return Band.HIGH
        if score >= self.medium_from * self.largest:
            return Band.MEDIUM
        return Band.LOW


@dataclass(frozen=True)
class Assessment:
    """One (re)assessment of a risk (*vurdering*): the scores, and the state it left."""

    probability: int
    consequence: int
    probability_after: int | None
    consequence_after: int | None
    response: Response
    mitigation: str
    status: RiskStatus
    next_review_on: date | None

    @property
    def score(self) -> int:
        return self.probability * self.consequence

    @property
    def score_after(self) -> int | None:
        if self.probability_after is None or self.consequence_after is None:
            return None
        return self.probability_after * self.consequence_after


def problems_in_assessment(scale: Scale, assessment: Assessment, today: date) -> list[Problem]:
    """Scores on the scale, both 'after' scores or neither, and a review date for an open
    risk that is not in the past."""
    problems: list[Problem] = []
    steps = {
        "probability": (assessment.probability, scale.probability),
        "consequence": (assessment.consequence, scale.consequence),
        "probability_after": (assessment.probability_after, scale.probability),
        "consequence_after": (assessment.consequence_after, scale.consequence),
    }
    for field, (value, top) in steps.items():
        if value is None:
            if not field.endswith("_after"):
                problems.append(Problem.of("risk_score_missing", field, top=top))
        elif not 1 <= value <= top:
            problems.append(Problem.of("risk_score_off_scale", field, value=value, top=top))
    if (assessment.probability_after is None) != (assessment.consequence_after is None):
        missing = (
            "probability_after" if assessment.probability_after is None else ("consequence_after")
        )
        problems.append(Problem.of("risk_after_half", missing))
    if assessment.status is RiskStatus.OPEN:
        if assessment.next_review_on is None:
            problems.append(Problem.of("risk_review_missing", "next_review_on"))
        elif assessment.next_review_on < today:
            problems.append(Problem.of("risk_review_past", "next_review_on", today=today))
    return problems


@dataclass(frozen=True)
class Scored:
    """A risk as the register lists it: who it is, and its latest assessment's scores."""

    id: int
    kind: RiskKind
    probability: int
    consequence: int
    score: int
    status: RiskStatus


class Ranked(Protocol):
    """Whatever has a risk's id, kind, status, consequence and score (a view, a row)."""

    @property
    def id(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def consequence(self) -> int: ...
    @property
    def score(self) -> int: ...


R = TypeVar("R", bound=Ranked)


def top(risks: Iterable[R], count: int = 5) -> list[R]:
    """The open risks (not opportunities) with the highest scores, highest first; of equal
    scores the higher consequence, then the older risk first. The one ranking the
    register, a status report and its kept copy use."""
    open_risks = [r for r in risks if r.status == RiskStatus.OPEN and r.kind == RiskKind.RISK]
    open_risks.sort(key=lambda r: (-r.score, -r.consequence, r.id))
    return open_risks[:count]


def matrix(scale: Scale, cells: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Counts per cell, ``rows[probability − 1][consequence − 1]``; off-scale pairs (from an
    older, larger scale) are counted on the nearest edge."""
    counted = Counter(scale.cell(p, c) for p, c in cells)
    return [
        [counted.get((p, c), 0) for c in range(1, scale.consequence + 1)]
        for p in range(1, scale.probability + 1)
    ]


def review_overdue(assessment: Assessment, today: date) -> bool:
    return (
        assessment.status is RiskStatus.OPEN
        and assessment.next_review_on is not None
        and assessment.next_review_on < today
    )


def scale_steps(top_: int) -> Sequence[int]:
    return range(1, top_ + 1)
