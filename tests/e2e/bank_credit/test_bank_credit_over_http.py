"""A VietQR payment confirmed by the bank, over real HTTP, on both databases.

The citizen's payment is made through the API, the simulated bank is told the transfer
arrived and notifies /gateway/bank/credit with a signed message; nothing of ours is patched.
"""

from __future__ import annotations

import time

import pytest
import requests
from sqlalchemy import func, select

from payrecon.invoices.models import Invoice
from payrecon.invoices.service import issue_pending_invoices
from payrecon.payments.bank_credit import sign_notification
from payrecon.payments.models import BankCredit, BankNotification
from tests.e2e.auth.helpers import bearer_for
from tests.e2e.bank_credit.conftest import WEBHOOK_SECRET
from tests.factories import make_dossier

FEE = 235_000


@pytest.fixture
def headers(db_session):
    return bearer_for(db_session, "payments:write", "statements:write")


@pytest.fixture
def dossier(db_session):
    return make_dossier(db_session, fee_due_vnd=FEE)


def start_vietqr(live, headers, dossier) -> dict:
    response = requests.post(
        live("/api/v1/payments"),
        json={"dossier_code": dossier.code, "method": "vietqr"},
        headers=headers | {"Idempotency-Key": f"k-{dossier.code}"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return response.json()


def bank_transfer(live, payment: dict, **body) -> dict:
    response = requests.post(
        live("/_sim/bank/control/credit"),
        json={"qr_payload": payment["vietqr"]["payload"]} | body,
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return response.json()


def results(sent: dict) -> list:
    return [(d["status"], (d["body"] or {}).get("result")) for d in sent["deliveries"]]


def status(live, reference: str) -> str:
    return requests.get(live(f"/pay/{reference}/status.json"), timeout=10).json()["status"]


def count(session, model) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(model))


def test_a_transfer_notified_by_the_bank_pays_and_gets_its_invoice(
    bank_live, headers, dossier, db_session, signing_keys
):
    payment = start_vietqr(bank_live, headers, dossier)
    assert status(bank_live, payment["reference"]) == "pending"

    sent = bank_transfer(bank_live, payment)
    assert results(sent) == [(200, "settled")]
    # what the citizen's status page polls
    assert status(bank_live, payment["reference"]) == "succeeded"

    db_session.rollback()
    assert issue_pending_invoices(db_session, keys=signing_keys).issued == 1
    assert count(db_session, Invoice) == 1


def test_retries_and_a_duplicate_transfer(bank_live, headers, dossier, db_session):
    payment = start_vietqr(bank_live, headers, dossier)
    first = bank_transfer(bank_live, payment, times=3)
    assert results(first) == [(200, "settled"), (200, "repeat"), (200, "repeat")]
    again = bank_transfer(bank_live, payment)  # the citizen paid twice: a new bank transaction
    assert results(again) == [(200, "already_paid")]
    assert count(db_session, BankNotification) == 4
    surplus = db_session.scalars(select(BankCredit.surplus_vnd).order_by(BankCredit.id)).all()
    assert surplus == [0, FEE]


@pytest.mark.parametrize(
    ("amount", "outcome", "after"),
    [
        (200_000, "underpaid", "pending"),
        (250_000, "overpaid", "succeeded"),
    ],
)
def test_under_and_over_payment(bank_live, headers, dossier, amount, outcome, after):
    payment = start_vietqr(bank_live, headers, dossier)
    assert results(bank_transfer(bank_live, payment, amount_vnd=amount)) == [(200, outcome)]
    assert status(bank_live, payment["reference"]) == after


@pytest.mark.parametrize("signature", ["forged", "stale", "none"])
def test_forged_stale_and_unsigned_notifications_change_nothing(
    bank_live, headers, dossier, db_session, signature
):
    payment = start_vietqr(bank_live, headers, dossier)
    sent = bank_transfer(bank_live, payment, signature=signature)
    [delivery] = sent["deliveries"]
    assert delivery["status"] == 401
    assert delivery["body"]["errors"][0]["where"] == "header.X-Payrecon-Signature"
    assert status(bank_live, payment["reference"]) == "pending"
    assert count(db_session, BankNotification) == 0
    assert count(db_session, BankCredit) == 0


def test_a_replayed_message_is_refused_once_out_of_its_window(bank_live, headers, dossier):
    payment = start_vietqr(bank_live, headers, dossier)
    body = (
        b'{"account_number": "1", "amount": 1, "transfer_type": "in", '
        b'"reference_code": "FT1", "transaction_date": "2026-11-20 09:30:00"}'
    )
    captured = sign_notification(body, WEBHOOK_SECRET, 1_700_000_000)  # signed long ago
    response = requests.post(
        bank_live("/gateway/bank/credit"),
        data=body,
        headers={"X-Payrecon-Signature": captured, "Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 401
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert status(bank_live, payment["reference"]) == "pending"


def test_a_signed_but_malformed_message_is_named_and_changes_nothing(bank_live, db_session):
    body = b'{"account_number": "1", "amount": "lots", "transfer_type": "in"}'
    response = requests.post(
        bank_live("/gateway/bank/credit"),
        data=body,
        headers={"X-Payrecon-Signature": sign_notification(body, WEBHOOK_SECRET, int(time.time()))},
        timeout=10,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["where"] == "body.reference_code"
    assert count(db_session, BankNotification) == 0


def test_webhook_then_statement_upload_is_one_success_and_one_linked_line(
    bank_live, headers, dossier, db_session
):
    payment = start_vietqr(bank_live, headers, dossier)
    sent = bank_transfer(bank_live, payment, content=f"MBVCB.9.{payment['reference']}.chuyen")
    db_session.rollback()
    account = db_session.scalar(select(BankCredit.account_number))
    today = db_session.scalar(select(BankCredit.booking_date)).isoformat()
    csv = (
        "booking_date,value_date,amount,direction,bank_reference,description,"
        "counterparty_name,counterparty_account\n"
        f"{today},{today},{FEE},C,{sent['reference_code']},"
        f"MBVCB.9.{payment['reference']}.chuyen,NGUYEN VAN A,0071000123456\n"
    )
    response = requests.post(
        bank_live("/api/v1/statements"),
        files={"file": ("today.csv", csv.encode(), "text/csv")},
        data={"account": account},
        headers=headers,
        timeout=30,
    )
    assert response.status_code == 201, response.text
    assert response.json()["payments_settled"] == {"linked": 1}
    assert count(db_session, BankCredit) == 1
    credit = db_session.scalars(select(BankCredit)).one()
    assert credit.statement_line_id is not None
    assert status(bank_live, payment["reference"]) == "succeeded"
