"""A dossier paid by card through the gateway simulator, over real HTTP, on both databases.

Nothing of ours is patched: our redirect URL is checked by the simulator, its IPN reaches our
/gateway/vnpay/ipn through a socket and is verified on the raw query, querydr and refund go
to its merchant API with requests.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
import requests
from sqlalchemy import func, select

from payrecon.errors import UpstreamFailure
from payrecon.payments import service, vnpay_protocol
from payrecon.payments.models import Payment, PaymentEvent
from payrecon.payments.settings import PaymentSettings
from tests.e2e.auth.helpers import bearer_for
from tests.factories import make_dossier

FEE = 235_000


@pytest.fixture
def headers(db_session):
    return bearer_for(db_session, "payments:write", "payments:refund")


@pytest.fixture
def dossier(db_session):
    return make_dossier(db_session, fee_due_vnd=FEE)


def start(live, headers, dossier, key, method="vnpay"):
    response = requests.post(
        live("/api/v1/payments"),
        json={"dossier_code": dossier.code, "method": method},
        headers=headers | {"Idempotency-Key": key},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return response.json()


def control(live, path, **body):
    response = requests.post(live(f"/_sim/vnpay/control/{path}"), json=body, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def answers(result):
    return [answer["RspCode"] for answer in result["ipn_answers"]]


def payment_json(live, headers, payment_id):
    return requests.get(live(f"/api/v1/payments/{payment_id}"), headers=headers, timeout=10).json()


def event_count(db_session):
    db_session.rollback()
    return db_session.scalar(select(func.count()).select_from(PaymentEvent))


def test_a_citizen_pays_on_the_bank_page_and_repeats_change_nothing(live, headers, dossier):
    payment = start(live, headers, dossier, "k-pay")
    bank_page = requests.get(payment["redirect_url"], timeout=10)
    assert bank_page.status_code == 200
    assert payment["reference"] in bank_page.text

    back = requests.post(
        live("/_sim/vnpay/pay"),
        data={"txn_ref": payment["reference"], "action": "pay"},
        timeout=30,
    )
    assert back.status_code == 200
    assert back.url.startswith(live("/gateway/vnpay/return?"))
    assert "Đã thanh toán" in back.text

    paid = payment_json(live, headers, payment["id"])
    assert paid["status"] == "succeeded"
    assert paid["provider_transaction_id"]
    seen = requests.get(live("/_sim/vnpay/transactions"), timeout=10).json()
    assert [t["ipn_answers"] for t in seen] == [[{"RspCode": "00", "Message": "Confirm Success"}]]

    again = control(live, "ipn", txn_ref=payment["reference"], times=3)
    assert answers(again) == ["02", "02", "02"]
    out_of_order = control(live, "ipn", txn_ref=payment["reference"], outcome="cancel")
    assert answers(out_of_order) == ["02"]
    assert payment_json(live, headers, payment["id"])["status"] == "succeeded"

    dossier_view = requests.get(live(f"/api/v1/dossiers/{dossier.code}"), timeout=10).json()
    assert (dossier_view["paid_vnd"], dossier_view["outstanding_vnd"]) == (FEE, 0)
    assert [p["reference"] for p in dossier_view["payments"]] == [payment["reference"]]


def test_a_cancel_on_the_bank_page_fails_the_payment(live, headers, dossier):
    payment = start(live, headers, dossier, "k-cancel")
    requests.get(payment["redirect_url"], timeout=10)
    back = requests.post(
        live("/_sim/vnpay/pay"), data={"txn_ref": payment["reference"], "action": "x"}, timeout=30
    )
    assert back.status_code == 200
    assert payment_json(live, headers, payment["id"])["status"] == "failed"


def test_forged_ipns_are_answered_97_and_leave_no_trace(live, headers, dossier, db_session):
    payment = start(live, headers, dossier, "k-forged")
    before = event_count(db_session)
    params = {
        "vnp_Amount": str(FEE * 100),
        "vnp_ResponseCode": "00",
        "vnp_TmnCode": "SIMTMN01",
        "vnp_TransactionNo": "1",
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": payment["reference"],
    }
    forged = vnpay_protocol.signed_query(params)
    forged += "&vnp_SecureHash=" + vnpay_protocol.sign(params, "a guessed secret")
    response = requests.get(live(f"/gateway/vnpay/ipn?{forged}"), timeout=10)
    assert response.status_code == 200
    assert response.json() == {"RspCode": "97", "Message": "Invalid signature"}
    unsigned = requests.get(
        live(f"/gateway/vnpay/ipn?{vnpay_protocol.signed_query(params)}"), timeout=10
    )
    assert unsigned.json()["RspCode"] == "97"
    assert event_count(db_session) == before
    assert payment_json(live, headers, payment["id"])["status"] == "pending"


def test_a_wrong_amount_is_04_and_the_payment_keeps_waiting(live, headers, dossier):
    payment = start(live, headers, dossier, "k-amount")
    result = control(live, "complete", payment_url=payment["redirect_url"], amount_vnd=FEE - 1_000)
    assert answers(result) == ["04"]
    assert payment_json(live, headers, payment["id"])["status"] == "pending"


def test_a_late_ipn_revives_a_cancelled_payment_or_becomes_a_duplicate(
    live, headers, dossier, db_session
):
    payment = start(live, headers, dossier, "k-late")
    cancelled = requests.post(
        live(f"/api/v1/payments/{payment['id']}/cancel"), headers=headers, timeout=10
    )
    assert cancelled.json()["status"] == "cancelled"
    late = control(live, "complete", payment_url=payment["redirect_url"])
    assert answers(late) == ["00"]
    revived = payment_json(live, headers, payment["id"])
    assert (revived["status"], revived["is_duplicate"]) == ("succeeded", False)

    other = make_dossier(db_session, fee_due_vnd=FEE)
    by_qr = start(live, headers, other, "k-late-qr", method="vietqr")
    by_card = start(live, headers, other, "k-late-card")
    service.record_money_received(
        db_session,
        reference=by_qr["reference"],
        amount_vnd=FEE,
        provider_transaction_id="FT1",
        paid_at=datetime.now(UTC),
        actor="bank:test",
        source="bank credit",
    )
    duplicate = control(live, "complete", payment_url=by_card["redirect_url"])
    assert answers(duplicate) == ["00"]
    card = payment_json(live, headers, by_card["id"])
    assert (card["status"], card["is_duplicate"]) == ("succeeded", True)


def test_the_mop_up_asks_querydr_when_the_ipn_was_lost(live, headers, dossier, db_session):
    payment = start(live, headers, dossier, "k-lost")
    lost = control(live, "complete", payment_url=payment["redirect_url"], deliver_ipn=False)
    assert lost["ipn_answers"] == []
    settings = PaymentSettings.from_config(live.app.config)
    today = datetime.now(UTC).date()

    for fault in ("garbage", "bad_signature", "http_500"):
        control(live, "faults", api=fault)
        with pytest.raises(UpstreamFailure, match="no usable answer for 1"):
            service.settle_stale_vnpay_payments(db_session, today, settings=settings)
    control(live, "faults", api=None)
    assert payment_json(live, headers, payment["id"])["status"] == "pending"

    summary = service.settle_stale_vnpay_payments(db_session, today, settings=settings)
    assert summary.startswith("VNPAY querydr mop-up: 1 succeeded")
    settled = payment_json(live, headers, payment["id"])
    assert settled["status"] == "succeeded"
    assert settled["provider_transaction_id"] == lost["transaction_no"]


def test_a_refund_goes_through_the_gateways_refund_api(live, headers, dossier):
    payment = start(live, headers, dossier, "k-refund")
    control(live, "complete", payment_url=payment["redirect_url"])
    body = {"amount_vnd": 35_000, "reason": "lệ phí giảm"}
    first = requests.post(
        live(f"/api/v1/payments/{payment['id']}/refunds"), json=body, headers=headers, timeout=30
    )
    assert first.status_code == 201, first.text
    assert (first.json()["status"], first.json()["payment_status"]) == ("succeeded", "succeeded")
    too_much = requests.post(
        live(f"/api/v1/payments/{payment['id']}/refunds"),
        json={"amount_vnd": FEE, "reason": "again"},
        headers=headers,
        timeout=30,
    )
    assert too_much.status_code == 409
    assert too_much.headers["Content-Type"] == "application/problem+json"
    rest = requests.post(
        live(f"/api/v1/payments/{payment['id']}/refunds"),
        json={
            "amount_vnd": FEE - 35_000,
            "reason": "hồ sơ bị trả",
            "refund_amount_available": FEE - 35_000,
        },
        headers=headers,
        timeout=30,
    )
    assert rest.json()["payment_status"] == "refunded"
    seen = requests.get(live("/_sim/vnpay/transactions"), timeout=10).json()
    assert seen[0]["refunded_vnd"] == FEE


def test_twenty_requests_with_one_key_over_http_make_one_payment(
    live, headers, dossier, db_session
):
    def post(_):
        return requests.post(
            live("/api/v1/payments"),
            json={"dossier_code": dossier.code, "method": "vietqr"},
            headers=headers | {"Idempotency-Key": "one-key-for-all"},
            timeout=30,
        )

    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(post, range(20)))
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(Payment)) == 1
