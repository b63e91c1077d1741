"""The project page, registering a project, and requesting a gate decision, as HTML forms.

``GET``/``HEAD /projects/{id}`` shows a project: its phase bar, facts, every gate request
with every vote, its published reports, what is still owed, and its audit trail; anyone
may read it. ``/projects/new`` and ``/projects/{id}/gate-request`` are forms for people
who are signed in; the engine decides who may do what, and its refusals are shown on the
form with what was typed kept. Every field works without a script.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from phasegate.bootstrap import App
from phasegate.domain.model import Answer, Gate
from phasegate.domain.problems import Problem
from phasegate.domain.reports import Dimension, ReportKind, level_of
from phasegate.domain.rules import ChecklistAnswer, DocumentLink
from phasegate.engine import project_page as reads
from phasegate.engine.reports import ReportView
from phasegate.engine.signin import Principal
from phasegate.engine.views import ProjectView
from phasegate.errors import (
    IncompleteGateRequest,
    NotFound,
    NotPermitted,
    RuleViolation,
    say_problem,
)
from phasegate.i18n import lang_query, pick, words
from phasegate.i18n.formats import format_datetime, format_money
from phasegate.web.access import Rule, SignedIn, guard, session_csrf
from phasegate.web.business_case import case_sections
from phasegate.web.params import MAX_ROW_ID, TEXT_LENGTH, Line, Lines, RowId, form_text

Text = Annotated[Line, Form(max_length=200)]
LongText = Annotated[Lines, Form(max_length=TEXT_LENGTH)]
ANSWERS = tuple(a.value for a in Answer)


class ProjectPages:
    """What the routes do: read the request, ask the engine, render; the engine decides."""

    def __init__(self, app: App, templates: Jinja2Templates) -> None:
        self.app = app
        self.engine = app.engine
        self.templates = templates

    def locale_of(self, request: Request, me: Principal | None) -> str:
        return pick(
            request.query_params.get("lang"),
            me.language if me is not None else None,
            default=self.app.settings.locale.value,
        )

    def render(
        self, request: Request, name: str, locale: str, status: int = 200, **context: Any
    ) -> Response:
        zone = self.app.settings.zone
        context = {
            "locale": locale,
            "lang": lang_query(request.query_params),
            "when": lambda moment: format_datetime(moment, locale, zone),
            **context,
        }
        return self.templates.TemplateResponse(request, name, context, status_code=status)

    # --- the project page -------------------------------------------------------------

    def project(self, request: Request, project_id: int, me: Principal | None) -> Response:
        locale = self.locale_of(request, me)
        shown = self.engine.project_page(project_id)
        return self.render(
            request,
            "project.html",
            locale,
            p=shown,
            project=shown.project,
            reports=_report_table(shown.reports, locale),
            phase_names={phase.id: phase.label.get(locale) for phase in shown.phases},
            may_ask=me is not None and self.engine.may_request_gate(project_id, me.person),
            report_link=self.report_link(shown.project, me),
            **case_sections(self.app, self.templates, request, shown.project, me, locale),
        )

    def report_link(self, project: ProjectView, me: Principal | None) -> str | None:
        """The words of the link to the report form (web/project_reports.py), for those
        who may write the project's reports; reads only."""
        owed = None if me is None else self.engine.report_to_write(project.id, me.person)
        if owed is None:
            return None
        if owed.draft_started:
            return "pp_continue_draft"
        return "pp_write_benefit_report" if owed.kind is ReportKind.BENEFIT else "pp_write_report"

    # --- registering a project --------------------------------------------------------

    def registration(
        self,
        request: Request,
        me: Principal,
        typed: ProjectInput,
        problem: str = "",
        status: int = 200,
    ) -> Response:
        definition = self.engine.workflows.current(self.engine.default_workflow)
        return self.render(
            request,
            "project_new.html",
            self.locale_of(request, me),
            status,
            typed=typed,
            problem=problem,
            people=self.engine.people(),
            phases=definition.phases,
            csrf=session_csrf(self.app, request),
        )

    def register(self, request: Request, me: Principal, typed: ProjectInput) -> Response:
        try:
            owner, leader = _person_id(typed.owner), _person_id(typed.leader)
        except ValueError:
            problem = words(self.locale_of(request, me))("pn_bad_person")
            return self.registration(request, me, typed, problem, 422)
        try:
            project = self.engine.register_project(
                typed.name,
                owner=owner,
                leader=leader,
                development_area=typed.development_area.strip() or None,
                portfolio=typed.portfolio.strip() or None,
                description=typed.description.strip(),
                phase=typed.phase or None,
                actor=me.person,
            )
        except NotPermitted:
            raise
        except (RuleViolation, NotFound) as exc:
            said = exc.say(self.locale_of(request, me), self.app.settings.zone)
            return self.registration(request, me, typed, said, 422)
        return RedirectResponse(
            f"/projects/{project}{lang_query(request.query_params)}", status_code=303
        )

    # --- requesting a gate decision ---------------------------------------------------

    def gate_form(self, project_id: int, person: int) -> reads.GateForm:
        """The project's next gate; NotPermitted unless ``person`` may request it."""
        return self.engine.gate_form(project_id, person)

    def gate_page(
        self,
        request: Request,
        me: Principal,
        form: reads.GateForm,
        typed: GateInput,
        problems: Sequence[Problem] = (),
        refusal: str = "",
        status: int = 200,
    ) -> Response:
        locale = self.locale_of(request, me)
        t = words(locale)
        notice = ""
        if form.open_gate is not None:
            notice = t("gr_open_already", project=form.project.name, gate=form.open_gate)
        elif form.gate is None:
            notice = t("gr_no_gate")
        at, summary = _sorted_problems(problems, form.gate, locale, self.app.settings.zone)
        return self.render(
            request,
            "project_gate_request.html",
            locale,
            status,
            project=form.project,
            gate=form.gate if not notice else None,
            notice=notice,
            typed=typed,
            problems_at=at,
            summary=summary,
            refusal=refusal,
            answers=ANSWERS,
            csrf=session_csrf(self.app, request),
        )

    def submit(
        self, request: Request, project_id: int, me: Principal, posted: Mapping[str, str]
    ) -> Response:
        form = self.gate_form(project_id, me.person)  # NotPermitted: 403, before anything else
        if form.gate is None or form.open_gate is not None:
            return self.gate_page(request, me, form, GateInput(), status=409)
        typed = GateInput.from_form(posted, form.gate)
        try:
            self.engine.submit_gate_request(
                project_id,
                typed.checklist(),
                typed.documents(),
                gate=posted.get("gate") or form.gate.id,  # the gate the form showed
                actor=me.person,
            )
        except IncompleteGateRequest as exc:
            return self.gate_page(request, me, form, typed, exc.problems, status=exc.status)
        except NotPermitted:
            raise
        except RuleViolation as exc:
            said = exc.say(self.locale_of(request, me), self.app.settings.zone)
            return self.gate_page(request, me, form, typed, refusal=said, status=exc.status)
        return RedirectResponse(
            f"/projects/{project_id}{lang_query(request.query_params)}", status_code=303
        )


