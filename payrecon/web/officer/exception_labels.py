"""Words for what the exception page shows beyond the shared codes: actions, evidence details
and the codes in them (why, which way, what we wait for).

Kinds, statuses and resolutions are named once, in recon_labels; payment, invoice and
dossier statuses in labels. A code without a word here is shown as it is.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from payrecon.money import format_vnd
from payrecon.web.officer.labels import DOSSIER_STATUS, INVOICE_STATUS, PAYMENT_STATUS
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
REASON = {
    "fee_differs": _l("What was paid differs from the fee due"),
    "dossier_paid_twice": _l("The dossier was paid more than once"),
    "credit_repeated": _l("The bank credited the same payment again"),
    "settled_by_gateway_too": _l("Settled by the gateway and paid by bank transfer too"),
    "net_differs": _l("The credit differs from the batch's net amount"),
    "gross_differs": _l("The batch's gross amount differs from the payment"),
    "unknown_reference": _l("The batch has payments that are not ours"),
    "credit_outside_window": _l("The reversed credit is older than this run's bank lines"),
    "no_bank_debit": _l("No bank debit shows the refund"),
    "payment_record_differs": _l("The payment's refunded amount differs from its paid refunds"),
}
DIRECTION = {"overpaid": _l("Paid too much"), "underpaid": _l("Paid too little")}
WAITING_FOR = {
    "bank_credit": _l("The bank credit"),
    "settlement_report": _l("The gateway's settlement report"),
    "batch_credit": _l("The bank credit of the settlement batch"),
}
# evidence whose value is a code, and the words for its codes
VALUE_WORDS = {
    "reason": REASON,
    "direction": DIRECTION,
    "waiting_for": WAITING_FOR,
    "payment_status": PAYMENT_STATUS,
    "invoice_status": INVOICE_STATUS,
    "dossier_status": DOSSIER_STATUS,
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
        elif key in VALUE_WORDS:
            shown = str(VALUE_WORDS[key].get(value, value))
        elif key.endswith("_date") and isinstance(value, str):
            shown = _day(value)
        else:
            shown = str(value)
        rows.append((DETAIL.get(key, key), shown))
    return rows


def _day(value: str) -> str:
    """An ISO date of the evidence as the officer reads dates; anything else as it is."""
    try:
        return format_date(date.fromisoformat(value), "dd/MM/yyyy")
    except ValueError:
        return value


def exception_helpers() -> dict:
    """What the exception page's template uses to name codes."""
    return {
        **recon_helpers(),
        "action_label": lambda code: ACTION.get(code, code),
        "detail_rows": detail_rows,
    }
