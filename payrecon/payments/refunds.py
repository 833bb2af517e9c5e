"""Refunds: money going back to the payer, never more than the payment still holds.

VNPAY payments are refunded through the gateway's refund API: the refund is recorded (and the
payment moved to refund_pending) and committed first, then the gateway is asked, then its
answer is recorded in a second transaction. A crash or a timeout in between leaves a pending
refund with its vnp_RequestId, so asking again cannot refund twice (the gateway answers 94).
VietQR payments came by bank transfer and go back the same way: the refund is recorded as
awaiting_transfer for the finance office, which confirms it with complete_refund_transfer.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from payrecon import audit
from payrecon.db import utcnow
from payrecon.errors import Conflict, InvalidInput, NotFound, UpstreamFailure
from payrecon.payments import queries, recording
from payrecon.payments.gateway_client import GatewayAnswer, VnpayClient, new_request_id
from payrecon.payments.models import Payment, Refund
from payrecon.payments.present import refund_view
from payrecon.payments.settings import PaymentSettings
from payrecon.payments.states import (
    PaymentStatus,
    apply_move,
    check_refund_request,
    status_after_refund,
)
from payrecon.payments.transactions import one_transaction

log = logging.getLogger("payrecon.payments")

# vnp_ResponseCode of the refund API: 00 accepted; 94 this request id was already accepted.
REFUND_ACCEPTED = frozenset({"00", "94"})


def _lock_payment(session: Session, payment_id: int) -> Payment:
    payment = session.scalars(
        select(Payment)
        .where(Payment.id == payment_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if payment is None:
        raise NotFound(f"no payment with id {payment_id}", where="path.payment_id")
    return payment


def _answer(session: Session, refund: Refund) -> dict:
    payment = session.get(Payment, refund.payment_id)
    assert payment is not None
    return refund_view(refund) | {"payment_status": payment.status}


@one_transaction
def request_refund(
    session: Session,
    payment_id: int,
    *,
    amount_vnd: int,
    reason: str,
    actor: str,
    settings: PaymentSettings,
    expected_available_vnd: int | None = None,
    client: VnpayClient | None = None,
    now: datetime | None = None,
) -> dict:
    """Refund `amount_vnd` of a paid payment; the refund resource with the payment's status.

    Refused (409) when the payment holds no money or less than asked, or when
    `expected_available_vnd` (the amount the officer saw) is stale.
    """
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("a refund needs a reason", where="body.reason")
    now = now or utcnow()
    payment = _lock_payment(session, payment_id)
    totals = queries.refund_totals(session, payment.id)
    check_refund_request(
        status=PaymentStatus(payment.status),
        paid_vnd=payment.amount_vnd,
        refunded_or_pending_vnd=totals.spoken_for_vnd,
        requested_vnd=amount_vnd,
        expected_available_vnd=expected_available_vnd,
    )
    by_gateway = payment.method == "vnpay"
    refund = Refund(
        payment_id=payment.id,
        amount_vnd=amount_vnd,
        reason=reason[:500],
        status="pending" if by_gateway else "awaiting_transfer",
        requested_by=actor,
        created_at=now,
        provider_request_id=new_request_id() if by_gateway else None,
    )
    session.add(refund)
    session.flush()
    audit.record_change(session, refund, "status", None, refund.status, actor=actor, why=reason)
    recording.add_event(
        session,
        payment,
        "refund_requested",
        actor=actor,
        why=reason,
        payload={"refund_id": refund.id, "amount_vnd": amount_vnd},
    )
    new_status = apply_move(PaymentStatus(payment.status), PaymentStatus.REFUND_PENDING)
    if new_status is not None:
        recording.change_status(
            session, payment, new_status, actor=actor, why=f"refund {refund.id}: {reason}"
        )
    session.commit()
    if not by_gateway:
        return _answer(session, refund)

    full = amount_vnd == payment.amount_vnd
    try:
        gateway = client or VnpayClient(settings.require_vnpay())
        answer = gateway.refund(
            request_id=refund.provider_request_id or "",
            reference=payment.reference,
            amount_vnd=amount_vnd,
            full=full,
            transaction_date=payment.created_at,
            transaction_no=payment.provider_transaction_id,
            created_by=actor,
            now=now,
            order_info=f"Hoan tien {payment.reference}",
        )
    except UpstreamFailure as exc:
        log.warning("refund %s of %s: %s; left pending", refund.id, payment.reference, exc)
        refund = session.get(Refund, refund.id, with_for_update=True)
        assert refund is not None
        refund.provider_message = f"no usable answer: {exc}"[:500]
        session.commit()
        return _answer(session, refund)
    return _record_gateway_answer(session, refund.id, answer, actor=actor)


def _record_gateway_answer(
    session: Session, refund_id: int, answer: GatewayAnswer, *, actor: str
) -> dict:
    accepted = answer.response_code in REFUND_ACCEPTED
    refund = _finish(
        session,
        refund_id,
        succeeded=accepted,
        actor=actor,
        why=f"VNPAY refund answer {answer.response_code}: {answer.message}",
        response_code=answer.response_code,
        message=answer.message,
    )
    return _answer(session, refund)


@one_transaction
def complete_refund_transfer(
    session: Session, refund_id: int, *, actor: str, note: str | None = None
) -> dict:
    """The finance office has paid a VietQR refund back by bank transfer."""
    refund = session.get(Refund, refund_id)
    if refund is None:
        raise NotFound(f"no refund with id {refund_id}", where="path.refund_id")
    if refund.status == "succeeded":
        return _answer(session, refund)  # a repeat: nothing to do
    if refund.status != "awaiting_transfer":
        raise Conflict(
            f"refund {refund_id} is {refund.status}; only a refund awaiting a bank transfer "
            "is completed by hand",
            where="path.refund_id",
        )
    refund = _finish(
        session,
        refund_id,
        succeeded=True,
        actor=actor,
        why=note or "paid back by bank transfer",
        response_code=None,
        message=note,
    )
    return _answer(session, refund)


def _finish(
    session: Session,
    refund_id: int,
    *,
    succeeded: bool,
    actor: str,
    why: str,
    response_code: str | None,
    message: str | None,
) -> Refund:
    """Record a refund's outcome and move its payment on when no refund is left in flight."""
    refund = session.get(Refund, refund_id)
    assert refund is not None
    payment = _lock_payment(session, refund.payment_id)
    refund = session.get(Refund, refund_id, with_for_update=True, populate_existing=True)
    assert refund is not None
    if refund.status not in queries.REFUND_IN_FLIGHT:
        session.rollback()
        return refund
    new_refund_status = "succeeded" if succeeded else "failed"
    audit.record_change(
        session, refund, "status", refund.status, new_refund_status, actor=actor, why=why
    )
    refund.status = new_refund_status
    refund.completed_at = utcnow()
    refund.provider_response_code = response_code
    refund.provider_message = (message or "")[:500] or None
    recording.add_event(
        session,
        payment,
        "refund_succeeded" if succeeded else "refund_failed",
        actor=actor,
        why=why,
        payload={"refund_id": refund.id, "amount_vnd": refund.amount_vnd},
    )
    session.flush()
    totals = queries.refund_totals(session, payment.id)
    if totals.in_flight_vnd == 0:
        after = status_after_refund(paid_vnd=payment.amount_vnd, refunded_vnd=totals.refunded_vnd)
        new_status = apply_move(PaymentStatus(payment.status), after)
        if new_status is not None:
            recording.change_status(
                session, payment, new_status, actor=actor, why=f"refund {refund.id}: {why}"
            )
    if succeeded and not payment.is_duplicate:
        recording.announce_refund(session, refund)
    session.commit()
    return refund
