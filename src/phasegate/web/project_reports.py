"""A project's status report written from the project page, by people who are signed in.

``GET``/``HEAD /projects/{id}/report`` shows the form: the project's draft if one is
started, else what a new draft would start with (the previous published report). It
writes nothing: the first ``POST`` starts the draft. ``POST`` saves the draft
(``action=save``) or saves and publishes it (``action=publish``), with the session's CSRF
value. Publishing answers the project's open report requests of its kind (the engine).

Who may write is the engine's rule: the project's manager and owner, the PMO and admins.
Anyone else gets its 403 page, for the form and for a POST alike. The form, its problems
beside their fields and the conflict page are the email link's own (web/report_form.py);
the page around them is the signed-in pages' layout, and the words the project pages'.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from phasegate.bootstrap import App
from phasegate.domain.reports import ReportContent, ReportKind
from phasegate.engine.reports import Basis, ReportView
from phasegate.engine.signin import Principal
from phasegate.engine.views import ProjectView
from phasegate.errors import NotPermitted
from phasegate.i18n import Words, pick
from phasegate.web.access import Rule, SignedIn, guard, session_csrf
from phasegate.web.links import LinkPages, Voice
from phasegate.web.params import RowId
from phasegate.web.report_form import (
    Filled,
    ReportWriter,
    Seen,
    number,
    posted_text,
    read_only,
    receipt_context,
    source_of,
    state_of,
)
from phasegate.web.reports import ReportDesk

LAYOUT = "form_layout.html"  # the signed-in pages' navigation, around the link pages' form


@dataclass(frozen=True)
class Sitting:
    """A signed-in writer at one project's report form, and what their form was made from."""

    project: ProjectView
    me: Principal
    voice: Voice
    basis: Basis

    @property
    def lang(self) -> str:
        return f"?lang={self.voice.locale}"

    @property
    def path(self) -> str:
        return f"/projects/{self.project.id}"


