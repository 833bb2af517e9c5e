"""E-invoices: the signed XML invoice a citizen gets for a paid fee.

The pure cores, usable without a database or an app:
- xml_build.build_invoice_xml(InvoiceData) -> bytes   the HDon document, deterministic bytes
- xsd.require_valid / schema_problems / parse_xml     the versioned XSD under invoice_schemas/
- signing.sign_invoice                                XML-DSig as the tax authority wants (xmlsec),
                                                      verified again before the bytes are returned
- verifying.verify_invoice / add_authority_code       anyone's invoice (signxml, tolerant); MCCQT
- dsig, own_signature                                 the signature's layout; xmlsec sign and check
- symbols.series_symbol / invoice_year                KHHDon for a year and agency
- reader.read_invoice + rules.invoice_problems        business rules on any invoice, ours or not
"""
