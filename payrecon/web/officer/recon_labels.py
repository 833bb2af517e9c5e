"""Words for reconciliation codes on the officer pages, and the link to an exception's page."""

from __future__ import annotations

from flask import url_for
from flask_babel import format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from payrecon.reconciliation.chart import ChartLabels

EXCEPTION_KIND = {
    "unmatched_credit": _l("Money without a payment"),
    "missing_credit": _l("Payment without money"),
    "amount_mismatch": _l("Wrong amount"),
    "duplicate_payment": _l("Paid twice"),
    "unknown_dossier": _l("Payment for an unknown dossier"),
    "cancelled_dossier": _l("Payment for a cancelled dossier"),
    "fee_mismatch": _l("Amount differs from the fee due"),
    "paid_without_payment": _l("Dossier marked paid without a payment"),
    "paid_without_invoice": _l("Paid but no invoice"),
    "invoice_without_payment": _l("Invoice without a payment"),
    "refund_not_reflected": _l("Refund not seen at the bank"),
    "reversal_of_matched": _l("Bank reversed a matched credit"),
    "settlement_mismatch": _l("Gateway settlement does not add up"),
}
EXCEPTION_STATUS = {"open": _l("Open"), "resolved": _l("Resolved")}
RESOLUTION = {
    "confirmed": _l("Proposed match confirmed"),
    "linked": _l("Linked by hand"),
    "refund_due": _l("Refund due"),
    "written_off": _l("Written off"),
    "resolved_by_data": _l("Resolved by later data"),
}
RUN_STATUS = {"running": _l("Running"), "finished": _l("Finished"), "failed": _l("Failed")}
REPORT_FORMATS = ("xlsx", "csv", "html")


def exception_path(exception_id: int) -> str:
    """The exception's own page (its evidence and actions)."""
    return url_for("officer.exception_detail", exception_id=int(exception_id))


def chart_labels() -> ChartLabels:
    """The trend chart's words in the officer's language."""
    return ChartLabels(
        title=_("Match rate and open exception amounts, by business date"),
        empty=_("No finished reconciliation run yet."),
        match_scale=_("match rate 0–100 %"),
        open_scale=_("open: up to %(amount)s", amount="{amount}"),
        open_point=_("%(day)s: %(amount)s open", day="{day}", amount="{amount}"),
        axis_day="%d/%m",  # dates as officers write them (dd/mm), whatever the language
        point_day="%d/%m/%Y",
    )


def recon_helpers() -> dict:
    """What the dashboard, runs and exceptions templates use to show reconciliation values."""
    return {
        "kind_label": lambda code: EXCEPTION_KIND.get(code, code),
        "exception_status": lambda code: EXCEPTION_STATUS.get(code, code),
        "resolution_label": lambda code: RESOLUTION.get(code, code) if code else "",
        "run_status": lambda code: RUN_STATUS.get(code, code),
        "exception_path": exception_path,
        "report_formats": REPORT_FORMATS,
        "percent": lambda rate: format_percent(rate, format="#,##0.0 %"),
    }
