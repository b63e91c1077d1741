"""Signing in by email link, signing out, your account (API tokens, calendar addresses,
the daily digest), and the demo's one-click sign-in.

The link in the email opens a page with one button: mail scanners open links, and a GET
must not sign anyone in. The button's POST uses the link (once) and sets the session
cookie: HttpOnly, SameSite=Lax, and Secure when the base URL is https.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field

from phasegate.bootstrap import App
from phasegate.engine.signin import Principal
from phasegate.i18n import lang_query, pick
from phasegate.web.access import (
    SESSION_COOKIE,
    Rule,
    SignedIn,
    check_form_csrf,
    form_csrf,
    guard,
    session_csrf,
    set_form_cookie,
)
from phasegate.web.params import Line, RowId

Email = Annotated[Line, Form(max_length=320)]
Csrf = Annotated[str, Form(max_length=200)]
Next = Annotated[Line, Query(max_length=2000)]  # where to go after signing in
NextForm = Annotated[Line, Form(max_length=2000)]


class TokenIn(BaseModel):
    name: Line = Field(min_length=1, max_length=200, examples=["Arkivsystem"])


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str
    token: str | None = None  # only when it is made; never shown again


class MeOut(BaseModel):
    id: int
    name: str
    email: str
    language: str
    roles: list[str]


def safe_next(target: str | None) -> str:
    """Only a path on this site: never send someone on to another host after sign-in."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def signin_routes(app: App, templates: Jinja2Templates) -> APIRouter:
    settings = app.settings
    engine = app.engine
    session_ttl = timedelta(days=settings.session_days)
    secure = settings.base_url.startswith("https://")
    router = APIRouter(include_in_schema=False)  # pages

    def page(request: Request, name: str, status: int = 200, **context: Any) -> Response:
        locale = pick(request.query_params.get("lang"), default=settings.locale.value)
        return templates.TemplateResponse(
            request,
            name,
            {"locale": locale, **context},
            status_code=status,
        )

    def with_session(target: str, token: str) -> Response:
        response = RedirectResponse(safe_next(target), status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=int(session_ttl.total_seconds()),
            httponly=True,
            samesite="lax",  # lax: a link from an email to a page keeps you signed in
            secure=secure,
        )
        return response

    @router.get("/login", response_class=HTMLResponse, dependencies=[guard(app, Rule.ANYONE)])
    def login_form(request: Request, next: Next = "/") -> Response:
        cookie, csrf = form_csrf(app, request, "login")
        shown = page(
            request,
            "login.html",
            next=safe_next(next),
            demo=settings.dev_mailbox_enabled,
            minutes=settings.sign_in_link_minutes,
            csrf=csrf,
        )
        return set_form_cookie(app, shown, cookie)

    @router.post("/login", response_class=HTMLResponse, dependencies=[guard(app, Rule.ANYONE)])
    def login_send(request: Request, email: Email, csrf: Csrf, next: NextForm = "/") -> Response:
        check_form_csrf(app, request, "login", csrf)
        engine.request_sign_in(email, safe_next(next))
        # The same page whether or not the address is registered: it reveals no one.
        return page(
            request,
            "login_sent.html",
            email=email.strip(),
            minutes=settings.sign_in_link_minutes,
            mailbox=settings.dev_mailbox_enabled,
        )

    # HEAD too: link checkers and mail scanners ask for it, and it changes nothing.
    @router.api_route(
        "/login/{token}",
        methods=["GET", "HEAD"],
        response_class=HTMLResponse,
        dependencies=[guard(app, Rule.LINK_TOKEN)],
    )
    def login_confirm(request: Request, token: str, next: Next = "/") -> Response:
        """A page with one button; opening the link signs no one in. A link that can no
        longer be used gets the refusal its button would get, and no button."""
        engine.check_sign_in_link(token)
        cookie, csrf = form_csrf(app, request, "login-link")
        shown = page(
            request,
            "login_confirm.html",
            next=safe_next(next),
            action=request.url.path,
            csrf=csrf,
        )
        return set_form_cookie(app, shown, cookie)

    @router.post(
        "/login/{token}",
        response_class=HTMLResponse,
        dependencies=[guard(app, Rule.LINK_TOKEN)],
    )
    def login_complete(request: Request, token: str, csrf: Csrf, next: NextForm = "/") -> Response:
        check_form_csrf(app, request, "login-link", csrf)
        _, session = engine.complete_sign_in(token, session_ttl)
        return with_session(next, session)

    @router.post("/logout", dependencies=[guard(app, Rule.SIGNED_IN)])
    def logout(request: Request) -> Response:
        engine.end_session(request.cookies.get(SESSION_COOKIE, ""))
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    # --- the demo's one-click sign-in ------------------------------------------------------

    if settings.dev_mailbox_enabled:  # never in production

        @router.get(
            "/dev/sign-in", response_class=HTMLResponse, dependencies=[guard(app, Rule.DEV_ONLY)]
        )
        def dev_sign_in(request: Request, next: Next = "/") -> Response:
            cookie, csrf = form_csrf(app, request, "dev-sign-in")
            shown = page(
                request,
                "dev_sign_in.html",
                people=engine.people(),
                csrf=csrf,
                next=safe_next(next),
            )
            return set_form_cookie(app, shown, cookie)

        @router.post("/dev/sign-in/{person}", dependencies=[guard(app, Rule.DEV_ONLY)])
        def dev_sign_in_as(
            request: Request, person: RowId, csrf: Csrf, next: NextForm = "/"
        ) -> Response:
            check_form_csrf(app, request, "dev-sign-in", csrf)
            engine.person(person)  # 404 for someone unknown
            return with_session(next, engine.start_session(person, session_ttl, via="demo"))

    return router


