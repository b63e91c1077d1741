"""The årshjul keeps the business case alive: it asks for due measurements and risk reviews.

- **A measurement whose plan is a reporting cycle** is due when that cycle's occurrence
  opens, for every active project whatever its phase; the tick asks in the transaction that
  opens the occurrence (:meth:`RegisterAsks.for_cycle`), so it is asked once.
- **A measurement whose plan lists dates** has a ``measurements_due`` row per date. Rows
  due within :data:`LOOK_AHEAD` and not yet asked are claimed in batches (``FOR UPDATE
  SKIP LOCKED`` on PostgreSQL; SQLite serialises writers) and stamped ``asked_at`` in the
  transaction that opens the deadline and queues the email, so two schedulers never ask
  twice (and the deadline's unique (subject, person) key backs that up).
- **A risk's review** is asked for once per review date: open risks whose
  ``next_review_on`` is within :data:`LOOK_AHEAD` and whose ``review_asked_on`` is not
  that date (``ix_risks_review``).

The benefit owner is asked (the risk owner for a risk), or the project manager when there
is none. From then on the deadline is chased by the ``measurement`` or ``risk_review``
policy in the wheel file, like a report; recording the measurement or reassessing the risk,
by any channel, closes it (:mod:`phasegate.cycle.deadlines`).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Row, bindparam, or_, select, update

from phasegate.cycle.deadlines import measurement_subject, open_deadlines, risk_review_subject
from phasegate.cycle.mail import CycleMail
from phasegate.cycle.plans import Cycle
from phasegate.domain import register_events as rev
from phasegate.domain.benefits import Measurement, progress
from phasegate.domain.reminders import DeadlineKind
from phasegate.domain.wheel import Occurrence
from phasegate.engine.business_case import definition_of
from phasegate.engine.service import Engine
from phasegate.engine.unit import UnitOfWork
from phasegate.errors import ConcurrentUpdate
from phasegate.i18n import LOCALES
from phasegate.mail.compose import Recipient
from phasegate.storage.registers import Benefit, Indicator, MeasurementDue, Risk
from phasegate.storage.registers import Measurement as MeasurementRow
from phasegate.storage.tables import Project

log = logging.getLogger(__name__)

#: How long before a planned measurement or a risk review its owner is asked.
LOOK_AHEAD = timedelta(days=14)

_INDICATOR = (
    Indicator.id,
    Indicator.name,
    Indicator.unit,
    Indicator.direction,
    Indicator.baseline,
    Indicator.baseline_on,
    Indicator.target,
    Indicator.target_on,
    Benefit.id.label("benefit_id"),
    Benefit.title.label("benefit"),
    Benefit.owner_id,
    Project.id.label("project_id"),
    Project.name.label("project"),
    Project.leader_id,
)
Q_CYCLE_INDICATORS = (
    select(*_INDICATOR)
    .join(Benefit, Benefit.id == Indicator.benefit_id)
    .join(Project, Project.id == Indicator.project_id)
    .where(Indicator.plan_cycle == bindparam("cycle"), Project.status == "active")
    .order_by(Indicator.id)
)
Q_DUE_MEASUREMENTS = (
    select(MeasurementDue.id.label("due_id"), MeasurementDue.due_on, *_INDICATOR)
    .join(Indicator, Indicator.id == MeasurementDue.indicator_id)
    .join(Benefit, Benefit.id == Indicator.benefit_id)
    .join(Project, Project.id == Indicator.project_id)
    .where(
        MeasurementDue.asked_at.is_(None),
        MeasurementDue.due_on <= bindparam("until"),
        Project.status == "active",
    )
    .order_by(MeasurementDue.due_on, MeasurementDue.id)
    .limit(bindparam("batch"))
    .with_for_update(of=MeasurementDue, skip_locked=True)
)
W_MEASUREMENT_ASKED = (
    update(MeasurementDue)
    .where(MeasurementDue.id.in_(bindparam("rows", expanding=True)))
    .where(MeasurementDue.asked_at.is_(None))
    .values(asked_at=bindparam("now"))
)
Q_MEASURED = (
    select(MeasurementRow.indicator_id, MeasurementRow.value, MeasurementRow.measured_on)
    .where(MeasurementRow.indicator_id.in_(bindparam("indicators", expanding=True)))
    .order_by(MeasurementRow.indicator_id, MeasurementRow.measured_on, MeasurementRow.id)
)
Q_DUE_REVIEWS = (
    select(
        Risk.id,
        Risk.kind,
        Risk.title,
        Risk.owner_id,
        Risk.next_review_on,
        Risk.probability,
        Risk.consequence,
        Risk.score,
        Project.id.label("project_id"),
        Project.name.label("project"),
        Project.leader_id,
    )
    .join(Project, Project.id == Risk.project_id)
    .where(
        Risk.status == "open",
        Risk.next_review_on <= bindparam("until"),
        or_(Risk.review_asked_on.is_(None), Risk.review_asked_on != Risk.next_review_on),
        Project.status == "active",
    )
    .order_by(Risk.next_review_on, Risk.id)
    .limit(bindparam("batch"))
    .with_for_update(of=Risk, skip_locked=True)
)
# Not a change a person made, so the risk's version (which guards their edits) stays.
W_REVIEW_ASKED = (
    update(Risk)
    .where(Risk.id == bindparam("risk"), Risk.next_review_on == bindparam("review_on"))
    .values(review_asked_on=bindparam("review_on"))
)


class RegisterAsks:
    """Asks benefit owners for due measurements and risk owners for due reviews."""

    def __init__(
        self, engine: Engine, cycle: Cycle, mail: CycleMail, batch: int, people: Callable[..., Any]
    ) -> None:
        self.engine = engine
        self.cycle = cycle
        self.mail = mail
        self.batch = batch
        self._people: Callable[[UnitOfWork, Iterable[int | None]], list[Recipient]] = people

    # --- measurements --------------------------------------------------------------------

    def for_cycle(self, uow: UnitOfWork, occurrence: Occurrence) -> int:
        """The measurements that follow this reporting cycle, asked as it opens."""
        rows = uow.rows(Q_CYCLE_INDICATORS, cycle=occurrence.event.id)
        due_on = occurrence.at.astimezone(self.cycle.wheel.zone).date()
        self._ask_measurements(uow, [(row, due_on, occurrence.at) for row in rows])
        return len(rows)

    def planned_measurements(self, now: datetime) -> int:
        """Ask for the planned dates coming within :data:`LOOK_AHEAD`, a batch at a time."""
        until = now.astimezone(self.cycle.wheel.zone).date() + LOOK_AHEAD
        asked = 0
        while True:
            try:
                with self.engine.unit(None) as uow:
                    rows = uow.rows(Q_DUE_MEASUREMENTS, until=until, batch=self.batch)
                    if not rows:
                        return asked
                    uow.conn.execute(
                        W_MEASUREMENT_ASKED, {"rows": [r.due_id for r in rows], "now": uow.now}
                    )
                    asks = [(r, r.due_on, self._end_of(r.due_on)) for r in rows]
                    self._ask_measurements(uow, asks)
            except ConcurrentUpdate:
                log.info("another scheduler asked for these measurements first")
                return asked
            asked += len(rows)
            if len(rows) < self.batch:
                return asked

    def _ask_measurements(
        self, uow: UnitOfWork, asks: list[tuple[Row[Any], date, datetime]]
    ) -> None:
        if not asks:
            return
        measured: dict[int, list[Measurement]] = defaultdict(list)
        found = uow.conn.execute(Q_MEASURED, {"indicators": sorted({a[0].id for a in asks})})
        for m in found:
            measured[m.indicator_id].append(Measurement(m.value, m.measured_on))
        people = {p.id: p for p in self._people(uow, _askees(row for row, _, _ in asks))}
        today = uow.now.astimezone(self.cycle.wheel.zone).date()
        for row, due_on, due in asks:
            asked = row.owner_id or row.leader_id
            uow.emit(
                rev.MeasurementRequested(
                    project=row.project_id,
                    indicator=row.id,
                    due_on=due_on.isoformat(),
                    person=asked,
                )
            )
            if asked is None or asked not in people:
                log.warning("%s has no benefit owner or manager to measure", row.project)
                continue
            open_deadlines(
                uow,
                self.cycle,
                kind=DeadlineKind.MEASUREMENT,
                subject=measurement_subject(row.id, due_on),
                people=[asked],
                project=row.project_id,
                titles=dict.fromkeys(LOCALES, f"{row.name} ({row.benefit})"),
                due=due,
            )
            definition = definition_of(row)
            self.mail.measurement_requested(
                uow,
                person=people[asked],
                project=(row.project_id, row.project),
                benefit=row.benefit,
                indicator=(row.id, row.name),
                definition=definition,
                progress=progress(definition, measured.get(row.id, []), today),
                owner=row.owner_id == asked,
                due_on=due_on,
                due=due,
            )

    def _end_of(self, day: date) -> datetime:
        """The end of the working day a planned measurement is due (the next working day's
        if it falls on a day off), in the wheel's zone."""
        wheel = self.cycle.wheel
        working = wheel.calendar.next_working_day(day)
        ends = wheel.calendar.working_day_ends(working) or wheel.day_ends
        return datetime.combine(working, ends, tzinfo=wheel.zone)

    # --- risk reviews --------------------------------------------------------------------

    def risk_reviews(self, now: datetime) -> int:
        """Ask the owners of risks whose review date comes within :data:`LOOK_AHEAD`."""
        until = now.astimezone(self.cycle.wheel.zone).date() + LOOK_AHEAD
        asked = 0
        while True:
            try:
                with self.engine.unit(None) as uow:
                    rows = uow.rows(Q_DUE_REVIEWS, until=until, batch=self.batch)
                    if not rows:
                        return asked
                    self._ask_reviews(uow, rows)
            except ConcurrentUpdate:
                log.info("another scheduler asked for these risk reviews first")
                return asked
            asked += len(rows)
            if len(rows) < self.batch:
                return asked

    def _ask_reviews(self, uow: UnitOfWork, rows: Sequence[Row[Any]]) -> None:
        people = {p.id: p for p in self._people(uow, _askees(rows))}
        for row in rows:
            uow.conn.execute(W_REVIEW_ASKED, {"risk": row.id, "review_on": row.next_review_on})
            asked = row.owner_id or row.leader_id
            uow.emit(
                rev.RiskReviewRequested(
                    project=row.project_id,
                    risk=row.id,
                    review_on=row.next_review_on.isoformat(),
                    person=asked,
                )
            )
            if asked is None or asked not in people:
                log.warning("%s has no risk owner or manager to review it", row.project)
                continue
            due = self._end_of(row.next_review_on)
            open_deadlines(
                uow,
                self.cycle,
                kind=DeadlineKind.RISK_REVIEW,
                subject=risk_review_subject(row.id, row.next_review_on),
                people=[asked],
                project=row.project_id,
                titles=dict.fromkeys(LOCALES, row.title),
                due=due,
            )
            self.mail.risk_review_requested(
                uow, person=people[asked], risk=row, owner=row.owner_id == asked, due=due
            )


def _askees(rows: Iterable[Row[Any]]) -> set[int]:
    return {p for row in rows for p in (row.owner_id, row.leader_id) if p is not None}