class ProjectReportPages(ReportWriter[Sitting]):
    """The form and what its POST does; the engine decides who may, and checks each write."""

    def __init__(self, app: App, templates: Jinja2Templates) -> None:
        self.app = app
        self.engine = app.engine
        self.desk = ReportDesk(app)
        self.links = LinkPages(app, templates, app.engine.clock)  # rendering, as the link's
        self.zone = app.settings.zone

    def sitting(
        self,
        request: Request,
        project_id: int,
        me: Principal,
        posted: Mapping[str, str] | None = None,
    ) -> Sitting:
        """``me`` at the project's form; the domain's NotPermitted (403) unless they may
        write its reports, NotFound (404) for no such project. Reads only."""
        self.engine.check_reporter(project_id, me.person)
        locale = pick(
            request.query_params.get("lang"), me.language, default=self.app.settings.locale.value
        )
        if posted is not None:  # the latest report as the form had it
            basis = Basis(number(posted.get("previous")))
        else:
            latest = self.desk.previous(project_id)
            basis = Basis(latest.id if latest is not None else None)
        return Sitting(self.engine.project(project_id), me, Voice(locale, self.zone), basis)

    # --- the routes' work ------------------------------------------------------------------

    def show(self, request: Request, project_id: int, me: Principal) -> Response:
        sitting = self.sitting(request, project_id, me)
        draft, content = self.current(sitting)
        return self.form(request, sitting, draft, Filled.of(content))

    async def submit(self, request: Request, project_id: int, me: Principal) -> Response:
        posted = await posted_text(request)
        return await run_in_threadpool(self.write_posted, request, project_id, me, posted)

    def write_posted(
        self, request: Request, project_id: int, me: Principal, posted: Mapping[str, str]
    ) -> Response:
        return self.write(request, self.sitting(request, project_id, me, posted), posted)

    # --- what the form's POST does (report_form.ReportWriter.write) ------------------------

    def current(self, visit: Sitting) -> tuple[ReportView | None, ReportContent]:
        return self.desk.current_of(visit.project.id)

    def save(self, visit: Sitting, content: ReportContent, seen: Seen) -> ReportView:
        return self.write_one(visit, content, seen, publish=False)

    def publish(self, visit: Sitting, content: ReportContent, seen: Seen) -> ReportView:
        return self.write_one(visit, content, seen, publish=True)

    def write_one(
        self, visit: Sitting, content: ReportContent, seen: Seen, *, publish: bool
    ) -> ReportView:
        """One engine operation, one transaction, whichever button was pressed."""
        version, report = seen
        return self.engine.write_report(
            visit.project.id,
            content,
            publish=publish,
            seen_version=version,
            seen_report=report,
            basis=visit.basis,
            actor=visit.me.person,
        )

    def forbidden(self, _request: Request, _visit: Sitting, exc: NotPermitted) -> Response:
        raise exc  # the domain's own 403 page, as for the form itself

    def conflict(self, request: Request, visit: Sitting, mine: ReportContent) -> Response:
        latest = self.desk.previous(visit.project.id)
        if latest is not None and latest.id != visit.basis.previous:
            # published since the form was made: a second click on publish, an old tab,
            # or someone else's report. Say so, and keep what was typed.
            return self.published(request, visit, latest, again=True, mine=mine)
        draft, content = self.current(visit)
        return self.form(request, visit, draft, Filled.of(content), conflict=mine)

    # --- pages -----------------------------------------------------------------------------

    def new_kind(self, visit: Sitting) -> ReportKind:
        """The kind the first save will start the draft as (the engine's own choice)."""
        return self.engine.new_report_kind(visit.project.id, visit.project.phase)

    def page(
        self,
        request: Request,
        visit: Sitting,
        kind: ReportKind,
        draft: ReportView | None,
        form: tuple[dict[str, Any], int],
        *,
        kept: bool,
    ) -> Response:
        """The form in the signed-in pages' layout, with the session's CSRF value.

        A form sent back unsaved (``kept``) keeps the latest report it was made from, as
        it keeps the draft version: sending it again cannot pass over a newer report.
        """
        voice, project = visit.voice, visit.project
        t = voice.t
        context, status = form
        latest = self.desk.previous(project.id)
        previous = visit.basis.previous if kept else (latest.id if latest else None)
        context |= {
            "layout": LAYOUT,
            "back": self.back(visit, t),
            "title": t(f"report_title_{kind}", project=project.name),
            "person": visit.me,
            "facts": [
                (t("project"), project.name),
                (t("report_kind"), t(f"report_kind_{kind}")),
                (t("status"), state_of(voice, draft)),
            ],
            "source": source_of(voice, draft, latest),
            "csrf": session_csrf(self.app, request),
            "registers": self.desk.registers(project.id, draft, voice),
            "action": f"{visit.path}/report{visit.lang}",
            "hidden": [("previous", "" if previous is None else previous)],
            "expires": "",
        }
        return self.links.render(request, voice, "report_form.html", context, status)

    def published(
        self,
        request: Request,
        visit: Sitting,
        report: ReportView,
        *,
        again: bool,
        mine: ReportContent | None = None,
    ) -> Response:
        """The published report, read only: a receipt, or the answer to a second publish
        (with what was typed, when it is not what was published)."""
        voice = visit.voice
        t = voice.t
        assert report.published_at is not None
        said = t(
            "pr_published",
            kind=t(f"report_kind_{report.kind}"),
            project=report.project,
            when=voice.when(report.published_at),
            who=report.published_by or "phasegate",
        )
        context, status = receipt_context(voice, report, said, again=again)
        typed = read_only(mine, voice) if mine is not None else None
        context |= {
            "layout": LAYOUT,
            "back": self.back(visit, t),
            "mine": typed if typed != read_only(report.content, voice) else None,
        }
        return self.links.render(request, voice, "report_published.html", context, status)

    @staticmethod
    def back(visit: Sitting, t: Words) -> dict[str, str]:
        return {"href": f"{visit.path}{visit.lang}", "text": t("gr_back")}


def project_report_routes(app: App, templates: Jinja2Templates) -> APIRouter:
    """The status report form on the project page, for people who are signed in."""
    pages = ProjectReportPages(app, templates)
    router = APIRouter()
    me_dep = guard(app, Rule.SIGNED_IN)  # one guard: declared on the route, and gives `me`
    path = "/projects/{project_id}/report"
    html: dict[str, Any] = {"response_class": HTMLResponse, "include_in_schema": False}

    @router.api_route(path, methods=["GET", "HEAD"], dependencies=[me_dep], **html)
    def project_report_form(me: SignedIn, request: Request, project_id: RowId) -> Response:
        """The form; writes nothing, not even a draft."""
        return pages.show(request, project_id, me)

    @router.post(path, dependencies=[me_dep], **html)
    async def project_report_submit(me: SignedIn, request: Request, project_id: RowId) -> Response:
        """Save the draft (action=save) or publish it (action=publish)."""
        return await pages.submit(request, project_id, me)

    return router


# --- the words on these pages, beside the link form's (i18n) and the project pages' -------
