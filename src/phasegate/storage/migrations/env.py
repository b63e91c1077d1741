"""Alembic environment: phasegate passes its own engine in ``config.attributes``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, Engine

from phasegate.storage.tables import Base

engine = context.config.attributes.get("engine")
if not isinstance(engine, Engine):  # pragma: no cover - only when run by hand
    raise RuntimeError("Run migrations with `phasegate db upgrade`, not the alembic command.")


def _sqlite_foreign_keys(connection: Connection, on: bool) -> None:
    """Batch mode changes a SQLite table by copying it and dropping the old one, which
    enforced foreign keys refuse for a table others refer to (``people``). The pragma only
    takes effect outside a transaction, so it is set on the driver's connection."""
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")


with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        _sqlite_foreign_keys(connection, on=False)
    try:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=sqlite,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite and (broken := connection.exec_driver_sql("PRAGMA foreign_key_check").all()):
                raise RuntimeError(f"The migration left rows that refer to nothing: {broken}")
        connection.commit()
    finally:
        if sqlite:
            # Out of any transaction a failure left open, or the pragma would do nothing and
            # the pool would hand the connection on with foreign keys off.
            connection.rollback()
            _sqlite_foreign_keys(connection, on=True)
