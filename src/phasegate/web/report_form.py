"""The status report form, shared by its two doors: the request email's link
(``web/reports.py``) and the project page for people who are signed in
(``web/project_reports.py``).

Here are what both need: reading what was posted, putting the domain's problems beside
their fields in the reader's words, the form's fields and a report to read, and the flow
of one POST (save the draft, or save and publish it; a stale form comes back as the
conflict page with what was typed). Each door says who may write, where its form goes,
and what its pages say around the form.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from fastapi import Request
from fastapi.responses import Response

from phasegate.domain.reports import (
    SCALES,
    Colour,
    Dimension,
    ReportContent,
    ReportKind,
    level_of,
    required_dimensions,
)
from phasegate.engine.reports import ReportView, report_content
from phasegate.errors import (
    ConcurrentUpdate,
    NotPermitted,
    ReportInvalid,
    ReportLocked,
    say_problem,
)
from phasegate.i18n.formats import format_money
from phasegate.web import report_registers
from phasegate.web.links import Voice
from phasegate.web.params import form_text

FIGURES = ("budget", "spent", "forecast")
FIELDS = frozenset({*map(str, Dimension), *FIGURES})

#: The draft version and the draft the reader's form was made from (None: no draft).
Seen = tuple[int | None, int | None]


@dataclass(frozen=True)
class Filled:
    """The form's fields as the reader typed them (or as they were saved), all text."""

    values: Mapping[str, str]
    comments: Mapping[str, str]
    figures: Mapping[str, str]

    @classmethod
    def of(cls, content: ReportContent) -> Filled:
        values, comments = content.to_json()
        amounts = (content.budget, content.spent, content.forecast)
        figures = {n: _grouped(a) for n, a in zip(FIGURES, amounts, strict=True)}
        return cls(values, comments, figures)

    @classmethod
    def posted(cls, form: Mapping[str, str]) -> Filled:
        return cls(
            {str(d): form.get(f"value_{d}", "") for d in Dimension},
            {str(d): form.get(f"comment_{d}", "") for d in Dimension},
            {name: form.get(name, "") for name in FIGURES},
        )

    def content(self) -> ReportContent:
        """The report these fields say; ReportInvalid lists every field that cannot be read."""
        return report_content(self.values, self.comments, **self.figures)


@dataclass(frozen=True)
class Problems:
    """What stops the report, each put beside its field in the reader's words."""

    by_field: dict[str, list[str]] = field(default_factory=dict)
    summary: list[tuple[str | None, str, str]] = field(default_factory=list)  # anchor, what, text

    @classmethod
    def of(cls, exc: ReportInvalid | None, voice: Voice) -> Problems:
        found = cls()
        for problem in exc.problems if exc else ():
            where = problem.field if problem.field in FIELDS else None
            text = say_problem(problem, voice.locale, voice.zone)
            found.by_field.setdefault(where or "", []).append(text)
            name = _field_label(where, voice) if where else ""
            found.summary.append((f"field-{where}" if where else None, name, text))
        return found


def _grouped(amount: int | None) -> str:
    """Whole kroner as people write them, "12 000 000"; the domain reads the spaces back."""
    return "" if amount is None else f"{amount:,}".replace(",", " ")


def _field_label(name: str, voice: Voice) -> str:
    if name in FIGURES:
        return voice.t(f"report_{name}")
    return voice.t(f"report_dimension_{name}")


def _colour(colour: Colour, voice: Voice) -> dict[str, str]:
    return {"text": voice.t(f"report_colour_{colour}"), "colour": str(colour)}


