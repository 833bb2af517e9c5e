"""/api/v1/invoices: an invoice's metadata and its signed XML, byte for byte as stored.

Internal for now (like PUT /api/v1/dossiers): put it behind the internal network until API
tokens land; citizens reach their invoice through its lookup code (web/invoice_view.py).
"""

from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from payrecon.db import request_session
from payrecon.errors import NotFound
from payrecon.invoices import queries
from payrecon.invoices.models import INVOICE_KINDS, INVOICE_STATUSES
from payrecon.web.auth import require_scope

blp = Blueprint(
    "api_invoices",
    __name__,
    url_prefix="/api/v1/invoices",
    description="Issued e-invoices: metadata and the signed XML",
)


class RelatedOut(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(INVOICE_KINDS))
    status = fields.String(required=True, validate=validate.OneOf(INVOICE_STATUSES))
    template_code = fields.String(required=True)
    series = fields.String(required=True)
    number = fields.Integer(required=True)


class InvoiceOut(Schema):
    id = fields.Integer(required=True)
    template_code = fields.String(required=True, metadata={"description": "KHMSHDon"})
    series = fields.String(required=True, metadata={"description": "KHHDon, e.g. C26TAA"})
    number = fields.Integer(required=True, metadata={"description": "SHDon, gapless per series"})
    kind = fields.String(required=True, validate=validate.OneOf(INVOICE_KINDS))
    status = fields.String(required=True, validate=validate.OneOf(INVOICE_STATUSES))
    issued_at = fields.AwareDateTime(required=True)
    issued_on = fields.Date(required=True)
    payment_id = fields.Integer(required=True)
    refund_id = fields.Integer(allow_none=True)
    buyer_name = fields.String(required=True)
    total_vnd = fields.Integer(
        required=True, metadata={"description": "total payable, integer VND (negative decreases)"}
    )
    currency = fields.Constant("VND", required=True)
    xml_sha256 = fields.String(required=True, metadata={"description": "SHA-256 of the XML"})
    reason = fields.String(allow_none=True)
    cancelled_at = fields.AwareDateTime(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    related_invoice = fields.Nested(RelatedOut, allow_none=True)
    corrections = fields.List(fields.Nested(RelatedOut), required=True)


def _related_json(invoice) -> dict:
    return {
        "id": invoice.id,
        "kind": invoice.kind,
        "status": invoice.status,
        "template_code": invoice.template_code,
        "series": invoice.series,
        "number": invoice.number,
    }


def _numeric_id(text: str) -> int:
    """Ids are positive integers; anything else names no invoice (404, like an unknown id)."""
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise NotFound(f"no invoice with id {text!r}", where="path.invoice_id")
    return int(text)


@blp.get("/<invoice_id>")
@require_scope("invoices:read")
@blp.response(200, InvoiceOut)
def get_invoice(invoice_id: str):
    """The invoice's metadata, what it corrects and what corrects it."""
    session = request_session()
    invoice = queries.get_invoice(session, _numeric_id(invoice_id))
    return {
        **{
            name: getattr(invoice, name)
            for name in (
                "id",
                "template_code",
                "series",
                "number",
                "kind",
                "status",
                "issued_at",
                "issued_on",
                "payment_id",
                "refund_id",
                "buyer_name",
                "total_vnd",
                "xml_sha256",
                "reason",
                "cancelled_at",
                "cancel_reason",
            )
        },
        "related_invoice": _related_json(invoice.related) if invoice.related else None,
        "corrections": [_related_json(c) for c in queries.corrections_of(session, invoice.id)],
    }


@blp.get("/<invoice_id>/xml")
@require_scope("invoices:read")
@blp.response(
    200,
    {"type": "string", "format": "binary"},
    content_type="application/xml",
    description="the signed XML, byte for byte as stored",
)
def invoice_xml(invoice_id: str):
    """The signed invoice XML exactly as stored (its SHA-256 is in the metadata)."""
    invoice = queries.get_invoice(request_session(), _numeric_id(invoice_id))
    return Response(invoice.xml, mimetype="application/xml")
