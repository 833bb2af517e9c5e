"""Creating payments, idempotency keys, money arriving and cancelling, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import func, select

from payrecon.errors import IdempotencyKeyReused, NotFound
from payrecon.outbox import OutboxEvent
from payrecon.payments import idempotency, queries, service, vietqr
from payrecon.payments.models import IdempotencyKey, Payment, PaymentEvent
from payrecon.payments.references import is_valid_reference
from payrecon.payments.states import IllegalTransition
from tests.factories import make_dossier
from tests.integration.payments.helpers import PAID_AT, create, pay


def outbox_payloads(session, topic):
    session.rollback()
    return [
        e.payload for e in session.scalars(select(OutboxEvent).where(OutboxEvent.topic == topic))
    ]


def test_a_vietqr_payment_asks_the_dossiers_fee_from_the_agencys_account(db_session, settings):
    dossier = make_dossier(db_session, fee_due_vnd=1_284_000)
    answer = create(db_session, settings, dossier)
    assert answer.status == 201
    body = answer.body
    assert is_valid_reference(body["reference"])
    assert (body["amount"], body["currency"], body["status"]) == (1_284_000, "VND", "pending")
    assert body["dossier_code"] == dossier.code
    qr = vietqr.parse_payload(body["vietqr"]["payload"])
    account = dossier.procedure.agency.accounts[0]
    assert (qr["bank_bin"], qr["account_number"]) == (account.bank_bin, account.account_number)
    assert (qr["amount_vnd"], qr["reference"]) == (1_284_000, body["reference"])
    assert body["vietqr"]["account_name"] == account.account_name
    assert body["vietqr"]["transfer_content_grouped"].replace(" ", "") == body["reference"]
    expires = datetime.fromisoformat(body["expires_at"]) - datetime.fromisoformat(
        body["created_at"]
    )
    assert expires == timedelta(hours=24)
    events = queries.list_events(db_session, body["id"])
    assert [(e.kind, e.from_status, e.to_status, e.actor) for e in events] == [
        ("created", None, "pending", "test")
    ]


def test_a_vnpay_payment_carries_a_signed_redirect_url(db_session, settings):
    dossier = make_dossier(db_session, fee_due_vnd=200_000)
    body = create(db_session, settings, dossier, method="vnpay").body
    url = urlsplit(body["redirect_url"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == settings.vnpay.pay_url
    params = dict(parse_qsl(url.query))
    assert params["vnp_TxnRef"] == body["reference"]
    assert params["vnp_Amount"] == "20000000"
    assert params["vnp_IpAddr"] == "203.0.113.7"
    assert params["vnp_TmnCode"] == settings.vnpay.tmn_code
    assert "vietqr" not in body


def test_a_live_pending_payment_of_the_same_method_is_given_back(db_session, settings):
    dossier = make_dossier(db_session)
    first = create(db_session, settings, dossier)
    again = create(db_session, settings, dossier)
    other_method = create(db_session, settings, dossier, method="vnpay")
    assert (first.status, again.status, other_method.status) == (201, 200, 201)
    assert again.body["id"] == first.body["id"]
    assert other_method.body["id"] != first.body["id"]


def test_an_expired_payment_is_not_given_back(db_session, settings):
    dossier = make_dossier(db_session)
    first = create(db_session, settings, dossier, now=datetime.now(UTC) - timedelta(days=2))
    later = create(db_session, settings, dossier)
    assert later.status == 201
    assert later.body["id"] != first.body["id"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"status": "cancelled"}, "is cancelled"),
        ({"fee_due_vnd": 0}, "has no fee due"),
    ],
)
def test_a_dossier_that_cannot_be_paid_is_refused(db_session, settings, overrides, message):
    dossier = make_dossier(db_session, **overrides)
    with pytest.raises(service.DossierNotPayable, match=message) as refused:
        create(db_session, settings, dossier)
    assert refused.value.where == "body.dossier_code"
    assert db_session.scalar(select(func.count()).select_from(Payment)) == 0


def test_an_unknown_dossier_is_not_found(db_session, settings):
    class Unknown:
        code = "HS-NOWHERE"

    with pytest.raises(NotFound, match="HS-NOWHERE"):
        create(db_session, settings, Unknown)


def test_a_fully_paid_dossier_is_refused(db_session, settings):
    dossier = make_dossier(db_session, fee_due_vnd=50_000)
    body = create(db_session, settings, dossier).body
    pay(db_session, body["reference"], 50_000)
    with pytest.raises(service.DossierNotPayable, match="already fully paid"):
        create(db_session, settings, dossier, method="vnpay")


def key(client="tok1", name="key-1", body=None):
    body = body or {}
    return service.IdempotentRequest(
        client=client, key=name, fingerprint=idempotency.fingerprint("create_payment", body)
    )


def test_the_same_key_and_body_replays_the_first_answer(db_session, settings):
    dossier = make_dossier(db_session)
    request_body = {"dossier_code": dossier.code, "method": "vietqr"}
    first = create(db_session, settings, dossier, idempotent=key(body=request_body))
    service.cancel_payment(db_session, first.body["id"], actor="test", why="changed mind")
    again = create(db_session, settings, dossier, idempotent=key(body=request_body))
    assert again.replayed
    assert (again.status, again.body) == (201, first.body)
    assert again.body["status"] == "pending"  # the first answer, not today's state
    stored = db_session.scalars(select(IdempotencyKey)).one()
    assert (stored.client, stored.key, stored.response_status) == ("tok1", "key-1", 201)


def test_the_same_key_with_another_body_is_refused(db_session, settings):
    dossier = make_dossier(db_session)
    body = {"dossier_code": dossier.code, "method": "vietqr"}
    create(db_session, settings, dossier, idempotent=key(body=body))
    with pytest.raises(IdempotencyKeyReused) as refused:
        create(
            db_session,
            settings,
            dossier,
            method="vnpay",
            idempotent=key(body=body | {"method": "vnpay"}),
        )
    assert refused.value.where == "header.Idempotency-Key"
    assert db_session.scalar(select(func.count()).select_from(Payment)) == 1


def test_keys_belong_to_their_client(db_session, settings):
    dossier = make_dossier(db_session)
    body = {"dossier_code": dossier.code, "method": "vietqr"}
    create(db_session, settings, dossier, idempotent=key(client="tok1", body=body))
    other = create(
        db_session,
        settings,
        dossier,
        method="vnpay",
        idempotent=key(client="tok2", body=body | {"method": "vnpay"}),
    )
    assert other.status == 201
    assert not other.replayed


def test_a_refused_request_is_not_remembered(db_session, settings):
    dossier = make_dossier(db_session, status="cancelled")
    body = {"dossier_code": dossier.code, "method": "vietqr"}
    with pytest.raises(service.DossierNotPayable):
        create(db_session, settings, dossier, idempotent=key(body=body))
    assert db_session.scalar(select(func.count()).select_from(IdempotencyKey)) == 0


def test_purge_removes_keys_older_than_a_day(db_session, settings):
    now = datetime.now(UTC)
    db_session.add_all(
        [
            IdempotencyKey(
                client="t",
                key="old",
                request_fingerprint="x" * 64,
                response_status=201,
                response_body={},
                created_at=now - timedelta(hours=25),
            ),
            IdempotencyKey(
                client="t",
                key="new",
                request_fingerprint="x" * 64,
                response_status=201,
                response_body={},
                created_at=now - timedelta(hours=1),
            ),
        ]
    )
    db_session.commit()
    summary = idempotency.purge_idempotency_keys(db_session, now.date())
    assert summary.startswith("1 idempotency keys")
    assert list(db_session.scalars(select(IdempotencyKey.key))) == ["new"]
    assert idempotency.purge_idempotency_keys(db_session, now.date()).startswith("0 ")


def test_money_received_succeeds_once_and_announces_it(db_session, settings):
    dossier = make_dossier(db_session, fee_due_vnd=200_000)
    body = create(db_session, settings, dossier).body
    first = pay(db_session, body["reference"], 200_000)
    repeat = pay(db_session, body["reference"], 200_000)
    assert first.outcome.new_status == "succeeded"
    assert repeat.outcome.new_status is None
    payment = db_session.get(Payment, body["id"])
    db_session.refresh(payment)
    assert (payment.status, payment.provider_transaction_id) == ("succeeded", "FT26324001")
    assert payment.paid_at == PAID_AT
    assert outbox_payloads(db_session, "payment.succeeded") == [
        {
            "payment_id": body["id"],
            "reference": body["reference"],
            "dossier_code": dossier.code,
            "amount_vnd": 200_000,
            "paid_at": PAID_AT.isoformat(),
            "method": "vietqr",
        }
    ]
    summary = queries.dossier_payments(db_session, dossier)
    assert (summary.paid_vnd, summary.outstanding_vnd) == (200_000, 0)


def test_money_of_another_amount_changes_nothing(db_session, settings):
    dossier = make_dossier(db_session, fee_due_vnd=200_000)
    body = create(db_session, settings, dossier).body
    with pytest.raises(service.AmountMismatch, match="199000"):
        pay(db_session, body["reference"], 199_000)
    assert db_session.get(Payment, body["id"]).status == "pending"
    assert [e.kind for e in queries.list_events(db_session, body["id"])] == ["created"]


def test_two_payments_paid_for_one_dossier_make_one_success_and_one_duplicate(db_session, settings):
    dossier = make_dossier(db_session, fee_due_vnd=200_000)
    by_qr = create(db_session, settings, dossier).body
    by_card = create(db_session, settings, dossier, method="vnpay").body
    pay(db_session, by_qr["reference"], 200_000, "FT1")
    second = pay(db_session, by_card["reference"], 200_000, "VNP1")
    assert second.outcome.refund_due
    db_session.rollback()
    statuses = {
        p.reference: (p.status, p.is_duplicate) for p in db_session.scalars(select(Payment))
    }
    assert statuses == {
        by_qr["reference"]: ("succeeded", False),
        by_card["reference"]: ("succeeded", True),
    }
    assert len(outbox_payloads(db_session, "payment.succeeded")) == 1
    summary = queries.dossier_payments(db_session, dossier)
    assert (summary.paid_vnd, summary.outstanding_vnd, summary.overpaid_vnd) == (
        400_000,
        0,
        200_000,
    )


def test_money_for_a_cancelled_payment_revives_it_while_the_dossier_still_owes(
    db_session, settings
):
    dossier = make_dossier(db_session, fee_due_vnd=80_000)
    body = create(db_session, settings, dossier).body
    service.cancel_payment(db_session, body["id"], actor="citizen", why="gave up")
    result = pay(db_session, body["reference"], 80_000)
    assert result.outcome.new_status == "succeeded"
    assert not result.outcome.refund_due
    history = [
        (e.from_status, e.to_status)
        for e in queries.list_events(db_session, body["id"])
        if e.to_status is not None
    ]
    assert history == [(None, "pending"), ("pending", "cancelled"), ("cancelled", "succeeded")]


def test_cancel_is_repeatable_but_not_after_payment(db_session, settings):
    dossier = make_dossier(db_session)
    body = create(db_session, settings, dossier).body
    assert (
        service.cancel_payment(db_session, body["id"], actor="a", why="w")["status"] == "cancelled"
    )
    assert (
        service.cancel_payment(db_session, body["id"], actor="a", why="w")["status"] == "cancelled"
    )
    paid = create(db_session, settings, dossier).body
    pay(db_session, paid["reference"], paid["amount"])
    with pytest.raises(IllegalTransition):
        service.cancel_payment(db_session, paid["id"], actor="a", why="w")
    events = db_session.scalar(
        select(func.count()).select_from(PaymentEvent).where(PaymentEvent.payment_id == body["id"])
    )
    assert events == 2  # created, cancelled once


def test_expiry_ends_payments_whose_time_ran_out(db_session, settings):
    dossier = make_dossier(db_session)
    old = create(db_session, settings, dossier, now=datetime.now(UTC) - timedelta(days=2)).body
    fresh = create(db_session, settings, dossier, method="vnpay").body
    today = datetime.now(UTC).date()
    assert service.expire_pending_payments(db_session, today).startswith("1 pending")
    assert service.expire_pending_payments(db_session, today).startswith("0 pending")
    db_session.rollback()
    assert db_session.get(Payment, old["id"]).status == "expired"
    assert db_session.get(Payment, fresh["id"]).status == "pending"
