"""Officers' manual links applied to an engine result: a linked line and payment become a match.

Pure: frames and plain values. A link counts only while the engine leaves its line unmatched
(proposed, or held by an exception); a line the engine matches by itself keeps that match.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Protocol

import numpy as np
import pandas as pd

from payrecon.reconciliation.classify import MISSING_CREDIT, UNMATCHED_CREDIT
from payrecon.reconciliation.engine import ReconciliationResult


class Link(Protocol):
    line_id: int
    payment_id: int
    how: str


def apply_manual_links(result: ReconciliationResult, links: Iterable[Link]) -> ReconciliationResult:
    """Turn each applicable link into a match (rule manual_<how>), dropping what it settles:
    the line's proposals, proposals of the payment, and the unmatched_credit / missing_credit
    exceptions that held exactly that line or payment."""
    links = sorted(links, key=lambda link: link.line_id)
    if not links:
        return result
    proposals, exceptions, matches = result.proposals, result.exceptions, result.matches
    line_amounts = dict(zip(proposals["line_id"], proposals["amount_vnd"], strict=True))
    for row in exceptions[exceptions["kind"] == UNMATCHED_CREDIT].itertuples(index=False):
        line_amounts[row.unreconciled_line_ids[0]] = int(row.amount_vnd)
    new_rows = []
    next_no = int(matches["match_no"].max()) + 1 if len(matches) else 1
    settled_lines: set[int] = set()
    settled_payments: set[int] = set()
    for link in links:
        if link.line_id not in line_amounts or link.payment_id in settled_payments:
            continue
        settled_lines.add(link.line_id)
        settled_payments.add(link.payment_id)
        new_rows.append(
            {
                "match_no": next_no,
                "rule": f"manual_{link.how}",
                "payment_id": int(link.payment_id),
                "line_id": int(link.line_id),
                "paired_line_id": 0,
                "batch_id": 0,
                "refund_id": 0,
                "amount_vnd": int(line_amounts[link.line_id]),
                "fee_vnd": 0,
                "confidence": 1.0,
                "confirms_payment": False,
            }
        )
        next_no += 1
    if not new_rows:
        return result
    added = pd.DataFrame(new_rows).astype(matches.dtypes.to_dict())
    holds_settled = exceptions["kind"].isin(
        [UNMATCHED_CREDIT, MISSING_CREDIT]
    ).to_numpy() & np.array(
        [
            bool(set(lines) & settled_lines) or bool(set(payments) & settled_payments)
            for lines, payments in zip(
                exceptions["unreconciled_line_ids"],
                exceptions["unreconciled_payment_ids"],
                strict=True,
            )
        ],
        dtype=bool,
    )
    return replace(
        result,
        matches=pd.concat([matches, added], ignore_index=True),
        proposals=proposals[
            ~proposals["line_id"].isin(settled_lines)
            & ~proposals["payment_id"].isin(settled_payments)
        ].reset_index(drop=True),
        exceptions=exceptions[~holds_settled].reset_index(drop=True),
    )
