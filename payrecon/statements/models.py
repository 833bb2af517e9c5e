"""Tables of the statements domain: bank statements, their lines, gateway settlement batches.

Statement lines and settlement lines are evidence of what a bank or the gateway said. They are
written once, when their file is imported, and never changed: there is no update path in this
domain, and an ORM flush that tries to update one raises (see ``_refuse_update``). A correction
comes from the bank as a new line (a reversal), never as an edit of an old one.
"""

from __future__ import annotations

from datetime import date, datetime

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
    event,
)
from sqlalchemy.orm import Mapped, mapped_column

from payrecon.db import Base, BigId, UtcDateTime

LINE_KINDS = ("entry", "batch", "detail")


class BankStatement(Base):
    """One statement of one collection account, as one file delivered it.

    ``findings`` lists what did not add up at import (balance mismatch, continuity break, batch
    totals): the statement is stored anyway so that the money it shows is not hidden.
    """

    __tablename__ = "bank_statements"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("collection_accounts.id"))
    format: Mapped[str] = mapped_column(String(10))
    statement_ref: Mapped[str | None] = mapped_column(Text)  # camt Stmt/Id, MT940 :20:
    sequence: Mapped[str | None] = mapped_column(String(40))  # camt LglSeqNb, MT940 :28C:
    electronic_sequence: Mapped[str | None] = mapped_column(String(40))
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    opening_balance_vnd: Mapped[int | None] = mapped_column(BigInteger)
    closing_balance_vnd: Mapped[int | None] = mapped_column(BigInteger)
    source_sha256: Mapped[str] = mapped_column(String(64), index=True)
    source_filename: Mapped[str] = mapped_column(String(500))
    position_in_file: Mapped[int] = mapped_column(Integer)
    location: Mapped[str] = mapped_column(Text)
    lines_stored: Mapped[int] = mapped_column(Integer)
    duplicates_skipped: Mapped[int] = mapped_column(Integer)
    findings: Mapped[list] = mapped_column(JSON)
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime)
    imported_by: Mapped[str] = mapped_column(String(200))

    __table_args__ = (Index("ix_bank_statements_account_period", "account_id", "period_end"),)


class StatementLine(Base):
    """One row of a statement. Immutable once imported (no update path exists).

    ``kind`` says whether it carries money: ``entry`` and ``batch`` rows do, ``detail`` rows (one
    transaction inside a batch, ``parent_line_id`` pointing at it) explain their parent and do
    not. ``amount_vnd`` is signed by the effect on the account (credit > 0); it is NULL only for a
    detail the bank gave no amount for.
    """

    __tablename__ = "statement_lines"
    __table_args__ = (
        CheckConstraint("direction IN ('C', 'D')", name="direction_known"),
        CheckConstraint("kind IN ('entry', 'batch', 'detail')", name="kind_known"),
        CheckConstraint("kind = 'detail' OR amount_vnd IS NOT NULL", name="money_rows_have_amount"),
        UniqueConstraint("statement_id", "position"),
        Index("ix_statement_lines_account_booking", "account_id", "booking_date"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("bank_statements.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("collection_accounts.id"))
    position: Mapped[int] = mapped_column(Integer)  # index of the row in its parsed statement
    kind: Mapped[str] = mapped_column(String(10))
    parent_line_id: Mapped[int | None] = mapped_column(ForeignKey("statement_lines.id"), index=True)
    booking_date: Mapped[date | None] = mapped_column(Date)
    value_date: Mapped[date | None] = mapped_column(Date)
    amount_vnd: Mapped[int | None] = mapped_column(BigInteger)
    direction: Mapped[str] = mapped_column(String(1))
    is_reversal: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str | None] = mapped_column(String(10))  # camt BOOK / PDNG / INFO
    bank_reference: Mapped[str | None] = mapped_column(Text)  # the bank's id of the booking
    entry_reference: Mapped[str | None] = mapped_column(Text)  # NtryRef, TxId, MT940 customer ref
    end_to_end_id: Mapped[str | None] = mapped_column(Text)
    remittance_text: Mapped[str | None] = mapped_column(Text)
    creditor_reference: Mapped[str | None] = mapped_column(Text)
    additional_info: Mapped[str | None] = mapped_column(Text)
    counterparty_name: Mapped[str | None] = mapped_column(Text)
    counterparty_account: Mapped[str | None] = mapped_column(Text)
    transaction_code: Mapped[str | None] = mapped_column(Text)
    batch_id: Mapped[str | None] = mapped_column(Text)
    batch_size: Mapped[int | None] = mapped_column(Integer)
    line_number: Mapped[int | None] = mapped_column(Integer)
    location: Mapped[str] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text)


class SettlementBatch(Base):
    """One payout of the card gateway: many payments, one bank credit of ``net_vnd``."""

    __tablename__ = "settlement_batches"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    batch_reference: Mapped[str] = mapped_column(String(100), unique=True)
    settlement_date: Mapped[date] = mapped_column(Date, index=True)
    gross_vnd: Mapped[int] = mapped_column(BigInteger)
    fee_vnd: Mapped[int] = mapped_column(BigInteger)
    net_vnd: Mapped[int] = mapped_column(BigInteger)
    line_count: Mapped[int] = mapped_column(Integer)
    source_sha256: Mapped[str] = mapped_column(String(64))
    source_filename: Mapped[str] = mapped_column(String(500))
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime)
    imported_by: Mapped[str] = mapped_column(String(200))


class SettlementLine(Base):
    """One payment inside a settlement batch. Immutable once imported."""

    __tablename__ = "settlement_lines"
    __table_args__ = (
        CheckConstraint("net_vnd = gross_vnd - fee_vnd", name="net_is_gross_minus_fee"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("settlement_batches.id"), index=True)
    reference: Mapped[str] = mapped_column(String(100), index=True)  # vnp_TxnRef
    gateway_transaction_no: Mapped[str] = mapped_column(String(100), unique=True)
    pay_date: Mapped[date] = mapped_column(Date)
    gross_vnd: Mapped[int] = mapped_column(BigInteger)
    fee_vnd: Mapped[int] = mapped_column(BigInteger)
    net_vnd: Mapped[int] = mapped_column(BigInteger)
    line_number: Mapped[int] = mapped_column(Integer)
    raw: Mapped[str] = mapped_column(Text)


class ImmutableRecord(RuntimeError):
    """Someone tried to change an imported line; that is a programming error, not input."""


def _refuse_update(_mapper, _connection, target) -> None:
    raise ImmutableRecord(
        f"{type(target).__name__} {target.id} is imported evidence and cannot be changed"
    )


for _model in (StatementLine, SettlementLine):
    event.listen(_model, "before_update", _refuse_update)
