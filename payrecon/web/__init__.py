"""The web layer: blueprints only. Handlers parse, call one service function, render."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from payrecon.web import health, problems
    from payrecon.web.api import dossiers, statements
    from payrecon.web.api.spec import api

    api.init_app(app)
    problems.init_app(app)  # after the Api, so our handlers win
    app.register_blueprint(health.bp)
    for blueprint in (dossiers.blp, statements.blp):
        api.register_blueprint(blueprint)
