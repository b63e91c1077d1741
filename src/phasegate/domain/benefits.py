"""Benefits (*gevinster*), their indicators and measurements, and how far each has come.

Pure: plain values in, plain values out, the day given by the caller. After DFØ's
*gevinstrealisering*: a benefit has an owner in the line (*gevinsteier*) and one or more
indicators; an indicator has a baseline (*nullpunktsmåling*), a target, a direction and a
plan for when it is measured; measurements are kept, never overwritten.

**Achievement** (*oppnåelse*) of an indicator is ``(latest − baseline) / (target −
baseline)``: 0 at the baseline, 1 at the target, above 1 beyond it, below 0 when things went
the wrong way. The same formula serves both directions, because the target lies on the good
side of the baseline (a definition where it does not is refused). :func:`progress` is the
one place it is computed; every page, email and export shows what it returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from enum import StrEnum

from phasegate.domain.problems import Problem


class BenefitKind(StrEnum):
    """What kind of gain (*gevinsttype*)."""

    ECONOMIC = "economic"  # økonomisk: kroner saved or earned
    QUALITY = "quality"  # kvalitet: better service, fewer errors
    TIME = "time"  # spart tid: hours freed
    OTHER = "other"


class Direction(StrEnum):
    """Which way is better for an indicator."""

    HIGHER = "higher"
    LOWER = "lower"


class Trend(StrEnum):
    """How the latest measurement moved against the one before, judged by the direction."""

    BETTER = "better"
    WORSE = "worse"
    SAME = "same"
    NONE = "none"  # fewer than two measurements


class BenefitStatus(StrEnum):
    """Derived, never entered (*gevinststatus*)."""

    PLANNED = "planned"  # no measurement after the baseline yet
    REALISING = "realising"  # measured, target not yet reached, target date not passed
    REALISED = "realised"  # every indicator has reached its target
    NOT_REALISED = "not_realised"  # a target date passed without the target reached


#: The most indicators a benefit, and measurement dates a plan, may list.
MAX_PLAN_DATES = 40

#: How many digits an indicator's values keep after the decimal point.
PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class IndicatorDefinition:
    """What an indicator measures and where it should end (*indikator*)."""

    unit: str
    direction: Direction
    baseline: Decimal
    baseline_on: date
    target: Decimal
    target_on: date


@dataclass(frozen=True)
class Measurement:
    """One measured value (*måling*) on a day."""

    value: Decimal
    measured_on: date


@dataclass(frozen=True)
class Progress:
    """How far one indicator has come, for display anywhere."""

    achievement: Decimal | None  # None: nothing measured after the baseline
    latest: Measurement | None
    previous: Measurement | None
    trend: Trend
    reached: bool
    overdue: bool  # the target date has passed without the target reached

    @property
    def percent(self) -> int | None:
        """The achievement as a whole per cent, rounded as people round (62.5 → 63)."""
        if self.achievement is None:
            return None
        return int((self.achievement * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def problems_in_definition(
    definition: IndicatorDefinition, field_prefix: str = ""
) -> list[Problem]:
    """What makes an indicator's definition unusable; empty when it is sound."""
    problems: list[Problem] = []
    if not definition.unit.strip():
        problems.append(Problem.of("indicator_unit_missing", f"{field_prefix}unit"))
    if definition.target == definition.baseline:
        problems.append(
            Problem.of(
                "indicator_target_equals_baseline", f"{field_prefix}target", value=definition.target
            )
        )
    elif (definition.target > definition.baseline) != (definition.direction is Direction.HIGHER):
        problems.append(
            Problem.of(
                "indicator_target_wrong_side",
                f"{field_prefix}target",
                direction=definition.direction.value,
                baseline=definition.baseline,
                target=definition.target,
            )
        )
    if definition.target_on <= definition.baseline_on:
        problems.append(
            Problem.of(
                "indicator_target_before_baseline",
                f"{field_prefix}target_on",
                baseline_on=definition.baseline_on,
            )
        )
    return problems


def problems_in_plan(
    dates: Sequence[date], cycle: str | None, cycles: Sequence[str], field: str = "plan"
) -> list[Problem]:
    """A measurement plan names a known reporting cycle, or lists dates, not both."""
    if cycle and dates:
        return [Problem.of("plan_cycle_and_dates", field)]
    if cycle is not None and cycle not in cycles:
        return [Problem.of("plan_cycle_unknown", field, cycle=cycle, cycles=list(cycles))]
    if len(dates) > MAX_PLAN_DATES:
        return [Problem.of("plan_too_many_dates", field, limit=MAX_PLAN_DATES)]
    return []


