"""The VNPAY IPN, refunds and the querydr mop-up, with a fake gateway where we own the seam."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from payrecon.errors import UpstreamFailure
from payrecon.outbox import OutboxEvent
from payrecon.payments import queries, service
from payrecon.payments.models import Payment, PaymentEvent, Refund
from payrecon.payments.states import RefundAmountAvailableMismatch, RefundNotAllowed
from tests.factories import make_dossier
from tests.integration.payments.helpers import (
    TERMINAL,
    FakeGateway,
    create,
    no_answer,
    pay,
    signed_ipn,
)


def ipn(session, query):
    return service.handle_vnpay_ipn(session, raw_query=query, terminal=TERMINAL).as_json()


def status_of(session, payment_id):
    session.rollback()
    return session.get(Payment, payment_id).status


def event_count(session):
    session.rollback()
    return session.scalar(select(func.count()).select_from(PaymentEvent))


@pytest.fixture
def card_payment(db_session, settings):
    dossier = make_dossier(db_session, fee_due_vnd=150_000)
    return create(db_session, settings, dossier, method="vnpay").body


def test_a_verified_success_ipn_is_confirmed_once(db_session, card_payment):
    query = signed_ipn(card_payment["reference"], 150_000)
    assert ipn(db_session, query) == {"RspCode": "00", "Message": "Confirm Success"}
    assert ipn(db_session, query) == {"RspCode": "02", "Message": "Order already confirmed"}
    payment = db_session.get(Payment, card_payment["id"])
    assert (payment.status, payment.provider_transaction_id) == ("succeeded", "14422574")
    assert payment.paid_at == datetime(2026, 11, 20, 2, 30, tzinfo=UTC)  # 09:30 GMT+7
    ipn_events = [e for e in queries.list_events(db_session, payment.id) if e.kind == "vnpay_ipn"]
    assert len(ipn_events) == 2
    assert ipn_events[0].payload["raw_query"] == query
    outbox = db_session.scalars(select(OutboxEvent)).all()
    assert [(e.topic, e.payload["method"]) for e in outbox] == [("payment.succeeded", "vnpay")]


def test_an_ipn_with_a_bad_signature_changes_and_stores_nothing(db_session, card_payment):
    before = event_count(db_session)
    forged = signed_ipn(card_payment["reference"], 150_000, secret="not-our-secret")
    assert ipn(db_session, forged)["RspCode"] == "97"
    tampered = signed_ipn(card_payment["reference"], 150_000).replace(
        "vnp_Amount=15000000", "vnp_Amount=100"
    )
    assert ipn(db_session, tampered)["RspCode"] == "97"
    assert ipn(db_session, "vnp_TxnRef=x")["RspCode"] == "97"
    assert event_count(db_session) == before
    assert status_of(db_session, card_payment["id"]) == "pending"


def test_an_unknown_reference_is_01_and_a_wrong_amount_04(db_session, card_payment):
    assert ipn(db_session, signed_ipn("PR7K3MABCDW", 150_000))["RspCode"] == "01"
    wrong = signed_ipn(card_payment["reference"], 149_000)
    assert ipn(db_session, wrong)["RspCode"] == "04"
    assert status_of(db_session, card_payment["id"]) == "pending"
    kinds = [e.kind for e in queries.list_events(db_session, card_payment["id"])]
    assert kinds == ["created", "vnpay_ipn"]  # the message is kept for reconciliation


def test_a_failure_ipn_fails_the_payment_and_a_later_failure_is_02(db_session, card_payment):
    failed = signed_ipn(card_payment["reference"], 150_000, succeeded=False)
    assert ipn(db_session, failed)["RspCode"] == "00"
    assert status_of(db_session, card_payment["id"]) == "failed"
    assert ipn(db_session, failed)["RspCode"] == "02"


def test_a_late_success_revives_an_expired_payment(db_session, settings):
    dossier = make_dossier(db_session, fee_due_vnd=150_000)
    body = create(
        db_session, settings, dossier, method="vnpay", now=datetime.now(UTC) - timedelta(hours=1)
    ).body
    service.expire_pending_payments(db_session, datetime.now(UTC).date())
    assert status_of(db_session, body["id"]) == "expired"
    assert ipn(db_session, signed_ipn(body["reference"], 150_000))["RspCode"] == "00"
    assert status_of(db_session, body["id"]) == "succeeded"


def test_a_second_charge_of_a_paid_payment_is_recorded_not_applied(db_session, card_payment):
    ipn(db_session, signed_ipn(card_payment["reference"], 150_000, transaction_no="111"))
    answer = ipn(db_session, signed_ipn(card_payment["reference"], 150_000, transaction_no="222"))
    assert answer["RspCode"] == "02"
    kinds = [e.kind for e in queries.list_events(db_session, card_payment["id"])]
    assert kinds[-1] == "second_charge"
    assert db_session.get(Payment, card_payment["id"]).provider_transaction_id == "111"


def refund(session, settings, payment_id, amount, gateway=None, **kwargs):
    return service.request_refund(
        session,
        payment_id,
        amount_vnd=amount,
        reason="dossier returned",
        actor="officer:lan",
        settings=settings,
        client=gateway,
        **kwargs,
    )


def test_a_vietqr_refund_waits_for_the_finance_office(db_session, settings):
    dossier = make_dossier(db_session, fee_due_vnd=100_000)
    body = create(db_session, settings, dossier).body
    pay(db_session, body["reference"], 100_000)
    first = refund(db_session, settings, body["id"], 40_000)
    assert (first["status"], first["payment_status"]) == ("awaiting_transfer", "refund_pending")
    with pytest.raises(RefundNotAllowed, match="exceeds the 60000 VND"):
        refund(db_session, settings, body["id"], 60_001)
    with pytest.raises(RefundAmountAvailableMismatch):
        refund(db_session, settings, body["id"], 10_000, expected_available_vnd=100_000)
    done = service.complete_refund_transfer(db_session, first["id"], actor="officer:lan")
    assert (done["status"], done["payment_status"]) == ("succeeded", "succeeded")
    assert service.complete_refund_transfer(db_session, first["id"], actor="x")["status"] == (
        "succeeded"
    )
    rest = refund(db_session, settings, body["id"], 60_000, expected_available_vnd=60_000)
    final = service.complete_refund_transfer(db_session, rest["id"], actor="officer:lan")
    assert final["payment_status"] == "refunded"
    refunded = [
        e.payload
        for e in db_session.scalars(select(OutboxEvent).order_by(OutboxEvent.id))
        if e.topic == "payment.refunded"
    ]
    assert [(p["refund_id"], p["amount_vnd"], p["reason"]) for p in refunded] == [
        (first["id"], 40_000, "dossier returned"),
        (rest["id"], 60_000, "dossier returned"),
    ]
    assert refunded[0]["payment_id"] == body["id"]
    assert datetime.fromisoformat(refunded[0]["refunded_at"]).tzinfo is not None
    assert queries.dossier_payments(db_session, dossier).outstanding_vnd == 100_000


def test_a_pending_payment_cannot_be_refunded(db_session, settings, card_payment):
    with pytest.raises(RefundNotAllowed, match="holds no money"):
        refund(db_session, settings, card_payment["id"], 1_000)


def test_a_vnpay_refund_goes_through_the_gateway(db_session, settings, card_payment):
    ipn(db_session, signed_ipn(card_payment["reference"], 150_000))
    gateway = FakeGateway({"vnp_ResponseCode": "00", "vnp_Message": "Refund success"})
    answer = refund(db_session, settings, card_payment["id"], 150_000, gateway)
    assert (answer["status"], answer["payment_status"]) == ("succeeded", "refunded")
    kind, asked = gateway.calls[0]
    assert kind == "refund"
    assert (asked["amount_vnd"], asked["full"], asked["transaction_no"]) == (
        150_000,
        True,
        "14422574",
    )
    stored = db_session.get(Refund, answer["id"])
    assert asked["request_id"] == stored.provider_request_id


def test_a_refused_vnpay_refund_gives_the_money_back_to_the_payment(
    db_session, settings, card_payment
):
    ipn(db_session, signed_ipn(card_payment["reference"], 150_000))
    gateway = FakeGateway({"vnp_ResponseCode": "95", "vnp_Message": "not success"})
    answer = refund(db_session, settings, card_payment["id"], 50_000, gateway)
    assert (answer["status"], answer["payment_status"]) == ("failed", "succeeded")
    assert answer["provider_response_code"] == "95"


def test_a_refund_the_gateway_did_not_answer_stays_pending(db_session, settings, card_payment):
    ipn(db_session, signed_ipn(card_payment["reference"], 150_000))
    answer = refund(db_session, settings, card_payment["id"], 50_000, FakeGateway(no_answer()))
    assert (answer["status"], answer["payment_status"]) == ("pending", "refund_pending")
    with pytest.raises(RefundNotAllowed):  # the pending refund still counts
        refund(db_session, settings, card_payment["id"], 100_001, FakeGateway())


def querydr(status="00", response="00", amount=15_000_000, transaction_no="555"):
    return {
        "vnp_Command": "querydr",
        "vnp_ResponseCode": response,
        "vnp_TransactionStatus": status,
        "vnp_Amount": str(amount),
        "vnp_TransactionNo": transaction_no,
        "vnp_PayDate": "20261120100000",
    }


def stale(db_session, settings, count):
    dossiers = [make_dossier(db_session, fee_due_vnd=150_000) for _ in range(count)]
    earlier = datetime.now(UTC) - timedelta(minutes=20)
    return [create(db_session, settings, d, method="vnpay", now=earlier).body for d in dossiers]


def test_the_mop_up_settles_what_the_gateway_knows(db_session, settings):
    paid, failed, unknown = stale(db_session, settings, 3)
    create(db_session, settings, make_dossier(db_session), method="vnpay")  # too young to ask
    gateway = FakeGateway(
        querydr(),
        querydr(status="02"),
        {"vnp_Command": "querydr", "vnp_ResponseCode": "91"},
    )
    summary = service.settle_stale_vnpay_payments(
        db_session, datetime.now(UTC).date(), settings=settings, client=gateway
    )
    assert summary == "VNPAY querydr mop-up: 1 succeeded, 1 failed, 1 unchanged, 0 unanswered"
    assert [call[1]["reference"] for call in gateway.calls] == [
        paid["reference"],
        failed["reference"],
        unknown["reference"],
    ]
    assert status_of(db_session, paid["id"]) == "succeeded"
    assert db_session.get(Payment, paid["id"]).provider_transaction_id == "555"
    assert status_of(db_session, failed["id"]) == "failed"
    assert status_of(db_session, unknown["id"]) == "pending"


def test_the_mop_up_settles_the_rest_then_reports_an_unanswered_gateway(db_session, settings):
    first, second = stale(db_session, settings, 2)
    gateway = FakeGateway(no_answer(), querydr())
    with pytest.raises(UpstreamFailure, match=r"1 succeeded.*no usable answer for 1"):
        service.settle_stale_vnpay_payments(
            db_session, datetime.now(UTC).date(), settings=settings, client=gateway
        )
    assert status_of(db_session, first["id"]) == "pending"
    assert status_of(db_session, second["id"]) == "succeeded"
