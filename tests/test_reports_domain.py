"""Status and benefit reports, pure: scales and colours, reading input, publishing rules."""

from __future__ import annotations

from typing import Any

import pytest

from phasegate.domain.problems import Invalid, Problem
from phasegate.domain.reports import (
    SCALES,
    Colour,
    Dimension,
    ReportContent,
    ReportKind,
    colour_of,
    level_of,
    overall_colour,
    prefill,
    problems_for_publishing,
    required_dimensions,
)
from phasegate.i18n import LOCALES, words

G, Y, R = Colour.GREEN, Colour.YELLOW, Colour.RED

# The product's scales, written out once more so a changed colour is a failing test.
EXPECTED_SCALES = {
    Dimension.OVERALL: [("on_track", G), ("at_risk", Y), ("off_track", R)],
    Dimension.TIME: [("ahead", G), ("on_plan", G), ("minor_delay", Y), ("delayed", R)],
    Dimension.COST: [
        ("under", G),
        ("on_budget", G),
        ("minor_overrun", Y),
        ("over_budget", R),
        ("unknown", Y),
    ],
    Dimension.QUALITY: [("as_expected", G), ("minor_deviations", Y), ("major_deviations", R)],
    Dimension.RISK: [("low", G), ("medium", Y), ("high", R)],
    Dimension.BENEFIT: [("achieved", G), ("on_track", G), ("at_risk", Y), ("not_achieved", R)],
}

GOOD_STATUS = {
    "overall": "on_track",
    "time": "on_plan",
    "cost": "on_budget",
    "quality": "as_expected",
    "risk": "low",
}


def content(
    values: dict[str, str] | None = None,
    comments: dict[str, str] | None = None,
    **figures: Any,
) -> ReportContent:
    """A report read the way the form and the API hand it in; a sound status report."""
    figures = {"budget": 2_500_000, "spent": 900_000, "forecast": 2_400_000} | figures
    return ReportContent.from_json(
        GOOD_STATUS if values is None else values, comments or {}, **figures
    )


def problems(report: ReportContent, kind: ReportKind = ReportKind.STATUS) -> list[Problem]:
    return problems_for_publishing(report, kind)


def where(found: list[Problem] | tuple[Problem, ...]) -> list[tuple[str | None, str]]:
    """Each problem as the form places it: its field, and its code."""
    return [(problem.field, problem.code) for problem in found]


# --- scales and colours ------------------------------------------------------------------


@pytest.mark.parametrize("dimension", list(Dimension))
def test_every_value_on_every_scale_has_its_traffic_light(dimension: Dimension) -> None:
    expected = EXPECTED_SCALES[dimension]

    assert [(level.value, level.colour) for level in SCALES[dimension]] == expected
    for value, colour in expected:
        assert colour_of(dimension, value) is colour


@pytest.mark.parametrize("dimension", list(Dimension))
def test_scales_run_from_green_to_red_with_unknown_cost_last(dimension: Dimension) -> None:
    colours = [level.colour for level in SCALES[dimension] if level.value != "unknown"]
    order = [G, Y, R]

    assert [order.index(colour) for colour in colours] == sorted(
        order.index(colour) for colour in colours
    )
    assert colours[0] is G
    assert colours[-1] is R


def test_every_level_and_dimension_reads_in_bokmal_nynorsk_and_english() -> None:
    nb = words("nb")
    assert [nb(f"report_dimension_{d}") for d in Dimension] == [
        "Samlet vurdering",
        "Fremdrift",
        "Økonomi",
        "Kvalitet",
        "Risiko",
        "Gevinstoppnåelse",
    ]
    for dimension, scale in SCALES.items():
        for level in scale:
            key = f"report_level_{dimension}_{level.value}"
            for locale in LOCALES:
                assert words(locale)(key) != key, f"{key} in {locale}"
    assert nb(f"report_level_cost_{level_of(Dimension.COST, 'unknown').value}") == "Ukjent"
    assert nb("report_level_benefit_at_risk") == "Usikker"
    assert words("en")("report_level_overall_off_track") == "Off track"


def test_a_value_from_another_scale_has_no_colour() -> None:
    with pytest.raises(ValueError, match="use one of low, medium, high"):
        colour_of(Dimension.RISK, "on_track")


def test_report_colours_cover_the_dimensions_filled_in() -> None:
    report = content({"overall": "at_risk", "time": "delayed", "risk": "low"})

    assert report.colours() == {Dimension.OVERALL: Y, Dimension.TIME: R, Dimension.RISK: G}
    assert overall_colour(report) is Y


def test_overall_colour_is_unknown_until_the_overall_assessment_is_made() -> None:
    assert overall_colour(content({"time": "delayed"})) is None


