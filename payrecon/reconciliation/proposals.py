"""Proposals, never decisions: credits without a usable reference, paired by amount and date.

Pure: pandas frames in, a proposals frame out. A candidate is an unmatched VietQR payment with
exactly the credit's amount, paid (or created) between one day after and `window_days` before
the booking date. Pairs are ranked by date distance, then by how much of the applicant's name
the transfer text carries, then by ids, and assigned best first so that each credit and each
payment is proposed at most once (rank 1). Candidates nobody was assigned are listed as
alternatives (rank 2, 3, ...). A pair with a rival ranked exactly as well is flagged
`is_near_tie`: the research on other engines says to show near-ties, not to guess them.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from payrecon.reconciliation.frames import PROPOSALS
from payrecon.reconciliation.matching import greedy_pairs

EARLIEST_DAY_DISTANCE = -1  # a credit booked the day before the payment's date (cut-off times)
_WORD = re.compile(r"[A-Z0-9]+")


def words(text: str) -> list[str]:
    """Upper-case ASCII words of `text`, Vietnamese marks folded: 'Trần Đức' -> ['TRAN', 'DUC']."""
    decomposed = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    folded = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _WORD.findall(folded.upper())


def name_similarity(name: str, text: str) -> float:
    """Share of the name's words found in the text (or 1.0 if the text holds the name glued)."""
    name_words = words(name)
    if not name_words:
        return 0.0
    text_words = words(text)
    if "".join(name_words) in "".join(text_words):
        return 1.0
    present = set(text_words)
    return sum(word in present for word in name_words) / len(name_words)


def propose(
    credits: pd.DataFrame,
    candidates: pd.DataFrame,
    *,
    window_days: int,
    alternatives: int = 2,
) -> pd.DataFrame:
    """Ranked proposals for `credits` among `candidates`.

    Args:
        credits: line_id, amount_vnd, booking_date, remittance_text of the credits left.
        candidates: payment_id, amount_vnd, payment_date, applicant_name of the payments left.
        window_days: how many days a credit may be booked after the payment's date.
        alternatives: how many unassigned candidates to list after the assigned one.
    """
    pairs = credits[["line_id", "amount_vnd", "booking_date", "remittance_text"]].merge(
        candidates[["payment_id", "amount_vnd", "payment_date", "applicant_name"]],
        on="amount_vnd",
    )
    distance = (pairs["booking_date"] - pairs["payment_date"]).dt.days
    pairs = pairs[(distance >= EARLIEST_DAY_DISTANCE) & (distance <= window_days)].assign(
        day_distance=distance
    )
    if pairs.empty:
        return _empty()
    pairs = pairs.assign(
        name_similarity=[
            name_similarity(name, text)
            for name, text in zip(pairs["applicant_name"], pairs["remittance_text"], strict=True)
        ],
        closeness=pairs["day_distance"].abs(),
    )
    pairs = pairs.sort_values(
        ["closeness", "name_similarity", "line_id", "payment_id"],
        ascending=[True, False, True, True],
        kind="stable",
    )
    assigned = greedy_pairs(pairs, "line_id", "payment_id")
    rank_key = ["closeness", "name_similarity"]
    ties = pairs.groupby(["line_id", *rank_key]).size().rename("rivals")
    assigned = assigned.join(ties, on=["line_id", *rank_key])
    spare = pairs[
        pairs["line_id"].isin(assigned["line_id"])
        & ~pairs["payment_id"].isin(assigned["payment_id"])
    ]
    spare = spare.sort_values(
        ["line_id", "closeness", "name_similarity", "payment_id"],
        ascending=[True, True, False, True],
        kind="stable",
    )
    spare = spare.assign(rank=spare.groupby("line_id").cumcount() + 2)
    spare = spare[spare["rank"] <= alternatives + 1]
    spare = spare.join(ties, on=["line_id", *rank_key])
    result = pd.concat([assigned.assign(rank=1), spare], ignore_index=True)
    near_tie = result["rivals"] > 1
    confidence = (
        0.5
        + 0.2 * (1 - result["closeness"] / (window_days + 1))
        + 0.25 * result["name_similarity"]
        - np.where(near_tie, 0.2, 0.0)
    ).round(4)
    frame = pd.DataFrame(
        {
            "line_id": result["line_id"].astype("int64"),
            "rank": result["rank"].astype("int64"),
            "payment_id": result["payment_id"].astype("int64"),
            "amount_vnd": result["amount_vnd"].astype("int64"),
            "day_distance": result["day_distance"].astype("int64"),
            "name_similarity": result["name_similarity"].astype("float64").round(4),
            "confidence": confidence.astype("float64"),
            "is_near_tie": near_tie.astype("bool"),
        }
    )
    return frame.sort_values(["line_id", "rank"], kind="stable", ignore_index=True)


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c.name: pd.Series(dtype=c.kind) for c in PROPOSALS.columns})
