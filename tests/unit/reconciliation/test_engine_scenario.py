"""A hand-made day with every exception kind: exactly these matches, proposals and exceptions."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from payrecon.reconciliation import frames as f
from payrecon.reconciliation.classify import EXCEPTION_KINDS
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
D20, D21, D22, D23 = (date(2026, 11, n) for n in (20, 21, 22, 23))
SETTINGS = Settings(business_date=DAY)


def ref(payment_id: int) -> str:
    return reference_for(payment_id)


def scenario() -> dict:
    payments = [
        payment(1, 200_000, paid=D23),
        payment(2, 100_000, paid=D23),
        payment(3, 300_000, paid=D23),
        payment(4, 150_000, paid=D23),
        payment(5, 500_000, paid=D20),
        payment(6, 250_000, paid=DAY),
        payment(7, 120_000, paid=D23, dossier_code="DX"),
        payment(8, 80_000, paid=D23),
        payment(9, 90_000, paid=D23),
        payment(10, 60_000, paid=D23),
        payment(11, 45_000, paid=None, status="expired"),
        payment(12, 40_000, paid=D20, status="refunded", refunded_vnd=40_000),
        payment(13, 30_000, paid=D20, status="refunded", refunded_vnd=30_000),
        payment(14, 70_000, paid=D22),
        payment(15, 100_000, paid=D21, method="vnpay"),
        payment(16, 200_000, paid=D21, method="vnpay"),
        payment(17, 50_000, paid=D22, method="vnpay"),
        payment(18, 10_000, paid=D20, method="vnpay"),
        payment(19, 65_000, paid=None, created_at=moment(D23)),
        payment(20, 65_000, paid=D22),
        payment(21, 35_000, paid=DAY, method="vnpay"),
    ]
    lines = [
        credit(1, 200_000, f"MBVCB.8812345.{ref(1)}.NGUYEN VAN A chuyen tien", D23),
        credit(2, 100_000, f"CT nhanh 247 den: {ref(2).lower()} nop phi", D23),
        credit(3, 100_000, f"IBFT {ref(2)}", DAY),
        credit(4, 250_000, f"Nộp phí {ref(3)}", D23),
        credit(5, 100_000, f"{ref(4)} lan 1", D23),
        credit(6, 50_000, f"{ref(4)} lan 2", DAY),
        credit(7, 77_000, "chuyen tien hoc phi", D23),
        credit(8, 120_000, ref(7), D23),
        credit(9, 80_000, ref(8), D23),
        credit(10, 90_000, ref(9), D23),
        credit(11, 60_000, ref(10), D23),
        credit(12, 40_000, ref(12), D20),
        debit(13, 30_000, f"HOAN TIEN {ref(13)}", D22),
        credit(14, 30_000, ref(13), D20),
        credit(15, 70_000, ref(14), D22, bank_reference="FT1"),
        debit(16, 70_000, "REVERSAL", D23, bank_reference="FT1", is_reversal=True),
        credit(17, 44_000, "UNKNOWN PAYER", D22, bank_reference="FT2"),
        debit(18, 44_000, "RETURN", D23, bank_reference="FT2", is_reversal=True),
        credit(19, 294_000, "VNPAY TT VNP20261122A", D22),
        credit(20, 48_000, "VNPAY TT VNP-20261123-B", D23),
        credit(21, 9_800, "TRA TIEN GD THE", D22),
        credit(22, 65_000, "TRAN THI BINH nop phi", D23),
    ]
    settlements = [
        _settlement(1, "VNP20261122A", D22, ref(15), 100_000, 2_000),
        _settlement(1, "VNP20261122A", D22, ref(16), 200_000, 4_000),
        _settlement(2, "VNP20261123B", D23, ref(17), 50_000, 1_000),
        _settlement(3, "VNP20261121C", D21, ref(18), 10_000, 200),
    ]
    dossiers = [
        dossier(f"D{n}", amount)
        for n, amount in [
            (1, 200_000),
            (2, 100_000),
            (3, 300_000),
            (4, 150_000),
            (5, 500_000),
            (6, 250_000),
            (10, 60_000),
            (12, 40_000),
            (13, 30_000),
            (14, 70_000),
            (15, 100_000),
            (16, 200_000),
            (17, 50_000),
            (18, 10_000),
            (21, 35_000),
        ]
    ] + [
        dossier("D8", 80_000, status="cancelled"),
        dossier("D9", 95_000),
        dossier("D19", 65_000, applicant_name="Trần Thị Bình"),
        dossier("D20", 65_000, applicant_name="Lê Văn Cường"),
        dossier("D30", 20_000, marked_paid=True),
    ]
    invoiced = [1, 2, 3, 4, 5, 6, 7, 8, 9, 14, 15, 16, 17, 18, 20, 21]
    invoices = [
        {"invoice_id": 100 + n, "payment_id": n, "status": "issued", "total_vnd": 1}
        for n in invoiced
    ] + [
        {"invoice_id": 99, "payment_id": 11, "status": "issued", "total_vnd": 45_000},
        {"invoice_id": 112, "payment_id": 12, "status": "cancelled", "total_vnd": 40_000},
    ]
    refunds = [
        {
            "refund_id": 1,
            "payment_id": 12,
            "amount_vnd": 40_000,
            "status": "succeeded",
            "requested_at": moment(D20),
        },
        {
            "refund_id": 2,
            "payment_id": 13,
            "amount_vnd": 30_000,
            "status": "succeeded",
            "requested_at": moment(D21),
        },
    ]
    return frames(
        payments=payments,
        bank_lines=lines,
        settlements=settlements,
        dossiers=dossiers,
        invoices=invoices,
        refunds=refunds,
    )


def _settlement(batch_id, code, day, reference, gross, fee):
    return {
        "batch_id": batch_id,
        "batch_reference": code,
        "settlement_date": day,
        "reference": reference,
        "gross_vnd": gross,
        "fee_vnd": fee,
        "net_vnd": gross - fee,
    }


@pytest.fixture(scope="module")
def result():
    return reconcile(**scenario(), settings=SETTINGS)


def test_the_matches_are_exactly_these(result):
    rows = result.matches[
        [
            "match_no",
            "rule",
            "payment_id",
            "line_id",
            "paired_line_id",
            "batch_id",
            "refund_id",
            "amount_vnd",
            "fee_vnd",
        ]
    ]
    assert [
        tuple(int(v) if not isinstance(v, str) else v for v in r)
        for r in rows.itertuples(index=False)
    ] == [
        (1, "reference_amount", 1, 1, 0, 0, 0, 200_000, 0),
        (2, "reference_amount", 2, 2, 0, 0, 0, 100_000, 0),
        (3, "reference_split", 4, 5, 0, 0, 0, 100_000, 0),
        (3, "reference_split", 4, 6, 0, 0, 0, 50_000, 0),
        (4, "reference_amount", 7, 8, 0, 0, 0, 120_000, 0),
        (5, "reference_amount", 8, 9, 0, 0, 0, 80_000, 0),
        (6, "reference_amount", 9, 10, 0, 0, 0, 90_000, 0),
        (7, "reference_amount", 10, 11, 0, 0, 0, 60_000, 0),
        (8, "reference_amount", 12, 12, 0, 0, 0, 40_000, 0),
        (9, "refund_debit", 13, 13, 0, 0, 2, 30_000, 0),
        (10, "reference_amount", 13, 14, 0, 0, 0, 30_000, 0),
        (11, "reference_amount", 14, 15, 0, 0, 0, 70_000, 0),
        (12, "reversal_pair", 0, 17, 18, 0, 0, 44_000, 0),
        (13, "settlement_batch", 15, 19, 0, 1, 0, 100_000, 2_000),
        (13, "settlement_batch", 16, 19, 0, 1, 0, 200_000, 4_000),
        (14, "settlement_amount_date", 18, 21, 0, 3, 0, 10_000, 200),
    ]
    assert not result.matches["confirms_payment"].any()
    f.check_frame(result.matches, f.MATCHES)


def test_the_exceptions_are_exactly_these_and_cover_every_kind(result):
    got = list(zip(result.exceptions["fingerprint"], result.exceptions["amount_vnd"], strict=True))
    assert got == [
        ("amount_mismatch|line=4|payment=3", -50_000),
        ("cancelled_dossier|payment=8|dossier=D8", 80_000),
        ("duplicate_payment|line=3|payment=2", 100_000),
        ("fee_mismatch|payment=9|dossier=D9", -5_000),
        ("invoice_without_payment|payment=11|invoice=99", 45_000),
        ("missing_credit|payment=20", 65_000),
        ("missing_credit|payment=5", 500_000),
        ("paid_without_invoice|payment=10|dossier=D10", 60_000),
        ("paid_without_payment|dossier=D30", 20_000),
        ("refund_not_reflected|payment=12|refund=1", 40_000),
        ("reversal_of_matched|line=15,16|payment=14", 70_000),
        ("settlement_mismatch|line=20|batch=2", -1_000),
        ("unknown_dossier|payment=7|dossier=DX", 120_000),
        ("unmatched_credit|line=7", 77_000),
    ]
    assert set(result.exceptions["kind"]) == set(EXCEPTION_KINDS)
    f.check_frame(result.exceptions, f.EXCEPTIONS)


def test_exceptions_hold_the_money_they_leave_unreconciled(result):
    held = [
        (row.kind, row.unreconciled_line_ids, row.unreconciled_payment_ids)
        for row in result.exceptions.itertuples(index=False)
        if row.unreconciled_line_ids or row.unreconciled_payment_ids
    ]
    assert held == [
        ("amount_mismatch", (4,), (3,)),
        ("duplicate_payment", (3,), ()),
        ("missing_credit", (), (20,)),
        ("missing_credit", (), (5,)),
        ("settlement_mismatch", (20,), (17,)),
        ("unmatched_credit", (7,), ()),
    ]


def test_evidence_names_the_ids_and_amounts(result):
    evidence = result.exceptions.set_index("fingerprint")["evidence"]
    assert evidence["amount_mismatch|line=4|payment=3"] == {
        "line_ids": [4],
        "payment_ids": [3],
        "reference": ref(3),
        "expected_vnd": 300_000,
        "received_vnd": 250_000,
        "direction": "underpaid",
    }
    assert evidence["settlement_mismatch|line=20|batch=2"]["net_vnd"] == 49_000
    assert evidence["missing_credit|payment=5"]["due_date"] == "2026-11-21"
    assert evidence["unmatched_credit|line=7"]["remittance_text"] == "chuyen tien hoc phi"


def test_a_credit_without_reference_is_proposed_not_matched(result):
    rows = result.proposals[["line_id", "rank", "payment_id", "day_distance", "name_similarity"]]
    assert [tuple(r) for r in rows.itertuples(index=False)] == [
        (22, 1, 19, 0, 1.0),
        (22, 2, 20, 1, 0.0),
    ]
    assert result.proposals["confidence"].iloc[0] > result.proposals["confidence"].iloc[1]
    f.check_frame(result.proposals, f.PROPOSALS)


def test_payments_whose_money_may_still_come_are_awaiting(result):
    assert result.awaiting.to_dict("list") == {
        "payment_id": [6, 21],
        "reason": ["bank_credit", "settlement_report"],
        "due_date": [pd.Timestamp(date(2026, 11, 25)), pd.Timestamp(date(2026, 11, 28))],
    }


def test_an_officers_resolution_is_kept_on_a_rerun():
    earlier = f.frame_from_records(
        f.PREVIOUS_RESOLUTIONS,
        [{"fingerprint": "duplicate_payment|line=3|payment=2", "resolution": "refunded"}],
    )
    rerun = reconcile(**scenario(), previous_resolutions=earlier, settings=SETTINGS)
    resolved = rerun.exceptions.dropna(subset=["resolution"])
    assert resolved[["fingerprint", "resolution"]].values.tolist() == [
        ["duplicate_payment|line=3|payment=2", "refunded"]
    ]


def test_the_same_input_in_any_order_gives_the_same_output(result):
    shuffled = {
        name: frame.sample(frac=1, random_state=7).reset_index(drop=True)
        for name, frame in scenario().items()
    }
    again = reconcile(**shuffled, settings=SETTINGS)
    pd.testing.assert_frame_equal(again.matches, result.matches)
    pd.testing.assert_frame_equal(again.proposals, result.proposals)
    pd.testing.assert_frame_equal(again.exceptions, result.exceptions)
    pd.testing.assert_frame_equal(again.awaiting, result.awaiting)
