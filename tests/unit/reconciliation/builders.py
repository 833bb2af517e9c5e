"""Plain-value builders for reconciliation frames: tests spell only what matters."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from payrecon.payments.references import ALPHABET, PREFIX, check_character
from payrecon.reconciliation import frames as f


def reference_for(number: int) -> str:
    """A valid payment reference made from a number, so tests can name it: ref(7) != ref(8)."""
    body = ""
    for _ in range(8):
        number, digit = divmod(number, len(ALPHABET))
        body = ALPHABET[digit] + body
    return PREFIX + body + check_character(PREFIX + body)


def moment(day: date, hour: int = 9) -> datetime:
    """9:00 Vietnam time on `day`, as an aware UTC datetime."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - timedelta(hours=7)


def payment(payment_id: int, amount_vnd: int, *, paid: date | None, **overrides: object) -> dict:
    row: dict[str, object] = {
        "payment_id": payment_id,
        "reference": reference_for(payment_id),
        "dossier_code": f"D{payment_id}",
        "method": "vietqr",
        "status": "succeeded" if paid else "pending",
        "amount_vnd": amount_vnd,
        "refunded_vnd": 0,
        "paid_at": moment(paid) if paid else None,
        "created_at": moment(paid - timedelta(days=0) if paid else date(2026, 11, 23), 8),
    }
    row.update(overrides)
    return row


def credit(line_id: int, amount_vnd: int, text: str, booked: date, **overrides: object) -> dict:
    row: dict[str, object] = {
        "line_id": line_id,
        "account_id": 1,
        "booking_date": booked,
        "value_date": booked,
        "amount_vnd": amount_vnd,
        "direction": "C",
        "remittance_text": text,
        "statement_id": 1,
    }
    row.update(overrides)
    return row


def debit(line_id: int, amount_vnd: int, text: str, booked: date, **overrides: object) -> dict:
    return credit(line_id, -amount_vnd, text, booked, direction="D", **overrides)


def dossier(code: str, fee_due_vnd: int, **overrides: object) -> dict:
    row: dict[str, object] = {
        "dossier_code": code,
        "status": "processing",
        "fee_due_vnd": fee_due_vnd,
        "marked_paid": False,
        "applicant_name": "",
    }
    row.update(overrides)
    return row


def frames(**records: list[dict]) -> dict:
    """Every input frame of `reconcile`, from lists of dicts; absent ones are empty."""
    contracts = {
        "payments": f.PAYMENTS,
        "bank_lines": f.BANK_LINES,
        "settlements": f.SETTLEMENTS,
        "dossiers": f.DOSSIERS,
        "invoices": f.INVOICES,
        "refunds": f.REFUNDS,
    }
    return {
        name: f.frame_from_records(contract, records.get(name, []))
        for name, contract in contracts.items()
    }
