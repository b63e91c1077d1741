"""What happens to a project's business case: benefits, indicators, measurements, risks
and plans. Each is an audit event and a webhook event type, like the gate events.

Values that are decimals travel as text ("1234.5"), so the audit trail and a webhook's
JSON keep them exact.
"""

from __future__ import annotations

from dataclasses import dataclass

from phasegate.domain.events import Event


@dataclass(frozen=True)
class BenefitAdded(Event):
    project: int
    benefit: int
    title: str
    benefit_kind: str
    owner: int | None


@dataclass(frozen=True)
class BenefitChanged(Event):
    project: int
    benefit: int
    title: str
    benefit_kind: str
    owner: int | None


@dataclass(frozen=True)
class _IndicatorFacts(Event):
    """What an indicator is, as added or as changed to."""

    project: int
    benefit: int
    indicator: int
    name: str
    unit: str
    direction: str
    baseline: str
    baseline_on: str
    target: str
    target_on: str
    plan_cycle: str | None
    plan_dates: tuple[str, ...]


@dataclass(frozen=True)
class IndicatorAdded(_IndicatorFacts):
    pass


@dataclass(frozen=True)
class IndicatorChanged(_IndicatorFacts):
    pass


@dataclass(frozen=True)
class MeasurementRecorded(Event):
    """A measured value (*måling*); ``channel`` is form, email, api or import."""

    project: int
    benefit: int
    indicator: int
    measurement: int
    value: str
    measured_on: str
    channel: str
    achievement: str | None  # after this measurement, "0.4500"; None if it is not latest


@dataclass(frozen=True)
class MeasurementRequested(Event):
    """The scheduler asked the benefit owner for a measurement the plan has due."""

    project: int
    indicator: int
    due_on: str
    person: int | None


@dataclass(frozen=True)
class RiskAdded(Event):
    project: int
    risk: int
    risk_kind: str
    title: str
    category: str
    owner: int | None
    score: int


@dataclass(frozen=True)
class RiskChanged(Event):
    """The risk's title, description, category, kind or owner changed."""

    project: int
    risk: int
    risk_kind: str
    title: str
    category: str
    owner: int | None


@dataclass(frozen=True)
class RiskAssessed(Event):
    """A (re)assessment (*vurdering*), kept as a new row."""

    project: int
    risk: int
    assessment: int
    probability: int
    consequence: int
    score: int
    score_after: int | None
    response: str
    status: str
    next_review_on: str | None
    channel: str


@dataclass(frozen=True)
class RiskReviewRequested(Event):
    """The risk's review date came near, and its owner was asked to reassess it."""

    project: int
    risk: int
    review_on: str
    person: int | None


@dataclass(frozen=True)
class CostPlanSaved(Event):
    project: int
    years: tuple[int, ...]
    investment: int  # the sum over the years, whole kroner
    operating: int


@dataclass(frozen=True)
class PeoplePlanSaved(Event):
    project: int
    years: tuple[int, ...]
    fte: str  # the sum over the years


@dataclass(frozen=True)
class ResourceTermSaved(Event):
    """The PMO added, renamed, retired or restored a unit or a competence."""

    term: int
    term_kind: str
    name: str
    active: bool


#: The business case's event types, for the webhooks' catalogue.
REGISTER_EVENTS: tuple[type[Event], ...] = (
    BenefitAdded,
    BenefitChanged,
    IndicatorAdded,
    IndicatorChanged,
    MeasurementRecorded,
    MeasurementRequested,
    RiskAdded,
    RiskChanged,
    RiskAssessed,
    RiskReviewRequested,
    CostPlanSaved,
    PeoplePlanSaved,
)
