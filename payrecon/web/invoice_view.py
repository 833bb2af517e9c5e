"""GET /invoices/<lookup-code>: the printable invoice a citizen opens from the code on a receipt.

The lookup code is the only key: whoever holds it may see the invoice, nobody else can list
invoices. The page is rendered from the signed XML (invoices.display), never cached.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template

from payrecon.db import request_session
from payrecon.invoices import display, queries

bp = Blueprint("invoice_view", __name__, template_folder="templates")


@bp.get("/invoices/<lookup_code>")
def show_invoice(lookup_code: str):
    """The invoice as a printable Vietnamese page with the QR code of its lookup code."""
    invoice = queries.get_invoice_by_lookup_code(request_session(), lookup_code)
    page = render_template(
        "invoices/invoice.html",
        invoice=invoice,
        view=display.invoice_display(invoice.xml),
        qr_svg=display.qr_svg(invoice.lookup_code),
    )
    return page, 200, {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"}


@bp.get("/invoices/<lookup_code>/xml")
def show_invoice_xml(lookup_code: str):
    """The signed XML, byte for byte as stored, as a download."""
    invoice = queries.get_invoice_by_lookup_code(request_session(), lookup_code)
    filename = f"{invoice.template_code}{invoice.series}-{invoice.number}.xml"
    return Response(
        invoice.xml,
        mimetype="application/xml",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )
