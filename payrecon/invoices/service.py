"""Invoice use cases: issue for paid fees, cancel, replace, adjust, and follow refunds.

Issuing and the automatic corrections run from the outbox (`issue_pending_invoices`): the
invoices of paid fees are issued in batches, one series per transaction (issuing.py); each
refund event is handled in its own transaction, which `outbox.drain` commits together with
marking the event done. The officer-facing corrections (`cancel_invoice`, `replace_invoice`,
`adjust_invoice`) are one operation, one commit each.

One correction at a time is numbered, signed and stored by single_issue.issue_one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from payrecon import audit, outbox
from payrecon.db import utcnow
from payrecon.dossiers.models import Dossier
from payrecon.errors import Conflict, InvalidInput, NotFound
from payrecon.invoices import issuing
from payrecon.invoices.compose import (
    FeeSale,
    RefundAction,
    refund_action,
)
from payrecon.invoices.keys import SigningKeys, configured_signing_keys
from payrecon.invoices.models import Invoice, InvoiceChange
from payrecon.invoices.payloads import payload_field
from payrecon.invoices.single_issue import issue_one
from payrecon.invoices.xml_build import (
    Buyer,
)

PAID_TOPIC = issuing.PAID_TOPIC
REFUNDED_TOPIC = "payment.refunded"
SYSTEM_ACTOR = "system:invoices"
DELIVERED_STATUSES = frozenset({"done"})


@dataclass(frozen=True)
class IssueSummary:
    issued: int
    issue_failures: int
    refunds_handled: int
    refund_failures: int

    def summary(self) -> str:
        return (
            f"{self.issued} invoices issued ({self.issue_failures} failed), "
            f"{self.refunds_handled} refunds handled ({self.refund_failures} failed)"
        )


@dataclass(frozen=True)
class BuyerCorrection:
    """What a replacement invoice corrects about the buyer; None keeps the original value."""

    name: str | None = None
    tax_code: str | None = None
    id_number: str | None = None
    address: str | None = None


def _sale(dossier: Dossier, session: Session, *, paid_vnd: int, method: str | None) -> FeeSale:
    seller = issuing.seller_of(session, dossier.procedure.agency)
    return issuing.fee_sale(seller, dossier, paid_vnd=paid_vnd, method=method)


def _record_change(session: Session, invoice: Invoice, kind: str) -> None:
    session.add(InvoiceChange(invoice_id=invoice.id, kind=kind, created_at=utcnow()))


def _set_status(session: Session, invoice: Invoice, status: str, *, actor: str, why: str) -> None:
    audit.record_change(session, invoice, "status", invoice.status, status, actor=actor, why=why)
    invoice.status = status


def original_for_payment(session: Session, payment_id: int) -> Invoice | None:
    return session.scalars(
        select(Invoice).where(Invoice.payment_id == payment_id, Invoice.kind == "original")
    ).one_or_none()


def _locked_invoice(session: Session, invoice_id: int) -> Invoice:
    invoice = session.scalars(
        select(Invoice).where(Invoice.id == invoice_id).with_for_update()
    ).one_or_none()
    if invoice is None:
        raise NotFound(f"no invoice with id {invoice_id}", where="invoice_id")
    return invoice


def _require_reason(reason: str) -> str:
    if not reason or not reason.strip():
        raise InvalidInput("a correction needs a reason", where="reason")
    return reason.strip()


def _cancel(session: Session, invoice: Invoice, *, reason: str, actor: str, now: datetime) -> None:
    if invoice.status != "issued":
        raise Conflict(f"invoice {invoice.id} is {invoice.status}; it cannot be cancelled")
    _set_status(session, invoice, "cancelled", actor=actor, why=reason)
    invoice.cancelled_at = now
    invoice.cancel_reason = reason
    _record_change(session, invoice, "cancellation")


def _sale_of(session: Session, invoice: Invoice, buyer: Buyer | None = None) -> FeeSale:
    dossier = session.get(Dossier, invoice.dossier_id)
    sale = _sale(dossier, session, paid_vnd=invoice.total_vnd, method=invoice.payment_method)
    return replace(sale, buyer=buyer) if buyer is not None else sale


def _adjust(
    session: Session,
    original: Invoice,
    *,
    amount_vnd: int,
    reason: str,
    actor: str,
    keys: SigningKeys,
    now: datetime,
    refund_id: int | None = None,
) -> Invoice:
    if original.kind != "original" or original.status not in ("issued", "adjusted"):
        raise Conflict(
            f"invoice {original.id} is a {original.status} {original.kind}; only an issued "
            "original can be adjusted"
        )
    if amount_vnd == 0:
        raise InvalidInput("an adjustment must change the amount", where="amount_vnd")
    adjustment = issue_one(
        session,
        _sale_of(session, original),
        keys=keys,
        issued_at=now,
        agency_id=original.agency_id,
        dossier_id=original.dossier_id,
        payment_id=original.payment_id,
        kind="adjustment",
        related=original,
        amount_vnd=amount_vnd,
        refund_id=refund_id,
        reason=reason,
    )
    if original.status != "adjusted":
        _set_status(session, original, "adjusted", actor=actor, why=reason)
    return adjustment


def adjusted_total(session: Session, original_id: int) -> int:
    """The sum of the adjustments issued against an invoice (negative after refunds)."""
    return session.scalar(
        select(func.coalesce(func.sum(Invoice.total_vnd), 0)).where(
            Invoice.related_invoice_id == original_id, Invoice.kind == "adjustment"
        )
    )


def apply_refund(
    session: Session, payload: Mapping[str, Any], *, keys: SigningKeys, now: datetime | None = None
) -> Invoice:
    """Follow a `payment.refunded` event (no commit: the outbox drain commits).

    Cancels the invoice when the whole fee comes back and nothing was delivered, otherwise
    issues an adjustment for minus the refund (compose.refund_action). A repeated event changes
    nothing. Returns the adjustment, or the cancelled invoice.
    """
    payment_id = payload_field(payload, "payment_id", int)
    refund_id = payload_field(payload, "refund_id", int)
    refund_vnd = payload_field(payload, "amount_vnd", int)
    reason = f"hoàn tiền {refund_id}: {payload.get('reason') or 'không ghi lý do'}"
    done = session.scalars(select(Invoice).where(Invoice.refund_id == refund_id)).one_or_none()
    if done is not None:
        return done
    original = original_for_payment(session, payment_id)
    if original is None:
        raise NotFound(f"payment {payment_id} has no invoice yet", where="payload.payment_id")
    original = _locked_invoice(session, original.id)
    if original.status == "cancelled":
        return original  # already undone (this refund's earlier delivery, or an officer)
    dossier = session.get(Dossier, original.dossier_id)
    action = refund_action(
        invoiced_vnd=original.total_vnd,
        already_adjusted_vnd=adjusted_total(session, original.id),
        refund_vnd=refund_vnd,
        delivered=dossier.status in DELIVERED_STATUSES,
    )
    moment = now or utcnow()
    if action is RefundAction.CANCEL:
        _cancel(session, original, reason=reason, actor=SYSTEM_ACTOR, now=moment)
        return original
    return _adjust(
        session,
        original,
        amount_vnd=-refund_vnd,
        reason=reason,
        actor=SYSTEM_ACTOR,
        keys=keys,
        now=moment,
        refund_id=refund_id,
    )


def issue_pending_invoices(
    session: Session,
    business_date: date | None = None,
    *,
    keys: SigningKeys | None = None,
    now: datetime | None = None,
) -> IssueSummary:
    """Issue the invoices of paid fees and follow refunds, from the outbox (the scheduler's job).

    Invoices are dated when they are issued, never back-dated: `business_date` is accepted for
    the jobs registry's uniform signature and not used. Fails at once, before touching any
    event, when no signing key is configured.
    """
    del business_date
    keys = keys or configured_signing_keys()
    issued = issuing.issue_paid_invoices(session, keys=keys, now=now)
    refunds = outbox.drain(
        session, REFUNDED_TOPIC, lambda s, event: apply_refund(s, event.payload, keys=keys, now=now)
    )
    return IssueSummary(issued.issued, issued.failed, refunds.handled, refunds.failed)


def cancel_invoice(
    session: Session, invoice_id: int, *, reason: str, actor: str, now: datetime | None = None
) -> Invoice:
    """Cancel an issued invoice (its bytes stay as they are; its status becomes cancelled)."""
    invoice = _locked_invoice(session, invoice_id)
    _cancel(session, invoice, reason=_require_reason(reason), actor=actor, now=now or utcnow())
    session.commit()
    return invoice


def replace_invoice(
    session: Session,
    invoice_id: int,
    *,
    buyer: BuyerCorrection,
    reason: str,
    actor: str,
    keys: SigningKeys | None = None,
    now: datetime | None = None,
) -> Invoice:
    """Issue a replacement (TCHDon 1) with the buyer corrected; the original becomes replaced."""
    reason = _require_reason(reason)
    keys = keys or configured_signing_keys()
    original = _locked_invoice(session, invoice_id)
    if original.status != "issued":
        raise Conflict(f"invoice {invoice_id} is {original.status}; it cannot be replaced")
    current = _sale_of(session, original).buyer
    corrected = Buyer(
        name=buyer.name or current.name,
        tax_code=buyer.tax_code or current.tax_code,
        id_number=buyer.id_number or current.id_number,
        address=buyer.address or current.address,
    )
    replacement = issue_one(
        session,
        _sale_of(session, original, buyer=corrected),
        keys=keys,
        issued_at=now or utcnow(),
        agency_id=original.agency_id,
        dossier_id=original.dossier_id,
        payment_id=original.payment_id,
        kind="replacement",
        related=original,
        reason=reason,
    )
    _set_status(session, original, "replaced", actor=actor, why=reason)
    session.commit()
    return replacement


def adjust_invoice(
    session: Session,
    invoice_id: int,
    *,
    amount_vnd: int,
    reason: str,
    actor: str,
    keys: SigningKeys | None = None,
    now: datetime | None = None,
) -> Invoice:
    """Issue an adjustment (TCHDon 2) changing the amount by `amount_vnd` (negative decreases)."""
    reason = _require_reason(reason)
    keys = keys or configured_signing_keys()
    original = _locked_invoice(session, invoice_id)
    adjustment = _adjust(
        session,
        original,
        amount_vnd=amount_vnd,
        reason=reason,
        actor=actor,
        keys=keys,
        now=now or utcnow(),
    )
    session.commit()
    return adjustment
