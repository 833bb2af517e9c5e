"""/api/v1/reconciliation: runs and their exceptions (scope reconciliation:read), paginated."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from payrecon.db import request_session
from payrecon.reconciliation import queries
from payrecon.reconciliation.classify import EXCEPTION_KINDS
from payrecon.web.auth import require_scope

blp = Blueprint(
    "api_reconciliation",
    __name__,
    url_prefix="/api/v1/reconciliation",
    description="Nightly reconciliation runs and the exceptions they found",
)


class PageArgs(Schema):
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class ExceptionArgs(PageArgs):
    kind = fields.String(load_default=None, validate=validate.OneOf(EXCEPTION_KINDS))
    status = fields.String(load_default=None, validate=validate.OneOf(["open", "resolved"]))


class RunOut(Schema):
    id = fields.Integer(required=True)
    business_date = fields.Date(required=True)
    window_start = fields.Date(required=True)
    status = fields.String(required=True, metadata={"example": "finished"})
    started_at = fields.DateTime(required=True)
    finished_at = fields.DateTime(allow_none=True)
    parameters = fields.Dict(required=True)
    match_count = fields.Integer(required=True)
    proposal_count = fields.Integer(required=True)
    exception_count = fields.Integer(required=True)
    awaiting_count = fields.Integer(required=True)
    self_closed_count = fields.Integer(required=True)
    exception_counts = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={"description": "exceptions of this run by kind"},
    )


class RunPage(Schema):
    total = fields.Integer(required=True)
    offset = fields.Integer(required=True)
    limit = fields.Integer(required=True)
    items = fields.List(fields.Nested(RunOut), required=True)


class ExceptionOut(Schema):
    id = fields.Integer(required=True)
    run_id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"example": "unmatched_credit"})
    fingerprint = fields.String(required=True)
    amount_vnd = fields.Integer(required=True)
    evidence = fields.Dict(required=True)
    status = fields.String(required=True)
    resolution = fields.String(allow_none=True)
    resolved_by = fields.String(allow_none=True)
    resolved_at = fields.DateTime(allow_none=True)
    note = fields.String(allow_none=True)


class ExceptionPage(Schema):
    total = fields.Integer(required=True)
    offset = fields.Integer(required=True)
    limit = fields.Integer(required=True)
    items = fields.List(fields.Nested(ExceptionOut), required=True)


@blp.get("/runs")
@require_scope("reconciliation:read")
@blp.arguments(PageArgs, location="query")
@blp.response(200, RunPage)
def list_runs(args: dict):
    """Runs, newest first."""
    total, items = queries.list_runs(request_session(), offset=args["offset"], limit=args["limit"])
    return {"total": total, "offset": args["offset"], "limit": args["limit"], "items": items}


@blp.get("/runs/<int:run_id>")
@require_scope("reconciliation:read")
@blp.response(200, RunOut)
@blp.alt_response(404, description="no such run")
def get_run(run_id: int):
    """One run: parameters, timing, counts."""
    return queries.get_run(request_session(), run_id)


@blp.get("/runs/<int:run_id>/exceptions")
@require_scope("reconciliation:read")
@blp.arguments(ExceptionArgs, location="query")
@blp.response(200, ExceptionPage)
@blp.alt_response(404, description="no such run")
def list_exceptions(args: dict, run_id: int):
    """A run's exceptions sorted by kind and fingerprint, optionally of one kind or status."""
    session = request_session()
    queries.get_run(session, run_id)
    total, items = queries.list_exceptions(
        session,
        run_id,
        kind=args["kind"],
        status=args["status"],
        offset=args["offset"],
        limit=args["limit"],
    )
    return {"total": total, "offset": args["offset"], "limit": args["limit"], "items": items}
