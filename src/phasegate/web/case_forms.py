"""The business case's forms as data: what was posted read into the engine's drafts, and
the fields to show again with each problem beside its own field.

Reading never guesses: a field that cannot be read (a word where a number goes, a date
that is not ``YYYY-MM-DD``) becomes a :class:`Problem` on that field, with the same codes
and words as the engine's refusals, and nothing is sent to the engine until every field
reads. Numbers are read the Norwegian way ("1 234,5", :func:`parse_value`).

Field names are the engine's problem fields (``title``, ``target_on``, ``cost-0-amount``),
so a refusal from either side lands beside the field it is about.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar
from zoneinfo import ZoneInfo

from phasegate.domain.benefits import parse_value
from phasegate.domain.problems import Problem
from phasegate.errors import say_problem
from phasegate.i18n import Words

E = TypeVar("E", bound=StrEnum)

#: How many empty rows a plan's table offers for new lines.
SPARE_ROWS = 3
#: How many date fields an indicator's measurement plan offers beyond its own dates.
SPARE_DATES = 4


@dataclass(frozen=True)
class Field:
    """One input: its name (also the engine's problem field), label, kind and value."""

    name: str
    label: str
    kind: str = "text"  # text | textarea | date | number | select | radio
    value: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # (value, words) for select and radio
    hint: str = ""
    problems: tuple[str, ...] = ()
    numeric: bool = False  # typed as a number: inputmode=decimal, right-aligned
    label_hidden: bool = False  # in a table row, whose column heading is the label

    @property
    def id(self) -> str:
        return f"f-{self.name}"


@dataclass(frozen=True)
class Group:
    """Fields that belong together, in a fieldset when the group has a legend; ``name``
    names a fieldset, and may be a problem field about the whole group (an indicator's
    ``plan``)."""

    legend: str
    fields: tuple[Field, ...]
    name: str = ""
    hint: str = ""
    problems: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return f"f-{self.name}"


@dataclass
class Posted:
    """A posted form, read field by field; what cannot be read is kept as a problem."""

    form: Mapping[str, str]
    problems: list[Problem] = field(default_factory=list)

    def text(self, name: str) -> str:
        return self.form.get(name, "").strip()

    def number(self, name: str, *, required: bool = True) -> Decimal | None:
        typed = self.text(name)
        if not typed:
            if required:
                self.problems.append(Problem.of("value_missing", name))
            return None
        value = parse_value(typed)
        if value is None:
            self.problems.append(Problem.of("value_not_number", name, value=typed[:40]))
        return value

    def whole(self, name: str, *, required: bool = True) -> int | None:
        value = self.number(name, required=required)
        if value is None:
            return None
        if value != value.to_integral_value():
            self.problems.append(Problem.of("report_amount_not_whole", name, value=self.text(name)))
            return None
        return int(value)

    def day(self, name: str, *, required: bool = True) -> date | None:
        typed = self.text(name)
        if not typed:
            if required:
                self.problems.append(Problem.of("value_missing", name))
            return None
        try:
            return date.fromisoformat(typed)
        except ValueError:
            self.problems.append(Problem.of("value_not_date", name, value=typed[:40]))
            return None

    def choice(self, name: str, kind: type[E], *, required: bool = True) -> E | None:
        typed = self.text(name)
        if not typed and not required:
            return None
        try:
            return kind(typed)
        except ValueError:
            if not typed:
                self.problems.append(Problem.of("value_missing", name))
                return None
            choices = [str(k) for k in kind]
            self.problems.append(
                Problem.of("value_not_choice", name, value=typed[:40], choices=choices)
            )
            return None

    def row_id(self, name: str, known: Iterable[int]) -> int | None:
        """An id from a select of known rows (a person, a benefit, a unit); None: none."""
        typed = self.text(name)
        if not typed:
            return None
        allowed = {str(k): k for k in known}
        if typed not in allowed:
            self.problems.append(
                Problem.of("value_not_choice", name, value=typed[:40], choices=list(allowed))
            )
            return None
        return allowed[typed]

    def step(self, name: str, top: int, *, required: bool = True) -> int | None:
        """A score on the risk scale, 1 to ``top``."""
        typed = self.text(name)
        if not typed:
            if required:
                self.problems.append(Problem.of("risk_score_missing", name, top=top))
            return None
        if not typed.isdigit() or not 1 <= int(typed) <= top:
            self.problems.append(
                Problem.of("risk_score_off_scale", name, value=typed[:40], top=top)
            )
            return None
        return int(typed)


@dataclass(frozen=True)
class Said:
    """Problems in the reader's words: beside their fields, and all of them in a summary
    of (anchor, what, words) for the top of the form."""

    at: dict[str, list[str]]
    summary: list[tuple[str, str, str]]

    @classmethod
    def of(
        cls,
        problems: Sequence[Problem],
        labels: Mapping[str, str],
        locale: str,
        zone: ZoneInfo,
    ) -> Said:
        at: dict[str, list[str]] = {}
        summary: list[tuple[str, str, str]] = []
        for problem in problems:
            words = say_problem(problem, locale, zone)
            name = problem.field or ""
            if name in labels:
                at.setdefault(name, []).append(words)
                summary.append((f"f-{name}", labels[name], words))
            else:
                summary.append(("", "", words))
        return cls(at, summary)


def with_problems(groups: Sequence[Group], said: Said) -> list[Group]:
    """The groups, each field (and group) carrying its own problems' words."""
    return [
        replace(
            g,
            problems=tuple(said.at.get(g.name, ())) if g.name else (),
            fields=tuple(replace(f, problems=tuple(said.at.get(f.name, ()))) for f in g.fields),
        )
        for g in groups
    ]


def labels_of(groups: Iterable[Group]) -> dict[str, str]:
    """Each field's label (and each named group's legend), by name: the summary's words."""
    found: dict[str, str] = {}
    for g in groups:
        if g.name:
            found[g.name] = g.legend
        found.update({f.name: f.label for f in g.fields})
    return found


def enum_choices(kind: type[StrEnum], t: Words, prefix: str) -> tuple[tuple[str, str], ...]:
    return tuple((str(k), t(f"{prefix}{k}")) for k in kind)


def grouped(value: Decimal | int | None) -> str:
    """A number as the form shows it back, to be read again: "1 234,5"."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        value = value.normalize()
        if value == value.to_integral_value():
            value = value.quantize(Decimal(1))
    return f"{value:,}".replace(",", " ").replace(".", ",")


def iso(day: date | None) -> str:
    return "" if day is None else day.isoformat()


@dataclass(frozen=True)
class Typed:
    """Fields filled in from what was typed (or saved): ``values`` by field name."""

    values: Mapping[str, str]

    def get(self, name: str, default: str = "") -> str:
        return self.values.get(name, default) or default

    def text(self, name: str, label: str, hint: str = "", *, numeric: bool = False) -> Field:
        return Field(name, label, "text", self.get(name), hint=hint, numeric=numeric)

    def area(self, name: str, label: str) -> Field:
        return Field(name, label, "textarea", self.get(name))

    def day(self, name: str, label: str, hint: str = "") -> Field:
        return Field(name, label, "date", self.get(name), hint=hint)

    def select(
        self,
        name: str,
        label: str,
        choices: tuple[tuple[str, str], ...],
        default: str = "",
        hint: str = "",
    ) -> Field:
        return Field(name, label, "select", self.get(name, default), choices, hint=hint)

    def radio(
        self, name: str, label: str, choices: tuple[tuple[str, str], ...], default: str
    ) -> Field:
        return Field(name, label, "radio", self.get(name, default), choices)
