"""/api/v1/tax: the tax integrations' invoice change feed, signed XML and authority codes.

Bearer tokens: tax:read for the feed and the XML, tax:write to post the authority's answer.
Errors never carry invoice data: they say what was wrong with the request, not what is stored.

The schemas below document the answers (and the tests load every answer through them), but
the JSON is written here directly: dumping a page of 500 items through marshmallow took more
time than reading them from the database (bench/tax_feed.py).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, current_app, request, url_for
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from payrecon.db import request_session
from payrecon.errors import NotFound
from payrecon.invoices import authority, feed, queries, sequence
from payrecon.invoices.authority import MAX_REASON_CHARS
from payrecon.invoices.feed import TaxInvoice
from payrecon.invoices.models import CHANGE_KINDS, INVOICE_KINDS, INVOICE_STATUSES
from payrecon.web.auth import current_token, require_scope

blp = Blueprint(
    "api_tax",
    __name__,
    url_prefix="/api/v1/tax",
    description="For tax integrations: a cursor-paged feed of invoice changes, the signed XML, "
    "and the tax authority's code (MCCQT) or rejection posted back",
)

AUTHORITY_STATUSES = ("awaiting_code", "coded", "rejected", "not_applicable")


class TaxBuyerOut(Schema):
    name = fields.String(required=True)
    tax_code = fields.String(allow_none=True, required=True)
    id_number = fields.String(allow_none=True, required=True)


class TaxTotalsOut(Schema):
    before_tax_vnd = fields.Integer(allow_none=True, required=True)
    tax_vnd = fields.Integer(allow_none=True, required=True)
    payable_vnd = fields.Integer(
        required=True, metadata={"description": "integer VND; negative for a decreasing adjustment"}
    )
    currency = fields.Constant("VND", required=True)


class TaxRelatedOut(Schema):
    id = fields.Integer(required=True)
    template_code = fields.String(required=True)
    series = fields.String(required=True)
    number = fields.Integer(required=True)


class TaxAuthorityOut(Schema):
    status = fields.String(required=True, validate=validate.OneOf(AUTHORITY_STATUSES))
    code = fields.String(allow_none=True, required=True, metadata={"description": "MCCQT"})
    rejection_reason = fields.String(allow_none=True, required=True)


class TaxInvoiceOut(Schema):
    invoice_id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(INVOICE_KINDS))
    template_code = fields.String(required=True, metadata={"description": "KHMSHDon"})
    series = fields.String(required=True, metadata={"description": "KHHDon, e.g. C26TAA"})
    number = fields.Integer(required=True, metadata={"description": "SHDon"})
    issued_on = fields.Date(required=True)
    issued_at = fields.AwareDateTime(required=True)
    seller_tax_code = fields.String(allow_none=True, required=True)
    buyer = fields.Nested(TaxBuyerOut, required=True)
    totals = fields.Nested(TaxTotalsOut, required=True)
    status = fields.String(required=True, validate=validate.OneOf(INVOICE_STATUSES))
    related_invoice = fields.Nested(
        TaxRelatedOut,
        allow_none=True,
        required=True,
        metadata={"description": "the invoice this one replaces or adjusts"},
    )
    authority = fields.Nested(TaxAuthorityOut, required=True)
    xml_sha256 = fields.String(
        required=True, metadata={"description": "SHA-256 (hex) of the XML at xml_url, its ETag"}
    )
    xml_url = fields.String(required=True)


class FeedItemOut(TaxInvoiceOut):
    change_id = fields.Integer(required=True)
    change_kind = fields.String(required=True, validate=validate.OneOf(CHANGE_KINDS))
    changed_at = fields.AwareDateTime(required=True)


class FeedPageOut(Schema):
    items = fields.List(fields.Nested(FeedItemOut), required=True)
    next_cursor = fields.String(
        required=True, metadata={"description": "pass as `after` for the next page; keep it"}
    )
    has_more = fields.Boolean(
        required=True, metadata={"description": "more changes are waiting: ask again now"}
    )


class FeedQuery(Schema):
    after = fields.String(
        load_default=None,
        metadata={"description": "next_cursor of the previous page; absent: from the start"},
    )
    limit = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1),
        metadata={
            "description": f"changes per page, default {feed.DEFAULT_LIMIT}; more than "
            f"{feed.MAX_LIMIT} counts as {feed.MAX_LIMIT}"
        },
    )


class AuthorityAnswerIn(Schema):
    code = fields.String(
        validate=validate.Regexp(r"^[0-9A-Za-z]{34}$", error="must be the 34 letters or digits"),
        metadata={"description": "the tax authority's code (MCCQT)"},
    )
    rejection_reason = fields.String(
        validate=validate.Length(1, MAX_REASON_CHARS),
        metadata={"description": "why the tax authority refused to code the invoice"},
    )

    @validates_schema
    def one_answer(self, data: dict, **_kwargs) -> None:
        if ("code" in data) == ("rejection_reason" in data):
            raise ValidationError("send either code or rejection_reason", "_schema")


def _numeric_id(text: str) -> int:
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise NotFound(f"no invoice with id {text!r}", where="path.invoice_id")
    return int(text)


def _json(body: dict[str, Any], status: int = 200) -> Response:
    return current_app.response_class(
        json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json"
    )


def _invoice_json(invoice: TaxInvoice, invoices_url: str) -> dict[str, Any]:
    """The invoice as TaxInvoiceOut describes it; invoices_url is this blueprint's /invoices."""
    related = invoice.related
    return {
        "invoice_id": invoice.id,
        "kind": invoice.kind,
        "template_code": invoice.template_code,
        "series": invoice.series,
        "number": invoice.number,
        "issued_on": invoice.issued_on.isoformat(),
        "issued_at": invoice.issued_at.isoformat(),
        "seller_tax_code": invoice.seller_tax_code,
        "buyer": {
            "name": invoice.buyer_name,
            "tax_code": invoice.buyer_tax_code,
            "id_number": invoice.buyer_id_number,
        },
        "totals": {
            "before_tax_vnd": invoice.total_before_tax_vnd,
            "tax_vnd": invoice.total_tax_vnd,
            "payable_vnd": invoice.total_vnd,
            "currency": "VND",
        },
        "status": invoice.status,
        "related_invoice": None
        if related is None
        else {
            "id": related.id,
            "template_code": related.template_code,
            "series": related.series,
            "number": related.number,
        },
        "authority": {
            "status": invoice.authority_status,
            "code": invoice.authority_code,
            "rejection_reason": invoice.authority_rejection_reason,
        },
        "xml_sha256": invoice.xml_sha256,
        "xml_url": f"{invoices_url}/{invoice.id}/xml",
    }


