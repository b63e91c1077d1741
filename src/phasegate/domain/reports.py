"""Status reports (*statusrapporter*) and benefit reports (*gevinstrapporter*), pure.

A report rates a project on a few dimensions. Each dimension has an ordinal scale, best
first, and every value on it maps to a traffic-light colour; each dimension also takes a
comment. The cost dimension is backed by three figures in whole kroner: budget, spent and
forecast.

A report starts as a draft, pre-filled from the previous published one (:func:`prefill`),
may be saved half-filled any number of times, and is checked in full only when it is
published (:func:`problems_for_publishing`). What a report must contain depends on its kind:

- a **status report**, owed by a project in execution every reporting cycle, rates
  overall, time, cost, quality and risk;
- a **benefit report**, owed by a project in realisation every annual-report cycle, rates
  overall, benefit achievement and risk (the risk that the benefits are not realised).
  The project's own costs were settled in its end-project report, so cost is optional.

Every dimension may be filled in on either kind; only the required ones differ. Nothing
here reads the clock or the database: dating and locking a published report is the
engine's job.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from phasegate.domain.problems import Invalid, Problem, unique
from phasegate.domain.text import shown, tidy


class Colour(StrEnum):
    """The traffic light a value shows as."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


class Dimension(StrEnum):
    """What a report rates, in the order a report shows them."""

    OVERALL = "overall"  # samlet vurdering
    TIME = "time"  # fremdrift
    COST = "cost"  # økonomi
    QUALITY = "quality"  # kvalitet
    RISK = "risk"  # risiko
    BENEFIT = "benefit"  # gevinstoppnåelse


class ReportKind(StrEnum):
    STATUS = "status"  # statusrapport: a project in execution, every reporting cycle
    BENEFIT = "benefit"  # gevinstrapport: a project in realisation, every annual report


@dataclass(frozen=True)
class Level:
    """One value on a dimension's scale. Its words are the catalog's
    ``report_level_<dimension>_<value>``; the dimension's ``report_dimension_<dimension>``."""

    value: str
    colour: Colour


G, Y, R = Colour.GREEN, Colour.YELLOW, Colour.RED

#: Each dimension's values, best first.
SCALES: Mapping[Dimension, tuple[Level, ...]] = MappingProxyType(
    {
        Dimension.OVERALL: (
            Level("on_track", G),
            Level("at_risk", Y),
            Level("off_track", R),
        ),
        Dimension.TIME: (
            Level("ahead", G),
            Level("on_plan", G),
            Level("minor_delay", Y),
            Level("delayed", R),
        ),
        Dimension.COST: (
            Level("under", G),
            Level("on_budget", G),
            Level("minor_overrun", Y),
            Level("over_budget", R),
            # Last, not in the middle: "we do not know" is not better than an overrun.
            Level("unknown", Y),
        ),
        Dimension.QUALITY: (
            Level("as_expected", G),
            Level("minor_deviations", Y),
            Level("major_deviations", R),
        ),
        Dimension.RISK: (
            Level("low", G),
            Level("medium", Y),
            Level("high", R),
        ),
        Dimension.BENEFIT: (
            Level("achieved", G),
            Level("on_track", G),
            Level("at_risk", Y),
            Level("not_achieved", R),
        ),
    }
)

_REQUIRED: Mapping[ReportKind, tuple[Dimension, ...]] = MappingProxyType(
    {
        ReportKind.STATUS: (
            Dimension.OVERALL,
            Dimension.TIME,
            Dimension.COST,
            Dimension.QUALITY,
            Dimension.RISK,
        ),
        ReportKind.BENEFIT: (Dimension.OVERALL, Dimension.BENEFIT, Dimension.RISK),
    }
)

#: Cost values that claim something about the budget, so the budget figure must be there.
_COST_AGAINST_BUDGET = frozenset({"under", "on_budget", "minor_overrun", "over_budget"})

# Digits with the grouping people type ("1 250 000", also with no-break or thin spaces).
_AMOUNT = re.compile(r"-?\d{1,18}")
#: The largest amount a report takes: far beyond any budget, and within a BIGINT column.
MAX_AMOUNT = 10**15
_GROUPING = str.maketrans("", "", " \u00a0\u202f")


