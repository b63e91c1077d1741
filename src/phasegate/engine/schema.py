"""The database and its schema, for the composition root and the ``phasegate db`` commands.

The schema is Alembic's (:mod:`phasegate.storage.database`); this is the one door to it from
outside the engine, so that neither the command line nor the composition root imports the
storage.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine as Database

from phasegate.storage.database import (
    connect,
    current_revision,
    ensure_schema_current,
    head_revision,
    upgrade,
)


def open_database(url: str, *, pool_size: int = 5, check: bool = True) -> Database:
    """The connection pool for ``url``; refused (SchemaOutOfDate) unless its schema is this
    code's, when ``check``. A refused database leaves no connection open."""
    database = connect(url, pool_size=pool_size)
    if check:
        try:
            ensure_schema_current(database)
        except Exception:
            database.dispose()
            raise
    return database


def check_schema(database: Database) -> None:
    """Refuse (SchemaOutOfDate) a database whose schema is not this code's."""
    ensure_schema_current(database)


@dataclass(frozen=True)
class Revisions:
    """Where a database's schema is, and where this code needs it; None: no tables yet."""

    where: str  # the database's address, without its password
    database: str | None
    code: str | None


def revisions(url: str) -> Revisions:
    """The schema revision of the database at ``url``, and of this code."""
    database = connect(url)
    try:
        return Revisions(_where(database), current_revision(database), head_revision(database))
    finally:
        database.dispose()


def upgrade_schema(url: str) -> tuple[Revisions, Revisions]:
    """Apply the migrations to the database at ``url``: its revisions before and after."""
    database = connect(url)
    try:
        before = Revisions(_where(database), current_revision(database), head_revision(database))
        upgrade(database)
        after = Revisions(before.where, current_revision(database), before.code)
        return before, after
    finally:
        database.dispose()


def _where(database: Database) -> str:
    return database.url.render_as_string(hide_password=True)
