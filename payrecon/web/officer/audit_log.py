"""The audit log viewer (/officer/audit): filter, page through, see whether the chain holds.

Filters are posted and kept in the session, then the page redirects to itself (GET with only
?page=N): actors and subject ids can name people or addresses, and they stay out of URLs,
browser history and access logs.
"""

from __future__ import annotations

from datetime import date

from flask import redirect, render_template, request, session, url_for
from wtforms import SelectChoice

from payrecon import audit, audit_queries
from payrecon.db import request_session
from payrecon.web.officer.access import require_permission
from payrecon.web.officer.blueprint import bp
from payrecon.web.officer.day_bounds import day_range
from payrecon.web.officer.forms import AuditFilterForm
from payrecon.web.officer.paging import Page, page_number

FILTERS_KEY = "audit_filters"
PAGE_SIZE = 50


def _stored_filters() -> dict[str, str]:
    stored = session.get(FILTERS_KEY)
    return stored if isinstance(stored, dict) else {}


def _as_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _audit_filter(stored: dict[str, str]) -> audit_queries.AuditFilter:
    start, end = day_range(_as_date(stored.get("date_from")), _as_date(stored.get("date_to")))
    return audit_queries.AuditFilter(
        actor=stored.get("actor") or None,
        subject_type=stored.get("subject_type") or None,
        subject_id=stored.get("subject_id") or None,
        recorded_from=start,
        recorded_before=end,
    )


def _with_subject_types(form: AuditFilterForm, types: list[str]) -> AuditFilterForm:
    form.subject_type.choices = [SelectChoice("", "—")] + [SelectChoice(name) for name in types]
    return form


@bp.route("/audit", methods=["GET", "POST"])
@require_permission("view_audit_log")
def audit_log():
    db = request_session()
    types = audit_queries.subject_types(db)
    if request.method == "POST":
        form = _with_subject_types(AuditFilterForm(), types)
        if form.clear.data:
            session.pop(FILTERS_KEY, None)
            return redirect(url_for("officer.audit_log"), 303)
        if not form.validate_on_submit():
            return _render(db, form, {}, 1, status=422)
        session[FILTERS_KEY] = {
            "actor": (form.actor.data or "").strip(),
            "subject_type": form.subject_type.data or "",
            "subject_id": (form.subject_id.data or "").strip(),
            "date_from": form.date_from.data.isoformat() if form.date_from.data else "",
            "date_to": form.date_to.data.isoformat() if form.date_to.data else "",
        }
        return redirect(url_for("officer.audit_log"), 303)
    stored = _stored_filters()
    form = AuditFilterForm(
        formdata=None,
        actor=stored.get("actor", ""),
        subject_type=stored.get("subject_type", ""),
        subject_id=stored.get("subject_id", ""),
        date_from=_as_date(stored.get("date_from")),
        date_to=_as_date(stored.get("date_to")),
    )
    return _render(
        db, _with_subject_types(form, types), stored, page_number(request.args.get("page"))
    )


def _render(db, form: AuditFilterForm, stored: dict[str, str], number: int, status: int = 200):
    wanted = _audit_filter(stored)
    page = Page(number=number, size=PAGE_SIZE, total=audit_queries.count_records(db, wanted))
    records = audit_queries.find_records(db, wanted, offset=page.offset, limit=page.size)
    broken_at = audit.verify_chain(db)
    return (
        render_template(
            "officer/audit_log.html",
            form=form,
            records=records,
            page=page,
            filtered=any(stored.values()),
            chain_broken_at=broken_at,
        ),
        status,
    )
