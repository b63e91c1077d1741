"""The database schema: migrations create it, match the models, guard the audit trail,
and phasegate refuses to start on a database that is not current."""

from __future__ import annotations

import gc
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from uuid import uuid4

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from phasegate.bootstrap import App, build
from phasegate.errors import SchemaOutOfDate
from phasegate.storage.database import (
    alembic_config,
    connect,
    current_revision,
    ensure_schema_current,
    head_revision,
    upgrade,
)
from phasegate.storage.tables import AuditEvent, Base
from tests.conftest import POSTGRES_URL
from tests.factories import make_settings
from tests.processes import cli_env, free_port, run_phasegate

TABLES = {
    "people",
    "role_grants",
    "workflow_versions",
    "projects",
    "gate_requests",
    "gate_request_deciders",
    "votes",
    "external_events",
    "events",
    "outbox_messages",
    "wheel_occurrences",
    "deadlines",
    "reminders",
    "digests",
    "report_requests",
    "status_reports",
    "sign_in_links",
    "sessions",
    "api_tokens",
    "webhook_subscriptions",
    "webhook_deliveries",
    "calendar_feeds",
    "benefits",
    "indicators",
    "measurements",
    "measurements_due",
    "risks",
    "risk_assessments",
    "resource_terms",
    "project_plans",
    "cost_plan_lines",
    "people_plan_lines",
}


@contextmanager
def _blank_postgres_schema() -> Iterator[tuple[str, str]]:
    """A new, empty schema in the test database, reached through ``search_path``.

    Migrating it up and down leaves every other schema alone. Yields the URL and the
    ``application_name`` its connections carry, so the server can be asked about them.
    """
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL not available: set PHASEGATE_TEST_POSTGRES_URL (see .ci/run)")
    schema = f"blank_{uuid4().hex[:12]}"
    admin = connect(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    url = make_url(POSTGRES_URL).update_query_dict(
        {"options": f"-csearch_path={schema}", "application_name": schema}
    )
    try:
        yield url.render_as_string(hide_password=False), schema
    finally:
        # A connection phasegate left behind is closed (and reported) here, in the test
        # that left it, rather than whenever the garbage collector gets to it.
        gc.collect()
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def blank_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all: a new SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'blank.db'}"
        return
    with _blank_postgres_schema() as (url, _name):
        yield url


def test_upgrade_creates_every_table_and_the_schema_is_then_current(
    blank_database_url: str,
) -> None:
    database = connect(blank_database_url)
    try:
        assert current_revision(database) is None

        upgrade(database)

        assert set(inspect(database).get_table_names()) == TABLES | {"alembic_version"}
        assert current_revision(database) == head_revision(database)
        ensure_schema_current(database)  # does not raise
    finally:
        database.dispose()


def test_migrations_create_exactly_the_tables_the_models_describe(
    blank_database_url: str,
) -> None:
    database = connect(blank_database_url)
    try:
        upgrade(database)
        with database.connect() as connection:
            # Nothing is ignored: columns, types, nullability, indexes (including the
            # partial one-open-request index), unique constraints and foreign keys all
            # have to agree between the migrations and phasegate.storage.tables.
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        database.dispose()

    assert differences == []


def test_phasegate_refuses_to_start_on_an_empty_database(blank_database_url: str) -> None:
    with pytest.raises(SchemaOutOfDate) as refused:
        build(make_settings(blank_database_url))

    assert "no phasegate tables yet" in refused.value.message
    assert "`phasegate db upgrade`" in refused.value.message


def test_phasegate_refuses_to_start_again_after_the_schema_is_downgraded(
    blank_database_url: str,
) -> None:
    database = connect(blank_database_url)
    try:
        upgrade(database)
        build(make_settings(blank_database_url)).database.dispose()  # starts fine

        command.downgrade(alembic_config(database), "base")

        assert not TABLES & set(inspect(database).get_table_names())
        with pytest.raises(SchemaOutOfDate) as refused:
            build(make_settings(blank_database_url))
        assert "`phasegate db upgrade`" in refused.value.message
    finally:
        database.dispose()


