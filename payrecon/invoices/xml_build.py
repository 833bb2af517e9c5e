"""Build the `HDon` e-invoice XML from plain values.

Pure: an InvoiceData in, bytes out; no database, no clock, no randomness, so the same input
gives the same bytes. Money is int VND and is written as whole numbers. Elements follow the
strict order of invoice_schemas/einvoice/<PBan>/invoice.xsd; no whitespace is put between
tags (the tax authority asks for none before the first signature, and signing.py never
re-serialises what it signs).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import IntEnum

from lxml import etree

from payrecon.errors import InvalidInput
from payrecon.invoices.xsd import PBAN, require_valid

VAT_INVOICE_TITLE = "Hóa đơn giá trị gia tăng"
LOOKUP_CODE_LABEL = "Mã tra cứu"
PERSONAL_ID_LABEL = "Số định danh cá nhân"

#: Rate codes whose tax is a fixed percentage, in hundredths of a percent.
FIXED_RATES_BP = {"0%": 0, "5%": 500, "8%": 800, "10%": 1000}
#: Rate codes that carry no VAT at all.
NO_VAT_RATES = frozenset({"KCT", "KKKNT"})


class Relation(IntEnum):
    """TCHDon: what this invoice does to the related one."""

    REPLACES = 1
    ADJUSTS = 2


@dataclass(frozen=True)
class Seller:
    name: str
    tax_code: str
    address: str
    bank_account: str | None = None
    bank_name: str | None = None


@dataclass(frozen=True)
class Buyer:
    """The payer. A citizen usually has no tax code but a 12-digit personal identification
    number, which since 1 July 2025 serves as the personal tax code; it goes into MST
    when no tax code is given, otherwise into NMua/TTKhac."""

    name: str
    tax_code: str | None = None
    id_number: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class InvoiceLine:
    name: str
    unit: str
    quantity: int | Decimal
    unit_price_vnd: int
    amount_vnd: int
    rate_code: str
    item_code: str | None = None


@dataclass(frozen=True)
class RateTotal:
    """One row of THTTLTSuat: the amount before tax and the tax at one rate code."""

    rate_code: str
    taxable_vnd: int
    tax_vnd: int


@dataclass(frozen=True)
class RelatedInvoice:
    """TTHDLQuan: the invoice this one replaces or adjusts (LHDCLQuan 1 = an ND123 e-invoice)."""

    relation: Relation
    template_code: str
    series: str
    number: int
    issued_on: date
    kind: int = 1
    note: str | None = None


@dataclass(frozen=True)
class InvoiceData:
    template_code: str
    series: str
    number: int
    issued_on: date
    seller: Seller
    buyer: Buyer
    lines: tuple[InvoiceLine, ...]
    totals_by_rate: tuple[RateTotal, ...]
    total_in_words: str
    title: str = VAT_INVOICE_TITLE
    currency: str = "VND"
    payment_method: str | None = None
    provider_tax_code: str | None = None
    related: RelatedInvoice | None = None
    lookup_code: str | None = None
    qr_payload: str | None = None
    data_id: str = field(default="")

    def __post_init__(self) -> None:
        _check_money(self)
        if not self.data_id:
            object.__setattr__(self, "data_id", default_data_id(self))

    @property
    def total_before_tax_vnd(self) -> int:
        return sum(row.taxable_vnd for row in self.totals_by_rate)

    @property
    def total_tax_vnd(self) -> int:
        return sum(row.tax_vnd for row in self.totals_by_rate)

    @property
    def total_payable_vnd(self) -> int:
        return self.total_before_tax_vnd + self.total_tax_vnd


def default_data_id(invoice: InvoiceData) -> str:
    """A stable DLHDon/@Id (an XML NCName) derived from what identifies the invoice."""
    return f"HD-{invoice.template_code}{invoice.series}-{invoice.number}"


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_money(invoice: InvoiceData) -> None:
    """Reject floats and out-of-range numbers at construction, naming the field."""
    if not _is_int(invoice.number) or not 1 <= invoice.number <= 99_999_999:
        raise InvalidInput(
            f"invoice number must be 1..99999999, got {invoice.number!r}", where="number"
        )
    if not invoice.lines:
        raise InvalidInput("an invoice needs at least one line", where="lines")
    for index, line in enumerate(invoice.lines):
        for name in ("unit_price_vnd", "amount_vnd"):
            if not _is_int(getattr(line, name)):
                raise InvalidInput(
                    f"{name} must be int VND, got {type(getattr(line, name)).__name__}",
                    where=f"lines[{index}].{name}",
                )
        if not (_is_int(line.quantity) or isinstance(line.quantity, Decimal)):
            raise InvalidInput(
                f"quantity must be int or Decimal, got {type(line.quantity).__name__}",
                where=f"lines[{index}].quantity",
            )
    for index, row in enumerate(invoice.totals_by_rate):
        for name in ("taxable_vnd", "tax_vnd"):
            if not _is_int(getattr(row, name)):
                raise InvalidInput(
                    f"{name} must be int VND, got {type(getattr(row, name)).__name__}",
                    where=f"totals_by_rate[{index}].{name}",
                )


def tax_for(rate_code: str, taxable_vnd: int) -> int:
    """VAT on `taxable_vnd` at `rate_code`, rounded half away from zero to whole đồng.

    Integer arithmetic only: KHAC:AB.CD rates are read as hundredths of a percent.
    """
    if rate_code in NO_VAT_RATES:
        return 0
    if rate_code in FIXED_RATES_BP:
        basis_points = FIXED_RATES_BP[rate_code]
    elif rate_code.startswith("KHAC:"):
        basis_points = int((Decimal(rate_code.removeprefix("KHAC:")) * 100).to_integral_exact())
    else:
        raise InvalidInput(f"unknown VAT rate code {rate_code!r}", where="rate_code")
    magnitude = (abs(taxable_vnd) * basis_points + 5_000) // 10_000
    return magnitude if taxable_vnd >= 0 else -magnitude


def rate_totals(lines: Iterable[InvoiceLine]) -> tuple[RateTotal, ...]:
    """Group line amounts by rate code (first-seen order) and compute each group's tax."""
    taxable: dict[str, int] = {}
    for line in lines:
        taxable[line.rate_code] = taxable.get(line.rate_code, 0) + line.amount_vnd
    return tuple(RateTotal(code, amount, tax_for(code, amount)) for code, amount in taxable.items())


