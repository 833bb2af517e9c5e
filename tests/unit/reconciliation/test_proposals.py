"""Proposals: ranked by date distance then name, each credit and each payment assigned once."""

from __future__ import annotations

from datetime import date

import pandas as pd

from payrecon.reconciliation.proposals import name_similarity, propose, words

DAY = pd.Timestamp(date(2026, 11, 24))


def credits(*rows):
    return pd.DataFrame(
        [
            {"line_id": i, "amount_vnd": a, "booking_date": DAY, "remittance_text": t}
            for i, a, t in rows
        ]
    ).astype({"remittance_text": "str"})


def candidates(*rows):
    return pd.DataFrame(
        [
            {
                "payment_id": i,
                "amount_vnd": a,
                "payment_date": DAY - pd.Timedelta(days=d),
                "applicant_name": n,
            }
            for i, a, d, n in rows
        ]
    ).astype({"applicant_name": "str"})


def test_words_fold_vietnamese_marks_and_case():
    found = words(pd.Series(["Trần Đức-anh", ""], index=[5, 6], dtype="str"))
    assert found.values.tolist() == [[5, "TRAN"], [5, "DUC"], [5, "ANH"]]


def test_name_similarity_is_the_share_of_name_words_in_the_text():
    pairs = pd.DataFrame({"line_id": [1, 1], "payment_id": [10, 11]})
    texts = pd.Series(["TRAN THI BINH nop phi"], index=[1], dtype="str")
    names = pd.Series(["Trần Thị Bình", "Lê Thị Hoa"], index=[10, 11], dtype="str")
    assert name_similarity(pairs, texts, names).tolist() == [1.0, 0.3333]


def test_the_closest_date_wins_then_the_name_and_alternatives_follow():
    result = propose(
        credits((1, 50_000, "LE VAN C chuyen tien")),
        candidates(
            (10, 50_000, 2, "Lê Văn C"),
            (11, 50_000, 0, "Phạm Văn D"),
            (12, 50_000, 0, "Lê Văn C"),
            (13, 60_000, 0, "Lê Văn C"),
        ),
        window_days=3,
    )
    assert result[["line_id", "rank", "payment_id", "day_distance"]].values.tolist() == [
        [1, 1, 12, 0],
        [1, 2, 11, 0],
        [1, 3, 10, 2],
    ]
    assert not result["is_near_tie"].iloc[0]


def test_each_payment_is_proposed_to_one_credit_only():
    result = propose(
        credits((1, 50_000, "x"), (2, 50_000, "y")),
        candidates((10, 50_000, 1, ""), (11, 50_000, 3, "")),
        window_days=3,
    )
    assigned = result[result["rank"] == 1]
    assert assigned[["line_id", "payment_id"]].values.tolist() == [[1, 10], [2, 11]]


def test_an_equally_ranked_rival_is_flagged_not_guessed():
    result = propose(
        credits((1, 50_000, "x")),
        candidates((10, 50_000, 1, ""), (11, 50_000, 1, "")),
        window_days=3,
    )
    assert result[["rank", "payment_id", "is_near_tie"]].values.tolist() == [
        [1, 10, True],
        [2, 11, True],
    ]
    assert result["confidence"].iloc[0] < 0.7


def test_nothing_outside_the_window_is_proposed():
    result = propose(
        credits((1, 50_000, "x")),
        candidates((10, 50_000, 4, ""), (11, 50_000, -2, "")),
        window_days=3,
    )
    assert result.empty
    assert list(result.columns)[:3] == ["line_id", "rank", "payment_id"]
