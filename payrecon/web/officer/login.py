"""Sign in (/officer/login) and sign out (/officer/logout, POST only)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from payrecon.auth import service
from payrecon.db import request_session
from payrecon.web.auth import login_lockout_policy
from payrecon.web.officer import access, login_limits
from payrecon.web.officer.blueprint import bp
from payrecon.web.officer.forms import LoginForm
from payrecon.web.officer.paths import safe_local_path


def _home() -> str:
    return url_for("officer.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in form; on success, the page that was asked for (a local path) or home."""
    form = LoginForm()
    if request.method == "GET":
        if access.current_officer() is not None:
            return redirect(_home(), 303)
        form.next.data = safe_local_path(request.args.get("next"), "")
        return render_template("officer/login.html", form=form)
    if not form.validate_on_submit():
        return render_template("officer/login.html", form=form), 422
    wait = login_limits.seconds_to_wait(request.remote_addr, form.username.data)
    if wait is not None:
        current_app.logger.warning("officer sign-in rate limit reached from a client")
        message = _("Too many sign-in attempts. Try again in %(seconds)s seconds.", seconds=wait)
        return (
            render_template("officer/login.html", form=form, error=message),
            429,
            {"Retry-After": str(wait)},
        )
    try:
        officer = service.authenticate_officer(
            request_session(),
            form.username.data,
            form.password.data,
            request.remote_addr,
            policy=login_lockout_policy(),
        )
    except service.LoginFailed:
        error = _(
            "Sign-in failed: wrong username or password, or the account is locked or "
            "disabled. After %(n)s wrong passwords in a row an account is locked for "
            "%(minutes)s minutes.",
            n=current_app.config["LOGIN_MAX_FAILURES"],
            minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"],
        )
        return render_template("officer/login.html", form=form, error=error), 200
    access.sign_in(officer)
    return redirect(safe_local_path(form.next.data, _home()), 303)


@bp.post("/logout")
def logout():
    """Sign out (POST, with the form's CSRF token: a link cannot sign anyone out)."""
    was_signed_in = access.current_officer() is not None
    access.sign_out()
    if was_signed_in:
        flash(_("You have signed out."), "info")
    return redirect(url_for("officer.login"), 303)
