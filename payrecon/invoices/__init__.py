"""E-invoices: the signed XML invoice a citizen gets for a paid fee.

The pure cores, usable without a database or an app:
- xml_build.build_invoice_xml(InvoiceData) -> bytes   the HDon document, deterministic bytes
- xsd.require_valid / schema_problems / parse_xml     the versioned XSD under invoice_schemas/
- signing.sign_invoice / verify_invoice / add_authority_code   XML-DSig as the tax authority expects
- symbols.series_symbol / invoice_year                KHHDon for a year and agency
- reader.read_invoice + rules.invoice_problems        business rules on any invoice, ours or not
"""
