"""What goes on a fee invoice, decided from plain values (no database, no clock, no keys).

The service loads an agency, a dossier and a payment and hands their values here; this module
turns them into the `InvoiceData` that xml_build writes, and decides what a refund does to an
invoice. Money is int VND throughout.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from payrecon.errors import InvalidInput
from payrecon.invoices.xml_build import (
    FIXED_RATES_BP,
    NO_VAT_RATES,
    Buyer,
    InvoiceData,
    InvoiceLine,
    RateTotal,
    RelatedInvoice,
    Relation,
    Seller,
    tax_for,
)
from payrecon.money import amount_in_words_vi

#: KHMSHDon of every invoice payrecon issues: 1 = VAT invoice (reference §1.4).
TEMPLATE_CODE = "1"
FEE_UNIT = "hồ sơ"
LOOKUP_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud from a receipt
LOOKUP_CODE_LENGTH = 12
PAYMENT_METHOD_TEXT = {"vietqr": "CK", "vnpay": "Thẻ/Ví điện tử"}
_CATALOG_OTHER_RATE = re.compile(r"KHAC:(\d{1,2})(?:\.(\d{1,2}))?%?")


class RefundAction(StrEnum):
    CANCEL = "cancel"
    ADJUST = "adjust"


@dataclass(frozen=True)
class FeeSale:
    """One paid fee, as the service read it from the catalog, the dossier and the payment."""

    seller: Seller
    buyer: Buyer
    procedure_name: str
    procedure_code: str
    fee_kind: str  # "fee" (phí) or "charge" (lệ phí) in the catalog
    catalog_rate: str  # vat_rate as the catalog writes it, e.g. "KCT", "10%", "KHAC:3.5%"
    paid_vnd: int  # what the citizen paid, VAT included
    payment_method: str | None = None  # "vietqr" | "vnpay"


def new_lookup_code() -> str:
    """A secret code printed on the receipt; whoever has it may view the invoice.

    12 characters from a 32-letter alphabet carry 60 bits from `secrets`: guessing one of a
    million live codes takes ~10^12 tries.
    """
    # 32 letters: the low 5 bits of each random byte pick one without bias.
    return "".join(LOOKUP_ALPHABET[byte & 31] for byte in secrets.token_bytes(LOOKUP_CODE_LENGTH))


def agency_series_suffix(agency_id: int) -> str:
    """The two characters that end an agency's KHHDon (C26T + AA): AA, AB, … A9, BA, … 99.

    Derived from the agency's id so that an agency keeps its suffix from year to year and
    no two agencies share one; 36 × 36 = 1,296 agencies fit.
    """
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    index = agency_id - 1
    if not 0 <= index < len(alphabet) ** 2:
        raise InvalidInput(
            f"agency id {agency_id} has no two-character series suffix", where="agency"
        )
    return alphabet[index // len(alphabet)] + alphabet[index % len(alphabet)]


def invoice_rate_code(catalog_rate: str) -> str:
    """The TSuat for a catalog VAT rate: the catalog's `KHAC:3.5%` is written `KHAC:3.50`."""
    if catalog_rate in FIXED_RATES_BP or catalog_rate in NO_VAT_RATES:
        return catalog_rate
    match = _CATALOG_OTHER_RATE.fullmatch(catalog_rate)
    if match is None:
        raise InvalidInput(f"{catalog_rate!r} is not a VAT rate code", where="vat_rate")
    return f"KHAC:{int(match[1]):02d}.{(match[2] or '0'):0<2}"


def split_vat_inclusive(total_vnd: int, rate_code: str) -> tuple[int, int]:
    """Split a VAT-inclusive amount into (taxable, tax) that add up to it exactly.

    The citizen pays the catalog figure, so the invoice must total exactly that. Where the
    rounded VAT of some taxable amount makes the sum come out right, that amount is used;
    t + round(t × rate) skips some totals (at 10 %, one in ten), and for those the split is
    t = round(total / (1 + rate)), tax = total - t, one đồng off the rounded VAT, which
    rules.py tolerates (see its VAT_ROUNDING_SLACK).
    """
    if rate_code in NO_VAT_RATES:
        return total_vnd, 0
    percent = Decimal(rate_code.removeprefix("KHAC:").removesuffix("%"))
    estimate = int(
        (Decimal(total_vnd) * 100 / (100 + percent)).to_integral_value(rounding="ROUND_HALF_UP")
    )
    for taxable in (estimate, estimate - 1, estimate + 1):
        if taxable + tax_for(rate_code, taxable) == total_vnd:
            return taxable, total_vnd - taxable
    return estimate, total_vnd - estimate


def fee_line_name(procedure_name: str, fee_kind: str) -> str:
    prefix = "Lệ phí" if fee_kind == "charge" else "Phí"
    return f"{prefix} {procedure_name}"[:500]


def fee_invoice_data(
    sale: FeeSale,
    *,
    series: str,
    number: int,
    issued_on: date,
    lookup_code: str,
    amount_vnd: int | None = None,
    related: RelatedInvoice | None = None,
) -> InvoiceData:
    """The invoice for one paid fee: one line, the whole payment VAT included.

    `amount_vnd` overrides the paid amount (an adjustment invoice carries the change, negative
    for a refund); `related` makes it a replacement or an adjustment of an earlier invoice.
    """
    total = sale.paid_vnd if amount_vnd is None else amount_vnd
    rate_code = invoice_rate_code(sale.catalog_rate)
    name = fee_line_name(sale.procedure_name, sale.fee_kind)
    if related is not None and related.relation is Relation.ADJUSTS:
        name = f"Điều chỉnh {'giảm' if total < 0 else 'tăng'}: {name}"[:500]
    taxable, tax = split_vat_inclusive(total, rate_code)
    line = InvoiceLine(name, FEE_UNIT, 1, taxable, taxable, rate_code, sale.procedure_code[:50])
    return InvoiceData(
        template_code=TEMPLATE_CODE,
        series=series,
        number=number,
        issued_on=issued_on,
        seller=sale.seller,
        buyer=sale.buyer,
        lines=(line,),
        totals_by_rate=(RateTotal(rate_code, taxable, tax),),
        total_in_words=amount_in_words_vi(total),
        payment_method=PAYMENT_METHOD_TEXT.get(sale.payment_method or ""),
        related=related,
        lookup_code=lookup_code,
    )


def refund_action(
    *, invoiced_vnd: int, already_adjusted_vnd: int, refund_vnd: int, delivered: bool
) -> RefundAction:
    """What a refund does to the invoice of the payment it refunds.

    A refund of the whole fee on a dossier whose result was never delivered undoes the sale:
    the invoice is cancelled. Anything else (part of the fee, or a delivered dossier, or an
    invoice already adjusted once) keeps the invoice and issues an adjustment for the refund.
    `already_adjusted_vnd` is the sum of earlier adjustments (negative for earlier refunds).
    """
    if refund_vnd <= 0:
        raise InvalidInput(f"a refund must be positive, got {refund_vnd} VND", where="amount_vnd")
    remaining = invoiced_vnd + already_adjusted_vnd
    if refund_vnd > remaining:
        raise InvalidInput(
            f"refund of {refund_vnd} VND exceeds the {remaining} VND still invoiced",
            where="amount_vnd",
        )
    if refund_vnd == invoiced_vnd and already_adjusted_vnd == 0 and not delivered:
        return RefundAction.CANCEL
    return RefundAction.ADJUST
