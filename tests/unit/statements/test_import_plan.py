"""The pure decisions of a statement import: currency, account, period, duplicates, totals."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from payrecon.statements.parsed import Balance, ParsedLine, ParsedStatement
from payrecon.statements.plan import (
    account_candidates,
    bank_reference_of,
    continuity_finding,
    currency_problems,
    duplicate_key,
    entry_reference_of,
    money_totals,
    select_new_lines,
    statement_period,
)

DAY = date(2026, 11, 3)


def line(amount=50_000, direction="C", reference="FT1", **fields) -> ParsedLine:
    values = {"currency": "VND", "booking_date": DAY, "servicer_reference": reference} | fields
    return ParsedLine(amount=amount, direction=direction, **values)


def statement(*lines: ParsedLine, **fields) -> ParsedStatement:
    values = {
        "format": "mt940",
        "account_id": "0011000000001",
        "currency": "VND",
        "statement_id": "S1",
        "location": "line 1",
    } | fields
    return ParsedStatement(lines=tuple(lines), **values)


def test_a_vnd_statement_has_no_currency_problem():
    assert currency_problems(statement(line())) == []


def test_every_foreign_currency_in_a_statement_is_named_once():
    mixed = statement(
        line(currency="EUR"),
        line(currency="USD"),
        closing_balance=Balance(0, "EUR", DAY, "62F"),
    )
    [problem] = currency_problems(mixed)
    assert problem.where == "line 1"
    assert problem.detail.startswith("statement S1 is in EUR, USD;")


def test_a_foreign_balance_alone_is_enough_to_refuse():
    only_balance = statement(opening_balance=Balance(0, "SEK", DAY, "OPBD"))
    assert "is in SEK" in currency_problems(only_balance)[0].detail


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0011000000001", ["0011000000001"]),
        ("0011 0000 00001", ["0011000000001"]),
        ("VCBVVNVX/0011000000001", ["VCBVVNVX/0011000000001", "0011000000001"]),
        (None, []),
        ("", []),
    ],
)
def test_account_candidates(text, expected):
    assert account_candidates(text) == expected


def test_the_period_prefers_the_declared_one_then_bookings_then_balances():
    declared = statement(line(), period_from=date(2026, 11, 1), period_to=date(2026, 11, 2))
    assert statement_period(declared) == (date(2026, 11, 1), date(2026, 11, 2))
    # a camt PRCD opening balance is dated the day before: the bookings say which day it is
    booked = statement(
        line(booking_date=date(2026, 11, 4)),
        opening_balance=Balance(0, "VND", date(2026, 11, 3), "PRCD"),
        closing_balance=Balance(0, "VND", date(2026, 11, 4), "CLBD"),
    )
    assert statement_period(booked) == (date(2026, 11, 4), date(2026, 11, 4))
    empty = statement(closing_balance=Balance(0, "VND", date(2026, 11, 5), "62F"))
    assert statement_period(empty) == (date(2026, 11, 5), date(2026, 11, 5))
    assert statement_period(statement()) == (None, None)


def test_the_bank_reference_is_the_servicers_and_placeholders_are_no_reference():
    both = line(reference="FT26305000001", bank_reference="PRK7M2Q9XA")
    assert bank_reference_of(both) == "FT26305000001"
    assert entry_reference_of(both) == "PRK7M2Q9XA"
    only_entry = line(reference=None, bank_reference="20261102-0001")
    assert bank_reference_of(only_entry) == "20261102-0001"
    assert entry_reference_of(only_entry) is None
    assert bank_reference_of(line(reference="NONREF")) is None
    assert bank_reference_of(line(reference=" NOTPROVIDED ")) is None


def test_the_duplicate_key_is_date_reference_and_signed_amount():
    assert duplicate_key(line(direction="D")) == (DAY, "FT1", -50_000)
    assert duplicate_key(line(reference=None)) is None
    assert duplicate_key(line(kind="detail", parent_index=0)) is None


def test_identical_lines_in_one_statement_are_all_kept():
    stored: Counter = Counter()
    selection = select_new_lines(statement(line(), line(), line(reference=None)), stored)
    assert selection.keep == (0, 1, 2)
    assert selection.duplicates_skipped == 0
    assert stored == Counter({(DAY, "FT1", 50_000): 2})


def test_lines_already_stored_are_skipped_and_only_the_surplus_kept():
    stored = Counter({(DAY, "FT1", 50_000): 2})
    selection = select_new_lines(statement(line(), line(), line(), line(reference="FT2")), stored)
    assert selection.keep == (2, 3)
    assert selection.duplicates_skipped == 2
    assert stored[(DAY, "FT1", 50_000)] == 3


def test_a_same_reference_with_another_amount_or_day_is_new():
    stored = Counter({(DAY, "FT1", 50_000): 1})
    selection = select_new_lines(
        statement(line(amount=60_000), line(booking_date=date(2026, 11, 4)), line(direction="D")),
        stored,
    )
    assert selection.keep == (0, 1, 2)


def test_details_follow_their_batch():
    batch = line(amount=30_000, kind="batch", batch_id="B1")
    details = [
        line(amount=10_000, kind="detail", parent_index=0, reference=None),
        line(amount=20_000, kind="detail", parent_index=0, reference=None),
    ]
    fresh = select_new_lines(statement(batch, *details), Counter())
    assert fresh.keep == (0, 1, 2)
    repeated = select_new_lines(statement(batch, *details), Counter({(DAY, "FT1", 30_000): 1}))
    assert (repeated.keep, repeated.duplicates_skipped) == ((), 1)


def test_money_totals_count_booked_money_rows_only():
    rows = [
        line(amount=50_000),
        line(amount=7_000, direction="D", status="PDNG"),
        line(amount=3_000, direction="D", status="BOOK"),
        line(amount=1_000, kind="detail", parent_index=0),
        line(amount=2_000, direction="D", reversal=True),
    ]
    assert money_totals(rows) == (50_000, 5_000)


def test_continuity_finding():
    assert (
        continuity_finding(
            where="line 9", earlier="a", closed=5, later="b", opened=5, account="001"
        )
        is None
    )
    found = continuity_finding(
        where="line 9", earlier="a", closed=5, later="b", opened=7, account="001"
    )
    assert (found.kind, found.where, found.expected, found.actual) == (
        "continuity_break",
        "line 9",
        5,
        7,
    )
    assert found.detail == "account 001: a closed at 5 VND but b opens at 7 VND"
