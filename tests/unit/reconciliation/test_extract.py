"""The vectorised reference finder gives exactly what extract_references gives, row by row."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payrecon.payments.references import ALPHABET, extract_references, is_valid_reference
from payrecon.reconciliation.extract import are_valid_references, find_references
from tests.unit.reconciliation.builders import reference_for

A, B, C = reference_for(1), reference_for(2), reference_for(3)


def per_text(texts: list[str]) -> list[list[str]]:
    found = find_references(pd.Series(texts, index=range(100, 100 + len(texts))))
    grouped = found.groupby("key")["reference"].agg(list)
    return [grouped.get(100 + i, []) for i in range(len(texts))]


MEMOS = [
    f"MBVCB.3278123456.{A}.NGUYEN VAN AN chuyen tien",
    f"CT nhanh 247 den: TRAN THI BINH {A.lower()}",
    f"Nộp phí hồ sơ {A} Trần Thị Bình",
    f"IBFT {A[:2]} {A[2:6]}-{A[6:]} NOP LE PHI",
    f"NOPPHI{A}NGUYENVANAN",
    f"{A} va {B}",
    f"{A} {A}",
    f"PR {A}",
    A[:-1],  # cut short by a 25-character memo limit
    A[:-1] + ("B" if A[-1] != "B" else "C"),  # wrong check character
    "Đóng phí PRỒ hồ sơ",
    f"Straße {C}",  # ß folds to SS only through upper(): left to the exact function
    "",
    "chuyen tien hoc phi",
    f"VCB.CTDK.24/11.{B.lower()}. CT tu 0011000123 toi 1234567",
]


def test_each_memo_gives_what_extract_references_gives():
    assert per_text(MEMOS) == [extract_references(text) for text in MEMOS]


def test_the_memos_hold_the_expected_references():
    assert per_text(MEMOS)[:9] == [[A], [A], [A], [A], [A], [A, B], [A], [A], []]


def test_rows_keep_the_order_of_the_texts_and_of_the_references():
    found = find_references(pd.Series([f"{B} {A}", "", C], index=[7, 3, 5]))
    assert found.values.tolist() == [[7, B, 0], [7, A, 1], [5, C, 0]]


def test_a_repeated_index_is_refused():
    with pytest.raises(ValueError, match="unique index"):
        find_references(pd.Series(["a", "b"], index=[1, 1]))


FRAGMENTS = st.one_of(
    st.builds(reference_for, st.integers(0, 2**40 - 1)),
    st.builds(lambda n: reference_for(n)[:-1], st.integers(0, 2**40 - 1)),
    st.sampled_from(["PR", "pr", "P", "R", "P R", "NOP PHI", "MBVCB.", " ", ".", "-", "đ", "Ồ"]),
    st.sampled_from(["Nộp", "phí", "ß", "ı", "Ǉ", "ﬁ", "\u0301", "Ṕ", "ℛ"]),
    st.text(alphabet=ALPHABET + "abcxyz01 .-/", max_size=6),
)
MEMO = st.lists(FRAGMENTS, max_size=6).map("".join)


@given(st.lists(MEMO, min_size=1, max_size=12))
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_any_noisy_memo_gives_what_extract_references_gives(texts):
    assert per_text(texts) == [extract_references(text) for text in texts]


@given(st.lists(st.text(alphabet=ALPHABET + "01IOa ", min_size=9, max_size=13), max_size=20))
def test_the_vectorised_check_agrees_with_is_valid_reference(candidates):
    candidates += [reference_for(n) for n in range(5)]
    assert are_valid_references(pd.Series(candidates, dtype="str")).tolist() == [
        is_valid_reference(text) for text in candidates
    ]
