"""The JSON shape of a payment and of a refund, as the API answers and the idempotency table stores.

Pure: rows (or anything with the same attributes) and plain values in, dicts of JSON types out.
Kept in the domain rather than in web/ because the first answer to an Idempotency-Key is
stored by the service, in the same transaction that creates the payment.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from payrecon.payments import vietqr

# Citizen pages that go with a payment (served by payrecon.web.citizen).
PAGE_PATHS = {
    "status_page": "/pay/{reference}/status",
    "qr_svg": "/pay/{reference}/qr.svg",
    "qr_page": "/pay/{reference}/qr",
    "receipt_page": "/pay/{reference}/receipt",
}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def group_for_typing(reference: str) -> str:
    """'PR7K3MABCDW' -> 'PR7K 3MAB CDW': easier to read out and type; banks drop the spaces."""
    return " ".join(reference[start : start + 4] for start in range(0, len(reference), 4))


def refund_view(refund: Any) -> dict[str, Any]:
    return {
        "id": refund.id,
        "payment_id": refund.payment_id,
        "amount_vnd": refund.amount_vnd,
        "currency": "VND",
        "status": refund.status,
        "reason": refund.reason,
        "requested_by": refund.requested_by,
        "created_at": _iso(refund.created_at),
        "completed_at": _iso(refund.completed_at),
        "provider_response_code": refund.provider_response_code,
    }


def payment_view(
    payment: Any,
    *,
    dossier_code: str,
    refunds: list[Any],
    refund_amount_available: int,
    account_name: str | None = None,
) -> dict[str, Any]:
    """The payment resource: {id, reference, dossier_code, amount, currency, method, status, …}.

    vietqr payments add `vietqr` (EMVCo payload, transfer content, beneficiary); vnpay
    payments add `redirect_url` (the signed gateway URL) while they are pending.
    """
    view: dict[str, Any] = {
        "id": payment.id,
        "reference": payment.reference,
        "dossier_code": dossier_code,
        "amount": payment.amount_vnd,
        "currency": "VND",
        "method": payment.method,
        "status": payment.status,
        "created_at": _iso(payment.created_at),
        "expires_at": _iso(payment.expires_at),
        "paid_at": _iso(payment.paid_at),
        "provider_transaction_id": payment.provider_transaction_id,
        "is_duplicate": bool(payment.is_duplicate),
        "refund_amount_available": refund_amount_available,
        "refunds": [refund_view(refund) for refund in refunds],
        "links": {
            name: path.format(reference=payment.reference) for name, path in PAGE_PATHS.items()
        },
    }
    if payment.method == "vietqr" and payment.qr_payload:
        fields = vietqr.parse_payload(payment.qr_payload)
        view["vietqr"] = {
            "payload": payment.qr_payload,
            "transfer_content": payment.reference,
            "transfer_content_grouped": group_for_typing(payment.reference),
            "bank_bin": fields["bank_bin"],
            "account_number": fields["account_number"],
            "account_name": account_name,
            "amount_vnd": fields["amount_vnd"],
        }
    if payment.method == "vnpay":
        view["redirect_url"] = payment.redirect_url if payment.status == "pending" else None
    return view
