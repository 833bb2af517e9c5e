"""Reading anyone's invoice: check the seller signature with signxml, tolerating what real
providers write; and add the tax authority's code to a signed invoice.

What `verify_invoice` accepts, because real providers' files do it (reference §1.8) and our
writer never does: rsa-sha1 and sha1 digests; the enveloped-signature transform; references
without an explicit C14N transform (read as C14N 1.0, not signxml's 1.1 default); a `Type`
on the SigningTime reference; SigningTime unqualified or in the xmldsig namespace; the ds
prefix or a default namespace on Signature; KeyInfo/Object in any order; any number of
references as long as one of them is the DLHDon.

Why signxml here when own_signature.py checks our own invoices with xmlsec: this path reads
files from outside (`payrecon invoices validate`, the tax integration), where what matters is
tolerance that is spelled out and tested in Python (which algorithms, which C14N default for
references without a transform, which signing time the certificate is judged at) and being
told *what* was signed, so that the DLHDon is known to be covered. signxml gives all of that
per call; xmlsec would need its transforms, key manager and ID registration configured per
file layout. Speed does not matter here: a file is verified once, not once per issue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives import serialization
from lxml import etree
from signxml import (
    CanonicalizationMethod,
    DigestAlgorithm,
    SignatureConfiguration,
    SignatureMethod,
    XMLVerifier,
)
from signxml.exceptions import InvalidCertificate, InvalidDigest, InvalidSignature
from signxml.exceptions import InvalidInput as SignxmlInvalidInput

from payrecon.errors import InvalidInput, InvalidInvoiceXml
from payrecon.invoices.dsig import (
    LOCAL_TIME,
    SELLER_SLOT,
    ds,
    load_certificate,
    seller_slot,
    signed_data_id,
)
from payrecon.invoices.xsd import parse_xml

AUTHORITY_CODE = re.compile(r"[0-9A-Za-z]{34}")

_ACCEPTED_SIGNATURE_METHODS = frozenset(
    {
        SignatureMethod.RSA_SHA256,
        SignatureMethod.RSA_SHA384,
        SignatureMethod.RSA_SHA512,
        SignatureMethod.RSA_SHA1,  # real 2021-2023 provider files; never written by us
    }
)
_ACCEPTED_DIGESTS = frozenset(
    {DigestAlgorithm.SHA256, DigestAlgorithm.SHA384, DigestAlgorithm.SHA512, DigestAlgorithm.SHA1}
)


class _Verifier(XMLVerifier):
    """signxml's verifier, canonicalising element subtrees via a standalone copy.

    libxml2 2.14 (bundled with lxml 6.1) writes a spurious xmlns="" on grandchildren when
    canonicalising a subtree that inherits a default namespace, e.g. SignedInfo under
    `<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">`, the layout of real provider
    files. A serialised subtree carries every in-scope namespace declaration, and a
    re-parsed root is canonicalised correctly; inherited xml:* attributes, which inclusive
    C14N 1.0 also imports onto the apex, are copied explicitly.
    """

    def _c14n(self, nodes, algorithm, inclusive_ns_prefixes=None):
        if not isinstance(nodes, list):
            nodes = [nodes]
        return super()._c14n(
            [_standalone(node) for node in nodes], algorithm, inclusive_ns_prefixes
        )


_XML_NS = "{http://www.w3.org/XML/1998/namespace}"


def _inherited_xml_attributes(node: etree._Element) -> dict[str, str]:
    inherited: dict[str, str] = {}
    for ancestor in node.iterancestors():
        for name, value in ancestor.attrib.items():
            if name.startswith(_XML_NS):
                inherited.setdefault(name, value)
    return inherited


def _standalone(node):
    """The node itself when libxml2 canonicalises it correctly in place (no default namespace
    and no xml:* attribute inherited, as in every document payrecon writes), else a copy."""
    if not isinstance(node, etree._Element) or node.getparent() is None:
        return node
    inherited = _inherited_xml_attributes(node)
    if None not in node.nsmap and not inherited:
        return node
    copy = etree.fromstring(etree.tostring(node), _copy_parser())
    for name, value in inherited.items():
        if name not in copy.attrib:
            copy.set(name, value)
    return copy


def _copy_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@dataclass(frozen=True)
class VerifiedInvoice:
    """What a good seller signature vouches for."""

    data_id: str
    signing_time: datetime | None  # aware, Asia/Ho_Chi_Minh; None if the signature states none
    signer_subject: str  # RFC 4514 form of the certificate subject
    signer_certificate_pem: bytes
    signature_method: str  # the SignatureMethod Algorithm URI
    trusted: bool  # True only when checked against a certificate the caller trusts


def _covers_data(results, data_id: str) -> bool:
    return any(
        result.signed_xml is not None
        and result.signed_xml.tag == "DLHDon"
        and result.signed_xml.get("Id") == data_id
        for result in results
    )


def _parse_signing_time(signature: etree._Element) -> datetime | None:
    found = signature.xpath(".//*[local-name()='SigningTime']")
    if not found:
        return None
    text = (found[0].text or "").strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInvoiceXml(
            f"SigningTime {text!r} is not a dateTime", where=f"line {found[0].sourceline}"
        ) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TIME)


def verify_invoice(xml: bytes, *, trusted_cert_pem: bytes | None = None) -> VerifiedInvoice:
    """Check the seller signature; raise InvalidInvoiceXml saying what is wrong.

    Without `trusted_cert_pem` this proves only that the document is intact and was signed
    with the key of the certificate it carries (`trusted=False`). With it, the carried
    certificate must be that one. Certificate validity is judged at the stated SigningTime
    (an invoice stays valid after its signing certificate expires).
    """
    root = parse_xml(xml)
    slot = seller_slot(root)
    signature = slot.find(ds("Signature"))
    if signature is None:
        raise InvalidInvoiceXml("the invoice has no seller signature", where=SELLER_SLOT)
    data_id = signed_data_id(root)
    carried = signature.find(f"{ds('KeyInfo')}/{ds('X509Data')}/{ds('X509Certificate')}")
    if carried is None or not (carried.text or "").strip():
        raise InvalidInvoiceXml("the signature carries no X509Certificate", where=SELLER_SLOT)
    certificate = load_certificate(carried.text)
    trusted = trusted_cert_pem is not None
    if trusted:
        expected = load_certificate(trusted_cert_pem)
        if expected.public_bytes(serialization.Encoding.DER) != certificate.public_bytes(
            serialization.Encoding.DER
        ):
            raise InvalidInvoiceXml(
                f"signed by {certificate.subject.rfc4514_string()}, "
                f"not by the trusted {expected.subject.rfc4514_string()}",
                where=SELLER_SLOT,
            )
    signing_time = _parse_signing_time(signature)
    config = SignatureConfiguration(
        location="./DSCKS/NBan/",
        expect_references=True,
        signature_methods=_ACCEPTED_SIGNATURE_METHODS,
        digest_algorithms=_ACCEPTED_DIGESTS,
        default_reference_c14n_method=CanonicalizationMethod.CANONICAL_XML_1_0,
        verification_time=signing_time.astimezone(UTC) if signing_time else None,
    )
    try:
        # validate_schema=False: the W3C schema forbids SigningTime where the profile puts it.
        results = _Verifier().verify(
            root, x509_cert=certificate, expect_config=config, validate_schema=False
        )
    except (InvalidSignature, InvalidDigest, InvalidCertificate, SignxmlInvalidInput) as exc:
        raise InvalidInvoiceXml(
            f"seller signature does not verify: {exc}", where=SELLER_SLOT
        ) from exc
    if not _covers_data(results, data_id):
        raise InvalidInvoiceXml("the seller signature does not cover DLHDon", where=SELLER_SLOT)
    method = signature.find(f"{ds('SignedInfo')}/{ds('SignatureMethod')}").get("Algorithm")
    return VerifiedInvoice(
        data_id=data_id,
        signing_time=signing_time,
        signer_subject=certificate.subject.rfc4514_string(),
        signer_certificate_pem=certificate.public_bytes(serialization.Encoding.PEM),
        signature_method=method,
        trusted=trusted,
    )


def add_authority_code(signed_xml: bytes, mccqt: str) -> bytes:
    """Insert the tax authority's code (MCCQT) just before DSCKS, leaving every other byte alone.

    The code is spliced into the bytes rather than re-serialising the tree, so the seller's
    signed bytes stay exactly as they were; the result is checked by verifying the seller
    signature again. Only coded series (KHHDon starting with C) get a code, and only once.
    """
    if not AUTHORITY_CODE.fullmatch(mccqt):
        raise InvalidInput("MCCQT must be 34 letters or digits", where="mccqt")
    root = parse_xml(signed_xml)
    verify_invoice(signed_xml)
    series = root.findtext("DLHDon/TTChung/KHHDon") or ""
    if not series.startswith("C"):
        raise InvalidInvoiceXml(
            f"series {series!r} is not a coded (C) series; it gets no MCCQT",
            where="/HDon/DLHDon/TTChung/KHHDon",
        )
    if root.find("MCCQT") is not None:
        raise InvalidInvoiceXml("the invoice already has an MCCQT", where="/HDon/MCCQT")
    starts = [m.start() for m in re.finditer(rb"<DSCKS[\s/>]", signed_xml)]
    if len(starts) != 1:
        raise InvalidInvoiceXml("cannot place MCCQT: DSCKS is not unique", where="/HDon/DSCKS")
    element = f"<MCCQT>{mccqt}</MCCQT>".encode("ascii")
    coded = signed_xml[: starts[0]] + element + signed_xml[starts[0] :]
    placed = parse_xml(coded)
    if [child.tag for child in placed][-2:] != ["MCCQT", "DSCKS"]:
        raise InvalidInvoiceXml("MCCQT did not land before DSCKS", where="/HDon/MCCQT")
    verify_invoice(coded)
    return coded
