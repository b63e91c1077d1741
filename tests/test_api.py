"""The JSON API over real HTTP with API tokens: projects, gate requests, votes, pending
decisions, the wheel and the audit trail; one error shape; pagination."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import httpx
import pytest

from phasegate.bootstrap import App
from phasegate.web.app import create_app
from tests.factories import Cast
from tests.web_support import api_client as client
from tests.web_support import bp1_answers, signed_in
from tests.webserver import serve


@pytest.fixture
def site(app: App) -> Iterator[str]:
    with serve(app) as url:
        yield url


def test_a_gate_decided_entirely_over_the_api(app: App, cast: Cast, site: str) -> None:
    with client(app, site, cast.pmo) as pmo:
        made = pmo.post(
            "/api/projects",
            json={"name": "Digitaliseringsstrategi", "owner": cast.owner, "leader": cast.leader},
        )
        assert made.status_code == 201, made.text
        project = made.json()
        assert (project["phase"], project["phase_label"]) == ("idea", "Idé")
    with client(app, site, cast.leader) as leader:
        asked = leader.post(f"/api/projects/{project['id']}/gate-requests", json=bp1_answers(app))
        assert asked.status_code == 201, asked.text
        request = asked.json()
        assert (request["gate"], request["status"]) == ("BP1", "open")
        own = leader.post(f"/api/gate-requests/{request['id']}/votes", json={"outcome": "approve"})
        assert own.status_code == 403
        assert set(own.json()) == {"error", "message", "params"}
    with client(app, site, cast.board[0]) as hanne:
        mine = hanne.get("/api/pending", params={"scope": "mine"}).json()
        assert [r["id"] for r in mine["items"]] == [request["id"]]
        first = hanne.post(
            f"/api/gate-requests/{request['id']}/votes", json={"outcome": "approve"}
        ).json()
        assert first["decided"] is False
    with client(app, site, cast.board[1]) as per:
        second = per.post(
            f"/api/gate-requests/{request['id']}/votes",
            json={"outcome": "approve", "comment": "Godt begrunnet."},
        ).json()
        assert (second["decided"], second["outcome"], second["phase"]) == (
            True,
            "approve",
            "concept",
        )
    with client(app, site, cast.board[2]) as ingrid:
        late = ingrid.post(f"/api/gate-requests/{request['id']}/votes", json={"outcome": "stop"})
        assert late.status_code == 409
        assert late.json()["error"] == "already_decided"
        assert late.json()["message"].startswith("Allerede godkjent av Per Lie ")
        again = ingrid.post(
            f"/api/gate-requests/{request['id']}/votes",
            json={"outcome": "stop"},
            headers={"accept-language": "nn"},
        )
        assert again.json()["params"] == late.json()["params"]
        assert again.json()["message"].startswith("Allereie godkjent av Per Lie ")
        params = late.json()["params"]
        assert (params["by"], params["outcome"]) == ("Per Lie", "approve")
        assert datetime.fromisoformat(params["at"]).tzinfo is not None  # ISO 8601, with zone
        audit = ingrid.get(f"/api/projects/{project['id']}/audit", params={"limit": 3}).json()
        assert audit["total"] > 3
        assert len(audit["items"]) == 3
        assert audit["items"][0]["kind"] == "ProjectRegistered"
        decided = ingrid.get(f"/api/gate-requests/{request['id']}").json()
        assert [v["channel"] for v in decided["votes"]] == ["api", "api"]


def test_lists_are_paginated(app: App, cast: Cast, site: str) -> None:
    for n in range(7):
        app.engine.register_project(f"Prosjekt {n}", owner=cast.owner, leader=cast.leader)
    with client(app, site, cast.outsider) as reader:
        first = reader.get("/api/projects", params={"limit": 5}).json()
        rest = reader.get("/api/projects", params={"limit": 5, "offset": 5}).json()
        assert (first["total"], len(first["items"]), len(rest["items"])) == (7, 5, 2)
        names = [p["name"] for p in first["items"] + rest["items"]]
        assert sorted(names) == [f"Prosjekt {n}" for n in range(7)]
        assert reader.get("/api/projects", params={"limit": 0}).status_code == 422
        assert reader.get("/api/projects", params={"phase": "concept"}).json()["total"] == 0


def test_the_wheel_over_the_api(app: App, cast: Cast, site: str) -> None:
    with client(app, site, cast.outsider) as reader:
        events = reader.get(
            "/api/wheel", params={"start": "2027-04-01T00:00:00+02:00", "days": 30}
        ).json()
    kinds = {(e["event"], e["at"][:10]) for e in events}
    assert ("tertial-1", "2027-04-30") in kinds
    assert ("styremote", "2027-04-13") in kinds


def error_of(response: httpx.Response, status: int) -> tuple[str, str]:
    """The error's code and message, after checking its status and that it has the one
    error shape (``field`` where there is one)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) - {"field"} == {"error", "message", "params"}
    return body["error"], body["message"]


