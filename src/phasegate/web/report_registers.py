"""What a status report shows of the registers: the top open risks beside its risk
section, and its cost figures checked against the year's cost plan.

While the report is written, both come from the registers as they are now; a published
report shows what was kept when it was published (``ReportView.register``), so it reads
later as it was written. The check is :func:`phasegate.domain.plans.check_report`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from phasegate.domain.plans import CostFinding, YearCosts, check_report
from phasegate.domain.reports import ReportContent
from phasegate.engine.business_case import BusinessCase
from phasegate.i18n.formats import format_money
from phasegate.web.links import Voice


def live(
    case: BusinessCase, year: int, content: ReportContent | None, voice: Voice
) -> dict[str, Any]:
    """For the form: the register and the plan now, against the figures as typed."""
    risks = [
        {
            "title": r.title,
            "probability": r.probability,
            "consequence": r.consequence,
            "score": r.score,
            "owner": r.owner or "",
            "band": voice.t(f"report_band_{r.band.value}"),
            "colour": r.band.value,
        }
        for r in case.top_risks(5)
    ]
    plan = {y.year: y for y in case.plan.years}
    return _words(risks, plan, year, content, voice)


def kept(
    register: Mapping[str, Any] | None, content: ReportContent, voice: Voice
) -> dict[str, Any] | None:
    """For a published report: what it kept of the registers (None for reports published
    before phasegate kept them)."""
    if register is None:
        return None
    year = int(register["year"])
    planned = register.get("plan")
    plan = (
        {year: YearCosts(year, int(planned["investment"]), int(planned["operating"]))}
        if planned
        else {}
    )
    risks = [
        {**r, "owner": r.get("owner") or "", "band": "", "colour": ""}
        for r in register["top_risks"]
    ]
    return _words(risks, plan, year, content, voice)


def _words(
    risks: list[dict[str, Any]],
    plan: Mapping[int, YearCosts],
    year: int,
    content: ReportContent | None,
    voice: Voice,
) -> dict[str, Any]:
    t, locale = voice.t, voice.locale
    this_year = plan.get(year)
    budget = content.budget if content else None
    forecast = content.forecast if content else None
    return {
        "year": year,
        "top_risks": risks,
        "planned": t(
            "report_plan_year",
            year=str(year),
            investment=format_money(this_year.investment, locale),
            operating=format_money(this_year.operating, locale),
        )
        if this_year
        else t("report_plan_none", year=str(year)),
        "findings": [_finding(f, year, voice) for f in check_report(plan, year, budget, forecast)],
    }


def _finding(finding: CostFinding, year: int, voice: Voice) -> dict[str, str]:
    def money(amount: int | None) -> str:
        return format_money(amount, voice.locale) if amount is not None else ""

    text = voice.t(
        f"report_cost_{finding.check.value}",
        year=str(year),
        planned=money(finding.planned),
        reported=money(finding.reported),
    )
    return {"check": finding.check.value, "text": text}
