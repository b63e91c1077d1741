"""What is wrong with what someone sent (*mangler*), as data: never as sentences.

A :class:`Problem` is a stable code, the field it is about (``item-x``, ``budget``) and its
particulars, plain values. The domain returns problems (``missing_for_submission``,
``problems_for_publishing``) or raises them together in :class:`Invalid`; the engine
answers with the error that carries them (``IncompleteGateRequest``, ``ReportInvalid``),
and the words are written only at the edge, in the reader's language, from the catalog
entry ``problem.<code>`` (``locales/<locale>/LC_MESSAGES/errors.po``).

:data:`PROBLEMS` is the one list of codes, with the particulars each one carries. A code
that is not in it, or particulars other than its own, are a programming error, refused as
a function call with a wrong argument is (``TypeError``); ``tests/test_refusal_words.py``
renders every code in every language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as default
from datetime import date
from decimal import Decimal
from types import MappingProxyType

#: A particular of a problem or an error: text, a number, a day or a moment (an aware
#: datetime is a date too), or a list of texts. The catalog writes each the reader's way,
#: numbers grouped ("1 234"), so a row's id is given as text.
Param = str | int | Decimal | date | list[str]

#: Every problem code, and the names of the particulars it carries.
PROBLEMS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        code: frozenset(params)
        for code, params in {
            # a gate request (domain/rules.py); the field is item-<id> or doc-<id>
            "checklist_item_unknown": ("item", "gate"),
            "checklist_unanswered": ("item",),
            "checklist_mandatory": ("item", "answer"),
            "checklist_comment_needed": ("item", "answer"),
            "document_unknown": ("document", "gate"),
            "document_link_invalid": ("document",),
            "document_missing": ("document",),
            # who decides a gate request (engine/gates.py)
            "gate_no_owner": ("project", "gate"),
            "gate_no_board": ("gate",),
            "gate_only_manager": ("gate",),
            # a status or benefit report (domain/reports.py); the field is a dimension
            # (overall, time, ...) or a figure (budget, spent, forecast)
            "report_dimension_unknown": ("key", "dimensions"),
            "report_value_unknown": ("value", "choices"),
            "report_value_missing": ("choices",),
            "report_red_needs_comment": ("value",),
            "report_cost_unknown_needs_comment": (),
            "report_budget_needed": ("value",),
            "report_comment_not_text": ("value",),
            "report_amount_not_whole": ("value",),
            "report_amount_negative": ("amount",),
            "report_amount_too_large": ("limit",),
            "report_no_draft": (),
            # text that is not text (phasegate.domain.text.Fault), in a field that takes text
            "text_surrogate": ("char", "at"),
            "text_nul": ("char", "at"),
            "text_control": ("char", "at"),
            "text_noncharacter": ("char", "at"),
            # the phase machine (domain/machine.py): the engine checks first, so these
            # mean a broken invariant
            "state_unknown": ("state", "workflow", "version", "states"),
            "gate_not_passable": ("gate", "from_phase", "to", "state", "workflow", "version"),
            "stop_impossible": ("state", "workflow", "version"),
            "gate_unknown": ("gate", "workflow"),
            # a gate's requirement on the project's own data (workflow `requires:`)
            "requires_baselined_benefit": (),
            "requires_risk_assessed": (),
            "requires_cost_plan": (),
            "requires_people_plan": (),
            # values typed into a form, an import or the API, before the domain sees them
            "value_missing": (),
            "value_not_number": ("value",),
            "value_not_date": ("value",),
            "value_not_choice": ("value", "choices"),
            "value_too_long": ("limit",),
            # benefits, indicators and measurements (domain/benefits.py)
            "indicator_unit_missing": (),
            "indicator_target_equals_baseline": ("value",),
            "indicator_target_wrong_side": ("direction", "baseline", "target"),
            "indicator_target_before_baseline": ("baseline_on",),
            "plan_cycle_and_dates": (),
            "plan_cycle_unknown": ("cycle", "cycles"),
            "plan_too_many_dates": ("limit",),
            "measurement_before_baseline": ("baseline_on",),
            "measurement_in_future": ("today",),
            "benefit_owner_unknown": ("value",),
            "term_exists": ("value",),
            # the risk register (domain/risks.py)
            "risk_score_missing": ("top",),
            "risk_score_off_scale": ("value", "top"),
            "risk_after_half": (),
            "risk_review_missing": (),
            "risk_review_past": ("today",),
            # cost and people plans (domain/plans.py)
            "plan_year_off": ("first", "last"),
            "plan_investment_negative": (),
            "plan_benefit_on_investment": (),
            "plan_benefit_unknown": ("row",),
            "plan_line_twice": ("year",),
            "plan_unit_unknown": ("row",),
            "plan_competence_unknown": ("row",),
            "plan_fte_off": ("value",),
            # a business-case spreadsheet (portfolio/case_table.py): the field is a column
            "import_unreadable": ("detail",),
            "import_empty": (),
            "import_sheet_unknown": ("sheet", "sheets"),
            "import_column_unknown": ("value", "choices"),
            "import_column_twice": (),
            "import_column_missing": ("value",),
            "import_project_unknown": ("value",),
            "import_benefit_unknown": ("value",),
            "import_indicator_unknown": ("value",),
            "import_person_unknown": ("value",),
            "import_unit_unknown": ("value",),
            "import_competence_unknown": ("value",),
            "import_term_retired": ("value",),
            "import_row_twice": ("row",),
        }.items()
    }
)


def check_params(
    code: str, known: Mapping[str, frozenset[str]], given: Mapping[str, object]
) -> None:
    """Refuse, as a wrong call is refused, a code ``known`` lacks or particulars that are
    not exactly the code's: the words would otherwise show a gap where one belongs."""
    wanted = known.get(code)
    if wanted is None:
        raise TypeError(f"unknown code {code!r}: declare it with its particulars")
    if set(given) != wanted:
        names = ", ".join(sorted(wanted)) or "none"
        raise TypeError(f"{code!r} takes the particulars {names}, not {', '.join(sorted(given))}")


@dataclass(frozen=True)
class Problem:
    """One thing wrong, the field it is about (None: the whole), and its particulars."""

    code: str
    field: str | None = None
    params: Mapping[str, Param] = default(default_factory=dict)

    def __post_init__(self) -> None:
        check_params(self.code, PROBLEMS, self.params)
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    @classmethod
    def of(cls, code: str, field: str | None = None, /, **params: Param) -> Problem:
        """``Problem.of("checklist_unanswered", "item-x", item="x")``."""
        return cls(code, field, params)

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        return f"{where}{self.code} {dict(self.params)}" if self.params else where + self.code


def unique(problems: Sequence[Problem]) -> list[Problem]:
    """The problems in order, each once (the same field can be refused twice over)."""
    kept: list[Problem] = []
    for problem in problems:
        if problem not in kept:
            kept.append(problem)
    return kept


class Invalid(ValueError):
    """Values the domain's rules refuse, with every problem. The domain's own refusal:
    the engine answers with the error that carries the problems to the reader."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(map(str, self.problems)))
