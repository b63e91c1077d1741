"""The project page, registering a project, and requesting a gate decision, as HTML forms.

``GET``/``HEAD /projects/{id}`` shows a project: its phase bar, facts, every gate request
with every vote, its published reports, what is still owed, and its audit trail; anyone
may read it. ``/projects/new`` and ``/projects/{id}/gate-request`` are forms for people
who are signed in; the engine decides who may do what, and its refusals are shown on the
form with what was typed kept. Every field works without a script.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from phasegate.bootstrap import App
from phasegate.domain.model import Answer, Gate
from phasegate.domain.reports import DIMENSION_LABELS, Dimension, ReportKind, level_of
from phasegate.domain.rules import ChecklistAnswer, DocumentLink
from phasegate.engine import project_page as reads
from phasegate.engine.reports import ReportView
from phasegate.engine.signin import Principal
from phasegate.engine.views import ProjectView
from phasegate.errors import IncompleteGateRequest, NotFound, NotPermitted, RuleViolation
from phasegate.mail.render import format_datetime, format_money
from phasegate.web.access import Rule, guard, session_csrf
from phasegate.web.i18n import lang_query, pick_locale, texts
from phasegate.web.params import MAX_ROW_ID, TEXT_LENGTH, Line, Lines, RowId, form_text

Text = Annotated[Line, Form(max_length=200)]
LongText = Annotated[Lines, Form(max_length=TEXT_LENGTH)]
ANSWERS = tuple(a.value for a in Answer)

ITEM_PROBLEM = re.compile(r"^checklist item '([^']+)'")
DOC_PROBLEM = re.compile(r"^(?:the link for|required document) '([^']+)'")


class ProjectPages:
    """What the routes do: read the request, ask the engine, render; the engine decides."""

    def __init__(self, app: App, templates: Jinja2Templates) -> None:
        self.app = app
        self.engine = app.engine
        self.templates = templates

    def locale_of(self, request: Request, me: Principal | None) -> str:
        return pick_locale(
            request.query_params.get("lang"),
            me.language if me is not None else None,
            default=self.app.settings.locale.value,
        )

    def render(
        self, request: Request, name: str, locale: str, status: int = 200, **context: Any
    ) -> Response:
        zone = self.app.settings.zone
        context = {
            "t": project_texts(locale),
            "locale": locale,
            "lang": lang_query(request.query_params),
            "when": lambda moment: format_datetime(moment, locale, zone),
            **context,
        }
        return self.templates.TemplateResponse(request, name, context, status_code=status)

    # --- the project page -------------------------------------------------------------

    def project(self, request: Request, project_id: int, me: Principal | None) -> Response:
        locale = self.locale_of(request, me)
        with self.engine.reading() as conn:
            shown = reads.project_page(conn, self.engine.workflows, project_id)
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
            words = project_texts(self.locale_of(request, me))["pn_bad_person"]
            return self.registration(request, me, typed, words, 422)
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
            return self.registration(request, me, typed, exc.message, 422)
        return RedirectResponse(
            f"/projects/{project}{lang_query(request.query_params)}", status_code=303
        )

    # --- requesting a gate decision ---------------------------------------------------

    def gate_form(self, project_id: int, person: int) -> reads.GateForm:
        """The project's next gate; NotPermitted unless ``person`` may request it."""
        with self.engine.asking(person) as uow:
            return reads.gate_form(uow, project_id)

    def gate_page(
        self,
        request: Request,
        me: Principal,
        form: reads.GateForm,
        typed: GateInput,
        problems: list[str] | None = None,
        refusal: str = "",
        status: int = 200,
    ) -> Response:
        locale = self.locale_of(request, me)
        t = project_texts(locale)
        notice = ""
        if form.open_gate is not None:
            notice = t["gr_open_already"].format(project=form.project.name, gate=form.open_gate)
        elif form.gate is None:
            notice = t["gr_no_gate"]
        at, summary = _sorted_problems(problems or [], form.gate, locale, t)
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
            return self.gate_page(request, me, form, typed, problems=exc.missing, status=422)
        except NotPermitted:
            raise
        except RuleViolation as exc:
            return self.gate_page(request, me, form, typed, refusal=exc.message, status=409)
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
    def new_project_form(request: Request, me: Principal | None = me_dep) -> Response:
        assert me is not None
        return pages.registration(request, me, ProjectInput())

    @router.api_route("/projects/{project_id}", methods=reading, dependencies=[me_dep], **html)
    def project_page(
        request: Request, project_id: RowId, me: Principal | None = me_dep
    ) -> Response:
        return pages.project(request, project_id, me)

    @router.post("/projects", dependencies=[me_dep], **html)
    def register_project(
        request: Request,
        name: Text = "",
        description: LongText = "",
        development_area: Text = "",
        portfolio: Text = "",
        owner: Text = "",
        leader: Text = "",
        phase: Text = "",
        me: Principal | None = me_dep,
    ) -> Response:
        assert me is not None
        typed = ProjectInput(name, description, development_area, portfolio, owner, leader, phase)
        return pages.register(request, me, typed)

    gate_path = "/projects/{project_id}/gate-request"

    @router.api_route(gate_path, methods=reading, dependencies=[me_dep], **html)
    def gate_request_form(
        request: Request, project_id: RowId, me: Principal | None = me_dep
    ) -> Response:
        assert me is not None
        return pages.gate_page(request, me, pages.gate_form(project_id, me.person), GateInput())

    @router.post(gate_path, dependencies=[me_dep], **html)
    async def gate_request_submit(
        request: Request, project_id: RowId, me: Principal | None = me_dep
    ) -> Response:
        assert me is not None
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
    missing: list[str], gate: Gate | None, locale: str, t: Mapping[str, str]
) -> tuple[dict[str, list[str]], list[tuple[str, str, str]]]:
    """The engine's problems beside the fields they concern (anchor -> words), and all of
    them as a summary of (anchor, what, words); one it does not recognise is shown as is."""
    labels: dict[str, str] = {}
    if gate is not None:
        for n, item in enumerate(gate.checklist, start=1):
            labels[f"item-{item.id}"] = f"{n}. {item.text.get(locale)}"
        labels.update({f"doc-{d.id}": d.label.get(locale) for d in gate.documents})
    at: dict[str, list[str]] = {}
    summary: list[tuple[str, str, str]] = []
    for message in missing:
        anchor, words = _problem_words(message, t)
        if anchor in labels:
            at.setdefault(anchor, []).append(words)
            summary.append((anchor, labels[anchor], words))
        else:
            summary.append(("", "", message))
    return at, summary


