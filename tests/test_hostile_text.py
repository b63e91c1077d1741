"""Hostile and careless text never breaks the API: a property of every string field.

Hypothesis sends each string field of each JSON operation in the app's own
``/openapi.json`` arbitrary Unicode: lone surrogates (what JavaScript makes of an emoji
cut in half), NUL and the other control characters, Word's manual line break,
right-to-left marks and very long strings, into an otherwise valid body, over real HTTP,
on SQLite and PostgreSQL. What must hold:

- no answer is a server error, and every error has the API's one shape;
- a value that is not text is refused with 422, naming its field, and never repeated;
- a value that is text is kept as phasegate tidies it (a line break in a name is a space).

The table of valid bodies below must cover every operation with a JSON body: an
operation added later fails the coverage test until it is given one.
"""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from phasegate.bootstrap import App, build
from phasegate.domain.text import tidy
from phasegate.storage.tables import Project
from tests.conftest import truncate_postgres
from tests.crawl_support import Ids, one_of_everything
from tests.cycle_support import TERTIAL, wheel_file
from tests.factories import Cast, Clock, make_settings
from tests.web_support import bp1_answers
from tests.webserver import serve

pytestmark = pytest.mark.fuzz
EXAMPLES = 30  # per operation and database

#: Strings people and programs really send, besides what Hypothesis makes up.
SPECIMENS = [
    "\ud83d",  # half an emoji
    "Prosjekt \ud83d\ude80",  # a whole one, as JavaScript escapes it
    "Word\vlinjeskift",  # Word's manual line break
    "NUL\x00midt i",
    "\x1b[31mrød\x1b[0m",  # a terminal colour code
    "\u202eevil\u202c",  # right-to-left override
    "\u200fמשרד\u200f",  # right-to-left mark and Hebrew
    "e\u0301tude",  # decomposed accent
    "\ufeffBOM først",
    "\u0085NEL",
    "\x7fDEL",
    "Linje 1\r\nLinje 2",
    " ",
    "",
    "x" * 5000,
    "æøå" * 1500,
]
HOSTILE = st.one_of(
    st.sampled_from(SPECIMENS),
    st.text(st.characters(exclude_categories=[]), max_size=60),  # surrogates included
    st.text(st.characters(max_codepoint=0x9F), max_size=30),  # C0, DEL and C1 often
)

KEY = "<key>"  # a path step: a key of a mapping, rather than a value under one
VALUE = "<value>"  # a path step: the value under a mapping's first key


@dataclass(frozen=True)
class Call:
    """A valid body for one operation, and whose API token sends it."""

    body: dict[str, Any]
    caller: str = "pmo"  # or "board": a board member who has not voted yet


def calls(ids: Ids, app: App) -> dict[tuple[str, str], Call]:
    """A valid body for every JSON operation, with real ids."""
    report = {
        "values": {"overall": "on_track", "time": "on_plan"},
        "comments": {"overall": "Alt går etter planen."},
        "budget": "120 000 000",
    }
    request = {**bp1_answers(app), "gate": "BP1"}
    request["answers"] = {
        item: {**answer, "comment": "Sjekket."} for item, answer in request["answers"].items()
    }
    for document in request["documents"]:
        document["title"] = "Mandat"
    return {
        ("post", "/api/projects"): Call(
            {
                "name": "Nytt bibliotek",
                "description": "Et bibliotek for alle.",
                "development_area": "Samfunnsutvikling",
                "portfolio": "Strategisk portefølje 2027",
                "phase": "idea",
            }
        ),
        ("post", "/api/projects/{project}/gate-requests"): Call(request),
        ("post", "/api/gate-requests/{request}/votes"): Call(
            {"outcome": "approve", "comment": "Enig."}, caller="board"
        ),
        ("post", "/api/gate-requests/{request}/withdraw"): Call({"reason": "Feil tidspunkt."}),
        ("post", "/api/tokens"): Call({"name": "Arkivsystem"}),
        ("post", "/api/webhooks"): Call(
            {
                "name": "Sak og arkiv",
                "url": "https://arkiv.asker.example/phasegate",
                "event_types": ["GateDecided"],
                "format": "standard",
            }
        ),
        ("put", "/api/report-requests/{token}/draft"): Call(report),
        ("post", "/api/report-requests/{token}/publish"): Call(report),
        **business_case_calls(),
    }


