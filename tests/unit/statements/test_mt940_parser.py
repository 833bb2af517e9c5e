"""MT940 on our own VND file and on small hand-written statements."""

from datetime import date

import pytest

from payrecon.errors import StatementFormatError
from payrecon.statements.balances import check_continuity, check_statement_balances
from payrecon.statements.mt940 import parse_mt940

SIMPLE = (
    ":20:REF1\n:25:0011000000001\n:28C:1/1\n:60F:C261101VND100000,\n"
    ":61:2611011101C50000,NTRFPRK7M2Q9XA//FT1\n:86:PRK7M2Q9XA nop phi\n"
    ":62F:C261101VND150000,\n-\n"
)


@pytest.fixture
def vnd(fixture_bytes):
    return parse_mt940(fixture_bytes("mt940_vnd.sta"))


def test_vnd_file_has_two_statements_that_tie_and_continue(vnd):
    assert [s.statement_id for s in vnd] == ["STMT20261101", "STMT20261102"]
    assert [s.sequence for s in vnd] == ["00305/00001", "00306/00001"]
    assert [s.account_id for s in vnd] == ["0011000000001", "0011000000001"]
    assert [s.currency for s in vnd] == ["VND", "VND"]
    assert [len(s.lines) for s in vnd] == [3, 1]
    assert [check_statement_balances(s) for s in vnd] == [[], []]
    assert check_continuity(vnd) == []
    assert vnd[0].period_from == date(2026, 11, 1)


def test_vnd_lines_keep_their_line_numbers_references_and_text(vnd):
    credit, settlement, reversal = vnd[0].lines
    assert (credit.amount, credit.direction, credit.line_number) == (50000, "C", 5)
    assert credit.location == "line 5"
    assert credit.bank_reference == "PRK7M2Q9XA"
    assert credit.servicer_reference == "FT26305000001"
    assert credit.remittance_text == "PRK7M2Q9XA nop phi HS000123 NGUYEN VAN A"
    assert credit.raw == (
        ":61:2611011101C50000,NTRFPRK7M2Q9XA//FT26305000001\n"
        ":86:PRK7M2Q9XA nop phi HS000123 NGUYEN VAN A"
    )
    assert settlement.bank_reference is None  # NONREF
    assert settlement.amount == 1_483_500
    assert (reversal.direction, reversal.reversal, reversal.amount) == ("D", True, 50000)
    assert reversal.line_number == 9
    [fee] = vnd[1].lines
    assert fee.line_number == 17
    assert fee.remittance_text == "PHI DICH VU SMS BANKING\nTHANG 10/2026"


def test_a_byte_order_mark_does_not_lose_the_first_statement():
    [statement] = parse_mt940(b"\xef\xbb\xbf" + SIMPLE.encode())
    assert statement.statement_id == "REF1"
    assert statement.lines[0].line_number == 5


def test_crlf_and_header_lines_before_the_first_20():
    data = ("{1:F01BANKVNVXAXXX}\r\n940 00\r\n" + SIMPLE.replace("\n", "\r\n")).encode()
    [statement] = parse_mt940(data)
    assert statement.lines[0].line_number == 7
    assert check_statement_balances(statement) == []


def test_a_vnd_amount_with_decimals_is_refused_with_its_line():
    data = SIMPLE.replace("C50000,", "C50000,5").encode()
    with pytest.raises(StatementFormatError, match="more decimals than VND") as caught:
        parse_mt940(data)
    assert caught.value.where == "line 5"


def test_a_broken_61_names_its_line():
    data = SIMPLE.replace(":61:2611011101C50000,", ":61:26XX01C50000,").encode()
    with pytest.raises(StatementFormatError, match="cannot be read") as caught:
        parse_mt940(data)
    assert caught.value.where == "line 5"


def test_a_file_without_20_is_not_mt940():
    with pytest.raises(StatementFormatError, match="no :20: tag"):
        parse_mt940(b"booking_date,amount\n2026-11-01,1\n")


def test_reversal_of_a_debit_puts_money_back():
    data = SIMPLE.replace("C50000,NTRF", "RD50000,NTRF").encode()
    [statement] = parse_mt940(data)
    line = statement.lines[0]
    assert (line.direction, line.reversal, line.signed_amount) == ("C", True, 50000)
