"""Status reports (*statusrapporter*) and benefit reports (*gevinstrapporter*), pure.

A report rates a project on a few dimensions. Each dimension has an ordinal scale, best
first, and every value on it maps to a traffic-light colour; each dimension also takes a
comment. The cost dimension is backed by three figures in whole kroner: budget, spent and
forecast.

A report starts as a draft, pre-filled from the previous published one (:func:`prefill`),
may be saved half-filled any number of times, and is checked in full only when it is
published (:func:`check_publishable`). What a report must contain depends on its kind:

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

from phasegate.domain.model import Label
from phasegate.errors import ReportInvalid
from phasegate.text import reason, shown, tidy


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
    """One value on a dimension's scale."""

    value: str
    colour: Colour
    label: Label


G, Y, R = Colour.GREEN, Colour.YELLOW, Colour.RED

#: Each dimension's values, best first.
SCALES: Mapping[Dimension, tuple[Level, ...]] = MappingProxyType(
    {
        Dimension.OVERALL: (
            Level("on_track", G, Label("I rute", "On track")),
            Level("at_risk", Y, Label("Risiko for avvik", "At risk")),
            Level("off_track", R, Label("Ute av kurs", "Off track")),
        ),
        Dimension.TIME: (
            Level("ahead", G, Label("Foran plan", "Ahead of plan")),
            Level("on_plan", G, Label("Etter plan", "On plan")),
            Level("minor_delay", Y, Label("Mindre forsinkelse", "Minor delay")),
            Level("delayed", R, Label("Forsinket", "Delayed")),
        ),
        Dimension.COST: (
            Level("under", G, Label("Under budsjett", "Under budget")),
            Level("on_budget", G, Label("Innenfor budsjett", "On budget")),
            Level("minor_overrun", Y, Label("Mindre overskridelse", "Minor overrun")),
            Level("over_budget", R, Label("Over budsjett", "Over budget")),
            # Last, not in the middle: "we do not know" is not better than an overrun.
            Level("unknown", Y, Label("Ukjent", "Unknown")),
        ),
        Dimension.QUALITY: (
            Level("as_expected", G, Label("Som forventet", "As expected")),
            Level("minor_deviations", Y, Label("Mindre avvik", "Minor deviations")),
            Level("major_deviations", R, Label("Store avvik", "Major deviations")),
        ),
        Dimension.RISK: (
            Level("low", G, Label("Lav", "Low")),
            Level("medium", Y, Label("Middels", "Medium")),
            Level("high", R, Label("Høy", "High")),
        ),
        Dimension.BENEFIT: (
            Level("achieved", G, Label("Oppnådd", "Achieved")),
            Level("on_track", G, Label("I rute", "On track")),
            Level("at_risk", Y, Label("Usikker", "At risk")),
            Level("not_achieved", R, Label("Ikke oppnådd", "Not achieved")),
        ),
    }
)

