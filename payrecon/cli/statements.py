"""`payrecon statements …` and `payrecon settlements …`."""

from __future__ import annotations

import os
import sys
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from payrecon.cli.common import cli_actor, reports_errors
from payrecon.db import request_session
from payrecon.errors import StatementFormatError
from payrecon.statements.detect import FORMATS
from payrecon.statements.xml_safety import DEFAULT_MAX_BYTES


def statement_max_bytes() -> int:
    """PAYRECON_STATEMENT_MAX_BYTES, else the parsers' default (50 MiB)."""
    return int(current_app.config.get("STATEMENT_MAX_BYTES") or DEFAULT_MAX_BYTES)


def read_limited(path: str, max_bytes: int) -> bytes:
    """The file's bytes; a file over the limit is refused from its size, before any is read."""
    try:
        size = os.stat(path).st_size
        if size > max_bytes:
            raise StatementFormatError(
                f"file is {size:,} bytes; the limit is {max_bytes:,} bytes "
                "(PAYRECON_STATEMENT_MAX_BYTES)",
                where=path,
            )
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)  # a file that grew meanwhile is still capped
    except OSError as exc:
        raise click.FileError(path, hint=exc.strerror) from None
    if len(data) > max_bytes:
        raise StatementFormatError(f"file is over {max_bytes:,} bytes", where=path)
    return data


class _StderrProgress:
    """A click progress bar on stderr, opened once the importer knows how many lines there are."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: Any = None
        self.shown = 0

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.shown)
        self.shown = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@click.group("statements", help="Bank statements (camt.052/053/054, MT940, CSV, XLSX).")
def statements_group() -> None:
    pass


@statements_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", *FORMATS]),
    default="auto",
    show_default=True,
    help="the file's format; auto reads it from the content",
)
@click.option("--account", help="collection account number, for files that name none")
@with_appcontext
@reports_errors
def import_statements(file: str, fmt: str, account: str | None) -> None:
    """Import a statement file (checked whole; a refused statement imports nothing)."""
    from payrecon.statements import service

    max_bytes = statement_max_bytes()
    data = read_limited(file, max_bytes)
    progress = _StderrProgress(f"importing {file}")
    try:
        result = service.import_statement_file(
            request_session(),
            data,
            filename=file,
            actor=cli_actor(),
            fmt=fmt,
            account_number=account,
            max_bytes=max_bytes,
            progress=progress,
        )
    finally:
        progress.close()
    for finding in result.findings:
        click.echo(
            f"finding: {finding['statement']}: {finding['kind']}: {finding['detail']}", err=True
        )
    click.echo(f"{file}: {result.summary()}")


@click.group("settlements", help="Card gateway settlement reports.")
def settlements_group() -> None:
    pass


@settlements_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@with_appcontext
@reports_errors
def import_settlements(file: str) -> None:
    """Import a settlement report CSV (checked whole; any bad line imports nothing)."""
    from payrecon.statements import service

    max_bytes = statement_max_bytes()
    result = service.import_settlement_file(
        request_session(),
        read_limited(file, max_bytes),
        filename=file,
        actor=cli_actor(),
        max_bytes=max_bytes,
    )
    click.echo(f"{file}: {result.summary()}")


COMMANDS = [statements_group, settlements_group]
