"""`is_current`: exactly the newest row of each fingerprint among finished runs, kept by the
runs that write newer rows and backfilled by migration 0014."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from payrecon.db import alembic_config, upgrade_to_head
from payrecon.reconciliation import actions, queries
from payrecon.reconciliation.current import mark_current
from payrecon.reconciliation.exception_filter import ExceptionFilter
from payrecon.reconciliation.models import ReconciliationException, ReconciliationRun
from payrecon.reconciliation.service import run_reconciliation
from tests.integration.reconciliation.queue_data import build_queue_data
from tests.integration.reconciliation.scenario import DAY


def newest_of_finished_runs(session) -> set[int]:
    """The definition the flag stands for, computed the slow way."""
    exc = ReconciliationException
    return set(
        session.scalars(
            select(func.max(exc.id))
            .join(ReconciliationRun, ReconciliationRun.id == exc.run_id)
            .where(ReconciliationRun.status == "finished")
            .group_by(exc.fingerprint)
        )
    )


def current_ids(session) -> set[int]:
    exc = ReconciliationException
    return set(session.scalars(select(exc.id).where(exc.is_current)))


def test_runs_and_re_runs_keep_one_current_row_per_fingerprint(db_session):
    data = build_queue_data(db_session)
    assert current_ids(db_session) == newest_of_finished_runs(db_session)
    _, [duplicate] = queries.find_exceptions(db_session, ExceptionFilter(kind="duplicate_payment"))
    actions.mark_refund_due(
        db_session,
        exception_id=duplicate.id,
        officer=actions.Officer("officer.an", "officer"),
        note="refund the second transfer",
    )
    again = run_reconciliation(db_session, business_date=DAY, actor="test")
    db_session.expire_all()
    assert current_ids(db_session) == newest_of_finished_runs(db_session)
    rows = db_session.scalars(
        select(ReconciliationException).where(ReconciliationException.run_id == again.id)
    ).all()
    assert rows
    assert all(row.is_current for row in rows)
    earlier = db_session.scalars(
        select(ReconciliationException).where(ReconciliationException.run_id == data.last_run.id)
    ).all()
    assert not any(row.is_current for row in earlier)
    # the officer's decision lives on in the current row
    _, [current] = queries.find_exceptions(db_session, ExceptionFilter(kind="duplicate_payment"))
    assert (current.run_id, current.resolution) == (again.id, "refund_due")


EXCEPTIONS_0013 = sa.table(
    "reconciliation_exceptions",
    sa.column("run_id"),
    sa.column("kind"),
    sa.column("fingerprint"),
    sa.column("amount_vnd"),
    sa.column("evidence", sa.JSON),
    sa.column("status"),
)


def test_migration_0014_marks_the_newest_row_of_each_fingerprint_of_finished_runs(
    engine, db_session
):
    config = alembic_config(engine)
    command.downgrade(config, "0013")
    try:
        now = datetime.now(UTC)
        runs = {}
        with engine.begin() as connection:
            for name, day, status in (
                ("first", date(2026, 11, 22), "finished"),
                ("second", date(2026, 11, 23), "finished"),
                ("failed", date(2026, 11, 24), "failed"),
            ):
                runs[name] = connection.execute(
                    insert(ReconciliationRun.__table__).returning(ReconciliationRun.id),
                    {
                        "business_date": day,
                        "window_start": day,
                        "parameters": {},
                        "status": status,
                        "started_at": now,
                        "started_by": "test",
                        "match_count": 0,
                        "proposal_count": 0,
                        "exception_count": 0,
                        "awaiting_count": 0,
                        "self_closed_count": 0,
                        "exception_counts": {},
                        "summary": [],
                    },
                ).scalar_one()
            rows = [
                ("first", "a"),
                ("first", "b"),
                ("first", "c"),
                ("second", "a"),
                ("second", "b"),
                ("failed", "b"),
                ("failed", "d"),
            ]
            connection.execute(
                insert(EXCEPTIONS_0013),
                [
                    {
                        "run_id": runs[run],
                        "kind": "missing_credit",
                        "fingerprint": fingerprint,
                        "amount_vnd": 1000,
                        "evidence": {},
                        "status": "open",
                    }
                    for run, fingerprint in rows
                ],
            )
    finally:
        upgrade_to_head(engine)
    exc = ReconciliationException
    current = db_session.execute(
        select(exc.run_id, exc.fingerprint).where(exc.is_current).order_by(exc.fingerprint)
    ).all()
    assert [(run_id, fp) for run_id, fp in current] == [
        (runs["second"], "a"),
        (runs["second"], "b"),
        (runs["first"], "c"),
    ]


def _finished_run(session, day: date) -> int:
    run = ReconciliationRun(
        business_date=day,
        window_start=day,
        parameters={},
        status="finished",
        started_at=datetime.now(UTC),
        started_by="test",
        exception_counts={},
        summary=[],
    )
    session.add(run)
    session.commit()
    return run.id


def _found(session, run_id: int) -> ReconciliationException:
    row = ReconciliationException(
        run_id=run_id,
        kind="missing_credit",
        fingerprint="missing_credit|payment=1",
        amount_vnd=1000,
        evidence={},
        status="open",
    )
    session.add(row)
    session.flush()
    return row


def test_two_runs_finishing_at_once_leave_one_current_row(engine, db_session):
    """Each run's transaction cannot see the other's rows until it commits; the lock makes the
    second wait, see the first's row and retire it."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time")
    first_run = _finished_run(db_session, date(2026, 11, 23))
    second_run = _finished_run(db_session, date(2026, 11, 24))
    inserted = threading.Event()
    failures: list[BaseException] = []

    def second() -> None:
        try:
            with Session(engine) as session:
                _found(session, second_run)
                inserted.set()
                mark_current(session, second_run)  # waits for the first to commit
                session.commit()
        except BaseException as exc:  # reported by the test, not lost in the thread
            failures.append(exc)
            inserted.set()

    with Session(engine) as session:
        _found(session, first_run)
        mark_current(session, first_run)
        worker = threading.Thread(target=second)
        worker.start()
        inserted.wait()
        session.commit()
    worker.join()
    assert failures == []
    current = db_session.scalars(
        select(ReconciliationException.run_id).where(ReconciliationException.is_current)
    ).all()
    assert current == [second_run]
