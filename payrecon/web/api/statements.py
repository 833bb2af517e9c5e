"""/api/v1/statements: upload a bank statement file; parse, call one service function, present."""

from __future__ import annotations

from typing import ClassVar

from flask import current_app
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict

from payrecon.db import request_session
from payrecon.errors import StatementFormatError
from payrecon.statements import service
from payrecon.statements.detect import FORMATS
from payrecon.statements.xml_safety import DEFAULT_MAX_BYTES
from payrecon.web.auth import current_token, require_scope


class MultipartParser(FlaskParser):
    """Adds the location ``multipart``: the form fields and the files of one request together."""

    __location_map__: ClassVar[dict] = dict(
        FlaskParser.__location_map__, multipart="load_multipart"
    )

    def load_multipart(self, req, schema):
        return self._makeproxy(CombinedMultiDict([req.form, req.files]), schema)


class UploadBlueprint(Blueprint):
    """A blueprint whose ``multipart`` arguments are one multipart/form-data request body.

    flask-smorest documents one request body per operation, so a file and the form fields
    that come with it must be one schema in one location to appear together in OpenAPI.
    """

    ARGUMENTS_PARSER = MultipartParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING: ClassVar[dict[str, str]] = dict(
        Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING, multipart="multipart/form-data"
    )


blp = UploadBlueprint(
    "api_statements",
    __name__,
    url_prefix="/api/v1/statements",
    description="Bank statements: camt.052/053/054, MT940, CSV and XLSX uploads",
)


class StatementUpload(Schema):
    file = Upload(required=True, metadata={"description": "the statement file"})
    format = fields.String(
        load_default="auto",
        validate=validate.OneOf(["auto", *FORMATS]),
        metadata={"description": "the file's format; auto reads it from the content"},
    )
    account = fields.String(
        load_default=None,
        validate=validate.Length(1, 40),
        metadata={"description": "collection account number, for files that name none"},
    )


class FindingOut(Schema):
    statement = fields.String(required=True)
    kind = fields.String(
        required=True,
        metadata={"example": "balance_mismatch"},
    )
    where = fields.String(required=True)
    detail = fields.String(required=True)
    expected = fields.Integer(allow_none=True)
    actual = fields.Integer(allow_none=True)


class StatementImportOut(Schema):
    already_imported = fields.Boolean(required=True)
    statements = fields.Integer(required=True)
    lines = fields.Integer(required=True, metadata={"description": "rows stored"})
    credits_vnd = fields.Integer(required=True, metadata={"description": "booked credits, VND"})
    debits_vnd = fields.Integer(required=True, metadata={"description": "booked debits, VND"})
    duplicates_skipped = fields.Integer(required=True)
    findings = fields.List(fields.Nested(FindingOut), required=True)
    statement_ids = fields.List(fields.Integer(), required=True)
    new_credit_line_ids = fields.List(fields.Integer(), required=True)
    payments_settled = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={"description": "what the credit lines did to VietQR payments, by result"},
    )


def _read_upload(upload, max_bytes: int) -> bytes:
    """At most max_bytes + 1 bytes of the upload: enough to know it is too big."""
    data = upload.stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise StatementFormatError(
            f"file is over the limit of {max_bytes:,} bytes", where="files.file"
        )
    return data


@blp.post("")
@require_scope("statements:write")
@blp.arguments(StatementUpload, location="multipart")
@blp.response(201, StatementImportOut, description="the file was imported")
@blp.alt_response(200, schema=StatementImportOut, description="this exact file was imported before")
@blp.alt_response(413, description="the upload is larger than PAYRECON_MAX_CONTENT_LENGTH")
@blp.alt_response(422, description="the file cannot be read, or a statement is refused")
def upload_statement(upload_form: dict):
    """Import a statement file: all of its statements, or nothing.

    Refused with 422: an unreadable file, a statement in a currency other than VND, an account
    that is not a registered collection account. Balances that do not tie are imported with a
    finding. Lines already stored (same bank reference, account, booking date and amount) are
    skipped and counted. Needs a token with the scope statements:write.
    """
    upload = upload_form["file"]
    max_bytes = int(current_app.config.get("STATEMENT_MAX_BYTES") or DEFAULT_MAX_BYTES)
    result = service.import_statement_file(
        request_session(),
        _read_upload(upload, max_bytes),
        filename=upload.filename or "upload",
        actor=current_token().actor,
        fmt=upload_form["format"],
        account_number=upload_form["account"],
        max_bytes=max_bytes,
    )
    body = {
        "already_imported": result.already_imported,
        "statements": result.statements,
        "lines": result.lines,
        "credits_vnd": result.credits_vnd,
        "debits_vnd": result.debits_vnd,
        "duplicates_skipped": result.duplicates_skipped,
        "findings": list(result.findings),
        "statement_ids": list(result.statement_ids),
        "new_credit_line_ids": list(result.new_credit_line_ids),
        "payments_settled": dict(result.payments_settled),
    }
    return body, (200 if result.already_imported else 201)
