"""The workflows as pages: which workflow files there are, and each one's phases and gates.

``GET /workflows`` lists the files in the workflows directory (not the wheel, which lives
there too). ``GET /workflows/{name}`` shows the phase diagram twice: as Mermaid text to
paste into any Mermaid viewer (the page runs no script), and as an ordered list of phases
with the gates between them, which a screen reader reads as well as an eye. Then every
gate's definition: purpose, who decides and how, the checklist, documents and events.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from phasegate.bootstrap import App
from phasegate.domain.machine import mermaid_diagram
from phasegate.domain.model import WorkflowDefinition
from phasegate.errors import NotFound, WorkflowError, WorkflowNotFound
from phasegate.web.access import Rule, guard
from phasegate.web.i18n import pick_locale, texts

WHEEL_FILE_NAME = "arshjul.yaml"
Lang = Annotated[str | None, Query(pattern="^(nb|en)$")]
Name = Annotated[str, PathParam(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")]

WORDS: dict[str, dict[str, str]] = {
    "nb": {
        "workflows_title": "Arbeidsflyter",
        "workflows_intro": (
            "Arbeidsflytene er YAML-filer i arbeidsflytmappen. Et prosjekt følger den "
            "versjonen det startet med."
        ),
        "wf_name": "Navn",
        "wf_title": "Tittel",
        "wf_version": "Versjon",
        "wf_shape": "Innhold",
        "wf_counts": "{phases} faser, {gates} beslutningspunkter",
        "wf_default": "standard for nye prosjekter",
        "wf_broken": "Filen har feil og kan ikke brukes: {message}",
        "wf_none": "Ingen arbeidsflyter i {directory}.",
        "wf_flow": "Faser og beslutningspunkter",
        "wf_phase_owned_line": "eies av linjen",
        "wf_phase_owned_project": "eies av prosjektet",
        "wf_leads_to": "fører til",
        "wf_terminals": "Sluttilstander",
        "wf_terminal_stopped": "Et prosjekt som stanses i et beslutningspunkt, ender her.",
        "wf_terminal_completed": "Et prosjekt som går gjennom siste beslutningspunkt, ender her.",
        "wf_diagram": "Diagram (Mermaid)",
        "wf_diagram_hint": (
            "Lim teksten inn i en Mermaid-visning (for eksempel mermaid.live) for å se "
            "diagrammet som tegning."
        ),
        "wf_gates": "Beslutningspunktene",
        "wf_purpose": "Formål",
        "wf_deciders": "Beslutter",
        "wf_checklist": "Sjekkliste",
        "wf_mandatory": "obligatorisk",
        "wf_optional": "valgfri",
        "wf_documents": "Dokumenter",
        "wf_events": "Må være meldt før godkjenning",
        "wf_nothing": "Ingen.",
        "role_owner": "Prosjekteier",
        "role_board": "Porteføljestyret",
        "policy_one": "én beslutter er nok",
        "policy_majority": "flertallet må være enige",
        "policy_all": "alle må være enige",
        "wf_back": "Alle arbeidsflyter",
    },
    "en": {
        "workflows_title": "Workflows",
        "workflows_intro": (
            "The workflows are YAML files in the workflows directory. A project follows the "
            "version it started with."
        ),
        "wf_name": "Name",
        "wf_title": "Title",
        "wf_version": "Version",
        "wf_shape": "Contents",
        "wf_counts": "{phases} phases, {gates} gates",
        "wf_default": "default for new projects",
        "wf_broken": "The file has errors and cannot be used: {message}",
        "wf_none": "No workflows in {directory}.",
        "wf_flow": "Phases and gates",
        "wf_phase_owned_line": "owned by the line",
        "wf_phase_owned_project": "owned by the project",
        "wf_leads_to": "leads to",
        "wf_terminals": "End states",
        "wf_terminal_stopped": "A project stopped at any gate ends here.",
        "wf_terminal_completed": "A project that passes the last gate ends here.",
        "wf_diagram": "Diagram (Mermaid)",
        "wf_diagram_hint": (
            "Paste the text into a Mermaid viewer (mermaid.live, for one) to see the diagram drawn."
        ),
        "wf_gates": "The gates",
        "wf_purpose": "Purpose",
        "wf_deciders": "Decided by",
        "wf_checklist": "Checklist",
        "wf_mandatory": "mandatory",
        "wf_optional": "optional",
        "wf_documents": "Documents",
        "wf_events": "Must be reported before approval",
        "wf_nothing": "None.",
        "role_owner": "The project owner",
        "role_board": "The portfolio board",
        "policy_one": "any one decider is enough",
        "policy_majority": "a majority must agree",
        "policy_all": "all must agree",
        "wf_back": "All workflows",
    },
}


@dataclass(frozen=True)
class WorkflowFile:
    """One workflow file: its definition, or what is wrong with it."""

    name: str
    definition: WorkflowDefinition | None
    problem: str | None = None


def words(locale: str) -> dict[str, str]:
    return texts(locale, WORDS)


def workflow_files(app: App) -> list[WorkflowFile]:
    """Every workflow file in the directory, by name; the wheel file is not a workflow."""
    names = sorted(
        p.stem for p in app.settings.workflows_dir.glob("*.yaml") if not _is_wheel(app, p)
    )
    found = []
    for name in names:
        try:
            found.append(WorkflowFile(name, app.engine.workflows.current(name)))
        except WorkflowError as exc:
            found.append(WorkflowFile(name, None, exc.message))
    return found


def _is_wheel(app: App, path: Path) -> bool:
    """The wheel file in use, or one by the wheel's default name: a wheel, not a workflow."""
    return path.name == WHEEL_FILE_NAME or path.resolve() == app.settings.wheel_path.resolve()


def workflow_routes(app: App, templates: Jinja2Templates) -> APIRouter:
    router = APIRouter(dependencies=[guard(app, Rule.ANYONE)])
    default_locale = app.settings.locale.value

    def locale_of(lang: str | None) -> str:
        return pick_locale(lang, default=default_locale)

    @router.api_route(
        "/workflows", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False
    )
    def workflows_page(request: Request, lang: Lang = None) -> HTMLResponse:
        locale = locale_of(lang)
        return templates.TemplateResponse(
            request,
            "workflows.html",
            {
                "t": words(locale),
                "locale": locale,
                "files": workflow_files(app),
                "default": app.settings.default_workflow,
                "directory": str(app.settings.workflows_dir),
            },
        )

    @router.api_route(
        "/workflows/{name}",
        methods=["GET", "HEAD"],
        response_class=HTMLResponse,
        include_in_schema=False,
    )
    def workflow_page(request: Request, name: Name, lang: Lang = None) -> HTMLResponse:
        locale = locale_of(lang)
        if _is_wheel(app, app.settings.workflows_dir / f"{name}.yaml"):
            raise NotFound(f"'{name}' is the annual cycle, not a workflow: see /arshjul.")
        try:
            definition = app.engine.workflows.current(name)
        except WorkflowNotFound as exc:
            raise NotFound(f"{exc.message} See the list at /workflows.") from exc
        return templates.TemplateResponse(
            request,
            "workflow.html",
            {
                "t": words(locale),
                "locale": locale,
                "wf": definition,
                "mermaid": mermaid_diagram(definition, locale),
            },
        )

    return router
