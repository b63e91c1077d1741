"""The development mailbox: every email in the outbox, rendered, with working links.

It is how a newcomer sees phasegate work with no mail server: submit a gate request,
open /dev/mailbox, click the approval link. It is on when no SMTP server is configured,
and off otherwise unless PHASEGATE_DEV_MAILBOX=true.
"""

from __future__ import annotations

import html
import re

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from phasegate.bootstrap import App
from phasegate.engine.outbox import OutboxEntry
from phasegate.web.access import Rule, guard
from phasegate.web.params import Lang, RowId

URL = re.compile(r"https?://[^\s<>\"')]+")
# A sentence's full stop or comma after an address is not part of it.
TRAILING = ".,;:!?"
# The pages answer HEAD as well as GET, as every page should.
READ = ["GET", "HEAD"]


def linkify(text: str) -> Markup:
    """Escape a plain-text email and make its addresses clickable.

    Addresses are found in the raw text, then every piece is escaped: found in escaped
    text, an address next to a quote or an angle bracket would swallow its entity
    (``&quot;``, ``&gt;``) into the link.
    """
    pieces: list[str] = []
    done = 0
    for found in URL.finditer(text):
        url = found.group(0).rstrip(TRAILING)
        pieces.append(html.escape(text[done : found.start()]))
        shown = html.escape(url)
        pieces.append(f'<a href="{shown}">{shown}</a>')
        done = found.start() + len(url)
    pieces.append(html.escape(text[done:]))
    return Markup("".join(pieces))  # noqa: S704 - every piece is escaped above


def mailbox_routes(app: App, templates: Jinja2Templates) -> APIRouter:
    router = APIRouter(
        prefix="/dev/mailbox",
        tags=["development mailbox"],
        dependencies=[guard(app, Rule.DEV_ONLY)],
    )
    default_locale = app.settings.locale.value
    templates.env.filters["linkify"] = linkify

    def find(message: int) -> OutboxEntry:
        return app.engine.outbox_message(message)

    @router.api_route("", methods=READ, response_class=HTMLResponse, include_in_schema=False)
    def mailbox(request: Request, lang: Lang = None) -> HTMLResponse:
        locale = lang or default_locale
        messages = app.engine.outbox_messages(limit=500)
        return templates.TemplateResponse(
            request,
            "mailbox.html",
            {
                "locale": locale,
                "messages": messages,
                "smtp": app.settings.smtp_url is not None,
            },
        )

    @router.api_route(
        "/{message}", methods=READ, response_class=HTMLResponse, include_in_schema=False
    )
    def message_page(request: Request, message: RowId, lang: Lang = None) -> HTMLResponse:
        locale = lang or default_locale
        return templates.TemplateResponse(
            request,
            "mailbox_message.html",
            {"locale": locale, "m": find(message)},
        )

    @router.api_route(
        "/{message}/html", methods=READ, response_class=HTMLResponse, include_in_schema=False
    )
    def message_html(message: RowId) -> HTMLResponse:
        body = find(message).body_html
        # Shown in a frame on the message page: links open in the whole window.
        return HTMLResponse(body.replace("<head>", '<head><base target="_top">', 1))

    return router
