"""Sign-in attempts per client address and per username, counted in the app's limiter.

The account lock-out (auth.lockout) stops guessing one officer's password; these limits stop
the rest: one address spraying many usernames, and many addresses hammering one username
(each attempt costs an argon2 verification). The counters share Flask-Limiter's storage with
the API's per-token limit; usernames are hashed before they become keys.
"""

from __future__ import annotations

import hashlib
import math
import time
from functools import cache

from flask import current_app
from flask_limiter import Limiter
from limits import RateLimitItem, parse

from payrecon.config import ConfigError

LIMITER_KEY = "payrecon.limiter"  # registered by payrecon.web.auth
SCOPE = "officer-login"


@cache
def _parse(setting: str, value: str) -> RateLimitItem:
    try:
        return parse(value)
    except ValueError as exc:
        raise ConfigError(f"PAYRECON_{setting} must read like '10/minute', not {value!r}") from exc


def check_settings(config) -> None:
    _parse("LOGIN_RATE_LIMIT_PER_ADDRESS", str(config["LOGIN_RATE_LIMIT_PER_ADDRESS"]))
    _parse("LOGIN_RATE_LIMIT_PER_USERNAME", str(config["LOGIN_RATE_LIMIT_PER_USERNAME"]))


def seconds_to_wait(remote_addr: str | None, username: str) -> int | None:
    """Count this attempt; None if allowed, else seconds until the next attempt may be made."""
    limiter: Limiter = current_app.extensions[LIMITER_KEY]
    if not limiter.enabled:
        return None
    config = current_app.config
    username_key = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    checks = [
        ("LOGIN_RATE_LIMIT_PER_ADDRESS", "addr", remote_addr or "?"),
        ("LOGIN_RATE_LIMIT_PER_USERNAME", "user", username_key),
    ]
    wait = 0
    for setting, kind, key in checks:
        item = _parse(setting, str(config[setting]))
        if not limiter.limiter.hit(item, SCOPE, kind, key):
            reset_at = limiter.limiter.get_window_stats(item, SCOPE, kind, key).reset_time
            wait = max(wait, max(1, math.ceil(reset_at - time.time())))
    return wait or None
