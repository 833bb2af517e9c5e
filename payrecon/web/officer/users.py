"""Officer accounts (/officer/users, administrators only): list, create with a role, disable.

The usernames to act on travel in POST bodies, never in the URL.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from payrecon.auth import queries, service
from payrecon.auth.lockout import is_locked
from payrecon.auth.passwords import MIN_PASSWORD_LENGTH
from payrecon.db import request_session, utcnow
from payrecon.errors import Conflict, InvalidInput, NotFound
from payrecon.web.officer.access import actor, current_officer, require_permission
from payrecon.web.officer.blueprint import bp
from payrecon.web.officer.forms import ROLE_LABELS, CreateOfficerForm, DisableOfficerForm

# service `where` names → form fields, so a refusal shows next to the field it concerns
FIELD_FOR = {"username": "username", "name": "display_name", "role": "role", "password": "password"}


def _render(create_form: CreateOfficerForm, status: int = 200):
    officers = queries.list_officers(request_session())
    now = utcnow()
    rows = [
        {
            "officer": officer,
            "role_label": ROLE_LABELS.get(officer.role, officer.role),
            "locked": officer.disabled_at is None and is_locked(officer.locked_until, now),
            "is_me": officer.id == current_officer().id,
        }
        for officer in officers
    ]
    return (
        render_template(
            "officer/users.html",
            rows=rows,
            form=create_form,
            min_password_length=MIN_PASSWORD_LENGTH,
        ),
        status,
    )


@bp.get("/users")
@require_permission("manage_users")
def users():
    return _render(CreateOfficerForm(formdata=None))


@bp.post("/users")
@require_permission("manage_users")
def create_user():
    form = CreateOfficerForm()
    if not form.validate_on_submit():
        return _render(form, 422)
    try:
        officer = service.create_officer(
            request_session(),
            username=form.username.data,
            display_name=form.display_name.data,
            role=form.role.data,
            password=form.password.data,
            actor=actor(),
        )
    except (InvalidInput, Conflict) as exc:
        request_session().rollback()
        field = getattr(form, FIELD_FOR.get(exc.where or "", "username"))
        field.errors = [*field.errors, str(exc)]
        return _render(form, 422)
    flash(_("Account %(username)s created.", username=officer.username), "success")
    return redirect(url_for("officer.users"), 303)


@bp.post("/users/disable")
@require_permission("manage_users")
def disable_user():
    form = DisableOfficerForm()
    if not form.validate_on_submit():
        flash(_("Nothing was disabled: the form was incomplete."), "error")
        return redirect(url_for("officer.users"), 303)
    if form.username.data == current_officer().username:
        flash(_("You cannot disable your own account."), "error")
        return redirect(url_for("officer.users"), 303)
    try:
        officer = service.disable_officer(
            request_session(), username=form.username.data, actor=actor()
        )
    except NotFound:
        flash(_("There is no such account."), "error")
        return redirect(url_for("officer.users"), 303)
    flash(_("Account %(username)s disabled.", username=officer.username), "success")
    return redirect(url_for("officer.users"), 303)
