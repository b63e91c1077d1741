"""The tables of a project's business case: benefits, indicators and measurements, the
uncertainty register, and the cost and people plans by year (migration 0008).

Measurements and risk assessments are only ever inserted: a new value is a new row, so
two people who record at the same moment both keep theirs. A risk row carries a copy of
its latest assessment (the one with the highest id) for the register and the overviews.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Dialect,
    ForeignKey,
    Index,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from phasegate.storage.tables import Base, BigId, JsonData


class Fixed(TypeDecorator[Decimal]):
    """An exact decimal with four places, kept as a whole number of ten-thousandths, so
    SQLite and PostgreSQL store, compare and sort it alike. It reads back as written,
    without the storage's trailing zeros (1200, 300.5), so nothing that shows it has to
    strip them."""

    impl = BigInteger
    cache_ok = True
    SCALE = Decimal(10000)

    def process_bind_param(self, value: Decimal | None, _dialect: Dialect) -> int | None:
        if value is None:
            return None
        return int((Decimal(value) * self.SCALE).to_integral_value())

    def process_result_value(self, value: int | None, _dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(value) / self.SCALE  # exact: 12000000 reads 1200, 3005000 reads 300.5


class Benefit(Base):
    """A benefit (*gevinst*) a project is to bring, owned by someone in the line."""

    __tablename__ = "benefits"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (
        CheckConstraint("kind in ('economic', 'quality', 'time', 'other')", name="kind"),
    )


class Indicator(Base):
    """How a benefit is measured (*indikator*): from a baseline to a target."""

    __tablename__ = "indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    benefit_id: Mapped[int] = mapped_column(ForeignKey("benefits.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(40))
    direction: Mapped[str] = mapped_column(String(10))
    baseline: Mapped[Decimal] = mapped_column(Fixed)
    baseline_on: Mapped[date] = mapped_column(Date)
    target: Mapped[Decimal] = mapped_column(Fixed)
    target_on: Mapped[date] = mapped_column(Date)
    plan_cycle: Mapped[str | None] = mapped_column(String(100))  # a wheel reporting cycle
    plan_dates: Mapped[list[Any]] = mapped_column(JsonData)  # ISO dates, when not a cycle
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (
        CheckConstraint("direction in ('higher', 'lower')", name="direction"),
        CheckConstraint("target <> baseline", name="target"),
    )


class Measurement(Base):
    """One measured value of an indicator (*måling*); never changed once recorded."""

    __tablename__ = "measurements"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"))
    value: Mapped[Decimal] = mapped_column(Fixed)
    measured_on: Mapped[date] = mapped_column(Date)
    comment: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    recorded_at: Mapped[datetime]
    channel: Mapped[str] = mapped_column(String(10))

    __table_args__ = (
        CheckConstraint("channel in ('form', 'email', 'api', 'import')", name="channel"),
        Index("ix_measurements_latest", "indicator_id", "measured_on", "id"),
    )


class MeasurementDue(Base):
    """A day an indicator's plan says it is measured; the scheduler asks the benefit owner
    once for each (``asked_at``), under the unique key."""

    __tablename__ = "measurements_due"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"))
    due_on: Mapped[date] = mapped_column(Date)
    asked_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("indicator_id", "due_on"),
        Index("ix_measurements_due_waiting", "asked_at", "due_on"),
    )


class Risk(Base):
    """A risk or an opportunity (*usikkerhet*) in a project's register, with a copy of its
    latest assessment."""

    __tablename__ = "risks"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(80), default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    assessment_id: Mapped[int | None] = mapped_column(BigInteger)
    probability: Mapped[int]
    consequence: Mapped[int]
    score: Mapped[int]
    probability_after: Mapped[int | None]
    consequence_after: Mapped[int | None]
    score_after: Mapped[int | None]
    response: Mapped[str] = mapped_column(String(10))
    mitigation: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10))
    next_review_on: Mapped[date | None] = mapped_column(Date)
    review_asked_on: Mapped[date | None] = mapped_column(Date)  # the review date asked for
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (
        CheckConstraint("kind in ('risk', 'opportunity')", name="kind"),
        CheckConstraint("status in ('open', 'closed')", name="status"),
        CheckConstraint("response in ('avoid', 'reduce', 'transfer', 'accept')", name="response"),
        Index("ix_risks_review", "status", "next_review_on"),
        Index("ix_risks_score", "status", "score"),
    )


class RiskAssessment(Base):
    """One (re)assessment of a risk (*vurdering*); a new one is a new row."""

    __tablename__ = "risk_assessments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risks.id"), index=True)
    probability: Mapped[int]
    consequence: Mapped[int]
    probability_after: Mapped[int | None]
    consequence_after: Mapped[int | None]
    response: Mapped[str] = mapped_column(String(10))
    mitigation: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10))
    next_review_on: Mapped[date | None] = mapped_column(Date)
    comment: Mapped[str] = mapped_column(Text, default="")
    assessed_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    assessed_at: Mapped[datetime]
    channel: Mapped[str] = mapped_column(String(10))

    __table_args__ = (
        CheckConstraint("channel in ('form', 'email', 'api', 'import')", name="channel"),
    )


class ResourceTerm(Base):
    """An organisational unit or a competence, from the lists the PMO keeps."""

    __tablename__ = "resource_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (
        UniqueConstraint("kind", "name"),
        CheckConstraint("kind in ('unit', 'competence')", name="kind"),
    )


class ProjectPlan(Base):
    """Who last saved a project's cost and people plans; ``version`` guards a whole-plan
    save against another made since the form was opened."""

    __tablename__ = "project_plans"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), primary_key=True)
    version: Mapped[int] = mapped_column(default=1)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    updated_at: Mapped[datetime]


class CostPlanLine(Base):
    """A year's investment or operating effect in whole kroner; a saving is negative and
    may name the benefit it realises."""

    __tablename__ = "cost_plan_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    year: Mapped[int]
    kind: Mapped[str] = mapped_column(String(12))
    amount: Mapped[int] = mapped_column(BigInteger)
    benefit_id: Mapped[int | None] = mapped_column(ForeignKey("benefits.id"))
    note: Mapped[str] = mapped_column(String(300), default="")

    __table_args__ = (CheckConstraint("kind in ('investment', 'operating')", name="kind"),)


class PeoplePlanLine(Base):
    """Full-time equivalents (*årsverk*) a project needs in a year, by unit and competence."""

    __tablename__ = "people_plan_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    year: Mapped[int]
    unit_id: Mapped[int] = mapped_column(ForeignKey("resource_terms.id"))
    competence_id: Mapped[int] = mapped_column(ForeignKey("resource_terms.id"))
    fte: Mapped[Decimal] = mapped_column(Fixed)
    note: Mapped[str] = mapped_column(String(300), default="")
