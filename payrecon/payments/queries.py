"""Read-only selects over payments and refunds (for the web, the services and reconciliation)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, select
from sqlalchemy.orm import Session, aliased, joinedload

from payrecon.dossiers.models import Dossier
from payrecon.errors import NotFound
from payrecon.payments.models import BankCredit, Payment, PaymentEvent, Refund

# Statuses whose amount the payer has paid (a refunded payment's refunds are subtracted).
MONEY_TAKEN = ("succeeded", "refund_pending", "refunded")
REFUND_IN_FLIGHT = ("pending", "awaiting_transfer")


def find_payment(session: Session, payment_id: int) -> Payment | None:
    return session.get(Payment, payment_id)


def get_payment(session: Session, payment_id: int, *, where: str = "path.payment_id") -> Payment:
    payment = find_payment(session, payment_id)
    if payment is None:
        raise NotFound(f"no payment with id {payment_id}", where=where)
    return payment


def find_payment_by_reference(session: Session, reference: str) -> Payment | None:
    return session.scalars(select(Payment).where(Payment.reference == reference)).one_or_none()


def get_payment_by_reference(session: Session, reference: str) -> Payment:
    payment = find_payment_by_reference(session, reference)
    if payment is None:
        raise NotFound(f"no payment with reference {reference!r}", where="path.reference")
    return payment


@dataclass(frozen=True)
class RefundTotals:
    refunded_vnd: int  # confirmed by the provider or the finance office
    in_flight_vnd: int  # asked for, not yet confirmed

    @property
    def spoken_for_vnd(self) -> int:
        return self.refunded_vnd + self.in_flight_vnd


def refund_totals(session: Session, payment_id: int) -> RefundTotals:
    rows = session.execute(
        select(Refund.status, func.coalesce(func.sum(Refund.amount_vnd), 0))
        .where(Refund.payment_id == payment_id)
        .group_by(Refund.status)
    ).all()
    by_status = {status: int(total) for status, total in rows}
    return RefundTotals(
        refunded_vnd=by_status.get("succeeded", 0),
        in_flight_vnd=sum(by_status.get(status, 0) for status in REFUND_IN_FLIGHT),
    )


def paid_vnd_expression(dossier_id: Any, *, excluding_payment_id: Any = None) -> ColumnElement[int]:
    """Money the dossier's payer has paid and we still hold, as one SQL expression.

    Taken minus refunds completed. `dossier_id` and `excluding_payment_id` may be values or
    columns of an enclosing statement, so the sum can ride along in another select (one round
    trip instead of two); it reads what the enclosing statement's snapshot sees.
    """
    paid = aliased(Payment)
    taken_query = select(func.coalesce(func.sum(paid.amount_vnd), 0)).where(
        paid.dossier_id == dossier_id, paid.status.in_(MONEY_TAKEN)
    )
    refunded_query = (
        select(func.coalesce(func.sum(Refund.amount_vnd), 0))
        .join(paid, paid.id == Refund.payment_id)
        .where(paid.dossier_id == dossier_id, Refund.status == "succeeded")
    )
    if excluding_payment_id is not None:
        taken_query = taken_query.where(paid.id != excluding_payment_id)
        refunded_query = refunded_query.where(paid.id != excluding_payment_id)
    return taken_query.scalar_subquery() - refunded_query.scalar_subquery()


def paid_vnd_for_dossier(
    session: Session, dossier_id: int, *, excluding_payment_id: int | None = None
) -> int:
    """Money the dossier's payer has paid and we still hold: taken minus refunds completed."""
    paid = session.execute(
        select(paid_vnd_expression(dossier_id, excluding_payment_id=excluding_payment_id))
    ).scalar_one()
    return int(paid or 0)


@dataclass(frozen=True)
class DossierStanding:
    """What a locked dossier has been paid, and its live pending payment by one method."""

    paid_vnd: int
    live_pending: Payment | None


# Built once: on the request path, building a statement and its cache key costs more Python
# time than running it. Parameters: dossier_id, method, now.
_STANDING = select(
    paid_vnd_expression(bindparam("dossier_id")),
    select(Payment.id)
    .where(
        Payment.dossier_id == bindparam("dossier_id"),
        Payment.method == bindparam("method"),
        Payment.status == "pending",
        Payment.expires_at > bindparam("now"),
    )
    .order_by(Payment.id.desc())
    .limit(1)
    .scalar_subquery(),
)


def dossier_standing(
    session: Session, dossier_id: int, method: str, now: datetime
) -> DossierStanding:
    """Paid so far (as paid_vnd_for_dossier) and the dossier's pending, unexpired payment by
    `method` (the newest), in one statement.

    Read it after locking the dossier: the statement's snapshot then includes every change
    made by whoever held the lock before.
    """
    paid, live_id = session.execute(
        _STANDING, {"dossier_id": dossier_id, "method": method, "now": now}
    ).one()
    return DossierStanding(
        paid_vnd=int(paid or 0),
        live_pending=session.get(Payment, live_id) if live_id is not None else None,
    )


