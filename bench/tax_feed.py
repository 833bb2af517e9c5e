"""How fast a tax integration pulls invoices through the change feed, on PostgreSQL.

    PYTHONPATH=. python bench/tax_feed.py [--invoices 100000] [--runs 5] [--page 500]
        [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

Setup (not timed): a scratch database `payrecon_bench_tax_<random>` with `--invoices` invoices
bulk-inserted directly (each carrying the same real signed XML, ~6 KB, so that a feed which
loaded the XML would show it), one `issue` change each, all sequenced.
Each run pulls the whole feed from the start, `--page` changes a page, and counts invoices per
second:
- HTTP: GET /api/v1/tax/invoices through the Flask app (in process, the test client: token
  check, rate limit, sequencer, query, JSON), which is what a client gets minus the network;
- query: the same pages straight from queries.feed_page, the database part of it.
It prints min and median of the runs. The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time
from datetime import UTC, date, datetime

AGENCIES = 8


def _signed_sample() -> bytes:
    from payrecon.invoices.signing import generate_demo_keypair, sign_invoice
    from payrecon.invoices.xml_build import (
        Buyer,
        InvoiceData,
        InvoiceLine,
        Seller,
        build_invoice_xml,
        rate_totals,
    )
    from payrecon.money import amount_in_words_vi

    lines = (InvoiceLine("Phí cấp phiếu lý lịch tư pháp", "hồ sơ", 1, 200_000, 200_000, "KCT"),)
    unsigned = build_invoice_xml(
        InvoiceData(
            template_code="1",
            series="C26TAA",
            number=1,
            issued_on=date(2026, 11, 20),
            seller=Seller("Sở Tư pháp", "5700100256", "Hạ Long, Quảng Ninh"),
            buyer=Buyer("Nguyễn Văn An", id_number="022090001234"),
            lines=lines,
            totals_by_rate=rate_totals(lines),
            total_in_words=amount_in_words_vi(200_000),
        )
    )
    key_pem, cert_pem = generate_demo_keypair("payrecon bench")
    return sign_invoice(
        unsigned, key_pem=key_pem, cert_pem=cert_pem, signing_time=datetime.now(UTC)
    )


def _fill(url: str, count: int) -> None:
    import hashlib

    from sqlalchemy import insert
    from sqlalchemy.orm import Session

    from payrecon.catalog.models import Agency, Procedure
    from payrecon.db import make_engine, upgrade_to_head
    from payrecon.dossiers.models import Dossier
    from payrecon.invoices.models import Invoice, InvoiceChange, InvoiceSeries
    from payrecon.invoices.sequence import sequence_changes
    from payrecon.payments.models import Payment
    from payrecon.payments.references import new_reference

    engine = make_engine(url)
    upgrade_to_head(engine)
    xml = _signed_sample()
    digest = hashlib.sha256(xml).hexdigest()
    now = datetime.now(UTC)
    with Session(engine) as session:
        owners = []
        for n in range(1, AGENCIES + 1):
            agency = Agency(code=f"BT{n}", name=f"Sở {n}", tax_code=f"57001002{n:02d}")
            session.add(agency)
            session.flush()
            procedure = Procedure(
                code=f"BT-{n}",
                name="Cấp phiếu lý lịch tư pháp",
                agency_id=agency.id,
                fee_vnd=200_000,
                fee_kind="fee",
                vat_rate="KCT",
            )
            session.add(procedure)
            session.flush()
            dossier = Dossier(
                code=f"BT-HS-{n}",
                procedure_id=procedure.id,
                applicant_name="Nguyễn Văn An",
                applicant_id_number="022090001234",
                received_at=now,
                status="done",
                fee_due_vnd=200_000,
                updated_at=now,
            )
            series = InvoiceSeries(
                agency_id=agency.id,
                year=2026,
                template_code="1",
                series=f"C26TA{n}",
                last_number=0,
                created_at=now,
            )
            session.add_all([dossier, series])
            session.flush()
            owners.append((agency, dossier, series))
        session.commit()
        batch = 5_000
        for start in range(0, count, batch):
            numbers = range(start, min(start + batch, count))
            payment_ids = session.scalars(
                insert(Payment).returning(Payment.id, sort_by_parameter_order=True),
                [
                    {
                        "reference": new_reference(),
                        "dossier_id": owners[n % AGENCIES][1].id,
                        "amount_vnd": 200_000,
                        "method": "vietqr",
                        "status": "succeeded",
                        "created_at": now,
                        "expires_at": now,
                        "updated_at": now,
                        "paid_at": now,
                        "is_duplicate": False,
                    }
                    for n in numbers
                ],
            ).all()
            rows = []
            for n, payment_id in zip(numbers, payment_ids, strict=True):
                agency, dossier, series = owners[n % AGENCIES]
                rows.append(
                    {
                        "series_id": series.id,
                        "template_code": "1",
                        "series": series.series,
                        "number": n // AGENCIES + 1,
                        "kind": "original",
                        "status": "issued",
                        "agency_id": agency.id,
                        "dossier_id": dossier.id,
                        "payment_id": payment_id,
                        "issued_at": now,
                        "issued_on": date(2026, 11, 20),
                        "buyer_name": "Nguyễn Văn An",
                        "buyer_id_number": "022090001234",
                        "seller_tax_code": agency.tax_code,
                        "total_vnd": 200_000,
                        "total_before_tax_vnd": 200_000,
                        "total_tax_vnd": 0,
                        "lookup_code": f"B{n:011d}",
                        "xml": xml,
                        "xml_sha256": digest,
                    }
                )
            ids = session.scalars(insert(Invoice).returning(Invoice.id), rows).all()
            session.execute(
                insert(InvoiceChange),
                [{"invoice_id": i, "kind": "issue", "created_at": now} for i in ids],
            )
            session.commit()
        sequence_changes(session)
    engine.dispose()


def _pull_http(client, headers: dict, page: int) -> tuple[int, float]:
    seen, cursor = 0, None
    started = time.perf_counter()
    while True:
        query = {"limit": page} | ({"after": cursor} if cursor else {})
        body = client.get("/api/v1/tax/invoices", query_string=query, headers=headers).get_json()
        seen += len(body["items"])
        cursor = body["next_cursor"]
        if not body["has_more"]:
            return seen, time.perf_counter() - started


def _pull_query(engine, page: int) -> tuple[int, float]:
    from sqlalchemy.orm import Session

    from payrecon.invoices import queries

    seen, after = 0, 0
    started = time.perf_counter()
    with Session(engine) as session:
        while True:
            rows = queries.feed_page(session, after=after, limit=page)
            session.rollback()
            if not rows:
                return seen, time.perf_counter() - started
            seen += len(rows)
            after = rows[-1].position


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--page", type=int, default=500)
    parser.add_argument(
        "--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    args = parser.parse_args()

    from payrecon import create_app
    from payrecon.auth import service as auth_service
    from payrecon.db import create_scratch_database, drop_database, make_engine, session_scope

    url = create_scratch_database(args.postgres_url, prefix="payrecon_bench")
    try:
        started = time.perf_counter()
        _fill(url, args.invoices)
        print(
            f"setup: {args.invoices:,} invoices inserted and sequenced in "
            f"{time.perf_counter() - started:.1f} s"
        )
        app = create_app(
            {"DATABASE_URL": url, "API_RATE_LIMIT": "1000000/minute", "SECRET_KEY": "bench"}
        )
        logging.getLogger("payrecon.access").setLevel(logging.WARNING)  # a line per page
        with app.app_context(), session_scope() as session:
            token = auth_service.create_token(
                session, name="bench", scopes=["tax:read"], actor="bench"
            ).text
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        engine = make_engine(url)
        rates: dict[str, list[float]] = {"HTTP (Flask, in process)": [], "query only": []}
        for run in range(1, args.runs + 1):
            seen, seconds = _pull_http(client, headers, args.page)
            assert seen == args.invoices, f"the feed gave {seen} of {args.invoices}"
            rates["HTTP (Flask, in process)"].append(seen / seconds)
            seen, seconds = _pull_query(engine, args.page)
            assert seen == args.invoices
            rates["query only"].append(seen / seconds)
            print(
                f"run {run}: "
                + ", ".join(f"{label} {values[-1]:,.0f}/s" for label, values in rates.items())
            )
        engine.dispose()
        app.extensions["payrecon.engine"].dispose()
        print(
            f"\ninvoices per second through the feed, pages of {args.page}, "
            f"{args.invoices:,} invoices, {args.runs} runs:"
        )
        for label, values in rates.items():
            print(
                f"  {label:<26} min {min(values):>9,.0f}/s   "
                f"median {statistics.median(values):>9,.0f}/s"
            )
    finally:
        drop_database(args.postgres_url, url)


if __name__ == "__main__":
    main()
