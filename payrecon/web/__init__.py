"""The web layer: blueprints only. Handlers parse, call one service function, render."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from payrecon import gateway_sim
    from payrecon.web import auth, health, problems
    from payrecon.web.api import dossiers, payments
    from payrecon.web.api.spec import api
    from payrecon.web.citizen import views as citizen
    from payrecon.web.gateway import vnpay

    api.init_app(app)
    auth.init_app(app)
    auth.document_security(api.spec)
    problems.init_app(app)  # after the Api, so our handlers win
    app.register_blueprint(health.bp)
    app.register_blueprint(citizen.bp)
    for blueprint in (dossiers.blp, payments.blp, vnpay.blp):
        api.register_blueprint(blueprint)
    gateway_sim.init_app(app)
