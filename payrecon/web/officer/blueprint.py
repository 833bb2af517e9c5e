"""The officer blueprint (/officer): its request hooks and its error pages.

Views live in modules by page (login, home, audit_log, users) and attach to `bp`.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template

from payrecon.errors import Forbidden, PayreconError
from payrecon.web.officer import access
from payrecon.web.officer.forms import ROLE_LABELS
from payrecon.web.officer.nav import NAV_KEY, entries_for
from payrecon.web.problems import status_for

bp = Blueprint("officer", __name__, url_prefix="/officer")

bp.before_request(access.load_officer)


@bp.after_request
def _not_cached(response: Response) -> Response:
    """Officer pages show money and people: no browser or proxy keeps a copy."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.context_processor
def _shell() -> dict:
    officer = access.current_officer()
    entries = current_app.extensions.get(NAV_KEY, [])
    return {
        "current_officer": officer,
        "officer_nav": entries_for(entries, officer.role) if officer else [],
        "role_label": lambda role: ROLE_LABELS.get(role, role),
    }


@bp.errorhandler(Forbidden)
def _forbidden(_exc: Forbidden):
    return render_template("officer/forbidden.html"), 403


@bp.errorhandler(PayreconError)
def _problem(exc: PayreconError):
    status = status_for(exc)
    return render_template("officer/problem.html", status=status, detail=str(exc)), status.value
