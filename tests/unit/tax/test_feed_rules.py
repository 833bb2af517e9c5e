"""The tax feed's cursor, limit and page rules (no database)."""

from __future__ import annotations

import base64
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payrecon.errors import InvalidInput
from payrecon.invoices.feed import (
    MAX_LIMIT,
    authority_status,
    decode_cursor,
    encode_cursor,
    make_page,
    page_limit,
)


@dataclass(frozen=True)
class Row:
    position: int


def test_a_cursor_is_base64url_of_the_version_and_position():
    assert encode_cursor(42) == "djE6NDI"
    assert base64.urlsafe_b64decode("djE6NDI=") == b"v1:42"
    assert decode_cursor("djE6NDI") == 42


@given(st.integers(min_value=0, max_value=2**63 - 1))
def test_every_position_survives_the_round_trip(position):
    cursor = encode_cursor(position)
    assert "=" not in cursor
    assert decode_cursor(cursor) == position


def test_no_cursor_is_the_start():
    assert decode_cursor(None) == 0
    assert decode_cursor("") == 0


@pytest.mark.parametrize(
    "cursor",
    [
        "42",  # a bare position is not a cursor
        "djE6NDI=",  # padded spelling of a good cursor: only the canonical one is accepted
        "djE6MDQy",  # v1:042, a second spelling of 42
        "djE6LTE",  # v1:-1
        "djI6NDI",  # v2:42
        "djE6",  # v1: without a position
        "djE6NDJ4",  # v1:42x
        "djE6OTIyMzM3MjAzNjg1NDc3NTgwOA",  # v1:9223372036854775808, past 64 bits
        "dj E6NDI",
        "djE6NDI/",  # standard base64 alphabet, not base64url
        "__79",  # bytes that are not ASCII
        "A" * 41,
    ],
)
def test_anything_else_is_refused_naming_the_after_parameter(cursor):
    with pytest.raises(InvalidInput) as raised:
        decode_cursor(cursor)
    assert raised.value.where == "query.after"


def test_the_limit_defaults_and_is_capped_but_must_be_positive():
    assert page_limit(None) == 100
    assert page_limit(1) == 1
    assert page_limit(MAX_LIMIT) == 500
    assert page_limit(100_000) == 500
    with pytest.raises(InvalidInput) as raised:
        page_limit(0)
    assert raised.value.where == "query.limit"


def test_a_page_hands_out_limit_rows_and_says_more_is_waiting():
    page = make_page([Row(5), Row(7), Row(9)], after=3, limit=2)
    assert page.items == [Row(5), Row(7)]
    assert decode_cursor(page.next_cursor) == 7
    assert page.has_more


def test_a_last_page_says_nothing_more():
    page = make_page([Row(5)], after=3, limit=2)
    assert (page.items, decode_cursor(page.next_cursor), page.has_more) == ([Row(5)], 5, False)


def test_an_empty_page_gives_the_same_cursor_back():
    page = make_page([], after=12, limit=50)
    assert (page.items, page.next_cursor, page.has_more) == ([], encode_cursor(12), False)


@pytest.mark.parametrize("rows", [[Row(3)], [Row(6), Row(5)], [Row(5), Row(5)]])
def test_rows_out_of_order_are_a_bug_not_a_page(rows):
    with pytest.raises(ValueError, match="increasing position"):
        make_page(rows, after=3, limit=10)


@pytest.mark.parametrize(
    ("series", "outcome", "status"),
    [
        ("C26TAA", None, "awaiting_code"),
        ("K26TAA", None, "not_applicable"),
        ("C26TAA", "coded", "coded"),
        ("C26TAA", "rejected", "rejected"),
    ],
)
def test_authority_status(series, outcome, status):
    assert authority_status(series, outcome) == status
