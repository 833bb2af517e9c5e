"""The officer home page: last night's reconciliation at a glance, then the pages the role
may open.

The dashboard: the latest finished run (expected, received and matched money, the match rate,
open exceptions by kind, each linking to the queue), a 30-day chart drawn on the server as
SVG (the CSP allows no inline script), job health and each collection account's last
statement. When the newest run is not yesterday's, or yesterday's failed, it says so.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import render_template
from flask_babel import lazy_gettext as _l

from payrecon.auth.roles import permissions_of
from payrecon.db import request_session
from payrecon.reconciliation import run_queries
from payrecon.reconciliation.chart import trend_svg
from payrecon.reconciliation.report_data import run_totals
from payrecon.statements import queries as statement_queries
from payrecon.web.officer.access import current_officer, require_permission
from payrecon.web.officer.blueprint import bp
from payrecon.web.officer.day_bounds import VIETNAM
from payrecon.web.officer.health import job_health_context
from payrecon.web.officer.labels import template_helpers
from payrecon.web.officer.recon_labels import chart_labels, recon_helpers

PERMISSION_LABELS = {
    "view_reports": _l("Read the reconciliation reports, exports and dashboards"),
    "resolve_exception": _l("Resolve reconciliation exceptions, with a note"),
    "approve_write_off": _l("Approve write-offs"),
    "start_refund": _l("Start refunds of citizens' payments"),
    "import_statements": _l("Upload bank statement files"),
    "view_audit_log": _l("Read the audit log"),
    "manage_users": _l("Create and disable officer accounts"),
}
TREND_DAYS = 30


def _yesterday():
    return datetime.now(VIETNAM).date() - timedelta(days=1)


def _reconciliation_context(db) -> dict:
    yesterday = _yesterday()
    run = run_queries.latest_finished_run(db)
    last_nights = run_queries.latest_run_of(db, yesterday)
    context = {
        "run": run,
        "yesterday": yesterday,
        "failed_last_night": last_nights
        if last_nights and last_nights.status == "failed"
        else None,
        "trend_svg": "",
    }
    if run is None:
        return context
    kinds = run_queries.open_totals_by_kind(db, run.id)
    points = run_queries.trend(
        db, run.business_date, since=run.business_date - timedelta(days=TREND_DAYS - 1)
    )
    return context | {
        "totals": run_totals(run.summary),
        "open_kinds": kinds,
        "open_count": sum(kind.count for kind in kinds),
        "open_vnd": sum(kind.amount_vnd for kind in kinds),
        "trend_svg": trend_svg(points, chart_labels()),
        "trend_days": TREND_DAYS,
    }


@bp.get("/")
@require_permission("view_reports")
def home():
    officer = current_officer()
    allowed = permissions_of(officer.role)
    db = request_session()
    return render_template(
        "officer/home.html",
        permissions=[label for name, label in PERMISSION_LABELS.items() if name in allowed],
        accounts=statement_queries.statement_status_by_account(db, recent_per_account=1),
        jobs=job_health_context(db),
        **_reconciliation_context(db),
        **template_helpers(),
        **recon_helpers(),
    )
