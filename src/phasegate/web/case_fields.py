"""Each business case form's fields, what it starts from, and how its POST is read.

A form is a list of :class:`~phasegate.web.case_forms.Group` built from what was typed
(:class:`~phasegate.web.case_forms.Typed`); reading a POST gives the engine's draft, or
the problems that stop it (:class:`~phasegate.web.case_forms.Posted`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from phasegate.domain.benefits import BenefitKind, Direction, IndicatorDefinition
from phasegate.domain.plans import CostKind, CostLine, PeopleLine
from phasegate.domain.problems import Problem
from phasegate.domain.risks import Assessment, RiskKind, RiskStatus, Scale
from phasegate.domain.risks import Response as RiskResponse
from phasegate.engine.benefits import BenefitDraft, IndicatorDraft
from phasegate.engine.business_case import BenefitView, IndicatorView, RiskView
from phasegate.engine.risks import RiskDraft
from phasegate.i18n import Words
from phasegate.web.case_forms import Field, Group, Posted, Typed, enum_choices, grouped, iso

Choices = tuple[tuple[str, str], ...]

#: The scale's words are written for the default five steps; other scales show numbers.
WORDED_STEPS = 5


# --- benefits ------------------------------------------------------------------------------


def benefit_groups(t: Words, typed: Typed, people: Choices) -> list[Group]:
    kinds = enum_choices(BenefitKind, t, "case_kind_")
    owner_hint = t("case_benefit_owner_hint")
    return [
        Group(
            "",
            (
                typed.text("title", t("case_benefit_title")),
                typed.area("description", t("case_description")),
                typed.select("kind", t("case_benefit_kind"), kinds, "economic"),
                typed.select("owner", t("case_benefit_owner"), people, hint=owner_hint),
            ),
        )
    ]


def benefit_values(benefit: BenefitView | None) -> dict[str, str]:
    if benefit is None:
        return {}
    return {
        "title": benefit.title,
        "description": benefit.description,
        "kind": str(benefit.kind),
        "owner": "" if benefit.owner_id is None else str(benefit.owner_id),
    }


def read_benefit(read: Posted, people: Sequence[int]) -> BenefitDraft:
    return BenefitDraft(
        read.text("title"),
        read.form.get("description", "").strip(),
        read.choice("kind", BenefitKind) or BenefitKind.OTHER,
        read.row_id("owner", people),
    )


# --- indicators ----------------------------------------------------------------------------


def indicator_groups(t: Words, typed: Typed, cycles: Mapping[str, str], dates: int) -> list[Group]:
    number = t("case_number_hint")
    plan_choices = (("", t("case_plan_no_cycle")), *cycles.items())
    plan_dates = (typed.day(f"plan_date_{n}", t("case_plan_date", n=n + 1)) for n in range(dates))
    directions = enum_choices(Direction, t, "case_direction_")
    return [
        Group(
            "",
            (
                typed.text("name", t("case_indicator_name")),
                typed.text("unit", t("case_unit"), t("case_unit_hint")),
                typed.radio("direction", t("case_direction"), directions, "higher"),
            ),
        ),
        Group(
            t("case_baseline"),
            (
                typed.text("baseline", t("case_baseline_value"), number, numeric=True),
                typed.day("baseline_on", t("case_baseline_on")),
            ),
            name="g-baseline",
            hint=t("case_baseline_hint"),
        ),
        Group(
            t("case_target"),
            (
                typed.text("target", t("case_target_value"), number, numeric=True),
                typed.day("target_on", t("case_target_on")),
            ),
            name="g-target",
        ),
        Group(
            t("case_plan"),
            (typed.select("plan_cycle", t("case_plan_cycle"), plan_choices), *plan_dates),
            name="plan",
            hint=t("case_plan_hint"),
        ),
    ]


def indicator_values(indicator: IndicatorView | None) -> dict[str, str]:
    if indicator is None:
        return {}
    d = indicator.definition
    found = {
        "name": indicator.name,
        "unit": d.unit,
        "direction": str(d.direction),
        "baseline": grouped(d.baseline),
        "baseline_on": iso(d.baseline_on),
        "target": grouped(d.target),
        "target_on": iso(d.target_on),
        "plan_cycle": indicator.plan_cycle or "",
    }
    return found | {f"plan_date_{n}": iso(day) for n, day in enumerate(indicator.plan_dates)}


def read_indicator(read: Posted, dates: int) -> IndicatorDraft | None:
    """The draft, or None when a field cannot be read (``read.problems`` says which)."""
    direction = read.choice("direction", Direction)
    baseline = read.number("baseline")
    baseline_on = read.day("baseline_on")
    target = read.number("target")
    target_on = read.day("target_on")
    plan_dates = [read.day(f"plan_date_{n}", required=False) for n in range(dates)]
    if direction is None or baseline is None or target is None:
        return None
    if baseline_on is None or target_on is None or read.problems:
        return None
    definition = IndicatorDefinition(
        read.text("unit"), direction, baseline, baseline_on, target, target_on
    )
    return IndicatorDraft(
        read.text("name"),
        definition,
        read.text("plan_cycle") or None,
        tuple(d for d in plan_dates if d is not None),
    )


def measurement_groups(t: Words, typed: Typed, unit: str) -> list[Group]:
    value = t("case_measured_value", unit=unit)
    return [
        Group(
            "",
            (
                typed.text("value", value, t("case_number_hint"), numeric=True),
                typed.day("measured_on", t("case_measured_on")),
                typed.area("comment", t("case_comment")),
            ),
        )
    ]


# --- risks ---------------------------------------------------------------------------------


def scale_choices(t: Words, axis: str, top: int, blank: str) -> Choices:
    """The steps 1 to ``top``, each with its words on the default scale."""
    steps = [
        (str(n), f"{n} – {t(f'case_{axis}_{n}')}" if top == WORDED_STEPS else str(n))
        for n in range(1, top + 1)
    ]
    return (("", blank), *steps)


def risk_group(t: Words, typed: Typed, people: Choices) -> Group:
    kinds = enum_choices(RiskKind, t, "case_risk_kind_")
    return Group(
        "",
        (
            typed.radio("kind", t("case_risk_kind"), kinds, "risk"),
            typed.text("title", t("case_risk_title")),
            typed.area("description", t("case_description")),
            typed.text("category", t("case_category"), t("case_category_hint")),
            typed.select("owner", t("case_risk_owner"), people),
        ),
    )


def assessment_groups(t: Words, typed: Typed, scale: Scale, *, comment: bool) -> list[Group]:
    """Scores before and after mitigation on the configured scale, and the handling."""
    choose, none = t("case_choose"), t("case_not_assessed")
    p, c = t("case_probability"), t("case_consequence")
    responses = enum_choices(RiskResponse, t, "case_response_")
    statuses = enum_choices(RiskStatus, t, "case_risk_status_")
    handling = [
        typed.select("response", t("case_response"), responses, "reduce"),
        typed.area("mitigation", t("case_mitigation")),
        typed.radio("status", t("case_risk_status"), statuses, "open"),
        typed.day("next_review_on", t("case_next_review"), t("case_next_review_hint")),
    ]
    if comment:
        handling.append(typed.area("comment", t("case_comment")))
    return [
        Group(
            t("case_before"),
            (
                typed.select(
                    "probability", p, scale_choices(t, "probability", scale.probability, choose)
                ),
                typed.select(
                    "consequence", c, scale_choices(t, "consequence", scale.consequence, choose)
                ),
            ),
            name="g-before",
        ),
        Group(
            t("case_after"),
            (
                typed.select(
                    "probability_after", p, scale_choices(t, "probability", scale.probability, none)
                ),
                typed.select(
                    "consequence_after", c, scale_choices(t, "consequence", scale.consequence, none)
                ),
            ),
            name="g-after",
            hint=t("case_after_hint"),
        ),
        Group(t("case_handling"), tuple(handling), name="g-handling"),
    ]


def risk_values(risk: RiskView | None, review: date) -> dict[str, str]:
    if risk is None:
        return {"next_review_on": iso(review)}
    return {
        "kind": str(risk.kind),
        "title": risk.title,
        "description": risk.description,
        "category": risk.category,
        "owner": "" if risk.owner_id is None else str(risk.owner_id),
    }


def assessment_values(risk: RiskView, review: date) -> dict[str, str]:
    """The latest assessment, as a reassessment starts from it; the next review is
    suggested ahead (the review due is the one being done)."""

    def text(value: int | None) -> str:
        return "" if value is None else str(value)

    return {
        "probability": text(risk.probability),
        "consequence": text(risk.consequence),
        "probability_after": text(risk.probability_after),
        "consequence_after": text(risk.consequence_after),
        "response": risk.response,
        "mitigation": risk.mitigation,
        "status": str(risk.status),
        "next_review_on": iso(review),
    }


def read_risk(read: Posted, people: Sequence[int]) -> RiskDraft:
    return RiskDraft(
        read.choice("kind", RiskKind) or RiskKind.RISK,
        read.text("title"),
        read.form.get("description", "").strip(),
        read.text("category"),
        read.row_id("owner", people),
    )


def read_assessment(read: Posted, scale: Scale) -> Assessment | None:
    p = read.step("probability", scale.probability)
    c = read.step("consequence", scale.consequence)
    p_after = read.step("probability_after", scale.probability, required=False)
    c_after = read.step("consequence_after", scale.consequence, required=False)
    response = read.choice("response", RiskResponse)
    status = read.choice("status", RiskStatus)
    review = read.day("next_review_on", required=False)
    if p is None or c is None or response is None or status is None:
        return None
    mitigation = read.form.get("mitigation", "").strip()
    return Assessment(p, c, p_after, c_after, response, mitigation, status, review)


# --- plans ---------------------------------------------------------------------------------


def cost_values(line: CostLine) -> dict[str, str]:
    return {
        "year": str(line.year),
        "kind": str(line.kind),
        "amount": grouped(line.amount),
        "benefit": "" if line.benefit is None else str(line.benefit),
        "note": line.note,
    }


def people_values(line: PeopleLine) -> dict[str, str]:
    return {
        "year": str(line.year),
        "unit": str(line.unit),
        "competence": str(line.competence),
        "fte": grouped(line.fte),
        "note": line.note,
    }


def kept_rows(posted: Mapping[str, str], table: str) -> list[dict[str, str]]:
    """The posted rows of ``table`` (``cost-3-year``, ...) that hold a year, an amount or
    FTE, or a note, and are not ticked for removal, in order: a row is numbered by its
    place among these, as the engine's problems number them."""
    rows: dict[int, dict[str, str]] = {}
    for key, value in posted.items():
        parts = key.split("-", 2)
        if len(parts) == 3 and parts[0] == table and parts[1].isdigit():
            rows.setdefault(int(parts[1]), {})[parts[2]] = value
    typed = ("year", "amount", "fte", "note")
    return [
        row
        for _, row in sorted(rows.items())
        if not row.get("remove") and any(row.get(name, "").strip() for name in typed)
    ]