def format_quantity(quantity: int | Decimal) -> str:
    """A quantity as the schema's decimal: no exponent, no trailing zeros, at most 6 decimals."""
    if _is_int(quantity):
        return str(quantity)
    if not quantity.is_finite():
        raise InvalidInput(f"quantity {quantity} is not a number", where="quantity")
    text = format(quantity.normalize(), "f")
    if "." in text and len(text.split(".")[1]) > 6:
        raise InvalidInput(f"quantity {quantity} has more than 6 decimals", where="quantity")
    return text


def _add(parent: etree._Element, tag: str, value: object | None) -> etree._Element | None:
    """Append <tag>value</tag>; skip absent optional values (None or empty)."""
    if value is None or value == "":
        return None
    child = etree.SubElement(parent, tag)
    child.text = value.isoformat() if isinstance(value, date) else str(value)
    return child


def _other_info(parent: etree._Element, fields: list[tuple[str, str]]) -> None:
    if not fields:
        return
    block = etree.SubElement(parent, "TTKhac")
    for label, value in fields:
        info = etree.SubElement(block, "TTin")
        _add(info, "TTruong", label)
        _add(info, "KDLieu", "string")
        _add(info, "DLieu", value)


def _general_info(parent: etree._Element, invoice: InvoiceData) -> None:
    general = etree.SubElement(parent, "TTChung")
    _add(general, "PBan", PBAN)
    _add(general, "THDon", invoice.title)
    _add(general, "KHMSHDon", invoice.template_code)
    _add(general, "KHHDon", invoice.series)
    _add(general, "SHDon", invoice.number)
    _add(general, "NLap", invoice.issued_on)
    _add(general, "DVTTe", invoice.currency)
    _add(general, "TGia", 1 if invoice.currency == "VND" else None)
    _add(general, "HTTToan", invoice.payment_method)
    _add(general, "MSTTCGP", invoice.provider_tax_code)
    if (related := invoice.related) is not None:
        link = etree.SubElement(general, "TTHDLQuan")
        _add(link, "TCHDon", int(related.relation))
        _add(link, "LHDCLQuan", related.kind)
        _add(link, "KHMSHDCLQuan", related.template_code)
        _add(link, "KHHDCLQuan", related.series)
        _add(link, "SHDCLQuan", related.number)
        _add(link, "NLHDCLQuan", related.issued_on)
        _add(link, "GChu", related.note)
    _other_info(general, [(LOOKUP_CODE_LABEL, invoice.lookup_code)] if invoice.lookup_code else [])


