"""Numbering, signing and storing one invoice at a time: the corrections (replacement and
adjustment invoices) that service.py issues outside the batches of issuing.py.

Where the expensive work of a correction happens relative to the counter lock (see counter.py
for why the number is gapless): the number is signed inside DLHDon, so an invoice cannot be
signed before its number is known, and the number must be taken in the transaction that stores
the invoice. `issue_one` therefore *guesses* the number (the series' last number + 1, read without
a lock), builds, validates and signs with it, and only then takes the number (UPDATE …
RETURNING, which locks the series row until commit). When the guess was right, which is the
normal case for a series with one issuer at a time, the lock is held only for the insert and
the commit. When another issuer took that number in between, the invoice is built and signed
again with the number actually taken, this time under the lock: slower, never wrong, never a
gap; and the process stops guessing for that series while it stays contended (see
_contended_series), since under contention a guess is mostly wasted work. Different agencies
have different series and never wait for each other.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy.orm import Session

from payrecon.db import utcnow
from payrecon.invoices import counter
from payrecon.invoices.compose import (
    TEMPLATE_CODE,
    FeeSale,
    agency_series_suffix,
    fee_invoice_data,
    new_lookup_code,
)
from payrecon.invoices.keys import SigningKeys
from payrecon.invoices.models import Invoice, InvoiceChange
from payrecon.invoices.signing import sign_invoice
from payrecon.invoices.symbols import LOCAL_TIME, invoice_year, series_symbol
from payrecon.invoices.xml_build import (
    InvoiceData,
    RelatedInvoice,
    Relation,
    build_valid_invoice_tree,
)

#: Series whose last guess in this process was taken by another issuer. While several issuers
#: work one series, most guesses are wrong and signing twice only wastes CPU; for those series
#: the number is taken first and the invoice signed under the lock, until a take finds the
#: number it peeked just before (nobody else is issuing) and speculation resumes.
_contended_series: set[int] = set()


def issue_one(
    session: Session,
    sale: FeeSale,
    *,
    keys: SigningKeys,
    issued_at: datetime,
    agency_id: int,
    dossier_id: int,
    payment_id: int,
    kind: str,
    related: Invoice | None = None,
    amount_vnd: int | None = None,
    refund_id: int | None = None,
    reason: str | None = None,
) -> Invoice:
    """Number, build, validate, sign and store one invoice in the caller's transaction.

    See the module docstring for the order of guessing, signing and taking the number.
    """
    series = series_symbol(invoice_year(issued_at), agency_series_suffix(agency_id))
    state = counter.open_series(
        session,
        agency_id=agency_id,
        year=invoice_year(issued_at),
        template_code=TEMPLATE_CODE,
        series=series,
    )
    series_id = state.id
    issued_on = issued_at.astimezone(LOCAL_TIME).date()
    lookup_code = new_lookup_code()
    link = None
    if related is not None:
        link = RelatedInvoice(
            relation=Relation.ADJUSTS if kind == "adjustment" else Relation.REPLACES,
            template_code=related.template_code,
            series=related.series,
            number=related.number,
            issued_on=related.issued_on,
            note=(reason or None) and reason[:255],
        )

    def signed_with(number: int) -> tuple[InvoiceData, bytes]:
        data = fee_invoice_data(
            sale,
            series=series,
            number=number,
            issued_on=issued_on,
            lookup_code=lookup_code,
            amount_vnd=amount_vnd,
            related=link,
        )
        unsigned = build_valid_invoice_tree(data)  # checked against the XSD, signed in place
        # sign_invoice verifies the new signature before returning the final bytes.
        signed = sign_invoice(
            unsigned, key_pem=keys.key, cert_pem=keys.cert_pem, signing_time=issued_at
        )
        return data, signed

    guess = state.last_number + 1
    if series_id in _contended_series:
        number = counter.take_number(session, series_id)
        data, xml = signed_with(number)
        if number == guess:  # nobody took a number between our peek and our take
            _contended_series.discard(series_id)
    else:
        data, xml = signed_with(guess)
        number = counter.take_number(session, series_id)
        if number != guess:
            _contended_series.add(series_id)
            data, xml = signed_with(number)
    invoice = Invoice(
        series_id=series_id,
        template_code=TEMPLATE_CODE,
        series=series,
        number=number,
        kind=kind,
        status="issued",
        related_invoice_id=related.id if related is not None else None,
        agency_id=agency_id,
        dossier_id=dossier_id,
        payment_id=payment_id,
        refund_id=refund_id,
        issued_at=issued_at,
        issued_on=issued_on,
        buyer_name=sale.buyer.name,
        payment_method=sale.payment_method,
        total_vnd=sale.paid_vnd if amount_vnd is None else amount_vnd,
        seller_tax_code=data.seller.tax_code,
        buyer_tax_code=data.buyer.tax_code,
        buyer_id_number=data.buyer.id_number,
        total_before_tax_vnd=data.total_before_tax_vnd,
        total_tax_vnd=data.total_tax_vnd,
        lookup_code=lookup_code,
        xml=xml,
        xml_sha256=hashlib.sha256(xml).hexdigest(),
        reason=reason,
    )
    session.add(invoice)
    session.flush()
    change = {"original": "issue", "replacement": "replacement", "adjustment": "adjustment"}
    session.add(InvoiceChange(invoice_id=invoice.id, kind=change[kind], created_at=utcnow()))
    return invoice
