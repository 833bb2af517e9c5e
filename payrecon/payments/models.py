"""Tables of the payments domain: payments, events, refunds, idempotency keys, bank credits."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from payrecon.db import Base, BigId, UtcDateTime
from payrecon.dossiers.models import Dossier

METHODS = ("vietqr", "vnpay")
STATUSES = (
    "pending",
    "succeeded",
    "failed",
    "expired",
    "cancelled",
    "refund_pending",
    "refunded",
)
REFUND_STATUSES = ("pending", "awaiting_transfer", "succeeded", "failed")
CREDIT_OUTCOMES = ("settled", "overpaid", "underpaid", "already_paid", "refund_due", "unmatched")
CREDIT_SOURCES = ("webhook", "statement")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Payment(Base):
    """One attempt to pay a dossier's fee, by one method. A retry is a new payment."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount_vnd > 0", name="amount_positive"),
        CheckConstraint(_one_of("method", METHODS), name="method_known"),
        CheckConstraint(_one_of("status", STATUSES), name="status_known"),
        Index("ix_payments_status_method_created", "status", "method", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    reference: Mapped[str] = mapped_column(String(11), unique=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    method: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # the gateway's or bank's id of the transaction that paid it (vnp_TransactionNo …)
    provider_transaction_id: Mapped[str | None] = mapped_column(String(64))
    paid_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # money arrived when the dossier no longer owed it: kept, to be refunded by an officer
    is_duplicate: Mapped[bool] = mapped_column(Boolean, default=False)
    # how to pay, fixed when the payment is created: the signed VNPAY URL, or the VietQR payload
    redirect_url: Mapped[str | None] = mapped_column(Text)
    qr_payload: Mapped[str | None] = mapped_column(String(512))

    dossier: Mapped[Dossier] = relationship()
    refunds: Mapped[list[Refund]] = relationship(
        back_populates="payment", order_by="Refund.id", viewonly=True
    )


class PaymentEvent(Base):
    """Append-only: every state change and every provider message, raw payload kept."""

    __tablename__ = "payment_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    kind: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(200))
    why: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Refund(Base):
    """Money going back to the payer: through the gateway (VNPAY) or by a bank transfer."""

    __tablename__ = "refunds"
    __table_args__ = (
        CheckConstraint("amount_vnd > 0", name="amount_positive"),
        CheckConstraint(_one_of("status", REFUND_STATUSES), name="status_known"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20))
    requested_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # the key sent as vnp_RequestId, reused on a retry so the gateway cannot refund twice
    provider_request_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    provider_response_code: Mapped[str | None] = mapped_column(String(10))
    provider_message: Mapped[str | None] = mapped_column(String(500))

    payment: Mapped[Payment] = relationship(back_populates="refunds")


class IdempotencyKey(Base):
    """The first answer to a POST with an Idempotency-Key, replayed for a repeat of it.

    A key belongs to one client (the API token's public id), so two clients cannot collide
    or read each other's answers.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("client", "key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    client: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(255))
    request_fingerprint: Mapped[str] = mapped_column(String(64))
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class BankCredit(Base):
    """One credit to a collection account: money in, as the bank reported it.

    The first report creates it (a credit notification, or a statement line); the other one,
    when it comes, is linked to it (``notified_at`` / ``statement_line_id``) and never counted
    again. ``counted_vnd`` is what it paid towards ``payment_id``, ``surplus_vnd`` what is to
    be refunded; ``outcome`` is bank_credit.CreditOutcome.
    """

    __tablename__ = "bank_credits"
    __table_args__ = (
        UniqueConstraint("account_number", "bank_transaction_id"),
        CheckConstraint("amount_vnd > 0", name="amount_positive"),
        CheckConstraint("counted_vnd + surplus_vnd <= amount_vnd", name="split_fits"),
        CheckConstraint(_one_of("outcome", CREDIT_OUTCOMES), name="outcome_known"),
        CheckConstraint(_one_of("first_source", CREDIT_SOURCES), name="source_known"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_number: Mapped[str] = mapped_column(String(40))
    bank_transaction_id: Mapped[str] = mapped_column(String(100))
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    content: Mapped[str] = mapped_column(Text)
    transaction_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    booking_date: Mapped[date] = mapped_column(Date)
    reference: Mapped[str | None] = mapped_column(String(11))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    counted_vnd: Mapped[int] = mapped_column(BigInteger)
    surplus_vnd: Mapped[int] = mapped_column(BigInteger)
    first_source: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    notified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    statement_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("statement_lines.id"), unique=True
    )


class BankNotification(Base):
    """Every signed credit notification as delivered, retries and repeats included."""

    __tablename__ = "bank_notifications"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    signed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    body: Mapped[str] = mapped_column(Text)
    bank_credit_id: Mapped[int | None] = mapped_column(ForeignKey("bank_credits.id"), index=True)
    # what we made of it: a bank_credit outcome, "repeat", "linked" or "debit_ignored"
    result: Mapped[str] = mapped_column(String(20))
