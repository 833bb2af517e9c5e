"""The schema folder: examples, located problems, offline compilation, hardened parsing."""

from __future__ import annotations

from pathlib import Path

import pytest

from payrecon.errors import InvalidInvoiceXml
from payrecon.invoices import xsd

EXAMPLES = xsd.schema_folder() / "examples"
VALID = sorted(EXAMPLES.glob("valid/*.xml"))
INVALID = sorted(EXAMPLES.glob("invalid/*.xml"))

# The line each invalid example's first problem must name: the offending element itself.
EXPECTED_LINE = {
    "amount_seven_decimals.xml": 45,
    "amount_twenty_two_digits.xml": 57,
    "authority_code_too_short.xml": 64,
    "data_id_missing.xml": 4,
    "doctype_declared.xml": 3,
    "elements_out_of_order.xml": 8,
    "invoice_number_leading_zeros.xml": 10,
    "invoice_number_nine_digits.xml": 10,
    "issue_date_missing.xml": 11,
    "issue_date_not_a_date.xml": 11,
    "pban_too_long.xml": 6,
    "rate_code_unknown.xml": 46,
    "relation_kind_three.xml": 16,
    "root_in_a_namespace.xml": 3,
    "series_kind_letter_unknown.xml": 9,
    "seller_signature_slot_missing.xml": 64,
    "seller_tax_code_eleven_digits.xml": 26,
    "template_code_seven.xml": 8,
    "words_missing.xml": 49,
}


def test_the_example_sets_are_complete():
    assert len(VALID) >= 3
    assert len(INVALID) >= 8
    assert sorted(path.name for path in INVALID) == sorted(EXPECTED_LINE)


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_valid_examples_pass_both_validators(path: Path):
    xml = path.read_bytes()
    assert xsd.schema_problems(xml) == []
    assert xsd.is_valid(xml)
    xsd.require_valid(xml)


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_invalid_examples_fail_naming_the_offending_line(path: Path):
    xml = path.read_bytes()
    problems = xsd.schema_problems(xml)
    assert len(problems) == 1, problems  # each example breaks exactly one rule
    assert problems[0].startswith(f"line {EXPECTED_LINE[path.name]}: "), problems[0]
    assert not xsd.is_valid(xml)
    with pytest.raises(InvalidInvoiceXml) as caught:
        xsd.require_valid(xml)
    assert caught.value.where == f"line {EXPECTED_LINE[path.name]}"


def test_require_valid_counts_every_violation():
    xml = (EXAMPLES / "valid" / "kct_fee_invoice.xml").read_bytes()
    broken = xml.replace(b"<SHDon>1</SHDon>", b"<SHDon>0</SHDon>").replace(
        b"<KHMSHDon>1</KHMSHDon>", b"<KHMSHDon>9</KHMSHDon>"
    )
    assert len(xsd.schema_problems(broken)) == 2
    with pytest.raises(InvalidInvoiceXml, match=r"^2 schema violations"):
        xsd.require_valid(broken)


def test_the_xmldsig_import_is_resolved_from_the_schema_folder():
    schema = xsd.load_schema()
    local = (xsd.schema_folder() / "xmldsig-core-schema.xsd").as_uri()
    assert [imported.target_namespace for imported in schema.imports.values()] == [
        "http://www.w3.org/2000/09/xmldsig#"
    ]
    assert list(schema.imports) == [local]


def test_schemas_are_compiled_once_per_process():
    assert xsd.load_schema() is xsd.load_schema()
    assert xsd.load_fast_schema() is xsd.load_fast_schema()


def test_a_schema_that_imports_from_the_web_is_refused(tmp_path: Path):
    folder = tmp_path / "einvoice" / "v9.9.9"
    folder.mkdir(parents=True)
    (folder / "invoice.xsd").write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        '<xs:import namespace="urn:x" schemaLocation="http://example.invalid/x.xsd"/>'
        '<xs:element name="HDon"/></xs:schema>'
    )
    with pytest.raises(RuntimeError, match="imports from outside"):
        xsd.compile_schema(folder)


def test_parse_refuses_a_doctype_even_without_entities():
    with pytest.raises(InvalidInvoiceXml, match="DOCTYPE") as caught:
        xsd.parse_xml(b"<?xml version='1.0'?>\n<!DOCTYPE HDon>\n<HDon/>")
    assert caught.value.where == "line 2"


def test_parse_does_not_expand_entities_or_fetch_files():
    billion_laughs = (
        b'<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY f SYSTEM "file:///etc/passwd">]><r>&b;&f;</r>'
    )
    with pytest.raises(InvalidInvoiceXml):
        xsd.parse_xml(billion_laughs)


def test_malformed_xml_is_reported_with_its_line():
    with pytest.raises(InvalidInvoiceXml) as caught:
        xsd.parse_xml(b"<HDon>\n<DLHDon>\n</HDon>")
    assert caught.value.where == "line 3"
    assert xsd.schema_problems(b"<HDon>\n<DLHDon>\n</HDon>")[0].startswith("line 3: ")


def test_parse_wants_bytes():
    with pytest.raises(TypeError):
        xsd.parse_xml("<HDon/>")
