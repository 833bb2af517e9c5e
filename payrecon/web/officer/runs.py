"""Reconciliation runs (/officer/reconciliation/runs): the list, one run, its report files,
and confirming a proposal from the run page.

The report files are reconciliation.reports.render_report's, byte for byte the ones the CLI
writes; only a finished run has one (another is refused with the problem page). A credit the
engine only proposed to a payment is in no exception, so its proposals are confirmed here, one
small CSRF form per row; a refusal shows the page again with why, and changes nothing.
"""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from payrecon.auth.roles import role_allows
from payrecon.db import request_session
from payrecon.errors import PayreconError
from payrecon.reconciliation import actions, linking, queries, reports, run_queries
from payrecon.reconciliation.models import ManualLink, ReconciliationProposal
from payrecon.reconciliation.report_data import run_totals, summary_table
from payrecon.web.officer.access import actor, current_officer, require_permission
from payrecon.web.officer.blueprint import bp
from payrecon.web.officer.labels import template_helpers
from payrecon.web.officer.paging import Page, page_number
from payrecon.web.officer.recon_labels import recon_helpers
from payrecon.web.officer.refusals import refusal_text
from payrecon.web.problems import status_for

RUNS_PAGE_SIZE = 50
MATCHES_PAGE_SIZE = 100
PROPOSALS_SHOWN = 100
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
}


def report_filename(run, fmt: str) -> str:
    return f"payrecon-reconciliation-{run.business_date.isoformat()}-run{run.id}.{fmt}"


@bp.get("/reconciliation/runs")
@require_permission("view_reports")
def reconciliation_runs():
    db = request_session()
    number = page_number(request.args.get("page"))
    total, runs = queries.list_runs(db, offset=(number - 1) * RUNS_PAGE_SIZE, limit=RUNS_PAGE_SIZE)
    return render_template(
        "officer/runs.html",
        runs=runs,
        page=Page(number, RUNS_PAGE_SIZE, total),
        **template_helpers(),
        **recon_helpers(),
    )


def _render_run(run_id: int, refusal: str | None = None, status: int = 200):
    db = request_session()
    run = queries.get_run(db, run_id)
    agencies, procedures = queries.agency_and_procedure_names(db)
    _, open_ones = queries.list_exceptions(db, run.id, status="open")
    summary = summary_table(
        run.summary,
        [(e.agency_id, e.procedure_id, e.kind, e.amount_vnd) for e in open_ones],
        agencies,
        procedures,
    )
    number = page_number(request.args.get("page"))
    match_total, matches = run_queries.page_of_matches(
        db, run.id, offset=(number - 1) * MATCHES_PAGE_SIZE, limit=MATCHES_PAGE_SIZE
    )
    proposal_rows, proposals = run_queries.first_proposals(db, run.id, limit=PROPOSALS_SHOWN)
    shown_lines = {proposal.line_id for proposal in proposals}
    links = {
        link.line_id: link
        for link in db.scalars(select(ManualLink).where(ManualLink.line_id.in_(shown_lines)))
    }
    newest = run_queries.latest_run_of(db, run.business_date)
    open_kinds = {kind.kind: kind for kind in run_queries.open_totals_by_kind(db, run.id)}
    return (
        render_template(
            "officer/run.html",
            run=run,
            totals=run_totals(run.summary),
            summary=summary,
            open_kinds=open_kinds,
            matches=matches,
            match_page=Page(number, MATCHES_PAGE_SIZE, match_total),
            proposals=proposals,
            proposal_rows=proposal_rows,
            links=links,
            can_confirm=run.status == "finished"
            and newest is not None
            and newest.id == run.id
            and role_allows(current_officer().role, "resolve_exception"),
            refusal=refusal,
            **template_helpers(),
            **recon_helpers(),
        ),
        status,
    )


@bp.get("/reconciliation/runs/<int:run_id>")
@require_permission("view_reports")
def reconciliation_run(run_id: int):
    return _render_run(run_id)


@bp.post("/reconciliation/runs/<int:run_id>/proposals/<int:proposal_id>/confirm")
@require_permission("resolve_exception")
def confirm_run_proposal(run_id: int, proposal_id: int):
    db = request_session()  # CSRFProtect has checked the form's token already
    proposal = db.get(ReconciliationProposal, proposal_id)
    if proposal is None or proposal.run_id != run_id:
        return _render_run(run_id, _l("That proposal is not one of this run's."), 404)
    officer = actions.Officer(name=actor(), role=current_officer().role)
    try:
        link = linking.confirm_proposal(db, proposal_id=proposal_id, officer=officer)
    except PayreconError as exc:
        db.rollback()
        return _render_run(run_id, refusal_text(exc), status_for(exc).value)
    flash(
        _l(
            "Confirmed: bank line %(line)s pays payment %(payment)s; the next run matches them.",
            line=link.line_id,
            payment=link.payment_id,
        ),
        "success",
    )
    return redirect(url_for("officer.reconciliation_run", run_id=run_id), 303)


@bp.get("/reconciliation/runs/<int:run_id>/report.<any(xlsx, csv, html):fmt>")
@require_permission("view_reports")
def reconciliation_report(run_id: int, fmt: str):
    db = request_session()
    run = queries.get_run(db, run_id)
    body = reports.render_report(db, run.id, fmt)
    response = Response(body, content_type=CONTENT_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{report_filename(run, fmt)}"'
    return response
