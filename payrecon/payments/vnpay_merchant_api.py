"""VNPAY API 2.1.0 merchant API (querydr, refund), the maths only: the request bodies we send,
the check of VNPAY's answers, and the gateway's side of both for the simulator.

JSON in and out, signed with HMAC-SHA512 (the terminal's hash secret, hex) over the field
values joined with '|' in the fixed order VNPAY documents, not encoded. No HTTP, no database.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from datetime import datetime

from payrecon.payments.vnpay_protocol import (
    HASH_PARAMS,
    HEX_SHA512,
    VERSION,
    BadSignature,
    check_reference,
    clean_order_info,
    hmac_sha512,
    vnpay_amount,
    vnpay_time,
)

# The signed data strings of the merchant API, in VNPAY's documented order (vnp_ left off).
QUERYDR_REQUEST_DATA = (
    "RequestId|Version|Command|TmnCode|TxnRef|TransactionDate|CreateDate|IpAddr|OrderInfo"
)
REFUND_REQUEST_DATA = (
    "RequestId|Version|Command|TmnCode|TransactionType|TxnRef|Amount|TransactionNo"
    "|TransactionDate|CreateBy|CreateDate|IpAddr|OrderInfo"
)
REFUND_RESPONSE_DATA = (
    "ResponseId|Command|ResponseCode|Message|TmnCode|TxnRef|Amount|BankCode|PayDate"
    "|TransactionNo|TransactionType|TransactionStatus|OrderInfo"
)
QUERYDR_RESPONSE_DATA = REFUND_RESPONSE_DATA + "|PromotionCode|PromotionAmount"
FULL_REFUND = "02"
PARTIAL_REFUND = "03"


def _pipe_hash(message: Mapping[str, object], order: str, secret: str) -> str:
    """HMAC of the message's values joined by '|' in `order`; a missing value is ''."""
    values = (message.get(f"vnp_{name}") for name in order.split("|"))
    return hmac_sha512(secret, "|".join("" if value is None else str(value) for value in values))


def build_querydr_request(
    *,
    tmn_code: str,
    secret: str,
    request_id: str,
    reference: str,
    transaction_date: datetime,
    created_at: datetime,
    ip_address: str,
    order_info: str,
    transaction_no: str | None = None,
) -> dict[str, str]:
    """JSON body for POST {api_url} asking VNPAY for a payment's status (the mop-up job).

    transaction_date is the original vnp_CreateDate of the payment; request_id must be unique
    per day (≤ 32 characters).
    """
    check_reference(reference)
    body = {
        "vnp_RequestId": request_id,
        "vnp_Version": VERSION,
        "vnp_Command": "querydr",
        "vnp_TmnCode": tmn_code,
        "vnp_TxnRef": reference,
        "vnp_OrderInfo": clean_order_info(order_info),
        "vnp_TransactionDate": vnpay_time(transaction_date),
        "vnp_CreateDate": vnpay_time(created_at),
        "vnp_IpAddr": ip_address,
    }
    if transaction_no:
        body["vnp_TransactionNo"] = transaction_no
    body["vnp_SecureHash"] = _pipe_hash(body, QUERYDR_REQUEST_DATA, secret)
    return body


