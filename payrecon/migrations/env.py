"""Alembic environment: the engine comes from payrecon (CLI, tests), never from an ini file."""

from alembic import context

import payrecon.models  # noqa: F401  (registers every table on Base.metadata)
from payrecon.db import Base

config = context.config
engine = config.attributes.get("engine")
if engine is None:
    raise RuntimeError("run migrations through payrecon (payrecon db upgrade), not bare alembic")

with engine.connect() as connection:
    on_sqlite = connection.dialect.name == "sqlite"
    if on_sqlite:
        # Batch migrations rebuild SQLite tables (copy, drop, rename); with foreign keys
        # enforced, dropping a table other rows point at fails. The pragma only works outside
        # a transaction, so it goes straight to the driver before SQLAlchemy begins one.
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
    if on_sqlite:
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
