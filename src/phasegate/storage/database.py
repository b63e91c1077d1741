"""Connecting to SQLite or PostgreSQL, and keeping the schema current with Alembic."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, String, column, create_engine, event, inspect, select, table
from sqlalchemy.engine import make_url

from phasegate.errors import ConfigurationError, SchemaOutOfDate

MIGRATIONS = Path(__file__).with_name("migrations")


def connect(url: str, *, pool_size: int = 5) -> Engine:
    """A SQLAlchemy engine for ``url``, tuned for phasegate's transactions."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _connect_sqlite(url)
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
    raise ConfigurationError("database_unsupported", backend=backend)


def _connect_sqlite(url: str) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        folder = Path(database).parent
        if not folder.is_dir():
            raise ConfigurationError("sqlite_folder_missing", folder=str(folder))
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy own the transactions, so that BEGIN IMMEDIATE below is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Take the write lock at the start: two writers queue instead of one failing late.
        # Straight to the driver: this runs for every transaction, and needs no SQLAlchemy.
        connection.connection.driver_connection.execute("BEGIN IMMEDIATE")

    return engine


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the migrations up to ``revision`` (``phasegate db upgrade``)."""
    command.upgrade(alembic_config(engine), revision)


VERSION_TABLE = "alembic_version"  # alembic's default, which env.py keeps
VERSION = table(VERSION_TABLE, column("version_num", String))
Q_VERSION = select(VERSION.c.version_num)


@functools.cache
def _head() -> str | None:
    """The newest migration: read from the scripts once (8 ms each time), as they do not
    change while the process runs."""
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def head_revision(_engine: Engine | None = None) -> str | None:
    """The schema revision this code needs."""
    return _head()


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at (None: no phasegate tables). Read from
    alembic's own table directly: /readyz asks often, and alembic logs every context."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        found = connection.execute(Q_VERSION).scalar()
        return None if found is None else str(found)


def ensure_schema_current(engine: Engine) -> None:
    """Refuse to run on a schema older (or newer) than this code."""
    current = current_revision(engine)
    head = head_revision(engine)
    if current == head:
        return
    where = engine.url.render_as_string(hide_password=True)
    if current is None:
        raise SchemaOutOfDate("empty", database=where)
    raise SchemaOutOfDate("revision", database=where, current=str(current), head=str(head))
