"""The settling rule for a bank credit, as a table: status, amounts, dossier → what happens."""

from __future__ import annotations

import pytest

from payrecon.payments.bank_credit import CreditOutcome, decide_credit, pick_reference
from payrecon.payments.states import PaymentStatus

S = PaymentStatus
C = CreditOutcome

# status, due, received before, credit, dossier still due →
#   outcome, new status, counted, surplus, shortfall, duplicate, announce
TABLE = [
    (S.PENDING, 235_000, 0, 235_000, True, C.SETTLED, S.SUCCEEDED, 235_000, 0, 0, False, True),
    (S.PENDING, 235_000, 0, 200_000, True, C.UNDERPAID, None, 200_000, 0, 35_000, False, False),
    (S.PENDING, 235_000, 200_000, 35_000, True, C.SETTLED, S.SUCCEEDED, 35_000, 0, 0, False, True),
    (
        S.PENDING,
        235_000,
        200_000,
        50_000,
        True,
        C.OVERPAID,
        S.SUCCEEDED,
        35_000,
        15_000,
        0,
        False,
        True,
    ),
    (
        S.PENDING,
        235_000,
        0,
        300_000,
        True,
        C.OVERPAID,
        S.SUCCEEDED,
        235_000,
        65_000,
        0,
        False,
        True,
    ),
    (
        S.SUCCEEDED,
        235_000,
        235_000,
        235_000,
        True,
        C.ALREADY_PAID,
        None,
        0,
        235_000,
        0,
        False,
        False,
    ),
    (S.REFUNDED, 235_000, 235_000, 10_000, True, C.ALREADY_PAID, None, 0, 10_000, 0, False, False),
    (S.EXPIRED, 235_000, 0, 235_000, True, C.SETTLED, S.SUCCEEDED, 235_000, 0, 0, False, True),
    (S.CANCELLED, 235_000, 0, 235_000, True, C.SETTLED, S.SUCCEEDED, 235_000, 0, 0, False, True),
    (S.EXPIRED, 235_000, 0, 235_000, False, C.REFUND_DUE, S.SUCCEEDED, 235_000, 0, 0, True, False),
    (S.PENDING, 235_000, 0, 235_000, False, C.REFUND_DUE, S.SUCCEEDED, 235_000, 0, 0, True, False),
    (S.EXPIRED, 235_000, 0, 100_000, True, C.UNDERPAID, None, 100_000, 0, 135_000, False, False),
]


@pytest.mark.parametrize(
    (
        "status",
        "due",
        "before",
        "credit",
        "still_due",
        "outcome",
        "new_status",
        "counted",
        "surplus",
        "shortfall",
        "duplicate",
        "announce",
    ),
    TABLE,
)
def test_a_credit_does_what_the_table_says(
    status,
    due,
    before,
    credit,
    still_due,
    outcome,
    new_status,
    counted,
    surplus,
    shortfall,
    duplicate,
    announce,
):
    decision = decide_credit(
        status=status,
        amount_due_vnd=due,
        received_before_vnd=before,
        credit_vnd=credit,
        dossier_still_due=still_due,
    )
    assert decision.outcome == outcome
    assert decision.new_status == new_status
    assert (decision.counted_vnd, decision.surplus_vnd, decision.shortfall_vnd) == (
        counted,
        surplus,
        shortfall,
    )
    assert decision.counted_vnd + decision.surplus_vnd == credit
    assert decision.is_duplicate is duplicate
    assert decision.announce is announce


def test_the_reason_says_what_is_missing_or_to_refund():
    short = decide_credit(
        status="pending",
        amount_due_vnd=100_000,
        received_before_vnd=0,
        credit_vnd=60_000,
        dossier_still_due=True,
    )
    assert "40000 VND still missing" in short.why
    over = decide_credit(
        status="pending",
        amount_due_vnd=100_000,
        received_before_vnd=0,
        credit_vnd=120_000,
        dossier_still_due=True,
    )
    assert "20000 VND above the amount to refund" in over.why


@pytest.mark.parametrize("bad", [1.5, -1, True, "100"])
def test_money_must_be_a_non_negative_int(bad):
    with pytest.raises(ValueError, match="credit_vnd"):
        decide_credit(
            status="pending",
            amount_due_vnd=100_000,
            received_before_vnd=0,
            credit_vnd=bad,
            dossier_still_due=True,
        )


def test_a_zero_credit_is_refused():
    with pytest.raises(ValueError, match="positive"):
        decide_credit(
            status="pending",
            amount_due_vnd=100_000,
            received_before_vnd=0,
            credit_vnd=0,
            dossier_still_due=True,
        )


def test_one_known_reference_is_picked_and_two_are_not_guessed():
    assert pick_reference(["PRA", "PRB"], {"PRB"}) == "PRB"
    assert pick_reference(["PRA", "PRB"], {"PRA", "PRB"}) is None
    assert pick_reference(["PRA"], set()) is None
