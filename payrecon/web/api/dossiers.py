"""/api/v1/dossiers: parse, call one service function, present."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from payrecon.db import request_session
from payrecon.dossiers import queries, service
from payrecon.dossiers.feed import STATUSES
from payrecon.payments import queries as payment_queries
from payrecon.web.auth import current_token, require_scope

blp = Blueprint(
    "api_dossiers",
    __name__,
    url_prefix="/api/v1/dossiers",
    description="Dossiers and the fees due on them",
)


class DossierPaymentOut(Schema):
    id = fields.Integer(required=True)
    reference = fields.String(required=True)
    method = fields.String(required=True)
    status = fields.String(required=True)
    amount_vnd = fields.Integer(required=True)
    paid_at = fields.AwareDateTime(allow_none=True)
    is_duplicate = fields.Boolean(required=True)


class DossierOut(Schema):
    code = fields.String(required=True)
    procedure_code = fields.String(required=True)
    procedure_name = fields.String(required=True)
    agency_code = fields.String(required=True)
    agency_name = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    received_at = fields.AwareDateTime(required=True)
    fee_due_vnd = fields.Integer(required=True, metadata={"description": "fee due, integer VND"})
    currency = fields.Constant("VND", required=True)
    paid_vnd = fields.Integer(
        required=True, metadata={"description": "paid and not refunded, integer VND"}
    )
    outstanding_vnd = fields.Integer(required=True, metadata={"description": "still to pay"})
    overpaid_vnd = fields.Integer(
        required=True, metadata={"description": "paid beyond the fee (duplicates to refund)"}
    )
    paid_at = fields.AwareDateTime(
        allow_none=True,
        metadata={"description": "when the dossier system says the fee was paid, if it does"},
    )
    payments = fields.List(fields.Nested(DossierPaymentOut), required=True)


class DossierPush(Schema):
    procedure_code = fields.String(required=True, validate=validate.Length(1, 40))
    applicant_name = fields.String(required=True, validate=validate.Length(1, 200))
    applicant_id = fields.String(required=True, validate=validate.Length(1, 12))
    applicant_tax_code = fields.String(load_default=None, allow_none=True)
    received_at = fields.String(required=True, metadata={"format": "date-time"})
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    fee_due_vnd = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=0, max=10**15)
    )
    # as the CSV feed's optional paid_at column: absent leaves what we have, null or "" clears
    paid_at = fields.String(
        allow_none=True,
        metadata={
            "format": "date-time",
            "description": "when the dossier system says the fee was paid (ISO 8601; a time "
            "without an offset is Vietnam time); null or empty: not paid there; "
            "absent: unchanged",
        },
    )


def dossier_json(dossier, session) -> dict:
    procedure = dossier.procedure
    paid = payment_queries.dossier_payments(session, dossier)
    return {
        "code": dossier.code,
        "procedure_code": procedure.code,
        "procedure_name": procedure.name,
        "agency_code": procedure.agency.code,
        "agency_name": procedure.agency.name,
        "status": dossier.status,
        "received_at": dossier.received_at,
        "fee_due_vnd": dossier.fee_due_vnd,
        "paid_vnd": paid.paid_vnd,
        "outstanding_vnd": paid.outstanding_vnd,
        "overpaid_vnd": paid.overpaid_vnd,
        "paid_at": dossier.paid_at,
        "payments": [
            {
                "id": payment.id,
                "reference": payment.reference,
                "method": payment.method,
                "status": payment.status,
                "amount_vnd": payment.amount_vnd,
                "paid_at": payment.paid_at,
                "is_duplicate": payment.is_duplicate,
            }
            for payment in paid.payments
        ],
    }


@blp.get("/<code>")
@blp.response(200, DossierOut)
def get_dossier(code: str):
    """The dossier, its fee due and what has been paid on it."""
    session = request_session()
    return dossier_json(queries.get_dossier(session, code), session)


@blp.put("/<code>")
@require_scope("dossiers:write")
@blp.arguments(DossierPush)
@blp.response(200, DossierOut)
@blp.alt_response(201, schema=DossierOut, description="the dossier was created")
def put_dossier(body: dict, code: str):
    """Create or update a dossier (push from the one-stop-shop system; scope dossiers:write)."""
    session = request_session()
    _, created = service.upsert_dossier(
        session, code=code, values=body, actor=current_token().actor
    )
    return dossier_json(queries.get_dossier(session, code), session), (201 if created else 200)
