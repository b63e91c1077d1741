"""Who may call which route: every route declares one guard, and the guard checks it.

A guard is a FastAPI dependency that also names its rule, so a test can walk the app's
routes and prove each one has a rule, and that every mutating route refuses the wrong
caller. A route without a guard fails that test.

Callers are recognised by the session cookie (browsers) or ``Authorization: Bearer``
(API tokens); the calendar feed alone also takes a personal calendar address's
``?token=`` (``engine/keys.py``). A request that changes something on the strength of
the cookie must also carry the session's CSRF value (form field ``csrf`` or header
``X-CSRF-Token``); a bearer token is not sent by browsers on their own, so it needs none.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.routing import APIRoute

from phasegate.bootstrap import App
from phasegate.engine.signin import Principal
from phasegate.errors import NotPermitted, NotSignedIn, PhasegateError
from phasegate.settings import PublicRead

SESSION_COOKIE = "phasegate_session"
FORM_COOKIE = "phasegate_form"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Rule(StrEnum):
    """The rules a route can have."""

    ANYONE = "anyone"  # the sign-in form, health, and pages without portfolio data
    SIGNED_IN = "signed_in"  # any signed-in person; the engine checks the rest
    # The portfolio overview: signed in, unless PHASEGATE_PUBLIC_READ=overview opens it
    # to anyone, for an organisation that publishes its portfolio.
    OVERVIEW = "overview"
    # /metrics: anyone, unless PHASEGATE_METRICS_TOKEN is set; then only its bearer.
    METRICS = "metrics"
    OFFICE = "office"  # the PMO and admins
    # The calendar feed: signed in, or a personal calendar address (?token=pgc_…), since
    # calendar programs cannot sign in. Such a token opens nothing else.
    FEED = "feed"
    LINK_TOKEN = "link_token"  # noqa: S105 - a signed token in the path is the authority
    DEV_ONLY = "dev_only"  # development helpers; never mounted in production (settings)


class CsrfRejected(PhasegateError):
    """The form could not be verified (it may be old, or sent from another site). Reload
    the page and try again."""

    code = "csrf_rejected"
    status = 403


class FeedTokenRefused(NotSignedIn):
    """This calendar address does not work: it was revoked, or it is incomplete. Make a
    new one under Calendar on your account page (/account) and subscribe with that."""

    code = "feed_token_refused"


class MetricsRefused(PhasegateError):
    """The metrics need the scraper's token: send `Authorization: Bearer` with the value of
    PHASEGATE_METRICS_TOKEN."""

    code = "metrics_token_required"
    status = 401


class Guard:
    """A route's rule, as a dependency that returns who is calling (or None)."""

    def __init__(self, app: App, rule: Rule) -> None:
        self.app = app
        self.rule = rule

    async def __call__(self, request: Request) -> Principal | None:
        if self.rule is Rule.METRICS:
            self.check_metrics_token(request)
            return None
        principal = self.app_principal(request)
        if self.rule in (Rule.ANYONE, Rule.LINK_TOKEN, Rule.DEV_ONLY):
            return principal
        if principal is None and self.rule is Rule.FEED:
            return self.feed_reader(request)
        if principal is None:
            if self.rule is Rule.OVERVIEW and self.app.settings.public_read is PublicRead.OVERVIEW:
                return None
            raise NotSignedIn()
        if self.rule is Rule.OFFICE and not principal.has_any("pmo", "admin"):
            raise NotPermitted("office", person=principal.name, action="office_pages")
        if request.method not in SAFE_METHODS and principal.via == "session":
            sent = request.headers.get("x-csrf-token") or await _form_value(request, "csrf")
            if not hmac.compare_digest(sent, session_csrf(self.app, request)):
                raise CsrfRejected()
        return principal

    def check_metrics_token(self, request: Request) -> None:
        expected = self.app.settings.metrics_token
        if expected is None:
            return
        header = request.headers.get("authorization", "")
        sent = header[7:].strip() if header.lower().startswith("bearer ") else ""
        if not hmac.compare_digest(sent.encode(), expected.get_secret_value().encode()):
            raise MetricsRefused()

    def app_principal(self, request: Request) -> Principal | None:
        """Who the request comes from, worked out once per request."""
        if hasattr(request.state, "principal"):
            found: Principal | None = request.state.principal
            return found
        header = request.headers.get("authorization", "")
        bearer = header[7:].strip() if header.lower().startswith("bearer ") else None
        session = request.cookies.get(SESSION_COOKIE)
        found = self.app.engine.principal_for(session=session, api_token=bearer)
        request.state.principal = found
        return found

    def feed_reader(self, request: Request) -> Principal:
        """Whose calendar address ``?token=`` is. Kept out of ``request.state.principal``:
        a feed token reads the calendar and is never who is signed in."""
        token = request.query_params.get("token")
        if not token:
            raise NotSignedIn("calendar")
        found = self.app.engine.feed_reader(token)
        if found is None:
            raise FeedTokenRefused()
        return found


