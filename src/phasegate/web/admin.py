"""Administration for the PMO and admins: people, roles and board membership, everyone's
API tokens and calendar addresses (with revoke), and email that could not be delivered
(dead letters), with re-send.

Every route here has the rule ``office``; the engine checks the same again, so the API and
the CLI answer alike.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from phasegate.bootstrap import App
from phasegate.engine.projects import ROLES
from phasegate.engine.signin import Principal
from phasegate.errors import PhasegateError, RuleViolation
from phasegate.i18n import lang_query, pick
from phasegate.web.access import Rule, SignedIn, guard, session_csrf
from phasegate.web.params import FormId, Line, RowId
from phasegate.web.refusals import reader_locale

Text = Annotated[Line, Form(max_length=320)]


def back_to(request: Request, path: str, done: str = "1") -> Response:
    """After a change: back to ``path`` with its "done" message, in the page's language."""
    lang = lang_query(request.query_params, "&")
    return RedirectResponse(f"{path}?done={done}{lang}", status_code=303)


def admin_page(
    app: App,
    templates: Jinja2Templates,
    request: Request,
    me: Principal,
    name: str,
    status: int = 200,
    **extra: Any,
) -> Response:
    """An administration page in the reader's language, its forms carrying the
    session's CSRF value."""
    locale = pick(request.query_params.get("lang"), me.language)
    context = {
        "locale": locale,
        "me": me,
        "csrf": session_csrf(app, request),
        **extra,
    }
    return templates.TemplateResponse(request, name, context, status_code=status)


def admin_routes(app: App, templates: Jinja2Templates) -> APIRouter:
    engine = app.engine

    def said(request: Request, exc: PhasegateError) -> str:
        """The engine's refusal in the reader's language, for the page it comes back to."""
        return exc.say(reader_locale(request, app.settings.locale.value), app.settings.zone)

    office = guard(app, Rule.OFFICE)  # declared on the router, and gives `me`
    router = APIRouter(prefix="/admin", dependencies=[office])

    def page(
        request: Request, me: Principal, name: str, status: int = 200, **extra: Any
    ) -> Response:
        done = request.query_params.get("done") == "1"
        return admin_page(
            app, templates, request, me, name, status, roles=ROLES, done=done, **extra
        )

    def people_page(
        request: Request, me: Principal, error: str = "", status: int = 200
    ) -> Response:
        return page(request, me, "admin.html", status, people=engine.people(), error=error)

    def after(request: Request, me: Principal, change: Any) -> Response:
        """Do the change; back to the page with its message if the engine refuses it."""
        try:
            change()
        except RuleViolation as exc:
            return people_page(request, me, said(request, exc), exc.status)
        return back_to(request, "/admin")

    @router.get("", response_class=HTMLResponse, include_in_schema=False)
    def people(me: SignedIn, request: Request) -> Response:
        return people_page(request, me)

    @router.post("/people", include_in_schema=False)
    def register(
        me: SignedIn,
        request: Request,
        name: Text,
        email: Text,
        language: Annotated[Line, Form(max_length=5)] = "nb",
    ) -> Response:
        return after(
            request, me, lambda: engine.register_person(name, email, language, actor=me.person)
        )

    @router.post("/roles", include_in_schema=False)
    def grant(
        me: SignedIn, request: Request, person: FormId, role: Annotated[Line, Form(max_length=20)]
    ) -> Response:
        return after(request, me, lambda: engine.grant_role(person, role, actor=me.person))

    @router.post("/roles/revoke", include_in_schema=False)
    def revoke(
        me: SignedIn, request: Request, person: FormId, role: Annotated[Line, Form(max_length=20)]
    ) -> Response:
        return after(request, me, lambda: engine.revoke_role(person, role, actor=me.person))

    @router.get("/tokens", response_class=HTMLResponse, include_in_schema=False)
    def tokens(me: SignedIn, request: Request) -> Response:
        held = engine.every_api_token(actor=me.person)
        return page(request, me, "admin_tokens.html", tokens=held)

    @router.post("/tokens/{token_id}/revoke", include_in_schema=False)
    def revoke_token(me: SignedIn, request: Request, token_id: RowId) -> Response:
        """The engine checks the rule again and records the revocation in the audit trail."""
        engine.revoke_api_token(token_id, actor=me.person)
        return back_to(request, "/admin/tokens")

    @router.get("/feeds", response_class=HTMLResponse, include_in_schema=False)
    def feeds(me: SignedIn, request: Request) -> Response:
        held = engine.every_calendar_feed(actor=me.person)
        return page(request, me, "admin_feeds.html", feeds=held)

    @router.post("/feeds/{feed_id}/revoke", include_in_schema=False)
    def revoke_feed(me: SignedIn, request: Request, feed_id: RowId) -> Response:
        """The engine checks the rule again and records the revocation in the audit trail."""
        engine.revoke_calendar_feed(feed_id, actor=me.person)
        return back_to(request, "/admin/feeds")

    @router.get("/mail", response_class=HTMLResponse, include_in_schema=False)
    def dead_letters(me: SignedIn, request: Request) -> Response:
        dead = engine.outbox_messages(status="dead")
        return page(request, me, "admin_mail.html", dead=dead)

    @router.post("/mail/{message}/resend", include_in_schema=False)
    def resend(me: SignedIn, request: Request, message: RowId) -> Response:
        engine.resend_dead_letter(message, actor=me.person)
        return back_to(request, "/admin/mail")

    return router