def test_errors_have_one_shape(app: App, cast: Cast, site: str) -> None:
    with httpx.Client(base_url=site) as anonymous:
        refused = anonymous.get("/api/projects")
        assert refused.status_code == 401
        assert set(refused.json()) == {"error", "message", "params"}
    with client(app, site, cast.outsider) as reader:
        missing = reader.get("/api/projects/999")
        assert error_of(missing, 404) == (
            "not_found",
            "Det finnes ikke noe prosjekt med id 999. Kontroller adressen, eller finn prosjektet "
            "i porteføljeoversikten.",
        )
        assert missing.json()["params"] == {"project": "999"}
        bad = reader.post("/api/projects", json={"name": "", "owner": None})
        assert bad.status_code == 422  # refused by the request model before the engine
        assert bad.json()["error"] == "invalid_request"
        assert bad.json()["message"].startswith("The request is not valid: name:")
        huge = reader.get("/api/projects/2634975426")  # beyond any id: no query is made
        assert huge.status_code == 422
        assert huge.json()["problems"] == [
            "path.project: Input should be less than or equal to 2147483647"
        ]


def test_a_refusal_is_answered_in_the_language_the_request_accepts(
    app: App, cast: Cast, site: str
) -> None:
    """The same code and particulars in every language; only the words differ."""
    with client(app, site, cast.outsider) as reader:
        answers = {
            language: reader.get("/api/projects/999", headers={"accept-language": language})
            for language in ("nb-NO,nb;q=0.9,en;q=0.5", "nn-NO, nb;q=0.8", "en-GB, en;q=0.9")
        }
    bokmal, nynorsk, english = (answer.json() for answer in answers.values())
    assert {answer.status_code for answer in answers.values()} == {404}
    assert bokmal["error"] == nynorsk["error"] == english["error"] == "not_found"
    assert bokmal["params"] == nynorsk["params"] == english["params"] == {"project": "999"}
    assert bokmal["message"].startswith("Det finnes ikke noe prosjekt med id 999.")
    assert nynorsk["message"].startswith("Det finst ikkje noko prosjekt med id 999.")
    assert english["message"].startswith("There is no project with id 999.")


def test_the_frameworks_own_errors_have_the_same_shape(app: App, cast: Cast, site: str) -> None:
    """An unknown address, a wrong method and a body that is not JSON: the same shape as
    the domain's errors, and a page for a browser."""
    with client(app, site, cast.pmo) as pmo:
        assert error_of(pmo.get("/api/nothing-here"), 404) == (
            "not_found",
            "There is nothing at this address.",
        )
        wrong = pmo.delete("/api/projects")
        assert wrong.status_code == 405
        assert wrong.json()["error"] == "method_not_allowed"
        assert "GET" in wrong.headers["allow"]
        garbled = pmo.post(
            "/api/projects", content=b'{"name": ', headers={"content-type": "application/json"}
        )
        assert garbled.status_code in (400, 422)
        assert set(garbled.json()) >= {"error", "message"}
        page = pmo.get("/nothing-here", headers={"accept": "text/html"})
        assert page.status_code == 404
        assert "text/html" in page.headers["content-type"]
        assert "Det finnes ingenting på denne adressen." in page.text


def test_the_api_is_in_the_openapi_document(app: App) -> None:
    paths = create_app(app).openapi()["paths"]
    assert {
        "/api/projects",
        "/api/gate-requests/{request}/votes",
        "/api/pending",
        "/api/wheel",
    } <= set(paths)


def test_a_value_the_database_cannot_hold_is_bad_input(app: App, cast: Cast, site: str) -> None:
    """An id beyond any row (PostgreSQL's ``integer``, SQLite's 64 bits) names nothing: a
    page answers 404 with a readable page, the API 422, never a server error."""
    signed, _ = signed_in(app, site, cast.pmo)
    with signed:
        for huge in ("99999999999", "99999999999999999999"):
            page = signed.get(f"/projects/{huge}", headers={"accept": "text/html"})
            assert "text/html" in page.headers["content-type"]
            assert page.status_code == 404
            assert "Det finnes ingenting på denne adressen." in page.text
            api = signed.get(f"/api/projects/{huge}")
            assert api.status_code == 422
            assert api.json()["error"] == "invalid_request"
