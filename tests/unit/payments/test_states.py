import pytest

from payrecon.errors import Conflict, InvalidInput
from payrecon.payments.states import (
    IllegalTransition,
    MoneyOutcome,
    PaymentStatus,
    RefundAmountAvailableMismatch,
    RefundNotAllowed,
    apply_move,
    check_refund_request,
    on_money_received,
    refund_amount_available,
    status_after_refund,
)

P = PaymentStatus
ALL = list(PaymentStatus)

# Every (current, wanted) pair: "repeat" = quiet no-op, "move" = allowed, "illegal" = raises.
MOVES = {
    # from pending
    (P.PENDING, P.PENDING): "repeat",
    (P.PENDING, P.SUCCEEDED): "move",
    (P.PENDING, P.FAILED): "move",
    (P.PENDING, P.EXPIRED): "move",
    (P.PENDING, P.CANCELLED): "move",
    (P.PENDING, P.REFUND_PENDING): "illegal",
    (P.PENDING, P.REFUNDED): "illegal",
    # from succeeded
    (P.SUCCEEDED, P.PENDING): "illegal",
    (P.SUCCEEDED, P.SUCCEEDED): "repeat",
    (P.SUCCEEDED, P.FAILED): "illegal",
    (P.SUCCEEDED, P.EXPIRED): "illegal",
    (P.SUCCEEDED, P.CANCELLED): "illegal",
    (P.SUCCEEDED, P.REFUND_PENDING): "move",
    (P.SUCCEEDED, P.REFUNDED): "illegal",
    # from failed
    (P.FAILED, P.PENDING): "illegal",
    (P.FAILED, P.SUCCEEDED): "illegal",
    (P.FAILED, P.FAILED): "repeat",
    (P.FAILED, P.EXPIRED): "illegal",
    (P.FAILED, P.CANCELLED): "illegal",
    (P.FAILED, P.REFUND_PENDING): "illegal",
    (P.FAILED, P.REFUNDED): "illegal",
    # from expired
    (P.EXPIRED, P.PENDING): "illegal",
    (P.EXPIRED, P.SUCCEEDED): "illegal",
    (P.EXPIRED, P.FAILED): "illegal",
    (P.EXPIRED, P.EXPIRED): "repeat",
    (P.EXPIRED, P.CANCELLED): "illegal",
    (P.EXPIRED, P.REFUND_PENDING): "illegal",
    (P.EXPIRED, P.REFUNDED): "illegal",
    # from cancelled
    (P.CANCELLED, P.PENDING): "illegal",
    (P.CANCELLED, P.SUCCEEDED): "illegal",
    (P.CANCELLED, P.FAILED): "illegal",
    (P.CANCELLED, P.EXPIRED): "illegal",
    (P.CANCELLED, P.CANCELLED): "repeat",
    (P.CANCELLED, P.REFUND_PENDING): "illegal",
    (P.CANCELLED, P.REFUNDED): "illegal",
    # from refund_pending
    (P.REFUND_PENDING, P.PENDING): "illegal",
    (P.REFUND_PENDING, P.SUCCEEDED): "move",
    (P.REFUND_PENDING, P.FAILED): "illegal",
    (P.REFUND_PENDING, P.EXPIRED): "illegal",
    (P.REFUND_PENDING, P.CANCELLED): "illegal",
    (P.REFUND_PENDING, P.REFUND_PENDING): "repeat",
    (P.REFUND_PENDING, P.REFUNDED): "move",
    # from refunded
    (P.REFUNDED, P.PENDING): "illegal",
    (P.REFUNDED, P.SUCCEEDED): "illegal",
    (P.REFUNDED, P.FAILED): "illegal",
    (P.REFUNDED, P.EXPIRED): "illegal",
    (P.REFUNDED, P.CANCELLED): "illegal",
    (P.REFUNDED, P.REFUND_PENDING): "illegal",
    (P.REFUNDED, P.REFUNDED): "repeat",
}


def test_the_table_covers_every_pair_of_states():
    assert len(ALL) == 7
    assert set(MOVES) == {(current, wanted) for current in ALL for wanted in ALL}


def test_status_values_are_the_public_strings():
    assert [status.value for status in ALL] == [
        "pending",
        "succeeded",
        "failed",
        "expired",
        "cancelled",
        "refund_pending",
        "refunded",
    ]


@pytest.mark.parametrize(("current", "wanted"), sorted(MOVES), ids=lambda s: str(s))
def test_apply_move_for_every_pair(current, wanted):
    outcome = MOVES[current, wanted]
    if outcome == "repeat":
        assert apply_move(current, wanted) is None
    elif outcome == "move":
        assert apply_move(current, wanted) == wanted
    else:
        with pytest.raises(IllegalTransition) as raised:
            apply_move(current, wanted)
        assert str(raised.value) == f"a payment cannot move from {current} to {wanted}"
        assert isinstance(raised.value, Conflict)
        assert (raised.value.current, raised.value.wanted) == (current, wanted)


def test_apply_move_accepts_the_stored_strings():
    assert apply_move("pending", "succeeded") is P.SUCCEEDED
    assert apply_move("succeeded", "succeeded") is None


def test_a_repeated_success_notification_changes_nothing():
    assert apply_move(P.SUCCEEDED, P.SUCCEEDED) is None


def test_a_failed_payment_cannot_later_succeed_by_a_move():
    with pytest.raises(IllegalTransition):
        apply_move(P.FAILED, P.SUCCEEDED)


