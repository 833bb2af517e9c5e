"""Property tests for pure cores the unit tests cover by example only.

Already covered elsewhere by hypothesis, so not repeated: VND format/parse and words
(tests/unit/test_money.py), VietQR build/parse round trip (tests/unit/payments/test_vietqr.py).
"""

from __future__ import annotations

import random
from urllib.parse import quote_plus

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from payrecon.payments.states import (
    ALLOWED_MOVES,
    FINISHED_WITHOUT_MONEY,
    IllegalTransition,
    PaymentStatus,
    apply_move,
    on_money_received,
)
from payrecon.payments.vietqr import InvalidQrPayload, build_payload, parse_payload
from payrecon.payments.vnpay_protocol import BadSignature, sign, signed_query, verify_query

S = PaymentStatus

# --- the payment state machine -------------------------------------------------------------

events = st.lists(
    st.one_of(
        st.tuples(st.just("move"), st.sampled_from(list(PaymentStatus))),
        st.tuples(st.just("money"), st.booleans()),
    ),
    max_size=30,
)


@given(events)
def test_no_sequence_of_events_succeeds_twice_or_revives_except_by_late_money(sequence):
    """Replay any mix of requested moves and money-arrived reports on a new payment.

    A success is entering `succeeded` from anything but refund_pending (whose way back to
    succeeded is a partial or rejected refund, not new money). There is at most one success,
    and a finished payment (failed, expired, cancelled) only succeeds through
    on_money_received, the documented late-money rule, never through apply_move.
    """
    status = S.PENDING
    successes = 0
    for kind, argument in sequence:
        before = status
        if kind == "move":
            try:
                new = apply_move(status, argument)
            except IllegalTransition:
                assert argument not in (status, *_allowed(status))
                continue
            if new is None:
                assert argument == status
                continue
            assert before not in FINISHED_WITHOUT_MONEY
            assert before != S.REFUNDED
            status = new
        else:
            outcome = on_money_received(status, dossier_still_due=argument)
            if outcome.new_status is None:
                assert before in (S.SUCCEEDED, S.REFUND_PENDING, S.REFUNDED)
                continue
            assert before == S.PENDING or before in FINISHED_WITHOUT_MONEY
            assert outcome.refund_due == (not argument)
            status = outcome.new_status
        if status == S.SUCCEEDED and before != S.REFUND_PENDING:
            successes += 1
    assert successes <= 1


def _allowed(status: PaymentStatus) -> frozenset[PaymentStatus]:
    return ALLOWED_MOVES[status]


@given(st.sampled_from(sorted(FINISHED_WITHOUT_MONEY | {S.REFUNDED})), st.sampled_from(list(S)))
def test_a_finished_payment_never_moves_by_request(finished, wanted):
    if wanted == finished:
        assert apply_move(finished, wanted) is None
    else:
        with pytest.raises(IllegalTransition):
            apply_move(finished, wanted)


# --- VNPAY signatures ----------------------------------------------------------------------

SECRET = "property-test-secret"
vnp_keys = (
    st.text(
        alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12
    )
    .map(lambda name: f"vnp_{name}")
    .filter(lambda key: key not in ("vnp_SecureHash", "vnp_SecureHashType"))
)
vnp_values = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=40
)
vnp_params = st.dictionaries(vnp_keys, vnp_values, min_size=1, max_size=12)


@given(vnp_params, st.randoms())
def test_sign_does_not_depend_on_parameter_order(params, rnd: random.Random):
    items = list(params.items())
    rnd.shuffle(items)
    assert sign(dict(items), SECRET) == sign(params, SECRET)


@given(vnp_params)
def test_a_signed_query_verifies_and_gives_the_values_back(params):
    query = f"{signed_query(params)}&vnp_SecureHash={sign(params, SECRET)}"
    assert verify_query(query, SECRET) == params


@given(vnp_params, st.data())
def test_any_one_character_change_of_a_value_fails(params, data):
    key = data.draw(st.sampled_from(sorted(params)))
    value = params[key]
    position = data.draw(st.integers(0, len(value) - 1))
    replacement = data.draw(vnp_values.map(lambda text: text[0]))
    assume(replacement != value[position])
    changed = {**params, key: value[:position] + replacement + value[position + 1 :]}
    forged = f"{signed_query(changed)}&vnp_SecureHash={sign(params, SECRET)}"
    with pytest.raises(BadSignature):
        verify_query(forged, SECRET)


@given(vnp_params, st.data())
def test_any_one_digit_change_of_the_hash_fails(params, data):
    digest = sign(params, SECRET)
    position = data.draw(st.integers(0, len(digest) - 1))
    digit = data.draw(st.sampled_from("0123456789abcdef"))
    assume(digit != digest[position])
    forged = digest[:position] + digit + digest[position + 1 :]
    with pytest.raises(BadSignature):
        verify_query(f"{signed_query(params)}&vnp_SecureHash={forged}", SECRET)


@given(vnp_params)
def test_the_wrong_secret_fails(params):
    query = f"{signed_query(params)}&vnp_SecureHash={sign(params, SECRET)}"
    with pytest.raises(BadSignature):
        verify_query(query, SECRET + "x")


@given(vnp_params)
def test_the_signed_string_is_the_form_encoding_of_the_sorted_pairs(params):
    expected = "&".join(f"{key}={quote_plus(params[key])}" for key in sorted(params))
    assert signed_query(params) == expected


# --- VietQR: any one-character change is caught ---------------------------------------------


@given(
    account_number=st.from_regex(r"[0-9]{6,19}", fullmatch=True),
    amount_vnd=st.integers(min_value=1, max_value=9_999_999_999),
    reference=st.from_regex(r"PR[0-9A-Z]{9}", fullmatch=True),
    data=st.data(),
)
def test_a_one_character_change_of_a_vietqr_payload_is_refused(
    account_number, amount_vnd, reference, data
):
    payload = build_payload(
        bank_bin="970436", account_number=account_number, amount_vnd=amount_vnd, reference=reference
    )
    position = data.draw(st.integers(0, len(payload) - 5))  # the CRC's own digits excluded
    replacement = data.draw(st.sampled_from("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ "))
    assume(replacement != payload[position])
    tampered = payload[:position] + replacement + payload[position + 1 :]
    with pytest.raises(InvalidQrPayload):
        parse_payload(tampered)
