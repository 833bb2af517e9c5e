"""The exception page (/officer/exceptions/<id>) and its actions, one small POST form each.

The page shows the exception, its evidence side by side, the engine's candidate matches and
the history of its fingerprint across runs. Each action posts to its own URL, guarded by the
permission it needs, calls one reconciliation service function and redirects back with a
message. A refusal (bad input, already resolved, four eyes, not allowed) is answered with
the page itself, the message at the form it concerns, and nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from payrecon.auth.roles import role_allows
from payrecon.db import request_session
from payrecon.errors import PayreconError
from payrecon.payments import queries as payment_queries
from payrecon.reconciliation import actions, linking
from payrecon.reconciliation.exception_view import ExceptionView, exception_view
from payrecon.web.gateway import payment_settings
from payrecon.web.officer.access import actor, current_officer, require_permission
from payrecon.web.officer.blueprint import bp
from payrecon.web.officer.exception_forms import (
    ApproveWriteOffForm,
    ConfirmMatchForm,
    LinkForm,
    NoteForm,
    ProposeWriteOffForm,
    RefundDueForm,
    StartRefundForm,
)
from payrecon.web.officer.exception_labels import exception_helpers
from payrecon.web.officer.labels import template_helpers
from payrecon.web.officer.refusals import refusal_text
from payrecon.web.problems import status_for

FORMS: dict[str, type[FlaskForm]] = {
    "confirm": ConfirmMatchForm,
    "link": LinkForm,
    "refund_due": RefundDueForm,
    "refund": StartRefundForm,
    "propose": ProposeWriteOffForm,
    "approve": ApproveWriteOffForm,
    "note": NoteForm,
}
DONE = {
    "confirm": _l("The proposed match is confirmed; the exception is resolved."),
    "link": _l("Linked; the exception is resolved."),
    "refund_due": _l("Marked refund due; the exception is resolved."),
    "refund": _l("The refund is started."),
    "propose": _l("Write-off proposed; a supervisor other than you must approve it."),
    "approve": _l("Write-off approved; the exception is resolved."),
    "note": _l("Note added."),
}

# the `where` of a payments refusal → the refund form's field it concerns
FIELD_FOR = {"amount": "amount_vnd", "refund_amount_available": "amount_vnd"}


def _officer() -> actions.Officer:
    return actions.Officer(name=actor(), role=current_officer().role)


def _refund_choices(view: ExceptionView) -> list[tuple[int, str]]:
    return [(p.id, f"{p.reference} · {p.method} · {p.amount_vnd:,} VND") for p in view.payments]


def _forms(view: ExceptionView, posted: str | None = None) -> dict[str, FlaskForm]:
    """A form per action, empty except the one that was posted (which keeps what was typed)."""
    forms = {
        name: form_class(prefix=name, **({} if name == posted else {"formdata": None}))
        for name, form_class in FORMS.items()
    }
    refund = forms["refund"]
    refund.payment_id.choices = _refund_choices(view)
    if posted != "refund" and view.payments:
        available = _available(view)
        first = view.payments[0].id
        suggested = int(view.details.get("refund_due_vnd") or available[first])
        refund.amount_vnd.data = str(min(suggested, available[first]) or suggested)
        refund.expected_available_vnd.data = ",".join(f"{k}:{v}" for k, v in available.items())
    return forms


def _available(view: ExceptionView) -> dict[int, int]:
    """What each payment of the exception still holds to refund, as the officer sees it now."""
    session = request_session()
    return {
        p.id: max(p.amount_vnd - payment_queries.refund_totals(session, p.id).spoken_for_vnd, 0)
        for p in view.payments
    }


def _allowed(view: ExceptionView) -> dict[str, bool]:
    """Which forms the signed-in role may use on this exception now (the server checks anyway)."""
    officer = current_officer()
    exception = view.exception
    is_open = exception.status == "open"
    can = lambda permission: role_allows(officer.role, permission)  # noqa: E731
    proposed = exception.proposed_resolution == "written_off"
    refund_kind = exception.kind in actions.REFUND_DUE_KINDS
    return {
        "confirm": is_open and can("resolve_exception") and bool(view.candidates),
        "link": is_open and can("resolve_exception"),
        "refund_due": is_open and can("resolve_exception") and refund_kind,
        "refund": can("start_refund")
        and bool(view.payments)
        and not actions.holds_surplus_credit(exception)
        and ((is_open and refund_kind) or exception.resolution == "refund_due"),
        "propose": is_open and can("resolve_exception") and not proposed,
        "approve": is_open and can("approve_write_off") and proposed,
        "note": can("resolve_exception"),
    }


def _render(exception_id: int, forms=None, posted: str | None = None, status: int = 200):
    view = exception_view(request_session(), exception_id)
    forms = {**_forms(view, posted), **(forms or {})}
    forms["refund"].payment_id.choices = _refund_choices(view)
    return (
        render_template(
            "officer/exception.html",
            view=view,
            forms=forms,
            allowed=_allowed(view),
            posted=posted,
            me=actor(),
            **template_helpers(),
            **exception_helpers(),
        ),
        status,
    )


@bp.get("/exceptions/<int:exception_id>")
@require_permission("view_reports")
def exception_detail(exception_id: int):
    return _render(exception_id)


def _act(exception_id: int, name: str, do: Callable[[FlaskForm], object]):
    """Validate the posted form, run the action, and redirect; or show the page with why not."""
    form = FORMS[name](prefix=name)
    if name == "refund":
        view = exception_view(request_session(), exception_id)
        form.payment_id.choices = _refund_choices(view)
    if not form.validate_on_submit():
        return _render(exception_id, {name: form}, posted=name, status=422)
    try:
        do(form)
    except PayreconError as exc:
        request_session().rollback()
        where = FIELD_FOR.get(exc.where or "", exc.where or "")
        if where in form:
            form[where].errors = [*form[where].errors, refusal_text(exc)]
        else:
            form.form_errors.append(refusal_text(exc))
        return _render(exception_id, {name: form}, posted=name, status=status_for(exc).value)
    flash(DONE[name], "success")
    return redirect(url_for("officer.exception_detail", exception_id=exception_id), 303)


@bp.post("/exceptions/<int:exception_id>/confirm")
@require_permission("resolve_exception")
def confirm_match(exception_id: int):
    return _act(
        exception_id,
        "confirm",
        lambda form: linking.confirm_proposed_match(
            request_session(),
            exception_id=exception_id,
            proposal_id=int(form.proposal_id.data),
            officer=_officer(),
        ),
    )


@bp.post("/exceptions/<int:exception_id>/link")
@require_permission("resolve_exception")
def link_exception(exception_id: int):
    return _act(
        exception_id,
        "link",
        lambda form: linking.link_exception(
            request_session(),
            exception_id=exception_id,
            officer=_officer(),
            payment_reference=form.payment_reference.data,
            line_id=form.line_id.data,
            note=form.note.data or None,
        ),
    )


@bp.post("/exceptions/<int:exception_id>/refund-due")
@require_permission("resolve_exception")
def mark_refund_due(exception_id: int):
    return _act(
        exception_id,
        "refund_due",
        lambda form: actions.mark_refund_due(
            request_session(),
            exception_id=exception_id,
            officer=_officer(),
            note=form.note.data or None,
        ),
    )


@bp.post("/exceptions/<int:exception_id>/refund")
@require_permission("start_refund")
def start_refund(exception_id: int):
    return _act(
        exception_id,
        "refund",
        lambda form: actions.start_refund(
            request_session(),
            exception_id=exception_id,
            payment_id=form.payment_id.data,
            amount_vnd=form.amount_vnd.amount,
            reason=form.reason.data,
            officer=_officer(),
            settings=payment_settings(),
            expected_available_vnd=form.expected_for(form.payment_id.data),
        ),
    )


@bp.post("/exceptions/<int:exception_id>/write-off")
@require_permission("resolve_exception")
def propose_write_off(exception_id: int):
    return _act(
        exception_id,
        "propose",
        lambda form: actions.propose_write_off(
            request_session(),
            exception_id=exception_id,
            officer=_officer(),
            reason=form.reason.data,
        ),
    )


@bp.post("/exceptions/<int:exception_id>/write-off/approve")
@require_permission("approve_write_off")
def approve_write_off(exception_id: int):
    return _act(
        exception_id,
        "approve",
        lambda form: actions.approve_write_off(
            request_session(),
            exception_id=exception_id,
            officer=_officer(),
            note=form.note.data or None,
        ),
    )


@bp.post("/exceptions/<int:exception_id>/note")
@require_permission("resolve_exception")
def add_note(exception_id: int):
    return _act(
        exception_id,
        "note",
        lambda form: actions.add_note(
            request_session(),
            exception_id=exception_id,
            officer=_officer(),
            note=form.note.data,
        ),
    )