def _seller(parent: etree._Element, seller: Seller) -> None:
    element = etree.SubElement(parent, "NBan")
    _add(element, "Ten", seller.name)
    _add(element, "MST", seller.tax_code)
    _add(element, "DChi", seller.address)
    _add(element, "STKNHang", seller.bank_account)
    _add(element, "TNHang", seller.bank_name)


def _buyer(parent: etree._Element, buyer: Buyer) -> None:
    element = etree.SubElement(parent, "NMua")
    _add(element, "Ten", buyer.name)
    _add(element, "MST", buyer.tax_code or buyer.id_number)
    _add(element, "DChi", buyer.address)
    extra = []
    if buyer.tax_code and buyer.id_number:
        extra.append((PERSONAL_ID_LABEL, buyer.id_number))
    _other_info(element, extra)


def _lines(parent: etree._Element, lines: tuple[InvoiceLine, ...]) -> None:
    element = etree.SubElement(parent, "DSHHDVu")
    for position, line in enumerate(lines, start=1):
        item = etree.SubElement(element, "HHDVu")
        _add(item, "TChat", 1)
        _add(item, "STT", position)
        _add(item, "MHHDVu", line.item_code)
        _add(item, "THHDVu", line.name)
        _add(item, "DVTinh", line.unit)
        _add(item, "SLuong", format_quantity(line.quantity))
        _add(item, "DGia", line.unit_price_vnd)
        _add(item, "ThTien", line.amount_vnd)
        _add(item, "TSuat", line.rate_code)


def _totals(parent: etree._Element, invoice: InvoiceData) -> None:
    element = etree.SubElement(parent, "TToan")
    by_rate = etree.SubElement(element, "THTTLTSuat")
    for row in invoice.totals_by_rate:
        rate = etree.SubElement(by_rate, "LTSuat")
        _add(rate, "TSuat", row.rate_code)
        _add(rate, "ThTien", row.taxable_vnd)
        _add(rate, "TThue", row.tax_vnd)
    _add(element, "TgTCThue", invoice.total_before_tax_vnd)
    _add(element, "TgTThue", invoice.total_tax_vnd)
    _add(element, "TgTTTBSo", invoice.total_payable_vnd)
    _add(element, "TgTTTBChu", invoice.total_in_words)


def build_invoice_tree(invoice: InvoiceData) -> etree._Element:
    """The HDon element tree, with an empty DSCKS/NBan waiting for the seller's signature."""
    root = etree.Element("HDon")
    data = etree.SubElement(root, "DLHDon", Id=invoice.data_id)
    _general_info(data, invoice)
    content = etree.SubElement(data, "NDHDon")
    _seller(content, invoice.seller)
    _buyer(content, invoice.buyer)
    _lines(content, invoice.lines)
    _totals(content, invoice)
    _add(root, "DLQRCode", invoice.qr_payload)
    signatures = etree.SubElement(root, "DSCKS")
    etree.SubElement(signatures, "NBan")
    return root


def build_valid_invoice_tree(invoice: InvoiceData) -> etree._Element:
    """build_invoice_tree, checked against the XSD (InvalidInvoiceXml names the first
    violation). The issuing path signs this tree as it is, without a serialise and a parse."""
    tree = build_invoice_tree(invoice)
    require_valid(tree)
    return tree


def build_invoice_xml(invoice: InvoiceData) -> bytes:
    """The invoice as UTF-8 bytes with an XML declaration; same input, same bytes.

    Checked against the XSD before it is returned: payrecon never hands out an invoice
    its own schema rejects (InvalidInvoiceXml names the first violation).
    """
    return etree.tostring(build_valid_invoice_tree(invoice), xml_declaration=True, encoding="UTF-8")
