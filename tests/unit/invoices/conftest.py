"""Shared invoices for the e-invoice unit tests: plain values, no database."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from payrecon.invoices.signing import generate_demo_keypair
from payrecon.invoices.xml_build import Buyer, InvoiceData, InvoiceLine, Seller, rate_totals
from payrecon.money import amount_in_words_vi

CENTRE = Seller(
    name="Trung tâm Phục vụ hành chính công tỉnh Quảng Ninh",
    tax_code="5701234567",
    address="Phường Hồng Hà, TP Hạ Long, tỉnh Quảng Ninh",
    bank_account="0141000123456",
    bank_name="Vietcombank Quảng Ninh",
)
CITIZEN = Buyer(name="Trần Thị Bình", id_number="022190004321", address="Phường Bãi Cháy, Hạ Long")


def build_sample_invoice(lines: tuple[InvoiceLine, ...] | None = None, **overrides) -> InvoiceData:
    """A KCT fee invoice for one 50,000 VND procedure unless told otherwise."""
    lines = lines or (
        InvoiceLine("Lệ phí đăng ký hộ kinh doanh", "hồ sơ", 1, 50_000, 50_000, "KCT"),
    )
    totals = overrides.pop("totals_by_rate", None) or rate_totals(lines)
    payable = sum(row.taxable_vnd + row.tax_vnd for row in totals)
    values = {
        "template_code": "1",
        "series": "C26TAA",
        "number": 7,
        "issued_on": date(2026, 2, 3),
        "seller": CENTRE,
        "buyer": CITIZEN,
        "lines": lines,
        "totals_by_rate": totals,
        "total_in_words": amount_in_words_vi(payable),
        "payment_method": "CK",
    } | overrides
    return InvoiceData(**values)


@pytest.fixture
def make_invoice():
    """The sample-invoice factory: make_invoice(lines=None, **field_overrides)."""
    return build_sample_invoice


@pytest.fixture(scope="session")
def demo_keys() -> tuple[bytes, bytes]:
    """(key_pem, cert_pem), valid from December 2025 so fixed 2026 signing times fall inside."""
    return generate_demo_keypair(
        "Trung tam PVHCC Quang Ninh (test)", valid_from=datetime(2025, 12, 1, tzinfo=UTC)
    )


@pytest.fixture(scope="session")
def other_keys() -> tuple[bytes, bytes]:
    return generate_demo_keypair("Someone else", valid_from=datetime(2025, 12, 1, tzinfo=UTC))
