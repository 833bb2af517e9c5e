"""The simulator's bank side: a bank that sends signed credit notifications, for demo and tests.

A VietQR payment is a bank transfer; here the "bank" is told a transfer arrived and notifies us
as a Vietnamese bank's notification service would: SePay-style JSON, signed with
PAYRECON_BANK_WEBHOOK_SECRET, POSTed over real HTTP to /gateway/bank/credit (or to
PAYRECON_GATEWAY_SIM_BANK_WEBHOOK_URL). It can also misbehave as banks do:

POST /_sim/bank/control/credit with JSON
  {"qr_payload": "<a VietQR payload>"}                  pay a QR code as a banking app would, or
  {"account_number", "amount_vnd", "content"}           describe the transfer;
  "amount_vnd" also overrides the QR amount (under- and over-payment),
  "reference_code": the bank's transaction id (a new one when absent; reuse it for a duplicate),
  "times": deliveries of the same notification (retries), 1 by default,
  "signature": "valid" | "forged" | "stale" | "none".
Answers {"reference_code", "deliveries": [{"status", "body"}]}.
"""

from __future__ import annotations

import json
import secrets
import time
from datetime import datetime
from typing import Any

import requests
from flask import Blueprint, abort, current_app, jsonify, request, url_for

from payrecon.errors import InvalidInput
from payrecon.payments import vietqr
from payrecon.payments.bank_credit import (
    GMT7,
    SIGNATURE_HEADER,
    TOLERANCE_SECONDS,
    sign_notification,
)

bp = Blueprint("gateway_sim_bank", __name__, url_prefix="/_sim/bank")

SIGNATURES = ("valid", "forged", "stale", "none")


def notification_body(
    *,
    account_number: str,
    amount_vnd: int,
    content: str,
    reference_code: str,
    transaction_at: datetime,
    transfer_type: str = "in",
) -> bytes:
    """A credit notification as the bank's service sends it (SePay's fields)."""
    return json.dumps(
        {
            "id": secrets.token_hex(6),
            "gateway": "SIMBANK",
            "transaction_date": transaction_at.astimezone(GMT7).strftime("%Y-%m-%d %H:%M:%S"),
            "account_number": account_number,
            "content": content,
            "transfer_type": transfer_type,
            "amount": amount_vnd,
            "reference_code": reference_code,
            "accumulated": 0,
        },
        ensure_ascii=False,
    ).encode("utf-8")


def signature_header(body: bytes, secret: str, how: str, now: int) -> dict[str, str]:
    """The signature header a well-behaved, a forging or a replaying sender would attach."""
    if how == "none":
        return {}
    if how == "forged":
        return {SIGNATURE_HEADER: sign_notification(body, "not-the-secret", now)}
    if how == "stale":
        return {SIGNATURE_HEADER: sign_notification(body, secret, now - TOLERANCE_SECONDS - 60)}
    return {SIGNATURE_HEADER: sign_notification(body, secret, now)}


def _transfer(body: dict[str, Any]) -> tuple[str, int, str]:
    """(account number, amount, transfer content) from a QR payload or the fields given."""
    if body.get("qr_payload"):
        try:
            fields = vietqr.parse_payload(str(body["qr_payload"]))
        except InvalidInput as exc:
            abort(400, f"qr_payload: {exc}")
        amount = body.get("amount_vnd") or fields.get("amount_vnd")
        content = body.get("content") or f"MBVCB.{secrets.randbelow(10**10)}.{fields['reference']}"
        return fields["account_number"], int(amount), str(content)
    try:
        return str(body["account_number"]), int(body["amount_vnd"]), str(body.get("content", ""))
    except (KeyError, TypeError, ValueError):
        abort(400, "give qr_payload, or account_number and amount_vnd")


@bp.post("/control/credit")
def control_credit():
    """Tell the bank a transfer arrived; it notifies payrecon (see the module docstring)."""
    body = request.get_json(force=True)
    how = body.get("signature", "valid")
    if how not in SIGNATURES:
        abort(400, f"signature must be one of {', '.join(SIGNATURES)}")
    secret = current_app.config.get("BANK_WEBHOOK_SECRET")
    if not secret:
        abort(503, "the bank simulator needs PAYRECON_BANK_WEBHOOK_SECRET")
    account_number, amount_vnd, content = _transfer(body)
    reference_code = str(body.get("reference_code") or f"FT{secrets.randbelow(10**12):012d}")
    payload = notification_body(
        account_number=account_number,
        amount_vnd=amount_vnd,
        content=content,
        reference_code=reference_code,
        transaction_at=datetime.now(GMT7),
    )
    url = current_app.config.get("GATEWAY_SIM_BANK_WEBHOOK_URL") or url_for(
        "gateway_bank.credit", _external=True
    )
    deliveries = []
    for _ in range(int(body.get("times", 1))):
        headers = {"Content-Type": "application/json"}
        headers |= signature_header(payload, str(secret), how, int(time.time()))
        try:
            response = requests.post(url, data=payload, headers=headers, timeout=15)
            answer: Any = response.json() if response.content else None
            deliveries.append({"status": response.status_code, "body": answer})
        except (requests.RequestException, ValueError) as exc:
            deliveries.append({"status": None, "body": {"error": type(exc).__name__}})
    return jsonify(reference_code=reference_code, deliveries=deliveries)