def build_refund_request(
    *,
    tmn_code: str,
    secret: str,
    request_id: str,
    reference: str,
    amount_vnd: int,
    full: bool,
    transaction_date: datetime,
    created_by: str,
    created_at: datetime,
    ip_address: str,
    order_info: str,
    transaction_no: str | None = None,
) -> dict[str, str]:
    """JSON body for POST {api_url} asking VNPAY to refund (02 full, 03 partial).

    request_id is the stable per-refund key: reuse it on a retry so VNPAY answers 94
    (already requested) instead of refunding twice. Without VNPAY's transaction number the
    documented placeholder '0' is sent.
    """
    check_reference(reference)
    body = {
        "vnp_RequestId": request_id,
        "vnp_Version": VERSION,
        "vnp_Command": "refund",
        "vnp_TmnCode": tmn_code,
        "vnp_TransactionType": FULL_REFUND if full else PARTIAL_REFUND,
        "vnp_TxnRef": reference,
        "vnp_Amount": vnpay_amount(amount_vnd, "vnp_Amount"),
        "vnp_TransactionNo": transaction_no or "0",
        "vnp_TransactionDate": vnpay_time(transaction_date),
        "vnp_CreateBy": created_by,
        "vnp_CreateDate": vnpay_time(created_at),
        "vnp_IpAddr": ip_address,
        "vnp_OrderInfo": clean_order_info(order_info),
    }
    body["vnp_SecureHash"] = _pipe_hash(body, REFUND_REQUEST_DATA, secret)
    return body


def verify_api_response(response: Mapping[str, object], secret: str) -> dict[str, str]:
    """Check the signature of a querydr or refund answer; return its fields as strings.

    The field order depends on vnp_Command (querydr adds the promotion fields). Values are
    hashed as received (vnp_Amount stays × 100). Raises BadSignature when the hash is missing
    or wrong, and for an answer that is neither querydr nor refund.
    """
    command = response.get("vnp_Command")
    if command == "querydr":
        order = QUERYDR_RESPONSE_DATA
    elif command == "refund":
        order = REFUND_RESPONSE_DATA
    else:
        raise BadSignature(
            f"unknown vnp_Command {command!r} in a VNPAY answer", where="vnp_Command"
        )
    received = response.get("vnp_SecureHash")
    if not isinstance(received, str) or not HEX_SHA512.fullmatch(received):
        raise BadSignature(
            "vnp_SecureHash is missing or not 128 hex digits", where="vnp_SecureHash"
        )
    expected = _pipe_hash(response, order, secret)
    if not hmac.compare_digest(expected, received.lower()):
        raise BadSignature("vnp_SecureHash does not match the answer", where="vnp_SecureHash")
    return {
        key: "" if value is None else str(value)
        for key, value in response.items()
        if key not in HASH_PARAMS
    }


_REQUEST_ORDER = {"querydr": QUERYDR_REQUEST_DATA, "refund": REFUND_REQUEST_DATA}
_RESPONSE_ORDER = {"querydr": QUERYDR_RESPONSE_DATA, "refund": REFUND_RESPONSE_DATA}


def verify_api_request(body: Mapping[str, object], secret: str) -> dict[str, str]:
    """The gateway's side of the merchant API: check a querydr/refund request's signature.

    Used by the gateway simulator; raises BadSignature like verify_api_response.
    """
    command = body.get("vnp_Command")
    if command not in _REQUEST_ORDER:
        raise BadSignature(f"unknown vnp_Command {command!r}", where="vnp_Command")
    received = body.get("vnp_SecureHash")
    if not isinstance(received, str) or not HEX_SHA512.fullmatch(received):
        raise BadSignature(
            "vnp_SecureHash is missing or not 128 hex digits", where="vnp_SecureHash"
        )
    expected = _pipe_hash(body, _REQUEST_ORDER[str(command)], secret)
    if not hmac.compare_digest(expected, received.lower()):
        raise BadSignature("vnp_SecureHash does not match the request", where="vnp_SecureHash")
    return {key: "" if value is None else str(value) for key, value in body.items()}


def sign_api_response(fields: Mapping[str, str], secret: str) -> dict[str, str]:
    """The gateway's side: a querydr/refund answer with its vnp_SecureHash added."""
    command = fields.get("vnp_Command")
    if command not in _RESPONSE_ORDER:
        raise ValueError(f"unknown vnp_Command {command!r}")
    signed = dict(fields)
    signed["vnp_SecureHash"] = _pipe_hash(signed, _RESPONSE_ORDER[str(command)], secret)
    return signed