def business_case_calls() -> dict[tuple[str, str], Call]:
    """Valid bodies for the business case's operations (benefits, risks, plans)."""
    benefit = {"title": "Spart tid", "description": "Færre timer.", "kind": "time"}
    indicator = {
        "name": "Timer spart per år",
        "unit": "timer",
        "direction": "higher",
        "baseline": "0",
        "baseline_on": "2026-01-01",
        "target": "2000",
        "target_on": "2028-12-31",
        "plan_cycle": "tertial-1",
    }
    assessment = {
        "probability": 3,
        "consequence": 4,
        "response": "reduce",
        "mitigation": "Tett oppfølging.",
        "next_review_on": "2030-01-01",
        "comment": "Vurdert i møtet.",
    }
    risk = {**assessment, "kind": "risk", "title": "Forsinket leveranse", "category": "Leverandør"}
    return {
        ("post", "/api/projects/{project}/benefits"): Call(benefit),
        ("patch", "/api/benefits/{benefit_id}"): Call({"title": "Spart tid", "version": 1}),
        ("post", "/api/benefits/{benefit_id}/indicators"): Call(indicator),
        ("patch", "/api/indicators/{indicator_id}"): Call({"unit": "timer", "version": 1}),
        ("post", "/api/indicators/{indicator_id}/measurements"): Call(
            {"value": "120,5", "measured_on": "2026-02-01", "comment": "Fra timelistene."}
        ),
        ("post", "/api/projects/{project}/risks"): Call(risk),
        ("patch", "/api/risks/{risk_id}"): Call({"category": "Økonomi", "version": 1}),
        ("post", "/api/risks/{risk_id}/assessments"): Call(assessment),
        ("put", "/api/projects/{project}/plans"): Call(
            {
                "version": 0,
                "costs": [{"year": 2027, "kind": "investment", "amount": 100, "note": "Lisens"}],
                "people": [],
            }
        ),
    }


@dataclass(frozen=True)
class Target:
    app: App
    url: str
    ids: Ids
    tokens: dict[str, str]
    document: dict[str, Any]

    def path(self, template: str) -> str:
        return self.ids.fill(template)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def target(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Target]:
    """The real app on one database, with one of everything, and API tokens."""
    folder = tmp_path_factory.mktemp("hostile")
    if request.param == "sqlite":
        path = folder / "phasegate.db"
        path.write_bytes(request.getfixturevalue("sqlite_template").read_bytes())
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_migrated")
        truncate_postgres(url)
    clock = Clock()
    app = build(make_settings(url, wheel_file=wheel_file(folder, TERTIAL)), clock=clock)
    cast = _cast(app)
    ids = one_of_everything(app, cast, clock)
    tokens = {
        "pmo": app.engine.create_api_token("fuzz", actor=cast.pmo)[1],
        "board": app.engine.create_api_token("fuzz", actor=cast.board[1])[1],
    }
    with serve(app) as site:
        document = httpx.get(f"{site}/openapi.json", timeout=10).json()
        yield Target(app, site, ids, tokens, document)
    app.database.dispose()


def _cast(app: App) -> Cast:
    engine = app.engine
    people = [
        engine.register_person(name, f"{name.split()[0].lower()}@asker.example")
        for name in (
            "Ragnar Husum",
            "Ole-Kristian Tangen",
            "Hanne Solberg",
            "Per Lie",
            "Ingrid Berg",
            "Kari Nordmann",
            "Ola Utenfor",
        )
    ]
    for member in people[2:5]:
        engine.grant_role(member, "board")
    engine.grant_role(people[5], "pmo")
    return Cast(people[0], people[1], (people[2], people[3], people[4]), people[5], people[6])


# --- the schema's string fields ----------------------------------------------------------


def json_operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """Every operation that takes a JSON body, with the body's schema."""
    found = {}
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                found[(method, path)] = content["application/json"]["schema"]
    return found


