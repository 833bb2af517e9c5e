"""The web layer: blueprints only. Handlers parse, call one service function, render."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from payrecon import gateway_sim, i18n
    from payrecon.observability import endpoint as metrics_endpoint
    from payrecon.web import (
        auth,
        converters,
        health,
        invoice_view,
        officer,
        problems,
        security,
        storable_text,
    )
    from payrecon.web.api import dossiers, invoices, payments, reconciliation, statements, tax
    from payrecon.web.api.spec import api
    from payrecon.web.citizen import views as citizen
    from payrecon.web.gateway import bank, vnpay

    converters.init_app(app)  # first: every <int:id> rule is bounded to a database id
    api.init_app(app)
    auth.init_app(app)
    auth.document_security(api.spec)
    problems.init_app(app)  # after the Api, so our handlers win
    security.init_app(app)
    storable_text.init_app(app)
    i18n.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(metrics_endpoint.bp)  # /metrics: plain blueprint, not in OpenAPI
    app.register_blueprint(invoice_view.bp)
    app.register_blueprint(citizen.bp)
    officer.init_app(app)
    for blueprint in (
        dossiers.blp,
        payments.blp,
        vnpay.blp,
        bank.blp,
        invoices.blp,
        statements.blp,
        tax.blp,
        reconciliation.blp,
    ):
        api.register_blueprint(blueprint)
    gateway_sim.init_app(app)
