"""The `payrecon` command (also `flask --app wsgi …`); each domain's commands live in a module.

The commands are registered on every app by create_app (payrecon/cli/commands.py), so this
group only needs to know how to build the app.
"""

from __future__ import annotations

from flask.cli import FlaskGroup

from payrecon import create_app

cli = FlaskGroup(
    create_app=create_app,
    help="payrecon: fee payments, e-invoices and reconciliation. Settings come from PAYRECON_*.",
)


def main() -> None:
    cli.main(prog_name="payrecon")
