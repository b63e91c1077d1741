"""The PMO's webhook page (``/admin/webhooks``): subscribe a receiver, send it a test,
remove it, and re-send deliveries that did not arrive.

The same engine operations as ``phasegate webhook`` and ``/api/webhooks``; the route rule
is ``office`` and the engine checks it again. A new webhook's secret is shown on the page
that answers the form, once, and never again.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from phasegate.bootstrap import App
from phasegate.engine.signin import Principal
from phasegate.errors import WebhookInvalid
from phasegate.web.access import Rule, SignedIn, guard
from phasegate.web.admin import admin_page, back_to
from phasegate.web.params import Line, RowId
from phasegate.web.refusals import reader_locale
from phasegate.webhooks.catalog import EVERYTHING, MAX_URL, SUBSCRIBABLE

# What each event type means is the catalog's ``event_<type>``, for the form's checkboxes.
DONE = {"pinged": "hook_pinged", "removed": "hook_removed", "resent": "hook_resent"}


def admin_webhook_routes(app: App, templates: Jinja2Templates) -> APIRouter:
    engine = app.engine
    office = guard(app, Rule.OFFICE)
    router = APIRouter(prefix="/admin/webhooks", dependencies=[office])

    def page(request: Request, me: Principal, status: int = 200, **extra: Any) -> Response:
        done = DONE.get(request.query_params.get("done", ""))
        context: dict[str, Any] = {
            "hooks": engine.webhooks(),
            "dead": engine.webhook_deliveries(status="dead"),
            "kinds": SUBSCRIBABLE,
            "everything": EVERYTHING,
            "max_url": MAX_URL,
            "done": done,
            "entered": {"name": "", "url": "", "events": [], "format": "standard"},
            **extra,
        }
        name = "admin_webhooks.html"
        return admin_page(app, templates, request, me, name, status, **context)

    @router.get("", response_class=HTMLResponse, include_in_schema=False)
    def webhooks(me: SignedIn, request: Request) -> Response:
        return page(request, me)

    @router.post("", include_in_schema=False)
    def add(
        me: SignedIn,
        request: Request,
        name: Annotated[Line, Form(max_length=200)],
        url: Annotated[Line, Form(max_length=MAX_URL)],
        events: Annotated[list[Line] | None, Form(max_length=100)] = None,
        shape: Annotated[str, Form(alias="format", max_length=20)] = "standard",
    ) -> Response:
        """Answered with the page itself, not a redirect: it shows the secret this once."""
        chosen = events or []
        try:
            hook, secret = engine.add_webhook(name, url, chosen, format=shape, actor=me.person)
        except WebhookInvalid as exc:
            entered = {"name": name, "url": url, "events": chosen, "format": shape}
            locale = reader_locale(request, app.settings.locale.value)
            error = exc.say(locale, app.settings.zone)
            return page(request, me, exc.status, error=error, entered=entered)
        return page(request, me, 201, secret=secret, added=engine.webhook(hook).name)

    @router.post("/{webhook}/ping", include_in_schema=False)
    def ping(me: SignedIn, request: Request, webhook: RowId) -> Response:
        engine.ping_webhook(webhook, actor=me.person)
        return back_to(request, "/admin/webhooks", "pinged")

    @router.post("/{webhook}/remove", include_in_schema=False)
    def remove(me: SignedIn, request: Request, webhook: RowId) -> Response:
        engine.remove_webhook(webhook, actor=me.person)
        return back_to(request, "/admin/webhooks", "removed")

    @router.post("/deliveries/{delivery}/resend", include_in_schema=False)
    def resend(me: SignedIn, request: Request, delivery: RowId) -> Response:
        engine.resend_webhook_delivery(delivery, actor=me.person)
        return back_to(request, "/admin/webhooks", "resent")

    return router
