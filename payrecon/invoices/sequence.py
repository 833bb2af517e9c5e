"""The tax feed's order: positions stamped on invoice changes after their transactions commit.

Why not the change id: ids come from a sequence at insert time, and transactions commit in
another order. On PostgreSQL, issuer A inserts change 41 and is still signing or waiting on a
lock when issuer B inserts change 42 and commits; a reader that pages past 42 and remembers
"after 42" never sees 41 once A commits. (SQLite runs one writer at a time, so there ids are
commit-ordered, but the same code serves both.)

So every change is written with `position` NULL, and one sequencer at a time, holding a
transaction-scoped advisory lock, gives the committed unstamped changes the next positions in
id order and commits. Whatever it stamps is already committed, and everything it stamps later
gets a larger position than anything stamped before, so a reader that pages by position
(`queries.feed_page`) sees every change exactly once, whenever each one committed.

The feed endpoint runs the sequencer before each page, so a change is in the feed as soon as it
is committed and someone asks. The sequencer first looks, without the lock, whether any
committed change is unstamped; only then does it take the lock (and concurrent readers queue on
it for the few milliseconds stamping takes). When nothing is unstamped, every committed change
already has its position, and so does everything the page read that follows can see; readers
of a quiet feed never wait for each other. Nothing else ever writes `position`.
"""

from __future__ import annotations

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from payrecon.invoices.models import InvoiceChange

#: pg_advisory_xact_lock key of the sequencer (a fixed 64-bit number: "tax feed" in ASCII).
SEQUENCER_LOCK_KEY = 0x7461782066656564

#: Changes stamped per UPDATE batch (a backlog is stamped in several batches, one commit).
BATCH = 5_000


def _lock_sequencer(session: Session) -> None:
    """One sequencer at a time. SQLite needs nothing: its write transactions begin IMMEDIATE."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SEQUENCER_LOCK_KEY})


# Built once: every feed page runs it.
_ANY_UNSTAMPED = select(InvoiceChange.id).where(InvoiceChange.position.is_(None)).limit(1)


def sequence_changes(session: Session) -> int:
    """Stamp every committed change that has no position yet; commit; return how many.

    Nothing unstamped: 0, without taking the lock or committing (the caller's read goes on in
    the same transaction). PostgreSQL: in READ COMMITTED each statement after the lock sees
    every commit made before the lock was granted, including the previous sequencer's; a
    change another sequencer is stamping still reads as unstamped until it commits, so the
    look without the lock can only send us to the lock, never past a change. SQLite: the
    session's transaction must begin IMMEDIATE, as payrecon's engines do (db.make_engine), so
    that it holds the write lock before it reads.
    """
    if session.scalar(_ANY_UNSTAMPED) is None:
        return 0
    _lock_sequencer(session)
    pending = list(
        session.scalars(
            select(InvoiceChange.id)
            .where(InvoiceChange.position.is_(None))
            .order_by(InvoiceChange.id)
        )
    )
    if pending:
        last = session.scalar(select(func.max(InvoiceChange.position))) or 0
        for start in range(0, len(pending), BATCH):
            session.execute(
                update(InvoiceChange),
                [
                    {"id": change_id, "position": last + start + offset}
                    for offset, change_id in enumerate(pending[start : start + BATCH], start=1)
                ],
            )
    session.commit()
    return len(pending)
