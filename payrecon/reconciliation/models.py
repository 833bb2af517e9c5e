"""Tables of the reconciliation domain: runs, their matches, proposals and exceptions.

A run is one execution of the engine for one business date. Its matches, proposals and
exceptions are written once, when it finishes, and belong to it; a re-run for the same date is
a new run. What officers decide lives on the exception rows (status, resolution, who, when,
note) and is carried to the exceptions of later runs with the same fingerprint. Every action
on an exception is a row of `reconciliation_exception_actions` (and an audit record).

Manual links (an officer confirming a proposal or linking a line to a payment by hand) are
their own table because they outlive runs: every later run applies them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from payrecon.db import Base, BigId, UtcDateTime

RUN_STATUSES = ("running", "finished", "failed")
EXCEPTION_STATUSES = ("open", "resolved")
RESOLUTIONS = ("confirmed", "linked", "refund_due", "written_off", "resolved_by_data")


class ReconciliationRun(Base):
    """One reconciliation of one business date: parameters, timing, counts and status."""

    __tablename__ = "reconciliation_runs"
    __table_args__ = (Index("ix_reconciliation_runs_date", "business_date", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    business_date: Mapped[date] = mapped_column(Date)
    window_start: Mapped[date] = mapped_column(Date)
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    started_by: Mapped[str] = mapped_column(String(200))
    match_count: Mapped[int] = mapped_column(Integer, default=0)
    proposal_count: Mapped[int] = mapped_column(Integer, default=0)
    exception_count: Mapped[int] = mapped_column(Integer, default=0)
    awaiting_count: Mapped[int] = mapped_column(Integer, default=0)
    self_closed_count: Mapped[int] = mapped_column(Integer, default=0)
    exception_counts: Mapped[dict[str, int]] = mapped_column(JSON)  # kind -> count
    # totals by agency and procedure, computed from the run's input (see service._summary)
    summary: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)


class ReconciliationMatch(Base):
    """One row of a match: which payment, which bank line or batch, by what rule."""

    __tablename__ = "reconciliation_matches"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("reconciliation_runs.id"), index=True)
    match_no: Mapped[int] = mapped_column(Integer)
    rule: Mapped[str] = mapped_column(String(40))
    payment_id: Mapped[int | None] = mapped_column(BigInteger)
    line_id: Mapped[int] = mapped_column(BigInteger)
    paired_line_id: Mapped[int | None] = mapped_column(BigInteger)
    batch_id: Mapped[int | None] = mapped_column(BigInteger)
    refund_id: Mapped[int | None] = mapped_column(BigInteger)
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    fee_vnd: Mapped[int] = mapped_column(BigInteger)
    confidence: Mapped[float] = mapped_column(Float)


class ReconciliationProposal(Base):
    """A candidate payment for an unmatched credit; rank 1 is the engine's suggestion."""

    __tablename__ = "reconciliation_proposals"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("reconciliation_runs.id"), index=True)
    line_id: Mapped[int] = mapped_column(BigInteger)
    rank: Mapped[int] = mapped_column(Integer)
    payment_id: Mapped[int] = mapped_column(BigInteger)
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    day_distance: Mapped[int] = mapped_column(Integer)
    confidence: Mapped[float] = mapped_column(Float)


class ReconciliationException(Base):
    """Something an officer must look at; its fingerprint is stable across runs."""

    __tablename__ = "reconciliation_exceptions"
    __table_args__ = (
        UniqueConstraint("run_id", "fingerprint"),
        Index("ix_reconciliation_exceptions_fingerprint", "fingerprint"),
        # the queue reads only current rows, in this order
        Index(
            "ix_reconciliation_exceptions_current",
            "kind",
            "fingerprint",
            postgresql_where=text("is_current"),
            sqlite_where=text("is_current"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("reconciliation_runs.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    fingerprint: Mapped[str] = mapped_column(String(500))
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    payment_id: Mapped[int | None] = mapped_column(BigInteger)  # first payment, for reports
    line_id: Mapped[int | None] = mapped_column(BigInteger)  # first bank line, for reports
    agency_id: Mapped[int | None] = mapped_column(BigInteger)  # whose money, for reports
    procedure_id: Mapped[int | None] = mapped_column(BigInteger)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10))
    resolution: Mapped[str | None] = mapped_column(String(30))
    resolved_by: Mapped[str | None] = mapped_column(String(200))
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    note: Mapped[str | None] = mapped_column(Text)
    # a write-off waits for a second officer (four eyes)
    proposed_resolution: Mapped[str | None] = mapped_column(String(30))
    proposed_by: Mapped[str | None] = mapped_column(String(200))
    proposed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    proposed_reason: Mapped[str | None] = mapped_column(Text)
    # the newest row of its fingerprint among finished runs: the one the queue shows
    # (kept by current.mark_current when a later run writes the fingerprint again)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class ExceptionAction(Base):
    """Every action on an exception, in order: the exception's history."""

    __tablename__ = "reconciliation_exception_actions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    exception_id: Mapped[int] = mapped_column(
        ForeignKey("reconciliation_exceptions.id"), index=True
    )
    fingerprint: Mapped[str] = mapped_column(String(500), index=True)
    action: Mapped[str] = mapped_column(String(30))
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    note: Mapped[str | None] = mapped_column(Text)


class ManualLink(Base):
    """An officer's decision that a bank line pays a payment; applied by every later run."""

    __tablename__ = "reconciliation_manual_links"
    __table_args__ = (UniqueConstraint("line_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("statement_lines.id"))
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    how: Mapped[str] = mapped_column(String(20))  # confirmed (a proposal) or linked
    linked_by: Mapped[str] = mapped_column(String(200))
    linked_at: Mapped[datetime] = mapped_column(UtcDateTime)
