"""The credit notification: its signature (HMAC-SHA256 over "t.body", ±300 s) and its fields."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest

from payrecon.errors import InvalidInput, Unauthorized
from payrecon.payments.bank_credit import (
    BadNotificationSignature,
    parse_notification,
    sign_notification,
    verify_notification,
)

SECRET = "whsec-test"
BODY = b'{"amount": 235000}'
NOW = 1_795_000_000


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body():
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sign_notification(BODY, SECRET, NOW) == f"t={NOW},v1={expected}"


def test_a_fresh_signature_verifies_and_returns_its_time():
    header = sign_notification(BODY, SECRET, NOW - 299)
    assert verify_notification(header, BODY, SECRET, now=NOW) == NOW - 299


def test_one_matching_v1_among_several_is_enough_while_a_secret_rotates():
    good = sign_notification(BODY, SECRET, NOW).split("v1=")[1]
    header = f"t={NOW},v1={'0' * 64},v1={good}"
    assert verify_notification(header, BODY, SECRET, now=NOW) == NOW


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (None, "not signed"),
        ("", "not signed"),
        ("v1=abc", "must read"),
        (f"t={NOW}", "must read"),
        (sign_notification(BODY, "another-secret", NOW), "does not match"),
        (sign_notification(BODY + b" ", SECRET, NOW), "does not match"),
        (sign_notification(BODY, SECRET, NOW - 301), "window"),
        (sign_notification(BODY, SECRET, NOW + 301), "window"),
    ],
)
def test_unsigned_forged_or_stale_messages_are_refused(header, message):
    with pytest.raises(BadNotificationSignature, match=message) as caught:
        verify_notification(header, BODY, SECRET, now=NOW)
    assert isinstance(caught.value, Unauthorized)
    assert caught.value.where == "header.X-Payrecon-Signature"


def test_a_replayed_body_with_a_new_timestamp_does_not_verify():
    old = sign_notification(BODY, SECRET, NOW - 3600)
    replayed = old.replace(f"t={NOW - 3600}", f"t={NOW}")
    with pytest.raises(BadNotificationSignature, match="does not match"):
        verify_notification(replayed, BODY, SECRET, now=NOW)


def body(**overrides):
    values = {
        "id": 92704,
        "gateway": "Vietcombank",
        "transaction_date": "2026-11-20 09:30:00",
        "account_number": "0071000123456",
        "content": "MBVCB.3278123456.PR7K3MABCDW.NGUYEN VAN A chuyen tien",
        "transfer_type": "in",
        "amount": 235000,
        "reference_code": "FT26324000001",
        "accumulated": 19077000,
    } | overrides
    return json.dumps({k: v for k, v in values.items() if v is not None}).encode()


def test_a_sepay_style_notification_is_read():
    notification = parse_notification(body())
    assert notification.account_number == "0071000123456"
    assert notification.amount_vnd == 235_000
    assert notification.bank_transaction_id == "FT26324000001"
    assert notification.is_credit is True
    assert notification.notification_id == "92704"
    assert notification.bank == "Vietcombank"
    # bank local time, GMT+7
    assert notification.transaction_at == datetime(2026, 11, 20, 2, 30, tzinfo=UTC)
    assert str(notification.booking_date) == "2026-11-20"


def test_late_evening_transfers_book_on_the_local_date():
    notification = parse_notification(body(transaction_date="2026-11-20T17:30:00+00:00"))
    assert str(notification.booking_date) == "2026-11-21"


def test_money_going_out_is_read_as_not_a_credit():
    assert parse_notification(body(transfer_type="out")).is_credit is False


@pytest.mark.parametrize(
    ("overrides", "where"),
    [
        ({"amount": None}, "body.amount"),
        ({"amount": 0}, "body.amount"),
        ({"amount": 235000.5}, "body.amount"),
        ({"amount": True}, "body.amount"),
        ({"reference_code": None}, "body.reference_code"),
        ({"account_number": ""}, "body.account_number"),
        ({"transfer_type": "sideways"}, "body.transfer_type"),
        ({"transaction_date": "20/11/2026"}, "body.transaction_date"),
    ],
)
def test_a_bad_field_is_named(overrides, where):
    with pytest.raises(InvalidInput) as caught:
        parse_notification(body(**overrides))
    assert caught.value.where == where


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b"\xff\xfe"])
def test_a_body_that_is_not_a_json_object_is_refused(raw):
    with pytest.raises(InvalidInput) as caught:
        parse_notification(raw)
    assert caught.value.where == "body"
