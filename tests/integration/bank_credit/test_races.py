"""The webhook and a statement import racing for the same money (PostgreSQL: real row locks).

SQLite serialises every write transaction (BEGIN IMMEDIATE), so the race only exists there.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from payrecon.outbox import OutboxEvent
from payrecon.payments.models import BankCredit
from tests.factories import make_dossier
from tests.integration.bank_credit.helpers import import_credits, notify, pending_vietqr

FEE = 235_000
ROUNDS = 5


@pytest.fixture
def pg(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("row-lock races are a PostgreSQL matter; SQLite serialises writers")
    return engine


def at_once(*works):
    barrier = threading.Barrier(len(works))

    def start(work):
        barrier.wait()
        return work()

    with ThreadPoolExecutor(max_workers=len(works)) as pool:
        return list(pool.map(start, works))


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_webhook_and_statement_at_once_make_one_success_and_one_link(pg, db_session, round_):
    dossier = make_dossier(db_session, fee_due_vnd=FEE)
    reference, account = pending_vietqr(db_session, dossier)

    def webhook():
        with Session(pg) as session:
            return notify(session, account, FEE, f"MBVCB.1.{reference}", "FT-RACE").result

    def statement():
        with Session(pg) as session:
            result = import_credits(session, account, (FEE, "FT-RACE", f"MBVCB.1.{reference}"))
            return next(iter(result.payments_settled))

    outcomes = at_once(webhook, statement)
    assert Counter(outcomes) == {"settled": 1, "linked": 1}
    db_session.rollback()
    [credit] = db_session.scalars(select(BankCredit)).all()
    assert credit.statement_line_id is not None
    assert credit.notified_at is not None
    assert (
        db_session.scalar(
            select(func.count())
            .select_from(OutboxEvent)
            .where(OutboxEvent.topic == "payment.succeeded")
        )
        == 1
    )


def test_ten_deliveries_of_one_unmatched_credit_at_once_make_one_credit(pg, db_session):
    dossier = make_dossier(db_session, fee_due_vnd=FEE)
    _, account = pending_vietqr(db_session, dossier)

    def deliver():
        with Session(pg) as session:
            return notify(session, account, 50_000, "ung ho", "FT-SAME").result

    outcomes = at_once(*([deliver] * 10))
    assert Counter(outcomes) == {"unmatched": 1, "repeat": 9}
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(BankCredit)) == 1
