"""Hostile XML for the invoice paths: entity bombs, external entities, DOCTYPEs, deep nesting.

Statements already have these tests (tests/unit/statements/test_xml_safety.py and the upload
API tests); these cover the invoice side: the XSD check, the business rules, the signature
check and `payrecon invoices validate`, which all start from untrusted bytes.
"""

from __future__ import annotations

from datetime import date

import pytest

from payrecon.cli import cli
from payrecon.errors import InvalidInput, InvalidInvoiceXml
from payrecon.invoices.rules import invoice_problems
from payrecon.invoices.signing import verify_invoice
from payrecon.invoices.xsd import (
    SCHEMA_ROOT,
    SCHEMA_VERSION,
    parse_xml,
    require_valid,
    schema_problems,
)
from payrecon.statements.xml_safety import parse_xml as parse_statement_xml

SECRET_TEXT = "TOP-SECRET-7f3a"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE HDon [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<HDon><DLHDon><TTChung><SHDon>&lol9;</SHDon></TTChung></DLHDon></HDon>
"""

QUADRATIC_BLOWUP = (
    b'<?xml version="1.0"?>\n<!DOCTYPE HDon [<!ENTITY a "'
    + b"x" * 50_000
    + b'">]>\n<HDon>'
    + b"&a;" * 50_000
    + b"</HDon>"
)


def external_entity(target: str) -> bytes:
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE HDon [<!ENTITY xxe SYSTEM "{target}">]>\n'
        "<HDon><DLHDon><TTChung><SHDon>&xxe;</SHDon></TTChung></DLHDon></HDon>\n"
    ).encode()


PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE HDon [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>
<HDon/>
"""

EXTERNAL_DTD = b'<?xml version="1.0"?>\n<!DOCTYPE HDon SYSTEM "http://127.0.0.1:9/x.dtd">\n<HDon/>'

DEEP_NESTING = b"<HDon>" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</HDon>"


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text(SECRET_TEXT)
    return path


def hostile_documents(secret_file) -> dict[str, bytes]:
    return {
        "billion laughs": BILLION_LAUGHS,
        "quadratic blowup": QUADRATIC_BLOWUP,
        "external entity (file)": external_entity(secret_file.as_uri()),
        "external entity (network)": external_entity("http://127.0.0.1:9/secret"),
        "parameter entity": PARAMETER_ENTITY,
        "external DTD": EXTERNAL_DTD,
    }


def test_every_invoice_entry_point_refuses_a_doctype_and_reads_nothing(secret_file):
    for name, document in hostile_documents(secret_file).items():
        with pytest.raises(InvalidInvoiceXml, match="DOCTYPE") as refused:
            parse_xml(document)
        assert SECRET_TEXT not in str(refused.value), name
        problems = schema_problems(document)
        assert len(problems) == 1, name
        assert "DOCTYPE" in problems[0], name
        with pytest.raises(InvalidInvoiceXml):
            require_valid(document)
        with pytest.raises(InvalidInvoiceXml):
            verify_invoice(document)
        with pytest.raises(InvalidInvoiceXml):
            invoice_problems(document, today=date(2026, 11, 20))


def test_deep_nesting_is_refused_by_both_xml_readers():
    with pytest.raises(InvalidInvoiceXml, match="line"):
        parse_xml(DEEP_NESTING)
    with pytest.raises(InvalidInput):
        parse_statement_xml(DEEP_NESTING)


def test_payrecon_invoices_validate_refuses_hostile_files(runner, tmp_path, secret_file):
    for name, document in hostile_documents(secret_file).items():
        path = tmp_path / "hostile.xml"
        path.write_bytes(document)
        result = runner.invoke(cli, ["invoices", "validate", str(path)])
        assert result.exit_code == 1, (name, result.output)
        assert f"schema ({SCHEMA_VERSION}): FAILED" in result.output, name
        assert "DOCTYPE" in result.output, name
        assert "signature: skipped" in result.output, name
        assert SECRET_TEXT not in result.output, name


def test_a_valid_example_still_passes_the_schema():
    """The guard refuses DOCTYPEs, not invoices: the published examples still validate."""
    examples = sorted((SCHEMA_ROOT / "einvoice" / SCHEMA_VERSION / "examples" / "valid").glob("*"))
    assert examples
    assert schema_problems(examples[0].read_bytes()) == []
