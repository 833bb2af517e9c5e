"""Per-request hooks: request id in and out, metrics, one access log line.

Registered on the app before anything else, so the id is bound before other hooks log,
and the after_request hook (run last, in reverse order) sees the final status.
"""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, request

from payrecon.observability import metrics
from payrecon.observability.request_id import (
    REQUEST_ID_HEADER,
    accept_or_new,
    bind_request_id,
    unbind_request_id,
)

access_log = logging.getLogger("payrecon.access")


def route_label() -> str:
    """The matched URL rule ('/api/v1/dossiers/<code>'), never the path a client sent."""
    rule = request.url_rule
    return rule.rule if rule is not None else metrics.UNMATCHED_ROUTE


def _finish(status: int) -> None:
    """Metrics and the access line, once per request."""
    started = g.pop("_observability_started", None)
    if started is None:
        return
    seconds = time.perf_counter() - started
    route = route_label()
    metrics.observe_http_request(request.method, route, status, seconds)
    duration_ms = round(seconds * 1000, 1)
    access_log.info(
        "%s %s %s %.1f ms",
        request.method,
        route,
        status,
        duration_ms,
        extra={
            "method": request.method,
            "route": route,
            "status": status,
            "duration_ms": duration_ms,
        },
    )


def init_app(app: Flask) -> None:
    @app.before_request
    def _start_request() -> None:
        g.request_id = accept_or_new(request.headers.get(REQUEST_ID_HEADER))
        g._observability_token = bind_request_id(g.request_id)
        g._observability_started = time.perf_counter()
        metrics.HTTP_REQUESTS_IN_PROGRESS.inc()

    @app.after_request
    def _end_request(response: Response) -> Response:
        if "request_id" in g:
            response.headers[REQUEST_ID_HEADER] = g.request_id
        _finish(response.status_code)
        return response

    @app.teardown_request
    def _forget_request(_exc: BaseException | None) -> None:
        if "_observability_token" not in g:
            return
        _finish(500)  # only if after_request never ran: the response was never built
        metrics.HTTP_REQUESTS_IN_PROGRESS.dec()
        unbind_request_id(g.pop("_observability_token"))
