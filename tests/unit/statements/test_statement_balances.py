"""Balance, batch and continuity checks on hand-built statements."""

from payrecon.statements.balances import (
    check_batch_totals,
    check_continuity,
    check_statement_balances,
)
from payrecon.statements.parsed import Balance, ParsedLine, ParsedStatement


def line(amount, direction="C", **fields):
    return ParsedLine(amount=amount, currency="VND", direction=direction, **fields)


def stmt(opening, lines, closing, *, account="0011", location="s"):
    return ParsedStatement(
        format="csv",
        account_id=account,
        currency="VND",
        statement_id=None,
        lines=tuple(lines),
        location=location,
        opening_balance=None if opening is None else Balance(opening, "VND", None, "OPBD"),
        closing_balance=None if closing is None else Balance(closing, "VND", None, "CLBD"),
    )


def test_a_statement_that_ties_has_no_findings():
    assert check_statement_balances(stmt(1000, [line(500), line(200, "D")], 1300)) == []


def test_a_statement_that_does_not_tie_says_by_how_much():
    [finding] = check_statement_balances(stmt(1000, [line(500)], 1400))
    assert (finding.kind, finding.expected, finding.actual) == ("balance_mismatch", 1500, 1400)
    assert "opening 1000 + entries 500 = 1500" in finding.detail


def test_batch_details_and_pending_entries_are_not_counted():
    rows = [
        line(300, kind="batch", batch_size=2),
        line(100, kind="detail", parent_index=0),
        line(200, kind="detail", parent_index=0),
        line(50, "D", status="PDNG"),
    ]
    statement = stmt(0, rows, 300)
    assert check_statement_balances(statement) == []
    assert check_batch_totals(statement) == []


def test_batch_count_and_total_mismatches():
    rows = [
        line(300, kind="batch", batch_size=3, location="/Ntry[1]"),
        line(100, kind="detail", parent_index=0),
        line(150, kind="detail", parent_index=0),
    ]
    findings = check_batch_totals(stmt(None, rows, None))
    assert [(f.kind, f.expected, f.actual, f.where) for f in findings] == [
        ("batch_count_mismatch", 3, 2, "/Ntry[1]"),
        ("batch_total_mismatch", 300, 250, "/Ntry[1]"),
    ]


def test_missing_balances_cannot_be_checked():
    [finding] = check_statement_balances(stmt(None, [line(1)], None))
    assert finding.kind == "no_balances"


def test_continuity_per_account():
    day1 = stmt(0, [line(100)], 100, location="day 1")
    other_account = stmt(7, [], 7, account="0099", location="other")
    day2 = stmt(90, [line(10)], 100, location="day 2")
    [finding] = check_continuity([day1, other_account, day2])
    assert (finding.kind, finding.expected, finding.actual, finding.where) == (
        "continuity_break",
        100,
        90,
        "day 2",
    )
    assert check_continuity([day1, stmt(100, [], 100)]) == []
