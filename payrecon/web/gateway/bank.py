"""POST /gateway/bank/credit: the bank's (or its notification intermediary's) credit webhook.

Authenticated by an HMAC-SHA256 signature over the raw body and a timestamp
(payments.bank_credit.verify_notification, secret PAYRECON_BANK_WEBHOOK_SECRET). A message that
is unsigned, forged or signed more than 300 s away from now changes nothing and stores nothing:
401 problem+json. A signed one is stored raw whatever it says and acted on once per bank
transaction; retries are answered 200 with ``result: repeat``.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from flask import current_app, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from payrecon.db import request_session
from payrecon.errors import Unauthorized
from payrecon.payments import service
from payrecon.payments.bank_credit import (
    SIGNATURE_HEADER,
    TOLERANCE_SECONDS,
    parse_notification,
    verify_notification,
)

blp = Blueprint(
    "gateway_bank",
    __name__,
    url_prefix="/gateway/bank",
    description="Called by the bank's credit notification service (VietQR transfers)",
)


# The body is documented here rather than parsed by a schema: it is read from the raw bytes,
# after the signature over those bytes is checked, so an unsigned request learns nothing.
_STRING = {"type": "string"}
NOTIFICATION_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": [
                    "account_number",
                    "amount",
                    "transfer_type",
                    "reference_code",
                    "transaction_date",
                ],
                "properties": {
                    "account_number": _STRING | {"example": "1023456789"},
                    "amount": {"type": "integer", "description": "VND", "example": 235000},
                    "content": _STRING | {"description": "transfer content, with our reference"},
                    "transfer_type": {"type": "string", "enum": ["in", "credit", "out", "debit"]},
                    "reference_code": _STRING
                    | {"description": "the bank's transaction id: the idempotency key"},
                    "transaction_date": _STRING
                    | {"description": "YYYY-MM-DD HH:MM:SS (GMT+7) or ISO 8601"},
                    "gateway": _STRING | {"description": "the bank"},
                    "id": _STRING | {"description": "the intermediary's id of the message"},
                },
            }
        }
    },
}


class CreditAnswerOut(Schema):
    result = fields.String(
        required=True,
        metadata={
            "description": "settled, overpaid, underpaid, already_paid, refund_due, unmatched, "
            "repeat (seen before), linked (already counted from a statement) or debit_ignored"
        },
    )
    bank_credit_id = fields.Integer(allow_none=True)
    reference = fields.String(allow_none=True)


SIGNATURE_DOC = {
    "parameters": [
        {
            "in": "header",
            "name": SIGNATURE_HEADER,
            "required": True,
            "schema": {"type": "string"},
            "description": "t=<unix seconds>,v1=<hex HMAC-SHA256 of '<t>.<raw body>'>; "
            f"refused more than {TOLERANCE_SECONDS} s away from now",
        }
    ],
    "responses": {
        "401": {"description": "unsigned, forged or stale: nothing changed"},
        "422": {"description": "signed, but a field is missing or malformed"},
    },
}


def _secret() -> str:
    """The shared secret; without one no signature can be checked, so nothing is accepted.

    The sender is told only that its signature is not accepted (401, as for a forged one);
    the missing setting is an operator's problem and goes to the log, not to the caller.
    """
    secret = current_app.config.get("BANK_WEBHOOK_SECRET")
    if not secret:
        current_app.logger.error(
            "a signed credit notification arrived but PAYRECON_BANK_WEBHOOK_SECRET is not set"
        )
        raise Unauthorized(
            "credit notifications are not accepted here: the signature cannot be checked",
            where=f"header.{SIGNATURE_HEADER}",
        )
    return str(secret)


@blp.post("/credit")
@blp.doc(**SIGNATURE_DOC, requestBody=NOTIFICATION_BODY)
@blp.response(200, CreditAnswerOut)
def credit():
    """A credit to a collection account: settle the VietQR payment its content names, once."""
    body = request.get_data(cache=True)
    header = request.headers.get(SIGNATURE_HEADER)
    # An unsigned message is refused before the configuration is even looked at.
    secret = _secret() if header else ""
    signed = verify_notification(header, body, secret, now=int(time.time()))
    notification = parse_notification(body)
    result = service.receive_credit_notification(
        request_session(),
        body=body,
        signed_at=datetime.fromtimestamp(signed, UTC),
        notification=notification,
    )
    return {
        "result": result.result,
        "bank_credit_id": result.bank_credit_id,
        "reference": result.reference,
    }
