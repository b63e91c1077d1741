"""Schemathesis against the app's own OpenAPI document: no input gives a server error.

The app runs for real (uvicorn on loopback) on each database, with the demo portfolio
loaded so that ids in generated requests often exist and calls reach the engine. Every
operation in ``/openapi.json`` is called with generated data, valid and invalid, twice:
with a PMO's API token (the widest rights) and without one. A 5xx fails the test, and so
does an error whose body is not the API's one shape ``{error, message}``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
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
EXAMPLES = 20  # per operation, mode and caller


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

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def calls(case: Case) -> None:
            response = case.call(base_url=fuzz_target.site, headers=headers)
            case.validate_response(response, checks=[not_a_server_error])
            if response.status_code >= 400:
                shown = f"{case.method} {case.formatted_path}: {response.status_code} "
                body = response.json()
                assert isinstance(body, dict), shown + response.text[:300]
                assert {"error", "message"} <= set(body), shown + response.text[:300]

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