def read_only(content: ReportContent, voice: Voice) -> dict[str, Any]:
    """A report to read: each rated dimension with its colour in words, and the figures."""
    rows = []
    for dimension in Dimension:
        value = content.values.get(dimension)
        comment = content.comments.get(dimension, "")
        if value is None and not comment:
            continue
        level = level_of(dimension, value) if value else None
        rows.append(
            {
                "label": voice.t(f"report_dimension_{dimension}"),
                "value": voice.t(f"report_level_{dimension}_{level.value}")
                if level
                else voice.t("report_not_rated"),
                "colour": _colour(level.colour, voice) if level else None,
                "comment": comment,
            }
        )
    amounts = (content.budget, content.spent, content.forecast)
    figures = [
        (voice.t(f"report_{name}"), format_money(amount, voice.locale))
        for name, amount in zip(FIGURES, amounts, strict=True)
        if amount is not None
    ]
    return {"rows": rows, "figures": figures}


def _field(
    dimension: Dimension, required: bool, filled: Filled, problems: Problems, voice: Voice
) -> dict[str, Any]:
    """One dimension's radio group: its scale, each value's colour in words as well."""
    return {
        "name": str(dimension),
        "label": voice.t(f"report_dimension_{dimension}"),
        "required": required,
        "chosen": filled.values.get(dimension, ""),
        "choices": [
            {
                "value": level.value,
                "label": voice.t(f"report_level_{dimension}_{level.value}"),
                "colour": _colour(level.colour, voice),
            }
            for level in SCALES[dimension]
        ],
        "comment": filled.comments.get(dimension, ""),
        "problems": problems.by_field.get(str(dimension), []),
    }


