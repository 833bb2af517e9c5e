"""Turn every error into RFC 9457 problem+json. Registered once for the whole app."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Flask, Response, current_app, json
from werkzeug.exceptions import HTTPException

from payrecon import errors
from payrecon.db import is_database_unavailable

PROBLEM_JSON = "application/problem+json"
DATABASE_RETRY_AFTER_S = 2

STATUS_FOR: dict[type[errors.PayreconError], HTTPStatus] = {
    errors.IdempotencyKeyReused: HTTPStatus.UNPROCESSABLE_ENTITY,
    errors.InvalidInput: HTTPStatus.UNPROCESSABLE_ENTITY,
    errors.NotFound: HTTPStatus.NOT_FOUND,
    errors.Conflict: HTTPStatus.CONFLICT,
    errors.Unauthorized: HTTPStatus.UNAUTHORIZED,
    errors.Forbidden: HTTPStatus.FORBIDDEN,
    errors.RateLimited: HTTPStatus.TOO_MANY_REQUESTS,
    errors.UpstreamFailure: HTTPStatus.BAD_GATEWAY,
}


def status_for(exc: errors.PayreconError) -> HTTPStatus:
    """Nearest mapped base class wins, so a new leaf needs no change here."""
    for cls in type(exc).__mro__:
        if cls in STATUS_FOR:
            return STATUS_FOR[cls]
    return HTTPStatus.INTERNAL_SERVER_ERROR


def problem_response(
    status: int,
    detail: str,
    *,
    errors_list: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors_list:
        body["errors"] = errors_list
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_JSON
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _flatten_messages(messages: Any, prefix: str) -> list[dict[str, str]]:
    """webargs/marshmallow messages {"json": {"field": ["reason"]}} → [{where, detail}]."""
    found: list[dict[str, str]] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = {
                "json": "body",
                "query": "query",
                "headers": "header",
                "form": "form",
                "files": "files",
                "view_args": "path",
            }.get(str(key), str(key))
            found += _flatten_messages(value, f"{prefix}.{name}" if prefix else name)
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        found += [{"where": prefix, "detail": m} for m in messages]
    elif isinstance(messages, list):
        for item in messages:
            found += _flatten_messages(item, prefix)
    else:
        found.append({"where": prefix, "detail": str(messages)})
    return found


def http_exception_problem(exc: HTTPException) -> Response:
    """Werkzeug/webargs errors (404 route, 405, 413, 415, 422 validation …) as problem+json."""
    status = exc.code or 500
    errors_list = None
    data = getattr(exc, "data", None) or {}
    if "messages" in data:
        errors_list = _flatten_messages(data["messages"], "")
        detail = "the request is not valid: " + "; ".join(
            f"{e['where']}: {e['detail']}" for e in errors_list
        )
    else:
        detail = exc.description or HTTPStatus(status).phrase
    return problem_response(status, detail, errors_list=errors_list)


def init_app(app: Flask) -> None:
    @app.errorhandler(errors.PayreconError)
    def _payrecon_problem(exc: errors.PayreconError) -> Response:
        status = status_for(exc)
        errors_list = None
        if isinstance(exc, errors.ImportRejected):
            errors_list = [{"where": p.where, "detail": p.detail} for p in exc.problems]
        elif exc.where:
            errors_list = [{"where": exc.where, "detail": str(exc)}]
        headers = None
        if isinstance(exc, errors.RateLimited):
            headers = {"Retry-After": str(exc.retry_after)}
        if isinstance(exc, errors.Unauthorized):
            headers = {"WWW-Authenticate": 'Bearer realm="payrecon"'}
        return problem_response(status.value, str(exc), errors_list=errors_list, headers=headers)

    @app.errorhandler(HTTPException)
    def _http_problem(exc: HTTPException) -> Response:
        return http_exception_problem(exc)

    @app.errorhandler(Exception)
    def _unexpected_problem(exc: Exception) -> Response:
        if is_database_unavailable(exc):
            app.logger.warning("database unavailable: %s", type(exc).__name__)
            return problem_response(
                503,
                "the database is unavailable just now; retry shortly (a payment creation "
                "with the same Idempotency-Key)",
                headers={"Retry-After": str(DATABASE_RETRY_AFTER_S)},
            )
        app.logger.exception("unhandled error")
        return problem_response(500, "an unexpected error occurred; it has been logged")