@blp.get("/invoices")
@require_scope("tax:read")
# unknown=RAISE: a misspelt ?afer= must not quietly serve the feed from the start (webargs
# drops unknown query parameters by default).
@blp.arguments(FeedQuery, location="query", as_kwargs=True, unknown=RAISE)
@blp.response(200, FeedPageOut)
def invoice_feed(after: str | None, limit: int | None):
    """Invoice changes after a cursor, oldest first: issues, cancellations, replacements,
    adjustments and the tax authority's codes and rejections.

    Every change appears exactly once when paging from the start with each page's
    next_cursor, also while invoices are being issued. An item shows the invoice as it is
    now, with the kind of change that put it in the feed. A cursor this feed did not give
    out is a 422.
    """
    position = feed.decode_cursor(after)
    size = feed.page_limit(limit)
    session = request_session()
    sequence.sequence_changes(session)
    rows = queries.feed_page(session, after=position, limit=size + 1)
    page = feed.make_page(rows, after=position, limit=size)
    invoices_url = url_for("api_tax.invoice_feed")
    return _json(
        {
            "items": [
                {
                    **_invoice_json(entry.invoice, invoices_url),
                    "change_id": entry.change_id,
                    "change_kind": entry.change_kind,
                    "changed_at": entry.changed_at.isoformat(),
                }
                for entry in page.items
            ],
            "next_cursor": page.next_cursor,
            "has_more": page.has_more,
        }
    )


@blp.get("/invoices/<invoice_id>/xml")
@require_scope("tax:read")
@blp.doc(
    parameters=[
        {
            "in": "header",
            "name": "If-None-Match",
            "schema": {"type": "string"},
            "description": "the ETag you hold; 304 without a body when it is still current",
        }
    ]
)
@blp.response(
    200,
    {"type": "string", "format": "binary"},
    content_type="application/xml",
    description="the current stored XML: the seller-signed invoice, with MCCQT once coded",
    headers={"ETag": {"description": "the quoted SHA-256 (hex) of the bytes"}},
)
@blp.alt_response(304, description="If-None-Match matched the ETag: not modified")
def invoice_xml(invoice_id: str):
    """The invoice's signed XML byte for byte as stored, with ETag = its SHA-256."""
    xml, sha256 = queries.current_xml(request_session(), _numeric_id(invoice_id))
    response = Response(xml, mimetype="application/xml")
    response.set_etag(sha256)
    response.headers["Cache-Control"] = "private, no-cache"
    return response.make_conditional(request)


@blp.post("/invoices/<invoice_id>/authority-code")
@require_scope("tax:write")
@blp.arguments(AuthorityAnswerIn)
@blp.response(200, TaxInvoiceOut, description="this same answer was already recorded")
@blp.alt_response(201, schema=TaxInvoiceOut, description="the answer was recorded now")
@blp.alt_response(409, description="the invoice already has a different answer")
def post_authority_code(body: dict, invoice_id: str):
    """Record the tax authority's code (MCCQT) for an invoice, or its rejection with a reason.

    The code goes into a new stored version of the XML as MCCQT, before DSCKS; the seller's
    signed part is unchanged and still verifies. The same answer again is a 200 and changes
    nothing; a different one is a 409. Either answer appends a change to the feed.
    """
    session = request_session()
    number = _numeric_id(invoice_id)
    recorded = authority.record_authority_decision(
        session,
        number,
        code=body.get("code"),
        rejection_reason=body.get("rejection_reason"),
        actor=current_token().actor,
    )
    invoice = queries.get_tax_invoice(session, number)
    return _json(
        _invoice_json(invoice, url_for("api_tax.invoice_feed")), 201 if recorded.created else 200
    )
