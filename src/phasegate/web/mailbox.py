"""The development mailbox: every email in the outbox, rendered, with working links.

It is how a newcomer sees phasegate work with no mail server: submit a gate request,
open /dev/mailbox, click the approval link. It is on when no SMTP server is configured,
and off otherwise unless PHASEGATE_DEV_MAILBOX=true.
"""

from __future__ import annotations

import html
import re
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from phasegate.bootstrap import App
from phasegate.mail.outbox import OutboxEntry, get_message, list_messages
from phasegate.web.i18n import texts

URL = re.compile(r"https?://[^\s<>\"')]+")
Lang = Annotated[str | None, Query(pattern="^(nb|en)$")]


def linkify(text: str) -> Markup:
    """Escape a plain-text email and make its addresses clickable."""
    escaped = html.escape(text)
    return Markup(URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped))  # noqa: S704 - escaped above


def mailbox_routes(app: App, templates: Jinja2Templates) -> APIRouter:
    router = APIRouter(prefix="/dev/mailbox", tags=["development mailbox"])
    default_locale = app.settings.locale.value
    templates.env.filters["linkify"] = linkify

    def find(message: int) -> OutboxEntry:
        with app.engine.reading() as conn:
            return get_message(conn, message)

    @router.get("", response_class=HTMLResponse)
    def mailbox(request: Request, lang: Lang = None) -> HTMLResponse:
        locale = lang or default_locale
        with app.engine.reading() as conn:
            messages = list_messages(conn, limit=500)
        return templates.TemplateResponse(
            request,
            "mailbox.html",
            {"t": texts(locale), "locale": locale, "messages": messages},
        )

    @router.get("/{message}", response_class=HTMLResponse)
    def message_page(request: Request, message: int, lang: Lang = None) -> HTMLResponse:
        locale = lang or default_locale
        return templates.TemplateResponse(
            request,
            "mailbox_message.html",
            {"t": texts(locale), "locale": locale, "m": find(message)},
        )

    @router.get("/{message}/html", response_class=HTMLResponse)
    def message_html(message: int) -> HTMLResponse:
        body = find(message).body_html
        # Shown in a frame on the message page: links open in the whole window.
        return HTMLResponse(body.replace("<head>", '<head><base target="_top">', 1))

    return router
