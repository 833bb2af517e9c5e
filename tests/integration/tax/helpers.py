"""Issued invoices and whole-feed reads for the tax feed tests."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from payrecon.invoices import feed, queries, sequence, service
from payrecon.invoices.models import Invoice, InvoiceChange
from tests.factories import make_dossier, make_procedure
from tests.integration.invoices.helpers import pay

ISSUED = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # 10:00 in Hạ Long


def issue_invoices(session: Session, keys, count: int, *, procedures=None) -> list[Invoice]:
    """`count` paid fees issued through the outbox, spread over `procedures` (one new one by
    default); returns the new invoices in id order."""
    procedures = procedures or [make_procedure(session)]
    before = set(session.scalars(select(Invoice.id)))
    for n in range(count):
        pay(session, make_dossier(session, procedures[n % len(procedures)]))
    summary = service.issue_pending_invoices(session, keys=keys, now=ISSUED)
    assert summary.issue_failures == 0
    session.rollback()
    return list(
        session.scalars(select(Invoice).where(Invoice.id.not_in(before)).order_by(Invoice.id))
    )


def read_page(session: Session, cursor: str | None, limit: int) -> feed.FeedPage:
    """What the feed endpoint does for one page: sequence, read, cut."""
    after = feed.decode_cursor(cursor)
    # The app's sessions begin IMMEDIATE on SQLite (the test session reads DEFERRED), so the
    # sequencer gets the write lock before it reads; do the same here.
    with Session(session.get_bind().execution_options(sqlite_begin="IMMEDIATE")) as writer:
        sequence.sequence_changes(writer)
    session.rollback()  # a read begun before the stamping would not see it (SQLite snapshots)
    rows = queries.feed_page(session, after=after, limit=limit + 1)
    session.rollback()
    return feed.make_page(rows, after=after, limit=limit)


def read_whole_feed(session: Session, *, limit: int = 3, cursor: str | None = None):
    """Every entry after `cursor`, page by page; returns (entries, last cursor)."""
    entries = []
    while True:
        page = read_page(session, cursor, limit)
        entries += page.items
        cursor = page.next_cursor
        if not page.has_more:
            return entries, cursor


def all_change_ids(session: Session) -> list[int]:
    ids = list(session.scalars(select(InvoiceChange.id).order_by(InvoiceChange.id)))
    session.rollback()
    return ids
