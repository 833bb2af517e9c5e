"""Seller signature: build -> validate -> sign -> verify, tampering, MCCQT, an outside verifier."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree
from signxml import DigestAlgorithm, SignatureMethod, XMLSigner, methods

from payrecon.errors import InvalidInput, InvalidInvoiceXml
from payrecon.invoices.signing import (
    DS_NS,
    LOCAL_TIME,
    add_authority_code,
    sign_invoice,
    verify_invoice,
)
from payrecon.invoices.xml_build import build_invoice_xml
from payrecon.invoices.xsd import require_valid

DS = {"ds": DS_NS}
SIGNED_AT = datetime(2026, 2, 3, 2, 15, 30, tzinfo=UTC)  # 09:15:30 in Hạ Long
MCCQT = "00A1B2C3D4E5F60718293A4B5C6D7E8F90"


@pytest.fixture
def signed(make_invoice, demo_keys) -> bytes:
    key_pem, cert_pem = demo_keys
    unsigned = build_invoice_xml(make_invoice())
    require_valid(unsigned)
    return sign_invoice(unsigned, key_pem=key_pem, cert_pem=cert_pem, signing_time=SIGNED_AT)


def test_round_trip_build_validate_sign_verify(signed, demo_keys):
    require_valid(signed)
    verified = verify_invoice(signed, trusted_cert_pem=demo_keys[1])
    assert verified.trusted
    assert verified.data_id == "HD-1C26TAA-7"
    assert verified.signing_time == datetime(2026, 2, 3, 9, 15, 30, tzinfo=LOCAL_TIME)
    assert verified.signature_method.endswith("#rsa-sha256")
    assert "Trung tam PVHCC Quang Ninh (test)" in verified.signer_subject


def test_verifying_without_a_trusted_certificate_says_so(signed):
    assert verify_invoice(signed).trusted is False


def test_the_signature_has_the_shape_the_tax_authority_expects(signed):
    root = etree.fromstring(signed)
    signature = root.find("DSCKS/NBan/ds:Signature", DS)
    assert signature is not None
    assert signature.get("Id") == "HD-1C26TAA-7-NBan-Signature"
    assert signature.xpath("ds:SignedInfo/ds:CanonicalizationMethod/@Algorithm", namespaces=DS) == [
        "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
    ]
    assert signature.xpath("ds:SignedInfo/ds:Reference/@URI", namespaces=DS) == [
        "#HD-1C26TAA-7",
        "#HD-1C26TAA-7-NBan-SigningTime",
    ]
    assert set(signature.xpath(".//ds:Transform/@Algorithm", namespaces=DS)) == {
        "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
    }
    prop = signature.find("ds:Object/ds:SignatureProperties/ds:SignatureProperty", DS)
    assert prop.get("Target") == "#HD-1C26TAA-7-NBan-Signature"
    assert prop.findtext("ds:SigningTime", namespaces=DS) == "2026-02-03T09:15:30"
    assert signature.find("ds:KeyInfo/ds:X509Data/ds:X509Certificate", DS) is not None
    assert root.find("DLHDon").find(".//{*}Signature") is None  # outside what it signs


def test_signing_leaves_the_signed_part_byte_for_byte(make_invoice, signed):
    unsigned = build_invoice_xml(make_invoice())
    data_start = unsigned.index(b"<DLHDon")
    data_end = unsigned.index(b"</DLHDon>") + len(b"</DLHDon>")
    assert signed[data_start:data_end] == unsigned[data_start:data_end]


def test_changing_an_amount_after_signing_fails_verification(signed):
    tampered = signed.replace(b"<TgTTTBSo>50000</TgTTTBSo>", b"<TgTTTBSo>5000</TgTTTBSo>")
    assert tampered != signed
    with pytest.raises(InvalidInvoiceXml, match="Digest mismatch") as caught:
        verify_invoice(tampered)
    assert caught.value.where == "/HDon/DSCKS/NBan"


def test_changing_the_signing_time_fails_verification(signed):
    tampered = signed.replace(b"2026-02-03T09:15:30", b"2026-02-02T09:15:30")
    assert tampered != signed
    with pytest.raises(InvalidInvoiceXml, match="does not verify"):
        verify_invoice(tampered)


def test_a_signature_by_someone_else_is_not_trusted(signed, other_keys):
    with pytest.raises(InvalidInvoiceXml, match="not by the trusted"):
        verify_invoice(signed, trusted_cert_pem=other_keys[1])


def test_an_unsigned_invoice_does_not_verify(make_invoice):
    with pytest.raises(InvalidInvoiceXml, match="no seller signature"):
        verify_invoice(build_invoice_xml(make_invoice()))


def test_an_invoice_is_signed_once(signed, demo_keys):
    with pytest.raises(InvalidInvoiceXml, match="already"):
        sign_invoice(signed, key_pem=demo_keys[0], cert_pem=demo_keys[1], signing_time=SIGNED_AT)


def test_a_naive_signing_time_is_refused(make_invoice, demo_keys):
    with pytest.raises(InvalidInput, match="timezone-aware"):
        sign_invoice(
            build_invoice_xml(make_invoice()),
            key_pem=demo_keys[0],
            cert_pem=demo_keys[1],
            signing_time=datetime(2026, 2, 3, 9, 15),
        )


def test_signing_is_deterministic_for_the_same_key_and_time(make_invoice, demo_keys):
    unsigned = build_invoice_xml(make_invoice())
    first = sign_invoice(
        unsigned, key_pem=demo_keys[0], cert_pem=demo_keys[1], signing_time=SIGNED_AT
    )
    second = sign_invoice(
        unsigned, key_pem=demo_keys[0], cert_pem=demo_keys[1], signing_time=SIGNED_AT
    )
    assert first == second  # RSA PKCS#1 v1.5 is deterministic


def test_the_authority_code_goes_before_dscks_and_the_seller_signature_still_verifies(
    signed, demo_keys
):
    coded = add_authority_code(signed, MCCQT)
    require_valid(coded)
    assert verify_invoice(coded, trusted_cert_pem=demo_keys[1]).trusted
    assert [child.tag for child in etree.fromstring(coded)] == ["DLHDon", "MCCQT", "DSCKS"]
    at = signed.index(b"<DSCKS>")
    assert coded == signed[:at] + f"<MCCQT>{MCCQT}</MCCQT>".encode() + signed[at:]


def test_the_authority_code_is_added_once_and_only_to_coded_series(signed, make_invoice, demo_keys):
    with pytest.raises(InvalidInvoiceXml, match="already has an MCCQT"):
        add_authority_code(add_authority_code(signed, MCCQT), MCCQT)
    uncoded = sign_invoice(
        build_invoice_xml(make_invoice(series="K26TAA")),
        key_pem=demo_keys[0],
        cert_pem=demo_keys[1],
        signing_time=SIGNED_AT,
    )
    with pytest.raises(InvalidInvoiceXml, match="not a coded"):
        add_authority_code(uncoded, MCCQT)
    with pytest.raises(InvalidInput, match="34"):
        add_authority_code(signed, "SHORT")


def test_the_authority_code_is_not_added_to_a_tampered_invoice(signed):
    tampered = signed.replace(b"<SHDon>7</SHDon>", b"<SHDon>8</SHDon>")
    with pytest.raises(InvalidInvoiceXml, match="does not verify"):
        add_authority_code(tampered, MCCQT)


class _ProviderStyleSigner(XMLSigner):
    """Signs like the 2023 provider files payrecon must read: rsa-sha1 and sha1 digests
    (which signxml refuses by default) and the enveloped-signature transform."""

    def check_deprecated_methods(self) -> None:
        pass


def provider_style_signed(unsigned: bytes, key_pem: bytes, cert_pem: bytes) -> bytes:
    root = etree.fromstring(unsigned)
    signer = _ProviderStyleSigner(
        method=methods.enveloped,
        signature_algorithm=SignatureMethod.RSA_SHA1,
        digest_algorithm=DigestAlgorithm.SHA1,
        c14n_algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
    )
    data_id = root.find("DLHDon").get("Id")
    signed = signer.sign(root, key=key_pem, cert=cert_pem.decode(), reference_uri=[f"#{data_id}"])
    # signxml appends the signature to the root; providers put it in DSCKS/NBan. Moving it
    # changes no digest: it references DLHDon only, and SignedInfo keeps its namespaces.
    signed = etree.fromstring(etree.tostring(signed))
    signed.find("DSCKS/NBan").append(signed.find(f"{{{DS_NS}}}Signature"))
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")


def test_the_reader_accepts_provider_style_rsa_sha1_signatures(make_invoice, demo_keys):
    signed = provider_style_signed(build_invoice_xml(make_invoice()), *demo_keys)
    assert b"enveloped-signature" in signed
    verified = verify_invoice(signed, trusted_cert_pem=demo_keys[1])
    assert verified.signature_method.endswith("#rsa-sha1")
    assert verified.signing_time is None
    with pytest.raises(InvalidInvoiceXml, match="Digest mismatch"):
        verify_invoice(signed.replace(b"<SHDon>7</SHDon>", b"<SHDon>9</SHDon>"))


def _xmlsec1() -> str:
    binary = shutil.which("xmlsec1")
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must verify signatures with xmlsec1: apt-get install xmlsec1")
        pytest.skip("xmlsec1 is not installed (apt-get install xmlsec1); no independent verifier")
    return binary


def _xmlsec1_verify(
    binary: str, xml: bytes, cert_pem: bytes, tmp_path: Path
) -> subprocess.CompletedProcess:
    (tmp_path / "cert.pem").write_bytes(cert_pem)
    (tmp_path / "invoice.xml").write_bytes(xml)
    return subprocess.run(
        [
            binary,
            "--verify",
            "--id-attr:Id",
            "DLHDon",
            "--id-attr:Id",
            f"{DS_NS}:Object",
            "--trusted-pem",
            str(tmp_path / "cert.pem"),
            str(tmp_path / "invoice.xml"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )


def test_xmlsec1_independently_verifies_our_signature(signed, demo_keys, tmp_path):
    binary = _xmlsec1()
    result = _xmlsec1_verify(binary, add_authority_code(signed, MCCQT), demo_keys[1], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "SignedInfo References (ok/all): 2/2" in result.stderr + result.stdout


def test_xmlsec1_rejects_our_signature_once_tampered(signed, demo_keys, tmp_path):
    binary = _xmlsec1()
    tampered = signed.replace(b"<TgTTTBSo>50000</TgTTTBSo>", b"<TgTTTBSo>5000</TgTTTBSo>")
    result = _xmlsec1_verify(binary, tampered, demo_keys[1], tmp_path)
    assert result.returncode != 0


PROVIDER_TEMPLATE = (
    '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#" Id="seller"><SignedInfo>'
    '<CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>'
    '<SignatureMethod Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1"/>'
    '<Reference URI="#HD-1C26TAA-7"><Transforms>'
    '<Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/></Transforms>'
    '<DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/><DigestValue/></Reference>'
    '<Reference URI="#TimeStamp" Type="http://www.w3.org/2000/09/xmldsig#SignatureProperties">'
    '<DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/><DigestValue/></Reference>'
    "</SignedInfo><SignatureValue/>"
    "<KeyInfo><X509Data><X509Certificate/></X509Data></KeyInfo>"
    '<Object Id="TimeStamp"><SignatureProperties><SignatureProperty Target="#seller">'
    "<SigningTime>2026-02-03T09:15:30</SigningTime></SignatureProperty></SignatureProperties>"
    "</Object></Signature>"
)


def test_the_reader_accepts_a_provider_layout_signed_by_xmlsec1(make_invoice, demo_keys, tmp_path):
    """The real-file layout (reference section 1.8): default xmldsig namespace, rsa-sha1, a
    SigningTime reference with a Type and no transform, and the Object before KeyInfo."""
    binary = _xmlsec1()
    key_pem, cert_pem = demo_keys
    (tmp_path / "key.pem").write_bytes(key_pem)
    (tmp_path / "cert.pem").write_bytes(cert_pem)
    template = build_invoice_xml(make_invoice()).replace(
        b"<NBan/></DSCKS>", b"<NBan>" + PROVIDER_TEMPLATE.encode() + b"</NBan></DSCKS>"
    )
    (tmp_path / "template.xml").write_bytes(template)
    result = subprocess.run(
        [
            binary,
            "--sign",
            "--privkey-pem",
            f"{tmp_path / 'key.pem'},{tmp_path / 'cert.pem'}",
            "--id-attr:Id",
            "DLHDon",
            "--id-attr:Id",
            f"{DS_NS}:Object",
            "--output",
            str(tmp_path / "signed.xml"),
            str(tmp_path / "template.xml"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    root = etree.fromstring((tmp_path / "signed.xml").read_bytes())
    signature = root.find(f"DSCKS/NBan/{{{DS_NS}}}Signature")
    signature.insert(2, signature.find(f"{{{DS_NS}}}Object"))  # Object before KeyInfo
    provider_file = etree.tostring(root, xml_declaration=True, encoding="UTF-8")

    verified = verify_invoice(provider_file, trusted_cert_pem=cert_pem)
    assert verified.signature_method.endswith("#rsa-sha1")
    assert verified.signing_time == datetime(2026, 2, 3, 9, 15, 30, tzinfo=LOCAL_TIME)
    with pytest.raises(InvalidInvoiceXml, match="Digest mismatch"):
        verify_invoice(provider_file.replace(b"T09:15:30", b"T10:15:30"))


def test_subtrees_under_a_default_namespace_canonicalise_without_spurious_undeclarations():
    """libxml2 2.14 writes xmlns="" on grandchildren here; the verifier must not."""
    from signxml import CanonicalizationMethod

    from payrecon.invoices.verifying import _Verifier

    root = etree.fromstring(
        b'<r xmlns:u="urn:unused" xml:lang="vi"><a xmlns="urn:x"><b><c><d/></c></b></a></r>'
    )
    canonical = _Verifier()._c14n(root[0][0], CanonicalizationMethod.CANONICAL_XML_1_0)
    assert canonical == (b'<b xmlns="urn:x" xmlns:u="urn:unused" xml:lang="vi"><c><d></d></c></b>')


def test_the_signed_example_in_the_schema_folder_still_verifies():
    from payrecon.invoices.xsd import schema_folder

    example = (schema_folder() / "examples" / "valid" / "signed_coded_fee_invoice.xml").read_bytes()
    verified = verify_invoice(example)
    assert verified.data_id == "HD-1C26TAA-1"
    assert etree.fromstring(example).findtext("MCCQT") == MCCQT