# --- reading a report from the form or the API ---------------------------------------------


def test_every_problem_in_the_input_is_reported_at_once_each_on_its_field() -> None:
    with pytest.raises(Invalid) as caught:
        ReportContent.from_json(
            {"overall": "on_track", "risk": "medium-high", "schedule": "on_plan", "time": 3},
            {"quality": "Fint", "benefits": "Se vedlegg", "cost": 12},
            budget="2,5 mill",
            spent=-100,
            forecast=12.5,
        )

    dimensions = ["overall", "time", "cost", "quality", "risk", "benefit"]
    assert caught.value.problems == (
        Problem.of(
            "report_value_unknown", "risk", value="medium-high", choices=["low", "medium", "high"]
        ),
        Problem.of("report_dimension_unknown", key="schedule", dimensions=dimensions),
        Problem.of(
            "report_value_unknown",
            "time",
            value="3",
            choices=["ahead", "on_plan", "minor_delay", "delayed"],
        ),
        Problem.of("report_dimension_unknown", key="benefits", dimensions=dimensions),
        Problem.of("report_comment_not_text", "cost", value="12"),
        Problem.of("report_amount_not_whole", "budget", value="2,5 mill"),
        Problem.of("report_amount_negative", "spent", amount=-100),
        Problem.of("report_amount_not_whole", "forecast", value="12.5"),
    )


def test_the_same_unknown_dimension_is_reported_once() -> None:
    with pytest.raises(Invalid) as caught:
        ReportContent.from_json({"scope": "ok"}, {"scope": "Hmm"}, None, None, None)

    assert len(caught.value.problems) == 1


def test_blank_values_and_comments_count_as_not_filled_in() -> None:
    report = ReportContent.from_json(
        {"overall": "on_track", "time": "", "cost": None},
        {"overall": "  ", "risk": None, "time": " Bra. "},
        budget="",
        spent=None,
        forecast="  ",
    )

    assert report.values == {Dimension.OVERALL: "on_track"}
    assert report.comments == {Dimension.TIME: "Bra."}
    assert (report.budget, report.spent, report.forecast) == (None, None, None)


def test_amounts_may_be_typed_with_spaces_between_the_groups() -> None:
    report = ReportContent.from_json(
        {}, {}, budget="2 500 000", spent="900\u00a0000", forecast=2_400_000
    )

    assert (report.budget, report.spent, report.forecast) == (2_500_000, 900_000, 2_400_000)


def test_true_is_not_an_amount() -> None:
    with pytest.raises(Invalid) as caught:
        ReportContent.from_json({}, {}, budget=True, spent=None, forecast=None)

    assert where(caught.value.problems) == [("budget", "report_amount_not_whole")]
    assert caught.value.problems[0].params == {"value": "True"}


def test_a_report_built_in_code_is_checked_too() -> None:
    with pytest.raises(Invalid) as bad_value:
        ReportContent({Dimension.QUALITY: "fine"}, {})
    with pytest.raises(Invalid) as negative:
        ReportContent({}, {}, budget=-1)
    with pytest.raises(Invalid) as no_dimension:
        ReportContent({"scope": "fine"}, {})

    assert where(bad_value.value.problems) == [("quality", "report_value_unknown")]
    assert where(negative.value.problems) == [("budget", "report_amount_negative")]
    assert where(no_dimension.value.problems) == [(None, "report_dimension_unknown")]


def test_a_report_read_back_with_plain_keys_is_the_same_report() -> None:
    # Storage keeps the ratings as JSON, so they come back keyed by plain strings.
    ratings: dict[Any, str] = {"risk": "low"}
    stored = ReportContent(ratings, {"risk": "Lite å melde."}, 10, 5, 9)

    assert stored == content(ratings, {"risk": "Lite å melde."}, budget=10, spent=5, forecast=9)
    assert stored.values == {Dimension.RISK: "low"}


def test_round_trip_through_json_keeps_everything() -> None:
    report = content(
        {"overall": "at_risk", "cost": "minor_overrun", "benefit": "on_track"},
        {"cost": "Prisstigning på utstyr.", "overall": "Følges tett."},
    )

    values, comments = report.to_json()
    again = ReportContent.from_json(values, comments, report.budget, report.spent, report.forecast)

    assert again == report
    assert hash(again) == hash(report)
    assert values == {"overall": "at_risk", "cost": "minor_overrun", "benefit": "on_track"}
    assert comments == {"overall": "Følges tett.", "cost": "Prisstigning på utstyr."}
    assert list(values) == ["overall", "cost", "benefit"]  # in the order a report shows them


