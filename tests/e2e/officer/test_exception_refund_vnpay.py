"""A supervisor refunds a card payment from the exception page, through the gateway simulator.

Nothing of ours is patched: the citizen pays on the simulator's bank page over HTTP, the
nightly reconciliation finds the payment's dossier cancelled, and the supervisor's refund
form makes the app call the simulator's signed refund API over a socket.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import requests
from sqlalchemy import select

from payrecon import create_app
from payrecon.dossiers.models import Dossier
from payrecon.payments.models import Payment, Refund
from payrecon.reconciliation import queries
from payrecon.reconciliation.frames import LOCAL_TIMEZONE
from payrecon.reconciliation.service import run_reconciliation
from tests.e2e.auth.helpers import bearer_for
from tests.e2e.officer.helpers import PASSWORD, make_officer
from tests.e2e.payments.conftest import payments_config, serve_live
from tests.factories import make_dossier

FEE = 120_000
HIDDEN = re.compile(r'name="(?P<name>[\w-]+)" type="hidden" value="(?P<value>[^"]*)"')


@pytest.fixture
def live(database_url, engine, tmp_path):
    config = payments_config(database_url, str(tmp_path / "instance"))
    app = create_app(config | {"SESSION_COOKIE_SECURE": False})  # plain http on 127.0.0.1
    with serve_live(app, engine) as server:
        yield server


def hidden_fields(html: str) -> dict[str, str]:
    return {m["name"]: m["value"] for m in HIDDEN.finditer(html)}


def signed_in(live, username: str) -> requests.Session:
    browser = requests.Session()
    login = browser.get(live("/officer/login"), timeout=10).text
    answer = browser.post(
        live("/officer/login"),
        data={**hidden_fields(login), "username": username, "password": PASSWORD},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 303, answer.text
    return browser


def test_a_card_payment_for_a_cancelled_dossier_is_refunded_through_the_gateway(live, db_session):
    dossier = make_dossier(db_session, fee_due_vnd=FEE)
    started = requests.post(
        live("/api/v1/payments"),
        json={"dossier_code": dossier.code, "method": "vnpay"},
        headers=bearer_for(db_session, "payments:write") | {"Idempotency-Key": "k-officer"},
        timeout=10,
    ).json()
    requests.get(started["redirect_url"], timeout=10)
    paid = requests.post(
        live("/_sim/vnpay/pay"), data={"txn_ref": started["reference"], "action": "pay"}, timeout=30
    )
    assert paid.status_code == 200
    db_session.rollback()
    db_session.get(Dossier, dossier.id, populate_existing=True).status = "cancelled"
    db_session.commit()
    today = datetime.now(ZoneInfo(LOCAL_TIMEZONE)).date()
    run = run_reconciliation(db_session, business_date=today, actor="test")
    _, found = queries.list_exceptions(db_session, run.id, kind="cancelled_dossier")
    exception = found[0]
    make_officer(db_session, "supervisor")

    supervisor = signed_in(live, "supervisor.test")
    page = supervisor.get(live(f"/officer/exceptions/{exception.id}"), timeout=10).text
    fields = hidden_fields(page)
    assert fields["refund-expected_available_vnd"] == f"{started['id']}:{FEE}"
    answer = supervisor.post(
        live(f"/officer/exceptions/{exception.id}/refund"),
        data={
            "refund-csrf_token": fields["refund-csrf_token"],
            "refund-payment_id": str(started["id"]),
            "refund-amount_vnd": "120.000 ₫",
            "refund-expected_available_vnd": fields["refund-expected_available_vnd"],
            "refund-reason": "hồ sơ đã huỷ",
        },
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 303, answer.text

    db_session.rollback()
    refund = db_session.scalars(select(Refund).where(Refund.payment_id == started["id"])).one()
    assert (refund.status, refund.provider_response_code) == ("succeeded", "00")
    assert db_session.get(Payment, started["id"]).status == "refunded"
    seen = requests.get(live("/_sim/vnpay/transactions"), timeout=10).json()
    assert seen[0]["refunded_vnd"] == FEE
    history = queries.exception_history(db_session, exception.fingerprint)
    assert [(h.action, h.actor) for h in history] == [
        ("refund_started", "officer:supervisor.test"),
        ("refund_due", "officer:supervisor.test"),
    ]
    assert "(succeeded)" in history[0].note
    shown = supervisor.get(live(f"/officer/exceptions/{exception.id}"), timeout=10).text
    assert "officer:supervisor.test" in shown