def number(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


async def posted_text(request: Request) -> dict[str, str]:
    """The posted form's text fields; the comments hold lines."""
    return await form_text(request, lines=lambda name: name.startswith("comment"))


def state_of(voice: Voice, draft: ReportView | None) -> str:
    """Where the report stands: not started, or a draft last saved when."""
    if draft is None:
        return voice.t("report_state_new")
    return voice.t("report_state_draft", when=voice.when(draft.updated_at))


def source_of(voice: Voice, draft: ReportView | None, previous: ReportView | None) -> str:
    """What the form starts from: the draft, the previous published report, or nothing."""
    t = voice.t
    if draft is not None:
        return t("report_from_draft")
    if previous is None or previous.published_at is None:
        return t("report_from_nothing")
    return t("report_from_previous", when=voice.when(previous.published_at))


def form_context(
    voice: Voice,
    kind: ReportKind,
    draft: ReportView | None,
    filled: Filled,
    *,
    exc: ReportInvalid | None = None,
    saved: bool = False,
    conflict: ReportContent | None = None,
    seen: Seen | None = None,
) -> tuple[dict[str, Any], int]:
    """The form's fields filled in, every problem beside its field, and its status.

    ``seen`` keeps the version the reader's form was made from when the form comes
    back unsaved, so sending it again can never overwrite someone else's save.
    """
    t = voice.t
    required = required_dimensions(kind)
    problems = Problems.of(exc, voice)
    version, draft_id = seen or ((draft.version, draft.id) if draft else (None, None))
    context = {
        "required": ", ".join(voice.t(f"report_dimension_{d}") for d in required),
        "fields": [_field(d, d in required, filled, problems, voice) for d in Dimension],
        "figures": [
            {
                "name": n,
                "label": t(f"report_{n}"),
                "value": filled.figures.get(n, ""),
                "problems": problems.by_field.get(n, []),
            }
            for n in FIGURES
        ],
        "problems": problems.summary,
        "problems_intro": t("report_problems_saved") if saved else t("report_problems_unsaved"),
        "conflict": read_only(conflict, voice) if conflict is not None else None,
        "version": "" if version is None else version,
        "draft": "" if draft_id is None else draft_id,
    }
    return context, 409 if conflict is not None else 400 if exc is not None else 200


def receipt_context(
    voice: Voice, report: ReportView, said: str, *, again: bool
) -> tuple[dict[str, Any], int]:
    """The published report, read only: a receipt, or the answer to a second publish."""
    t = voice.t
    lines = [said, t("report_locked")]
    if again:
        lines.append(t("link_nothing_changed"))
    context = {
        "title": t("report_already_title") if again else t("report_published_title"),
        "lines": lines,
        "registers": report_registers.kept(report.register, report.content, voice),
        **read_only(report.content, voice),
    }
    return context, 409 if again else 200


class Reader(Protocol):
    """Whoever has the form open, in their own language."""

    @property
    def voice(self) -> Voice: ...


V = TypeVar("V", bound=Reader)


class ReportWriter(ABC, Generic[V]):
    """One POST of the report form: save the draft, or save and publish it.

    Each door says how it saves and publishes (the engine checks every write), and
    which pages it answers with.
    """

    @abstractmethod
    def current(self, visit: V) -> tuple[ReportView | None, ReportContent]:
        """The report as the form starts from it: the draft, else the previous report."""

    @abstractmethod
    def save(self, visit: V, content: ReportContent, seen: Seen) -> ReportView: ...

    @abstractmethod
    def publish(self, visit: V, content: ReportContent, seen: Seen) -> ReportView: ...

    @abstractmethod
    def new_kind(self, visit: V) -> ReportKind:
        """The kind of report a form with no draft in it is for."""

    @abstractmethod
    def page(
        self,
        request: Request,
        visit: V,
        kind: ReportKind,
        draft: ReportView | None,
        form: tuple[dict[str, Any], int],
        *,
        kept: bool,
    ) -> Response:
        """The page around the ``form`` (its context and status); ``kept``: the form
        comes back unsaved, made from what the reader's own form was made from."""

    @abstractmethod
    def published(
        self, request: Request, visit: V, report: ReportView, *, again: bool
    ) -> Response: ...

    @abstractmethod
    def conflict(self, request: Request, visit: V, mine: ReportContent) -> Response:
        """Someone saved or published first: show what is there now, and what was typed."""

    @abstractmethod
    def forbidden(self, request: Request, visit: V, exc: NotPermitted) -> Response:
        """The engine refused this person (it checks every write)."""

    def form(
        self,
        request: Request,
        visit: V,
        draft: ReportView | None,
        filled: Filled,
        *,
        notice: str = "",
        exc: ReportInvalid | None = None,
        saved: bool = False,
        conflict: ReportContent | None = None,
        seen: Seen | None = None,
    ) -> Response:
        """The report form, filled in; with every problem beside its field."""
        kind = draft.kind if draft is not None else self.new_kind(visit)
        context, status = form_context(
            visit.voice, kind, draft, filled, exc=exc, saved=saved, conflict=conflict, seen=seen
        )
        context["notice"] = notice
        return self.page(request, visit, kind, draft, (context, status), kept=seen is not None)

    def write(self, request: Request, visit: V, form: Mapping[str, str]) -> Response:
        """Save the form as the draft, or save and publish it."""
        filled = Filled.posted(form)
        seen = (number(form.get("version")), number(form.get("draft")))
        try:
            content = filled.content()
        except ReportInvalid as exc:  # fields that cannot be read: nothing is saved
            draft = self.current(visit)[0]
            return self.form(request, visit, draft, filled, exc=exc, seen=seen)
        try:
            if form.get("action") == "publish":
                return self.save_and_publish(request, visit, filled, content, seen)
            saved = self.save(visit, content, seen)
        except (ConcurrentUpdate, ReportLocked):
            return self.conflict(request, visit, content)
        except NotPermitted as exc:
            return self.forbidden(request, visit, exc)
        notice = visit.voice.t("report_saved", time=self.clock_time(saved.updated_at, visit.voice))
        return self.form(request, visit, saved, Filled.of(saved.content), notice=notice)

    def save_and_publish(
        self, request: Request, visit: V, filled: Filled, content: ReportContent, seen: Seen
    ) -> Response:
        try:
            published = self.publish(visit, content, seen)
        except ReportInvalid as exc:  # saved as a draft, and not published
            draft = self.current(visit)[0]
            return self.form(request, visit, draft, filled, exc=exc, saved=True)
        return self.published(request, visit, published, again=False)

    def clock_time(self, moment: datetime, voice: Voice) -> str:
        return moment.astimezone(voice.zone).strftime("%H.%M" if voice.locale == "nb" else "%H:%M")
