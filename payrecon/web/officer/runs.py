"""Reconciliation runs (/officer/reconciliation/runs): the list, one run, its report files.

The report files are reconciliation.reports.render_report's, byte for byte the ones the CLI
writes; only a finished run has one (another is refused with the problem page).
"""

from __future__ import annotations

from flask import Response, render_template, request

from payrecon.db import request_session
from payrecon.reconciliation import queries, reports, run_queries
from payrecon.reconciliation.report_data import run_totals, summary_table
from payrecon.web.officer.access import require_permission
from payrecon.web.officer.blueprint import bp
from payrecon.web.officer.labels import template_helpers
from payrecon.web.officer.paging import Page, page_number
from payrecon.web.officer.recon_labels import recon_helpers

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


@bp.get("/reconciliation/runs/<int:run_id>")
@require_permission("view_reports")
def reconciliation_run(run_id: int):
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
    proposals = queries.run_proposals(db, run.id)
    open_kinds = {kind.kind: kind for kind in run_queries.open_totals_by_kind(db, run.id)}
    return render_template(
        "officer/run.html",
        run=run,
        totals=run_totals(run.summary),
        summary=summary,
        open_kinds=open_kinds,
        matches=matches,
        match_page=Page(number, MATCHES_PAGE_SIZE, match_total),
        proposals=proposals[:PROPOSALS_SHOWN],
        proposal_rows=len(proposals),
        **template_helpers(),
        **recon_helpers(),
    )


@bp.get("/reconciliation/runs/<int:run_id>/report.<any(xlsx, csv, html):fmt>")
@require_permission("view_reports")
def reconciliation_report(run_id: int, fmt: str):
    db = request_session()
    run = queries.get_run(db, run_id)
    body = reports.render_report(db, run.id, fmt)
    response = Response(body, content_type=CONTENT_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{report_filename(run, fmt)}"'
    return response
