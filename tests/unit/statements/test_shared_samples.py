"""Every shared sample parses, with its counts and balance outcome as the samples README records.

The MIT/BSD/Apache samples are in tests/fixtures/statements; the two AGPL (OCA) ones are read
from the shared folder next to the repository (skipped without it, a failure on CI).
"""

from datetime import date

from payrecon.statements.balances import (
    check_batch_totals,
    check_continuity,
    check_statement_balances,
)
from payrecon.statements.camt import parse_camt
from payrecon.statements.mt940 import parse_mt940


def kinds(findings):
    return [finding.kind for finding in findings]


def test_genkgo_camt053_v08_shapes_and_balances_in_four_currencies(fixture_bytes):
    [statement] = parse_camt(fixture_bytes("genkgo_camt053v08.xml"))
    assert statement.format == "camt053"
    assert statement.account_id == "NL26VAYB8060476890"  # Acct/Id/Othr/Id
    [line] = statement.lines
    assert (line.kind, line.amount, line.currency, line.direction) == ("entry", 885, "EUR", "C")
    assert line.status == "BOOK"  # <Sts><Cd>BOOK</Cd></Sts>
    assert line.booking_date == date(2014, 12, 31)  # BookgDt/DtTm with an offset
    assert line.value_date == date(2015, 1, 2)
    assert line.end_to_end_id == "MUELL/FINP/RA12345"
    assert line.creditor_reference == "4654654654654654"
    assert line.counterparty_name == "NAME NAME"  # Dbtr/Pty/Nm (v08)
    assert kinds(check_statement_balances(statement)) == ["currency_mismatch"]


def test_genkgo_two_statements_each_tie_and_continue(fixture_bytes):
    statements = parse_camt(fixture_bytes("genkgo_camt053v02_multi_statement.xml"))
    assert [s.statement_id for s in statements] == [
        "253EURNL26VAYB8060476890",
        "254EURNL26VAYB8060476890",
    ]
    assert [len(s.lines) for s in statements] == [1, 1]
    assert [check_statement_balances(s) for s in statements] == [[], []]
    assert statements[0].closing_balance.amount == statements[1].opening_balance.amount == 2700
    assert check_continuity(statements) == []


def test_genkgo_camt052_report_with_a_batch_and_no_details(fixture_bytes):
    [report] = parse_camt(fixture_bytes("genkgo_camt052v08.xml"))
    assert report.format == "camt052"
    [line] = report.lines
    assert (line.kind, line.amount, line.currency, line.direction) == (
        "batch",
        20000000,
        "SEK",
        "D",
    )
    assert line.carries_money
    assert kinds(check_statement_balances(report)) == ["no_balances"]
    assert check_batch_totals(report) == []  # details come elsewhere: nothing to compare


def test_genkgo_camt054_batch_details_do_not_add_up(fixture_bytes):
    [notification] = parse_camt(fixture_bytes("genkgo_camt054v08_batch.xml"))
    assert notification.format == "camt054"
    batch, *details = notification.lines
    assert batch.kind == "batch"
    assert batch.amount == 20000000
    assert batch.currency == "SEK"
    assert [d.kind for d in details] == ["detail"] * 3
    assert all(d.parent_index == 0 and not d.carries_money for d in details)
    assert [d.amount for d in details] == [310, 320, 320]
    end_to_end = [d.end_to_end_id for d in details]
    assert len(set(end_to_end)) == 2  # two details share an EndToEndId
    assert notification.money_lines == (batch,)
    # NbOfTxs says 2 while 3 are listed, and 3.10 + 3.20 + 3.20 CHF is not SEK 200,000
    assert kinds(check_batch_totals(notification)) == [
        "batch_count_mismatch",
        "batch_total_mismatch",
    ]
    assert kinds(check_statement_balances(notification)) == ["no_balances"]


