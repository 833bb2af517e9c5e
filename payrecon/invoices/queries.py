"""Read-only selects over invoices, for the web pages, the API and the tax feed."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased, defer

from payrecon.errors import NotFound
from payrecon.invoices.feed import FeedEntry, RelatedRef, TaxInvoice, authority_status
from payrecon.invoices.models import Invoice, InvoiceAuthorityDecision, InvoiceChange


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
    """Invoice changes in id order after `after_id`.

    Id order is insert order, not commit order: paging by id can skip a change whose
    transaction commits late. The tax feed pages by position instead (feed_page).
    """
    return list(
        session.scalars(
            select(InvoiceChange)
            .where(InvoiceChange.id > after_id)
            .order_by(InvoiceChange.id)
            .limit(limit)
        )
    )


_Related = aliased(Invoice)

_TAX_INVOICE_COLUMNS = (
    Invoice.id,
    Invoice.kind,
    Invoice.template_code,
    Invoice.series,
    Invoice.number,
    Invoice.issued_on,
    Invoice.issued_at,
    Invoice.seller_tax_code,
    Invoice.buyer_name,
    Invoice.buyer_tax_code,
    Invoice.buyer_id_number,
    Invoice.total_before_tax_vnd,
    Invoice.total_tax_vnd,
    Invoice.total_vnd,
    Invoice.status,
    Invoice.xml_sha256,
    _Related.id.label("related_id"),
    _Related.template_code.label("related_template_code"),
    _Related.series.label("related_series"),
    _Related.number.label("related_number"),
    InvoiceAuthorityDecision.outcome,
    InvoiceAuthorityDecision.code,
    InvoiceAuthorityDecision.reason,
    InvoiceAuthorityDecision.xml_sha256.label("coded_sha256"),
)


def _tax_invoice_select():
    """The invoice facts the feed shows, without loading any XML."""
    return (
        select(*_TAX_INVOICE_COLUMNS)
        .outerjoin(_Related, _Related.id == Invoice.related_invoice_id)
        .outerjoin(InvoiceAuthorityDecision, InvoiceAuthorityDecision.invoice_id == Invoice.id)
    )


def _tax_invoice(row) -> TaxInvoice:
    related = None
    if row.related_id is not None:
        related = RelatedRef(
            row.related_id, row.related_template_code, row.related_series, row.related_number
        )
    return TaxInvoice(
        id=row.id,
        kind=row.kind,
        template_code=row.template_code,
        series=row.series,
        number=row.number,
        issued_on=row.issued_on,
        issued_at=row.issued_at,
        seller_tax_code=row.seller_tax_code,
        buyer_name=row.buyer_name,
        buyer_tax_code=row.buyer_tax_code,
        buyer_id_number=row.buyer_id_number,
        total_before_tax_vnd=row.total_before_tax_vnd,
        total_tax_vnd=row.total_tax_vnd,
        total_vnd=row.total_vnd,
        status=row.status,
        related=related,
        authority_status=authority_status(row.series, row.outcome),
        authority_code=row.code,
        authority_rejection_reason=row.reason,
        xml_sha256=row.coded_sha256 or row.xml_sha256,
    )


def feed_page(session: Session, *, after: int, limit: int) -> list[FeedEntry]:
    """Up to `limit` sequenced changes with positions above `after`, in position order."""
    rows = session.execute(
        _tax_invoice_select()
        .add_columns(
            InvoiceChange.position,
            InvoiceChange.id.label("change_id"),
            InvoiceChange.kind.label("change_kind"),
            InvoiceChange.created_at.label("changed_at"),
        )
        .join(InvoiceChange, InvoiceChange.invoice_id == Invoice.id)
        .where(InvoiceChange.position > after)
        .order_by(InvoiceChange.position)
        .limit(limit)
    )
    return [
        FeedEntry(
            position=row.position,
            change_id=row.change_id,
            change_kind=row.change_kind,
            changed_at=row.changed_at,
            invoice=_tax_invoice(row),
        )
        for row in rows
    ]


def get_tax_invoice(session: Session, invoice_id: int) -> TaxInvoice:
    row = session.execute(_tax_invoice_select().where(Invoice.id == invoice_id)).one_or_none()
    if row is None:
        raise NotFound(f"no invoice with id {invoice_id}", where="path.invoice_id")
    return _tax_invoice(row)


def current_xml(session: Session, invoice_id: int) -> tuple[bytes, str]:
    """(bytes, SHA-256 hex) of the invoice's current stored version: coded if it has a code."""
    row = session.execute(
        select(
            func.coalesce(InvoiceAuthorityDecision.xml, Invoice.xml),
            func.coalesce(InvoiceAuthorityDecision.xml_sha256, Invoice.xml_sha256),
        )
        .select_from(Invoice)
        .outerjoin(InvoiceAuthorityDecision, InvoiceAuthorityDecision.invoice_id == Invoice.id)
        .where(Invoice.id == invoice_id)
    ).one_or_none()
    if row is None:
        raise NotFound(f"no invoice with id {invoice_id}", where="path.invoice_id")
    return bytes(row[0]), row[1]


def find_invoices_by_number(
    session: Session, series: str, number: int, template_code: str | None = None
) -> list[Invoice]:
    """Invoices with this series and number (one per template code), without their XML."""
    query = (
        select(Invoice)
        .options(defer(Invoice.xml))
        .where(Invoice.series == series, Invoice.number == number)
        .order_by(Invoice.template_code)
    )
    if template_code is not None:
        query = query.where(Invoice.template_code == template_code)
    return list(session.scalars(query))


def invoices_by_payment(session: Session, payment_ids: list[int]) -> dict[int, list[Invoice]]:
    """The invoices of each payment (originals and corrections, oldest first), without XML."""
    found: dict[int, list[Invoice]] = {payment_id: [] for payment_id in payment_ids}
    if not payment_ids:
        return found
    rows = session.scalars(
        select(Invoice)
        .options(defer(Invoice.xml))
        .where(Invoice.payment_id.in_(payment_ids))
        .order_by(Invoice.id)
    )
    for invoice in rows:
        found[invoice.payment_id].append(invoice)
    return found


def find_authority_decision(session: Session, invoice_id: int) -> InvoiceAuthorityDecision | None:
    """The tax authority's code or rejection for an invoice, if it has answered (no XML)."""
    return session.scalars(
        select(InvoiceAuthorityDecision)
        .options(defer(InvoiceAuthorityDecision.xml))
        .where(InvoiceAuthorityDecision.invoice_id == invoice_id)
    ).one_or_none()