def rows_form(rows: Sequence[Mapping[str, str]], table: str) -> dict[str, str]:
    """Rows as a form again, numbered from 0 in order."""
    return {f"{table}-{n}-{k}": v for n, row in enumerate(rows) for k, v in row.items()}


def read_cost(read: Posted, n: int, benefits: Sequence[int]) -> CostLine | None:
    where = f"cost-{n}"
    year = read.whole(f"{where}-year")
    kind = read.choice(f"{where}-kind", CostKind)
    amount = read.whole(f"{where}-amount")
    benefit = read.row_id(f"{where}-benefit", benefits)
    if year is None or kind is None or amount is None:
        return None
    return CostLine(year, kind, amount, benefit, read.text(f"{where}-note"))


def read_people(
    read: Posted, n: int, units: Sequence[int], competences: Sequence[int]
) -> PeopleLine | None:
    where = f"people-{n}"
    year = read.whole(f"{where}-year")
    unit = read.row_id(f"{where}-unit", units)
    competence = read.row_id(f"{where}-competence", competences)
    fte = read.number(f"{where}-fte")
    for name in ("unit", "competence"):
        if not read.text(f"{where}-{name}"):
            read.problems.append(Problem.of("value_missing", f"{where}-{name}"))
    if year is None or unit is None or competence is None or fte is None:
        return None
    return PeopleLine(year, unit, competence, fte, read.text(f"{where}-note"))


