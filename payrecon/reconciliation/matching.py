"""Matching rules with a reference: credit ↔ payment, credit ↔ settlement batch, reversals, refunds.

Pure: pandas frames in, a `StepResult` out. Each rule says which lines and payments it decided,
so the next rule only sees what is left. Every match row names its rule and a confidence; each
line and each payment is used by at most one match. Ties are broken by booking date, then ids,
so the same input always gives the same answer.

Match rules (the `rule` column):
- ``reference_amount``: one credit names the payment's reference and carries its amount;
- ``reference_split``: several credits name one payment and add up to its amount;
- ``settlement_batch``: a credit names a gateway batch and equals its net total (fees recorded);
- ``settlement_amount_date``: a credit equals an unnamed batch's net total within the date window;
- ``reversal_pair``: an unmatched credit and the reversal that took it back;
- ``refund_debit``: a debit names a refunded payment and carries the refund's amount.
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import pandas as pd

from payrecon.reconciliation import classify as k
from payrecon.reconciliation.classify import MONEY_RECEIVED_STATUSES, Finding
from payrecon.reconciliation.extract import reference_codes
from payrecon.reconciliation.frames import NO_ID
from payrecon.reconciliation.ids import among
from payrecon.reconciliation.steps import StepResult, empty_matches, greedy_pairs, match_rows


def match_by_reference(
    credits: pd.DataFrame, found: pd.DataFrame, payments: pd.DataFrame
) -> StepResult:
    """Credits naming a known payment: a match, a split, a duplicate or an amount mismatch.

    Args:
        credits: line_id, amount_vnd, booking_date of the credits (not reversals).
        found: line_id, reference, order: references found in their text.
        payments: every payment (payment_id, reference, amount_vnd, status).

    A credit naming several known payments belongs to the first one whose amount it carries,
    else to the first one named. Per payment, the earliest credit with the right amount is the
    match and every later credit naming it is a duplicate payment (a refund is due); with no
    such credit, credits that add up to the amount are a split match, otherwise all of them
    and the payment are one amount mismatch.
    """
    pairs = _named_payments(found, payments).merge(
        credits[["line_id", "amount_vnd", "booking_date"]], on="line_id"
    )
    pairs["is_equal"] = pairs["amount_vnd"] == pairs["payment_amount_vnd"]
    chosen = pairs.sort_values(
        ["line_id", "is_equal", "order"], ascending=[True, False, True], kind="stable"
    ).drop_duplicates("line_id")
    per_payment = chosen.groupby("payment_id")["line_id"].transform("size")
    simple = chosen[(per_payment == 1) & chosen["is_equal"]]
    parts = [
        match_rows(
            rule="reference_amount",
            payment_id=simple["payment_id"],
            line_id=simple["line_id"],
            amount_vnd=simple["amount_vnd"],
            confidence=1.0,
            confirms_payment=~simple["status"].isin(MONEY_RECEIVED_STATUSES),
        )
    ]
    result = StepResult(matches=empty_matches())
    result.decide(line_ids=chosen["line_id"], payment_ids=chosen["payment_id"])
    crowded = chosen[per_payment > 1].sort_values(
        ["payment_id", "is_equal", "booking_date", "line_id"],
        ascending=[True, False, True, True],
        kind="stable",
    )
    mismatched = chosen[(per_payment == 1) & ~chosen["is_equal"]]
    unsettled = pd.concat([crowded, mismatched]).sort_values("payment_id", kind="stable")
    parts.extend(_settle_payments(unsettled, result.findings))
    result.matches = pd.concat(parts, ignore_index=True)
    return result


def _named_payments(found: pd.DataFrame, payments: pd.DataFrame) -> pd.DataFrame:
    """`found` joined to the payments its references name (an inner join on the reference).

    On integer codes and a hash lookup: a string merge of a million references would cost
    more than everything else in this step. Valid references have distinct codes (and the
    payments' references are unique), so the index of the payments' codes is unique.
    """
    payment_codes = reference_codes(payments["reference"])
    valid_payments = np.flatnonzero(payment_codes >= 0)
    found_codes = reference_codes(found["reference"])
    place = pd.Index(payment_codes[valid_payments]).get_indexer(found_codes)
    named = (found_codes >= 0) & (place >= 0)
    rows = valid_payments[place[named]]
    return pd.DataFrame(
        {
            "line_id": found["line_id"].to_numpy()[named],
            "reference": found["reference"][named].reset_index(drop=True),
            "order": found["order"].to_numpy()[named],
            "payment_id": payments["payment_id"].to_numpy()[rows],
            "payment_amount_vnd": payments["amount_vnd"].to_numpy()[rows],
            "status": payments["status"].take(rows).reset_index(drop=True),
        }
    )


def _settle_payments(lines: pd.DataFrame, findings: list[Finding]) -> list[pd.DataFrame]:
    """Payments named by several credits, or by one with another amount.

    `lines` holds them grouped by payment, each group best first (equal amount, earliest
    booking, lowest line id). One pass over plain values: there are thousands of such payments
    in a night of a million, too many for a frame per payment.
    """
    single: list[tuple[int, int, int, bool]] = []
    split: list[tuple[int, int, int, bool]] = []
    columns = zip(
        lines["payment_id"].tolist(),
        lines["line_id"].tolist(),
        lines["amount_vnd"].tolist(),
        lines["payment_amount_vnd"].tolist(),
        lines["is_equal"].tolist(),
        lines["status"].tolist(),
        lines["reference"].tolist(),
        strict=True,
    )
    for payment_id, group in itertools.groupby(columns, key=lambda row: row[0]):
        rows = list(group)
        _, first_line, first_amount, expected, first_equal, status, reference = rows[0]
        confirms = status not in MONEY_RECEIVED_STATUSES
        if first_equal:
            single.append((payment_id, first_line, first_amount, confirms))
            for _, line_id, amount, *_ in rows[1:]:
                findings.append(
                    Finding(
                        k.DUPLICATE_PAYMENT,
                        amount,
                        {"line": (line_id,), "payment": (payment_id,)},
                        {
                            "reference": reference,
                            "first_line_id": first_line,
                            "reason": "credit_repeated",
                            "refund_due_vnd": amount,
                        },
                        unreconciled_line_ids=(line_id,),
                    )
                )
            continue
        total = sum(row[2] for row in rows)
        line_ids = tuple(row[1] for row in rows)
        if len(rows) >= 2 and total == expected:
            split.extend((payment_id, row[1], row[2], confirms) for row in rows)
            continue
        findings.append(
            Finding(
                k.AMOUNT_MISMATCH,
                total - expected,
                {"line": line_ids, "payment": (payment_id,)},
                {
                    "reference": reference,
                    "expected_vnd": expected,
                    "received_vnd": total,
                    "direction": "overpaid" if total > expected else "underpaid",
                },
                unreconciled_line_ids=line_ids,
                unreconciled_payment_ids=(payment_id,),
            )
        )
    parts = []
    for rule, rows in (("reference_amount", single), ("reference_split", split)):
        if rows:
            payment_ids, line_ids, amounts, confirms = (list(c) for c in zip(*rows, strict=True))
            parts.append(
                match_rows(
                    rule=rule,
                    payment_id=payment_ids,
                    line_id=line_ids,
                    amount_vnd=amounts,
                    confidence=1.0,
                    confirms_payment=confirms,
                )
            )
    return parts


def batches_of(settlements: pd.DataFrame) -> pd.DataFrame:
    """One row per settlement batch: its code, date, and gross, fee and net totals."""
    return (
        settlements.groupby("batch_id", sort=True)
        .agg(
            batch_reference=("batch_reference", "first"),
            settlement_date=("settlement_date", "first"),
            gross_vnd=("gross_vnd", "sum"),
            fee_vnd=("fee_vnd", "sum"),
            net_vnd=("net_vnd", "sum"),
            row_count=("reference", "size"),
        )
        .reset_index()
    )


def compact_upper(texts: pd.Series) -> pd.Series:
    """Upper-case letters and digits only: how batch codes are compared with bank text."""
    return texts.astype("str").str.upper().str.replace("[^A-Z0-9]", "", regex=True)


def match_settlements(
    credits: pd.DataFrame,
    settlements: pd.DataFrame,
    payments: pd.DataFrame,
    *,
    credit_days: int,
    taken_payment_ids: np.ndarray | None = None,
) -> tuple[StepResult, pd.DataFrame]:
    """Credits that pay out a gateway settlement batch; returns the step and the unmatched batches.

    First by the batch code in the text (the first credit naming a batch takes it: equal to
    the net total it is a match, otherwise a settlement mismatch holding the credit and the
    batch's payments not in `taken_payment_ids`), then by amount = net total with the booking
    date 0..credit_days after the settlement date, best date first, ties by batch id, line id.
    """
    batches = batches_of(settlements)
    result = StepResult(matches=empty_matches())
    if batches.empty or credits.empty:
        return result, batches
    codes = compact_upper(batches["batch_reference"])
    pattern = (
        "("
        + "|".join(re.escape(c) for c in sorted(set(codes), key=lambda c: (-len(c), c)) if c)
        + ")"
    )
    named = compact_upper(credits["remittance_text"]).str.extract(pattern, expand=False)
    code_to_batch = dict(zip(codes, batches["batch_id"], strict=True))
    naming = credits.assign(batch_id=named.map(code_to_batch)).dropna(subset=["batch_id"])
    naming = (
        naming.astype({"batch_id": "int64"})
        .sort_values(["batch_id", "booking_date", "line_id"], kind="stable")
        .drop_duplicates("batch_id")
    )
    naming = naming.merge(batches, on="batch_id", suffixes=("", "_batch"))
    by_reference = naming[naming["amount_vnd"] == naming["net_vnd"]]
    for row in naming[naming["amount_vnd"] != naming["net_vnd"]].itertuples(index=False):
        rows = settlements[settlements["batch_id"] == row.batch_id]
        payment_ids = tuple(sorted(int(i) for i in rows["reference"].map(_ids(payments)).dropna()))
        taken = among(payment_ids, taken_payment_ids)
        held = tuple(i for i, is_taken in zip(payment_ids, taken, strict=True) if not is_taken)
        result.findings.append(
            Finding(
                k.SETTLEMENT_MISMATCH,
                int(row.amount_vnd - row.net_vnd),
                {"line": (row.line_id,), "batch": (row.batch_id,)},
                {
                    "batch_reference": row.batch_reference,
                    "net_vnd": int(row.net_vnd),
                    "credited_vnd": int(row.amount_vnd),
                    "fee_vnd": int(row.fee_vnd),
                    "reason": "net_differs",
                    "payment_ids": list(payment_ids),
                },
                unreconciled_line_ids=(int(row.line_id),),
                unreconciled_payment_ids=held,
            )
        )
        result.decide(line_ids=[int(row.line_id)], payment_ids=held)
    taken_batches = set(naming["batch_id"].tolist())
    rest_lines = credits[~credits["line_id"].isin(naming["line_id"])]
    rest_batches = batches[~batches["batch_id"].isin(taken_batches)]
    pairs = rest_lines.merge(rest_batches, left_on="amount_vnd", right_on="net_vnd")
    pairs = pairs.assign(day_distance=(pairs["booking_date"] - pairs["settlement_date"]).dt.days)
    pairs = pairs[(pairs["day_distance"] >= 0) & (pairs["day_distance"] <= credit_days)]
    pairs = pairs.sort_values(["day_distance", "batch_id", "line_id"], kind="stable")
    by_date = greedy_pairs(pairs, "line_id", "batch_id")
    parts = [result.matches]
    for chosen, rule, confidence in (
        (by_reference, "settlement_batch", 1.0),
        (by_date, "settlement_amount_date", 0.9),
    ):
        rows = settlements.merge(chosen[["batch_id", "line_id"]], on="batch_id")
        rows = rows.merge(
            payments[["payment_id", "reference", "amount_vnd", "status"]].rename(
                columns={"amount_vnd": "payment_amount_vnd"}
            ),
            on="reference",
            how="left",
        )
        rows = rows.sort_values(["batch_id", "reference"], kind="stable")
        known = rows["payment_id"].notna()
        parts.append(
            match_rows(
                rule=rule,
                payment_id=rows["payment_id"].fillna(NO_ID).astype("int64"),
                line_id=rows["line_id"],
                batch_id=rows["batch_id"],
                amount_vnd=rows["gross_vnd"],
                fee_vnd=rows["fee_vnd"],
                confidence=confidence,
                confirms_payment=known & ~rows["status"].isin(MONEY_RECEIVED_STATUSES),
            )
        )
        result.decide(line_ids=chosen["line_id"], payment_ids=rows.loc[known, "payment_id"])
        result.findings.extend(_batch_row_findings(rows, known))
    result.matches = pd.concat(parts, ignore_index=True)
    unmatched = batches[
        ~batches["batch_id"].isin(taken_batches) & ~batches["batch_id"].isin(by_date["batch_id"])
    ]
    return result, unmatched


def _batch_row_findings(rows: pd.DataFrame, known: pd.Series) -> list[Finding]:
    """Inside a matched batch: rows for references we do not know, and gross amounts that
    differ from the payment's. They hold nothing: the batch's money is matched."""
    findings = []
    for (batch_id, line_id), unknown in rows[~known].groupby(["batch_id", "line_id"]):
        findings.append(
            Finding(
                k.SETTLEMENT_MISMATCH,
                int(unknown["gross_vnd"].sum()),
                {"batch": (batch_id,), "line": (line_id,)},
                {"references": sorted(unknown["reference"]), "reason": "unknown_reference"},
            )
        )
    differs = rows[known & (rows["gross_vnd"] != rows["payment_amount_vnd"])]
    for row in differs.itertuples(index=False):
        findings.append(
            Finding(
                k.SETTLEMENT_MISMATCH,
                int(row.gross_vnd - row.payment_amount_vnd),
                {
                    "batch": (row.batch_id,),
                    "line": (row.line_id,),
                    "payment": (int(row.payment_id),),
                },
                {
                    "reference": row.reference,
                    "gross_vnd": int(row.gross_vnd),
                    "expected_vnd": int(row.payment_amount_vnd),
                    "reason": "gross_differs",
                },
            )
        )
    return findings


def _ids(payments: pd.DataFrame) -> pd.Series:
    return pd.Series(payments["payment_id"].to_numpy(), index=payments["reference"].to_numpy())
