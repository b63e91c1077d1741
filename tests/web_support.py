"""Signed-in HTTP clients for web tests: a real session, made the way the demo's
one-click sign-in makes it, and the session's CSRF value for forms and JSON; API clients
with a token; a complete BP1 request body."""

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


def api_client(app: App, site: str, person: int) -> httpx.Client:
    """A client that calls the API with a new token of ``person``'s. Close it."""
    _, token = app.engine.create_api_token("test", actor=person)
    return httpx.Client(base_url=site, headers={"authorization": f"Bearer {token}"})


def bp1_answers(app: App) -> dict[str, object]:
    """A BP1 gate request's body with every checklist item done and every document linked."""
    gate = app.engine.workflows.current("prosjektveiviseren").gate("BP1")
    assert gate is not None
    return {
        "answers": {item.id: {"answer": "done"} for item in gate.checklist},
        "documents": [
            {"requirement": d.id, "url": f"https://docs.asker.example/{d.id}.pdf"}
            for d in gate.documents
        ],
    }