def project_routes(app: App, templates: Jinja2Templates) -> APIRouter:
    """The project page, the registration form and the gate request form."""
    pages = ProjectPages(app, templates)
    router = APIRouter()
    me_dep = guard(app, Rule.SIGNED_IN)  # one guard: declared on the route, and gives `me`
    html: dict[str, Any] = {"response_class": HTMLResponse, "include_in_schema": False}
    reading = ["GET", "HEAD"]

    # Before /projects/{project_id}, which would otherwise take "new" for an id.
    @router.api_route("/projects/new", methods=reading, dependencies=[me_dep], **html)
    def new_project_form(me: SignedIn, request: Request) -> Response:
        return pages.registration(request, me, ProjectInput())

    @router.api_route("/projects/{project_id}", methods=reading, dependencies=[me_dep], **html)
    def project_page(me: SignedIn, request: Request, project_id: RowId) -> Response:
        return pages.project(request, project_id, me)

    @router.post("/projects", dependencies=[me_dep], **html)
    def register_project(
        me: SignedIn,
        request: Request,
        name: Text = "",
        description: LongText = "",
        development_area: Text = "",
        portfolio: Text = "",
        owner: Text = "",
        leader: Text = "",
        phase: Text = "",
    ) -> Response:
        typed = ProjectInput(name, description, development_area, portfolio, owner, leader, phase)
        return pages.register(request, me, typed)

    gate_path = "/projects/{project_id}/gate-request"

    @router.api_route(gate_path, methods=reading, dependencies=[me_dep], **html)
    def gate_request_form(me: SignedIn, request: Request, project_id: RowId) -> Response:
        return pages.gate_page(request, me, pages.gate_form(project_id, me.person), GateInput())

    @router.post(gate_path, dependencies=[me_dep], **html)
    async def gate_request_submit(me: SignedIn, request: Request, project_id: RowId) -> Response:
        posted = await form_text(request, lines=lambda name: name.startswith("comment_"))
        return await run_in_threadpool(pages.submit, request, project_id, me, posted)

    return router


