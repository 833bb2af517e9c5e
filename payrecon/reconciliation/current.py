"""Keeping `ReconciliationException.is_current`: one current row per fingerprint.

A run writes its exception rows current (the column's default) in the transaction that
finishes it; `mark_current` then retires the older rows of the fingerprints it found again,
in the same transaction, so the queue never sees two current rows of one exception nor a
failed run's rows (a failed run's rows are rolled back with it).
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from payrecon.reconciliation.models import ReconciliationException


def mark_current(session: Session, run_id: int) -> int:
    """Make the run's rows the current ones of their fingerprints; return how many older rows
    stopped being current."""
    exc = ReconciliationException
    found_again = select(exc.fingerprint).where(exc.run_id == run_id).scalar_subquery()
    retired = session.execute(
        update(exc)
        .where(exc.is_current, exc.run_id != run_id, exc.fingerprint.in_(found_again))
        .values(is_current=False)
        .execution_options(synchronize_session=False)
    )
    return int(retired.rowcount or 0)
