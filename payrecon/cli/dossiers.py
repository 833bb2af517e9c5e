"""`payrecon dossiers …`."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from payrecon.cli.common import cli_actor, read_input_file, reports_errors
from payrecon.db import request_session


@click.group("dossiers", help="Dossiers from the one-stop-shop system.")
def dossiers_group() -> None:
    pass


@dossiers_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@with_appcontext
@reports_errors
def import_dossiers(file: str) -> None:
    """Import a dossier feed CSV (checked whole; any bad line imports nothing)."""
    from payrecon.dossiers import service

    data = read_input_file(file)
    lines = max(data.count(b"\n") - 1, 0)
    with click.progressbar(length=lines, label=f"importing {file}", file=None) as bar:
        result = service.import_dossiers(
            request_session(), data, filename=file, actor=cli_actor(), progress=bar.update
        )
    click.echo(f"{file}: {result.summary()}")


COMMANDS = [dossiers_group]