def test_published_content_cannot_be_changed_through_its_mappings() -> None:
    report = content()

    with pytest.raises(TypeError):
        report.values[Dimension.RISK] = "high"  # type: ignore[index]


# --- what a report needs before it is published --------------------------------------------


def test_a_complete_status_report_can_be_published() -> None:
    assert problems(content()) == []


def test_status_reports_rate_overall_time_cost_quality_and_risk() -> None:
    assert required_dimensions(ReportKind.STATUS) == (
        Dimension.OVERALL,
        Dimension.TIME,
        Dimension.COST,
        Dimension.QUALITY,
        Dimension.RISK,
    )


def test_benefit_reports_rate_overall_benefit_and_risk_but_not_cost() -> None:
    assert required_dimensions(ReportKind.BENEFIT) == (
        Dimension.OVERALL,
        Dimension.BENEFIT,
        Dimension.RISK,
    )
    report = content({"overall": "on_track", "benefit": "achieved", "risk": "low"}, budget=None)

    assert problems(report, ReportKind.BENEFIT) == []
    assert where(problems(report, ReportKind.STATUS)) == [
        ("time", "report_value_missing"),
        ("cost", "report_value_missing"),
        ("quality", "report_value_missing"),
    ]
    assert problems(report, ReportKind.STATUS)[0].params == {
        "choices": ["ahead", "on_plan", "minor_delay", "delayed"]
    }


def test_an_empty_draft_lists_every_required_dimension() -> None:
    found = problems(ReportContent({}, {}), ReportKind.BENEFIT)

    assert where(found) == [
        ("overall", "report_value_missing"),
        ("risk", "report_value_missing"),
        ("benefit", "report_value_missing"),
    ]


def test_every_red_dimension_needs_a_comment() -> None:
    red = GOOD_STATUS | {"overall": "off_track", "time": "delayed", "benefit": "not_achieved"}

    assert problems(content(red)) == [
        Problem.of("report_red_needs_comment", "overall", value="off_track"),
        Problem.of("report_red_needs_comment", "time", value="delayed"),
        Problem.of("report_red_needs_comment", "benefit", value="not_achieved"),
    ]
    explained = {"overall": "Se fremdrift.", "time": "Leverandør er sen.", "benefit": "Utsatt."}
    assert problems(content(red, explained)) == []


def test_yellow_needs_no_comment() -> None:
    assert problems(content(GOOD_STATUS | {"risk": "medium", "quality": "minor_deviations"})) == []


def test_unknown_cost_needs_a_comment_but_no_budget() -> None:
    unknown = GOOD_STATUS | {"cost": "unknown"}

    assert where(problems(content(unknown, budget=None))) == [
        ("cost", "report_cost_unknown_needs_comment")
    ]
    assert problems(content(unknown, {"cost": "Anbudet er ikke avgjort."}, budget=None)) == []


@pytest.mark.parametrize("cost", ["under", "on_budget", "minor_overrun", "over_budget"])
def test_cost_rated_against_the_budget_needs_the_budget_figure(cost: str) -> None:
    report = content(GOOD_STATUS | {"cost": cost}, {"cost": "Se tallene."}, budget=None)

    assert problems(report) == [Problem.of("report_budget_needed", "budget", value=cost)]


def test_spending_over_the_budget_is_news_not_an_error() -> None:
    report = content(budget=1_000_000, spent=1_200_000, forecast=1_500_000)

    assert problems(report) == []


def test_the_problems_with_publishing_name_every_field() -> None:
    report = content({"overall": "off_track"}, budget=None)

    assert where(problems(report)) == [
        ("overall", "report_red_needs_comment"),
        ("time", "report_value_missing"),
        ("cost", "report_value_missing"),
        ("quality", "report_value_missing"),
        ("risk", "report_value_missing"),
    ]


# --- drafts start from the previous report --------------------------------------------------


def test_a_new_draft_starts_from_the_previous_published_report() -> None:
    previous = content(
        GOOD_STATUS | {"time": "delayed"},
        {"time": "Leverandør er sen."},
        budget=2_500_000,
        spent=1_100_000,
        forecast=2_600_000,
    )

    draft = prefill(previous)

    assert draft == previous
    assert draft.values == previous.values
    assert draft.comments == {Dimension.TIME: "Leverandør er sen."}
    assert (draft.budget, draft.spent, draft.forecast) == (2_500_000, 1_100_000, 2_600_000)


def test_the_first_draft_of_a_project_starts_empty() -> None:
    draft = prefill(None)

    assert draft.values == {}
    assert draft.comments == {}
    assert (draft.budget, draft.spent, draft.forecast) == (None, None, None)
    assert overall_colour(draft) is None