# --- what was typed, kept for showing the form again --------------------------------------


@dataclass(frozen=True)
class ProjectInput:
    name: str = ""
    description: str = ""
    development_area: str = ""
    portfolio: str = ""
    owner: str = ""
    leader: str = ""
    phase: str = ""


@dataclass(frozen=True)
class GateInput:
    """The gate form's fields: ``answer_<item>``, ``comment_<item>``, ``url_<document>``,
    ``title_<document>``."""

    answers: dict[str, str] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_form(cls, posted: Mapping[str, str], gate: Gate) -> GateInput:
        items = [item.id for item in gate.checklist]
        docs = [doc.id for doc in gate.documents]
        return cls(
            answers={i: posted.get(f"answer_{i}", "") for i in items},
            comments={i: posted.get(f"comment_{i}", "").strip() for i in items},
            urls={d: posted.get(f"url_{d}", "").strip() for d in docs},
            titles={d: posted.get(f"title_{d}", "").strip() for d in docs},
        )

    def checklist(self) -> dict[str, ChecklistAnswer]:
        """The answered items; an unanswered one is left out, and the engine says so."""
        return {
            item: ChecklistAnswer(Answer(answer), self.comments.get(item, ""))
            for item, answer in self.answers.items()
            if answer in ANSWERS
        }

    def documents(self) -> list[DocumentLink]:
        return [DocumentLink(d, url, self.titles.get(d, "")) for d, url in self.urls.items() if url]


# --- helpers -------------------------------------------------------------------------------


def _person_id(value: str) -> int | None:
    """A person's id from a select (None: nobody chosen); ValueError if it is not an id."""
    value = value.strip()
    if not value:
        return None
    if not value.isdigit() or int(value) > MAX_ROW_ID:
        raise ValueError(value)
    return int(value)


def _sorted_problems(
    problems: Sequence[Problem], gate: Gate | None, locale: str, zone: ZoneInfo
) -> tuple[dict[str, list[str]], list[tuple[str, str, str]]]:
    """The engine's problems beside the fields they concern (``item-<id>``, ``doc-<id>``:
    anchor -> words), and all of them as a summary of (anchor, what, words), in the
    reader's language; one about no field of the form is in the summary alone."""
    labels: dict[str, str] = {}
    if gate is not None:
        for n, item in enumerate(gate.checklist, start=1):
            labels[f"item-{item.id}"] = f"{n}. {item.text.get(locale)}"
        labels.update({f"doc-{d.id}": d.label.get(locale) for d in gate.documents})
    at: dict[str, list[str]] = {}
    summary: list[tuple[str, str, str]] = []
    for problem in problems:
        said = say_problem(problem, locale, zone)
        anchor = problem.field or ""
        if anchor in labels:
            at.setdefault(anchor, []).append(said)
            summary.append((anchor, labels[anchor], said))
        else:
            summary.append(("", "", said))
    return at, summary


@dataclass(frozen=True)
class ReportRow:
    published_at: datetime
    kind: str
    published_by: str
    cells: dict[Dimension, tuple[str, str]]  # dimension -> (colour and value in words, comment)
    figures: tuple[str, str, str]  # budget, spent, forecast


def _report_table(
    reports: list[ReportView], locale: str
) -> tuple[list[tuple[Dimension, str]], list[ReportRow]]:
    """The published reports as rows, and the dimensions any of them rates as columns."""
    t = words(locale)
    rated = {dimension for r in reports for dimension in r.content.values}
    columns = [(d, t(f"report_dimension_{d}")) for d in Dimension if d in rated]
    rows = []
    for report in reports:
        assert report.published_at is not None
        cells = {}
        for dimension, value in report.content.values.items():
            level = level_of(dimension, value)
            colour = t(f"report_colour_{level.colour.value}")
            cells[dimension] = (
                f"{colour}: {t(f'report_level_{dimension}_{level.value}')}",
                report.content.comments.get(dimension, ""),
            )
        c = report.content
        rows.append(
            ReportRow(
                published_at=report.published_at,
                kind=t(f"report_kind_{report.kind.value}"),
                published_by=report.published_by or "",
                cells=cells,
                figures=(
                    _money(c.budget, locale),
                    _money(c.spent, locale),
                    _money(c.forecast, locale),
                ),
            )
        )
    return columns, rows


def _money(amount: int | None, locale: str) -> str:
    return "–" if amount is None else format_money(amount, locale)


__all__ = ["project_routes"]