def string_fields(schema: dict[str, Any], document: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Where the schema takes a string: paths of property names, ``KEY`` for a mapping's
    keys and 0 for a list's items."""
    schema = _resolved(schema, document)
    options = schema.get("anyOf", []) + schema.get("oneOf", [])
    if options:
        return sorted(
            {path for option in options for path in string_fields(option, document)}, key=str
        )
    kind = schema.get("type")
    if kind == "string":
        return [()]
    if kind == "array":
        return [(0, *rest) for rest in string_fields(schema.get("items", {}), document)]
    if kind == "object" or "properties" in schema:
        paths: list[tuple[Any, ...]] = []
        for name, inner in schema.get("properties", {}).items():
            paths += [(name, *rest) for rest in string_fields(inner, document)]
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            paths.append((KEY,))
            paths += [(KEY, *rest) for rest in string_fields(extra, document) if rest]
            paths += [(VALUE,)] if string_fields(extra, document) == [()] else []
        return paths
    return []


def _resolved(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def put(body: dict[str, Any], path: tuple[Any, ...], value: str) -> dict[str, Any] | None:
    """``body`` with ``value`` at ``path``; None when the valid body has nothing there."""
    changed = copy.deepcopy(body)
    try:
        here: Any = changed
        for step in path[:-1]:
            here = here[next(iter(here)) if step == KEY else step]
        last = path[-1]
        if last == KEY:
            here[value] = here.pop(next(iter(here)))
        elif last == VALUE:
            here[next(iter(here))] = value
        else:
            here[last]
            here[last] = value
    except (KeyError, IndexError, StopIteration, TypeError):
        return None
    return changed


# --- the properties ----------------------------------------------------------------------


def test_every_json_operation_has_a_valid_body_to_fuzz(target: Target) -> None:
    operations = json_operations(target.document)
    table = calls(target.ids, target.app)
    assert set(operations) == set(table), "give each JSON operation a valid body in calls()"
    for key, schema in operations.items():
        reachable = [
            p for p in string_fields(schema, target.document) if put(table[key].body, p, "x")
        ]
        assert reachable, f"{key}: the valid body reaches no string field"


@pytest.mark.parametrize(
    "operation",
    [
        ("post", "/api/projects"),
        ("post", "/api/projects/{project}/gate-requests"),
        ("post", "/api/gate-requests/{request}/votes"),
        ("post", "/api/gate-requests/{request}/withdraw"),
        ("post", "/api/tokens"),
        ("post", "/api/webhooks"),
        ("put", "/api/report-requests/{token}/draft"),
        ("post", "/api/report-requests/{token}/publish"),
        ("post", "/api/projects/{project}/benefits"),
        ("post", "/api/indicators/{indicator_id}/measurements"),
        ("post", "/api/projects/{project}/risks"),
    ],
    ids=lambda o: f"{o[0].upper()} {o[1]}",
)
def test_no_string_breaks_an_operation(target: Target, operation: tuple[str, str]) -> None:
    method, template = operation
    call = calls(target.ids, target.app)[operation]
    schema = json_operations(target.document)[operation]
    fields = [p for p in string_fields(schema, target.document) if put(call.body, p, "x")]
    headers = {
        "authorization": f"Bearer {target.tokens[call.caller]}",
        "content-type": "application/json",
    }

    serial = itertools.count()
    checked: list[str] = []
    with httpx.Client(base_url=target.url, headers=headers, timeout=30) as client:

        @given(field=st.sampled_from(fields), value=HOSTILE)
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def sends(field: tuple[Any, ...], value: str) -> None:
            body = put(call.body, field, value)
            assert body is not None
            if operation == ("post", "/api/projects") and field != ("name",):
                body["name"] = f"Nytt bibliotek {next(serial)}"  # a new project each time
            # As JavaScript sends it: ASCII, with \uXXXX escapes (a lone surrogate too).
            answer = client.request(
                method, target.path(template), content=json.dumps(body).encode()
            )
            shown = f"{method.upper()} {template} {field}={value[:40]!r}: {answer.status_code}"
            assert answer.status_code < 500, shown + " " + answer.text[:300]
            reply = answer.json()
            if answer.status_code >= 400:
                assert {"error", "message"} <= set(reply), shown
            # What the server reads: JSON joins an escaped surrogate pair into one letter.
            received = json.loads(json.dumps(value))
            if not tidy(received, lines=True).ok:
                assert answer.status_code == 422, shown + " " + answer.text[:300]
                assert reply["error"] == "invalid_request", shown
                named = str(field[0]) if field[0] not in (KEY, VALUE) else ""
                assert any(p.startswith(named) for p in reply["problems"]), shown
            elif operation == ("post", "/api/projects") and answer.status_code == 201:
                stored = _stored_project(target.app, reply["id"])
                if field[0] in stored:  # the phase is checked against the workflow instead
                    lines = field[0] == "description"
                    kept = stored[field[0]] or ""
                    assert kept.strip() == tidy(received, lines=lines).text.strip(), shown
                    checked.append(field[0])

        sends()
    if operation == ("post", "/api/projects"):
        assert checked, "some accepted text was read back from the database"


def _stored_project(app: App, project: int) -> dict[str, Any]:
    columns = (Project.name, Project.description, Project.development_area, Project.portfolio)
    with app.database.connect() as conn:
        row = conn.execute(select(*columns).where(Project.id == project)).one()
    return dict(row._mapping)


QUERY_HOSTILE = st.one_of(
    st.sampled_from([s for s in SPECIMENS if tidy(s).fault is None or "\x00" in s]),
    st.text(st.characters(max_codepoint=0x9F), max_size=30),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=60),
)


@pytest.mark.parametrize(
    ("template", "parameter"),
    [
        ("/api/projects", "phase"),
        ("/api/projects", "status"),
        ("/api/pending", "scope"),
        ("/api/webhooks/{webhook}/deliveries", "status"),
        ("/api/wheel", "start"),
    ],
)
def test_no_query_string_breaks_a_listing(target: Target, template: str, parameter: str) -> None:
    headers = {"authorization": f"Bearer {target.tokens['pmo']}"}
    with httpx.Client(base_url=target.url, headers=headers, timeout=30) as client:

        @given(value=QUERY_HOSTILE)
        @settings(max_examples=EXAMPLES, deadline=None, database=None)
        def asks(value: str) -> None:
            answer = client.get(target.path(template), params={parameter: value})
            assert answer.status_code < 500, f"{template}?{parameter}={value!r}: {answer.text}"
            if answer.status_code >= 400:
                assert {"error", "message"} <= set(answer.json())

        asks()
