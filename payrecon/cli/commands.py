"""Every payrecon command, registered on the app's own CLI by create_app.

So `payrecon …` and `flask --app wsgi …` offer exactly the same commands. Add a domain's
module to COMMAND_MODULES; each module lists its commands in COMMANDS.
"""

from __future__ import annotations

from importlib import import_module

import click
from flask import Flask

COMMAND_MODULES = (
    "payrecon.cli.database",
    "payrecon.cli.catalog",
    "payrecon.cli.dossiers",
    "payrecon.cli.payments",
    "payrecon.cli.invoices",
    "payrecon.cli.statements",
    "payrecon.cli.reconciliation",
    "payrecon.cli.demo",
    "payrecon.cli.auth",
    "jobs.cli",
)


def all_commands() -> list[click.Command]:
    return [command for name in COMMAND_MODULES for command in import_module(name).COMMANDS]


def register_commands(app: Flask) -> None:
    for command in all_commands():
        app.cli.add_command(command)
