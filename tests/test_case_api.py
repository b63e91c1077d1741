"""The business case over the JSON API, on the real app over HTTP with API tokens:
benefits, indicators and measurements with their progress; the risk register; the plans;
refusals naming their field in the reader's language; stale versions; the OpenAPI
document."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from openpyxl import load_workbook

from phasegate.bootstrap import App
from tests.factories import Cast
from tests.web_support import api_client as client
from tests.web_support import signed_in
from tests.webserver import serve

INDICATOR = {
    "name": "Timer spart per år",
    "unit": "timer",
    "direction": "higher",
    "baseline": "0",
    "baseline_on": "2026-01-01",
    "target": "1000",
    "target_on": "2028-12-31",
    "plan_dates": ["2026-06-01"],
}
RISK = {
    "title": "Leverandøren svikter",
    "category": "Marked",
    "probability": 4,
    "consequence": 5,
    "probability_after": 2,
    "consequence_after": 3,
    "response": "reduce",
    "mitigation": "To leverandører",
    "next_review_on": "2026-06-01",
}


@pytest.fixture
def site(app: App) -> Iterator[str]:
    with serve(app) as url:
        yield url


@pytest.fixture
def project(app: App, cast: Cast) -> int:
    return app.engine.register_project(
        "Jakten på tidstyvene", owner=cast.owner, leader=cast.leader, phase="execution"
    )


def test_a_benefit_is_defined_measured_and_shows_its_achievement(
    app: App, cast: Cast, site: str, project: int
) -> None:
    with client(app, site, cast.leader) as leader:
        made = leader.post(
            f"/api/projects/{project}/benefits",
            json={"title": "Spart tid", "kind": "time", "owner": cast.owner},
        )
        assert made.status_code == 201, made.text
        benefit = made.json()
        assert (benefit["owner"], benefit["status"], benefit["version"]) == (
            "Ole-Kristian Tangen",
            "planned",
            1,
        )
        changed = leader.patch(
            f"/api/benefits/{benefit['id']}",
            json={"description": "Færre timer på skjema.", "version": 1},
        )
        assert changed.status_code == 200, changed.text
        assert (changed.json()["title"], changed.json()["version"]) == ("Spart tid", 2)
        added = leader.post(f"/api/benefits/{benefit['id']}/indicators", json=INDICATOR)
        assert added.status_code == 201, added.text
        indicator = added.json()
        assert (indicator["target"], indicator["progress"]["achievement"]) == ("1000", None)
        renamed = leader.patch(
            f"/api/indicators/{indicator['id']}", json={"target": "800", "version": 1}
        )
        assert renamed.json()["target"] == "800", renamed.text
    with client(app, site, cast.owner) as owner:  # the benefit owner measures
        for value, day in (("200", "2026-02-01"), ("300,5", "2026-03-01")):
            measured = owner.post(
                f"/api/indicators/{indicator['id']}/measurements",
                json={"value": value, "measured_on": day, "comment": "Fra timelistene"},
            )
            assert measured.status_code == 201, measured.text
        kept = measured.json()
        assert kept["measurement"]["channel"] == "api"
        assert kept["progress"] == {
            "achievement": "0.3756",
            "percent": 38,
            "latest": "300.5",
            "latest_on": "2026-03-01",
            "previous": "200",
            "previous_on": "2026-02-01",
            "trend": "better",
            "reached": False,
            "overdue": False,
        }
        listed = owner.get(f"/api/projects/{project}/benefits").json()
        assert listed[0]["status"] == "realising"
        assert [m["value"] for m in listed[0]["indicators"][0]["measurements"]] == [
            "200",
            "300.5",
        ]
        # A measurement is never overwritten: there is nothing to PUT or DELETE.
        gone = owner.delete(f"/api/indicators/{indicator['id']}/measurements")
        assert gone.status_code == 405
        workbook = owner.get(f"/api/projects/{project}/business-case.xlsx?lang=en")
    sheets = load_workbook(io.BytesIO(workbook.content), read_only=True).sheetnames
    assert sheets[:3] == ["Benefits", "Indicators", "Measurements"]


def test_refusals_name_the_field_in_the_readers_language_and_the_status_says_why(
    app: App, cast: Cast, site: str, project: int
) -> None:
    engine = app.engine
    with client(app, site, cast.leader) as leader:
        benefit = leader.post(
            f"/api/projects/{project}/benefits", json={"title": "Spart tid", "kind": "time"}
        ).json()
        same = {**INDICATOR, "target": "0", "baseline": "tja"}
        for language, words in (("nb", "«tja» er ikke et tall"), ("en", "“tja” is not a number")):
            refused = leader.post(
                f"/api/benefits/{benefit['id']}/indicators",
                json=same,
                headers={"accept-language": language},
            )
            assert refused.status_code == 422
            problems = refused.json()["problems"]
            assert [(p["code"], p["field"]) for p in problems] == [("value_not_number", "baseline")]
            assert words in problems[0]["message"]
        equal = leader.post(
            f"/api/benefits/{benefit['id']}/indicators",
            json={**INDICATOR, "target": "0"},
            headers={"accept-language": "en"},
        )
        assert equal.status_code == 422
        assert equal.json()["problems"][0]["field"] == "target"
        assert "equals the baseline" in equal.json()["problems"][0]["message"]
        off = leader.post(
            f"/api/projects/{project}/risks",
            json={**RISK, "probability": 9},
            headers={"accept-language": "nb"},
        )
        assert off.status_code == 422
        assert off.json()["problems"][0]["field"] == "probability"
        assert off.json()["problems"][0]["message"].startswith("9 er utenfor skalaen")
        first = leader.patch(f"/api/benefits/{benefit['id']}", json={"title": "A", "version": 1})
        stale = leader.patch(f"/api/benefits/{benefit['id']}", json={"title": "B", "version": 1})
        assert (first.status_code, stale.status_code) == (200, 409)
        assert stale.json()["error"] == "concurrent_update"
        missing = leader.get("/api/projects/999999/benefits")
        assert missing.status_code == 404
        assert leader.patch("/api/risks/999999", json={"version": 1}).status_code == 404
    with client(app, site, cast.outsider) as outsider:
        refused = outsider.post(
            f"/api/projects/{project}/benefits", json={"title": "Mitt", "kind": "other"}
        )
        assert refused.status_code == 403
    assert [b.title for b in engine.business_case(project).benefits] == ["A"]


def test_the_risk_register_over_the_api_keeps_every_assessment(
    app: App, cast: Cast, site: str, project: int
) -> None:
    with client(app, site, cast.leader) as leader:
        made = leader.post(f"/api/projects/{project}/risks", json=RISK)
        assert made.status_code == 201, made.text
        risk = made.json()
        assert (risk["score"], risk["score_after"], risk["band"]) == (20, 6, "high")
        changed = leader.patch(f"/api/risks/{risk['id']}", json={"owner": cast.owner, "version": 1})
        assert changed.json()["owner"] == "Ole-Kristian Tangen", changed.text
    with client(app, site, cast.owner) as owner:  # the risk owner reassesses
        again = owner.post(
            f"/api/risks/{risk['id']}/assessments",
            json={**{k: RISK[k] for k in ("response", "next_review_on")}, "probability": 2}
            | {"consequence": 5, "comment": "Ny avtale"},
        )
        assert again.status_code == 201, again.text
        listed = owner.get(f"/api/projects/{project}/risks").json()
    assert [a["score"] for a in listed[0]["history"]] == [10, 20]
    assert (listed[0]["history"][0]["channel"], listed[0]["score"]) == ("api", 10)
    browser, csrf = signed_in(app, site, cast.leader)  # a session needs its CSRF header
    with browser:
        forged = browser.post(f"/api/projects/{project}/risks", json=RISK)
        sent = browser.post(
            f"/api/projects/{project}/risks", json=RISK, headers={"x-csrf-token": csrf}
        )
    assert (forged.status_code, sent.status_code) == (403, 201)


def test_plans_are_saved_whole_under_their_version(
    app: App, cast: Cast, site: str, project: int
) -> None:
    engine = app.engine
    unit = engine.save_term("unit", "Oppvekst", actor=cast.pmo)
    competence = engine.save_term("competence", "Prosjektledelse", actor=cast.pmo)
    body = {
        "version": 0,
        "costs": [
            {"year": 2026, "kind": "investment", "amount": 1_500_000},
            {"year": 2027, "kind": "operating", "amount": -400_000, "note": "Spart lisens"},
        ],
        "people": [{"year": 2026, "unit_id": unit, "competence_id": competence, "fte": "1,5"}],
    }
    with client(app, site, cast.leader) as leader:
        assert leader.get(f"/api/projects/{project}/plans").json()["version"] == 0
        saved = leader.put(f"/api/projects/{project}/plans", json=body)
        assert saved.status_code == 200, saved.text
        plan = saved.json()
        assert (plan["version"], plan["fte"], plan["people"][0]["unit"]) == (
            1,
            {"2026": "1.5"},
            "Oppvekst",
        )
        assert [(y["year"], y["total"]) for y in plan["years"]] == [
            (2026, 1_500_000),
            (2027, -400_000),
        ]
        stale = leader.put(f"/api/projects/{project}/plans", json={**body, "costs": []})
        assert stale.status_code == 409
        terms = leader.get("/api/resource-terms").json()
        paths = leader.get("/openapi.json").json()["paths"]
    assert [(t["kind"], t["name"], t["active"]) for t in terms] == [
        ("competence", "Prosjektledelse", True),
        ("unit", "Oppvekst", True),
    ]
    # The OpenAPI document lists every business-case operation.
    assert set(paths["/api/projects/{project}/benefits"]) == {"get", "post"}
    assert set(paths["/api/benefits/{benefit_id}"]) == {"patch"}
    assert set(paths["/api/benefits/{benefit_id}/indicators"]) == {"post"}
    assert set(paths["/api/indicators/{indicator_id}"]) == {"patch"}
    assert set(paths["/api/indicators/{indicator_id}/measurements"]) == {"post"}
    assert set(paths["/api/projects/{project}/risks"]) == {"get", "post"}
    assert set(paths["/api/risks/{risk_id}"]) == {"patch"}
    assert set(paths["/api/risks/{risk_id}/assessments"]) == {"post"}
    assert set(paths["/api/projects/{project}/plans"]) == {"get", "put"}
    assert set(paths["/api/resource-terms"]) == {"get"}
