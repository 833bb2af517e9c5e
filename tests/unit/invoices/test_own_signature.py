"""The xmlsec writer and checker of our own signatures (own_signature.py), no database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import xmlsec
from lxml import etree
from signxml import CanonicalizationMethod, DigestAlgorithm, SignatureMethod, XMLSigner, methods

from payrecon.errors import InvalidInvoiceXml
from payrecon.invoices.dsig import DS_NS, ds
from payrecon.invoices.own_signature import (
    check_own_signature,
    libxml_mismatch,
    own_certificate,
    private_key,
    sign_in_place,
    signature_template,
)
from payrecon.invoices.signing import sign_invoice
from payrecon.invoices.xml_build import build_invoice_xml, build_valid_invoice_tree

SIGNED_AT = datetime(2026, 2, 3, 2, 15, 30, tzinfo=UTC)
DATA_ID = "HD-1C26TAA-7"


@pytest.fixture
def signed(make_invoice, demo_keys) -> bytes:
    key_pem, cert_pem = demo_keys
    return sign_invoice(
        build_invoice_xml(make_invoice()),
        key_pem=key_pem,
        cert_pem=cert_pem,
        signing_time=SIGNED_AT,
    )


def check(xml: bytes, cert_pem: bytes, *, signing_time: datetime = SIGNED_AT) -> None:
    check_own_signature(
        xml, certificate=own_certificate(cert_pem), data_id=DATA_ID, signing_time=signing_time
    )


def test_xmlsec_and_lxml_share_one_libxml2():
    assert libxml_mismatch(xmlsec.get_libxml_version(), etree.LIBXML_VERSION) is None


def test_a_libxml2_mismatch_is_explained():
    problem = libxml_mismatch((2, 13, 8), (2, 14, 6))
    assert "2.13.8" in problem
    assert "2.14.6" in problem
    assert "pyproject.toml" in problem
    assert libxml_mismatch((2, 14, 6), (2, 14, 6)) is None


def signxml_signed(unsigned: bytes, key_pem: bytes, cert_pem: bytes) -> bytes:
    """The signature as payrecon wrote it with signxml before xmlsec: the reference."""
    root = etree.fromstring(unsigned)
    slot = root.find("DSCKS/NBan")
    placeholder = etree.SubElement(slot, ds("Signature"), nsmap={"ds": DS_NS})
    time_object = etree.SubElement(placeholder, ds("Object"), Id=f"{DATA_ID}-NBan-SigningTime")
    prop = etree.SubElement(
        etree.SubElement(time_object, ds("SignatureProperties")),
        ds("SignatureProperty"),
        Target=f"#{DATA_ID}-NBan-Signature",
    )
    etree.SubElement(prop, ds("SigningTime")).text = "2026-02-03T09:15:30"
    signature = XMLSigner(
        method=methods.detached,
        signature_algorithm=SignatureMethod.RSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.CANONICAL_XML_1_0,
    ).sign(
        root,
        key=key_pem,
        cert=[cert_pem.decode()],
        reference_uri=[f"#{DATA_ID}", f"#{DATA_ID}-NBan-SigningTime"],
    )
    signature.set("Id", f"{DATA_ID}-NBan-Signature")
    signature.append(time_object)
    slot.remove(placeholder)
    slot.append(signature)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_xmlsec_writes_the_very_bytes_signxml_wrote(make_invoice, demo_keys, signed):
    """Same layout, same digests, same PKCS#1 v1.5 signature value: switching libraries
    changed no byte of what payrecon issues."""
    assert signed == signxml_signed(build_invoice_xml(make_invoice()), *demo_keys)


def test_signing_the_built_tree_gives_the_same_bytes_as_signing_its_bytes(
    make_invoice, demo_keys, signed
):
    tree = build_valid_invoice_tree(make_invoice())
    key_pem, cert_pem = demo_keys
    assert sign_invoice(tree, key_pem=key_pem, cert_pem=cert_pem, signing_time=SIGNED_AT) == signed


def test_the_template_is_written_as_lxml_serialises_it(demo_keys):
    """The checker compares lxml's serialisation with the template text byte for byte."""
    text = signature_template(DATA_ID, SIGNED_AT, own_certificate(demo_keys[1]))
    assert etree.tostring(etree.fromstring(text)).decode() == text


