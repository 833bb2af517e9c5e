"""Read the figures of an `HDon` invoice, ours or another provider's, keeping where each came from.

Order-tolerant on purpose: real providers disagree on child order (LTSuat as TSuat, TThue,
ThTien; THTTLTSuat first or last in TToan; reference §1.3), and the schema, not the reader,
is where payrecon insists on its own order. Values stay text here; rules.py judges them.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from payrecon.errors import InvalidInvoiceXml
from payrecon.invoices.xsd import parse_xml


@dataclass(frozen=True)
class Value:
    """The text of one element and where it is: 'line 12: /HDon/DLHDon/TTChung/SHDon'."""

    text: str
    where: str


@dataclass(frozen=True)
class ParsedLine:
    kind: Value | None  # TChat
    amount: Value | None  # ThTien
    rate: Value | None  # TSuat
    where: str


@dataclass(frozen=True)
class ParsedRateTotal:
    rate: Value | None  # TSuat
    taxable: Value | None  # ThTien
    tax: Value | None  # TThue
    where: str


@dataclass(frozen=True)
class ParsedInvoice:
    template_code: Value | None
    series: Value | None
    number: Value | None
    issued_on: Value | None
    currency: Value | None
    related_issued_on: Value | None
    lines: tuple[ParsedLine, ...]
    rate_totals: tuple[ParsedRateTotal, ...]
    total_before_tax: Value | None
    total_tax: Value | None
    total_payable: Value | None
    total_in_words: Value | None
    totals_where: str


def where_of(element: etree._Element) -> str:
    """'line N: /path' for parsed documents; just the path for trees built in memory."""
    path = element.getroottree().getpath(element)
    return path if element.sourceline is None else f"line {element.sourceline}: {path}"


def _value(parent: etree._Element | None, tag: str) -> Value | None:
    if parent is None:
        return None
    element = parent.find(tag)
    if element is None:
        return None
    return Value((element.text or "").strip(), where_of(element))


def read_invoice(xml: bytes | etree._Element) -> ParsedInvoice:
    """The figures rules.py checks; raises InvalidInvoiceXml if there is no HDon/DLHDon."""
    root = xml if isinstance(xml, etree._Element) else parse_xml(xml)
    if root.tag != "HDon":
        raise InvalidInvoiceXml(f"the root element is {root.tag!r}, not 'HDon'", where="/")
    data = root.find("DLHDon")
    if data is None:
        raise InvalidInvoiceXml("there is no DLHDon", where=where_of(root))
    general = data.find("TTChung")
    content = data.find("NDHDon")
    totals = content.find("TToan") if content is not None else None
    line_elements = content.findall("DSHHDVu/HHDVu") if content is not None else []
    rate_elements = totals.findall("THTTLTSuat/LTSuat") if totals is not None else []
    return ParsedInvoice(
        template_code=_value(general, "KHMSHDon"),
        series=_value(general, "KHHDon"),
        number=_value(general, "SHDon"),
        issued_on=_value(general, "NLap"),
        currency=_value(general, "DVTTe"),
        related_issued_on=_value(general, "TTHDLQuan/NLHDCLQuan"),
        lines=tuple(
            ParsedLine(
                kind=_value(line, "TChat"),
                amount=_value(line, "ThTien"),
                rate=_value(line, "TSuat"),
                where=where_of(line),
            )
            for line in line_elements
        ),
        rate_totals=tuple(
            ParsedRateTotal(
                rate=_value(row, "TSuat"),
                taxable=_value(row, "ThTien"),
                tax=_value(row, "TThue"),
                where=where_of(row),
            )
            for row in rate_elements
        ),
        total_before_tax=_value(totals, "TgTCThue"),
        total_tax=_value(totals, "TgTThue"),
        total_payable=_value(totals, "TgTTTBSo"),
        total_in_words=_value(totals, "TgTTTBChu"),
        totals_where=where_of(totals) if totals is not None else where_of(data),
    )