def level_of(dimension: Dimension, value: str) -> Level:
    """The level ``value`` names on ``dimension``'s scale; ValueError if it is not on it."""
    for level in SCALES[dimension]:
        if level.value == value:
            return level
    raise ValueError(
        f"{value!r} is not a {dimension} value; use one of {', '.join(_values(dimension))}"
    )


def colour_of(dimension: Dimension, value: str) -> Colour:
    """The traffic-light colour of ``value`` on ``dimension``'s scale."""
    return level_of(dimension, value).colour


def required_dimensions(kind: ReportKind) -> tuple[Dimension, ...]:
    """The dimensions a report of ``kind`` must rate before it can be published."""
    return _REQUIRED[kind]


@dataclass(frozen=True)
class ReportContent:
    """What a report says, draft or published; a draft may leave dimensions out.

    The mappings are copied and made read-only, keyed by :class:`Dimension`; empty
    comments are dropped. A value that is not on its scale, or a negative amount, raises
    :class:`~phasegate.domain.problems.Invalid`: use :meth:`from_json` for input from
    people, which reports every problem at once.
    """

    values: Mapping[Dimension, str] = field(default_factory=dict)
    comments: Mapping[Dimension, str] = field(default_factory=dict)
    budget: int | None = None  # whole kroner
    spent: int | None = None
    forecast: int | None = None

    def __post_init__(self) -> None:
        problems: list[Problem] = []
        values: dict[Dimension, str] = {}
        for key, value in self.values.items():
            dimension = _dimension(key, problems)
            if dimension is not None and value not in _values(dimension):
                problems.append(_not_a_value(dimension, value))
            elif dimension is not None:
                values[dimension] = value
        comments: dict[Dimension, str] = {}
        for key, text in self.comments.items():
            dimension = _dimension(key, problems)
            if dimension is not None and text.strip():
                comments[dimension] = text.strip()
        problems += [
            Problem.of("report_amount_negative", name, amount=amount)
            for name, amount in self._figures()
            if amount is not None and amount < 0
        ]
        if problems:
            raise Invalid(unique(problems))
        object.__setattr__(self, "values", MappingProxyType(_in_order(values)))
        object.__setattr__(self, "comments", MappingProxyType(_in_order(comments)))

    @classmethod
    def from_json(
        cls,
        values: Mapping[str, object],
        comments: Mapping[str, object],
        budget: object = None,
        spent: object = None,
        forecast: object = None,
    ) -> ReportContent:
        """Read a report from a form or the API; :class:`~phasegate.domain.problems.Invalid`
        lists every problem, each on its field.

        A value or comment that is None or blank counts as not filled in. Amounts are
        whole kroner: an int, or a string of digits (spaces between groups are allowed).
        """
        problems: list[Problem] = []
        read_values: dict[Dimension, str] = {}
        read_comments: dict[Dimension, str] = {}
        for key, raw in values.items():
            dimension = _dimension(key, problems)
            if dimension is None or raw is None or (isinstance(raw, str) and not raw.strip()):
                continue
            if isinstance(raw, str) and raw.strip() in _values(dimension):
                read_values[dimension] = raw.strip()
            else:
                problems.append(_not_a_value(dimension, raw))
        for key, raw in comments.items():
            dimension = _dimension(key, problems)
            if dimension is None or raw is None:
                continue
            if isinstance(raw, str):
                tidied = tidy(raw, lines=True)
                if tidied.fault is None:
                    read_comments[dimension] = tidied.text
                else:
                    fault, at = str(tidied.fault), tidied.at + 1  # a code: text_control, ...
                    problems.append(Problem.of(fault, str(dimension), char=tidied.char, at=at))
            else:
                problems.append(
                    Problem.of("report_comment_not_text", str(dimension), value=_quoted(raw))
                )
        figures = {
            name: _amount(name, raw, problems)
            for name, raw in (("budget", budget), ("spent", spent), ("forecast", forecast))
        }
        if problems:
            raise Invalid(unique(problems))
        return cls(read_values, read_comments, **figures)

    def __hash__(self) -> int:
        # The read-only mappings are not hashable themselves; their items are.
        return hash((tuple(self.values.items()), tuple(self.comments.items()), *self._figures()))

    def to_json(self) -> tuple[dict[str, str], dict[str, str]]:
        """The values and the comments, keyed by the dimensions' plain names."""
        return (
            {str(dimension): value for dimension, value in self.values.items()},
            {str(dimension): text for dimension, text in self.comments.items()},
        )

    def colours(self) -> dict[Dimension, Colour]:
        """The colour of every dimension that is filled in."""
        return {dimension: colour_of(dimension, value) for dimension, value in self.values.items()}

    def _figures(self) -> tuple[tuple[str, int | None], ...]:
        return (("budget", self.budget), ("spent", self.spent), ("forecast", self.forecast))


def problems_for_publishing(content: ReportContent, kind: ReportKind) -> list[Problem]:
    """Everything that stops ``content`` from being published as a ``kind`` report, each
    on its field.

    Every required dimension is rated; every red value, and an unknown cost, says why in
    a comment; a cost rated against the budget has the budget figure. Spending or a
    forecast above the budget is news for the reader, not an error.
    """
    problems: list[Problem] = []
    required = required_dimensions(kind)
    for dimension in Dimension:
        value = content.values.get(dimension)
        commented = dimension in content.comments
        where = str(dimension)
        if value is None:
            if dimension in required:
                choices = list(_values(dimension))
                problems.append(Problem.of("report_value_missing", where, choices=choices))
            continue
        if colour_of(dimension, value) is Colour.RED and not commented:
            problems.append(Problem.of("report_red_needs_comment", where, value=value))
        if dimension is Dimension.COST:
            if value == "unknown" and not commented:
                problems.append(Problem.of("report_cost_unknown_needs_comment", where))
            if value in _COST_AGAINST_BUDGET and content.budget is None:
                problems.append(Problem.of("report_budget_needed", "budget", value=value))
    return problems


def prefill(previous: ReportContent | None) -> ReportContent:
    """A new draft: the previous published report's values, comments and figures, or empty.

    Most of a project's status changes little from one cycle to the next, so the project
    manager corrects what changed instead of starting from a blank form.
    """
    if previous is None:
        return ReportContent({}, {})
    return ReportContent(
        dict(previous.values),
        dict(previous.comments),
        budget=previous.budget,
        spent=previous.spent,
        forecast=previous.forecast,
    )


def overall_colour(content: ReportContent) -> Colour | None:
    """The colour of the overall assessment; None while it is not filled in."""
    value = content.values.get(Dimension.OVERALL)
    return None if value is None else colour_of(Dimension.OVERALL, value)


# --- reading input -------------------------------------------------------------------


def _values(dimension: Dimension) -> tuple[str, ...]:
    return tuple(level.value for level in SCALES[dimension])


def _not_a_value(dimension: Dimension, raw: object) -> Problem:
    choices = list(_values(dimension))
    return Problem.of("report_value_unknown", str(dimension), value=_quoted(raw), choices=choices)


def _in_order(mapping: Mapping[Dimension, str]) -> dict[Dimension, str]:
    return {dimension: mapping[dimension] for dimension in Dimension if dimension in mapping}


def _dimension(key: str, problems: list[Problem]) -> Dimension | None:
    try:
        return Dimension(key)
    except ValueError:
        names = [str(dimension) for dimension in Dimension]
        problems.append(Problem.of("report_dimension_unknown", key=_quoted(key), dimensions=names))
        return None


def _quoted(raw: object) -> str:
    """What was sent, as Python would show it if it is not text, safe to repeat and short
    (the words quote it the reader's way)."""
    return shown(raw, 40) if isinstance(raw, str) else shown(repr(raw), 40)


def _amount(name: str, raw: object, problems: list[Problem]) -> int | None:
    if isinstance(raw, str):
        digits = raw.translate(_GROUPING)
        if not digits:
            return None
        raw = int(digits) if _AMOUNT.fullmatch(digits) else raw
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int):
        problems.append(Problem.of("report_amount_not_whole", name, value=_quoted(raw)))
        return None
    if raw < 0:
        problems.append(Problem.of("report_amount_negative", name, amount=raw))
        return None
    if raw > MAX_AMOUNT:
        problems.append(Problem.of("report_amount_too_large", name, limit=MAX_AMOUNT))
        return None
    return raw
