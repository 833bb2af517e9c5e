"""Money is conserved: on any day, every credit and every paid payment ends in exactly one place.

A credit (direction C, not a reversal) ends in one match, one rank-1 proposal, or one exception
holding it. A payment whose money came in (succeeded, refund_pending, refunded) ends in one
match, one rank-1 proposal, one exception holding it, or the awaiting list.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payrecon.reconciliation import frames as f
from payrecon.reconciliation.classify import MONEY_RECEIVED_STATUSES
from payrecon.reconciliation.engine import Settings, reconcile
from tests.unit.reconciliation.builders import (
    credit,
    debit,
    dossier,
    frames,
    moment,
    payment,
    reference_for,
)

DAY = date(2026, 11, 24)
AMOUNTS = st.sampled_from([10_000, 20_000, 30_000])
BATCH_CODES = {1: "VNPB1", 2: "VNPB2"}
# Dossier codes of the shape bank text is searched for (reconciliation.named).
TYPED_CODES = ("000.00.20.H49-241120-0001", "000.00.20.H49-241120-0002")


@st.composite
def days(draw):
    payments, settlements, dossiers, invoices, refunds = [], [], {}, [], []
    batches: dict[int, int] = {}
    for pid in range(1, draw(st.integers(0, 7)) + 1):
        status = draw(st.sampled_from(f.PAYMENT_STATUSES))
        method = draw(st.sampled_from(f.PAYMENT_METHODS))
        amount = draw(AMOUNTS)
        day = DAY - timedelta(days=draw(st.integers(0, 5)))
        paid = day if status in MONEY_RECEIVED_STATUSES else None
        refunded = amount if status == "refunded" else 0
        code = f"D{draw(st.integers(1, 4))}"
        payments.append(
            payment(
                pid,
                amount,
                paid=paid,
                status=status,
                method=method,
                refunded_vnd=refunded,
                created_at=moment(day),
                dossier_code=code,
            )
        )
        if draw(st.booleans()):
            dossiers[code] = dossier(
                code,
                draw(AMOUNTS),
                status=draw(st.sampled_from(f.DOSSIER_STATUSES)),
                marked_paid=draw(st.booleans()),
                applicant_name=draw(st.sampled_from(["", "AN"])),
            )
        if draw(st.booleans()):
            invoices.append(
                {
                    "invoice_id": pid,
                    "payment_id": pid,
                    "total_vnd": amount,
                    "status": draw(st.sampled_from(f.INVOICE_STATUSES)),
                }
            )
        if status == "refunded" and draw(st.booleans()):
            refunds.append(
                {
                    "refund_id": pid,
                    "payment_id": pid,
                    "amount_vnd": amount,
                    "status": "succeeded",
                    "requested_at": moment(day),
                }
            )
        batch = draw(st.sampled_from([0, 1, 2])) if method == "vnpay" else 0
        if batch:
            fee = draw(st.sampled_from([0, 1_000]))
            batches[batch] = batches.get(batch, 0) + amount - fee
            settlements.append(
                {
                    "batch_id": batch,
                    "batch_reference": BATCH_CODES[batch],
                    "settlement_date": DAY - timedelta(days=batch),
                    "reference": reference_for(pid),
                    "gross_vnd": amount,
                    "fee_vnd": fee,
                    "net_vnd": amount - fee,
                }
            )
    for code in TYPED_CODES:
        if draw(st.booleans()):
            status = draw(st.sampled_from(f.DOSSIER_STATUSES))
            dossiers[code] = dossier(code, draw(AMOUNTS), status=status)
    lines = []
    for lid in range(1, draw(st.integers(0, 9)) + 1):
        shape = draw(
            st.sampled_from(["ref", "ref", "noref", "batch", "refund", "reversal", "named"])
        )
        booked = DAY - timedelta(days=draw(st.integers(0, 4)))
        named = reference_for(draw(st.integers(1, max(1, len(payments)))))
        amount = draw(AMOUNTS)
        if shape == "ref":
            lines.append(
                credit(lid, amount, f"CT {named} NOP PHI", booked, bank_reference=f"FT{lid}")
            )
        elif shape == "named":
            stranger = reference_for(500 + draw(st.integers(0, 1)))
            typed = draw(st.sampled_from(TYPED_CODES))
            text = draw(st.sampled_from([f"CT {stranger}", f"HS {typed}", f"{typed} {stranger}"]))
            lines.append(credit(lid, amount, text, booked, bank_reference=f"FT{lid}"))
        elif shape == "noref":
            lines.append(credit(lid, amount, "AN chuyen tien", booked, bank_reference=f"FT{lid}"))
        elif shape == "batch" and batches:
            batch = draw(st.sampled_from(sorted(batches)))
            net = batches[batch] if draw(st.booleans()) else amount
            text = f"VNPAY {BATCH_CODES[batch]}" if draw(st.booleans()) else "VNPAY"
            lines.append(credit(lid, net, text, booked))
        elif shape == "refund":
            lines.append(debit(lid, amount, f"HOAN TIEN {named}", booked))
        elif shape == "reversal" and lines:
            original = draw(st.sampled_from(lines))
            if original["direction"] == "C":
                lines.append(
                    debit(
                        lid,
                        original["amount_vnd"],
                        "RETURN",
                        DAY,
                        bank_reference=original.get("bank_reference", ""),
                        is_reversal=True,
                    )
                )
    return frames(
        payments=payments,
        bank_lines=lines,
        settlements=settlements,
        dossiers=list(dossiers.values()),
        invoices=invoices,
        refunds=refunds,
    )


INCOMING_RULES = {
    "reference_amount",
    "reference_split",
    "settlement_batch",
    "settlement_amount_date",
    "reversal_pair",
}


@given(days())
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_every_credit_and_every_paid_payment_ends_in_exactly_one_place(inputs):
    result = reconcile(**inputs, settings=Settings(business_date=DAY))
    lines, payments = inputs["bank_lines"], inputs["payments"]
    incoming = result.matches[result.matches["rule"].isin(INCOMING_RULES)]
    assigned = result.proposals[result.proposals["rank"] == 1]
    held_lines = Counter(i for ids in result.exceptions["unreconciled_line_ids"] for i in ids)
    held_payments = Counter(i for ids in result.exceptions["unreconciled_payment_ids"] for i in ids)

    line_places = Counter(incoming.drop_duplicates(["match_no", "line_id"])["line_id"])
    line_places.update(assigned["line_id"])
    line_places.update(held_lines)
    credits = lines[(lines["direction"] == "C") & ~lines["is_reversal"]]["line_id"]
    assert {line: line_places[line] for line in credits} == dict.fromkeys(credits, 1)
    assert set(line_places) <= set(credits)

    paid = payments[payments["status"].isin(MONEY_RECEIVED_STATUSES)]["payment_id"]
    with_payment = incoming[incoming["payment_id"] != 0]
    payment_places = Counter(with_payment.drop_duplicates(["match_no", "payment_id"])["payment_id"])
    assert max(payment_places.values(), default=1) == 1  # no payment in two matches
    payment_places.update(assigned["payment_id"])
    payment_places.update(held_payments)
    payment_places.update(result.awaiting["payment_id"])
    assert {p: payment_places[p] for p in paid} == dict.fromkeys(paid, 1)

    amounts = lines.set_index("line_id")["amount_vnd"]
    for line_id, rows in incoming.groupby("line_id"):
        assert int((rows["amount_vnd"] - rows["fee_vnd"]).sum()) == amounts[line_id]

    for frame, contract in (
        (result.matches, f.MATCHES),
        (result.proposals, f.PROPOSALS),
        (result.exceptions, f.EXCEPTIONS),
        (result.awaiting, f.AWAITING),
    ):
        f.check_frame(frame, contract)


@given(days(), st.randoms(use_true_random=False))
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_row_order_never_changes_the_result(inputs, random):
    first = reconcile(**inputs, settings=Settings(business_date=DAY))
    shuffled = {
        name: frame.sample(frac=1, random_state=random.randrange(1000)).reset_index(drop=True)
        for name, frame in inputs.items()
    }
    again = reconcile(**shuffled, settings=Settings(business_date=DAY))
    for name in ("matches", "proposals", "exceptions", "awaiting"):
        pd.testing.assert_frame_equal(getattr(again, name), getattr(first, name))
