"""Money arriving: a verified VNPAY IPN, or a bank credit matched to a payment reference.

Both lock the dossier, then the payment, and ask states.on_money_received what the money
means, so two payments of one dossier paid at the same moment end as one success and one
duplicate to refund, never two silent successes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from payrecon.db import utcnow
from payrecon.dossiers.models import Dossier
from payrecon.errors import Conflict, NotFound
from payrecon.faults import fault_point
from payrecon.payments import queries, recording
from payrecon.payments.models import Payment
from payrecon.payments.settings import VnpayTerminal
from payrecon.payments.states import MoneyOutcome, PaymentStatus, apply_move, on_money_received
from payrecon.payments.transactions import one_transaction
from payrecon.payments.vnpay_protocol import (
    GMT7,
    BadSignature,
    IpnAnswer,
    RspCode,
    ipn_decision,
    verify_query,
)

log = logging.getLogger("payrecon.payments")


class AmountMismatch(Conflict):
    """The money reported differs from the payment's amount."""


@dataclass(frozen=True)
class MoneyResult:
    payment_id: int
    outcome: MoneyOutcome | None  # None: a second, different charge of a paid payment


def lock_dossier_and_payment(session: Session, payment: Payment) -> tuple[Dossier, Payment]:
    """Dossier first, then the payment (the order every payment operation keeps)."""
    dossier = session.scalars(
        select(Dossier).where(Dossier.id == payment.dossier_id).with_for_update()
    ).one()
    locked = session.scalars(
        select(Payment)
        .where(Payment.id == payment.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    return dossier, locked


@dataclass(frozen=True)
class LockedPayment:
    dossier: Dossier
    payment: Payment
    paid_by_others_vnd: int  # what the dossier's other payments hold, read under both locks


# Built once (see queries._STANDING); parameter: reference.
_LOCK_DOSSIER_OF_REFERENCE = (
    select(Dossier)
    .where(
        Dossier.id
        == select(Payment.dossier_id)
        .where(Payment.reference == bindparam("reference"))
        .scalar_subquery()
    )
    .with_for_update()
)
_LOCK_PAYMENT_OF_REFERENCE = (
    select(
        Payment, queries.paid_vnd_expression(Payment.dossier_id, excluding_payment_id=Payment.id)
    )
    .where(Payment.reference == bindparam("reference"))
    .with_for_update(of=Payment)
    .execution_options(populate_existing=True)
)


def lock_by_reference(session: Session, reference: str) -> LockedPayment | None:
    """lock_dossier_and_payment for a reference, in two statements instead of four.

    The dossier is found through the payment's (immutable) dossier_id and locked first; the
    second statement locks the payment and sums what the dossier's other payments hold. That
    statement starts once the dossier lock is ours, so its snapshot holds every payment that
    money reached under that lock before (IPNs, bank credits, querydr all take it), as the
    separate sum query did; FOR UPDATE re-reads the payment row at its newest version.
    None for an unknown reference.
    """
    parameters = {"reference": reference}
    dossier = session.scalars(_LOCK_DOSSIER_OF_REFERENCE, parameters).one_or_none()
    if dossier is None:
        return None
    payment, paid_by_others = session.execute(_LOCK_PAYMENT_OF_REFERENCE, parameters).one()
    return LockedPayment(dossier, payment, int(paid_by_others or 0))


def _dossier_still_due(
    session: Session, dossier: Dossier, payment: Payment, paid_by_others_vnd: int | None
) -> bool:
    if dossier.status == "cancelled":
        return False
    if paid_by_others_vnd is None:
        paid_by_others_vnd = queries.paid_vnd_for_dossier(
            session, dossier.id, excluding_payment_id=payment.id
        )
    return paid_by_others_vnd < dossier.fee_due_vnd


def take_money(
    session: Session,
    dossier: Dossier,
    payment: Payment,
    *,
    provider_transaction_id: str | None,
    paid_at: datetime,
    actor: str,
    source: str,
    paid_by_others_vnd: int | None = None,
) -> MoneyResult:
    """Apply a success report to a locked payment; the caller has checked the amount.

    `paid_by_others_vnd` is LockedPayment's sum when the caller has it; otherwise it is read.
    """
    already_paid = payment.status in queries.MONEY_TAKEN
    if (
        already_paid
        and provider_transaction_id
        and payment.provider_transaction_id
        and provider_transaction_id != payment.provider_transaction_id
    ):
        why = (
            f"{source} reports a second charge {provider_transaction_id} for a payment already "
            f"paid by {payment.provider_transaction_id}: duplicate money to refund"
        )
        recording.add_event(session, payment, "second_charge", actor=actor, why=why)
        log.warning("payment %s: %s", payment.reference, why)
        return MoneyResult(payment.id, None)
    outcome = on_money_received(
        PaymentStatus(payment.status),
        dossier_still_due=_dossier_still_due(session, dossier, payment, paid_by_others_vnd),
    )
    if outcome.new_status is not None:
        payment.paid_at = paid_at
        payment.provider_transaction_id = provider_transaction_id
        payment.is_duplicate = outcome.refund_due
        recording.change_status(
            session, payment, outcome.new_status, actor=actor, why=f"{source}: {outcome.why}"
        )
        if outcome.refund_due:
            log.warning("payment %s: %s", payment.reference, outcome.why)
        else:
            # Only money that pays the fee is invoiced; a duplicate goes back to the payer.
            recording.announce_success(session, payment, dossier.code)
    return MoneyResult(payment.id, outcome)


@one_transaction
def record_money_received(
    session: Session,
    *,
    reference: str,
    amount_vnd: int,
    provider_transaction_id: str | None,
    paid_at: datetime,
    actor: str,
    source: str,
    payload: dict[str, Any] | None = None,
) -> MoneyResult:
    """A bank (or any verified source) says `amount_vnd` arrived for payment `reference`.

    Raises NotFound for an unknown reference and AmountMismatch for another amount: both are
    for reconciliation to pursue, and nothing is written.
    """
    locked = lock_by_reference(session, reference)
    if locked is None:
        raise NotFound(f"no payment with reference {reference!r}", where="reference")
    dossier, payment = locked.dossier, locked.payment
    if amount_vnd != payment.amount_vnd:
        raise AmountMismatch(
            f"payment {reference} is for {payment.amount_vnd} VND; {source} reports "
            f"{amount_vnd} VND",
            where="amount_vnd",
        )
    recording.add_event(
        session, payment, "provider_message", actor=actor, why=source, payload=payload
    )
    result = take_money(
        session,
        dossier,
        payment,
        provider_transaction_id=provider_transaction_id,
        paid_at=paid_at,
        actor=actor,
        source=source,
        paid_by_others_vnd=locked.paid_by_others_vnd,
    )
    session.commit()
    return result


def pay_date_of(values: dict[str, str]) -> datetime:
    text = values.get("vnp_PayDate", "")
    try:
        return datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=GMT7)
    except ValueError:
        return utcnow()


@one_transaction
def handle_vnpay_ipn(session: Session, *, raw_query: str, terminal: VnpayTerminal) -> IpnAnswer:
    """Verify an IPN on its raw query string, then act on it once; the answer VNPAY expects.

    An IPN whose signature does not verify changes and stores nothing (a log line only) and
    is answered 97. A verified one is stored as a payment event with its raw query, whatever
    it says, and decided by vnpay_protocol.ipn_decision under the dossier and payment locks.
    """
    try:
        values = verify_query(raw_query, terminal.hash_secret)
    except BadSignature as exc:
        log.warning("VNPAY IPN refused: %s (%s)", exc, exc.where)
        return IpnAnswer(RspCode.INVALID_SIGNATURE)
    reference = values.get("vnp_TxnRef", "")
    locked = lock_by_reference(session, reference)
    if locked is None:
        log.warning("VNPAY IPN for unknown reference %r", reference)
        session.rollback()
        return IpnAnswer(
            ipn_decision(
                found=False,
                expected_amount_vnd=None,
                reported_amount="",
                current_status=None,
                response_code="",
                transaction_status="",
            ).rsp_code
        )
    dossier, payment = locked.dossier, locked.payment
    response_code = values.get("vnp_ResponseCode", "")
    transaction_status = values.get("vnp_TransactionStatus", "")
    decision = ipn_decision(
        found=True,
        expected_amount_vnd=payment.amount_vnd,
        reported_amount=values.get("vnp_Amount", ""),
        current_status=PaymentStatus(payment.status),
        response_code=response_code,
        transaction_status=transaction_status,
    )
    actor = "gateway:vnpay"
    recording.add_event(
        session,
        payment,
        "vnpay_ipn",
        actor=actor,
        why=f"answered RspCode {decision.rsp_code.value}",
        payload={"raw_query": raw_query, "values": values},
    )
    succeeded = response_code == "00" and transaction_status == "00"
    if decision.rsp_code == RspCode.INVALID_AMOUNT:
        log.warning(
            "VNPAY IPN for %s reports vnp_Amount %s; we asked %s VND: for reconciliation",
            reference,
            values.get("vnp_Amount"),
            payment.amount_vnd,
        )
    elif decision.wanted == PaymentStatus.SUCCEEDED or (
        succeeded and decision.rsp_code == RspCode.ORDER_ALREADY_CONFIRMED
    ):
        take_money(
            session,
            dossier,
            payment,
            provider_transaction_id=values.get("vnp_TransactionNo") or None,
            paid_at=pay_date_of(values),
            actor=actor,
            source="VNPAY IPN",
            paid_by_others_vnd=locked.paid_by_others_vnd,
        )
    elif decision.wanted == PaymentStatus.FAILED:
        new_status = apply_move(PaymentStatus(payment.status), PaymentStatus.FAILED)
        if new_status is not None:
            recording.change_status(
                session,
                payment,
                new_status,
                actor=actor,
                why=f"VNPAY reports failure: vnp_ResponseCode {response_code}, "
                f"vnp_TransactionStatus {transaction_status}",
            )
    fault_point("ipn_before_commit")
    session.commit()
    return IpnAnswer(decision.rsp_code)
