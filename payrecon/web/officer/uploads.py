"""Bank statements (/officer/statements): upload a file, and where each account's imports stand.

The upload goes through statements.service.import_statement_file, which checks the whole file
before writing anything, skips lines already stored and records the import (with the officer
as actor) in the same commit. The page answers the POST with the import's summary and
findings; a refused file is shown next to the file field with what is wrong and where.
"""

from __future__ import annotations

from flask import current_app, render_template

from payrecon.auth.roles import role_allows
from payrecon.db import request_session
from payrecon.errors import ImportRejected, InvalidInput
from payrecon.statements import queries as statement_queries
from payrecon.statements import service
from payrecon.statements.xml_safety import DEFAULT_MAX_BYTES
from payrecon.web.officer.access import actor, current_officer, require_permission
from payrecon.web.officer.blueprint import bp
from payrecon.web.officer.forms import StatementUploadForm
from payrecon.web.officer.labels import template_helpers


def max_upload_bytes() -> int:
    """PAYRECON_STATEMENT_MAX_BYTES, as the statement API reads it."""
    return int(current_app.config.get("STATEMENT_MAX_BYTES") or DEFAULT_MAX_BYTES)


def refusal_lines(exc: InvalidInput, most: int = 20) -> list[str]:
    """Why a file was refused, located: the error, then each problem of a rejected import."""
    where = f" ({exc.where})" if exc.where and not isinstance(exc, ImportRejected) else ""
    lines = [f"{exc}{where}"]
    if isinstance(exc, ImportRejected):
        lines += [str(problem) for problem in exc.problems[:most]]
    return lines


def _render(form: StatementUploadForm, result=None, status: int = 200):
    return (
        render_template(
            "officer/statements.html",
            form=form,
            result=result,
            accounts=statement_queries.statement_status_by_account(request_session()),
            max_megabytes=max_upload_bytes() // (1024 * 1024),
            may_upload=role_allows(current_officer().role, "import_statements"),
            **template_helpers(),
        ),
        status,
    )


@bp.get("/statements")
@require_permission("view_reports")
def statements():
    return _render(StatementUploadForm(formdata=None))


@bp.post("/statements")
@require_permission("import_statements")
def upload_statement():
    form = StatementUploadForm()
    if not form.validate_on_submit():
        return _render(form, status=422)
    upload = form.statement_file.data
    limit = max_upload_bytes()
    data = upload.stream.read(limit + 1)  # one byte more than allowed is enough to refuse
    db = request_session()
    try:
        result = service.import_statement_file(
            db,
            data,
            filename=upload.filename or "upload",
            actor=actor(),
            fmt=form.file_format.data or "auto",
            account_number=(form.account.data or "").strip() or None,
            max_bytes=limit,
        )
    except InvalidInput as exc:  # StatementFormatError and ImportRejected among them
        db.rollback()
        form.statement_file.errors = [*form.statement_file.errors, *refusal_lines(exc)]
        return _render(form, status=422)
    status = 200 if result.already_imported else 201
    return _render(StatementUploadForm(formdata=None), result, status)
