"""CSV and XLSX statement exports: our generic layout and the Vietnamese banks' layouts."""

import io
from datetime import date, datetime

import openpyxl
import pytest

from payrecon.errors import ImportRejected, StatementFormatError
from payrecon.statements.balances import check_statement_balances
from payrecon.statements.bank_cells import normalise_label, parse_bank_date, parse_vnd
from payrecon.statements.bank_csv import parse_bank_csv, parse_bank_xlsx

GENERIC_HEADER = (
    "booking_date,value_date,amount,direction,bank_reference,description,"
    "counterparty_name,counterparty_account\n"
)


def test_generic_layout(fixture_bytes):
    statement = parse_bank_csv(fixture_bytes("generic_vnd.csv"), source="generic_vnd.csv")
    assert (statement.format, statement.layout, statement.currency) == ("csv", "generic", "VND")
    first, second, fee = statement.lines
    assert (first.amount, first.direction, first.booking_date) == (50000, "C", date(2026, 11, 2))
    assert first.bank_reference == "FT26306000001"
    assert (first.counterparty_name, first.counterparty_account) == (
        "NGUYEN VAN A",
        "0071000123456",
    )
    assert second.remittance_text == "Thanh toan phi, PRB4N8T1ZC"
    assert (fee.direction, fee.value_date, fee.counterparty_name) == ("D", date(2026, 11, 3), None)
    assert [line.line_number for line in statement.lines] == [2, 3, 4]
    assert fee.raw == "2026-11-02,2026-11-03,20000,D,FT26306000003,Phi quan ly tai khoan,,"


def test_every_bad_row_is_reported_at_once_with_line_and_column():
    data = (
        GENERIC_HEADER
        + "2026-11-02,2026-11-02,50000,C,R1,ok,,\n"
        + "02/11/2026,2026-11-02,50000,C,R2,dmy date in the generic layout,,\n"
        + "2026-11-02,2026-11-02,50.5,C,R3,not a whole amount,,\n"
        + "2026-11-02,2026-11-02,50000,X,R4,bad direction,,\n"
    ).encode()
    with pytest.raises(ImportRejected) as caught:
        parse_bank_csv(data, source="upload.csv")
    problems = [str(problem) for problem in caught.value.problems]
    assert problems == [
        "line 3, column booking_date: '02/11/2026' is not a date (yyyy-mm-dd)",
        "line 4, column amount: '50.5' is not a positive whole number of VND",
        "line 5, column direction: 'X' is neither C nor D",
    ]
    assert str(caught.value) == "upload.csv: 3 problems; nothing was imported"


def test_vietcombank_export_with_title_rows_and_dot_thousands(fixture_bytes):
    statement = parse_bank_csv(fixture_bytes("vietcombank_vnd.csv"), source="vcb.csv")
    assert (statement.layout, statement.account_id) == ("vietcombank", "0011000000001")
    assert statement.location == "line 5"  # the header row, below the title block
    amounts = [(line.amount, line.direction) for line in statement.lines]
    assert amounts == [(50000, "C"), (1_200_000, "C"), (11000, "D")]
    assert statement.lines[0].remittance_text.startswith("MBVCB.5123456789.PRK7M2Q9XA")
    assert statement.lines[0].bank_reference == "5213.00001"
    assert statement.lines[0].booking_date == date(2026, 11, 1)


def test_vietinbank_export_with_comma_thousands_and_multiline_details(fixture_bytes):
    statement = parse_bank_csv(fixture_bytes("vietinbank_vnd.csv"), source="ctg.csv")
    assert statement.layout == "vietinbank"
    first, second, fee = statement.lines
    assert (first.amount, first.direction, first.line_number) == (300_000, "C", 2)
    assert first.remittance_text == "CT nhanh 247 den: NGUYEN VAN A\nPRK7M2Q9XA nop phi"
    assert (first.bank_reference, first.servicer_reference) == ("947A26B0000001", "CT0001")
    assert first.counterparty_account == "0071000123456"
    assert first.raw.count("\n") == 1  # the record spans two physical lines
    assert second.line_number == 4
    assert (fee.amount, fee.direction, fee.line_number) == (5500, "D", 6)


def test_bidv_export_with_balance_rows_and_old_account_number(fixture_bytes):
    statement = parse_bank_csv(fixture_bytes("bidv_vnd.csv"), source="bidv.csv")
    assert (statement.layout, statement.account_id) == ("bidv", "21510000000001")
    assert statement.opening_balance.amount == 2_000_000
    assert statement.closing_balance.amount == 2_050_000
    assert [(line.amount, line.direction) for line in statement.lines] == [
        (100_000, "C"),
        (50_000, "D"),
    ]
    assert statement.lines[0].value_date == date(2026, 11, 1)
    assert check_statement_balances(statement) == []


