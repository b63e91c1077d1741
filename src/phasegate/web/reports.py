"""Status and benefit reports from the request email's link (the JSON API: report_api.py).

``GET``/``HEAD /report/{token}`` shows the form and changes nothing: mail scanners open
every link in a message, so only the ``POST`` from the form's buttons (save a draft, or
publish) writes, guarded by the same per-link CSRF cookie and HMAC field as vote links.
The page carries no script, and every field works without one.

The JSON API under ``/api/report-requests/{token}`` takes its authority from the same
token. ``version`` is the draft version the writer read (null: "I saw no draft"), so two
people editing one report never overwrite each other unseen.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from phasegate.bootstrap import App
from phasegate.domain.reports import ReportContent, ReportKind
from phasegate.engine.reports import ReportRequestView, ReportView
from phasegate.engine.views import PersonView
from phasegate.errors import (
    LinkError,
    LinkExpired,
    LinkTampered,
    NoReportRequested,
    NotFound,
    NotPermitted,
    ReportLocked,
)
from phasegate.links import ReportLink
from phasegate.web import report_registers
from phasegate.web.access import CsrfRejected, Rule, guard
from phasegate.web.links import COOKIE_VALUE, LinkPages, Refusal, Voice
from phasegate.web.report_form import (
    Filled,
    ReportWriter,
    Seen,
    posted_text,
    receipt_context,
    source_of,
    state_of,
)

# --- the link, and what it may do --------------------------------------------------------


@dataclass(frozen=True)
class Visit:
    """A genuine report link, whose it is, the request it answers, and its reader's voice."""

    token: str
    link: ReportLink
    person: PersonView
    ask: ReportRequestView
    voice: Voice


class ReportDesk:
    """The operations behind the forms and the API; the engine checks every write."""

    def __init__(self, app: App) -> None:
        self.engine = app.engine
        self.signer = app.signer

    def open(self, token: str) -> tuple[ReportLink, PersonView, ReportRequestView]:
        """Raises LinkTampered, LinkExpired, or NotFound for a request or person now gone."""
        link = self.signer.verify_report(token, self.engine.clock())
        return link, self.engine.person(link.person), self.engine.report_request(link.request)

    def may_write(self, project: int, person: int) -> bool:
        """The engine's own rule, asked in a reading transaction (a GET writes nothing)."""
        return self.engine.may_write_reports(project, person)

    def answered(self, ask: ReportRequestView) -> ReportView | None:
        """The published report that answered the request, once it is done."""
        return self.engine.report(ask.report_id) if ask.report_id is not None else None

    def current(self, ask: ReportRequestView) -> tuple[ReportView | None, ReportContent]:
        return self.current_of(ask.project_id)

    def current_of(self, project: int) -> tuple[ReportView | None, ReportContent]:
        """The report as the form starts from it: the draft, else the previous report."""
        draft = self.engine.draft_report(project)
        if draft is not None:
            return draft, draft.content
        return None, self.engine.prefilled_report(project)

    def previous(self, project: int) -> ReportView | None:
        return self.engine.latest_report(project)

    def registers(self, project: int, draft: ReportView | None, voice: Voice) -> dict[str, Any]:
        """The top open risks and the year's cost plan beside the form, as they are now."""
        case = self.engine.business_case(project)
        content = draft.content if draft is not None else None
        return report_registers.live(case, self.engine.today().year, content, voice)

    @staticmethod
    def require_open(ask: ReportRequestView, published: ReportView | None = None) -> None:
        if ask.status == "cancelled":
            raise NoReportRequested("cancelled", project=ask.project)
        if ask.status == "done":
            if published is not None and published.published_by:
                raise ReportLocked("published_by", project=ask.project, by=published.published_by)
            raise ReportLocked("published", project=ask.project)

    def save(
        self,
        person: int,
        ask: ReportRequestView,
        content: ReportContent,
        seen: int | None,
        seen_report: int | None = None,
    ) -> ReportView:
        """Save the draft the writer read (``seen``), or start one if they saw none."""
        return self.engine.write_report(
            ask.project_id,
            content,
            seen_version=seen,
            seen_report=seen_report,
            kind=ask.kind,
            actor=person,
        )

    def publish(
        self,
        person: int,
        ask: ReportRequestView,
        content: ReportContent | None,
        seen: int | None,
        seen_report: int | None = None,
    ) -> ReportView:
        """Save ``content`` if given and publish the draft, answering the request: one
        transaction, so a failed publish saves nothing either."""
        return self.engine.write_report(
            ask.project_id,
            content,
            publish=True,
            seen_version=seen,
            seen_report=seen_report,
            kind=ask.kind,
            request=ask.id,
            actor=person,
        )


# --- the pages -----------------------------------------------------------------------------


class ReportPages(ReportWriter[Visit]):
    """The pages behind the report link. Only the desk's save and publish write."""

    def __init__(self, app: App, templates: Jinja2Templates) -> None:
        self.links = LinkPages(app, templates, app.engine.clock)  # voice, CSRF, rendering
        self.desk = ReportDesk(app)
        self.zone = app.settings.zone
        self.cookie_path = urlsplit(app.settings.base_url).path.rstrip("/") + "/report"

    # --- reading the link ------------------------------------------------------------------

    def visit(self, request: Request, token: str) -> Visit | Response:
        """The link and its request; or the page that refuses it (the vote links' statuses)."""
        voice = self.links.voice_of_id(None)
        try:
            link, person, ask = self.desk.open(token)
        except LinkExpired as exc:
            voice = self.links.voice_of_id(exc.person)
            message = voice.t("report_expired", when=voice.when(exc.expired_at))
            return self.refused(
                request, voice, Refusal(exc.status, voice.t("link_expired_title"), message)
            )
        except LinkError:
            return self.refused(request, voice, self.tampered(voice), not_genuine=True)
        except NotFound:
            t = voice.t
            gone = Refusal(NotFound.status, t("link_gone_title"), t("link_gone"))
            return self.refused(request, voice, gone)
        visit = Visit(token, link, person, ask, self.links.voice_of(person))
        if ask.status == "cancelled":
            return self.refused(request, visit.voice, self.cancelled(visit))
        return visit

    @staticmethod
    def tampered(voice: Voice) -> Refusal:
        return Refusal(
            LinkTampered.status, voice.t("link_tampered_title"), voice.t("report_tampered")
        )

    def cancelled(self, visit: Visit) -> Refusal:
        t, ask = visit.voice.t, visit.ask
        message = t(
            "report_cancelled",
            project=ask.project,
            kind=t(f"report_kind_{ask.kind}").lower(),
            cycle=self.cycle(visit),
        )
        said = f"{message} {t('link_nothing_changed')}"
        return Refusal(NoReportRequested.status, t("report_cancelled_title"), said)

    def not_permitted(self, visit: Visit) -> Refusal:
        t = visit.voice.t
        detail = t("report_not_reporter_detail", name=visit.person.name, project=visit.ask.project)
        title, said = t("report_not_reporter_title"), t("report_not_reporter")
        return Refusal(NotPermitted.status, title, said, detail)

    def refused(
        self, request: Request, voice: Voice, refusal: Refusal, *, not_genuine: bool = False
    ) -> Response:
        english = None
        if not_genuine and voice.locale != "en":  # we cannot know whose link it was
            english = self.tampered(Voice("en", self.zone))
        context = {"refusal": refusal, "english": english}
        return self.links.render(request, voice, "link_refused.html", context, refusal.status)

    @staticmethod
    def cycle(visit: Visit) -> str:
        return visit.ask.label(visit.voice.locale)

    # --- the routes' work ------------------------------------------------------------------

    def show(self, request: Request, token: str) -> Response:
        visit = self.visit(request, token)
        if isinstance(visit, Response):
            return visit
        if visit.ask.status == "done":
            return self.done(request, visit, again=False)
        if not self.desk.may_write(visit.ask.project_id, visit.person.id):
            return self.refused(request, visit.voice, self.not_permitted(visit))
        draft, content = self.current(visit)
        return self.form(request, visit, draft, Filled.of(content))

    def submit(self, request: Request, token: str, form: Mapping[str, str]) -> Response:
        visit = self.visit(request, token)
        if isinstance(visit, Response):
            return visit
        refused = self.refusal_to_write(request, visit, form)
        return refused if refused is not None else self.write(request, visit, form)

    def refusal_to_write(
        self, request: Request, visit: Visit, form: Mapping[str, str]
    ) -> Response | None:
        t = visit.voice.t
        if not self.links.csrf_ok(request, visit.token, form.get("csrf", "")):
            forged = Refusal(CsrfRejected.status, t("report_csrf_title"), t("report_csrf"))
            return self.refused(request, visit.voice, forged)
        if visit.ask.status == "done":  # a second click on publish, or an old tab
            return self.done(request, visit, again=True)
        if not self.desk.may_write(visit.ask.project_id, visit.person.id):
            return self.refused(request, visit.voice, self.not_permitted(visit))
        return None

    # --- what the form's POST does (report_form.ReportWriter.write) ------------------------

    def current(self, visit: Visit) -> tuple[ReportView | None, ReportContent]:
        return self.desk.current(visit.ask)

    def save(self, visit: Visit, content: ReportContent, seen: Seen) -> ReportView:
        return self.desk.save(visit.person.id, visit.ask, content, *seen)

    def publish(self, visit: Visit, content: ReportContent, seen: Seen) -> ReportView:
        return self.desk.publish(visit.person.id, visit.ask, content, *seen)

    def forbidden(self, request: Request, visit: Visit, _exc: NotPermitted) -> Response:
        return self.refused(request, visit.voice, self.not_permitted(visit))

    def conflict(self, request: Request, visit: Visit, mine: ReportContent) -> Response:
        ask = self.desk.engine.report_request(visit.ask.id)
        visit = Visit(visit.token, visit.link, visit.person, ask, visit.voice)
        if ask.status == "done":
            return self.done(request, visit, again=True)
        draft, content = self.current(visit)
        return self.form(request, visit, draft, Filled.of(content), conflict=mine)

    def done(self, request: Request, visit: Visit, *, again: bool) -> Response:
        report = self.desk.answered(visit.ask)
        if report is None:  # done, yet no report to show: say so plainly
            t = visit.voice.t
            said = t("link_nothing_changed")
            refusal = Refusal(ReportLocked.status, t("report_already_title"), said)
            return self.refused(request, visit.voice, refusal)
        return self.published(request, visit, report, again=again)

    # --- pages -----------------------------------------------------------------------------

    def new_kind(self, visit: Visit) -> ReportKind:
        return visit.ask.kind

    def page(
        self,
        request: Request,
        visit: Visit,
        kind: ReportKind,
        draft: ReportView | None,
        form: tuple[dict[str, Any], int],
        *,
        kept: bool,  # noqa: ARG002 - the request's lock keeps a report from being published twice
    ) -> Response:
        """The form with the link's facts, under a CSRF cookie of the link's own."""
        voice, ask, t = visit.voice, visit.ask, visit.voice.t
        context, status = form
        name = self.links.cookie_name(visit.token)
        cookie = request.cookies.get(name, "")
        if not COOKIE_VALUE.match(cookie):
            cookie = secrets.token_urlsafe(32)
        context |= {
            "title": t(f"report_title_{kind}", project=ask.project),
            "person": visit.person,
            "facts": self.facts(visit, kind, draft),
            # the previous report is only named when there is no draft to start from
            "source": source_of(
                voice, draft, None if draft else self.desk.previous(ask.project_id)
            ),
            "csrf": self.links.csrf_for(cookie, visit.token),
            "registers": self.desk.registers(ask.project_id, draft, voice),
            "action": request.url.path,
            "expires": voice.when(visit.link.expires_at),
        }
        response = self.links.render(request, voice, "report_form.html", context, status)
        response.set_cookie(
            name,
            cookie,
            path=self.cookie_path,
            secure=self.links.secure,
            httponly=True,
            samesite="strict",
        )
        return response

    def facts(
        self, visit: Visit, kind: ReportKind, draft: ReportView | None
    ) -> list[tuple[str, str]]:
        voice = visit.voice
        t = voice.t
        return [
            (t("project"), visit.ask.project),
            (t("report_cycle"), self.cycle(visit)),
            (t("report_kind"), t(f"report_kind_{kind}")),
            (t("report_due"), voice.when(visit.ask.due_at)),
            (t("status"), state_of(voice, draft)),
        ]

    def published(
        self, request: Request, visit: Visit, report: ReportView, *, again: bool
    ) -> Response:
        """The published report, read only: a receipt, or the answer to a second click."""
        voice = visit.voice
        t = voice.t
        assert report.published_at is not None  # only published reports answer requests
        said = t(
            "report_published",
            kind=t(f"report_kind_{report.kind}"),
            project=report.project,
            cycle=self.cycle(visit),
            when=voice.when(report.published_at),
            who=report.published_by or "phasegate",
        )
        context, status = receipt_context(voice, report, said, again=again)
        return self.links.render(request, voice, "report_published.html", context, status)


# --- the routes ----------------------------------------------------------------------------


def report_routes(app: App, templates: Jinja2Templates) -> APIRouter:
    """The report form behind the links in report-request emails (the API: report_api)."""
    pages = ReportPages(app, templates)
    router = APIRouter(dependencies=[guard(app, Rule.LINK_TOKEN)])

    # The pages are not API: kept out of the schema (GET and HEAD would share an operation id).
    @router.api_route(
        "/report/{token}",
        methods=["GET", "HEAD"],
        response_class=HTMLResponse,
        include_in_schema=False,
    )
    def report_form(request: Request, token: str) -> Response:
        """The form; changes nothing (mail scanners open every link)."""
        return pages.show(request, token)

    @router.post("/report/{token}", response_class=HTMLResponse, include_in_schema=False)
    async def report_submit(request: Request, token: str) -> Response:
        """Save the draft (action=save) or publish it (action=publish)."""
        fields = await posted_text(request)
        return await run_in_threadpool(pages.submit, request, token, fields)

    return router
