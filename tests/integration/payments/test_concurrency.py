"""Many requests at the same instant, on PostgreSQL (real row locks, real concurrent sessions).

SQLite serialises every write transaction (BEGIN IMMEDIATE), so these races only exist, and
are only worth proving, on PostgreSQL.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from payrecon.outbox import OutboxEvent
from payrecon.payments import idempotency, service
from payrecon.payments.models import IdempotencyKey, Payment
from tests.factories import make_dossier
from tests.integration.payments.helpers import TERMINAL, create, signed_ipn

THREADS = 20


@pytest.fixture
def pg(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("row-lock races are a PostgreSQL matter; SQLite serialises writers")
    return engine


def run_at_once(work, count=THREADS):
    """Call work(i) in `count` threads released together by a barrier; results in order."""
    barrier = threading.Barrier(count)

    def start(i):
        barrier.wait()
        return work(i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(start, range(count)))


def test_one_key_sent_twenty_times_at_once_creates_one_payment(pg, db_session, settings):
    dossier = make_dossier(db_session)
    body = {"dossier_code": dossier.code, "method": "vietqr"}
    request = service.IdempotentRequest(
        client="tok", key="same-key", fingerprint=idempotency.fingerprint("create_payment", body)
    )

    def work(_):
        with Session(pg) as session:
            return create(session, settings, dossier, idempotent=request)

    answers = run_at_once(work)
    assert {a.body["id"] for a in answers} == {answers[0].body["id"]}
    assert Counter(a.replayed for a in answers) == {True: THREADS - 1, False: 1}
    assert {a.status for a in answers} == {201}
    assert db_session.scalar(select(func.count()).select_from(Payment)) == 1
    assert db_session.scalar(select(func.count()).select_from(IdempotencyKey)) == 1


def test_twenty_payers_of_one_dossier_make_exactly_one_success(pg, db_session, settings):
    """Each thread starts a payment (alternating methods, its own key) and pays it at once."""
    dossier = make_dossier(db_session, fee_due_vnd=300_000)

    def work(i):
        method = "vietqr" if i % 2 else "vnpay"
        with Session(pg) as session:
            try:
                answer = create(session, settings, dossier, method=method)
            except service.DossierNotPayable:
                return "refused"
            reference = answer.body["reference"]
            if method == "vnpay":
                query = signed_ipn(reference, 300_000, transaction_no=f"9{i:03d}")
                return service.handle_vnpay_ipn(session, raw_query=query, terminal=TERMINAL)
            return service.record_money_received(
                session,
                reference=reference,
                amount_vnd=300_000,
                provider_transaction_id=f"FT{i:03d}",
                paid_at=dossier.received_at,
                actor="bank:test",
                source="bank credit",
            )

    run_at_once(work)
    payments = list(db_session.scalars(select(Payment).where(Payment.dossier_id == dossier.id)))
    kept = [p for p in payments if p.status == "succeeded"]
    real = [p for p in kept if not p.is_duplicate]
    assert len(real) == 1, [(p.method, p.status, p.is_duplicate) for p in payments]
    assert all(p.status in ("succeeded", "pending") for p in payments)
    # a payment of the other method may have been paid too: then it is a duplicate to refund
    assert len(payments) <= 2
    announced = db_session.scalar(
        select(func.count())
        .select_from(OutboxEvent)
        .where(OutboxEvent.topic == "payment.succeeded")
    )
    assert announced == 1


def test_the_same_ipn_twenty_times_at_once_is_confirmed_once(pg, db_session, settings):
    dossier = make_dossier(db_session, fee_due_vnd=120_000)
    body = create(db_session, settings, dossier, method="vnpay").body
    query = signed_ipn(body["reference"], 120_000)

    def work(_):
        with Session(pg) as session:
            return service.handle_vnpay_ipn(session, raw_query=query, terminal=TERMINAL).rsp_code

    codes = Counter(code.value for code in run_at_once(work))
    assert codes == {"00": 1, "02": THREADS - 1}
    announced = db_session.scalar(select(func.count()).select_from(OutboxEvent))
    assert announced == 1