def _signed_in(request: Request) -> Principal:
    """Who the route's guard let in. The guard runs first (it is declared on the route or
    its router) and refuses anyone not signed in, so here someone always is."""
    found: Principal | None = getattr(request.state, "principal", None)
    if found is None:
        raise NotSignedIn()
    return found


SignedIn = Annotated[Principal, Depends(_signed_in)]
"""The signed-in person, for a route whose guard (``SIGNED_IN``, ``OFFICE``) requires one."""


def guard(app: App, rule: Rule) -> Any:
    """``dependencies=[guard(app, Rule.SIGNED_IN)]`` on a route or a router."""
    return Depends(Guard(app, rule))


def every_route(routes: list[Any]) -> list[APIRoute]:
    """The app's API routes, including those of included routers (which FastAPI may keep
    as one entry per router, with the router's own routes inside)."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif (inner := getattr(route, "original_router", None)) is not None:
            found += every_route(list(inner.routes))
    return found


def rule_of(dependencies: list[Any]) -> Rule | None:
    """The rule among a route's dependency callables (for the authorization test); None
    when it has none, or two that disagree."""
    rules = {call.rule for call in dependencies if isinstance(call, Guard)}
    return rules.pop() if len(rules) == 1 else None


def session_csrf(app: App, request: Request) -> str:
    """The CSRF value of the caller's session: forms include it, the guard checks it."""
    return csrf_for_session(app, request.cookies.get(SESSION_COOKIE, ""))


def csrf_for_session(app: App, session: str) -> str:
    return _mac(app, b"session", session)


def form_csrf(app: App, request: Request, scope: str) -> tuple[str, str]:
    """A CSRF value for a form shown to someone who may not be signed in (double submit:
    a random cookie, and a MAC of it in the form). Returns (cookie, form value); give the
    cookie to :func:`set_form_cookie` on the page's response."""
    cookie = request.cookies.get(FORM_COOKIE, "")
    if len(cookie) < 32:
        cookie = secrets.token_urlsafe(32)
    return cookie, _mac(app, scope.encode(), cookie)


def set_form_cookie(app: App, response: Response, cookie: str) -> Response:
    response.set_cookie(
        FORM_COOKIE,
        cookie,
        httponly=True,
        samesite="strict",
        secure=app.settings.base_url.startswith("https://"),
    )
    return response


def check_form_csrf(app: App, request: Request, scope: str, sent: str) -> None:
    cookie = request.cookies.get(FORM_COOKIE, "")
    if not cookie or not sent or not hmac.compare_digest(_mac(app, scope.encode(), cookie), sent):
        raise CsrfRejected()


def _mac(app: App, purpose: bytes, value: str) -> str:
    message = b"csrf\x00" + purpose + b"\x00" + value.encode()
    return hmac.new(app.secret_key.encode(), message, hashlib.sha256).hexdigest()


async def _form_value(request: Request, name: str) -> str:
    if "form" not in request.headers.get("content-type", ""):
        return ""
    form = await request.form()
    value = form.get(name)
    return value if isinstance(value, str) else ""
