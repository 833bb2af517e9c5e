"""`payrecon db …`: the schema, built and changed only by the migrations."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from payrecon.db import (
    current_revision,
    downgrade_to_base,
    get_engine,
    head_revision,
    upgrade_to_head,
)


@click.group("db", help="Database schema (Alembic migrations).")
def db_group() -> None:
    pass


@db_group.command("upgrade")
@with_appcontext
def upgrade() -> None:
    """Migrate the database to the newest schema."""
    engine = get_engine()
    upgrade_to_head(engine)
    url = engine.url.render_as_string(hide_password=True)
    click.echo(f"database at {current_revision(engine)} ({url})")


@db_group.command("current")
@with_appcontext
def current() -> None:
    """Show the schema revision of the database and the newest one."""
    click.echo(f"database: {current_revision(get_engine())}; head: {head_revision()}")


@db_group.command("downgrade-all")
@click.confirmation_option(prompt="Drop every payrecon table?")
@with_appcontext
def downgrade_all() -> None:
    """Undo every migration (development only)."""
    downgrade_to_base(get_engine())
    click.echo("database downgraded to base")


COMMANDS = [db_group]
