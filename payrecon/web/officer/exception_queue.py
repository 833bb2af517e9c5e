"""The exceptions queue (/officer/exceptions): what reconciliation found, filtered and paged.

Read-only: each row links to the exception's own page, where officers act on it. Without a
run in the filter each exception appears once, in its current state (see
reconciliation.queries.find_exceptions); with `run=<id>` the list is that run's exceptions,
which is where the dashboard and the run page link to. Filtering happens in SQL.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import render_template, request
from flask_babel import lazy_gettext as _l

from payrecon.db import request_session
from payrecon.errors import InvalidInput
from payrecon.reconciliation import queries, run_queries
from payrecon.web.officer.access import require_permission
from payrecon.web.officer.blueprint import bp
from payrecon.web.officer.labels import template_helpers
from payrecon.web.officer.paging import Page, page_number
from payrecon.web.officer.recon_forms import ExceptionQueueForm
from payrecon.web.officer.recon_labels import recon_helpers
from payrecon.web.officer.refusals import refusal_text

PAGE_SIZE = 50
REFUSALS = {
    "max_vnd": _l("The smallest amount is above the largest."),
    "date_to": _l("The end date is before the start date."),
}


def _refuse(form: ExceptionQueueForm, exc: InvalidInput) -> None:
    field = getattr(form, exc.where or "", None) or form.kind
    field.errors = [*field.errors, REFUSALS.get(exc.where or "", refusal_text(exc))]


def _unknown_procedure(db, form: ExceptionQueueForm) -> bool:
    code = (form.procedure.data or "").strip().upper()
    if code and not run_queries.procedure_exists(db, code):
        form.procedure.errors = [
            *form.procedure.errors,
            _l("There is no procedure with this code."),
        ]
        return True
    return False


@bp.get("/exceptions")
@require_permission("view_reports")
def exception_queue():
    db = request_session()
    form = ExceptionQueueForm(formdata=request.args).with_agencies(run_queries.agency_choices(db))
    wanted = None
    if form.validate() and not _unknown_procedure(db, form):
        try:
            wanted = form.exception_filter()
        except InvalidInput as exc:
            _refuse(form, exc)
    if wanted is None:
        return _render(form, None, [], Page(1, PAGE_SIZE, 0), status=422)
    page = Page(page_number(request.args.get("page")), PAGE_SIZE, 0)
    total, rows = queries.find_exceptions(db, wanted, offset=page.offset, limit=page.size)
    page = Page(page.number, PAGE_SIZE, total)
    return _render(form, wanted, rows, page)


def _page_link(number: int) -> str:
    """This page of the queue with the same filters."""
    args = {key: value for key, value in request.args.items() if key != "page" and value}
    return request.path + "?" + urlencode({**args, "page": number})


def _render(form, wanted, rows, page: Page, status: int = 200):
    db = request_session()
    run = queries.get_run(db, wanted.run_id) if wanted and wanted.run_id else None
    agencies, procedures = queries.agency_and_procedure_names(db)
    return (
        render_template(
            "officer/exceptions.html",
            form=form,
            wanted=wanted,
            rows=rows,
            page=page,
            run=run,
            dates=run_queries.business_dates(db, (row.run_id for row in rows)),
            agencies=agencies,
            procedures=procedures,
            page_link=_page_link,
            **template_helpers(),
            **recon_helpers(),
        ),
        status,
    )