def feed_addresses(base_url: str, token: str, person: int) -> tuple[str, str]:
    """The two addresses a new calendar token gives: the person's own deadlines with the
    wheel, and the whole organisation's calendar."""
    everyone = f"{base_url.rstrip('/')}/calendar.ics?token={token}"
    return f"{everyone}&person={person}", everyone


def account_routes(app: App, templates: Jinja2Templates) -> APIRouter:
    """Your account: who you are, your API tokens, your calendar addresses, the daily
    digest; and the same as JSON."""
    engine = app.engine
    router = APIRouter()
    signed_in = guard(app, Rule.SIGNED_IN)  # one guard: declared on the route, and gives `me`

    def page(
        request: Request,
        me: Principal,
        new_token: str | None = None,
        new_feed: tuple[str, str] | None = None,
    ) -> Response:
        locale = pick(request.query_params.get("lang"), me.language)
        context = {
            "locale": locale,
            "me": me,
            "person": engine.person(me.person),
            "tokens": engine.api_tokens(me.person),
            "feeds": engine.calendar_feeds(me.person),
            "csrf": session_csrf(app, request),
            "new_token": new_token,
            "new_feed": new_feed,
        }
        shown = templates.TemplateResponse(request, "account.html", context)
        if new_token or new_feed:  # a secret shown once: no cache may keep the page
            shown.headers["Cache-Control"] = "no-store"
        return shown

    @router.get(
        "/account", response_class=HTMLResponse, include_in_schema=False, dependencies=[signed_in]
    )
    def account(me: SignedIn, request: Request) -> Response:
        return page(request, me)

    @router.post(
        "/account/tokens",
        response_class=HTMLResponse,
        include_in_schema=False,
        dependencies=[signed_in],
    )
    def account_new_token(
        me: SignedIn, request: Request, name: Annotated[Line, Form(min_length=1, max_length=200)]
    ) -> Response:
        _, token = engine.create_api_token(name, actor=me.person)
        return page(request, me, token)

    @router.post(
        "/account/tokens/{token_id}/revoke", include_in_schema=False, dependencies=[signed_in]
    )
    def account_revoke_token(me: SignedIn, token_id: RowId) -> Response:
        engine.revoke_api_token(token_id, actor=me.person)
        return RedirectResponse("/account", status_code=303)

    @router.post(
        "/account/feeds",
        response_class=HTMLResponse,
        include_in_schema=False,
        dependencies=[signed_in],
    )
    def account_new_feed(
        me: SignedIn, request: Request, name: Annotated[Line, Form(min_length=1, max_length=200)]
    ) -> Response:
        """A new calendar address, shown this once as the two addresses to subscribe to."""
        _, token = engine.create_calendar_feed(name, actor=me.person)
        return page(request, me, new_feed=feed_addresses(app.settings.base_url, token, me.person))

    @router.post(
        "/account/feeds/{feed_id}/revoke", include_in_schema=False, dependencies=[signed_in]
    )
    def account_revoke_feed(me: SignedIn, request: Request, feed_id: RowId) -> Response:
        engine.revoke_calendar_feed(feed_id, actor=me.person)
        return RedirectResponse(f"/account{lang_query(request.query_params)}#kalender", 303)

    @router.post("/account/digest", include_in_schema=False, dependencies=[signed_in])
    def account_digest(me: SignedIn, digest: Annotated[bool, Form()] = False) -> Response:
        engine.set_digest(me.person, digest, actor=me.person)
        return RedirectResponse("/account", status_code=303)

    # --- JSON -----------------------------------------------------------------------------

    @router.get("/api/me", dependencies=[signed_in])
    def api_me(me: SignedIn) -> MeOut:
        return MeOut(
            id=me.person, name=me.name, email=me.email, language=me.language, roles=sorted(me.roles)
        )

    @router.get("/api/tokens", dependencies=[signed_in])
    def api_list_tokens(me: SignedIn) -> list[TokenOut]:
        return [
            TokenOut(id=t.id, name=t.name, prefix=t.prefix)
            for t in engine.api_tokens(me.person)
            if t.revoked_at is None
        ]

    @router.post("/api/tokens", status_code=201, dependencies=[signed_in])
    def api_create_token(me: SignedIn, body: TokenIn) -> TokenOut:
        row, token = engine.create_api_token(body.name, actor=me.person)
        return TokenOut(id=row, name=body.name.strip(), prefix=token[:8], token=token)

    @router.delete("/api/tokens/{token_id}", status_code=204, dependencies=[signed_in])
    def api_revoke_token(me: SignedIn, token_id: RowId) -> Response:
        engine.revoke_api_token(token_id, actor=me.person)
        return Response(status_code=204)

    return router


__all__ = ["account_routes", "signin_routes"]
