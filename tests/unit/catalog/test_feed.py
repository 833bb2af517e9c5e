from pathlib import Path

import pytest

from payrecon.catalog.feed import is_valid_vat_rate, parse_catalog
from payrecon.errors import ImportRejected

FEEDS = Path(__file__).parents[2] / "fixtures" / "feeds"


def test_a_good_catalog_is_read_with_integer_fees():
    rows = parse_catalog((FEEDS / "catalog_good.csv").read_bytes(), source="catalog_good.csv")
    assert [(r.procedure_code, r.fee_vnd, r.vat_rate) for r in rows] == [
        ("1.001001", 200_000, "KCT"),
        ("1.001003", 2_000, "KCT"),
        ("4.004010", 1_284_000, "10%"),
    ]


def test_every_bad_line_is_reported_with_line_column_and_reason():
    with pytest.raises(ImportRejected) as caught:
        parse_catalog((FEEDS / "catalog_bad.csv").read_bytes(), source="catalog_bad.csv")
    problems = [(p.where, p.detail) for p in caught.value.problems]
    assert [where for where, _ in problems] == [
        "line 2, column fee_vnd",
        "line 3, column fee_kind",
        "line 4, column vat_rate",
    ]
    assert "negative" in problems[0][1]
    assert "'tax'" in problems[1][1]
    assert "'12%'" in problems[2][1]
    assert str(caught.value) == "catalog_bad.csv: 3 problems; nothing was imported"


def test_a_wrong_header_names_what_is_missing():
    data = b"procedure_code,procedure_name,agency_code,fee_vnd,fee_kind,vat_rate\n"
    with pytest.raises(ImportRejected) as caught:
        parse_catalog(data, source="x.csv")
    assert caught.value.problems[0].where == "line 1"
    assert "missing: agency_name" in caught.value.problems[0].detail


def test_an_agency_named_two_ways_is_refused():
    data = (
        "procedure_code,procedure_name,agency_code,agency_name,fee_vnd,fee_kind,vat_rate\n"
        "A1,Thủ tục A,STP,Sở Tư pháp,1000,fee,KCT\n"
        "A2,Thủ tục B,STP,Sở Tư Pháp tỉnh,1000,fee,KCT\n"
    ).encode()
    with pytest.raises(ImportRejected) as caught:
        parse_catalog(data, source="x.csv")
    assert caught.value.problems[0].where == "line 3, column agency_name"


@pytest.mark.parametrize(
    ("code", "valid"),
    [("KCT", True), ("10%", True), ("KHAC:3.5%", True), ("7%", False), ("kct", False)],
)
def test_vat_rate_codes(code, valid):
    assert is_valid_vat_rate(code) is valid
