"""Every route declares who may call it, and every mutating route refuses the wrong caller.

The table is the app's own route list: a route added without a guard fails the first
test, and a new mutating route is tried anonymously (and with the wrong role) by the
second, whatever it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi.routing import APIRoute

from phasegate.bootstrap import App
from phasegate.web.access import Rule, every_route, rule_of
from phasegate.web.app import create_app
from tests.factories import Cast
from tests.webserver import serve

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: The only routes anyone may post to: the sign-in form (it reveals nothing and only
#: sends an email to the address's owner), guarded by its form's CSRF value.
OPEN_TO_ANYONE = {("POST", "/login")}


def api_routes(app: App) -> list[APIRoute]:
    routes = every_route(list(create_app(app).routes))
    assert len(routes) > 20, "the route list should hold every route of the app"
    return routes


def calls(route: APIRoute) -> list[object]:
    """Every dependency callable of the route, nested ones included."""
    found, todo = [], list(route.dependant.dependencies)
    while todo:
        dependant = todo.pop()
        found.append(dependant.call)
        todo.extend(dependant.dependencies)
    return found


def mutating(app: App) -> list[tuple[str, str, Rule]]:
    table = []
    for route in api_routes(app):
        rule = rule_of(calls(route))
        assert rule is not None
        table += [(method, route.path, rule) for method in sorted(route.methods & MUTATING)]
    return table


def filled(path: str) -> str:
    """The path with made-up values: a bogus token, an id that may or may not exist."""
    return re.sub(r"\{(\w+)\}", lambda m: "bogus-token" if m[1] == "token" else "1", path)


@pytest.fixture
def site(app: App) -> Iterator[str]:
    with serve(app) as url:
        yield url


def test_every_route_declares_exactly_one_rule(app: App) -> None:
    missing = [
        f"{sorted(route.methods)} {route.path}"
        for route in api_routes(app)
        if rule_of(calls(route)) is None
    ]
    assert missing == [], "routes without a guard (web/access.py): " + ", ".join(missing)


def test_the_table_covers_the_routes_that_change_things(app: App) -> None:
    paths = {(method, path) for method, path, _ in mutating(app)}
    assert {
        ("POST", "/decide/{token}"),
        ("POST", "/report/{token}"),
        ("POST", "/measure/{token}"),
        ("PUT", "/api/report-requests/{token}/draft"),
        ("POST", "/api/tokens"),
        ("DELETE", "/api/tokens/{token_id}"),
        ("POST", "/logout"),
        ("POST", "/projects/{project_id}/benefits/new"),
        ("POST", "/projects/{project_id}/indicators/{indicator_id}/measurements/new"),
        ("POST", "/projects/{project_id}/risks/{risk_id}/assessments/new"),
        ("POST", "/projects/{project_id}/plans"),
        ("POST", "/api/indicators/{indicator_id}/measurements"),
        ("PUT", "/api/projects/{project}/plans"),
        ("POST", "/admin/terms"),
        ("POST", "/admin/case-import"),
    } <= paths
    assert {(m, p) for m, p, rule in mutating(app) if rule is Rule.ANYONE} == OPEN_TO_ANYONE


def test_every_mutating_route_refuses_an_anonymous_caller(app: App, cast: Cast, site: str) -> None:
    refused = {}
    with httpx.Client(base_url=site) as anonymous:
        for method, path, rule in mutating(app):
            answer = anonymous.request(method, filled(path), data={"csrf": "forged"})
            refused[(method, path)] = answer.status_code
            assert 400 <= answer.status_code < 500, (method, path, rule, answer.text)
            if rule in (Rule.SIGNED_IN, Rule.OFFICE):
                assert answer.status_code == 401, (method, path)
                assert answer.json()["error"] == "not_signed_in"
    assert refused, "no mutating routes found"


def test_every_mutating_route_refuses_the_wrong_role(app: App, cast: Cast, site: str) -> None:
    """Signed in, but not as someone the route is for: a reader with an API token."""
    _, token = app.engine.create_api_token("lesetilgang", actor=cast.outsider)
    headers = {"authorization": f"Bearer {token}"}
    with httpx.Client(base_url=site, headers=headers) as reader:
        for method, path, rule in mutating(app):
            if rule is not Rule.OFFICE:
                continue
            answer = reader.request(method, filled(path), json={})
            assert answer.status_code == 403, (method, path, answer.text)


def test_a_signed_in_route_sends_a_browser_to_sign_in(app: App, site: str) -> None:
    with httpx.Client(base_url=site) as browser:
        page = browser.get("/account", headers={"accept": "text/html"})
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/account"


def test_an_api_token_of_someone_else_cannot_revoke_yours(app: App, cast: Cast, site: str) -> None:
    mine, _ = app.engine.create_api_token("Arkiv", actor=cast.leader)
    _, theirs = app.engine.create_api_token("Annet", actor=cast.outsider)
    with httpx.Client(base_url=site, headers={"authorization": f"Bearer {theirs}"}) as other:
        answer = other.delete(f"/api/tokens/{mine}")
    assert answer.status_code == 403
    assert [t.revoked_at for t in app.engine.api_tokens(cast.leader)] == [None]
