"""Alembic environment: the engine comes from payrecon (CLI, tests), never from an ini file."""

from alembic import context

import payrecon.models  # noqa: F401  (registers every table on Base.metadata)
from payrecon.db import Base

config = context.config
engine = config.attributes.get("engine")
if engine is None:
    raise RuntimeError("run migrations through payrecon (payrecon db upgrade), not bare alembic")

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
