"""Money is conserved: on any day, every credit and every paid payment ends in exactly one place.

A credit (direction C, not a reversal) ends in one match, one rank-1 proposal, or one exception
holding it. A payment whose money came in (succeeded, refund_pending, refunded) ends in one
match, one rank-1 proposal, one exception holding it, or the awaiting list.
"""

from __future__ import annotations

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
from tests.unit.reconciliation.conservation import assert_money_conserved

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


@given(days())
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_every_credit_and_every_paid_payment_ends_in_exactly_one_place(inputs):
    result = reconcile(**inputs, settings=Settings(business_date=DAY))
    assert_money_conserved(inputs, result)


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
