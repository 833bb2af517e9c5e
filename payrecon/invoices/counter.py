"""The gapless invoice counter: one row per series, moved only by the transaction that stores.

Why this is gapless: the number is taken by `UPDATE invoice_series SET last_number =
last_number + 1 … RETURNING last_number` in the same transaction that inserts the invoice.
The UPDATE row-locks the series until that transaction ends; if it commits, the number and the
invoice exist together; if it rolls back or its process dies, the increment vanishes with it
and the next issuer gets the same number. On PostgreSQL the row lock serialises issuers of one
series (READ COMMITTED re-reads the row after the lock is released, so each sees the newest
value); on SQLite every write transaction begins IMMEDIATE (payrecon.db) and holds the
database write lock, which serialises them the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from payrecon.db import utcnow
from payrecon.invoices.models import InvoiceSeries


@dataclass(frozen=True)
class SeriesState:
    id: int
    last_number: int  # as committed when read; no lock taken, nothing reserved


def open_series(
    session: Session, *, agency_id: int, year: int, template_code: str, series: str
) -> SeriesState:
    """The series and its last number, the series created with 0 on first use (1 January).

    INSERT … ON CONFLICT DO NOTHING lets concurrent first issuers race safely: the losers wait
    for the winner's row and use it. `last_number + 1` is only a guess of the next number.
    """
    key = {"agency_id": agency_id, "template_code": template_code, "series": series}
    query = select(InvoiceSeries.id, InvoiceSeries.last_number).filter_by(**key)
    found = session.execute(query).one_or_none()
    if found is None:
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(
            insert(InvoiceSeries)
            .values(**key, year=year, last_number=0, created_at=utcnow())
            .on_conflict_do_nothing(index_elements=["agency_id", "template_code", "series"])
        )
        found = session.execute(query).one()
    return SeriesState(id=found.id, last_number=found.last_number)


def take_number(session: Session, series_id: int) -> int:
    """Take the next number of the series; the caller's transaction must store the invoice.

    The series row stays locked until that transaction commits or rolls back.
    """
    return take_numbers(session, series_id, 1)[0]


def take_numbers(session: Session, series_id: int, count: int) -> range:
    """Take the next `count` numbers of the series at once; the caller's transaction must
    store an invoice under each of them (the lock and the rule are take_number's)."""
    last = session.execute(
        update(InvoiceSeries)
        .where(InvoiceSeries.id == series_id)
        .values(last_number=InvoiceSeries.last_number + count)
        .returning(InvoiceSeries.last_number)
    ).scalar_one()
    return range(last - count + 1, last + 1)


def lock_series(session: Session, series_id: int, *, wait: bool) -> int | None:
    """Lock the series row until the transaction ends and return its last number.

    With wait=False a row another transaction holds is skipped (PostgreSQL SKIP LOCKED) and
    None returned, so an issuer can turn to another series instead of queueing. Numbers read
    under this lock are exact: nobody else can take one until the transaction ends. SQLite
    has no row locks; its write transactions are serialised whole (payrecon.db).
    """
    return session.scalars(
        select(InvoiceSeries.last_number)
        .where(InvoiceSeries.id == series_id)
        .with_for_update(skip_locked=not wait)
    ).one_or_none()