def problems_in_measurement(
    definition: IndicatorDefinition, measurement: Measurement, today: date
) -> list[Problem]:
    """A measurement before the baseline, or in the future, is refused."""
    if measurement.measured_on < definition.baseline_on:
        return [
            Problem.of(
                "measurement_before_baseline",
                "measured_on",
                baseline_on=definition.baseline_on,
            )
        ]
    if measurement.measured_on > today:
        return [Problem.of("measurement_in_future", "measured_on", today=today)]
    return []


def achievement(definition: IndicatorDefinition, value: Decimal) -> Decimal:
    """``(value − baseline) / (target − baseline)``, to four places."""
    span = definition.target - definition.baseline
    if span == 0:
        raise ValueError("an indicator whose target equals its baseline has no achievement")
    return ((value - definition.baseline) / span).quantize(PLACES, rounding=ROUND_HALF_EVEN)


def latest_two(
    measurements: Sequence[Measurement],
) -> tuple[Measurement | None, Measurement | None]:
    """The latest measurement and the one before it, by day (then by the order given, so
    of two on one day the later recorded counts)."""
    ordered = sorted(enumerate(measurements), key=lambda pair: (pair[1].measured_on, pair[0]))
    latest = ordered[-1][1] if ordered else None
    previous = ordered[-2][1] if len(ordered) > 1 else None
    return latest, previous


def progress(
    definition: IndicatorDefinition, measurements: Sequence[Measurement], today: date
) -> Progress:
    """How far the indicator has come on ``today``: the one computation every view shows.

    Measurements dated before the baseline are ignored (they are refused when recorded;
    an import of old data may still hold some).
    """
    usable = [m for m in measurements if m.measured_on >= definition.baseline_on]
    latest, previous = latest_two(usable)
    if latest is None:
        return Progress(None, None, None, Trend.NONE, False, today > definition.target_on)
    value = achievement(definition, latest.value)
    reached = value >= 1
    return Progress(
        achievement=value,
        latest=latest,
        previous=previous,
        trend=trend(definition.direction, latest, previous),
        reached=reached,
        overdue=not reached and today > definition.target_on,
    )


def trend(direction: Direction, latest: Measurement, previous: Measurement | None) -> Trend:
    if previous is None:
        return Trend.NONE
    if latest.value == previous.value:
        return Trend.SAME
    better = latest.value > previous.value
    return Trend.BETTER if better == (direction is Direction.HIGHER) else Trend.WORSE


def status(progresses: Sequence[Progress]) -> BenefitStatus:
    """A benefit's status from its indicators' progress.

    Realised when every indicator reached its target; not realised when one passed its
    target date without reaching it; being realised once anything is measured; else
    planned (which includes a benefit with no indicator yet).
    """
    if progresses and all(p.reached for p in progresses):
        return BenefitStatus.REALISED
    if any(p.overdue for p in progresses):
        return BenefitStatus.NOT_REALISED
    if any(p.latest is not None for p in progresses):
        return BenefitStatus.REALISING
    return BenefitStatus.PLANNED


def expected_on(definition: IndicatorDefinition, day: date) -> Decimal:
    """Where a straight line from baseline to target says the indicator should be on
    ``day``: the realisation curve the charts draw and a late benefit falls behind."""
    if day <= definition.baseline_on:
        return definition.baseline
    if day >= definition.target_on:
        return definition.target
    whole = (definition.target_on - definition.baseline_on).days
    done = (day - definition.baseline_on).days
    share = Decimal(done) / Decimal(whole)
    return definition.baseline + (definition.target - definition.baseline) * share


def parse_value(text: str) -> Decimal | None:
    """A number as a person types it: "1 234,5", "1234.5", "-3"; None if it is none."""
    cleaned = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except ArithmeticError:
        return None
    if not value.is_finite() or abs(value) >= Decimal(10) ** 14:
        return None
    return value.quantize(PLACES, rounding=ROUND_HALF_EVEN)


def due_dates(dates: Sequence[date], after: date) -> list[date]:
    """The plan's dates after ``after``, in order, each once."""
    return sorted({d for d in dates if d > after})
