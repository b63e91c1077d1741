"""How the business case reads on the project page and in its forms: numbers and days in
the reader's language, a trend in words, who may change what, and the matrix's filter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from phasegate.domain.benefits import Trend
from phasegate.domain.risks import RiskStatus
from phasegate.engine.business_case import BenefitView, BusinessCase, IndicatorView, RiskView
from phasegate.i18n import Words
from phasegate.i18n.formats import format_money, format_number, format_short_date


class Show:
    """Numbers, money and days in the reader's language, for the templates."""

    def __init__(self, locale: str) -> None:
        self.locale = locale

    def number(self, value: Decimal | int | None) -> str:
        return "–" if value is None else format_number(value, self.locale)

    def money(self, amount: int | None) -> str:
        return "–" if amount is None else format_money(amount, self.locale)

    def day(self, day: date | None) -> str:
        return "–" if day is None else format_short_date(day, self.locale)


@dataclass(frozen=True)
class Trended:
    """A trend as an arrow (the value's movement) and words (better, worse): the words are
    the information, never the arrow or a colour alone."""

    arrow: str
    key: str


def trend_of(indicator: IndicatorView) -> Trended:
    p = indicator.progress
    if p.trend is Trend.NONE or p.latest is None or p.previous is None:
        return Trended("", "case_trend_none")
    if p.latest.value > p.previous.value:
        arrow = "↑"
    elif p.latest.value < p.previous.value:
        arrow = "↓"
    else:
        arrow = "→"
    return Trended(arrow, f"case_trend_{p.trend}")


STATUS_COLOUR = {
    "planned": "neutral",
    "realising": "info",
    "realised": "success",
    "not_realised": "danger",
}
BAND_COLOUR = {"low": "success", "medium": "warning", "high": "danger"}


@dataclass(frozen=True)
class Permissions:
    """What the reader may change here: the engine's rule, asked once (buttons only)."""

    editor: bool
    person: int | None

    def measure(self, benefit: BenefitView) -> bool:
        return self.editor or (self.person is not None and benefit.owner_id == self.person)

    def assess(self, risk: RiskView) -> bool:
        return self.editor or (self.person is not None and risk.owner_id == self.person)


def cell_of(text: str | None, case: BusinessCase) -> tuple[int, int] | None:
    """``?cell=3-4``: probability 3, consequence 4, if the scale has that cell."""
    if not text or text.count("-") != 1:
        return None
    p, c = text.split("-")
    if not (p.isdigit() and c.isdigit()):
        return None
    cell = (int(p), int(c))
    fits = 1 <= cell[0] <= case.scale.probability and 1 <= cell[1] <= case.scale.consequence
    return cell if fits else None


def in_cell(risk: RiskView, cell: tuple[int, int], case: BusinessCase) -> bool:
    """The matrix counts off-scale scores on its nearest edge; the filter does the same."""
    return (
        risk.status is RiskStatus.OPEN
        and case.scale.cell(risk.probability, risk.consequence) == cell
    )


def measurement_facts(
    t: Words, show: Show, benefit: BenefitView, indicator: IndicatorView
) -> list[tuple[str, str]]:
    """What the person measuring needs to see: where the indicator started and should end."""
    d, latest = indicator.definition, indicator.progress.latest
    last = t("case_not_measured")
    if latest is not None:
        last = t("case_value_on", value=show.number(latest.value), day=show.day(latest.measured_on))
    return [
        (t("case_benefit"), benefit.title),
        (t("case_indicator"), f"{indicator.name} ({d.unit})"),
        (
            t("case_baseline"),
            t("case_value_on", value=show.number(d.baseline), day=show.day(d.baseline_on)),
        ),
        (
            t("case_target"),
            t("case_value_by", value=show.number(d.target), day=show.day(d.target_on)),
        ),
        (t("case_latest"), last),
    ]


def assessment_facts(t: Words, show: Show, risk: RiskView) -> list[tuple[str, str]]:
    band = t(f"case_band_{risk.band}")
    score = t(
        "case_score_words", p=risk.probability, c=risk.consequence, score=risk.score, band=band
    )
    return [
        (t("case_risk_title"), risk.title),
        (t("case_score_now"), score),
        (t("case_next_review"), show.day(risk.next_review_on)),
    ]
