"""build_invoice_xml: plain values in, schema-valid deterministic bytes out."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from lxml import etree

from payrecon.errors import InvalidInput
from payrecon.invoices.xml_build import (
    Buyer,
    InvoiceLine,
    RateTotal,
    RelatedInvoice,
    Relation,
    build_invoice_xml,
    format_quantity,
    rate_totals,
    tax_for,
)
from payrecon.invoices.xsd import is_valid

SEVERAL_RATES = (
    InvoiceLine("Sao chụp hồ sơ", "trang", 120, 2_000, 240_000, "10%"),
    InvoiceLine("Chuyển phát kết quả", "lần", 2, 27_000, 54_000, "8%"),
    InvoiceLine("Bản đồ địa chính", "tờ", Decimal("1.5"), 100_000, 150_000, "5%"),
    InvoiceLine("Phí thẩm định", "hồ sơ", 1, 300_000, 300_000, "KCT"),
    InvoiceLine("Sao chụp bản vẽ", "trang", 5, 2_000, 10_000, "10%"),
)


def texts(xml: bytes, path: str) -> list[str]:
    return [element.text for element in etree.fromstring(xml).findall(path)]


def test_the_same_invoice_gives_the_same_bytes(make_invoice):
    first = build_invoice_xml(make_invoice(SEVERAL_RATES))
    second = build_invoice_xml(make_invoice(SEVERAL_RATES))
    assert first == second
    assert first.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<HDon><DLHDon Id=")


def test_a_fee_invoice_carries_the_values_it_was_given(make_invoice):
    xml = build_invoice_xml(make_invoice())
    assert is_valid(xml)
    assert texts(xml, "DLHDon/TTChung/SHDon") == ["7"]  # no zero padding
    assert texts(xml, "DLHDon/TTChung/KHHDon") == ["C26TAA"]
    assert texts(xml, "DLHDon/TTChung/NLap") == ["2026-02-03"]
    assert texts(xml, "DLHDon/TTChung/PBan") == ["2.0.1"]
    assert texts(xml, "DLHDon/NDHDon/DSHHDVu/HHDVu/DGia") == ["50000"]
    assert texts(xml, "DLHDon/NDHDon/DSHHDVu/HHDVu/TSuat") == ["KCT"]
    assert texts(xml, "DLHDon/NDHDon/TToan/TgTTTBSo") == ["50000"]
    assert texts(xml, "DLHDon/NDHDon/TToan/TgTTTBChu") == ["Năm mươi nghìn đồng"]
    assert etree.fromstring(xml).find("DLHDon").get("Id") == "HD-1C26TAA-7"
    assert b"\n" not in xml.split(b"\n", 1)[1]  # no whitespace between tags


def test_totals_by_rate_and_overall_are_written_from_ints(make_invoice):
    xml = build_invoice_xml(make_invoice(SEVERAL_RATES))
    assert texts(xml, "DLHDon/NDHDon/TToan/THTTLTSuat/LTSuat/TSuat") == ["10%", "8%", "5%", "KCT"]
    assert texts(xml, "DLHDon/NDHDon/TToan/THTTLTSuat/LTSuat/ThTien") == [
        "250000",
        "54000",
        "150000",
        "300000",
    ]
    assert texts(xml, "DLHDon/NDHDon/TToan/THTTLTSuat/LTSuat/TThue") == [
        "25000",
        "4320",
        "7500",
        "0",
    ]
    assert texts(xml, "DLHDon/NDHDon/TToan/TgTCThue") == ["754000"]
    assert texts(xml, "DLHDon/NDHDon/TToan/TgTThue") == ["36820"]
    assert texts(xml, "DLHDon/NDHDon/TToan/TgTTTBSo") == ["790820"]
    assert texts(xml, "DLHDon/NDHDon/DSHHDVu/HHDVu/SLuong")[2] == "1.5"


def test_an_adjustment_names_the_invoice_it_adjusts(make_invoice):
    related = RelatedInvoice(Relation.ADJUSTS, "1", "C26TAA", 3, date(2026, 1, 20), note="Tăng")
    xml = build_invoice_xml(make_invoice(related=related))
    link = "DLHDon/TTChung/TTHDLQuan/"
    assert texts(xml, link + "TCHDon") == ["2"]
    assert texts(xml, link + "LHDCLQuan") == ["1"]
    assert texts(xml, link + "KHHDCLQuan") == ["C26TAA"]
    assert texts(xml, link + "SHDCLQuan") == ["3"]
    assert texts(xml, link + "NLHDCLQuan") == ["2026-01-20"]


def test_a_citizen_id_number_is_the_buyer_tax_code_when_there_is_no_other(make_invoice):
    xml = build_invoice_xml(make_invoice())
    assert texts(xml, "DLHDon/NDHDon/NMua/MST") == ["022190004321"]
    both = Buyer("Hộ kinh doanh Bình An", tax_code="5709876543", id_number="022190004321")
    xml = build_invoice_xml(make_invoice(buyer=both))
    assert texts(xml, "DLHDon/NDHDon/NMua/MST") == ["5709876543"]
    assert texts(xml, "DLHDon/NDHDon/NMua/TTKhac/TTin/DLieu") == ["022190004321"]


def test_the_lookup_code_goes_into_ttchung_other_info(make_invoice):
    xml = build_invoice_xml(make_invoice(lookup_code="QN26-0007"))
    assert texts(xml, "DLHDon/TTChung/TTKhac/TTin/TTruong") == ["Mã tra cứu"]
    assert texts(xml, "DLHDon/TTChung/TTKhac/TTin/DLieu") == ["QN26-0007"]


def test_a_float_amount_is_refused_naming_the_field(make_invoice):
    line = InvoiceLine("Lệ phí", "hồ sơ", 1, 50_000, 50_000.0, "KCT")
    with pytest.raises(InvalidInput, match="int VND") as caught:
        make_invoice(lines=(line,), totals_by_rate=(RateTotal("KCT", 50_000, 0),))
    assert caught.value.where == "lines[0].amount_vnd"


@pytest.mark.parametrize("number", [0, -1, 100_000_000, True])
def test_invoice_numbers_outside_eight_digits_are_refused(make_invoice, number):
    with pytest.raises(InvalidInput) as caught:
        make_invoice(number=number)
    assert caught.value.where == "number"


def test_what_the_schema_rejects_is_never_returned(make_invoice):
    from payrecon.errors import InvalidInvoiceXml

    with pytest.raises(InvalidInvoiceXml, match="KHHDon"):
        build_invoice_xml(make_invoice(series="C26TA"))


@pytest.mark.parametrize(
    ("rate", "taxable", "tax"),
    [
        ("10%", 250_000, 25_000),
        ("8%", 54_000, 4_320),
        ("5%", 15, 1),  # 0.75 rounds up
        ("5%", 10, 1),  # 0.5 rounds half away from zero
        ("5%", 9, 0),  # 0.45 rounds down
        ("10%", -15, -2),  # adjustments round symmetrically
        ("0%", 100_000, 0),
        ("KCT", 100_000, 0),
        ("KKKNT", 100_000, 0),
        ("KHAC:5.26", 100_000, 5_260),
    ],
)
def test_tax_for_a_rate_is_whole_dong(rate, taxable, tax):
    assert tax_for(rate, taxable) == tax


def test_tax_for_an_unknown_rate_is_refused():
    with pytest.raises(InvalidInput, match="7%"):
        tax_for("7%", 100)


def test_rate_totals_group_lines_in_first_seen_order():
    assert rate_totals(SEVERAL_RATES) == (
        RateTotal("10%", 250_000, 25_000),
        RateTotal("8%", 54_000, 4_320),
        RateTotal("5%", 150_000, 7_500),
        RateTotal("KCT", 300_000, 0),
    )


@pytest.mark.parametrize(
    ("quantity", "text"),
    [
        (3, "3"),
        (Decimal("1.50"), "1.5"),
        (Decimal("1E+2"), "100"),
        (Decimal("0.000001"), "0.000001"),
    ],
)
def test_quantities_are_plain_decimals(quantity, text):
    assert format_quantity(quantity) == text


def test_a_quantity_with_seven_decimals_is_refused():
    with pytest.raises(InvalidInput, match="6 decimals"):
        format_quantity(Decimal("0.0000001"))
