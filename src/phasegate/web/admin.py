"""Administration for the PMO and admins: people, roles and board membership, everyone's
API tokens and calendar addresses (with revoke), and email that could not be delivered
(dead letters), with re-send.

Every route here has the rule ``office``; the engine checks the same again, so the API and
the CLI answer alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from phasegate.bootstrap import App
from phasegate.engine.projects import ROLES
from phasegate.engine.signin import Principal
from phasegate.errors import RuleViolation
from phasegate.mail.outbox import list_messages
from phasegate.web.access import Rule, guard, session_csrf
from phasegate.web.i18n import lang_query, pick_locale, texts
from phasegate.web.params import FormId, Line, RowId

WORDS: dict[str, dict[str, str]] = {
    "nb": {
        "admin": "Administrasjon",
        "admin_people": "Personer og roller",
        "admin_person": "Person",
        "admin_email": "E-post",
        "admin_language": "Språk",
        "admin_roles": "Roller",
        "admin_register": "Registrer en person",
        "admin_name": "Navn",
        "admin_add": "Registrer",
        "admin_grant": "Gi en rolle",
        "admin_role": "Rolle",
        "admin_grant_button": "Gi rollen",
        "admin_revoke": "Fjern {role}",
        "admin_mail": "E-post som ikke kom fram",
        "admin_mail_none": "Ingen e-post venter på å sendes på nytt.",
        "admin_mail_intro": (
            "Disse e-postene ble avvist av e-posttjeneren eller ble for gamle til å sendes. "
            "Send dem på nytt når feilen er rettet; de beholder sin Message-ID."
        ),
        "admin_resend": "Send på nytt",
        "admin_when": "Skrevet",
        "admin_to": "Til",
        "admin_subject": "Emne",
        "admin_error": "Feil",
        "admin_done": "Lagret.",
        "admin_tokens": "API-nøkler",
        "admin_tokens_intro": (
            "Alle personers API-nøkler. Bare begynnelsen av hver nøkkel vises; selve nøkkelen "
            "lagres ikke. Trekk tilbake en nøkkel som er kommet på avveie eller ikke brukes."
        ),
        "admin_tokens_none": "Ingen har laget API-nøkler ennå.",
        "admin_token_owner": "Eier",
        "admin_token_status": "Status",
        "admin_token_active": "aktiv",
        "admin_token_revoked_done": "Nøkkelen er trukket tilbake og virker ikke lenger.",
        "admin_feeds": "Kalenderadresser",
        "admin_feeds_intro": (
            "Alle personers kalenderadresser, som lar et kalenderprogram lese kalenderen (og "
            "ingenting annet). Bare begynnelsen av hver nøkkel vises; selve nøkkelen lagres "
            "ikke. Trekk tilbake en adresse som er kommet på avveie."
        ),
        "admin_feeds_none": "Ingen har laget kalenderadresser ennå.",
        "admin_feed_revoked_done": "Kalenderadressen er trukket tilbake og virker ikke lenger.",
        "role_board": "porteføljestyret",
        "role_pmo": "PMO",
        "role_reader": "leser",
        "role_admin": "administrator",
    },
    "en": {
        "admin": "Administration",
        "admin_people": "People and roles",
        "admin_person": "Person",
        "admin_email": "Email",
        "admin_language": "Language",
        "admin_roles": "Roles",
        "admin_register": "Register a person",
        "admin_name": "Name",
        "admin_add": "Register",
        "admin_grant": "Grant a role",
        "admin_role": "Role",
        "admin_grant_button": "Grant the role",
        "admin_revoke": "Remove {role}",
        "admin_mail": "Email that did not arrive",
        "admin_mail_none": "No email is waiting to be sent again.",
        "admin_mail_intro": (
            "These emails were refused by the mail server or grew too old to send. Send them "
            "again once the fault is fixed; they keep their Message-ID."
        ),
        "admin_resend": "Send again",
        "admin_when": "Written",
        "admin_to": "To",
        "admin_subject": "Subject",
        "admin_error": "Error",
        "admin_done": "Saved.",
        "admin_tokens": "API tokens",
        "admin_tokens_intro": (
            "Everyone's API tokens. Only the start of each token is shown; the token itself is "
            "not stored. Revoke a token that has gone astray or is no longer used."
        ),
        "admin_tokens_none": "No one has made an API token yet.",
        "admin_token_owner": "Owner",
        "admin_token_status": "Status",
        "admin_token_active": "active",
        "admin_token_revoked_done": "The token is revoked and no longer works.",
        "admin_feeds": "Calendar addresses",
        "admin_feeds_intro": (
            "Everyone's personal calendar addresses, which let a calendar program read the "
            "calendar feed (and nothing else). Only the start of each token is shown; the "
            "token itself is not stored. Revoke an address that has gone astray."
        ),
        "admin_feeds_none": "No one has made a calendar address yet.",
        "admin_feed_revoked_done": "The calendar address is revoked and no longer works.",
        "role_board": "portfolio board",
        "role_pmo": "PMO",
        "role_reader": "reader",
        "role_admin": "administrator",
    },
}

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
    *words: Mapping[str, Mapping[str, str]],
    **extra: Any,
) -> Response:
    """An administration page in the reader's language (the admin words, and a page
    module's own ``words`` over them), its forms carrying the session's CSRF value."""
    locale = pick_locale(request.query_params.get("lang"), me.language)
    context = {
        "t": texts(locale, WORDS, *words),
        "locale": locale,
        "me": me,
        "csrf": session_csrf(app, request),
        **extra,
    }
    return templates.TemplateResponse(request, name, context, status_code=status)


def admin_routes(app: App, templates: Jinja2Templates) -> APIRouter:
    engine = app.engine
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
            return people_page(request, me, exc.message, 409)
        return back_to(request, "/admin")

    @router.get("", response_class=HTMLResponse, include_in_schema=False)
    def people(request: Request, me: Principal | None = office) -> Response:
        assert me is not None
        return people_page(request, me)

    @router.post("/people", include_in_schema=False)
    def register(
        request: Request,
        name: Text,
        email: Text,
        language: Annotated[Line, Form(max_length=5)] = "nb",
        me: Principal | None = office,
    ) -> Response:
        assert me is not None
        return after(
            request, me, lambda: engine.register_person(name, email, language, actor=me.person)
        )

    @router.post("/roles", include_in_schema=False)
    def grant(
        request: Request,
        person: FormId,
        role: Annotated[Line, Form(max_length=20)],
        me: Principal | None = office,
    ) -> Response:
        assert me is not None
        return after(request, me, lambda: engine.grant_role(person, role, actor=me.person))

    @router.post("/roles/revoke", include_in_schema=False)
    def revoke(
        request: Request,
        person: FormId,
        role: Annotated[Line, Form(max_length=20)],
        me: Principal | None = office,
    ) -> Response:
        assert me is not None
        return after(request, me, lambda: engine.revoke_role(person, role, actor=me.person))

    @router.get("/tokens", response_class=HTMLResponse, include_in_schema=False)
    def tokens(request: Request, me: Principal | None = office) -> Response:
        assert me is not None
        held = engine.every_api_token(actor=me.person)
        return page(request, me, "admin_tokens.html", tokens=held)

    @router.post("/tokens/{token_id}/revoke", include_in_schema=False)
    def revoke_token(request: Request, token_id: RowId, me: Principal | None = office) -> Response:
        """The engine checks the rule again and records the revocation in the audit trail."""
        assert me is not None
        engine.revoke_api_token(token_id, actor=me.person)
        return back_to(request, "/admin/tokens")

    @router.get("/feeds", response_class=HTMLResponse, include_in_schema=False)
    def feeds(request: Request, me: Principal | None = office) -> Response:
        assert me is not None
        held = engine.every_calendar_feed(actor=me.person)
        return page(request, me, "admin_feeds.html", feeds=held)

    @router.post("/feeds/{feed_id}/revoke", include_in_schema=False)
    def revoke_feed(request: Request, feed_id: RowId, me: Principal | None = office) -> Response:
        """The engine checks the rule again and records the revocation in the audit trail."""
        assert me is not None
        engine.revoke_calendar_feed(feed_id, actor=me.person)
        return back_to(request, "/admin/feeds")

    @router.get("/mail", response_class=HTMLResponse, include_in_schema=False)
    def dead_letters(request: Request, me: Principal | None = office) -> Response:
        assert me is not None
        with engine.reading() as conn:
            dead = list_messages(conn, status="dead")
        return page(request, me, "admin_mail.html", dead=dead)

    @router.post("/mail/{message}/resend", include_in_schema=False)
    def resend(request: Request, message: RowId, me: Principal | None = office) -> Response:
        assert me is not None
        engine.resend_dead_letter(message, actor=me.person)
        return back_to(request, "/admin/mail")

    return router
