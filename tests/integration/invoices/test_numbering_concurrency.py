"""16 issuers at once on one PostgreSQL series: numbers 1..2,000, no gap, no duplicate."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from payrecon import outbox
from payrecon.dossiers.models import Dossier
from payrecon.invoices import queries, service
from payrecon.invoices.models import Invoice, InvoiceSeries
from tests.factories import make_procedure

ISSUERS = 16
INVOICES = 2_000
NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def paid_dossiers(session: Session, count: int) -> None:
    """`count` dossiers of one agency, each with its payment.succeeded event, in one commit."""
    procedure = make_procedure(session, fee_vnd=50_000)
    codes = [f"HS-C-{n:05d}" for n in range(1, count + 1)]
    session.execute(
        insert(Dossier),
        [
            {
                "code": code,
                "procedure_id": procedure.id,
                "applicant_name": f"Người nộp {n}",
                "applicant_id_number": f"0221900{n:05d}",
                "received_at": NOW,
                "status": "processing",
                "fee_due_vnd": 50_000,
                "updated_at": NOW,
            }
            for n, code in enumerate(codes, start=1)
        ],
    )
    for n, code in enumerate(codes, start=1):
        payload = {"payment_id": n, "dossier_code": code, "amount_vnd": 50_000}
        outbox.enqueue(session, service.PAID_TOPIC, n, payload)
    session.commit()


@pytest.mark.slow
@pytest.mark.postgres_only
def test_concurrent_issuers_number_one_series_without_gaps(engine, db_session, signing_keys):
    if engine.dialect.name != "postgresql":
        pytest.skip("row-lock concurrency is a PostgreSQL matter; SQLite serialises writers")
    paid_dossiers(db_session, INVOICES)

    def issuer(_: int) -> tuple[int, int]:
        issued = failed = 0
        with Session(engine) as session:
            while True:
                summary = service.issue_pending_invoices(session, keys=signing_keys, now=NOW)
                issued += summary.issued
                failed += summary.issue_failures
                if summary.issued == 0 and summary.issue_failures == 0:
                    return issued, failed

    with ThreadPoolExecutor(max_workers=ISSUERS) as pool:
        results = list(pool.map(issuer, range(ISSUERS)))

    assert sum(failed for _, failed in results) == 0
    assert sum(issued for issued, _ in results) == INVOICES
    series = db_session.scalars(select(Invoice.series).distinct()).one()
    assert queries.numbers_in_series(db_session, "1", series) == list(range(1, INVOICES + 1))
    assert db_session.scalars(select(InvoiceSeries.last_number)).one() == INVOICES
    payments = db_session.scalars(select(Invoice.payment_id).order_by(Invoice.payment_id)).all()
    assert payments == list(range(1, INVOICES + 1))
    assert outbox.pending_count(db_session, service.PAID_TOPIC) == 0
