"""Words for what the exception page shows beyond the shared codes: actions, evidence details.

Kinds, statuses and resolutions are named once, in recon_labels.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from payrecon.money import format_vnd
from payrecon.web.officer.recon_labels import RESOLUTION, recon_helpers

ACTION = {
    **RESOLUTION,
    "note": _l("Note"),
    "write_off_proposed": _l("Write-off proposed"),
    "refund_started": _l("Refund started"),
}
DETAIL = {
    "payment_status": _l("Payment status"),
    "refund_due_vnd": _l("Refund due"),
    "paid_vnd": _l("Paid"),
    "fee_due_vnd": _l("Fee due"),
    "reason": _l("Reason"),
    "dossier_status": _l("Dossier status"),
    "invoice_status": _l("Invoice status"),
    "credited_vnd": _l("Credited at the bank"),
    "expected_vnd": _l("Expected"),
    "received_vnd": _l("Received"),
    "gross_vnd": _l("Gross"),
    "fee_vnd": _l("Gateway fee"),
    "net_vnd": _l("Net"),
    "refunded_vnd": _l("Refunded"),
    "succeeded_refunds_vnd": _l("Refunds paid out"),
    "direction": _l("Direction"),
    "waiting_for": _l("Waiting for"),
    "due_date": _l("Due by"),
    "first_line_id": _l("First bank line"),
    "credit_line_id": _l("Credit bank line"),
    "reversal_line_id": _l("Reversal bank line"),
    "references": _l("References in the text"),
    "unknown_references": _l("References in the text that are not ours"),
}
# evidence already shown on the row cards beside it (bank line, payment, batch, refund)
SHOWN_ON_CARDS = frozenset(
    {
        "booking_date",
        "bank_reference",
        "remittance_text",
        "account_id",
        "statement_id",
        "reference",
        "method",
        "batch_reference",
        "batch_id",
        "requested_at",
    }
)


def detail_rows(details: dict[str, Any]) -> list[tuple[Any, str]]:
    """(label, shown value) for the evidence the row cards do not already show."""
    rows = []
    for key, value in details.items():
        if key in SHOWN_ON_CARDS or value is None or value == []:
            continue
        if isinstance(value, list):
            shown = ", ".join(str(v) for v in value)
        elif key.endswith("_vnd") and isinstance(value, int):
            shown = format_vnd(value)
        else:
            shown = str(value)
        rows.append((DETAIL.get(key, key), shown))
    return rows


def exception_helpers() -> dict:
    """What the exception page's template uses to name codes."""
    return {
        **recon_helpers(),
        "action_label": lambda code: ACTION.get(code, code),
        "detail_rows": detail_rows,
    }
