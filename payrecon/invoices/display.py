"""What the printable invoice page shows, read from the signed XML itself.

The page is rendered from the stored bytes, not from database columns, so that what a citizen
sees is what was signed. Pure: bytes in, plain values out; the QR code is an inline SVG.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import segno

from payrecon.invoices.xsd import parse_xml
from payrecon.money import format_vnd

RELATION_TEXT = {"1": "thay thế", "2": "điều chỉnh"}


@dataclass(frozen=True)
class DisplayLine:
    position: str
    name: str
    unit: str
    quantity: str
    unit_price: str
    amount: str
    rate: str


@dataclass(frozen=True)
class InvoiceDisplay:
    title: str
    template_code: str
    series: str
    number: str
    issued_on: str  # dd/mm/yyyy
    seller: dict[str, str]
    buyer: dict[str, str]
    lines: tuple[DisplayLine, ...]
    totals_by_rate: tuple[tuple[str, str, str], ...]  # (rate, taxable, tax)
    total_before_tax: str
    total_tax: str
    total_payable: str
    total_in_words: str
    payment_method: str
    related: str | None  # "Hóa đơn thay thế cho hóa đơn …" on a correction
    signed_by: str | None
    signed_at: str | None


def _money(text: str | None) -> str:
    return format_vnd(int(text)) if text and text.lstrip("-").isdigit() else (text or "")


def _date_vi(iso: str | None) -> str:
    if not iso or len(iso) < 10:
        return iso or ""
    return f"{iso[8:10]}/{iso[5:7]}/{iso[0:4]}"


def _party(element) -> dict[str, str]:
    if element is None:
        return {}
    tags = {"Ten": "name", "MST": "tax_code", "DChi": "address", "STKNHang": "bank_account"}
    return {key: element.findtext(tag) or "" for tag, key in tags.items()}


def invoice_display(xml: bytes) -> InvoiceDisplay:
    """The values of the printable page, in Vietnamese number and date formats."""
    root = parse_xml(xml)
    general = root.find("DLHDon/TTChung")
    content = root.find("DLHDon/NDHDon")
    totals = content.find("TToan")
    related = None
    if (link := general.find("TTHDLQuan")) is not None:
        related = (
            f"Hóa đơn {RELATION_TEXT.get(link.findtext('TCHDon'), '')} cho hóa đơn "
            f"ký hiệu {link.findtext('KHMSHDCLQuan')}{link.findtext('KHHDCLQuan')} "
            f"số {link.findtext('SHDCLQuan')} ngày {_date_vi(link.findtext('NLHDCLQuan'))}"
        )
        if note := link.findtext("GChu"):
            related += f" ({note})"
    signed_at = root.xpath("string(DSCKS/NBan//*[local-name()='SigningTime'])") or None
    subject = root.xpath("string(DSCKS/NBan//*[local-name()='X509SubjectName'])") or root.xpath(
        "string(DLHDon/NDHDon/NBan/Ten)"
    )
    return InvoiceDisplay(
        title=general.findtext("THDon") or "",
        template_code=general.findtext("KHMSHDon") or "",
        series=general.findtext("KHHDon") or "",
        number=general.findtext("SHDon") or "",
        issued_on=_date_vi(general.findtext("NLap")),
        seller=_party(content.find("NBan")),
        buyer=_party(content.find("NMua")),
        lines=tuple(
            DisplayLine(
                position=line.findtext("STT") or "",
                name=line.findtext("THHDVu") or "",
                unit=line.findtext("DVTinh") or "",
                quantity=line.findtext("SLuong") or "",
                unit_price=_money(line.findtext("DGia")),
                amount=_money(line.findtext("ThTien")),
                rate=line.findtext("TSuat") or "",
            )
            for line in content.findall("DSHHDVu/HHDVu")
        ),
        totals_by_rate=tuple(
            (
                row.findtext("TSuat") or "",
                _money(row.findtext("ThTien")),
                _money(row.findtext("TThue")),
            )
            for row in totals.findall("THTTLTSuat/LTSuat")
        ),
        total_before_tax=_money(totals.findtext("TgTCThue")),
        total_tax=_money(totals.findtext("TgTThue")),
        total_payable=_money(totals.findtext("TgTTTBSo")),
        total_in_words=totals.findtext("TgTTTBChu") or "",
        payment_method=general.findtext("HTTToan") or "",
        related=related,
        signed_by=subject if signed_at else None,
        signed_at=signed_at.replace("T", " ") if signed_at else None,
    )


def qr_svg(text: str, *, title: str = "Mã tra cứu hóa đơn") -> str:
    """An inline <svg> QR code of `text` (error correction M), without an XML declaration."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(
        buffer, kind="svg", scale=4, border=2, xmldecl=False, svgns=True, title=title
    )
    return buffer.getvalue().decode("utf-8")
