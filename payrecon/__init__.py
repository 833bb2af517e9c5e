"""payrecon: cashless fee payments, signed e-invoices and nightly reconciliation.

`create_app(config=None)` is the only place an application is built.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask app: settings, database, blueprints, error handlers.

    `config` overrides settings from the environment (tests pass DATABASE_URL etc.);
    its INSTANCE_PATH, if any, replaces the instance folder (tests use a temporary one), as
    does the PAYRECON_INSTANCE_PATH environment variable (default: ./instance beside the package).
    """
    from payrecon import config as settings
    from payrecon import db, observability
    from payrecon.cli.commands import register_commands
    from payrecon.web import init_app as init_web

    instance_path = (config or {}).get("INSTANCE_PATH") or os.environ.get("PAYRECON_INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=instance_path,
        static_folder="web/static",
        template_folder="web/templates",
    )
    setting_warnings = settings.load(app, config)
    observability.init_app(app)  # first: logging and request ids for everything after
    for warning in setting_warnings:
        app.logger.warning(warning)
    db.init_app(app)
    init_web(app)
    register_commands(app)
    return app
