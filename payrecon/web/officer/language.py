"""The language switch every page's layout carries: POST /language, then back where you were."""

from __future__ import annotations

from flask import Blueprint, redirect, request, session

from payrecon.i18n import LOCALES, SESSION_KEY
from payrecon.web.officer.paths import safe_local_path

bp = Blueprint("language", __name__)


@bp.post("/language")
def switch():
    """Remember the chosen language (vi or en) in the session; unknown choices change nothing."""
    chosen = request.form.get("lang", "")
    if chosen in LOCALES:
        session[SESSION_KEY] = chosen
    return redirect(safe_local_path(request.form.get("next"), "/officer/"), 303)
