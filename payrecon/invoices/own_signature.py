"""Our own seller signatures, made and checked with xmlsec (libxmlsec1, in C, over lxml's tree).

Every invoice payrecon issues is signed and then verified again before it is stored, so
these two steps are most of the CPU an invoice costs. signxml does both in Python and
re-parses the document about nine times to verify it; python-xmlsec hands lxml's own
libxml2 document to libxmlsec1, which canonicalises, digests and checks in C.

- `signature_template` is the one description of the signature payrecon writes
  (dsig.py has the profile): the writer fills it, the checker compares against it.
- `sign_in_place` lets xmlsec compute both digests and the RSA-SHA256 SignatureValue.
- `check_own_signature` verifies the exact bytes about to be stored: the layout must be the
  template's to the attribute (algorithms, the two references `#<DLHDon Id>` and
  `#<SigningTime object Id>`, the SigningTime and its Target, the certificate in KeyInfo,
  which must be the configured one), then xmlsec checks both digests and the signature
  with the configured certificate's public key.

verifying.py keeps signxml for invoices from anywhere else (rsa-sha1, other layouts).

python-xmlsec passes lxml's libxml2 pointers straight to libxmlsec1, which is only sound when
both wheels carry the same libxml2: that is checked at import, and a mismatch stops the
process with a message rather than corrupting memory later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from xml.sax.saxutils import escape

import xmlsec
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from lxml import etree

from payrecon.errors import InvalidInvoiceXml
from payrecon.invoices.dsig import (
    C14N_1_0,
    DS_NS,
    RSA_SHA256,
    SELLER_SLOT,
    SHA256,
    ds,
    id_uses,
    load_certificate,
    local_wall_time,
    seller_slot,
    signature_id,
    time_object_id,
)
from payrecon.invoices.xsd import parse_xml

#: Longer than any base64 value payrecon writes, so SignatureValue is one line (as signxml
#: wrote it). A process-wide libxmlsec1 setting; payrecon is its only user.
_BASE64_LINE = 1 << 16
_FILLED_BY_XMLSEC = (ds("DigestValue"), ds("SignatureValue"))
_QUOTE = {'"': "&quot;"}


def libxml_mismatch(xmlsec_libxml: tuple[int, ...], lxml_libxml: tuple[int, ...]) -> str | None:
    """Why xmlsec and lxml cannot share documents, or None when their libxml2 is the same."""
    if tuple(xmlsec_libxml) == tuple(lxml_libxml):
        return None
    return (
        f"xmlsec is built with libxml2 {'.'.join(map(str, xmlsec_libxml))} but lxml runs "
        f"libxml2 {'.'.join(map(str, lxml_libxml))}; they must be the same to share XML "
        "documents. Install the versions pinned in pyproject.toml (their wheels match)."
    )


if _problem := libxml_mismatch(xmlsec.get_libxml_version(), etree.LIBXML_VERSION):
    raise ImportError(_problem)
xmlsec.base64_default_line_size(_BASE64_LINE)


@dataclass(frozen=True)
class OwnCertificate:
    """The configured certificate in the forms signing and checking need, made once."""

    certificate: x509.Certificate
    #: the text of KeyInfo/X509Data/X509Certificate: the PEM body, as signxml wrote it
    base64_der: str
    public_key: xmlsec.Key


@lru_cache(maxsize=8)
def own_certificate(cert_pem: bytes) -> OwnCertificate:
    certificate = load_certificate(cert_pem)
    pem = certificate.public_bytes(serialization.Encoding.PEM)
    # The bare public key: xmlsec copies the key into every context, and a key loaded from
    # the certificate drags a copy of the certificate along (as long as verifying it).
    public_pem = certificate.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return OwnCertificate(
        certificate=certificate,
        base64_der="".join(f"{line}\n" for line in pem.decode("ascii").splitlines()[1:-1]),
        public_key=xmlsec.Key.from_memory(public_pem, xmlsec.KeyFormat.PEM),
    )


@lru_cache(maxsize=8)
def private_key(key: bytes | PrivateKeyTypes) -> xmlsec.Key:
    """The signing key for xmlsec, from PEM or a loaded key (checked once, then cached)."""
    pem = (
        key
        if isinstance(key, bytes)
        else key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return xmlsec.Key.from_memory(pem, xmlsec.KeyFormat.PEM)


_TEMPLATE = (
    '<ds:Signature xmlns:ds="{ds}" Id="{signature_id}">'
    "<ds:SignedInfo>"
    '<ds:CanonicalizationMethod Algorithm="{c14n}"/>'
    '<ds:SignatureMethod Algorithm="{rsa_sha256}"/>'
    '<ds:Reference URI="#{data_id}">'
    '<ds:Transforms><ds:Transform Algorithm="{c14n}"/></ds:Transforms>'
    '<ds:DigestMethod Algorithm="{sha256}"/><ds:DigestValue/>'
    "</ds:Reference>"
    '<ds:Reference URI="#{object_id}">'
    '<ds:Transforms><ds:Transform Algorithm="{c14n}"/></ds:Transforms>'
    '<ds:DigestMethod Algorithm="{sha256}"/><ds:DigestValue/>'
    "</ds:Reference>"
    "</ds:SignedInfo>"
    "<ds:SignatureValue/>"
    "<ds:KeyInfo><ds:X509Data><ds:X509Certificate>{certificate}</ds:X509Certificate>"
    "</ds:X509Data></ds:KeyInfo>"
    '<ds:Object Id="{object_id}"><ds:SignatureProperties>'
    '<ds:SignatureProperty Target="#{signature_id}">'
    "<ds:SigningTime>{signing_time}</ds:SigningTime>"
    "</ds:SignatureProperty></ds:SignatureProperties></ds:Object>"
    "</ds:Signature>"
)


def signature_template(data_id: str, signing_time: datetime, certificate: OwnCertificate) -> str:
    """The seller's ds:Signature with empty DigestValues and SignatureValue, as XML text.

    Order and content as the profile has them: SignedInfo (C14N 1.0, RSA-SHA256; a C14N 1.0
    transform and a SHA-256 digest on each reference), SignatureValue, KeyInfo with the
    certificate, and the Object whose SignatureProperty targets the signature. Written in
    lxml's own serialisation (no whitespace, double quotes, empty elements self-closed), so
    that the checker can compare what it parsed with this text byte for byte; parsing one
    string is also quicker than making twenty elements.
    """
    return _TEMPLATE.format(
        ds=DS_NS,
        c14n=C14N_1_0,
        rsa_sha256=RSA_SHA256,
        sha256=SHA256,
        data_id=escape(data_id, _QUOTE),
        object_id=escape(time_object_id(data_id), _QUOTE),
        signature_id=escape(signature_id(data_id), _QUOTE),
        certificate=certificate.base64_der,
        signing_time=local_wall_time(signing_time),
    )


def sign_in_place(root: etree._Element, signature: etree._Element, key: xmlsec.Key) -> None:
    """Fill the template's digests and SignatureValue; `signature` must already be in place.

    KeyInfo is set aside while xmlsec signs: it is not signed, the template already carries
    the certificate, and xmlsec would otherwise write its own X509Data into it.
    """
    key_info = signature.find(ds("KeyInfo"))
    position = signature.index(key_info)
    signature.remove(key_info)
    xmlsec.tree.add_ids(root, ["Id"])
    context = xmlsec.SignatureContext()
    context.key = key
    try:
        context.sign(signature)
    except xmlsec.Error as exc:
        raise InvalidInvoiceXml(f"xmlsec could not sign: {exc}", where=SELLER_SLOT) from exc
    signature.insert(position, key_info)


def check_own_signature(
    signed: bytes, *, certificate: OwnCertificate, data_id: str, signing_time: datetime
) -> None:
    """Verify the seller signature on bytes payrecon has just written, exactly as stored.

    Raises InvalidInvoiceXml when the layout is not the one we write, when the signature
    does not cover DLHDon and its SigningTime, when it carries another certificate or was
    made outside the configured certificate's validity, or when a digest or the RSA-SHA256
    signature value does not verify with the configured certificate's key.
    """
    root = parse_xml(signed)
    slot = seller_slot(root)
    if len(slot) != 1 or slot[0].tag != ds("Signature"):
        raise InvalidInvoiceXml("DSCKS/NBan must hold exactly one ds:Signature", where=SELLER_SLOT)
    data = root.find("DLHDon")
    if data is None or data.get("Id") != data_id:
        raise InvalidInvoiceXml(f"DLHDon is not Id {data_id!r}", where="/HDon/DLHDon")
    signature = slot[0]
    valid_from = certificate.certificate.not_valid_before_utc
    valid_until = certificate.certificate.not_valid_after_utc
    if not valid_from <= signing_time.astimezone(UTC) <= valid_until:
        raise InvalidInvoiceXml(
            f"signed at {signing_time.isoformat()}, outside the certificate's validity "
            f"({valid_from.isoformat()} to {valid_until.isoformat()})",
            where=SELLER_SLOT,
        )
    # Ids are unique in what we write; a second holder would let a reference resolve elsewhere.
    if id_uses(root, data_id) != 1 or id_uses(root, time_object_id(data_id)) != 1:
        raise InvalidInvoiceXml("a signed Id is used more than once", where="//@Id")
    xmlsec.tree.add_ids(root, ["Id"])
    context = xmlsec.SignatureContext()
    context.key = certificate.public_key
    try:
        context.verify(signature)
    except xmlsec.Error as exc:
        raise InvalidInvoiceXml(
            f"the new seller signature does not verify: {exc}", where=SELLER_SLOT
        ) from exc
    # What xmlsec accepted must also be what we write, to the attribute: the algorithms, the
    # two references, the SigningTime and its Target, and the configured certificate.
    for value in signature.iter(*_FILLED_BY_XMLSEC):
        value.text = None
    if etree.tostring(signature) != signature_template(data_id, signing_time, certificate).encode():
        raise InvalidInvoiceXml(
            "the seller signature is not laid out as payrecon writes it "
            "(algorithms, references, SigningTime or certificate differ)",
            where=SELLER_SLOT,
        )
