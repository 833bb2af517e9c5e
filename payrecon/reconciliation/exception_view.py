"""Everything the officer's exception page shows, read in one place: the exception, its run,
the rows its evidence names, the engine's candidate matches and the history of its fingerprint.

Read-only. The evidence JSON names rows by id (`payment_ids`, `line_ids`, `batch_ids`,
`refund_ids`, `invoice_ids`) and dossiers by code (`dossier_ids`); whatever else it holds
(a fee due, a reason, a status) is passed on as `details`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from payrecon.dossiers.models import Dossier
from payrecon.invoices.models import Invoice
from payrecon.payments.models import Payment, Refund
from payrecon.reconciliation import queries
from payrecon.reconciliation.models import (
    ExceptionAction,
    ReconciliationException,
    ReconciliationProposal,
    ReconciliationRun,
)
from payrecon.statements.models import SettlementBatch, StatementLine

ID_KEYS = ("payment_ids", "line_ids", "batch_ids", "refund_ids", "invoice_ids", "dossier_ids")


@dataclass(frozen=True)
class Candidate:
    """One proposal of the engine: this line may pay this payment. Rank 1 is its suggestion."""

    proposal: ReconciliationProposal
    payment: Payment | None
    line: StatementLine | None


@dataclass(frozen=True)
class ExceptionView:
    exception: ReconciliationException
    run: ReconciliationRun
    payments: list[Payment] = field(default_factory=list)
    dossiers: list[Dossier] = field(default_factory=list)
    lines: list[StatementLine] = field(default_factory=list)
    invoices: list[Invoice] = field(default_factory=list)
    batches: list[SettlementBatch] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    history: list[ExceptionAction] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


def _ids(evidence: dict[str, Any], key: str, *extra: int | None) -> list[int]:
    values = {int(v) for v in evidence.get(key) or () if str(v).lstrip("-").isdigit()}
    values.update(v for v in extra if v is not None)
    return sorted(values)


def _rows(session: Session, model, ids: Iterable[int]) -> list:
    ids = list(ids)
    if not ids:
        return []
    return list(session.scalars(select(model).where(model.id.in_(ids)).order_by(model.id)))


def candidates_for(
    session: Session, run_id: int, line_ids: list[int], payment_ids: list[int]
) -> list[Candidate]:
    """The run's proposals for these lines or payments, best first (rank, then confidence)."""
    if not line_ids and not payment_ids:
        return []
    proposals = list(
        session.scalars(
            select(ReconciliationProposal)
            .where(
                ReconciliationProposal.run_id == run_id,
                or_(
                    ReconciliationProposal.line_id.in_(line_ids),
                    ReconciliationProposal.payment_id.in_(payment_ids),
                ),
            )
            .order_by(
                ReconciliationProposal.rank,
                ReconciliationProposal.confidence.desc(),
                ReconciliationProposal.id,
            )
        )
    )
    payments = {p.id: p for p in _rows(session, Payment, {p.payment_id for p in proposals})}
    line_ids = {p.line_id for p in proposals}
    lines = {line.id: line for line in _rows(session, StatementLine, line_ids)}
    return [Candidate(p, payments.get(p.payment_id), lines.get(p.line_id)) for p in proposals]


def exception_view(session: Session, exception_id: int) -> ExceptionView:
    """The exception page's content; NotFound when there is no such exception."""
    exception = queries.get_exception(session, exception_id)
    run = queries.get_run(session, exception.run_id)
    evidence = dict(exception.evidence or {})
    payments = _rows(session, Payment, _ids(evidence, "payment_ids", exception.payment_id))
    lines = _rows(session, StatementLine, _ids(evidence, "line_ids", exception.line_id))
    codes = {str(code) for code in evidence.get("dossier_ids") or ()}
    dossier_ids = {payment.dossier_id for payment in payments}
    dossiers = list(
        session.scalars(
            select(Dossier)
            .where(or_(Dossier.code.in_(codes), Dossier.id.in_(dossier_ids)))
            .order_by(Dossier.code)
        )
    )
    payment_ids = [payment.id for payment in payments]
    invoice_ids = set(_ids(evidence, "invoice_ids"))
    invoice_ids.update(
        session.scalars(select(Invoice.id).where(Invoice.payment_id.in_(payment_ids)))
    )
    refund_ids = set(_ids(evidence, "refund_ids"))
    refund_ids.update(session.scalars(select(Refund.id).where(Refund.payment_id.in_(payment_ids))))
    return ExceptionView(
        exception=exception,
        run=run,
        payments=payments,
        dossiers=dossiers,
        lines=lines,
        invoices=_rows(session, Invoice, invoice_ids),
        batches=_rows(session, SettlementBatch, _ids(evidence, "batch_ids")),
        refunds=_rows(session, Refund, refund_ids),
        candidates=candidates_for(session, run.id, [line.id for line in lines], payment_ids),
        history=queries.exception_history(session, exception.fingerprint),
        details={key: value for key, value in evidence.items() if key not in ID_KEYS},
    )
