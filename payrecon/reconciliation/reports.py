"""Building a run's report data from the database, and writing report files.

`render_report(session, run_id, fmt)` is the front door for the CLI; the nightly job calls
`write_run_reports` to put all three formats into PAYRECON_REPORTS_DIR.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy.orm import Session

from payrecon.errors import InvalidInput
from payrecon.reconciliation import queries, run_queries
from payrecon.reconciliation.models import ReconciliationRun
from payrecon.reconciliation.report_csv import report_csv
from payrecon.reconciliation.report_data import ReportData, summary_table
from payrecon.reconciliation.report_html import report_html
from payrecon.reconciliation.report_xlsx import MATCH_ROWS_IN_XLSX, report_xlsx

WRITERS = {"xlsx": report_xlsx, "csv": report_csv, "html": report_html}


def report_data(
    session: Session, run: ReconciliationRun, *, match_limit: int | None = None
) -> ReportData:
    """The report's rows; with `match_limit`, only the first matches are read (and counted)."""
    agencies, procedures = queries.agency_and_procedure_names(session)
    _, exceptions = queries.list_exceptions(session, run.id)
    open_ones = [
        (e.agency_id, e.procedure_id, e.kind, e.amount_vnd)
        for e in exceptions
        if e.status == "open"
    ]
    exception_rows = [
        (
            e.kind,
            e.fingerprint,
            e.amount_vnd,
            agencies.get(e.agency_id or 0, ""),
            procedures.get(e.procedure_id or 0, ""),
            e.status,
            e.resolution or "",
            e.resolved_by or "",
            e.note or "",
            json.dumps(e.evidence, sort_keys=True, ensure_ascii=False),
        )
        for e in exceptions
    ]
    if match_limit is None:
        matched: list = queries.run_matches(session, run.id)
        match_count = len(matched)
    else:
        match_count, matched = run_queries.page_of_matches(
            session, run.id, offset=0, limit=match_limit
        )
    match_rows = [
        (
            m.match_no,
            m.rule,
            m.payment_id or 0,
            m.line_id,
            m.batch_id or 0,
            m.refund_id or 0,
            m.amount_vnd,
            m.fee_vnd,
            round(m.confidence, 3),
        )
        for m in matched
    ]
    return ReportData(
        business_date=run.business_date,
        window_start=run.window_start,
        parameters=run.parameters,
        summary=summary_table(run.summary, open_ones, agencies, procedures),
        exceptions=exception_rows,
        matches=match_rows,
        match_count=match_count,
        trend=run_queries.trend(session, run.business_date),
    )


def render_report(session: Session, run_id: int, fmt: str) -> bytes:
    if fmt not in WRITERS:
        raise InvalidInput(f"unknown report format {fmt!r}; one of xlsx, csv, html", where="format")
    run = queries.get_run(session, run_id)
    if run.status != "finished":
        raise InvalidInput(f"run {run_id} is {run.status}; only a finished run has a report")
    # The xlsx lists the first MATCH_ROWS_IN_XLSX matches: reading the rest would cost more
    # than the whole workbook on a night of a million.
    limit = MATCH_ROWS_IN_XLSX if fmt == "xlsx" else None
    return WRITERS[fmt](report_data(session, run, match_limit=limit))


def write_run_reports(
    session: Session, run: ReconciliationRun, folder: str | None = None
) -> list[str]:
    """Write reconciliation-<date>.{xlsx,csv,html} into the reports folder; return the paths."""
    if folder is None:
        from flask import current_app

        folder = current_app.config["REPORTS_DIR"]
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    data = report_data(session, run)
    written = []
    for fmt, writer in WRITERS.items():
        path = target / f"reconciliation-{run.business_date}.{fmt}"
        path.write_bytes(writer(data))
        written.append(str(path))
    return written
