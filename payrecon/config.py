"""Settings, read from the environment (PAYRECON_*) when an app is built, never at import time.

`PAYRECON_DATABASE_URL` becomes `app.config["DATABASE_URL"]`, and so on for every key below.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from payrecon.payments.settings import DEFAULTS as PAYMENT_DEFAULTS

DEFAULTS: dict[str, Any] = {
    # SQLAlchemy URL; None means a SQLite file under the instance folder (see database_url()).
    "DATABASE_URL": None,
    "SECRET_KEY": None,
    "SIGNING_KEY": None,
    "SIGNING_CERT": None,
    "VNPAY_TMN_CODE": None,
    "VNPAY_HASH_SECRET": None,
    "VNPAY_PAY_URL": None,
    "VNPAY_API_URL": None,
    "BANK_WEBHOOK_SECRET": None,
    # Largest request body accepted by the web app (uploads included), in bytes.
    "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
    "API_TITLE": "payrecon",
    "API_VERSION": "1.0.0",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/",
    "OPENAPI_JSON_PATH": "openapi.json",
    "JSON_SORT_KEYS": False,
    # Officer sign-in cookies. Secure (HTTPS only) unless the demo, served over plain http on
    # 127.0.0.1, turns it off: PAYRECON_SESSION_COOKIE_SECURE=false.
    "SESSION_COOKIE_SECURE": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # An officer session ends after this long without a request, and in any case this long
    # after signing in.
    "OFFICER_IDLE_MINUTES": 30,
    "OFFICER_SESSION_HOURS": 10,
    # Sign-in attempts allowed (limits notation), counted per client address and per username.
    "LOGIN_RATE_LIMIT_PER_ADDRESS": "60/minute",
    "LOGIN_RATE_LIMIT_PER_USERNAME": "10/minute",
    # Where the nightly reconciliation writes its reports; None means <instance folder>/reports.
    "REPORTS_DIR": None,
    # payments: expiry, the VNPAY mop-up, the /_sim gateway simulator (payments/settings.py)
    **PAYMENT_DEFAULTS,
}


class ConfigError(RuntimeError):
    """A setting is missing or malformed; raised when the app is built, not on first use."""


def default_sqlite_url(instance_path: str | Path) -> str:
    return f"sqlite:///{Path(instance_path) / 'payrecon.sqlite'}"


INSTANCE_SETTINGS = "settings.py"


def load(app: Flask, overrides: Mapping[str, Any] | None = None) -> list[str]:
    """Defaults, then instance/settings.py, then PAYRECON_* from the environment, then overrides.

    Returns the warnings about the settings, for the caller to log once logging is set up.

    instance/settings.py is where `payrecon demo` writes the secrets it generates (a secret
    key, the demo signing pair, the simulator's gateway settings), so every process of the
    demo shares them; production sets the environment instead.
    """
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile(INSTANCE_SETTINGS, silent=True)
    app.config.from_prefixed_env("PAYRECON")
    if overrides:
        app.config.from_mapping(overrides)
    if not app.config["DATABASE_URL"]:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["DATABASE_URL"] = default_sqlite_url(app.instance_path)
    if not app.config["REPORTS_DIR"]:
        app.config["REPORTS_DIR"] = str(Path(app.instance_path) / "reports")
    warnings = []
    if not app.config["SECRET_KEY"]:
        if not (app.debug or app.testing or app.config.get("DEMO")):
            warnings.append(
                "PAYRECON_SECRET_KEY is not set; using a random key, sessions end on restart"
            )
        import secrets

        app.config["SECRET_KEY"] = secrets.token_hex(32)
    url = str(app.config["DATABASE_URL"])
    if not url.startswith(("sqlite", "postgresql")):
        raise ConfigError(
            f"PAYRECON_DATABASE_URL must be a sqlite:// or postgresql+psycopg:// URL, not {url!r}"
        )
    return warnings
