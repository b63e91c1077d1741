"""Schemathesis against the app's own OpenAPI document: no input gives a server error.

The app runs for real (uvicorn on loopback) on each database, with the demo portfolio
loaded so that ids in generated requests often exist and calls reach the engine. Every
operation in ``/openapi.json`` is called with generated data, valid and invalid, twice:
with a PMO's API token (the widest rights) and without one. A 5xx fails the test, and so
does an error whose body is not the API's one shape ``{error, message}``.

schemathesis never draws a lone surrogate (it cannot go on the wire as UTF-8), and rarely
a control character. Yet JSON carries both, escaped, and JavaScript makes the first by
cutting an emoji in half. So each generated body's strings are salted, at random, with
half an emoji, NUL, other control characters and Word's line break.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.schemas import BaseSchema

from phasegate.bootstrap import App, build
from phasegate.demo.seed import load_demo
from tests.conftest import truncate_postgres
from tests.factories import Clock, make_settings
from tests.webserver import serve

pytestmark = pytest.mark.fuzz
EXAMPLES = 20  # per operation and mode, for a caller who may use the API
#: A stranger is refused before any input is read; fewer examples show no input gets past.
STRANGER_EXAMPLES = 8


@dataclass(frozen=True)
class Target:
    site: str
    token: str


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fuzz_target(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Target]:
    """The real app on one database, with the demo portfolio and a PMO's API token."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("fuzz") / "phasegate.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_migrated")
        truncate_postgres(url)
    app: App = build(make_settings(url), clock=Clock(), pool_size=10)
    load_demo(app.engine)
    pmo = next(person.id for person in app.engine.people() if "pmo" in person.roles)
    _, token = app.engine.create_api_token("fuzz", actor=pmo)
    with serve(app) as site:
        yield Target(site, token)
    app.database.dispose()


#: What is added to a generated string: half an emoji, NUL, C0 and C1 controls, Word's line
#: break, a right-to-left override.
SALT = st.sampled_from(
    ["\ud83d", "\ude80", "\x00", "\x01", "\x1b", "\x0b", "\x7f", "\x85", "\u202e"]
)


def salted(value: Any, salt: st.DataObject) -> Any:
    """``value`` (JSON) with some of its strings, and keys, given a hostile character."""
    if isinstance(value, str):
        if salt.draw(st.booleans()):
            at = salt.draw(st.integers(0, len(value)))
            return value[:at] + salt.draw(SALT) + value[at:]
        return value
    if isinstance(value, list):
        return [salted(item, salt) for item in value]
    if isinstance(value, dict):
        return {salted(key, salt): salted(item, salt) for key, item in value.items()}
    return value


@pytest.fixture(scope="module")
def api_schema(fuzz_target: Target) -> BaseSchema:
    return schemathesis.openapi.from_url(f"{fuzz_target.site}/openapi.json")


# schemathesis's own pytest integration (``schema.parametrize``) does not run under
# pytest 9, so each test walks the operations itself and gives each its own search.
@pytest.mark.parametrize("mode", list(GenerationMode), ids=str)
@pytest.mark.parametrize("caller", ["pmo-token", "anonymous"])
def test_no_input_gives_a_server_error(
    api_schema: BaseSchema, fuzz_target: Target, mode: GenerationMode, caller: str
) -> None:
    headers = {"authorization": f"Bearer {fuzz_target.token}"} if caller == "pmo-token" else {}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 18
    fuzzed = 0
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode), salt=st.data())
        @settings(
            max_examples=EXAMPLES if headers else STRANGER_EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def calls(case: Case, salt: st.DataObject) -> None:
            body = salted(case.body, salt) if isinstance(case.body, dict | list) else case.body
            if body is case.body or body == case.body:
                response = case.call(base_url=fuzz_target.site, headers=headers)
                case.validate_response(response, checks=[not_a_server_error])
                status, text = response.status_code, response.text
            else:  # schemathesis cannot carry a salted body: send it as JavaScript would
                sent = httpx.request(
                    case.method,
                    f"{fuzz_target.site}{case.formatted_path}",
                    params=case.query,
                    headers={**headers, "content-type": "application/json"},
                    content=json.dumps(body).encode(),
                    timeout=30,
                )
                status, text = sent.status_code, sent.text
                assert status < 500, f"{case.method} {case.formatted_path}: {status} {text[:300]}"
            if status >= 400:
                shown = f"{case.method} {case.formatted_path}: {status} "
                reply = json.loads(text)
                assert isinstance(reply, dict), shown + text[:300]
                assert {"error", "message"} <= set(reply), shown + text[:300]

        try:
            calls()
        except Unsatisfiable:
            # Some operations have no invalid input to make: no parameters, or only a
            # free string in the path (a path is always a string).
            assert mode is GenerationMode.NEGATIVE, operation.label
            continue
        fuzzed += 1
    assert fuzzed >= (len(operations) if mode is GenerationMode.POSITIVE else 8)


def test_the_schema_lists_the_api(fuzz_target: Target) -> None:
    """The fuzzing above covers what the document lists: make sure that is the API."""
    document = httpx.get(f"{fuzz_target.site}/openapi.json").json()
    paths = set(document["paths"])
    assert {"/api/projects", "/api/pending", "/api/wheel"} <= paths
    assert any(path.endswith("/votes") for path in paths)
    pages = [path for path in paths if not path.startswith("/api/") and path != "/healthz"]
    assert pages == [], "pages are kept out of the API's document"
