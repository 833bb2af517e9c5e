"""The text the engine searches for references: a line's three texts, stripped and joined."""

from __future__ import annotations

import math

import pandas as pd

from payrecon.statements.queries import _matching_texts


def test_texts_are_stripped_deduplicated_and_joined_and_absent_ones_skipped():
    remittance = pd.Series(
        [" MBVCB.123 PAYABC ", None, "same", math.nan, "\x1c tab\t", "", "only"], dtype=object
    )
    reference = pd.Series([None, "RF18", " same ", None, None, "  ", None], dtype=object)
    info = pd.Series([None, " note ", "other", math.nan, "\x1f", None, "only"], dtype=object)
    assert list(_matching_texts(remittance, reference, info)) == [
        "MBVCB.123 PAYABC",
        "RF18 note",
        "same other",
        "",
        "tab",  # Python's whitespace, \x1c and \x1f included
        "",
        "only",
    ]


def test_an_empty_frame_gives_no_texts():
    empty = pd.Series([], dtype=object)
    assert list(_matching_texts(empty, empty, empty)) == []
