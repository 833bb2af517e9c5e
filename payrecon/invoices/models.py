"""Tables of the invoices domain: series counters, invoices (signed bytes), their changes and
the tax authority's decisions on them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from payrecon.db import Base, BigId, UtcDateTime

INVOICE_KINDS = ("original", "replacement", "adjustment")
INVOICE_STATUSES = ("issued", "cancelled", "replaced", "adjusted")
CHANGE_KINDS = (
    "issue",
    "cancellation",
    "replacement",
    "adjustment",
    "authority_code",
    "authority_rejection",
)
AUTHORITY_OUTCOMES = ("coded", "rejected")


class InvoiceSeries(Base):
    """One series (KHMSHDon + KHHDon) of one agency for one year, and its gapless counter.

    `last_number` is the number of the newest invoice stored in the series; it only moves in
    the transaction that stores that invoice (see counter.take_number).
    """

    __tablename__ = "invoice_series"
    __table_args__ = (
        UniqueConstraint("agency_id", "template_code", "series"),
        CheckConstraint("last_number >= 0 AND last_number <= 99999999", name="number_in_range"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    year: Mapped[int] = mapped_column(Integer)
    template_code: Mapped[str] = mapped_column(String(1))
    series: Mapped[str] = mapped_column(String(6))
    last_number: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Invoice(Base):
    """An issued invoice. `xml` is the signed document byte for byte; it is never rewritten.

    Corrections are new invoices pointing at the one they correct (`related_invoice_id`); the
    corrected invoice keeps its bytes and only changes `status`.
    """

    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("series_id", "number"),
        CheckConstraint(f"kind IN {INVOICE_KINDS!r}", name="kind_known"),
        CheckConstraint(f"status IN {INVOICE_STATUSES!r}", name="status_known"),
        CheckConstraint("number >= 1", name="number_positive"),
        # One original invoice per payment (corrections of it share the payment_id).
        Index(
            "uq_invoices_original_payment_id",
            "payment_id",
            unique=True,
            postgresql_where=text("kind = 'original'"),
            sqlite_where=text("kind = 'original'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("invoice_series.id"))
    template_code: Mapped[str] = mapped_column(String(1))
    series: Mapped[str] = mapped_column(String(6))
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    related_invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    # The payment (and refund) this invoice answers; the FK to payments is added on merge.
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refunds.id"), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    issued_on: Mapped[date] = mapped_column(Date)
    buyer_name: Mapped[str] = mapped_column(String(400))
    payment_method: Mapped[str | None] = mapped_column(String(20))
    total_vnd: Mapped[int] = mapped_column(BigInteger)
    # What the signed XML says, kept beside it for the tax feed (which must not parse XML).
    # Nullable only because a column added to a filled SQLite table cannot be NOT NULL without
    # a default; migration 0009 fills them for invoices issued before it, _issue for new ones.
    seller_tax_code: Mapped[str | None] = mapped_column(String(14))
    buyer_tax_code: Mapped[str | None] = mapped_column(String(14))
    buyer_id_number: Mapped[str | None] = mapped_column(String(20))
    total_before_tax_vnd: Mapped[int | None] = mapped_column(BigInteger)
    total_tax_vnd: Mapped[int | None] = mapped_column(BigInteger)
    lookup_code: Mapped[str] = mapped_column(String(16), unique=True)
    xml: Mapped[bytes] = mapped_column(LargeBinary)
    xml_sha256: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)  # why a correction was issued
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(Text)

    related: Mapped[Invoice | None] = relationship(remote_side=[id])


class InvoiceChange(Base):
    """Every issue, cancellation, replacement, adjustment and tax-authority decision, written in
    the transaction that made it.

    `position` is the change's place in the tax feed. It is NULL when the change is written and
    stamped only after its transaction has committed (sequence.sequence_changes), in the order
    the stamping sees the commits. Ids alone are not a safe feed order on PostgreSQL: an id is
    taken at insert, so a transaction that commits late exposes a smaller id after a reader has
    already paged past it.
    """

    __tablename__ = "invoice_changes"
    __table_args__ = (CheckConstraint(f"kind IN {CHANGE_KINDS!r}", name="kind_known"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    position: Mapped[int | None] = mapped_column(BigInteger, index=True, unique=True)


class InvoiceAuthorityDecision(Base):
    """The tax authority's answer on one invoice: its code (MCCQT) or a rejection with a reason.

    One per invoice and final: the same answer again changes nothing, another one is refused.
    For a code, `xml` is the new stored version of the invoice: the seller-signed bytes with
    MCCQT spliced in before DSCKS (signing.add_authority_code); `Invoice.xml` stays as issued.
    """

    __tablename__ = "invoice_authority_decisions"
    __table_args__ = (
        CheckConstraint(f"outcome IN {AUTHORITY_OUTCOMES!r}", name="outcome_known"),
        CheckConstraint(
            "(outcome = 'coded' AND code IS NOT NULL AND xml IS NOT NULL AND reason IS NULL)"
            " OR (outcome = 'rejected' AND code IS NULL AND xml IS NULL AND reason IS NOT NULL)",
            name="outcome_fields",
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), unique=True)
    outcome: Mapped[str] = mapped_column(String(10))
    code: Mapped[str | None] = mapped_column(String(34), unique=True)
    reason: Mapped[str | None] = mapped_column(Text)
    xml: Mapped[bytes | None] = mapped_column(LargeBinary)
    xml_sha256: Mapped[str | None] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_by: Mapped[str] = mapped_column(String(200))