def _cell(t: Words, what: str, n: int) -> str:
    return t("case_row_label", what=t(what), n=n + 1)


def cost_row(t: Words, n: int, typed: Typed, benefits: Choices) -> Group:
    """One row of the cost plan's table; each field is named for its column and row."""
    w = f"cost-{n}"
    kinds = enum_choices(CostKind, t, "case_cost_")
    return Group(
        "",
        (
            Field(
                f"{w}-year",
                _cell(t, "case_year", n),
                "number",
                typed.get(f"{w}-year"),
                label_hidden=True,
            ),
            Field(
                f"{w}-kind",
                _cell(t, "case_cost_kind", n),
                "select",
                typed.get(f"{w}-kind", "investment"),
                kinds,
                label_hidden=True,
            ),
            Field(
                f"{w}-amount",
                _cell(t, "case_amount", n),
                value=typed.get(f"{w}-amount"),
                numeric=True,
                label_hidden=True,
            ),
            Field(
                f"{w}-benefit",
                _cell(t, "case_benefit", n),
                "select",
                typed.get(f"{w}-benefit"),
                benefits,
                label_hidden=True,
            ),
            Field(
                f"{w}-note",
                _cell(t, "case_note", n),
                value=typed.get(f"{w}-note"),
                label_hidden=True,
            ),
            Field(f"{w}-remove", t("case_row_remove", n=n + 1), "checkbox"),
        ),
    )


def people_row(t: Words, n: int, typed: Typed, units: Choices, competences: Choices) -> Group:
    w = f"people-{n}"
    choose = (("", t("case_choose")),)
    return Group(
        "",
        (
            Field(
                f"{w}-year",
                _cell(t, "case_year", n),
                "number",
                typed.get(f"{w}-year"),
                label_hidden=True,
            ),
            Field(
                f"{w}-unit",
                _cell(t, "case_unit_org", n),
                "select",
                typed.get(f"{w}-unit"),
                choose + units,
                label_hidden=True,
            ),
            Field(
                f"{w}-competence",
                _cell(t, "case_competence", n),
                "select",
                typed.get(f"{w}-competence"),
                choose + competences,
                label_hidden=True,
            ),
            Field(
                f"{w}-fte",
                _cell(t, "case_fte", n),
                value=typed.get(f"{w}-fte"),
                numeric=True,
                label_hidden=True,
            ),
            Field(
                f"{w}-note",
                _cell(t, "case_note", n),
                value=typed.get(f"{w}-note"),
                label_hidden=True,
            ),
            Field(f"{w}-remove", t("case_row_remove", n=n + 1), "checkbox"),
        ),
    )
