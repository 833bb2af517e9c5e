"""Bank credits for VietQR payments: the signed notification, its fields, and the settling rule.

A VietQR payment is a plain bank transfer: no gateway ever says it succeeded, the money arriving
in the collection account is the only proof. It reaches us two ways, a credit notification
(POST /gateway/bank/credit, SePay-style JSON) and the bank statement; both end in decide_credit.

Signature (Stripe style): header ``X-Payrecon-Signature: t=<unix seconds>,v1=<hex>`` where the
hex is HMAC-SHA256(secret, "<t>.<raw body>"). The timestamp is inside the signed text, so an old
message replayed with a fresh ``t`` no longer verifies, and one replayed as it was is refused
once ``t`` is older than the tolerance. Several ``v1`` values may be sent while a secret is
rotated; one matching is enough.

Pure: bytes, strings, ints and datetimes in; decisions out.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum
from typing import Any

from payrecon.errors import InvalidInput, Unauthorized
from payrecon.payments.states import PaymentStatus, on_money_received

SIGNATURE_HEADER = "X-Payrecon-Signature"
TOLERANCE_SECONDS = 300
GMT7 = timezone(timedelta(hours=7))  # Vietnamese banks state times in local time


class BadNotificationSignature(Unauthorized):
    """A credit notification without a valid signature, or signed too long ago."""


# -- signature ----------------------------------------------------------------------------------


def _mac(body: bytes, secret: str, timestamp: int) -> str:
    signed = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def sign_notification(body: bytes, secret: str, timestamp: int) -> str:
    """The X-Payrecon-Signature header value for `body` sent at `timestamp` (unix seconds)."""
    return f"t={timestamp},v1={_mac(body, secret, timestamp)}"


def verify_notification(
    header: str | None,
    body: bytes,
    secret: str,
    *,
    now: int,
    tolerance_seconds: int = TOLERANCE_SECONDS,
) -> int:
    """Return the signed timestamp, or raise BadNotificationSignature saying why.

    The time window is checked in both directions: a clock a little ahead is tolerated like
    one a little behind, but not more than `tolerance_seconds` either way.
    """
    where = f"header.{SIGNATURE_HEADER}"
    if not header:
        raise BadNotificationSignature("the notification is not signed", where=where)
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            timestamp = int(value)
        elif name == "v1" and value:
            candidates.append(value.lower())
    if timestamp is None or not candidates:
        raise BadNotificationSignature(
            "the signature header must read t=<unix seconds>,v1=<hex>", where=where
        )
    expected = _mac(body, secret, timestamp)
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise BadNotificationSignature("the signature does not match the body", where=where)
    if abs(now - timestamp) > tolerance_seconds:
        raise BadNotificationSignature(
            f"the notification was signed {now - timestamp} s from now; the window is "
            f"±{tolerance_seconds} s (a replay, or a clock far off)",
            where=where,
        )
    return timestamp


# -- the notification ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CreditNotification:
    """What a credit notification says, checked. ``is_credit`` False: money going out."""

    account_number: str
    bank_transaction_id: str  # the bank's reference for the booking (SePay reference_code)
    amount_vnd: int
    content: str  # the transfer content (nội dung chuyển khoản) in which our reference hides
    transaction_at: datetime
    is_credit: bool = True
    bank: str | None = None
    notification_id: str | None = None  # the intermediary's own id (SePay id / transaction_id)

    @property
    def booking_date(self) -> date:
        return local_date(self.transaction_at)


def local_date(moment: datetime) -> date:
    """The Vietnamese calendar date of an aware moment: what a statement would book it on."""
    return moment.astimezone(GMT7).date()


def _text(data: Mapping[str, Any], name: str, *, required: bool = True, limit: int = 200) -> str:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidInput(f"{name} is required", where=f"body.{name}")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidInput(f"{name} must be a string", where=f"body.{name}")
    text = str(value).strip()
    if len(text) > limit:
        raise InvalidInput(f"{name} is longer than {limit} characters", where=f"body.{name}")
    return text


def _amount(value: Any) -> int:
    where = "body.amount"
    if isinstance(value, bool):
        raise InvalidInput("amount must be a whole number of VND", where=where)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int):
        raise InvalidInput("amount must be a whole number of VND", where=where)
    if value <= 0:
        raise InvalidInput(f"amount must be positive, got {value}", where=where)
    return value


def _moment(value: Any) -> datetime:
    """'2026-11-20 09:30:00' (bank local time, GMT+7, as SePay sends it) or ISO 8601."""
    where = "body.transaction_date"
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("transaction_date is required", where=where)
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            f"transaction_date {value!r} is not 'YYYY-MM-DD HH:MM:SS' or ISO 8601", where=where
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=GMT7)


def parse_notification(body: bytes) -> CreditNotification:
    """Read a SePay-style JSON credit notification; InvalidInput names the field at fault.

    Fields: account_number, amount, content, transfer_type ("in"/"credit" or "out"/"debit"),
    reference_code (the bank's id of the booking; the idempotency key with the account),
    transaction_date, and optionally gateway (the bank) and id / transaction_id.
    """
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"the body is not JSON: {exc}", where="body") from None
    if not isinstance(data, dict):
        raise InvalidInput("the body must be a JSON object", where="body")
    transfer_type = _text(data, "transfer_type").lower()
    if transfer_type not in ("in", "credit", "out", "debit"):
        raise InvalidInput(
            f"transfer_type must be in/credit or out/debit, not {transfer_type!r}",
            where="body.transfer_type",
        )
    return CreditNotification(
        account_number=_text(data, "account_number", limit=40),
        bank_transaction_id=_text(data, "reference_code", limit=100),
        amount_vnd=_amount(data.get("amount")),
        content=_text(data, "content", required=False, limit=1000),
        transaction_at=_moment(data.get("transaction_date")),
        is_credit=transfer_type in ("in", "credit"),
        bank=_text(data, "gateway", required=False, limit=100) or None,
        notification_id=(
            _text(data, "id", required=False, limit=100)
            or _text(data, "transaction_id", required=False, limit=100)
            or None
        ),
    )


# -- the settling rule --------------------------------------------------------------------------


class CreditOutcome(StrEnum):
    SETTLED = "settled"  # the exact amount (with earlier partial credits): succeeded
    OVERPAID = "overpaid"  # succeeded; the part above the amount is to be refunded
    UNDERPAID = "underpaid"  # not enough yet: stays as it is, the partial amount recorded
    ALREADY_PAID = "already_paid"  # a second credit for a paid payment: all of it to refund
    REFUND_DUE = "refund_due"  # money for a dossier that no longer owes it: succeeded, refund
    UNMATCHED = "unmatched"  # no pending payment's reference in the text: for reconciliation


NEEDS_AN_OFFICER = frozenset(
    {
        CreditOutcome.OVERPAID,
        CreditOutcome.UNDERPAID,
        CreditOutcome.ALREADY_PAID,
        CreditOutcome.REFUND_DUE,
        CreditOutcome.UNMATCHED,
    }
)
"""Outcomes that leave money to refund, a shortfall to chase, or a credit to place."""

_PAID = frozenset({PaymentStatus.SUCCEEDED, PaymentStatus.REFUND_PENDING, PaymentStatus.REFUNDED})


@dataclass(frozen=True)
class CreditDecision:
    """What one credit does to its payment.

    counted_vnd: the part of the credit that pays the payment; surplus_vnd: the part to refund;
    shortfall_vnd: what the payment still lacks afterwards. counted + surplus = the credit.
    new_status: the status to store, None to keep it. is_duplicate: the whole payment is money
    the dossier did not owe (states.on_money_received). announce: publish payment.succeeded.
    """

    outcome: CreditOutcome
    new_status: PaymentStatus | None
    counted_vnd: int
    surplus_vnd: int
    shortfall_vnd: int
    is_duplicate: bool
    announce: bool
    why: str


def decide_credit(
    *,
    status: PaymentStatus | str,
    amount_due_vnd: int,
    received_before_vnd: int,
    credit_vnd: int,
    dossier_still_due: bool,
) -> CreditDecision:
    """Apply a credit of `credit_vnd` to a payment of `amount_due_vnd`.

    `received_before_vnd` is what earlier credits for the same payment counted (partial
    payments add up). A payment that already holds its money takes nothing more: the whole
    credit is surplus. Otherwise the credits so far are compared with the amount: short, it
    waits (status unchanged, even for an expired one: reviving needs the whole amount); enough,
    states.on_money_received says what the money means (pending → succeeded; expired or
    cancelled → revived; dossier no longer owing → succeeded as a duplicate to refund), and
    anything above the amount is surplus.
    """
    for name, value in (
        ("amount_due_vnd", amount_due_vnd),
        ("received_before_vnd", received_before_vnd),
        ("credit_vnd", credit_vnd),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} must be a non-negative int of VND, got {value!r}")
    if credit_vnd == 0 or amount_due_vnd == 0:
        raise ValueError("a credit and the amount due must be positive")
    status = PaymentStatus(status)
    if status in _PAID:
        return CreditDecision(
            CreditOutcome.ALREADY_PAID,
            None,
            counted_vnd=0,
            surplus_vnd=credit_vnd,
            shortfall_vnd=0,
            is_duplicate=False,
            announce=False,
            why=f"a further {credit_vnd} VND for a payment already {status}: refund it",
        )
    total = received_before_vnd + credit_vnd
    if total < amount_due_vnd:
        shortfall = amount_due_vnd - total
        return CreditDecision(
            CreditOutcome.UNDERPAID,
            None,
            counted_vnd=credit_vnd,
            surplus_vnd=0,
            shortfall_vnd=shortfall,
            is_duplicate=False,
            announce=False,
            why=f"{total} of {amount_due_vnd} VND received; {shortfall} VND still missing",
        )
    surplus = total - amount_due_vnd
    money = on_money_received(status, dossier_still_due=dossier_still_due)
    if money.refund_due:
        outcome = CreditOutcome.REFUND_DUE
    elif surplus:
        outcome = CreditOutcome.OVERPAID
    else:
        outcome = CreditOutcome.SETTLED
    why = money.why + (f"; {surplus} VND above the amount to refund" if surplus else "")
    return CreditDecision(
        outcome,
        money.new_status,
        counted_vnd=credit_vnd - surplus,
        surplus_vnd=surplus,
        shortfall_vnd=0,
        is_duplicate=money.refund_due,
        announce=money.new_status is not None and not money.refund_due,
        why=why,
    )


def pick_reference(references: list[str], known: set[str]) -> str | None:
    """The one reference of a transfer text that names a payment of ours, else None.

    Two known references in one text (one transfer for two payments) is not guessed at:
    reconciliation proposes it to an officer.
    """
    mine = [reference for reference in references if reference in known]
    return mine[0] if len(mine) == 1 else None