DIMENSION_LABELS: Mapping[Dimension, Label] = MappingProxyType(
    {
        Dimension.OVERALL: Label("Samlet vurdering", "Overall assessment"),
        Dimension.TIME: Label("Fremdrift", "Time"),
        Dimension.COST: Label("Økonomi", "Cost"),
        Dimension.QUALITY: Label("Kvalitet", "Quality"),
        Dimension.RISK: Label("Risiko", "Risk"),
        Dimension.BENEFIT: Label("Gevinstoppnåelse", "Benefit achievement"),
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
    raise ValueError(_not_a_value(dimension, value))


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
    :class:`ReportInvalid`: use :meth:`from_json` for input from people, which reports
    every problem at once.
    """

    values: Mapping[Dimension, str] = field(default_factory=dict)
    comments: Mapping[Dimension, str] = field(default_factory=dict)
    budget: int | None = None  # whole kroner
    spent: int | None = None
    forecast: int | None = None

    def __post_init__(self) -> None:
        problems: list[str] = []
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
            f"{name}: {amount} is negative; amounts are 0 kroner or more"
            for name, amount in self._figures()
            if amount is not None and amount < 0
        ]
        if problems:
            raise ReportInvalid(list(dict.fromkeys(problems)))
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
        """Read a report from a form or the API, listing every problem in one ReportInvalid.

        A value or comment that is None or blank counts as not filled in. Amounts are
        whole kroner: an int, or a string of digits (spaces between groups are allowed).
        """
        problems: list[str] = []
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
                if tidied.ok:
                    read_comments[dimension] = tidied.text
                else:
                    problems.append(f"{dimension}: the comment {reason(tidied)}")
            else:
                problems.append(f"{dimension}: the comment must be text, not {raw!r}")
        figures = {
            name: _amount(name, raw, problems)
            for name, raw in (("budget", budget), ("spent", spent), ("forecast", forecast))
        }
        if problems:
            raise ReportInvalid(list(dict.fromkeys(problems)))
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


def problems_for_publishing(content: ReportContent, kind: ReportKind) -> list[str]:
    """Everything that stops ``content`` from being published as a ``kind`` report.

    Every required dimension is rated; every red value, and an unknown cost, says why in
    a comment; a cost rated against the budget has the budget figure. Spending or a
    forecast above the budget is news for the reader, not an error.
    """
    problems: list[str] = []
    required = required_dimensions(kind)
    for dimension in Dimension:
        value = content.values.get(dimension)
        commented = dimension in content.comments
        if value is None:
            if dimension in required:
                problems.append(
                    f"{dimension}: not filled in; choose one of {', '.join(_values(dimension))}"
                )
            continue
        if colour_of(dimension, value) is Colour.RED and not commented:
            problems.append(f"{dimension}: '{value}' is red; write a comment that explains why")
        if dimension is Dimension.COST:
            if value == "unknown" and not commented:
                problems.append("cost: 'unknown' needs a comment that says why it is not known")
            if value in _COST_AGAINST_BUDGET and content.budget is None:
                problems.append(
                    f"cost: '{value}' needs the budget figure; enter the budget in whole "
                    "kroner, or choose unknown"
                )
    return problems


def check_publishable(content: ReportContent, kind: ReportKind) -> None:
    """Raise ReportInvalid, listing every problem, unless ``content`` can be published."""
    problems = problems_for_publishing(content, kind)
    if problems:
        raise ReportInvalid(problems)


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


def _not_a_value(dimension: Dimension, raw: object) -> str:
    return f"{dimension}: {_quoted(raw)} is not a value; use one of {', '.join(_values(dimension))}"


def _in_order(mapping: Mapping[Dimension, str]) -> dict[Dimension, str]:
    return {dimension: mapping[dimension] for dimension in Dimension if dimension in mapping}


def _dimension(key: str, problems: list[str]) -> Dimension | None:
    try:
        return Dimension(key)
    except ValueError:
        names = ", ".join(Dimension)
        problems.append(f"{_quoted(key)} is not a dimension; use one of {names}")
        return None


def _quoted(raw: object) -> str:
    """What was sent, quoted as Python would show it, but safe to repeat and short."""
    return f"'{shown(raw, 40)}'" if isinstance(raw, str) else shown(repr(raw), 40)


def _amount(name: str, raw: object, problems: list[str]) -> int | None:
    if isinstance(raw, str):
        digits = raw.translate(_GROUPING)
        if not digits:
            return None
        raw = int(digits) if _AMOUNT.fullmatch(digits) else raw
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int):
        problems.append(
            f"{name}: {_quoted(raw)} is not a whole number of kroner; write it in whole kroner, "
            "like 1250000"
        )
        return None
    if raw < 0:
        problems.append(f"{name}: {raw} is negative; amounts are 0 kroner or more")
        return None
    if raw > MAX_AMOUNT:
        problems.append(
            f"{name}: the amount is larger than {MAX_AMOUNT:,} kroner; write it in whole kroner"
        )
        return None
    return raw