def test_bankstatementparser_identical_entries_are_both_kept(fixture_bytes):
    [statement] = parse_camt(fixture_bytes("bsp_camt053v02_duplicate_same_day.xml"))
    first, second = statement.lines
    assert (first.amount, first.direction, first.remittance_text) == (
        450,
        "D",
        "CARD PAYMENT CITY COFFEE",
    )
    assert (second.amount, second.direction, second.remittance_text) == (
        first.amount,
        first.direction,
        first.remittance_text,
    )
    assert first.location != second.location
    assert kinds(check_statement_balances(statement)) == ["no_balances"]


def test_betterplace_26_statements_tie_once_reversals_are_signed(fixture_bytes):
    statements = parse_mt940(fixture_bytes("mt940_betterplace_sepa_reversals.sta"))
    assert len(statements) == 26
    assert sum(len(s.lines) for s in statements) == 97
    reversals = [line for s in statements for line in s.lines if line.reversal]
    assert len(reversals) == 2
    assert all(line.direction == "D" for line in reversals)  # RC takes a credit back
    assert [check_statement_balances(s) for s in statements] == [[]] * 26
    assert statements[0].opening_balance.amount == -123471836  # a debit balance


def test_citi_blank_entry_date_ties(fixture_bytes):
    [statement] = parse_mt940(fixture_bytes("mt940_citi_blank_entry_date.txt"))
    assert len(statement.lines) == 5
    assert [line.amount for line in statement.lines].count(0) == 2
    assert statement.lines[0].line_number == 5
    assert check_statement_balances(statement) == []
    assert statement.closing_balance.amount == 1623392


def test_ing_header_trailer_and_summary_86(fixture_bytes):
    [statement] = parse_mt940(fixture_bytes("mt940_ing_header_trailer.sta"))
    assert statement.account_id == "0001234567"
    assert len(statement.lines) == 7
    assert statement.lines[0].line_number == 8  # three header lines, then :20: on line 4
    last = statement.lines[-1]
    assert "Betaling transactiedatum: 22-07-2010" in last.remittance_text
    assert "D000004C000002" not in last.remittance_text  # the statement summary :86:
    assert "\u00ad" in statement.lines[2].remittance_text  # soft hyphens survive
    [finding] = check_statement_balances(statement)
    assert (finding.kind, finding.expected, finding.actual) == ("balance_mismatch", -4559, 347)


def test_oca_reversal_batch_does_not_tie_and_is_reported(shared_sample):
    [statement] = parse_camt(shared_sample("oca_camt053v02_reversal_batch.xml"))
    assert [line.kind for line in statement.lines] == [
        "entry",
        "batch",
        "detail",
        "detail",
        "entry",
    ]
    batch = statement.lines[1]
    assert (batch.amount, batch.direction, batch.reversal) == (66405, "D", True)
    assert (batch.batch_id, batch.batch_size, batch.batch_total) == (
        "2018/125-20141229-NORM",
        2,
        66405,
    )
    assert [d.amount for d in statement.lines[2:4]] == [56405, 10000]
    assert check_batch_totals(statement) == []
    credit = statement.lines[4]
    assert credit.end_to_end_id == "115"
    assert credit.remittance_text == credit.additional_info  # no RmtInf: AddtlTxInf stands in
    [finding] = check_statement_balances(statement)
    assert (finding.kind, finding.expected, finding.actual) == (
        "balance_mismatch",
        1555528,
        1512112,
    )


def test_oca_batched_credit_ties_and_keeps_both_payments(shared_sample):
    [statement] = parse_camt(shared_sample("oca_camt053v04_batched_credit.xml"))
    batch, first, second = statement.lines
    assert (batch.kind, batch.amount, batch.currency) == ("batch", 348300, "CHF")
    assert [first.amount, second.amount] == [218700, 129600]
    assert [first.creditor_reference, second.creditor_reference] == [
        "302388292000011111111111111",
        "302388292000022222222222222",
    ]
    assert first.end_to_end_id is None
    assert second.end_to_end_id is None
    assert "GROUPÉ" in batch.remittance_text  # AddtlNtryInf in French, UTF-8
    assert statement.electronic_sequence == "58"
    assert check_statement_balances(statement) == []
    assert check_batch_totals(statement) == []
