"""Achievement, trend and status of benefits, the risk scale and the plans: the pure rules
every page, email and export shows the result of."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from phasegate.domain.benefits import (
    BenefitStatus,
    Direction,
    IndicatorDefinition,
    Measurement,
    Trend,
    achievement,
    expected_on,
    parse_value,
    problems_in_definition,
    problems_in_measurement,
    progress,
    status,
)
from phasegate.domain.plans import (
    CostCheck,
    CostKind,
    CostLine,
    PeopleLine,
    by_year,
    check_report,
    problems_in_costs,
    problems_in_people,
)
from phasegate.domain.risks import (
    Assessment,
    Band,
    Response,
    RiskKind,
    RiskStatus,
    Scale,
    Scored,
    matrix,
    problems_in_assessment,
    top,
)

TODAY = date(2027, 6, 1)

# Hours saved per year: more is better, from 0 to 4,000.
HOURS = IndicatorDefinition(
    "timer per år",
    Direction.HIGHER,
    Decimal(0),
    date(2026, 1, 1),
    Decimal(4000),
    date(2028, 12, 31),
)
# Days waiting for a decision: fewer is better, from 30 down to 10.
WAITING = IndicatorDefinition(
    "dager", Direction.LOWER, Decimal(30), date(2026, 1, 1), Decimal(10), date(2027, 12, 31)
)


def m(value: str, day: date) -> Measurement:
    return Measurement(Decimal(value), day)


def test_achievement_of_a_higher_is_better_indicator_is_the_share_of_the_way_to_the_target() -> (
    None
):
    found = progress(HOURS, [m("1000", date(2026, 6, 1)), m("2500", date(2027, 1, 15))], TODAY)

    assert found.achievement == Decimal("0.6250")
    assert found.percent == 63  # 62.5 %, rounded as people round
    assert found.trend is Trend.BETTER
    assert found.latest == m("2500", date(2027, 1, 15))
    assert found.previous == m("1000", date(2026, 6, 1))
    assert not found.reached


def test_achievement_of_a_lower_is_better_indicator_counts_the_fall_as_progress() -> None:
    found = progress(WAITING, [m("25", date(2026, 9, 1)), m("18", date(2027, 3, 1))], TODAY)

    assert found.achievement == Decimal("0.6000")  # 30 → 18 of 30 → 10
    assert found.trend is Trend.BETTER
    worse = progress(WAITING, [m("18", date(2027, 3, 1)), m("22", date(2027, 5, 1))], TODAY)
    assert worse.trend is Trend.WORSE
    assert worse.achievement == Decimal("0.4000")


def test_going_the_wrong_way_is_a_negative_achievement_and_passing_the_target_is_over_100() -> None:
    assert achievement(WAITING, Decimal(35)) == Decimal("-0.2500")
    beyond = progress(HOURS, [m("5000", date(2027, 5, 1))], TODAY)
    assert beyond.percent == 125
    assert beyond.reached


def test_the_same_value_twice_is_no_change_and_one_measurement_has_no_trend() -> None:
    assert progress(HOURS, [m("10", date(2026, 3, 1)), m("10", date(2026, 4, 1))], TODAY).trend is (
        Trend.SAME
    )
    assert progress(HOURS, [m("10", date(2026, 3, 1))], TODAY).trend is Trend.NONE


def test_the_latest_is_by_date_not_by_the_order_recorded() -> None:
    late_entry = [m("3000", date(2027, 5, 1)), m("1000", date(2026, 5, 1))]

    found = progress(HOURS, late_entry, TODAY)

    assert found.latest == m("3000", date(2027, 5, 1))
    assert found.trend is Trend.BETTER


def test_no_measurements_yet_shows_no_achievement_and_the_benefit_is_planned() -> None:
    found = progress(HOURS, [], TODAY)

    assert found.achievement is None
    assert found.percent is None
    assert found.trend is Trend.NONE
    assert status([found]) is BenefitStatus.PLANNED
    assert status([]) is BenefitStatus.PLANNED  # a benefit with no indicator yet


def test_a_target_equal_to_the_baseline_is_a_clear_error_when_the_indicator_is_defined() -> None:
    flat = IndicatorDefinition(
        "prosent", Direction.HIGHER, Decimal(40), date(2026, 1, 1), Decimal(40), date(2027, 1, 1)
    )

    problems = problems_in_definition(flat)

    assert [(p.code, p.field) for p in problems] == [("indicator_target_equals_baseline", "target")]
    with pytest.raises(ValueError, match="no achievement"):
        achievement(flat, Decimal(50))


def test_a_target_on_the_wrong_side_and_a_target_date_before_the_baseline_are_refused() -> None:
    wrong = IndicatorDefinition(
        "dager", Direction.LOWER, Decimal(30), date(2026, 1, 1), Decimal(40), date(2025, 1, 1)
    )

    codes = [p.code for p in problems_in_definition(wrong)]

    assert codes == ["indicator_target_wrong_side", "indicator_target_before_baseline"]


def test_a_measurement_before_the_baseline_is_refused_and_ignored_if_one_was_imported() -> None:
    early = m("500", date(2025, 12, 1))

    refused = problems_in_measurement(HOURS, early, TODAY)

    assert [(p.code, p.field) for p in refused] == [("measurement_before_baseline", "measured_on")]
    assert progress(HOURS, [early], TODAY).achievement is None
    assert problems_in_measurement(HOURS, m("1", date(2027, 6, 2)), TODAY)[0].code == (
        "measurement_in_future"
    )


def test_status_is_derived_from_every_indicator() -> None:
    on_way = progress(HOURS, [m("2000", date(2027, 1, 1))], TODAY)
    reached = progress(WAITING, [m("9", date(2027, 5, 1))], TODAY)
    late = progress(WAITING, [m("20", date(2027, 5, 1))], date(2028, 1, 15))

    assert status([on_way]) is BenefitStatus.REALISING
    assert status([reached]) is BenefitStatus.REALISED
    assert status([on_way, reached]) is BenefitStatus.REALISING
    assert status([late]) is BenefitStatus.NOT_REALISED
    assert status([progress(WAITING, [], date(2028, 1, 1))]) is BenefitStatus.NOT_REALISED


def test_the_realisation_curve_runs_straight_from_baseline_to_target() -> None:
    assert expected_on(HOURS, date(2025, 6, 1)) == 0
    assert expected_on(HOURS, date(2030, 1, 1)) == 4000
    middle = expected_on(WAITING, date(2027, 1, 1))
    assert Decimal(19) < middle < Decimal(21)


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("1 234,5", Decimal("1234.5")),
        ("1234.5", Decimal("1234.5")),
        ("-3", Decimal(-3)),
        ("1\u00a0000", Decimal(1000)),
    ],
)
def test_numbers_are_read_the_way_people_type_them(typed: str, value: Decimal) -> None:
    assert parse_value(typed) == value


@pytest.mark.parametrize("typed", ["", "abc", "1,2,3", "NaN", "Infinity", "1e20"])
def test_what_is_not_a_number_is_none(typed: str) -> None:
    assert parse_value(typed) is None


# --- risks ------------------------------------------------------------------------------


def assessed(p: int, c: int, **changes: object) -> Assessment:
    values: dict[str, object] = {
        "probability": p,
        "consequence": c,
        "probability_after": None,
        "consequence_after": None,
        "response": Response.REDUCE,
        "mitigation": "",
        "status": RiskStatus.OPEN,
        "next_review_on": date(2027, 9, 1),
    }
    values.update(changes)
    return Assessment(**values)  # type: ignore[arg-type]


def test_scores_are_probability_times_consequence_and_fall_in_bands() -> None:
    scale = Scale()

    assert assessed(4, 5).score == 20
    assert assessed(4, 5, probability_after=2, consequence_after=3).score_after == 6
    assert [scale.band(s) for s in (4, 5, 11, 12, 25)] == [
        Band.LOW,
        Band.MEDIUM,
        Band.MEDIUM,
        Band.HIGH,
        Band.HIGH,
    ]


def test_scores_off_the_configured_scale_and_half_an_after_score_are_refused() -> None:
    scale = Scale(4, 4)
    a = assessed(5, 0, probability_after=2)

    problems = problems_in_assessment(scale, a, TODAY)

    assert [(p.code, p.field) for p in problems] == [
        ("risk_score_off_scale", "probability"),
        ("risk_score_off_scale", "consequence"),
        ("risk_after_half", "consequence_after"),
    ]


def test_an_open_risk_needs_a_review_date_not_in_the_past_and_a_closed_one_none() -> None:
    scale = Scale()
    assert problems_in_assessment(scale, assessed(2, 2, next_review_on=None), TODAY)[0].code == (
        "risk_review_missing"
    )
    assert (
        problems_in_assessment(scale, assessed(2, 2, next_review_on=date(2027, 5, 1)), TODAY)[
            0
        ].code
        == "risk_review_past"
    )
    closed = assessed(2, 2, status=RiskStatus.CLOSED, next_review_on=None)
    assert problems_in_assessment(scale, closed, TODAY) == []


def test_the_matrix_counts_per_cell_and_the_top_list_puts_the_gravest_first() -> None:
    scale = Scale()
    rows = matrix(scale, [(5, 5), (5, 5), (1, 2), (7, 1)])  # 7 is off a 5-step scale

    assert rows[4][4] == 2
    assert rows[0][1] == 1
    assert rows[4][0] == 1  # counted on the edge

    risks = [
        Scored(1, RiskKind.RISK, 3, 4, 12, RiskStatus.OPEN),
        Scored(2, RiskKind.RISK, 4, 3, 12, RiskStatus.OPEN),
        Scored(3, RiskKind.OPPORTUNITY, 5, 5, 25, RiskStatus.OPEN),
        Scored(4, RiskKind.RISK, 5, 5, 25, RiskStatus.CLOSED),
        Scored(5, RiskKind.RISK, 2, 5, 10, RiskStatus.OPEN),
    ]
    assert [r.id for r in top(risks, 2)] == [1, 2]  # equal scores: the graver consequence


def test_a_scale_outside_two_to_ten_steps_is_refused() -> None:
    with pytest.raises(ValueError, match="2 to 10"):
        Scale(1, 5)


# --- plans ------------------------------------------------------------------------------


def test_a_saving_is_a_negative_operating_effect_that_names_its_benefit() -> None:
    lines = [
        CostLine(2027, CostKind.INVESTMENT, 2_000_000),
        CostLine(2027, CostKind.OPERATING, 150_000),
        CostLine(2028, CostKind.OPERATING, -400_000, benefit=7),
    ]

    assert problems_in_costs(lines, benefits=[7]) == []
    sums = {y.year: y for y in by_year(lines)}
    assert (sums[2027].investment, sums[2027].operating, sums[2027].total) == (
        2_000_000,
        150_000,
        2_150_000,
    )
    assert sums[2028].operating == -400_000


def test_a_negative_investment_a_line_twice_and_a_stranger_benefit_are_refused() -> None:
    lines = [
        CostLine(2027, CostKind.INVESTMENT, -5),
        CostLine(2027, CostKind.INVESTMENT, 10),
        CostLine(2028, CostKind.OPERATING, -1, benefit=99),
        CostLine(1999, CostKind.INVESTMENT, 1),
    ]

    found = [(p.code, p.field) for p in problems_in_costs(lines, benefits=[7])]

    assert found == [
        ("plan_investment_negative", "cost-0-amount"),
        ("plan_line_twice", "cost-1-year"),
        ("plan_benefit_unknown", "cost-2-benefit"),
        ("plan_year_off", "cost-3-year"),
    ]


def test_people_lines_name_known_units_and_competences_and_a_positive_fte() -> None:
    lines = [
        PeopleLine(2027, 1, 10, Decimal("1.5")),
        PeopleLine(2027, 2, 10, Decimal(0)),
        PeopleLine(2027, 1, 99, Decimal(1)),
    ]

    found = [(p.code, p.field) for p in problems_in_people(lines, [1, 2], [10])]

    assert found == [
        ("plan_fte_off", "people-1-fte"),
        ("plan_competence_unknown", "people-2-competence"),
    ]


def test_a_reports_budget_is_checked_against_the_years_planned_investment() -> None:
    plan = {y.year: y for y in by_year([CostLine(2027, CostKind.INVESTMENT, 1_000_000)])}

    assert [f.check for f in check_report(plan, 2027, 1_000_000, 900_000)] == [CostCheck.MATCHES]
    differs = check_report(plan, 2027, 1_200_000, 1_300_000)
    assert [(f.check, f.planned, f.reported) for f in differs] == [
        (CostCheck.BUDGET_DIFFERS, 1_000_000, 1_200_000),
        (CostCheck.FORECAST_OVER, 1_000_000, 1_300_000),
    ]
    assert [f.check for f in check_report(plan, 2028, 5, None)] == [CostCheck.NO_PLAN]
    assert check_report(plan, 2028, None, None) == []