def test_our_signature_checks(signed, demo_keys):
    check(signed, demo_keys[1])


def _span(xml: bytes, start: bytes, end: bytes) -> range:
    first = xml.index(start)
    return range(first, xml.index(end, first) + len(end))


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (b"<DLHDon", b"</DLHDon>"),
        (b"<ds:SignedInfo>", b"</ds:SignedInfo>"),
        (b"<ds:SignatureValue>", b"</ds:SignatureValue>"),
        (b"<ds:KeyInfo>", b"</ds:KeyInfo>"),
        (b"<ds:Object", b"</ds:Object>"),
    ],
    ids=["DLHDon", "SignedInfo", "SignatureValue", "KeyInfo", "SigningTime object"],
)
def test_every_changed_byte_of_what_is_signed_or_vouched_for_fails(signed, demo_keys, start, end):
    """Each byte in turn gets its lowest bit flipped: no single-byte change passes."""
    certificate = own_certificate(demo_keys[1])
    passed = []
    for at in _span(signed, start, end):
        tampered = signed[:at] + bytes([signed[at] ^ 1]) + signed[at + 1 :]
        try:
            check_own_signature(
                tampered, certificate=certificate, data_id=DATA_ID, signing_time=SIGNED_AT
            )
        except InvalidInvoiceXml:
            continue
        passed.append(at)
    assert passed == []


def test_an_amount_changed_after_signing_fails_the_digest(signed, demo_keys):
    tampered = signed.replace(b"<TgTTTBSo>50000</TgTTTBSo>", b"<TgTTTBSo>50001</TgTTTBSo>")
    with pytest.raises(InvalidInvoiceXml, match="does not verify") as caught:
        check(tampered, demo_keys[1])
    assert caught.value.where == "/HDon/DSCKS/NBan"


def test_a_signature_by_another_key_fails(make_invoice, demo_keys, other_keys):
    by_other = sign_invoice(
        build_invoice_xml(make_invoice()),
        key_pem=other_keys[0],
        cert_pem=other_keys[1],
        signing_time=SIGNED_AT,
    )
    with pytest.raises(InvalidInvoiceXml, match="does not verify"):
        check(by_other, demo_keys[1])


def test_another_signing_time_than_the_one_stated_fails(signed, demo_keys):
    with pytest.raises(InvalidInvoiceXml, match="not laid out"):
        check(signed, demo_keys[1], signing_time=datetime(2026, 2, 3, 2, 15, 31, tzinfo=UTC))


def test_a_signature_made_before_the_certificate_was_valid_fails(signed, demo_keys):
    with pytest.raises(InvalidInvoiceXml, match="outside the certificate's validity"):
        check(signed, demo_keys[1], signing_time=datetime(2025, 1, 1, tzinfo=UTC))


def test_a_good_signature_in_another_layout_is_not_ours(make_invoice, demo_keys):
    """xmlsec accepts any good signature; the checker also wants ours to the attribute."""
    key_pem, cert_pem = demo_keys
    root = build_valid_invoice_tree(make_invoice())
    text = signature_template(DATA_ID, SIGNED_AT, own_certificate(cert_pem))
    signature = etree.fromstring(text.replace('Target="#', 'Target="#not-'))
    root.find("DSCKS/NBan").append(signature)
    sign_in_place(root, signature, private_key(key_pem))
    with pytest.raises(InvalidInvoiceXml, match="not laid out"):
        check(etree.tostring(root, xml_declaration=True, encoding="UTF-8"), cert_pem)


def test_a_second_element_with_the_signed_id_is_refused(signed, demo_keys):
    twice = signed.replace(b"<DSCKS>", f'<DLHDon Id="{DATA_ID}"/><DSCKS>'.encode(), 1)
    with pytest.raises(InvalidInvoiceXml, match="more than once"):
        check(twice, demo_keys[1])
