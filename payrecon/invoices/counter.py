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

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from payrecon.db import utcnow
from payrecon.invoices.models import InvoiceSeries


def series_id_for(
    session: Session, *, agency_id: int, year: int, template_code: str, series: str
) -> int:
    """The id of the series, created with last_number 0 on its first use (e.g. on 1 January).

    INSERT … ON CONFLICT DO NOTHING lets concurrent first issuers race safely: the losers wait
    for the winner's row and use it.
    """
    key = {"agency_id": agency_id, "template_code": template_code, "series": series}
    found = session.scalar(select(InvoiceSeries.id).filter_by(**key))
    if found is not None:
        return found
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(InvoiceSeries)
        .values(**key, year=year, last_number=0, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["agency_id", "template_code", "series"])
    )
    return session.scalars(select(InvoiceSeries.id).filter_by(**key)).one()


def peek_next_number(session: Session, series_id: int) -> int:
    """The number the next invoice will probably get; takes no lock and reserves nothing."""
    return (
        session.scalars(
            select(InvoiceSeries.last_number).where(InvoiceSeries.id == series_id)
        ).one()
        + 1
    )


def take_number(session: Session, series_id: int) -> int:
    """Take the next number of the series; the caller's transaction must store the invoice.

    The series row stays locked until that transaction commits or rolls back.
    """
    return session.execute(
        update(InvoiceSeries)
        .where(InvoiceSeries.id == series_id)
        .values(last_number=InvoiceSeries.last_number + 1)
        .returning(InvoiceSeries.last_number)
    ).scalar_one()
