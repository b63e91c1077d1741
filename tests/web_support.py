"""Signed-in HTTP clients for web tests: a real session, made the way the demo's
one-click sign-in makes it, and the session's CSRF value for forms and JSON."""

from __future__ import annotations

from datetime import timedelta

import httpx

from phasegate.bootstrap import App
from phasegate.web.access import SESSION_COOKIE, csrf_for_session

HTML = {"accept": "text/html"}


def signed_in(app: App, site: str, person: int) -> tuple[httpx.Client, str]:
    """A client signed in as ``person``, and the CSRF value its forms must carry
    (form field ``csrf``, or header ``X-CSRF-Token`` for JSON). Close the client."""
    session = app.engine.start_session(person, timedelta(days=1), via="demo")
    client = httpx.Client(base_url=site, cookies={SESSION_COOKIE: session})
    return client, csrf_for_session(app, session)
