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

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from phasegate.bootstrap import App
from phasegate.domain.machine import mermaid_diagram
from phasegate.domain.model import WorkflowDefinition
from phasegate.errors import NotFound, WorkflowError, WorkflowNotFound
from phasegate.i18n import pick
from phasegate.web.access import Rule, guard
from phasegate.web.params import Lang

WHEEL_FILE_NAME = "arshjul.yaml"
Name = Annotated[str, PathParam(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")]


@dataclass(frozen=True)
class WorkflowFile:
    """One workflow file: its definition, or what is wrong with it."""

    name: str
    definition: WorkflowDefinition | None
    problem: str | None = None


def workflow_files(app: App, locale: str) -> list[WorkflowFile]:
    """Every workflow file in the directory, by name, and what is wrong with each that
    cannot be used, in ``locale``; the wheel file is not a workflow."""
    names = sorted(
        p.stem for p in app.settings.workflows_dir.glob("*.yaml") if not _is_wheel(app, p)
    )
    found = []
    for name in names:
        try:
            found.append(WorkflowFile(name, app.engine.workflows.current(name)))
        except WorkflowError as exc:
            found.append(WorkflowFile(name, None, exc.say(locale, app.settings.zone)))
    return found


def _is_wheel(app: App, path: Path) -> bool:
    """The wheel file in use, or one by the wheel's default name: a wheel, not a workflow."""
    return path.name == WHEEL_FILE_NAME or path.resolve() == app.settings.wheel_path.resolve()


def workflow_routes(app: App, templates: Jinja2Templates) -> APIRouter:
    router = APIRouter(dependencies=[guard(app, Rule.ANYONE)])
    default_locale = app.settings.locale.value

    def locale_of(lang: str | None) -> str:
        return pick(lang, default=default_locale)

    @router.api_route(
        "/workflows", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False
    )
    def workflows_page(request: Request, lang: Lang = None) -> HTMLResponse:
        locale = locale_of(lang)
        return templates.TemplateResponse(
            request,
            "workflows.html",
            {
                "locale": locale,
                "files": workflow_files(app, locale),
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
            raise NotFound("annual_cycle", name=name)
        try:
            definition = app.engine.workflows.current(name)
        except WorkflowNotFound as exc:
            raise NotFound("workflow", name=name) from exc
        return templates.TemplateResponse(
            request,
            "workflow.html",
            {
                "locale": locale,
                "wf": definition,
                "mermaid": mermaid_diagram(definition, locale),
            },
        )

    return router
