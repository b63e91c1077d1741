"""Alembic environment: phasegate passes its own engine in ``config.attributes``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from phasegate.storage.tables import Base

engine = context.config.attributes.get("engine")
if not isinstance(engine, Engine):  # pragma: no cover - only when run by hand
    raise RuntimeError("Run migrations with `phasegate db upgrade`, not the alembic command.")

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
