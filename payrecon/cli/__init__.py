"""The `payrecon` command (also `flask --app wsgi …`); each domain's commands live in a module."""

from __future__ import annotations

from flask.cli import FlaskGroup

from jobs.cli import jobs_group
from payrecon import create_app
from payrecon.cli import (
    auth,
    catalog,
    database,
    demo,
    dossiers,
    invoices,
    payments,
    reconciliation,
    statements,
)

cli = FlaskGroup(
    create_app=create_app,
    help="payrecon: fee payments, e-invoices and reconciliation. Settings come from PAYRECON_*.",
)
for module in (
    database,
    catalog,
    dossiers,
    payments,
    invoices,
    statements,
    reconciliation,
    demo,
    auth,
):
    for command in module.COMMANDS:
        cli.add_command(command)
cli.add_command(jobs_group)


def main() -> None:
    cli.main(prog_name="payrecon")