@pytest.mark.parametrize(
    ("paid", "refunded_or_pending", "available"),
    [(50_000, 0, 50_000), (50_000, 20_000, 30_000), (50_000, 50_000, 0), (0, 0, 0)],
)
def test_refund_amount_available(paid, refunded_or_pending, available):
    assert refund_amount_available(paid, refunded_or_pending) == available


def test_refund_amount_available_refuses_refunds_beyond_the_payment():
    with pytest.raises(ValueError, match=r"refunds \(60000 VND\) exceed the amount paid"):
        refund_amount_available(50_000, 60_000)


@pytest.mark.parametrize("bad", [50_000.0, "50000", True, None])
def test_refund_amount_available_takes_only_int_vnd(bad):
    with pytest.raises(TypeError, match="paid_vnd must be an int of VND"):
        refund_amount_available(bad, 0)


def test_negative_amounts_are_refused():
    with pytest.raises(ValueError, match="refunded_or_pending_vnd must not be negative"):
        refund_amount_available(50_000, -1)


def _refund(**overrides):
    values = {
        "status": P.SUCCEEDED,
        "paid_vnd": 50_000,
        "refunded_or_pending_vnd": 0,
        "requested_vnd": 20_000,
    } | overrides
    return check_refund_request(**values)


def test_a_partial_refund_within_the_available_amount_is_allowed():
    assert _refund() == 30_000


def test_a_full_refund_leaves_nothing():
    assert _refund(requested_vnd=50_000) == 0


def test_a_second_refund_may_start_while_the_first_is_pending():
    assert _refund(status=P.REFUND_PENDING, refunded_or_pending_vnd=20_000) == 10_000


def test_a_refund_larger_than_what_is_left_is_refused():
    with pytest.raises(RefundNotAllowed) as raised:
        _refund(refunded_or_pending_vnd=40_000, requested_vnd=10_001)
    assert str(raised.value) == "a refund of 10001 VND exceeds the 10000 VND still refundable"
    assert raised.value.where == "amount"


@pytest.mark.parametrize("status", [P.PENDING, P.FAILED, P.EXPIRED, P.CANCELLED, P.REFUNDED])
def test_only_a_payment_holding_money_can_be_refunded(status):
    with pytest.raises(
        RefundNotAllowed, match=f"a payment that is {status} holds no money to refund"
    ):
        _refund(status=status)


@pytest.mark.parametrize("amount", [0, -5_000])
def test_a_refund_amount_must_be_positive(amount):
    with pytest.raises(InvalidInput, match="must be positive") as raised:
        _refund(requested_vnd=amount)
    assert raised.value.where == "amount"


def test_a_refund_amount_must_be_whole_vnd():
    with pytest.raises(InvalidInput, match="whole number of VND"):
        _refund(requested_vnd=20_000.5)


def test_the_available_amount_precondition_matches():
    assert _refund(refunded_or_pending_vnd=10_000, expected_available_vnd=40_000) == 20_000


def test_a_stale_available_amount_is_refused_so_a_blind_retry_cannot_refund_twice():
    # The officer saw 50,000 available; the first attempt went through but its answer was lost.
    with pytest.raises(RefundAmountAvailableMismatch) as raised:
        _refund(refunded_or_pending_vnd=20_000, expected_available_vnd=50_000)
    assert "refund_amount_available is 30000 VND, not 50000 VND" in str(raised.value)
    assert isinstance(raised.value, Conflict)


@pytest.mark.parametrize(
    ("paid", "refunded", "status"),
    [
        (50_000, 50_000, P.REFUNDED),
        (50_000, 20_000, P.SUCCEEDED),
        (50_000, 0, P.SUCCEEDED),  # the refund was rejected
        (50_000, 49_999, P.SUCCEEDED),
    ],
)
def test_status_after_refund(paid, refunded, status):
    assert status_after_refund(paid_vnd=paid, refunded_vnd=refunded) is status


def test_status_after_refund_is_reachable_from_refund_pending():
    for paid, refunded in [(50_000, 50_000), (50_000, 10_000)]:
        after = status_after_refund(paid_vnd=paid, refunded_vnd=refunded)
        assert apply_move(P.REFUND_PENDING, after) == after


@pytest.mark.parametrize(
    ("current", "still_due", "new_status", "refund_due"),
    [
        (P.PENDING, True, P.SUCCEEDED, False),
        (P.PENDING, False, P.SUCCEEDED, False),
        (P.SUCCEEDED, True, None, False),
        (P.SUCCEEDED, False, None, False),
        (P.REFUND_PENDING, False, None, False),
        (P.REFUNDED, False, None, False),
        (P.EXPIRED, True, P.SUCCEEDED, False),
        (P.CANCELLED, True, P.SUCCEEDED, False),
        (P.FAILED, True, P.SUCCEEDED, False),
        (P.EXPIRED, False, None, True),
        (P.CANCELLED, False, None, True),
        (P.FAILED, False, None, True),
    ],
)
def test_on_money_received(current, still_due, new_status, refund_due):
    outcome = on_money_received(current, dossier_still_due=still_due)
    assert isinstance(outcome, MoneyOutcome)
    assert (outcome.new_status, outcome.refund_due) == (new_status, refund_due)
    assert outcome.why


def test_a_late_success_explains_itself_for_the_audit_log():
    revived = on_money_received(P.EXPIRED, dossier_still_due=True)
    assert (
        revived.why == "late success for a payment already expired; the dossier still owed the fee"
    )
    refunded = on_money_received(P.CANCELLED, dossier_still_due=False)
    assert refunded.why == (
        "late success for a payment already cancelled; the dossier no longer owes it: refund"
    )
