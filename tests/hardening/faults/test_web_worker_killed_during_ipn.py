"""kill -9 of the gunicorn worker while it handles a VNPAY IPN, then VNPAY's retry.

The worker dies at the `ipn_before_commit` fault point: the dossier and payment locked, the
IPN's event and the payment's success written, nothing committed. gunicorn starts a new
worker; VNPAY, having had no answer, sends the same signed IPN again. Afterwards the payment
has succeeded exactly once: one status change, one outbox event for the invoice, and the
duplicate IPN that follows is answered 02 (already confirmed).
"""

from __future__ import annotations

import os
import secrets
import uuid
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import select

from bench.load_world import TMN_CODE, app_environment
from payrecon.gateway_sim.bank import SimBank, result_params, signed_result_query
from payrecon.outbox import OutboxEvent
from payrecon.payments import vnpay_protocol
from payrecon.payments.models import Payment, PaymentEvent
from tests.e2e.auth.helpers import bearer_for
from tests.factories import make_dossier
from tests.hardening.faults.helpers import armed_fault, fired
from tests.processes import gunicorn, wait_until

pytestmark = pytest.mark.slow


def create_card_payment(base: str, headers: dict[str, str], dossier_code: str) -> dict:
    response = requests.post(
        f"{base}/api/v1/payments",
        json={"dossier_code": dossier_code, "method": "vnpay"},
        headers=headers | {"Idempotency-Key": uuid.uuid4().hex},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return response.json()


def gateway_ipn_for(redirect_url: str, secret: str) -> str:
    """What VNPAY does: check our payment URL, take the card, sign the IPN query it sends."""
    values = vnpay_protocol.verify_query(urlsplit(redirect_url).query, secret)
    bank = SimBank()
    transaction = bank.register(values)
    bank.complete(transaction, "success", datetime.now(UTC))
    return signed_result_query(result_params(transaction, tmn_code=TMN_CODE), secret)


def send_ipn(base: str, query: str) -> str | None:
    """The RspCode of our answer, or None when the connection died without one."""
    try:
        response = requests.get(f"{base}/gateway/vnpay/ipn?{query}", timeout=30)
    except requests.ConnectionError:
        return None
    assert response.status_code == 200, response.text
    return response.json()["RspCode"]


def test_a_worker_killed_before_committing_an_ipn_loses_nothing_and_the_retry_counts_once(
    db_session, database_url, tmp_path
):
    secret = secrets.token_hex(16)
    dossier = make_dossier(db_session, fee_due_vnd=235_000)
    headers = bearer_for(db_session, "payments:write")
    fault = armed_fault("ipn_before_commit", tmp_path)
    env = app_environment(database_url, secret) | fault

    with gunicorn(os.environ | env, workers=1) as base:
        created = create_card_payment(base, headers, dossier.code)
        ipn = gateway_ipn_for(created["redirect_url"], secret)

        assert send_ipn(base, ipn) is None  # the worker died holding the locks
        assert fired(fault)
        db_session.rollback()
        payment = db_session.get(Payment, created["id"], populate_existing=True)
        assert payment.status == "pending"
        assert events_of(db_session, payment.id) == [("created", None, "pending")]
        assert outbox_rows(db_session, payment.id) == 0

        # VNPAY retries until it gets an answer; gunicorn has started a fresh worker by then.
        first_answer = wait_until("an answer to the retried IPN", lambda: send_ipn(base, ipn))
        assert first_answer == "00"
        assert send_ipn(base, ipn) == "02"

    db_session.rollback()
    payments = db_session.scalars(select(Payment).where(Payment.dossier_id == dossier.id)).all()
    assert [(p.id, p.status) for p in payments] == [(created["id"], "succeeded")]
    assert events_of(db_session, created["id"]) == [
        ("created", None, "pending"),
        ("vnpay_ipn", None, None),
        ("status_changed", "pending", "succeeded"),
        ("vnpay_ipn", None, None),
    ]
    assert outbox_rows(db_session, created["id"]) == 1


def events_of(session, payment_id: int) -> list[tuple]:
    rows = session.execute(
        select(PaymentEvent.kind, PaymentEvent.from_status, PaymentEvent.to_status)
        .where(PaymentEvent.payment_id == payment_id)
        .order_by(PaymentEvent.id)
    )
    return [tuple(row) for row in rows]


def outbox_rows(session, payment_id: int) -> int:
    return len(
        session.scalars(
            select(OutboxEvent.id).where(
                OutboxEvent.topic == "payment.succeeded", OutboxEvent.subject_id == str(payment_id)
            )
        ).all()
    )
