"""GET /metrics: the Prometheus exposition, for allowed addresses only.

Not part of /api/v1 and not in /openapi.json (registered as a plain blueprint).
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from payrecon.errors import Forbidden
from payrecon.observability import metrics
from payrecon.observability.access import forwarded_addresses, is_allowed

bp = Blueprint("metrics", __name__)

ALLOW_LIST_KEY = "payrecon.metrics_allow"


@bp.get("/metrics")
def metrics_exposition() -> Response:
    """Prometheus metrics; 403 problem+json unless the caller is in PAYRECON_METRICS_ALLOW."""
    networks = current_app.extensions[ALLOW_LIST_KEY]
    addresses = [request.remote_addr, *forwarded_addresses(request.headers)]
    if not is_allowed(addresses, networks):
        raise Forbidden(
            "metrics are only served to addresses in PAYRECON_METRICS_ALLOW",
            where="client address",
        )
    body, content_type = metrics.render(request.headers.get("Accept"))
    return Response(body, content_type=content_type)
