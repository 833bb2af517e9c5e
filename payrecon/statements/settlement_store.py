"""The database half of a settlement report import: which batches are new, and storing them.

Called only by ``service.import_settlement_file``, inside its transaction; nothing here commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from payrecon.errors import ImportRejected, Problem
from payrecon.statements.models import SettlementBatch, SettlementLine
from payrecon.statements.parsed import ParsedSettlement


def _settlement_fingerprint(rows) -> set[tuple]:
    return {
        (row.reference, row.gateway_transaction_no, row.gross_vnd, row.fee_vnd, row.net_vnd)
        for row in rows
    }


def new_settlement_batches(
    session: Session, batches: Sequence[ParsedSettlement], *, source: str
) -> tuple[list[ParsedSettlement], int]:
    """(batches to store, batches already stored identically); refuse a batch that changed."""
    references = [batch.batch_id for batch in batches]
    stored = {
        batch.batch_reference: batch
        for batch in session.scalars(
            select(SettlementBatch).where(SettlementBatch.batch_reference.in_(references))
        )
    }
    numbers = [row.gateway_transaction_no for batch in batches for row in batch.rows]
    known_numbers: dict[str, str] = {}
    for start in range(0, len(numbers), 1000):
        query = (
            select(SettlementLine.gateway_transaction_no, SettlementBatch.batch_reference)
            .join(SettlementBatch, SettlementLine.batch_id == SettlementBatch.id)
            .where(SettlementLine.gateway_transaction_no.in_(numbers[start : start + 1000]))
        )
        known_numbers.update((number, batch) for number, batch in session.execute(query))
    problems: list[Problem] = []
    fresh: list[ParsedSettlement] = []
    repeated = 0
    for batch in batches:
        earlier = stored.get(batch.batch_id)
        if earlier is not None:
            lines = session.scalars(
                select(SettlementLine).where(SettlementLine.batch_id == earlier.id)
            )
            wanted = {
                (r.our_reference, r.gateway_transaction_no, r.gross, r.fee, r.net)
                for r in batch.rows
            }
            if _settlement_fingerprint(lines) == wanted and earlier.settlement_date == (
                batch.settlement_date
            ):
                repeated += 1
                continue
            problems.append(
                Problem(
                    f"line {batch.rows[0].line_number}, column settlement_batch_id",
                    f"batch {batch.batch_id} was imported before from {earlier.source_filename} "
                    "with other payments, amounts or date; a reported payout cannot change",
                )
            )
            continue
        for row in batch.rows:
            other = known_numbers.get(row.gateway_transaction_no)
            if other is not None:
                problems.append(
                    Problem(
                        f"line {row.line_number}, column vnp_TransactionNo",
                        f"{row.gateway_transaction_no!r} is already stored in batch {other}",
                    )
                )
        fresh.append(batch)
    if problems:
        raise ImportRejected(source, problems)
    return fresh, repeated


def insert_settlement_batch(
    session: Session,
    batch: ParsedSettlement,
    *,
    sha256: str,
    filename: str,
    actor: str,
    now: datetime,
) -> int:
    """Store one batch and its payments; returns the batch id."""
    row = SettlementBatch(
        batch_reference=batch.batch_id,
        settlement_date=batch.settlement_date,
        gross_vnd=batch.gross_total,
        fee_vnd=batch.fee_total,
        net_vnd=batch.net_total,
        line_count=len(batch.rows),
        source_sha256=sha256,
        source_filename=filename,
        imported_at=now,
        imported_by=actor,
    )
    session.add(row)
    session.flush()
    session.execute(
        insert(SettlementLine.__table__),
        [
            {
                "batch_id": row.id,
                "reference": line.our_reference,
                "gateway_transaction_no": line.gateway_transaction_no,
                "pay_date": line.pay_date,
                "gross_vnd": line.gross,
                "fee_vnd": line.fee,
                "net_vnd": line.net,
                "line_number": line.line_number,
                "raw": line.raw,
            }
            for line in batch.rows
        ],
    )
    return row.id
