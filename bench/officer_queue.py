"""How fast the officer dashboard and exceptions queue answer with a month of runs, on PostgreSQL.

    PYTHONPATH=. python bench/officer_queue.py [--per-run 2000] [--days 30] [--runs 5]
        [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

Setup (not timed): a scratch database `payrecon_bench_queue_<random>` with one finished run per
business date for `--days` dates, each with `--per-run` exceptions bulk-inserted directly (13
kinds, 8 agencies, amounts of both signs); four in five of a night's exceptions are found again
the next night (same fingerprint), as unresolved ones are, so the queue's "current row per
exception" has history to skip (each night's rows retire the older ones, `current.mark_current`,
as a run does). A tenth of the rows are resolved.
Each run times, through the Flask app in process (test client, signed in as an officer):
- GET /officer/ (dashboard: latest run, open totals by kind, 30-day trend, job health, accounts);
- GET /officer/exceptions (the whole open queue, first page of 50, with its count);
- GET /officer/exceptions?kind=missing_credit&min_vnd=100000&date_from=<10 days back>;
and the same queue query straight from reconciliation.queries.find_exceptions.
It prints min and median of the runs in milliseconds. The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time
from datetime import UTC, date, datetime, timedelta

AGENCIES = 8
LAST_DATE = date(2026, 11, 24)


def _fill(url: str, per_run: int, days: int) -> None:
    from sqlalchemy import insert
    from sqlalchemy.orm import Session

    from payrecon.catalog.models import Agency
    from payrecon.db import make_engine, upgrade_to_head
    from payrecon.reconciliation.classify import EXCEPTION_KINDS
    from payrecon.reconciliation.current import mark_current
    from payrecon.reconciliation.models import ReconciliationException, ReconciliationRun

    engine = make_engine(url)
    upgrade_to_head(engine)
    now = datetime.now(UTC)
    with Session(engine) as session:
        session.execute(
            insert(Agency),
            [{"code": f"AG{n:02d}", "name": f"Sở {n}"} for n in range(AGENCIES)],
        )
        agency_ids = [row.id for row in session.query(Agency).order_by(Agency.id)]
        serial = 0
        for day in range(days):
            business_date = LAST_DATE - timedelta(days=days - 1 - day)
            run = ReconciliationRun(
                business_date=business_date,
                window_start=business_date - timedelta(days=7),
                parameters={},
                status="finished",
                started_at=now,
                finished_at=now,
                started_by="bench",
                exception_counts={},
                summary=[{"expected_count": 100, "matched_count": 90}],
            )
            session.add(run)
            session.flush()
            rows = []
            for n in range(per_run):
                # a fifth of each night's exceptions are new; the rest were found the night before
                key = serial + n if n < per_run // 5 else serial - per_run + n
                rows.append(
                    {
                        "run_id": run.id,
                        "kind": EXCEPTION_KINDS[key % len(EXCEPTION_KINDS)],
                        "fingerprint": f"bench|exception={key}",
                        "amount_vnd": (key % 97 + 1) * 10_000 * (-1 if key % 11 == 0 else 1),
                        "agency_id": agency_ids[key % AGENCIES],
                        "evidence": {},
                        "status": "resolved" if key % 10 == 0 else "open",
                    }
                )
            serial += per_run // 5
            session.execute(insert(ReconciliationException), rows)
            mark_current(session, run.id)  # as the run's own transaction does
        session.commit()
    engine.dispose()


def _timed(action, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return min(times), statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-run", type=int, default=2000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    args = parser.parse_args()
    logging.disable(logging.INFO)

    from argon2 import PasswordHasher

    from payrecon import create_app
    from payrecon.auth import passwords, service
    from payrecon.db import create_scratch_database, drop_database, session_scope
    from payrecon.reconciliation import queries
    from payrecon.reconciliation.exception_filter import ExceptionFilter

    url = create_scratch_database(args.postgres_url, prefix="payrecon_bench_queue")
    try:
        print(f"filling: {args.days} runs x {args.per_run} exceptions ...", flush=True)
        _fill(url, args.per_run, args.days)
        passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
        with app.app_context(), session_scope() as session:
            service.create_officer(
                session,
                username="bench.officer",
                display_name="Bench",
                role="officer",
                password="correct horse battery staple",
                actor="bench",
            )
        client = app.test_client()
        client.post(
            "/officer/login",
            data={"username": "bench.officer", "password": "correct horse battery staple"},
        )
        since = (LAST_DATE - timedelta(days=10)).isoformat()
        filtered = f"/officer/exceptions?kind=missing_credit&min_vnd=100000&date_from={since}"
        checks = {
            "GET /officer/ (dashboard)": lambda: client.get("/officer/"),
            "GET /officer/exceptions": lambda: client.get("/officer/exceptions"),
            "GET /officer/exceptions (3 filters)": lambda: client.get(filtered),
        }
        for path in ("/officer/", "/officer/exceptions", filtered):
            assert client.get(path).status_code == 200, path

        def query_only():
            with app.app_context(), session_scope() as session:
                queries.find_exceptions(session, ExceptionFilter(status="open"), limit=50)

        checks["find_exceptions (open, page 1)"] = query_only
        with app.app_context(), session_scope() as session:
            total, _ = queries.find_exceptions(session, ExceptionFilter(status="open"), limit=1)
        rows = args.per_run * args.days
        print(f"{rows} exception rows, {total} open exceptions in the queue")
        for name, action in checks.items():
            low, middle = _timed(action, args.runs)
            print(f"{name:40s} min {low:8.1f} ms  median {middle:8.1f} ms  ({args.runs} runs)")
        print(f"done: {len(checks)} measurements of {args.runs} runs each")
    finally:
        drop_database(args.postgres_url, url)


if __name__ == "__main__":
    main()
