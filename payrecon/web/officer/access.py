"""Who is signed in to the officer pages, and what they may open.

The session cookie (signed by Flask, HttpOnly, SameSite=Lax, Secure unless the demo turns it
off) holds the officer's id and username, the account's session generation and two times: when
they signed in and when they were last seen. Every officer request reloads the account, so
disabling an officer or changing their role takes effect on their next click, and ends the
session when it has been idle or alive too long (session_rules). Signing out raises the
account's generation, so a copy of the cookie taken before stops working too. Nothing
personal goes in URLs: a sign-in redirect carries only the path that was asked for.

    @bp.get("/audit")
    @require_permission("view_audit_log")
    def audit_log(): ...
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l

from payrecon.auth import queries, service
from payrecon.auth.models import Officer
from payrecon.auth.roles import PERMISSIONS, role_allows
from payrecon.config import ConfigError
from payrecon.db import request_session
from payrecon.errors import Forbidden
from payrecon.i18n import SESSION_KEY as LANGUAGE_KEY
from payrecon.web.officer.session_rules import SessionEnd, SessionLimits, session_end

OFFICER_ID = "officer_id"
OFFICER_USERNAME = "officer_username"
SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"
GENERATION = "session_generation"
ENDED_MESSAGES = {
    SessionEnd.IDLE: _l("You were signed out after a period without activity. Please sign in."),
    SessionEnd.EXPIRED: _l("Your session has reached its time limit. Please sign in again."),
}


def session_limits() -> SessionLimits:
    config = current_app.config
    try:
        return SessionLimits.from_settings(
            config["OFFICER_IDLE_MINUTES"], config["OFFICER_SESSION_HOURS"]
        )
    except ValueError as exc:
        raise ConfigError(f"PAYRECON_{exc}") from exc


def _now() -> int:
    return int(time.time())


def _forget_officer() -> None:
    """Empty the session except the language; a new CSRF token comes with the next form."""
    language = session.get(LANGUAGE_KEY)
    session.clear()
    if language:
        session[LANGUAGE_KEY] = language


def sign_in(officer: Officer) -> None:
    _forget_officer()  # a fresh session: nothing from before sign-in carries over
    now = _now()
    session.permanent = True
    session[OFFICER_ID] = officer.id
    session[OFFICER_USERNAME] = officer.username
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now
    session[GENERATION] = officer.session_generation


def sign_out() -> None:
    """End this officer's sessions everywhere (see the module docstring), then this one."""
    officer = current_officer()
    if officer is not None:
        service.end_officer_sessions(request_session(), officer.id, actor=actor())
    _forget_officer()


def load_officer() -> None:
    """Before each officer request: g.officer is the signed-in account, or None."""
    g.officer = None
    officer_id = session.get(OFFICER_ID)
    if officer_id is None:
        return
    now = _now()
    ended = session_end(
        signed_in_at=int(session.get(SIGNED_IN_AT, 0)),
        last_seen_at=int(session.get(SEEN_AT, 0)),
        now=now,
        limits=session_limits(),
    )
    if ended is not None:
        _forget_officer()
        flash(ENDED_MESSAGES[ended], "info")
        return
    officer = queries.find_officer(request_session(), str(session.get(OFFICER_USERNAME, "")))
    if (
        officer is None
        or officer.id != officer_id
        or officer.disabled_at is not None
        or officer.session_generation != session.get(GENERATION)
    ):
        _forget_officer()
        return
    session[SEEN_AT] = now
    g.officer = officer


def current_officer() -> Officer | None:
    return g.get("officer")


def actor() -> str:
    """The audit actor for what the signed-in officer does."""
    officer = current_officer()
    if officer is None:
        raise RuntimeError("actor() outside a signed-in officer request")
    return f"officer:{officer.username}"


def require_permission(permission: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Guard an officer page: anonymous visitors go to sign-in, other roles get 403.

    The permission is checked when the decorator is applied, so a typo fails at start-up.
    The wrapped view carries `required_permission` for tests and tools to read.
    """
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}; known: {', '.join(PERMISSIONS)}")

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            officer = current_officer()
            if officer is None:
                return redirect(url_for("officer.login", next=request.path), 303)
            if not role_allows(officer.role, permission):
                raise Forbidden(f"the role {officer.role} may not {permission}")
            return current_app.ensure_sync(view)(*args, **kwargs)

        guarded.required_permission = permission  # type: ignore[attr-defined]
        return guarded

    return decorate
