"""How the payment services write down what happened: events and outbox messages.

Every status change is written for two readers: the payment's own append-only event row (who,
when, from, to, why, with the provider's raw message; the auditors' record of a payment), and,
for a success or a completed refund, the outbox event that the invoices domain consumes. Both
in the caller's transaction; the caller commits. The hash-chained audit log is kept for
officers' actions (see service.py on why payments do not queue behind its lock).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from payrecon import outbox
from payrecon.db import utcnow
from payrecon.payments.models import Payment, PaymentEvent, Refund
from payrecon.payments.states import PaymentStatus


def add_event(
    session: Session,
    payment: Payment,
    kind: str,
    *,
    actor: str,
    why: str | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    payload: dict[str, Any] | None = None,
) -> PaymentEvent:
    event = PaymentEvent(
        payment_id=payment.id,
        created_at=utcnow(),
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        why=why,
        payload=payload,
    )
    session.add(event)
    return event


def change_status(
    session: Session,
    payment: Payment,
    new_status: PaymentStatus,
    *,
    actor: str,
    why: str,
    payload: dict[str, Any] | None = None,
) -> None:
    """Store `new_status` (already approved by states.py) with its payment event."""
    old_status = payment.status
    payment.status = str(new_status)
    payment.updated_at = utcnow()
    add_event(
        session,
        payment,
        "status_changed",
        actor=actor,
        why=why,
        from_status=old_status,
        to_status=str(new_status),
        payload=payload,
    )


def announce_success(session: Session, payment: Payment, dossier_code: str) -> None:
    """The payment.succeeded outbox event; its payload is the invoices domain's contract."""
    outbox.enqueue(
        session,
        "payment.succeeded",
        payment.id,
        {
            "payment_id": payment.id,
            "reference": payment.reference,
            "dossier_code": dossier_code,
            "amount_vnd": payment.amount_vnd,
            "paid_at": payment.paid_at.isoformat() if payment.paid_at else None,
            "method": payment.method,
        },
    )


def announce_refund(session: Session, refund: Refund) -> None:
    """The payment.refunded outbox event for a refund the provider (or the office) completed."""
    outbox.enqueue(
        session,
        "payment.refunded",
        refund.payment_id,
        {
            "payment_id": refund.payment_id,
            "refund_id": refund.id,
            "amount_vnd": refund.amount_vnd,
            "refunded_at": refund.completed_at.isoformat() if refund.completed_at else None,
            "reason": refund.reason,
        },
    )