def _problem_words(message: str, t: Mapping[str, str]) -> tuple[str, str]:
    if found := ITEM_PROBLEM.match(message):
        if "is mandatory and must be done" in message:
            return f"item-{found[1]}", t["gr_mandatory_done"]
        if message.endswith("needs a comment"):
            return f"item-{found[1]}", t["gr_needs_comment"]
        if message.endswith("is unanswered"):
            return f"item-{found[1]}", t["gr_unanswered"]
    if found := DOC_PROBLEM.match(message):
        words = t["gr_bad_url"] if message.startswith("the link") else t["gr_missing_doc"]
        return f"doc-{found[1]}", words
    return "", message


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
    t = project_texts(locale)
    rated = {dimension for r in reports for dimension in r.content.values}
    columns = [(d, DIMENSION_LABELS[d].get(locale)) for d in Dimension if d in rated]
    rows = []
    for report in reports:
        assert report.published_at is not None
        cells = {}
        for dimension, value in report.content.values.items():
            level = level_of(dimension, value)
            colour = t[f"report_colour_{level.colour.value}"]
            cells[dimension] = (
                f"{colour}: {level.label.get(locale)}",
                report.content.comments.get(dimension, ""),
            )
        c = report.content
        rows.append(
            ReportRow(
                published_at=report.published_at,
                kind=t[f"report_kind_{report.kind.value}"],
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


# --- the words on these pages -------------------------------------------------------------

PROJECT_TEXTS: dict[str, dict[str, str]] = {
    "nb": {
        "pp_facts": "Om prosjektet",
        "pp_description": "Beskrivelse",
        "pp_portfolio": "Portefølje",
        "pp_phases": "Faser",
        "pp_current_phase": "nåværende fase",
        "pp_ended": "Prosjektet er {status}.",
        "pp_ask_gate": "Be om beslutning ved neste beslutningspunkt",
        "pp_new_project": "Registrer et nytt prosjekt",
        "pp_gates": "Beslutningspunkter",
        "pp_no_requests": "Ingen beslutninger er bedt om ennå.",
        "pp_submitted": "Sendt inn av {who} {when}",
        "pp_state_open": "åpen, venter på beslutning",
        "pp_state_decided": "avgjort: {outcome}",
        "pp_state_withdrawn": "trukket tilbake",
        "pp_decided": "Avgjort av {who} {when}",
        "pp_due_meeting": "Frist: porteføljestyrets møte {when}",
        "pp_due": "Frist: {when}",
        "pp_awaiting": "Venter på: {events}",
        "pp_reason": "Begrunnelse: {reason}",
        "pp_vote_who": "Hvem",
        "pp_vote": "Stemme",
        "pp_vote_comment": "Kommentar",
        "pp_vote_when": "Når",
        "pp_vote_via": "Hvordan",
        "pp_via_web": "i phasegate",
        "pp_via_link": "fra e-postlenke",
        "pp_via_api": "via API",
        "pp_no_votes": "Ingen har stemt ennå.",
        "pp_reports": "Statusrapporter",
        "pp_write_report": "Skriv statusrapport",
        "pp_write_benefit_report": "Skriv gevinstrapport",
        "pp_continue_draft": "Fortsett utkast",
        "pp_no_reports": "Ingen publiserte rapporter ennå.",
        "pp_published": "Publisert",
        "pp_kind": "Rapport",
        "pp_deadlines": "Kommende frister",
        "pp_no_deadlines": "Ingen åpne frister.",
        "pp_who": "Hvem",
        "pp_what": "Hva",
        "pp_when": "Når",
        "pp_audit": "Revisjonsspor",
        "pp_no_audit": "Ingenting registrert ennå.",
        "pp_system": "systemet",
        "pp_not_set": "ikke satt",
        "audit_ProjectRegistered": "Prosjektet ble registrert",
        "audit_PhaseEntered": "Gikk inn i fasen",
        "audit_GateRequested": "Beslutning ble bedt om",
        "audit_GateRequestWithdrawn": "Forespørselen ble trukket tilbake",
        "audit_VoteCast": "Stemme avgitt",
        "audit_GateDecided": "Beslutningspunktet ble avgjort",
        "audit_GateAwaitingEvents": "Venter på hendelser utenfra",
        "audit_ProjectHeld": "Satt på vent",
        "audit_ProjectResumed": "Gjenopptatt",
        "audit_ProjectStopped": "Stanset",
        "audit_ProjectCompleted": "Fullført",
        "audit_ExternalEventRecorded": "Hendelse utenfra registrert",
        "audit_ReportRequested": "Rapport bedt om",
        "audit_ReportPublished": "Rapport publisert",
        "audit_ReportRequestCancelled": "Rapportforespørsel avlyst",
        "audit_DeadlineEscalated": "Frist eskalert",
        # registering a project
        "pn_title": "Registrer et prosjekt",
        "pn_intro": "Prosjektet starter i fasen du velger, vanligvis Idé.",
        "pn_name": "Navn",
        "pn_description": "Beskrivelse",
        "pn_area": "Utviklingsområde",
        "pn_portfolio": "Portefølje",
        "pn_owner": "Prosjekteier",
        "pn_leader": "Prosjektleder",
        "pn_phase": "Startfase",
        "pn_nobody": "(ingen ennå)",
        "pn_required": "påkrevd",
        "pn_submit": "Registrer prosjektet",
        "pn_problem": "Prosjektet ble ikke registrert:",
        "pn_bad_person": "Velg en person fra listen.",
        # a gate request
        "gr_title": "Be om beslutning: {gate} {label}",
        "gr_intro": (
            "Svar på hvert punkt i sjekklisten og lenk til dokumentene. «Ikke relevant» og "
            "«Fortsatt åpent» trenger en kommentar som sier hvorfor. Et obligatorisk punkt må "
            "være utført."
        ),
        "gr_deciders_board": "Porteføljestyret avgjør ({policy}).",
        "gr_deciders_owner": "Prosjekteieren avgjør.",
        "gr_checklist": "Sjekkliste",
        "gr_mandatory": "obligatorisk",
        "gr_comment": "Kommentar til punkt {n}",
        "gr_documents": "Dokumenter",
        "gr_doc_url": "Lenke til dokumentet (https://…)",
        "gr_doc_title": "Tittel (valgfritt)",
        "gr_submit": "Send inn forespørselen",
        "gr_nothing_yet": "Ingenting sendes før du trykker på knappen.",
        "gr_problems": "Forespørselen er ikke sendt. Rett dette og prøv igjen:",
        "gr_refused": "Forespørselen er ikke sendt:",
        "gr_unanswered": "Ikke besvart. Velg et svar.",
        "gr_mandatory_done": "Punktet er obligatorisk og må være utført.",
        "gr_needs_comment": "Skriv en kommentar som sier hvorfor.",
        "gr_bad_url": "Lenken må være en nettadresse som begynner med https://.",
        "gr_missing_doc": "Lenk til dokumentet.",
        "gr_open_already": (
            "{project} har allerede en åpen forespørsel om {gate}. Vent på beslutningen, eller "
            "trekk forespørselen tilbake."
        ),
        "gr_no_gate": "Det er ingen beslutningspunkt å be om fra fasen prosjektet er i nå.",
        "gr_back": "Tilbake til prosjektet",
    },
    "en": {
        "pp_facts": "About the project",
        "pp_description": "Description",
        "pp_portfolio": "Portfolio",
        "pp_phases": "Phases",
        "pp_current_phase": "current phase",
        "pp_ended": "The project is {status}.",
        "pp_ask_gate": "Request a decision at the next gate",
        "pp_new_project": "Register a new project",
        "pp_gates": "Gates",
        "pp_no_requests": "No decision has been requested yet.",
        "pp_submitted": "Submitted by {who} on {when}",
        "pp_state_open": "open, waiting for a decision",
        "pp_state_decided": "decided: {outcome}",
        "pp_state_withdrawn": "withdrawn",
        "pp_decided": "Decided by {who} on {when}",
        "pp_due_meeting": "Due: the portfolio board meeting on {when}",
        "pp_due": "Due: {when}",
        "pp_awaiting": "Waiting for: {events}",
        "pp_reason": "Reason: {reason}",
        "pp_vote_who": "Who",
        "pp_vote": "Vote",
        "pp_vote_comment": "Comment",
        "pp_vote_when": "When",
        "pp_vote_via": "How",
        "pp_via_web": "in phasegate",
        "pp_via_link": "from an email link",
        "pp_via_api": "over the API",
        "pp_no_votes": "No one has voted yet.",
        "pp_reports": "Status reports",
        "pp_write_report": "Write status report",
        "pp_write_benefit_report": "Write benefit report",
        "pp_continue_draft": "Continue draft",
        "pp_no_reports": "No published reports yet.",
        "pp_published": "Published",
        "pp_kind": "Report",
        "pp_deadlines": "Upcoming deadlines",
        "pp_no_deadlines": "No open deadlines.",
        "pp_who": "Who",
        "pp_what": "What",
        "pp_when": "When",
        "pp_audit": "Audit trail",
        "pp_no_audit": "Nothing recorded yet.",
        "pp_system": "the system",
        "pp_not_set": "not set",
        "audit_ProjectRegistered": "The project was registered",
        "audit_PhaseEntered": "Entered the phase",
        "audit_GateRequested": "A decision was requested",
        "audit_GateRequestWithdrawn": "The request was withdrawn",
        "audit_VoteCast": "Vote cast",
        "audit_GateDecided": "The gate was decided",
        "audit_GateAwaitingEvents": "Waiting for outside events",
        "audit_ProjectHeld": "Put on hold",
        "audit_ProjectResumed": "Resumed",
        "audit_ProjectStopped": "Stopped",
        "audit_ProjectCompleted": "Completed",
        "audit_ExternalEventRecorded": "Outside event recorded",
        "audit_ReportRequested": "Report requested",
        "audit_ReportPublished": "Report published",
        "audit_ReportRequestCancelled": "Report request cancelled",
        "audit_DeadlineEscalated": "Deadline escalated",
        "pn_title": "Register a project",
        "pn_intro": "The project starts in the phase you choose, usually Idea.",
        "pn_name": "Name",
        "pn_description": "Description",
        "pn_area": "Development area",
        "pn_portfolio": "Portfolio",
        "pn_owner": "Project owner",
        "pn_leader": "Project manager",
        "pn_phase": "Starting phase",
        "pn_nobody": "(nobody yet)",
        "pn_required": "required",
        "pn_submit": "Register the project",
        "pn_problem": "The project was not registered:",
        "pn_bad_person": "Choose a person from the list.",
        "gr_title": "Request a decision: {gate} {label}",
        "gr_intro": (
            "Answer every checklist item and link the documents. “Not relevant” and “Still "
            "open” need a comment that says why. A mandatory item must be done."
        ),
        "gr_deciders_board": "The portfolio board decides ({policy}).",
        "gr_deciders_owner": "The project owner decides.",
        "gr_checklist": "Checklist",
        "gr_mandatory": "mandatory",
        "gr_comment": "Comment on item {n}",
        "gr_documents": "Documents",
        "gr_doc_url": "Link to the document (https://…)",
        "gr_doc_title": "Title (optional)",
        "gr_submit": "Submit the request",
        "gr_nothing_yet": "Nothing is sent until you press the button.",
        "gr_problems": "The request was not submitted. Correct this and try again:",
        "gr_refused": "The request was not submitted:",
        "gr_unanswered": "Not answered. Choose an answer.",
        "gr_mandatory_done": "This item is mandatory and must be done.",
        "gr_needs_comment": "Write a comment that says why.",
        "gr_bad_url": "The link must be a web address starting with https://.",
        "gr_missing_doc": "Link the document.",
        "gr_open_already": (
            "{project} already has an open request for {gate}. Wait for the decision, or "
            "withdraw the request."
        ),
        "gr_no_gate": "There is no gate to request from the phase the project is in now.",
        "gr_back": "Back to the project",
    },
}


def project_texts(locale: str) -> dict[str, str]:
    """The shared page words with the project pages' own on top."""
    return texts(locale, PROJECT_TEXTS)


__all__ = ["PROJECT_TEXTS", "project_routes", "project_texts"]
