"""Shared fixtures: real SQLite and real PostgreSQL, a controllable clock, factories.

Every test that takes ``engine`` runs once on SQLite and once on PostgreSQL. PostgreSQL
comes from PHASEGATE_TEST_POSTGRES_URL (``.ci/run`` starts it). On a laptop without it
those runs skip with a reason; in CI (CI=true) a missing PostgreSQL stops the run.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import create_engine, make_url, text

from phasegate.bootstrap import App, build
from phasegate.engine.service import Engine
from phasegate.storage.database import connect, upgrade
from phasegate.storage.tables import Base
from tests.factories import Cast, Clock, make_settings

if TYPE_CHECKING:
    from playwright.sync_api import Browser

POSTGRES_URL = os.environ.get("PHASEGATE_TEST_POSTGRES_URL", "")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_configure(config: pytest.Config) -> None:
    if IN_CI and not POSTGRES_URL:
        raise pytest.UsageError(
            "CI=true but PHASEGATE_TEST_POSTGRES_URL is not set, so the PostgreSQL tests "
            "cannot run. Start PostgreSQL and export the URL (see .ci/run)."
        )


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file; each test gets a copy (migrating each time is slow)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    database = connect(f"sqlite:///{path}")
    upgrade(database)
    database.dispose()  # closing the last connection folds the WAL into the file
    return path


@pytest.fixture(scope="session")
def postgres_migrated() -> Iterator[str]:
    """A PostgreSQL database of this test run's own, migrated once, dropped at the end.

    It is created beside PHASEGATE_TEST_POSTGRES_URL's database, so two test runs at once
    never truncate each other's tables.
    """
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL not available: set PHASEGATE_TEST_POSTGRES_URL (see .ci/run)")
    base = make_url(POSTGRES_URL)
    name = f"{base.database}_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    database = connect(url)
    upgrade(database)
    database.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def truncate_postgres(url: str) -> None:
    database = connect(url)
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with database.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    database.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A freshly migrated, empty database of each kind."""
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "phasegate.db"
        shutil.copy(template, path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("postgres_migrated")
    truncate_postgres(url)
    yield url


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(database_url: str, clock: Clock) -> Iterator[App]:
    built = build(make_settings(database_url), clock=clock, pool_size=25)
    yield built
    built.database.dispose()


@pytest.fixture
def engine(app: App) -> Engine:
    return app.engine


@pytest.fixture
def cast(engine: Engine) -> Cast:
    leader = engine.register_person("Ragnar Husum", "ragnar.husum@asker.example")
    owner = engine.register_person("Ole-Kristian Tangen", "ole-kristian.tangen@asker.example")
    board = tuple(
        engine.register_person(name, f"{name.split()[0].lower()}@asker.example")
        for name in ("Hanne Solberg", "Per Lie", "Ingrid Berg")
    )
    for member in board:
        engine.grant_role(member, "board")
    pmo = engine.register_person("Kari Nordmann", "kari.nordmann@asker.example")
    engine.grant_role(pmo, "pmo")
    outsider = engine.register_person("Ola Utenfor", "ola.utenfor@asker.example", "en")
    return Cast(leader, owner, (board[0], board[1], board[2]), pmo, outsider)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, one for each browser test module (browser_support)."""
    from tests.browser_support import chromium_browser  # noqa: PLC0415 - browser tests only

    with chromium_browser() as browser:
        yield browser