def techcombank_workbook(rows_after_header) -> bytes:
    """A synthetic 'SaoKeTK' export: a title block, the header on row 34, scattered columns."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "SaoKeTK"
    sheet["B2"] = "SAO KÊ TÀI KHOẢN"
    sheet["B10"] = "Số tài khoản/Account No:"
    sheet["D10"] = "19030000000001"
    header = {
        "B": "Ngày giao dịch/Transaction Date",
        "D": "Đối tác/Remitter",
        "F": "Diễn giải/Details",
        "H": "Số giao dịch/Transaction No",
        "J": "Nợ/Debit",
        "K": "Có/Credit",
        "L": "Số dư/Balance",
    }
    for column, label in header.items():
        sheet[f"{column}34"] = label
    for offset, values in enumerate(rows_after_header, start=35):
        for column, value in zip("BDFHJKL", values, strict=True):
            sheet[f"{column}{offset}"] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_techcombank_xlsx_with_header_on_row_34():
    data = techcombank_workbook(
        [
            (
                datetime(2026, 11, 1, 8, 30),
                "NGUYEN VAN A",
                "PRK7M2Q9XA nop phi",
                "FT1",
                None,
                50000,
                1_050_000,
            ),
            ("02/11/2026", None, "Phi SMS", "FT2", "11.000", None, 1_039_000),
        ]
    )
    statement = parse_bank_xlsx(data, source="SaoKeTK_01112026_02112026.xlsx")
    assert (statement.format, statement.layout) == ("xlsx", "techcombank")
    assert statement.account_id == "19030000000001"
    first, fee = statement.lines
    assert (first.amount, first.direction, first.booking_date) == (50000, "C", date(2026, 11, 1))
    assert (first.counterparty_name, first.bank_reference) == ("NGUYEN VAN A", "FT1")
    assert (first.location, first.line_number) == ("sheet 'SaoKeTK' row 35", 35)
    assert (fee.amount, fee.direction, fee.booking_date) == (11000, "D", date(2026, 11, 2))


def test_xlsx_bad_rows_are_all_reported():
    data = techcombank_workbook(
        [
            ("31/02/2026", None, "bad date", "FT1", None, 1000, None),
            ("01/11/2026", None, "both sides", "FT2", 1000, 1000, None),
            ("01/11/2026", None, "fraction", "FT3", None, 1000.5, None),
        ]
    )
    with pytest.raises(ImportRejected) as caught:
        parse_bank_xlsx(data, source="tcb.xlsx")
    wheres = [problem.where for problem in caught.value.problems]
    assert wheres == [
        "sheet 'SaoKeTK' row 35, column Ngày giao dịch/Transaction Date",
        "sheet 'SaoKeTK' row 36, column Có/Credit",
        "sheet 'SaoKeTK' row 37, column Có/Credit",
    ]


def test_an_unknown_header_is_refused_naming_the_layouts():
    with pytest.raises(StatementFormatError, match="no known statement header"):
        parse_bank_csv(b"date;amount;text\n2026-11-01;1;x\n", source="odd.csv")


def test_a_broken_workbook_is_refused():
    with pytest.raises(StatementFormatError, match=r"not a readable \.xlsx"):
        parse_bank_xlsx(b"PK\x03\x04 not really a zip", source="broken.xlsx")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("50000", 50000),
        ("50.000", 50000),
        ("1.234.567", 1234567),
        ("300,000", 300000),
        ("1,234,567.00", 1234567),
        ("1.234.567,00", 1234567),
        ("50000.00", 50000),
        ("50.000 VND", 50000),
        ("", None),
        (None, None),
        (1200, 1200),
        (1200.0, 1200),
    ],
)
def test_parse_vnd(text, expected):
    assert parse_vnd(text) == expected


@pytest.mark.parametrize("text", ["50.00.0", "12,34", "1.234,5", "abc", 10.5, "-5", True])
def test_parse_vnd_refuses(text):
    with pytest.raises(
        ValueError, match=r"not a VND amount|not a whole number|must not be negative|not an amount"
    ):
        parse_vnd(text)


def test_parse_bank_date():
    assert parse_bank_date("01/11/2026") == date(2026, 11, 1)
    assert parse_bank_date("1/11/2026 08:15:02") == date(2026, 11, 1)
    assert parse_bank_date("2026-11-01", "iso") == date(2026, 11, 1)
    assert parse_bank_date(datetime(2026, 11, 1, 9, 0)) == date(2026, 11, 1)
    with pytest.raises(ValueError, match="day is out of range"):
        parse_bank_date("31/02/2026")


def test_normalise_label_drops_diacritics_case_and_punctuation():
    assert normalise_label("Ngày Giao Dịch") == "ngay giao dich"
    assert normalise_label("SỐ DƯ") == "so du"
    assert normalise_label("Số tài khoản (cũ):") == "so tai khoan cu"
