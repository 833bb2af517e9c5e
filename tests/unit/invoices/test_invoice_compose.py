"""What goes on a fee invoice and what a refund does to it: plain values, no database."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payrecon.errors import InvalidInput
from payrecon.invoices.compose import (
    LOOKUP_ALPHABET,
    FeeSale,
    RefundAction,
    agency_series_suffix,
    fee_invoice_data,
    invoice_rate_code,
    new_lookup_code,
    refund_action,
    split_vat_inclusive,
)
from payrecon.invoices.display import invoice_display, qr_svg
from payrecon.invoices.rules import invoice_problems
from payrecon.invoices.xml_build import (
    Buyer,
    RelatedInvoice,
    Relation,
    Seller,
    build_invoice_xml,
    tax_for,
)

SALE = FeeSale(
    seller=Seller(
        "Sở Tư pháp tỉnh Quảng Ninh", "5700100256", "Hạ Long, Quảng Ninh", "0141000123456"
    ),
    buyer=Buyer("Trần Thị Bình", id_number="022190004321"),
    procedure_name="Cấp Phiếu lý lịch tư pháp",
    procedure_code="1.001001",
    fee_kind="fee",
    catalog_rate="KCT",
    paid_vnd=200_000,
    payment_method="vietqr",
)


def test_agency_suffixes_are_two_characters_and_distinct():
    assert [agency_series_suffix(n) for n in (1, 2, 26, 27, 37, 1296)] == [
        "AA",
        "AB",
        "AZ",
        "A0",
        "BA",
        "99",
    ]
    assert len({agency_series_suffix(n) for n in range(1, 1297)}) == 1296
    with pytest.raises(InvalidInput):
        agency_series_suffix(1297)


def test_lookup_codes_are_twelve_unambiguous_characters():
    codes = {new_lookup_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(code) == 12 and set(code) <= set(LOOKUP_ALPHABET) for code in codes)
    assert not set("01IO") & set(LOOKUP_ALPHABET)


@pytest.mark.parametrize(
    ("catalog", "code"),
    [("KCT", "KCT"), ("10%", "10%"), ("KHAC:3.5%", "KHAC:03.50"), ("KHAC:7%", "KHAC:07.00")],
)
def test_catalog_rates_become_invoice_rate_codes(catalog, code):
    assert invoice_rate_code(catalog) == code


def test_an_unknown_catalog_rate_is_refused():
    with pytest.raises(InvalidInput, match="is not a VAT rate code"):
        invoice_rate_code("7 percent")


def test_vat_inclusive_split_uses_the_exact_rounding_where_it_exists():
    assert split_vat_inclusive(523_056, "10%") == (475_505, 47_551)
    assert split_vat_inclusive(200_000, "KCT") == (200_000, 0)
    # t + round(t × 10 %) never makes 5 (4 + 0 = 4, 5 + 1 = 6): one đồng off the rounding
    assert split_vat_inclusive(5, "10%") == (5, 0)


@given(
    total=st.integers(min_value=-(10**12), max_value=10**12),
    rate=st.sampled_from(["5%", "8%", "10%"]),
)
def test_vat_inclusive_split_always_adds_up_within_one_dong(total, rate):
    taxable, tax = split_vat_inclusive(total, rate)
    assert taxable + tax == total
    assert abs(tax - tax_for(rate, taxable)) <= 1


def test_a_fee_invoice_keeps_every_business_rule():
    data = fee_invoice_data(
        SALE, series="C26TAA", number=3, issued_on=date(2026, 11, 20), lookup_code="ABCDEFGHJKLM"
    )
    assert data.total_payable_vnd == 200_000
    assert data.lines[0].name == "Phí Cấp Phiếu lý lịch tư pháp"
    assert data.payment_method == "CK"
    xml = build_invoice_xml(data)
    assert invoice_problems(xml) == []


def test_an_adjustment_for_a_refund_carries_the_negative_change_and_the_link():
    related = RelatedInvoice(Relation.ADJUSTS, "1", "C26TAA", 3, date(2026, 11, 20), note="hoàn")
    data = fee_invoice_data(
        SALE,
        series="C26TAA",
        number=4,
        issued_on=date(2026, 11, 21),
        lookup_code="ABCDEFGHJKLN",
        amount_vnd=-50_000,
        related=related,
    )
    assert data.total_payable_vnd == -50_000
    assert data.total_in_words == "Âm năm mươi nghìn đồng"
    assert data.lines[0].name.startswith("Điều chỉnh giảm: Phí ")
    view = invoice_display(build_invoice_xml(data))
    assert (
        view.related == "Hóa đơn điều chỉnh cho hóa đơn ký hiệu 1C26TAA số 3 ngày 20/11/2026 (hoàn)"
    )
    assert view.total_payable.startswith("-50.000")


@pytest.mark.parametrize(
    ("refund", "adjusted", "delivered", "action"),
    [
        (200_000, 0, False, RefundAction.CANCEL),
        (200_000, 0, True, RefundAction.ADJUST),
        (50_000, 0, False, RefundAction.ADJUST),
        (150_000, -50_000, False, RefundAction.ADJUST),
    ],
)
def test_refund_actions(refund, adjusted, delivered, action):
    assert (
        refund_action(
            invoiced_vnd=200_000,
            already_adjusted_vnd=adjusted,
            refund_vnd=refund,
            delivered=delivered,
        )
        is action
    )


@pytest.mark.parametrize(
    ("refund", "adjusted"), [(0, 0), (-1, 0), (200_001, 0), (60_000, -150_000)]
)
def test_impossible_refunds_are_refused(refund, adjusted):
    with pytest.raises(InvalidInput):
        refund_action(
            invoiced_vnd=200_000, already_adjusted_vnd=adjusted, refund_vnd=refund, delivered=False
        )


def test_the_display_reads_the_signed_figures():
    data = fee_invoice_data(
        SALE, series="C26TAA", number=3, issued_on=date(2026, 11, 20), lookup_code="ABCDEFGHJKLM"
    )
    view = invoice_display(build_invoice_xml(data))
    assert (view.series, view.number, view.issued_on) == ("C26TAA", "3", "20/11/2026")
    assert view.buyer["name"] == "Trần Thị Bình"
    assert view.lines[0].amount == view.total_payable
    assert view.total_in_words == "Hai trăm nghìn đồng"
    assert view.signed_at is None


def test_the_qr_code_is_inline_svg():
    svg = qr_svg("ABCDEFGHJKLM")
    assert svg.startswith("<svg")
    assert "<?xml" not in svg
    assert "Mã tra cứu" in svg
