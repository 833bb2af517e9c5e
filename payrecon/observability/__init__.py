"""Observability: Prometheus metrics, structured logs and request ids.

Front door for other domains: `payrecon.observability.metrics` (count_payment_status,
count_invoice_issued, observe_job / job_timer, set_open_exceptions) and
`payrecon.observability.request_id.request_id_scope` for work outside HTTP.
`init_app` is called by create_app; the /metrics blueprint is `endpoint.bp`.

Settings (PAYRECON_*): LOG_FORMAT text|json (default text), LOG_LEVEL (default INFO),
METRICS_ALLOW comma-separated CIDRs (default 127.0.0.0/8,::1).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

OBSERVABILITY_DEFAULTS = {
    "LOG_FORMAT": "text",
    "LOG_LEVEL": "INFO",
    "METRICS_ALLOW": "127.0.0.0/8,::1",
}


def init_app(app: Flask) -> None:
    """Configure logging, parse the metrics allow list, install the per-request hooks.

    Raises ConfigError for a bad LOG_FORMAT, LOG_LEVEL or METRICS_ALLOW, when the app is built.
    """
    from flask.logging import default_handler

    from payrecon.config import ConfigError
    from payrecon.observability import endpoint, web_hooks
    from payrecon.observability.access import parse_allow_list
    from payrecon.observability.logs import configure_logging

    for key, value in OBSERVABILITY_DEFAULTS.items():
        app.config.setdefault(key, value)
    try:
        configure_logging(str(app.config["LOG_FORMAT"]).strip().lower(), app.config["LOG_LEVEL"])
    except ValueError as exc:
        raise ConfigError(f"PAYRECON_LOG_FORMAT / PAYRECON_LOG_LEVEL: {exc}") from None
    app.logger.removeHandler(default_handler)  # ours, on the root logger, prints it once
    try:
        allow = parse_allow_list(str(app.config["METRICS_ALLOW"]))
    except ValueError as exc:
        raise ConfigError(f"PAYRECON_METRICS_ALLOW: {exc}") from None
    app.extensions[endpoint.ALLOW_LIST_KEY] = allow
    web_hooks.init_app(app)
