"""Read-only selects over invoices, for the web pages, the API and the tax feed."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from payrecon.errors import NotFound
from payrecon.invoices.models import Invoice, InvoiceChange


def get_invoice(session: Session, invoice_id: int) -> Invoice:
    invoice = session.get(Invoice, invoice_id)
    if invoice is None:
        raise NotFound(f"no invoice with id {invoice_id}", where="path.invoice_id")
    return invoice


def get_invoice_by_lookup_code(session: Session, lookup_code: str) -> Invoice:
    """The invoice printed with this lookup code; codes are compared upper-case."""
    invoice = session.scalars(
        select(Invoice).where(Invoice.lookup_code == lookup_code.strip().upper())
    ).one_or_none()
    if invoice is None:
        raise NotFound("no invoice has this lookup code", where="path.lookup_code")
    return invoice


def corrections_of(session: Session, invoice_id: int) -> list[Invoice]:
    """Replacements and adjustments issued against an invoice, oldest first."""
    return list(
        session.scalars(
            select(Invoice).where(Invoice.related_invoice_id == invoice_id).order_by(Invoice.id)
        )
    )


def invoices_for_payment(session: Session, payment_id: int) -> list[Invoice]:
    return list(
        session.scalars(
            select(Invoice).where(Invoice.payment_id == payment_id).order_by(Invoice.id)
        )
    )


def numbers_in_series(session: Session, template_code: str, series: str) -> list[int]:
    """Every number used in a series, ascending (for gap checks)."""
    return list(
        session.scalars(
            select(Invoice.number)
            .where(Invoice.template_code == template_code, Invoice.series == series)
            .order_by(Invoice.number)
        )
    )


def list_changes(session: Session, *, after_id: int = 0, limit: int = 100) -> list[InvoiceChange]:
    """Invoice changes in id order after `after_id` (the raw sequence behind the tax feed)."""
    return list(
        session.scalars(
            select(InvoiceChange)
            .where(InvoiceChange.id > after_id)
            .order_by(InvoiceChange.id)
            .limit(limit)
        )
    )
