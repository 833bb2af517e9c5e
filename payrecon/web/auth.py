"""Request guards for the JSON API: bearer tokens with scopes, and a rate limit per token.

    @blp.put("/<code>")
    @require_scope("dossiers:write")     # right under the route: before the body is parsed
    @blp.arguments(...)
    def handler(...): ...

Order of checks: the token (401 problem+json with WWW-Authenticate when missing, malformed,
unknown, revoked or expired), then the token's rate limit (429 with Retry-After), then the
scope (403). The guard also documents the operation in OpenAPI: http bearer security with
the scope, and its 401/403/429 answers.

The rate limit is Flask-Limiter's storage and strategy, hit from here rather than from its
before_request hook: the key is the id of a token that has just been verified, so nobody can
spend another client's budget by presenting its (public) id with a made-up secret.
`RATELIMIT_STORAGE_URI` (PAYRECON_RATELIMIT_STORAGE_URI) picks the storage; the default,
memory://, counts per process, so N gunicorn workers allow up to N times the limit.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Flask, current_app, g, request
from flask_limiter import Limiter
from flask_smorest import Blueprint
from limits import RateLimitItem, parse

from payrecon.auth import service
from payrecon.auth.lockout import LockoutPolicy
from payrecon.auth.scopes import KNOWN_SCOPES
from payrecon.config import ConfigError
from payrecon.db import request_session
from payrecon.errors import Forbidden, RateLimited, Unauthorized

SECURITY_SCHEME = "bearerAuth"
LIMITER_KEY = "payrecon.limiter"
RATE_LIMIT_SCOPE = "api-token"

# Settings this module reads; each may be set as PAYRECON_<NAME>.
SETTINGS: dict[str, Any] = {
    "API_RATE_LIMIT": "600/minute",  # per token, in the limits notation ("10/second", …)
    "RATELIMIT_STORAGE_URI": "memory://",  # or redis://host:6379 to share across processes
    "RATELIMIT_STRATEGY": "fixed-window",
    # officer sign-in: this many wrong passwords in a row lock the account for so many minutes
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_LOCKOUT_MINUTES": 15,
}


def init_app(app: Flask) -> None:
    """Settings defaults, a fail-fast check of the limit, and the app's limiter."""
    for name, default in SETTINGS.items():
        app.config.setdefault(name, default)
    _parse_limit(app.config["API_RATE_LIMIT"])
    with app.app_context():
        login_lockout_policy()
    limiter = Limiter(key_func=lambda: request.remote_addr or "")
    limiter.init_app(app)
    app.extensions[LIMITER_KEY] = limiter


def document_security(spec) -> None:
    """Register the bearer scheme that guarded operations refer to (once per spec)."""
    spec.components.security_scheme(
        SECURITY_SCHEME,
        {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "prt_<id>_<secret>",
            "description": "An API token from `payrecon tokens create`; each operation names "
            "the scope it needs. Known scopes: " + ", ".join(KNOWN_SCOPES) + ".",
        },
    )


def require_scope(scope: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Guard a view: a valid bearer token holding `scope`, within its rate limit."""
    if scope not in KNOWN_SCOPES:
        raise ValueError(f"unknown scope {scope!r}; known: {', '.join(KNOWN_SCOPES)}")

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            holder = _authenticate()
            _enforce_rate_limit(holder.public_id)
            if scope not in holder.scopes:
                raise Forbidden(f"this token does not carry the scope {scope}")
            g.api_token = holder
            return current_app.ensure_sync(view)(*args, **kwargs)

        return Blueprint.doc(
            security=[{SECURITY_SCHEME: [scope]}],
            responses={
                "401": "UNAUTHORIZED",
                "403": "FORBIDDEN",
                "429": "TOO_MANY_REQUESTS",
            },
        )(guarded)

    return decorate


def login_lockout_policy() -> LockoutPolicy:
    """The sign-in lock-out policy from the settings, for callers of authenticate_officer."""
    config = current_app.config
    try:
        return LockoutPolicy(
            max_failures=int(config["LOGIN_MAX_FAILURES"]),
            lock_for=timedelta(minutes=int(config["LOGIN_LOCKOUT_MINUTES"])),
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            "PAYRECON_LOGIN_MAX_FAILURES and PAYRECON_LOGIN_LOCKOUT_MINUTES must be whole "
            f"numbers of at least 1: {exc}"
        ) from exc


def current_token() -> service.TokenHolder:
    """The token of the current guarded request (for audit actors)."""
    return g.api_token


def _authenticate() -> service.TokenHolder:
    header = request.headers.get("Authorization", "")
    kind, _, credentials = header.partition(" ")
    if not header:
        raise Unauthorized("this operation needs an API token: Authorization: Bearer <token>")
    if kind.lower() != "bearer" or not credentials.strip():
        raise Unauthorized("the Authorization header must read: Bearer <token>")
    return service.authenticate_token(
        request_session(), credentials, remote_addr=request.remote_addr
    )


def _enforce_rate_limit(token_id: str) -> None:
    limiter: Limiter = current_app.extensions[LIMITER_KEY]
    if not limiter.enabled:
        return
    item = _parse_limit(current_app.config["API_RATE_LIMIT"])
    if limiter.limiter.hit(item, RATE_LIMIT_SCOPE, token_id):
        return
    reset_at = limiter.limiter.get_window_stats(item, RATE_LIMIT_SCOPE, token_id).reset_time
    raise RateLimited(
        f"this token may make {item.amount} requests per {item.get_expiry()} s; "
        "wait before trying again",
        retry_after=max(1, math.ceil(reset_at - time.time())),
    )


@functools.cache
def _parse_limit(value: str) -> RateLimitItem:
    try:
        return parse(value)
    except ValueError as exc:
        raise ConfigError(
            f"PAYRECON_API_RATE_LIMIT must read like '600/minute', not {value!r}"
        ) from exc
