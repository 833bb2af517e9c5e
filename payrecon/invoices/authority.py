"""The tax authority's answer on an invoice: its code (MCCQT) or a rejection. One use case.

The answer is final. Posting the same answer again (a retry after a lost response) changes
nothing and says so; posting a different one is a Conflict: a code is never silently replaced,
and neither is a rejection. A code is spliced into the seller-signed XML as a new stored
version (signing.add_authority_code keeps the signed bytes and checks the seller signature
still verifies); the issued bytes in `Invoice.xml` stay as they were.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from payrecon import audit
from payrecon.db import utcnow
from payrecon.errors import Conflict, InvalidInput, NotFound
from payrecon.invoices.models import Invoice, InvoiceAuthorityDecision, InvoiceChange
from payrecon.invoices.signing import AUTHORITY_CODE, add_authority_code

MAX_REASON_CHARS = 2000


@dataclass(frozen=True)
class RecordedDecision:
    decision: InvoiceAuthorityDecision
    created: bool  # False when the same answer had already been recorded


def _checked_answer(
    code: str | None, rejection_reason: str | None
) -> tuple[str | None, str | None]:
    code = code.strip() if code is not None else None
    reason = rejection_reason.strip() if rejection_reason is not None else None
    if (code is None) == (reason is None):
        raise InvalidInput(
            "send either code (the MCCQT) or rejection_reason, not both and not neither",
            where="body",
        )
    if code is not None and not AUTHORITY_CODE.fullmatch(code):
        raise InvalidInput(
            f"code must be the 34 letters or digits of an MCCQT, got {len(code)} characters",
            where="body.code",
        )
    if reason is not None and not 1 <= len(reason) <= MAX_REASON_CHARS:
        raise InvalidInput(
            f"rejection_reason must have 1 to {MAX_REASON_CHARS} characters",
            where="body.rejection_reason",
        )
    return code, reason


def _same_answer(decision: InvoiceAuthorityDecision, code: str | None, reason: str | None) -> bool:
    if code is not None:
        return decision.outcome == "coded" and decision.code == code
    return decision.outcome == "rejected" and decision.reason == reason


def record_authority_decision(
    session: Session,
    invoice_id: int,
    *,
    code: str | None = None,
    rejection_reason: str | None = None,
    actor: str,
) -> RecordedDecision:
    """Record the tax authority's code or rejection for an invoice; one commit.

    InvalidInput for a malformed answer, NotFound for an unknown invoice, Conflict when the
    invoice already has a different answer, when the code belongs to another invoice, or
    when the invoice's series (K…) takes no code. Appends an authority_code or
    authority_rejection change to the tax feed.
    """
    code, reason = _checked_answer(code, rejection_reason)
    invoice = session.scalars(
        select(Invoice).where(Invoice.id == invoice_id).with_for_update()
    ).one_or_none()
    if invoice is None:
        raise NotFound(f"no invoice with id {invoice_id}", where="path.invoice_id")
    existing = session.scalars(
        select(InvoiceAuthorityDecision).where(InvoiceAuthorityDecision.invoice_id == invoice.id)
    ).one_or_none()
    if existing is not None:
        if _same_answer(existing, code, reason):
            session.commit()  # nothing written: ends the transaction and its row lock
            return RecordedDecision(existing, created=False)
        raise Conflict(
            f"invoice {invoice.id} already has the tax authority's {existing.outcome} answer; "
            "a different answer is not recorded"
        )
    if code is not None:
        if not invoice.series.startswith("C"):
            raise Conflict(
                f"invoice {invoice.id} is in a series without tax-authority codes (K); "
                "it takes no MCCQT"
            )
        taken = session.scalar(
            select(InvoiceAuthorityDecision.invoice_id).where(InvoiceAuthorityDecision.code == code)
        )
        if taken is not None:
            raise Conflict("this MCCQT is already recorded for another invoice", where="body.code")
        coded_xml = add_authority_code(invoice.xml, code)
        decision = InvoiceAuthorityDecision(
            invoice_id=invoice.id,
            outcome="coded",
            code=code,
            xml=coded_xml,
            xml_sha256=hashlib.sha256(coded_xml).hexdigest(),
        )
    else:
        decision = InvoiceAuthorityDecision(
            invoice_id=invoice.id, outcome="rejected", reason=reason
        )
    now = utcnow()
    decision.recorded_at = now
    decision.recorded_by = actor
    session.add(decision)
    session.flush()
    audit.record_change(
        session,
        invoice,
        "authority_status",
        "awaiting_code",
        decision.outcome,
        actor=actor,
        why=f"MCCQT {code}" if code is not None else reason,
    )
    kind = "authority_code" if code is not None else "authority_rejection"
    session.add(InvoiceChange(invoice_id=invoice.id, kind=kind, created_at=now))
    session.commit()
    return RecordedDecision(decision, created=True)
