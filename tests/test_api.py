"""The JSON API over real HTTP with API tokens: projects, gate requests, votes, pending
decisions, the wheel and the audit trail; one error shape; pagination."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from phasegate.bootstrap import App
from phasegate.web.app import create_app
from tests.factories import Cast
from tests.webserver import serve


@pytest.fixture
def site(app: App) -> Iterator[str]:
    with serve(app) as url:
        yield url


def client(app: App, site: str, person: int) -> httpx.Client:
    _, token = app.engine.create_api_token("test", actor=person)
    return httpx.Client(base_url=site, headers={"authorization": f"Bearer {token}"})


def bp1_answers(app: App) -> dict[str, object]:
    gate = app.engine.workflows.current("prosjektveiviseren").gate("BP1")
    assert gate is not None
    return {
        "answers": {item.id: {"answer": "done"} for item in gate.checklist},
        "documents": [
            {"requirement": d.id, "url": f"https://docs.asker.example/{d.id}.pdf"}
            for d in gate.documents
        ],
    }


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
        assert own.status_code in (403, 409)
        assert set(own.json()) == {"error", "message"}
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


def test_errors_have_one_shape(app: App, cast: Cast, site: str) -> None:
    with httpx.Client(base_url=site) as anonymous:
        refused = anonymous.get("/api/projects")
        assert refused.status_code == 401
        assert set(refused.json()) == {"error", "message"}
    with client(app, site, cast.outsider) as reader:
        missing = reader.get("/api/projects/999")
        assert missing.status_code == 404
        assert missing.json() == {
            "error": "not_found",
            "message": "There is no project with id 999.",
        }
        bad = reader.post("/api/projects", json={"name": "", "owner": None})
        assert bad.status_code == 422  # refused by the request model before the engine
        assert bad.json()["error"] == "invalid_request"
        assert bad.json()["message"].startswith("The request is not valid: name:")


def test_the_api_is_in_the_openapi_document(app: App) -> None:
    paths = create_app(app).openapi()["paths"]
    assert {
        "/api/projects",
        "/api/gate-requests/{request}/votes",
        "/api/pending",
        "/api/wheel",
    } <= set(paths)
