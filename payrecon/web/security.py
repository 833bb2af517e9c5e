"""Browser-facing protections for every response and every form.

Headers: a Content-Security-Policy that allows scripts, styles and images only from this
site (no inline script, no eval), forbids framing (`frame-ancestors 'none'` and, for old
browsers, `X-Frame-Options: DENY`), `Referrer-Policy: same-origin` (a page address never
leaves the site in a Referer header) and `X-Content-Type-Options: nosniff`. A view that
needs another policy sets its own header; these are only defaults.

CSRF: Flask-WTF (`CSRFProtect`) checks the token of every state-changing request (POST, PUT,
PATCH, DELETE) except under the prefixes in `CSRF_EXEMPT_PREFIXES`: the JSON API (bearer
tokens, no cookies) and the gateway/bank callbacks (signed by the sender). Pages put the token in
their forms with `{{ csrf_token() }}`. A failed check is a 400 page that says the form
expired, not a problem+json.
"""

from __future__ import annotations

from flask import Flask, Response, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
}

# Settings this module reads; each may be set as PAYRECON_<NAME>.
SETTINGS = {
    # Requests under these paths authenticate otherwise (bearer token, signature): no CSRF.
    "CSRF_EXEMPT_PREFIXES": ("/api/", "/gateway/"),
    # Flask-WTF: the app decides which requests to check (see _check_csrf).
    "WTF_CSRF_CHECK_DEFAULT": False,
    # A form's token lives as long as the session, so a page left open does not go stale.
    "WTF_CSRF_TIME_LIMIT": None,
}

csrf = CSRFProtect()


def add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def csrf_exempt(path: str, prefixes: tuple[str, ...] | list[str]) -> bool:
    return any(path.startswith(prefix) for prefix in prefixes)


def init_app(app: Flask) -> None:
    for name, default in SETTINGS.items():
        app.config.setdefault(name, default)
    csrf.init_app(app)

    @app.before_request
    def _check_csrf() -> None:
        if (
            not app.config["WTF_CSRF_ENABLED"]
            or request.method not in app.config["WTF_CSRF_METHODS"]
        ):
            return
        if csrf_exempt(request.path, tuple(app.config["CSRF_EXEMPT_PREFIXES"])):
            return
        csrf.protect(apply_exemptions=True)  # a view may still opt out with @csrf.exempt

    @app.errorhandler(CSRFError)
    def _csrf_failed(exc: CSRFError):
        return render_template("officer/form_expired.html"), 400

    app.after_request(add_security_headers)
