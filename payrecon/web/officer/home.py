"""The officer home page: what the signed-in role may do, from the menu registry."""

from __future__ import annotations

from flask import render_template
from flask_babel import lazy_gettext as _l

from payrecon.auth.roles import permissions_of
from payrecon.web.officer.access import current_officer, require_permission
from payrecon.web.officer.blueprint import bp

PERMISSION_LABELS = {
    "view_reports": _l("Read the reconciliation reports, exports and dashboards"),
    "resolve_exception": _l("Resolve reconciliation exceptions, with a note"),
    "approve_write_off": _l("Approve write-offs"),
    "start_refund": _l("Start refunds of citizens' payments"),
    "import_statements": _l("Upload bank statement files"),
    "view_audit_log": _l("Read the audit log"),
    "manage_users": _l("Create and disable officer accounts"),
}


@bp.get("/")
@require_permission("view_reports")
def home():
    officer = current_officer()
    allowed = permissions_of(officer.role)
    return render_template(
        "officer/home.html",
        permissions=[label for name, label in PERMISSION_LABELS.items() if name in allowed],
    )
