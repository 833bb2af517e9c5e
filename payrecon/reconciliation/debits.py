"""Money going out again: reversals of credits, and refunds as bank debits.

Pure: pandas frames in, a `StepResult` out.

A reversal (``is_reversal`` debit) is paired with the credit it takes back: same bank reference,
else a payment reference both texts name; equal amounts; the credit booked no later. A reversed
credit that was matched is a `reversal_of_matched` exception (the payment's money left again);
an unmatched one is simply paired with its reversal (rule ``reversal_pair``), nothing to do.
A reversal of a credit outside the window that names a paid payment is reported too.

A succeeded refund of a VietQR payment is a transfer the centre made, so it should show as a
debit naming the payment reference with the refund's amount (rule ``refund_debit``). One that
does not, `refund_days` after it was asked for, is `refund_not_reflected`; so is a payment whose
``refunded_vnd`` disagrees with its succeeded refunds. VNPAY refunds go back through the gateway
and are netted in its settlements, so they are not looked for on the statement.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from payrecon.reconciliation import classify as k
from payrecon.reconciliation.classify import MONEY_RECEIVED_STATUSES, Finding
from payrecon.reconciliation.frames import LOCAL_TIMEZONE
from payrecon.reconciliation.steps import StepResult, empty_matches, greedy_pairs, match_rows


def pair_reversals(
    reversals: pd.DataFrame,
    credits: pd.DataFrame,
    found: pd.DataFrame,
    matches: pd.DataFrame,
    undecided_line_ids: np.ndarray,
    payments: pd.DataFrame,
) -> StepResult:
    """Pair reversals with their credits; see the module docstring for what follows."""
    result = StepResult(matches=empty_matches())
    if reversals.empty:
        return result
    reversed_ = reversals[["line_id", "amount_vnd", "booking_date", "bank_reference"]].assign(
        magnitude=lambda f: -f["amount_vnd"]
    )
    originals = credits[["line_id", "amount_vnd", "booking_date", "bank_reference"]]
    by_bank_reference = (
        reversed_[reversed_["bank_reference"] != ""]
        .merge(
            originals,
            left_on=["bank_reference", "magnitude"],
            right_on=["bank_reference", "amount_vnd"],
            suffixes=("", "_credit"),
        )
        .assign(priority=0)
    )
    named = found[["line_id", "reference"]]
    by_payment_reference = (
        reversed_.merge(named, on="line_id")
        .merge(named, on="reference", suffixes=("", "_credit"))
        .merge(
            originals.rename(columns=lambda c: f"{c}_credit"),
            on="line_id_credit",
        )
    )
    by_payment_reference = by_payment_reference[
        by_payment_reference["magnitude"] == by_payment_reference["amount_vnd_credit"]
    ].assign(priority=1)
    columns = ["line_id", "line_id_credit", "booking_date", "booking_date_credit", "priority"]
    pairs = pd.concat(
        [by_bank_reference[columns], by_payment_reference[columns]], ignore_index=True
    )
    pairs = pairs[pairs["booking_date_credit"] <= pairs["booking_date"]]
    pairs = pairs.assign(
        day_distance=(pairs["booking_date"] - pairs["booking_date_credit"]).dt.days
    )
    pairs = pairs.sort_values(
        ["priority", "day_distance", "line_id", "line_id_credit"], kind="stable"
    )
    paired = greedy_pairs(pairs, "line_id", "line_id_credit")
    payments_of_line = matches.groupby("line_id")["payment_id"].agg(
        lambda ids: tuple(sorted(int(i) for i in ids if i))
    )
    free = paired[paired["line_id_credit"].isin(undecided_line_ids)]
    result.matches = match_rows(
        rule="reversal_pair",
        line_id=free["line_id_credit"],
        paired_line_id=free["line_id"],
        amount_vnd=-reversals.set_index("line_id").loc[free["line_id"], "amount_vnd"].to_numpy(),
        confidence=1.0,
    )
    result.decide(line_ids=free["line_id_credit"])
    for row in paired[paired["line_id_credit"].isin(payments_of_line.index)].itertuples(
        index=False
    ):
        payment_ids = payments_of_line[row.line_id_credit]
        result.findings.append(
            Finding(
                k.REVERSAL_OF_MATCHED,
                int(-reversals.set_index("line_id").at[row.line_id, "amount_vnd"]),
                {"line": (row.line_id, row.line_id_credit), "payment": payment_ids},
                {"reversal_line_id": row.line_id, "credit_line_id": row.line_id_credit},
            )
        )
    lonely = reversed_[~reversed_["line_id"].isin(paired["line_id"])]
    named_payments = lonely.merge(named, on="line_id").merge(
        payments[payments["status"].isin(MONEY_RECEIVED_STATUSES)][
            ["payment_id", "reference", "amount_vnd"]
        ],
        on="reference",
        suffixes=("", "_payment"),
    )
    named_payments = named_payments[
        named_payments["magnitude"] == named_payments["amount_vnd_payment"]
    ]
    for row in named_payments.drop_duplicates("line_id").itertuples(index=False):
        result.findings.append(
            Finding(
                k.REVERSAL_OF_MATCHED,
                int(row.magnitude),
                {"line": (row.line_id,), "payment": (row.payment_id,)},
                {
                    "reversal_line_id": row.line_id,
                    "credit_line_id": None,
                    "reason": "credit_outside_window",
                },
            )
        )
    return result


def local_dates(moments: pd.Series) -> pd.Series:
    """Vietnam calendar dates (naive, midnight) of tz-aware timestamps."""
    return moments.dt.tz_convert(LOCAL_TIMEZONE).dt.tz_localize(None).dt.normalize()


def match_refunds(
    debits: pd.DataFrame,
    found: pd.DataFrame,
    refunds: pd.DataFrame,
    payments: pd.DataFrame,
    *,
    business_date: date,
    refund_days: int,
) -> StepResult:
    """Refunds seen as bank debits, and refunds the bank or the payment record does not show."""
    result = StepResult(matches=empty_matches())
    vietqr = payments[payments["method"] == "vietqr"][["payment_id", "reference"]]
    done = refunds[refunds["status"] == "succeeded"].merge(vietqr, on="payment_id")
    pairs = (
        debits[["line_id", "amount_vnd", "booking_date"]]
        .merge(found[["line_id", "reference"]], on="line_id")
        .merge(done, on="reference", suffixes=("", "_refund"))
    )
    pairs = pairs[-pairs["amount_vnd"] == pairs["amount_vnd_refund"]]
    pairs = pairs.sort_values(["refund_id", "booking_date", "line_id"], kind="stable")
    chosen = greedy_pairs(pairs, "line_id", "refund_id")
    result.matches = match_rows(
        rule="refund_debit",
        payment_id=chosen["payment_id"],
        line_id=chosen["line_id"],
        refund_id=chosen["refund_id"],
        amount_vnd=chosen["amount_vnd_refund"],
        confidence=1.0,
    )
    cutoff = pd.Timestamp(business_date) - pd.Timedelta(days=refund_days)
    unseen = done[~done["refund_id"].isin(chosen["refund_id"])]
    unseen = unseen[local_dates(unseen["requested_at"]) < cutoff]
    for row in unseen.sort_values("refund_id").itertuples(index=False):
        result.findings.append(
            Finding(
                k.REFUND_NOT_REFLECTED,
                int(row.amount_vnd),
                {"refund": (row.refund_id,), "payment": (row.payment_id,)},
                {
                    "reference": row.reference,
                    "reason": "no_bank_debit",
                    "requested_at": row.requested_at,
                },
            )
        )
    succeeded_sum = (
        refunds[refunds["status"] == "succeeded"].groupby("payment_id")["amount_vnd"].sum()
    )
    recorded = payments.set_index("payment_id")["refunded_vnd"]
    expected = succeeded_sum.reindex(recorded.index, fill_value=0)
    says_refunded = payments.set_index("payment_id")["status"].eq("refunded")
    differs = (recorded != expected) | (says_refunded & (expected == 0))
    for payment_id in recorded.index[differs].sort_values():
        result.findings.append(
            Finding(
                k.REFUND_NOT_REFLECTED,
                int(recorded[payment_id] - expected[payment_id]),
                {"payment": (payment_id,)},
                {
                    "refunded_vnd": int(recorded[payment_id]),
                    "succeeded_refunds_vnd": int(expected[payment_id]),
                    "reason": "payment_record_differs",
                },
            )
        )
    return result
