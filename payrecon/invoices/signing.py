"""The seller's XML signature on an e-invoice, as the tax authority's profile expects it.

What `sign_invoice` writes (libxmlsec1 does the canonicalisation and the cryptography,
through python-xmlsec: own_signature.py):
- RSA-SHA256 over SHA-256 digests, inclusive C14N 1.0 for SignedInfo and every reference;
- the ds:Signature sits in HDon/DSCKS/NBan, outside the signed DLHDon, so no
  enveloped-signature transform is needed (a "detached" signature: references by Id);
- Reference 1 is `#<DLHDon Id>`, reference 2 is the signature's own ds:Object holding
  SignatureProperties/SignatureProperty[@Target="#<Signature Id>"]/SigningTime
  (local time GMT+7, written without an offset, as the profile says);
- the certificate in KeyInfo/X509Data.
The signed bytes are final: nothing afterwards re-serialises the document. Before they are
returned they are parsed again and verified (own_signature.check_own_signature).

Reading and verifying invoices from anywhere (signxml, tolerant of real providers' files) is
verifying.py; `verify_invoice` and `add_authority_code` are re-exported here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.x509.oid import NameOID
from lxml import etree

from payrecon.errors import InvalidInvoiceXml
from payrecon.invoices.dsig import DS_NS, LOCAL_TIME, SELLER_SLOT, seller_slot, signed_data_id
from payrecon.invoices.own_signature import (
    check_own_signature,
    own_certificate,
    private_key,
    sign_in_place,
    signature_template,
)
from payrecon.invoices.verifying import (
    AUTHORITY_CODE,
    VerifiedInvoice,
    add_authority_code,
    verify_invoice,
)
from payrecon.invoices.xsd import parse_xml

__all__ = [
    "AUTHORITY_CODE",
    "DS_NS",
    "LOCAL_TIME",
    "VerifiedInvoice",
    "add_authority_code",
    "generate_demo_keypair",
    "sign_invoice",
    "verify_invoice",
]


def sign_invoice(
    xml: bytes | etree._Element,
    *,
    key_pem: bytes | PrivateKeyTypes,
    cert_pem: bytes,
    signing_time: datetime,
) -> bytes:
    """Sign an unsigned invoice as its seller; returns the final bytes.

    `xml` is the document's bytes or, from the issuing path, the root of a tree just built
    and validated (xml_build.build_valid_invoice_tree), which is signed in place.
    `key_pem` is the PEM of the key or the key already loaded; either is turned into an
    xmlsec key once per process. `signing_time` must be timezone-aware; it is written as
    GMT+7 wall time. Raises InvalidInvoiceXml if the document is not an HDon or is already
    signed, or if the signature does not verify afterwards.
    """
    if isinstance(xml, etree._Element):
        if xml.getparent() is not None:
            raise ValueError("sign_invoice signs a whole document: pass its root element")
        root = xml
    else:
        root = parse_xml(xml)
    slot = seller_slot(root)
    if len(slot):
        raise InvalidInvoiceXml("the invoice already carries a seller signature", where=SELLER_SLOT)
    data_id = signed_data_id(root)
    certificate = own_certificate(cert_pem)
    # The template is placed where it stays before digests are taken, so that inclusive C14N
    # sees the same in-scope namespaces then and in the final document.
    signature = etree.fromstring(signature_template(data_id, signing_time, certificate))
    slot.append(signature)
    sign_in_place(root, signature, private_key(key_pem))
    signed = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    check_own_signature(signed, certificate=certificate, data_id=data_id, signing_time=signing_time)
    return signed


def generate_demo_keypair(
    common_name: str, *, valid_from: datetime | None = None, valid_days: int = 3650
) -> tuple[bytes, bytes]:
    """A self-signed RSA-2048 key and certificate for demos and tests. NOT FOR PRODUCTION:
    a real seller signs with a certificate from a licensed Vietnamese CA (or an HSM).

    Returns (key_pem, cert_pem); the key is unencrypted PKCS#8.
    """
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "payrecon demo - NOT FOR PRODUCTION"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        ]
    )
    start = (valid_from or datetime.now(UTC)) - timedelta(minutes=5)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return key_pem, certificate.public_bytes(serialization.Encoding.PEM)
