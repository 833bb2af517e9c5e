"""The money-conservation check, shared by the property test and the database scenario."""

from __future__ import annotations

from collections import Counter

import pandas as pd

from payrecon.reconciliation import frames as f
from payrecon.reconciliation.classify import MONEY_RECEIVED_STATUSES
from payrecon.reconciliation.engine import ReconciliationResult

INCOMING_RULES = {
    "reference_amount",
    "reference_split",
    "settlement_batch",
    "settlement_amount_date",
    "reversal_pair",
}


def assert_money_conserved(inputs: dict[str, pd.DataFrame], result: ReconciliationResult) -> None:
    """Every credit (direction C, not a reversal) ends in exactly one match, rank-1 proposal or
    exception holding it; every payment whose money came in, in exactly one match, rank-1
    proposal, exception holding it or the awaiting list; a matched credit's rows add up to it."""
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
