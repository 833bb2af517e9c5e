"""Format detection from content, and the single entry point."""

import pytest

from payrecon.errors import StatementFormatError
from payrecon.statements.detect import detect_format, parse_statement_file


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("camt053v08_vnd.xml", "camt053"),
        ("genkgo_camt052v08.xml", "camt052"),
        ("genkgo_camt054v08_batch.xml", "camt054"),
        ("mt940_vnd.sta", "mt940"),
        ("mt940_ing_header_trailer.sta", "mt940"),
        ("mt940_citi_blank_entry_date.txt", "mt940"),
        ("generic_vnd.csv", "csv"),
        ("bidv_vnd.csv", "csv"),
    ],
)
def test_detect_format_from_content(fixture_bytes, name, expected):
    assert detect_format(fixture_bytes(name), "upload.dat") == expected


def test_xlsx_is_detected_from_zip_and_name():
    assert detect_format(b"PK\x03\x04rest", "SaoKeTK.xlsx") == "xlsx"
    with pytest.raises(StatementFormatError, match="zip file that is not an Excel"):
        detect_format(b"PK\x03\x04rest", "statements.zip")


def test_xml_that_is_not_camt_is_refused():
    with pytest.raises(StatementFormatError, match="not an ISO 20022 camt"):
        detect_format(b"<?xml version='1.0'?><Invoice/>", "x.xml")


def test_parse_statement_file_dispatches(fixture_bytes):
    assert len(parse_statement_file(fixture_bytes("camt053v08_vnd.xml"), "a.xml")) == 2
    assert len(parse_statement_file(fixture_bytes("mt940_vnd.sta"), "a.sta")) == 2
    [statement] = parse_statement_file(fixture_bytes("vietinbank_vnd.csv"), "a.csv")
    assert statement.layout == "vietinbank"


def test_an_explicit_format_must_match_the_content(fixture_bytes):
    data = fixture_bytes("genkgo_camt054v08_batch.xml")
    with pytest.raises(StatementFormatError, match="file is camt054, not camt053"):
        parse_statement_file(data, "a.xml", fmt="camt053")
    with pytest.raises(StatementFormatError, match="unknown format 'ofx'"):
        parse_statement_file(data, "a.xml", fmt="ofx")


def test_the_size_limit_applies_to_every_format():
    with pytest.raises(StatementFormatError, match="limit is 10 bytes"):
        parse_statement_file(b"booking_date\n" * 3, "a.csv", max_bytes=10)
