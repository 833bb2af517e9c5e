"""Keeping `ReconciliationException.is_current`: one current row per fingerprint.

A run writes its exception rows current (the column's default) in the transaction that
finishes it; `mark_current` then retires the older rows of the fingerprints it found again,
in the same transaction, so the queue never sees a failed run's rows (they are rolled back
with it). Two runs finishing at once (two dates, on PostgreSQL) could each miss the other's
uncommitted rows and leave both current; a transaction-scoped advisory lock makes the second
wait for the first to commit, so it sees and retires the first one's rows.
"""

from __future__ import annotations

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from payrecon.reconciliation.models import ReconciliationException

#: pg_advisory_xact_lock key (a fixed 64-bit number: "curexcpt" in ASCII).
CURRENT_LOCK_KEY = 0x6375726578637074


def mark_current(session: Session, run_id: int) -> int:
    """Make the run's rows the current ones of their fingerprints; return how many older rows
    stopped being current. SQLite needs no lock: its write transactions begin IMMEDIATE."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CURRENT_LOCK_KEY})
    exc = ReconciliationException
    found_again = select(exc.fingerprint).where(exc.run_id == run_id).scalar_subquery()
    retired = session.execute(
        update(exc)
        .where(exc.is_current, exc.run_id != run_id, exc.fingerprint.in_(found_again))
        .values(is_current=False)
        .execution_options(synchronize_session=False)
    )
    return int(retired.rowcount or 0)
