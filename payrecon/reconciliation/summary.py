"""Totals by agency and procedure for a run: expected, received, matched.

Pure: frames in, plain rows out. Ids are ints; 0 means "not known" (an unmatched credit has
an agency, through its collection account, but no procedure).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pandas as pd

from payrecon.reconciliation import classify as k
from payrecon.reconciliation.classify import MONEY_RECEIVED_STATUSES
from payrecon.reconciliation.engine import ReconciliationResult

Owner = Callable[[object, object], tuple[int | None, int | None]]
SUMMARY_FIELDS = (
    "agency_id",
    "procedure_id",
    "expected_count",
    "expected_vnd",
    "received_vnd",
    "matched_count",
    "matched_vnd",
)

# Credits that came in and that no payment took: unmatched, or naming a dossier or reference
# that is not ours or a cancelled dossier (`named`). The money is in the account all the same.
HELD_CREDIT_KINDS = (k.UNMATCHED_CREDIT, k.UNKNOWN_DOSSIER, k.CANCELLED_DOSSIER)


def attribution(
    payments: pd.DataFrame, bank_lines: pd.DataFrame, account_agencies: Mapping[int, int]
) -> Owner:
    """A function (payment_id, line_id) -> (agency_id, procedure_id), None where unknown."""
    by_payment = dict(
        zip(
            payments["payment_id"].tolist(),
            zip(payments["agency_id"].tolist(), payments["procedure_id"].tolist(), strict=True),
            strict=True,
        )
    )
    line_account = dict(
        zip(bank_lines["line_id"].tolist(), bank_lines["account_id"].tolist(), strict=True)
    )

    def owner(payment_id: object, line_id: object) -> tuple[int | None, int | None]:
        if isinstance(payment_id, int) and payment_id in by_payment:
            return by_payment[payment_id]
        if isinstance(line_id, int) and line_id in line_account:
            return account_agencies.get(line_account[line_id]), None
        return None, None

    return owner


def summary_rows(
    payments: pd.DataFrame,
    matches: pd.DataFrame,
    bank_lines: pd.DataFrame,
    result: ReconciliationResult,
    owner: Owner,
) -> list[dict[str, int]]:
    """One row per (agency, procedure), sorted by ids.

    expected: payments whose money came in (succeeded, refund pending, refunded), by their
    procedure; matched: payment rows of matches (gross); received: what the bank credited for
    them (gross less gateway fee), plus the credits no payment took (`HELD_CREDIT_KINDS`) by
    their account's agency.
    """
    owners = payments[["payment_id", "agency_id", "procedure_id"]]
    paid = payments[payments["status"].isin(MONEY_RECEIVED_STATUSES)]
    expected = paid.groupby(["agency_id", "procedure_id"]).agg(
        expected_count=("payment_id", "size"), expected_vnd=("amount_vnd", "sum")
    )
    matched_rows = matches[(matches["payment_id"] != 0) & (matches["refund_id"] == 0)].merge(
        owners, on="payment_id", how="inner"
    )
    matched = (
        matched_rows.assign(received_vnd=matched_rows["amount_vnd"] - matched_rows["fee_vnd"])
        .groupby(["agency_id", "procedure_id"])
        .agg(
            matched_count=("payment_id", "nunique"),
            matched_vnd=("amount_vnd", "sum"),
            received_vnd=("received_vnd", "sum"),
        )
    )
    exceptions = result.exceptions
    unmatched = exceptions[
        exceptions["kind"].isin(HELD_CREDIT_KINDS)
        & exceptions["unreconciled_line_ids"].map(len).gt(0)
        & exceptions["unreconciled_payment_ids"].map(len).eq(0)
    ]
    extra: dict[tuple[int, int], int] = {}
    for line_ids, amount in zip(
        unmatched["unreconciled_line_ids"], unmatched["amount_vnd"], strict=True
    ):
        agency_id, _ = owner(None, line_ids[0] if line_ids else None)
        key = (agency_id or 0, 0)
        extra[key] = extra.get(key, 0) + int(amount)
    table = expected.join(matched, how="outer")
    if extra:
        unmatched_frame = pd.DataFrame(
            {"received_extra": list(extra.values())},
            index=pd.MultiIndex.from_tuples(list(extra), names=["agency_id", "procedure_id"]),
        )
        table = table.join(unmatched_frame, how="outer")
    else:
        table["received_extra"] = 0
    table = table.fillna(0).astype("int64")
    table["received_vnd"] += table["received_extra"]
    table = table.reset_index().sort_values(["agency_id", "procedure_id"])
    return [
        {name: int(getattr(row, name)) for name in SUMMARY_FIELDS}
        for row in table.itertuples(index=False)
    ]
