"""The `payrecon` command (also `flask --app wsgi …`); each domain's commands live in a module."""

from __future__ import annotations

from flask.cli import FlaskGroup

from payrecon import create_app
from payrecon.cli import catalog, database, demo, dossiers, statements

cli = FlaskGroup(
    create_app=create_app,
    help="payrecon: fee payments, e-invoices and reconciliation. Settings come from PAYRECON_*.",
)
for module in (database, catalog, dossiers, statements, demo):
    for command in module.COMMANDS:
        cli.add_command(command)


def main() -> None:
    cli.main(prog_name="payrecon")