@dataclass(frozen=True)
class DossierPayments:
    """What a dossier owes and what has been paid on it."""

    dossier: Dossier
    paid_vnd: int
    outstanding_vnd: int
    overpaid_vnd: int
    payments: list[Payment]


# Built once (see _STANDING); parameter: dossier_id. The paid sum rides along on every row:
# a dossier without payments has paid nothing, so no row needs no sum.
_PAYMENTS_AND_PAID = (
    select(Payment, paid_vnd_expression(bindparam("dossier_id")))
    .where(Payment.dossier_id == bindparam("dossier_id"))
    .order_by(Payment.id)
)


def dossier_payments(session: Session, dossier: Dossier) -> DossierPayments:
    rows = session.execute(_PAYMENTS_AND_PAID, {"dossier_id": dossier.id}).all()
    paid = int(rows[0][1] or 0) if rows else 0
    return DossierPayments(
        dossier=dossier,
        paid_vnd=paid,
        outstanding_vnd=max(dossier.fee_due_vnd - paid, 0),
        overpaid_vnd=max(paid - dossier.fee_due_vnd, 0),
        payments=[payment for payment, _ in rows],
    )


def list_events(session: Session, payment_id: int) -> list[PaymentEvent]:
    return list(
        session.scalars(
            select(PaymentEvent)
            .where(PaymentEvent.payment_id == payment_id)
            .order_by(PaymentEvent.id)
        )
    )


def list_refunds(session: Session, payment_id: int) -> list[Refund]:
    return list(
        session.scalars(select(Refund).where(Refund.payment_id == payment_id).order_by(Refund.id))
    )


def get_refund(session: Session, payment_id: int, refund_id: int) -> Refund:
    refund = session.get(Refund, refund_id)
    if refund is None or refund.payment_id != payment_id:
        raise NotFound(
            f"payment {payment_id} has no refund with id {refund_id}", where="path.refund_id"
        )
    return refund


def pending_payment_ids(
    session: Session,
    *,
    method: str | None = None,
    created_before: datetime | None = None,
    expired_before: datetime | None = None,
) -> list[int]:
    """Ids of pending payments, oldest first, filtered by method and age."""
    query = select(Payment.id).where(Payment.status == "pending")
    if method is not None:
        query = query.where(Payment.method == method)
    if created_before is not None:
        query = query.where(Payment.created_at < created_before)
    if expired_before is not None:
        query = query.where(Payment.expires_at <= expired_before)
    return list(session.scalars(query.order_by(Payment.id)))


def search_payments(
    session: Session,
    *,
    reference: str | None = None,
    dossier_code: str | None = None,
    applicant_id_number: str | None = None,
    payment_ids: list[int] | None = None,
    limit: int = 100,
) -> list[Payment]:
    """Payments matching every criterion given (exact matches), newest first, with their
    dossier and procedure loaded. No criterion at all finds nothing rather than everything."""
    if (reference, dossier_code, applicant_id_number, payment_ids) == (None, None, None, None):
        return []
    query = (
        select(Payment)
        .join(Dossier, Dossier.id == Payment.dossier_id)
        .options(joinedload(Payment.dossier).joinedload(Dossier.procedure))
        .order_by(Payment.created_at.desc(), Payment.id.desc())
        .limit(limit)
    )
    if reference is not None:
        query = query.where(Payment.reference == reference)
    if dossier_code is not None:
        query = query.where(Dossier.code == dossier_code)
    if applicant_id_number is not None:
        query = query.where(Dossier.applicant_id_number == applicant_id_number)
    if payment_ids is not None:
        query = query.where(Payment.id.in_(payment_ids))
    return list(session.scalars(query))


# Bank credits that leave work for an officer: a shortfall to chase, money to refund, or money
# that names no payment (see bank_credit.NEEDS_AN_OFFICER).
CREDIT_EXCEPTIONS = ("overpaid", "underpaid", "already_paid", "refund_due", "unmatched")


def list_bank_credits(session: Session, payment_id: int) -> list[BankCredit]:
    """The bank credits that paid towards (or were surplus to) one payment, oldest first."""
    return list(
        session.scalars(
            select(BankCredit).where(BankCredit.payment_id == payment_id).order_by(BankCredit.id)
        )
    )


def list_credit_exceptions(session: Session, *, limit: int = 500) -> list[BankCredit]:
    """Bank credits an officer must look at, newest first."""
    return list(
        session.scalars(
            select(BankCredit)
            .where(BankCredit.outcome.in_(CREDIT_EXCEPTIONS))
            .order_by(BankCredit.id.desc())
            .limit(limit)
        )
    )
