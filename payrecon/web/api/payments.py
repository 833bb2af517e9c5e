"""/api/v1/payments: parse, call one service function, present.

Guarded by API tokens: creating, reading and cancelling need `payments:write` (the portal or
one-stop-shop system that starts payments for citizens); refunds need `payments:refund`.
Citizens pay through the /pay pages, which call the same services without a token.
"""

from __future__ import annotations

import json

from flask import current_app, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from payrecon.db import request_session
from payrecon.payments import idempotency, queries, service
from payrecon.payments.models import METHODS, REFUND_STATUSES, STATUSES
from payrecon.web.auth import current_token, require_scope
from payrecon.web.gateway import payment_settings, vnpay_return_url

blp = Blueprint(
    "api_payments",
    __name__,
    url_prefix="/api/v1/payments",
    description="Payments of dossier fees (VietQR transfer or VNPAY), cancellation and refunds",
)

DATE_TIME = {"format": "date-time"}


class CreatePaymentBody(Schema):
    dossier_code = fields.String(required=True, validate=validate.Length(1, 60))
    method = fields.String(required=True, validate=validate.OneOf(METHODS))


class IdempotencyHeader(Schema):
    idempotency_key = fields.String(
        data_key="Idempotency-Key",
        required=True,
        validate=validate.Regexp(r"\A[A-Za-z0-9_-]{1,255}\Z"),
        metadata={
            "description": "1 to 255 letters, digits, '-' or '_' (a UUID is fine); kept 24 h. "
            "The same key and body replays the first answer; another body is 422."
        },
    )


class RefundBody(Schema):
    amount_vnd = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    reason = fields.String(required=True, validate=validate.Length(1, 500))
    refund_amount_available = fields.Integer(
        strict=True,
        load_default=None,
        metadata={
            "description": "the refundable amount the officer saw; if it has changed since "
            "(another refund), the request is refused with 409 instead of refunding twice"
        },
    )


class TransferDoneBody(Schema):
    note = fields.String(load_default=None, validate=validate.Length(max=500))


class RefundOut(Schema):
    id = fields.Integer(required=True)
    payment_id = fields.Integer(required=True)
    amount_vnd = fields.Integer(required=True)
    currency = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(REFUND_STATUSES))
    reason = fields.String(required=True)
    requested_by = fields.String(required=True)
    created_at = fields.String(required=True, metadata=DATE_TIME)
    completed_at = fields.String(allow_none=True, metadata=DATE_TIME)
    provider_response_code = fields.String(allow_none=True)
    payment_status = fields.String(validate=validate.OneOf(STATUSES))


class VietqrOut(Schema):
    payload = fields.String(required=True, metadata={"description": "EMVCo/NAPAS QR payload"})
    transfer_content = fields.String(required=True, metadata={"example": "PR7K3MABCDW"})
    transfer_content_grouped = fields.String(required=True, metadata={"example": "PR7K 3MAB CDW"})
    bank_bin = fields.String(required=True)
    account_number = fields.String(required=True)
    account_name = fields.String(allow_none=True)
    amount_vnd = fields.Integer(required=True)


class PaymentLinks(Schema):
    status_page = fields.String(required=True)
    qr_svg = fields.String(required=True)
    qr_page = fields.String(required=True)
    receipt_page = fields.String(required=True)


class PaymentOut(Schema):
    id = fields.Integer(required=True)
    reference = fields.String(required=True, metadata={"example": "PR7K3MABCDW"})
    dossier_code = fields.String(required=True)
    amount = fields.Integer(required=True, metadata={"description": "integer VND"})
    currency = fields.String(required=True, metadata={"example": "VND"})
    method = fields.String(required=True, validate=validate.OneOf(METHODS))
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    created_at = fields.String(required=True, metadata=DATE_TIME)
    expires_at = fields.String(required=True, metadata=DATE_TIME)
    paid_at = fields.String(allow_none=True, metadata=DATE_TIME)
    provider_transaction_id = fields.String(allow_none=True)
    is_duplicate = fields.Boolean(
        required=True,
        metadata={"description": "money arrived when the dossier no longer owed it: to refund"},
    )
    refund_amount_available = fields.Integer(required=True)
    refunds = fields.List(fields.Nested(RefundOut), required=True)
    links = fields.Nested(PaymentLinks, required=True)
    vietqr = fields.Nested(VietqrOut, metadata={"description": "vietqr payments only"})
    redirect_url = fields.String(
        allow_none=True,
        metadata={"description": "vnpay payments only: the signed gateway URL while pending"},
    )


@blp.post("")
@require_scope("payments:write")
@blp.arguments(IdempotencyHeader, location="headers")
@blp.arguments(CreatePaymentBody)
@blp.response(201, PaymentOut, description="a new payment")
@blp.alt_response(
    200, schema=PaymentOut, description="the dossier's live pending payment of that method"
)
def create_payment(headers: dict, body: dict):
    """Start paying a dossier's fee due; the amount always comes from the dossier."""
    token = current_token()
    answer = service.create_payment(
        request_session(),
        dossier_code=body["dossier_code"],
        method=body["method"],
        actor=token.actor,
        settings=payment_settings(),
        client_ip=request.remote_addr or "127.0.0.1",
        return_url=vnpay_return_url(),
        idempotent=service.IdempotentRequest(
            client=token.public_id,
            key=headers["idempotency_key"],
            fingerprint=idempotency.fingerprint("create_payment", body),
        ),
    )
    # The body is payment_view's, already in PaymentOut's shape (and stored as such for
    # replays): sent as it is, without marshmallow dumping it field by field again.
    return current_app.response_class(
        json.dumps(answer.body, ensure_ascii=False),
        status=answer.status,
        mimetype="application/json",
    )


@blp.get("/<int:payment_id>")
@require_scope("payments:write")
@blp.response(200, PaymentOut)
def get_payment(payment_id: int):
    """A payment, its status and its refunds."""
    session = request_session()
    return service.payment_resource(session, queries.get_payment(session, payment_id))


@blp.post("/<int:payment_id>/cancel")
@require_scope("payments:write")
@blp.response(200, PaymentOut)
def cancel_payment(payment_id: int):
    """Cancel a pending payment (409 once it is paid or finished; repeating is harmless)."""
    return service.cancel_payment(
        request_session(), payment_id, actor=current_token().actor, why="cancelled through the API"
    )


@blp.post("/<int:payment_id>/refunds")
@require_scope("payments:refund")
@blp.arguments(RefundBody)
@blp.response(201, RefundOut)
def create_refund(body: dict, payment_id: int):
    """Refund part or all of a paid payment (VNPAY: through the gateway; VietQR: by transfer).

    The refund comes back as succeeded or failed once the gateway has answered, pending if
    it could not be reached (its request id makes a later retry safe), or awaiting_transfer
    for a VietQR payment until the finance office confirms the transfer.
    """
    return service.request_refund(
        request_session(),
        payment_id,
        amount_vnd=body["amount_vnd"],
        reason=body["reason"],
        actor=current_token().actor,
        settings=payment_settings(),
        expected_available_vnd=body["refund_amount_available"],
    )


@blp.post("/<int:payment_id>/refunds/<int:refund_id>/transferred")
@require_scope("payments:refund")
@blp.arguments(TransferDoneBody)
@blp.response(200, RefundOut)
def refund_transferred(body: dict, payment_id: int, refund_id: int):
    """The finance office has paid a VietQR refund back by bank transfer."""
    session = request_session()
    queries.get_refund(session, payment_id, refund_id)
    return service.complete_refund_transfer(
        session, refund_id, actor=current_token().actor, note=body["note"]
    )
