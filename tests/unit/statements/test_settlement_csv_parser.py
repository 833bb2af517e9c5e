"""VNPAY-style settlement reports: batches whose net total is one bank credit."""

from datetime import date

import pytest

from payrecon.errors import ImportRejected, StatementFormatError
from payrecon.statements.settlement_csv import parse_settlement_csv

HEADER = (
    "vnp_TxnRef,vnp_TransactionNo,pay_date,gross_vnd,fee_vnd,net_vnd,"
    "settlement_batch_id,settlement_date"
)


def test_the_fixture_gives_two_batches_with_their_totals(fixture_bytes):
    first, second = parse_settlement_csv(fixture_bytes("settlement_vnpay.csv"))
    assert (first.batch_id, first.settlement_date) == ("STL-20261031-01", date(2026, 11, 1))
    assert (first.gross_total, first.fee_total, first.net_total) == (1_500_000, 16_500, 1_483_500)
    assert [row.our_reference for row in first.rows] == ["PRK7M2Q9XA", "PRB4N8T1ZC"]
    assert [row.line_number for row in first.rows] == [2, 3]
    assert first.rows[0].gateway_transaction_no == "14110001"
    assert first.rows[0].pay_date == date(2026, 10, 31)
    assert first.rows[0].raw.startswith("PRK7M2Q9XA,14110001,")
    assert (second.batch_id, second.net_total) == ("STL-20261031-02", 197_800)


def test_vnpay_timestamps_and_a_stated_batch_total_that_agrees():
    data = (
        HEADER
        + ",batch_net_vnd\n"
        + "A1,1,20261031091200,100000,1100,98900,B1,01/11/2026,197800\n"
        + "A2,2,20261031101200,100000,1100,98900,B1,01/11/2026,197800\n"
    ).encode()
    [batch] = parse_settlement_csv(data)
    assert batch.net_total == 197_800
    assert batch.settlement_date == date(2026, 11, 1)


def test_every_problem_is_reported_at_once():
    data = (
        HEADER
        + ",batch_net_vnd\n"
        + "A1,1,2026-10-31,100000,1100,99000,B1,2026-11-01,1\n"
        + "A1,2,2026-10-31,100000,1100,98900,B1,2026-11-02,1\n"
        + "A3,2,yesterday,,1100,98900,,2026-11-01,\n"
    ).encode()
    with pytest.raises(ImportRejected) as caught:
        parse_settlement_csv(data, source="vnpay.csv")
    assert [str(problem) for problem in caught.value.problems] == [
        "line 2, column net_vnd: gross 100000 - fee 1100 = 98900, but net is 99000",
        "line 3, column vnp_TxnRef: 'A1' is already listed on line 2",
        "line 3, column settlement_date: batch B1 is also dated 2026-11-01",
        "line 4, column pay_date: 'yesterday' is not a date (dd/mm/yyyy)",
        "line 4, column gross_vnd: is empty",
        "line 4, column settlement_batch_id: is empty",
        "line 4, column vnp_TransactionNo: '2' is already listed on line 3",
        "line 2, column batch_net_vnd: batch B1 states 1 VND net but its lines add up to 197900",
    ]


def test_a_missing_column_is_named():
    with pytest.raises(StatementFormatError, match=r"lacks column.*fee_vnd"):
        parse_settlement_csv(HEADER.replace("fee_vnd,", "").encode() + b"\n")


def test_a_report_without_lines_is_refused():
    with pytest.raises(StatementFormatError, match="no payment lines"):
        parse_settlement_csv((HEADER + "\n").encode())
