"""The engine's operations on a project's business case: benefits, indicators and
measurements, risks and their assessments, cost and people plans, and the PMO's lists of
units and competences. A part of :class:`~phasegate.engine.service.Engine`, kept apart to
keep that module short; each method is one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from phasegate.domain.plans import CostLine, PeopleLine
from phasegate.domain.risks import Assessment, Scale
from phasegate.domain.wheel import EventKind, Wheel
from phasegate.engine import benefits, plans, risks
from phasegate.engine.benefits import BenefitDraft, IndicatorDraft
from phasegate.engine.business_case import BusinessCase, Term, business_case, terms
from phasegate.engine.lookups import get_project
from phasegate.engine.risks import RiskDraft
from phasegate.engine.unit import UnitOfWork

OSLO = ZoneInfo("Europe/Oslo")


class CaseWriting:
    """Benefits, risks and plans: what the pages, the API, email links and imports call."""

    clock: Callable[[], datetime]
    wheel: Wheel | None
    scale: Scale

    def unit(self, actor: int | None) -> AbstractContextManager[UnitOfWork]:
        raise NotImplementedError  # the engine's (service.py)

    def reading(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError  # the engine's (service.py)

    def asking(self, person: int) -> AbstractContextManager[UnitOfWork]:
        raise NotImplementedError  # the engine's (service.py)

    # --- the day, the cycles -----------------------------------------------------------

    def today(self) -> date:
        """The organisation's date now (the wheel's time zone)."""
        zone = self.wheel.zone if self.wheel is not None else OSLO
        return self.clock().astimezone(zone).date()

    def reporting_cycles(self) -> list[str]:
        """The wheel's reporting cycles by id: what an indicator's plan may follow."""
        if self.wheel is None:
            return []
        return [e.id for e in self.wheel.events if e.kind is EventKind.REPORTING_CYCLE]

    # --- benefits ------------------------------------------------------------------------

    def add_benefit(self, project: int, draft: BenefitDraft, *, actor: int | None) -> int:
        with self.unit(actor) as uow:
            return benefits.add_benefit(uow, project, draft)

    def change_benefit(
        self, benefit: int, draft: BenefitDraft, seen: int, *, actor: int | None
    ) -> None:
        with self.unit(actor) as uow:
            benefits.change_benefit(uow, benefit, draft, seen)

    def add_indicator(self, benefit: int, draft: IndicatorDraft, *, actor: int | None) -> int:
        with self.unit(actor) as uow:
            return benefits.add_indicator(uow, benefit, draft, self.reporting_cycles())

    def change_indicator(
        self, indicator: int, draft: IndicatorDraft, seen: int, *, actor: int | None
    ) -> None:
        with self.unit(actor) as uow:
            benefits.change_indicator(uow, indicator, draft, seen, self.reporting_cycles())

    def record_measurement(
        self,
        indicator: int,
        value: Decimal,
        measured_on: date,
        comment: str = "",
        *,
        channel: str = "form",
        actor: int | None,
    ) -> int:
        """Keep a measured value (a new row, never an overwrite)."""
        with self.unit(actor) as uow:
            return benefits.record_measurement(
                uow, indicator, value, measured_on, comment, channel, self.today()
            )

    # --- risks ---------------------------------------------------------------------------

    def add_risk(
        self,
        project: int,
        draft: RiskDraft,
        assessment: Assessment,
        *,
        channel: str = "form",
        actor: int | None,
    ) -> int:
        with self.unit(actor) as uow:
            return risks.add_risk(
                uow, project, draft, assessment, self.scale, self.today(), channel
            )

    def change_risk(self, risk: int, draft: RiskDraft, seen: int, *, actor: int | None) -> None:
        with self.unit(actor) as uow:
            risks.change_risk(uow, risk, draft, seen)

    def assess_risk(
        self,
        risk: int,
        assessment: Assessment,
        comment: str = "",
        *,
        channel: str = "form",
        actor: int | None,
    ) -> int:
        """Reassess a risk: a new assessment row; the register shows the latest."""
        with self.unit(actor) as uow:
            return risks.assess_risk(
                uow, risk, assessment, comment, channel, self.scale, self.today()
            )

    # --- plans ---------------------------------------------------------------------------

    def save_plans(
        self,
        project: int,
        *,
        costs: Sequence[CostLine] | None = None,
        people: Sequence[PeopleLine] | None = None,
        seen: int,
        actor: int | None,
    ) -> None:
        """Replace the cost plan, the people plan or both, under the version read."""
        with self.unit(actor) as uow:
            plans.save_plans(uow, project, costs, people, seen)

    def save_term(
        self,
        kind: str,
        name: str,
        *,
        term: int | None = None,
        active: bool = True,
        actor: int | None,
    ) -> int:
        with self.unit(actor) as uow:
            return plans.save_term(uow, kind, name, term=term, active=active)

    # --- reading -------------------------------------------------------------------------

    def check_case_editor(self, project: int, person: int) -> None:
        """NotPermitted unless ``person`` may change the project's benefits, risks and
        plans; NotFound for no such project. Reads only."""
        with self.asking(person) as uow:
            benefits.require_case_editor(uow, get_project(uow, project))

    def may_edit_case(self, project: int, person: int) -> bool:
        """Whether ``person`` may change the project's business case (reads only)."""
        with self.asking(person) as uow:
            return benefits.may_edit_case(uow, get_project(uow, project))

    def business_case(self, project: int) -> BusinessCase:
        """The project's benefits, risks and plans, with progress as of today."""
        with self.reading() as conn:
            return business_case(conn, project, self.scale, self.today())

    def terms(self) -> list[Term]:
        with self.reading() as conn:
            return terms(conn)
