"""Words for the codes the officer pages show: payment, refund, invoice, dossier and job
statuses, and statement findings (statement_labels)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from payrecon.money import format_vnd
from payrecon.web.officer.search_terms import mask_id_number
from payrecon.web.officer.statement_labels import finding_text

PAYMENT_STATUS = {
    "pending": _l("Waiting for payment"),
    "succeeded": _l("Paid"),
    "failed": _l("Failed"),
    "expired": _l("Expired"),
    "cancelled": _l("Cancelled"),
    "refund_pending": _l("Refund in progress"),
    "refunded": _l("Refunded"),
}
REFUND_STATUS = {
    "pending": _l("Requested"),
    "awaiting_transfer": _l("Awaiting bank transfer"),
    "succeeded": _l("Refunded"),
    "failed": _l("Failed"),
}
INVOICE_STATUS = {
    "issued": _l("Issued"),
    "cancelled": _l("Cancelled"),
    "replaced": _l("Replaced"),
    "adjusted": _l("Adjusted"),
}
INVOICE_KIND = {
    "original": _l("Original"),
    "replacement": _l("Replacement"),
    "adjustment": _l("Adjustment"),
}
DOSSIER_STATUS = {
    "received": _l("Filed, not yet processed"),
    "processing": _l("Being processed"),
    "done": _l("Done"),
    "returned": _l("Returned to the applicant"),
    "cancelled": _l("Cancelled"),
}
JOB_STATUS = {
    "running": _l("Running"),
    "succeeded": _l("Succeeded"),
    "failed": _l("Failed"),
    "abandoned": _l("Abandoned"),
}
METHOD = {"vietqr": "VietQR", "vnpay": "VNPAY"}


def template_helpers() -> dict:
    """What the officer templates use to show payment, invoice, dossier and job values."""
    return {
        "vnd": format_vnd,
        "masked_id": mask_id_number,
        "payment_status": lambda code: PAYMENT_STATUS.get(code, code),
        "refund_status": lambda code: REFUND_STATUS.get(code, code),
        "invoice_status": lambda code: INVOICE_STATUS.get(code, code),
        "invoice_kind": lambda code: INVOICE_KIND.get(code, code),
        "dossier_status": lambda code: DOSSIER_STATUS.get(code, code),
        "job_status": lambda code: JOB_STATUS.get(code, code),
        "method_label": lambda code: METHOD.get(code, code),
        "invoice_label": lambda inv: f"{inv.template_code}{inv.series}-{inv.number:07d}",
        "finding_text": finding_text,
    }