def _count_events(app: App) -> int:
    with app.database.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(AuditEvent)).scalar_one())


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET kind = 'Tampered'",
        "DELETE FROM events",
    ],
    ids=["update", "delete"],
)
def test_the_database_itself_refuses_to_rewrite_or_erase_the_audit_trail(
    app: App, statement: str
) -> None:
    app.engine.register_person("Ragnar Husum", "ragnar.husum@asker.example")
    before = app.engine.audit_trail()
    assert [e.kind for e in before] == ["PersonRegistered"]

    with pytest.raises(DBAPIError, match="append-only"), app.database.begin() as connection:
        connection.execute(text(statement))

    assert app.engine.audit_trail() == before
    assert _count_events(app) == 1


def test_db_upgrade_command_creates_the_schema_and_then_says_it_is_current(
    tmp_path: Path,
) -> None:
    database = tmp_path / "phasegate.db"
    env = cli_env(database_url=f"sqlite:///{database}")

    head = head_revision(connect(f"sqlite:///{database}"))
    first = run_phasegate("db", "upgrade", cwd=tmp_path, env=env)

    assert first.returncode == 0, first.stderr
    assert "Upgraded the schema" in first.stdout
    assert f"from empty to {head}" in first.stdout
    assert database.is_file()

    second = run_phasegate("db", "upgrade", cwd=tmp_path, env=env)

    assert second.returncode == 0, second.stderr
    assert f"already current ({head})" in second.stdout
    assert "Upgraded" not in second.stdout


def test_serve_on_an_empty_database_exits_and_says_to_run_db_upgrade(tmp_path: Path) -> None:
    env = cli_env(database_url=f"sqlite:///{tmp_path / 'phasegate.db'}")

    try:
        result = run_phasegate(
            "serve", "--port", str(free_port()), cwd=tmp_path, env=env, timeout=20
        )
    except subprocess.TimeoutExpired:
        pytest.fail("`phasegate serve` kept running on a database without tables")

    assert result.returncode != 0
    assert "`phasegate db upgrade`" in result.stderr
    assert "phasegate is at" not in result.stdout, "it never claims to be serving"


def test_a_refused_start_leaves_no_connection_open_on_the_database_server() -> None:
    with _blank_postgres_schema() as (url, application_name):
        with pytest.raises(SchemaOutOfDate):
            build(make_settings(url))

        admin = connect(POSTGRES_URL)
        try:
            with admin.connect() as connection:
                left_open = connection.execute(
                    text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name"),
                    {"name": application_name},
                ).scalar_one()
        finally:
            admin.dispose()

    assert left_open == 0, "build() refused to start but kept its connection pool open"


def test_a_database_from_before_nynorsk_keeps_its_people_and_then_takes_nynorsk(
    blank_database_url: str,
) -> None:
    person = text(
        "INSERT INTO people (name, email, language, created_at, digest) "
        "VALUES (:name, :email, :language, '2026-01-05 08:00:00+00:00', false)"
    )
    grant = text(
        "INSERT INTO role_grants (person_id, role, granted_at) "
        "VALUES (:id, 'board', '2026-01-05 08:00:00+00:00')"
    )
    database = connect(blank_database_url)
    try:
        upgrade(database, "0006")
        with database.begin() as connection:
            connection.execute(person, {"name": "Per Lie", "email": "per@x", "language": "nb"})
            connection.execute(grant, {"id": 1})

        upgrade(database)

        with database.begin() as connection:
            connection.execute(person, {"name": "Siri Vik", "email": "siri@x", "language": "nn"})
        with pytest.raises(DBAPIError), database.begin() as connection:
            connection.execute(person, {"name": "Ánde", "email": "ande@x", "language": "se"})
        with pytest.raises(DBAPIError), database.begin() as connection:
            connection.execute(grant, {"id": 9})  # foreign keys are enforced again
        with database.connect() as connection:
            people = connection.execute(text("SELECT name, language FROM people ORDER BY id"))
            grants = connection.execute(text("SELECT person_id, role FROM role_grants"))
            assert people.all() == [("Per Lie", "nb"), ("Siri Vik", "nn")]
            assert grants.all() == [(1, "board")]

        command.downgrade(alembic_config(database), "0006")  # back to code without nynorsk

        with database.connect() as connection:
            languages = connection.execute(text("SELECT language FROM people ORDER BY id"))
            assert languages.scalars().all() == ["nb", "nb"]
    finally:
        database.dispose()
