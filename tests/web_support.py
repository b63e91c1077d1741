"""Signed-in HTTP clients for web tests: a real session, made the way the demo's
one-click sign-in makes it, and the session's CSRF value for forms and JSON; API clients
with a token; a complete BP1 request body."""

from __future__ import annotations

import html
import re
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


def reader(app: App, site: str, timeout: float = 30) -> httpx.Client:
    """A client signed in as a reader (*leser*): someone who may read the portfolio and
    change nothing, as politicians and managers do. Close it."""
    person = app.engine.register_person(
        "Lise Leser", f"lise.leser.{len(app.engine.people())}@asker.example"
    )
    app.engine.grant_role(person, "reader")
    session = app.engine.start_session(person, timedelta(days=1), via="demo")
    return httpx.Client(base_url=site, cookies={SESSION_COOKIE: session}, timeout=timeout)


def demo_sign_in(client: httpx.Client, name: str) -> None:
    """Sign ``client`` in as ``name`` the way a newcomer does in the demo: the sign-in page
    sends them to the one-click page, whose button for that person they press."""
    login = client.get("/login", headers=HTML)
    one_click = re.search(r'href="(/dev/sign-in[^"]*)"', login.text)
    assert one_click is not None, "the demo's sign-in page offers the one-click sign-in"
    page = client.get(html.unescape(one_click[1]), headers=HTML)
    form = re.search(
        r'<form method="post" action="(/dev/sign-in/\d+)">\s*'
        r'<input type="hidden" name="csrf" value="([^"]+)">\s*'
        r'<input type="hidden" name="next" value="([^"]*)">\s*'
        rf"<button[^>]*>[^<]*{re.escape(name)}",
        page.text,
    )
    assert form is not None, f"the one-click page offers {name}"
    signed = client.post(form[1], data={"csrf": form[2], "next": form[3]})
    assert signed.status_code == 303, signed.text
