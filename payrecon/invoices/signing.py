"""The seller's XML signature on an e-invoice, as the tax authority's profile expects it.

What `sign_invoice` writes (signxml does the cryptography):
- RSA-SHA256 over SHA-256 digests, inclusive C14N 1.0 for SignedInfo and every reference;
- the ds:Signature sits in HDon/DSCKS/NBan, outside the signed DLHDon, so no
  enveloped-signature transform is needed (signxml's "detached" method: references by Id);
- Reference 1 is `#<DLHDon Id>`, reference 2 is the signature's own ds:Object holding
  SignatureProperties/SignatureProperty[@Target="#<Signature Id>"]/SigningTime
  (local time GMT+7, written without an offset, as the profile says);
- the certificate in KeyInfo/X509Data.
The signed bytes are final: nothing afterwards re-serialises the document.

What `verify_invoice` also accepts, because real providers' files do it (reference §1.8)
and our writer never does: rsa-sha1 and sha1 digests; the enveloped-signature transform;
references without an explicit C14N transform (read as C14N 1.0, not signxml's 1.1
default); a `Type` on the SigningTime reference; SigningTime unqualified or in the
xmldsig namespace; the ds prefix or a default namespace on Signature; KeyInfo/Object in
any order; any number of references as long as one of them is the DLHDon.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import (
    CanonicalizationMethod,
    DigestAlgorithm,
    SignatureConfiguration,
    SignatureMethod,
    XMLSigner,
    XMLVerifier,
    methods,
)
from signxml.exceptions import InvalidCertificate, InvalidDigest, InvalidSignature
from signxml.exceptions import InvalidInput as SignxmlInvalidInput

from payrecon.errors import InvalidInput, InvalidInvoiceXml
from payrecon.invoices.xsd import parse_xml

DS_NS = "http://www.w3.org/2000/09/xmldsig#"
LOCAL_TIME = ZoneInfo("Asia/Ho_Chi_Minh")
SELLER_SLOT = "/HDon/DSCKS/NBan"
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


class _SubtreeSafeC14N:
    """Canonicalise element subtrees via a standalone copy.

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
        return super()._c14n(  # type: ignore[misc]
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


class _Signer(_SubtreeSafeC14N, XMLSigner):
    def get_root(self, data):
        """The document itself rather than signxml's defensive copy (a serialise and a parse).

        The copy guards against namespaces inherited from a parent and against the signer
        changing the caller's tree; sign_invoice passes a root it has just parsed, and the
        detached method only reads it.
        """
        if isinstance(data, etree._Element) and data.getparent() is None:
            return data
        return super().get_root(data)


class _Verifier(_SubtreeSafeC14N, XMLVerifier):
    pass


@dataclass(frozen=True)
class VerifiedInvoice:
    """What a good seller signature vouches for."""

    data_id: str
    signing_time: datetime | None  # aware, Asia/Ho_Chi_Minh; None if the signature states none
    signer_subject: str  # RFC 4514 form of the certificate subject
    signer_certificate_pem: bytes
    signature_method: str  # the SignatureMethod Algorithm URI
    trusted: bool  # True only when checked against a certificate the caller trusts


def _ds(tag: str) -> str:
    return f"{{{DS_NS}}}{tag}"


def _local_wall_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise InvalidInput("signing_time must be timezone-aware", where="signing_time")
    return moment.astimezone(LOCAL_TIME).replace(tzinfo=None).isoformat(timespec="seconds")


def _seller_slot(root: etree._Element) -> etree._Element:
    if root.tag != "HDon":
        raise InvalidInvoiceXml(f"the root element is {root.tag!r}, not 'HDon'", where="/")
    slot = root.find("DSCKS/NBan")
    if slot is None:
        raise InvalidInvoiceXml("there is no DSCKS/NBan for the seller signature", where="/HDon")
    return slot


def _signed_data_id(root: etree._Element) -> str:
    data = root.find("DLHDon")
    data_id = data.get("Id") if data is not None else None
    if not data_id:
        raise InvalidInvoiceXml("DLHDon is missing or has no Id to sign", where="/HDon/DLHDon")
    holders = root.xpath("//*[@Id=$id or @ID=$id]", id=data_id)
    if len(holders) != 1:
        raise InvalidInvoiceXml(f"the Id {data_id!r} is used {len(holders)} times", where="//@Id")
    return data_id


def sign_invoice(
    xml: bytes, *, key_pem: bytes | PrivateKeyTypes, cert_pem: bytes, signing_time: datetime
) -> bytes:
    """Sign an unsigned invoice as its seller; returns the final bytes.

    `key_pem` is the PEM of the key or, better for many invoices, the key already loaded
    (loading checks the RSA key, which costs about as much as a hundred signatures).
    `signing_time` must be timezone-aware; it is written as GMT+7 wall time.
    Raises InvalidInvoiceXml if the document is not an HDon or is already signed.
    """
    root = parse_xml(xml)
    slot = _seller_slot(root)
    if len(slot):
        raise InvalidInvoiceXml("the invoice already carries a seller signature", where=SELLER_SLOT)
    data_id = _signed_data_id(root)
    signature_id = f"{data_id}-NBan-Signature"
    time_object_id = f"{data_id}-NBan-SigningTime"

    # The SigningTime object is placed where it will end up (inside a ds:Signature in the
    # slot) before digests are taken, so that inclusive C14N sees the same namespaces then
    # and in the final document.
    placeholder = etree.SubElement(slot, _ds("Signature"), nsmap={"ds": DS_NS})
    time_object = etree.SubElement(placeholder, _ds("Object"), Id=time_object_id)
    properties = etree.SubElement(time_object, _ds("SignatureProperties"))
    prop = etree.SubElement(properties, _ds("SignatureProperty"), Target=f"#{signature_id}")
    etree.SubElement(prop, _ds("SigningTime")).text = _local_wall_time(signing_time)

    certificate = _own_certificate(cert_pem)
    signature = _seller_signer().sign(
        root,
        key=key_pem,
        cert=[certificate],
        reference_uri=[f"#{data_id}", f"#{time_object_id}"],
    )
    signature.set("Id", signature_id)  # outside SignedInfo: setting it signs nothing anew
    signature.append(time_object)
    slot.remove(placeholder)
    slot.append(signature)
    signed = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    _check_own_signature(signed, certificate, data_id=data_id, signing_time=signing_time)
    return signed


@lru_cache(maxsize=1)
def _seller_signer() -> _Signer:
    """One signer per process: its settings never change and sign() keeps no state on it."""
    return _Signer(
        method=methods.detached,
        signature_algorithm=SignatureMethod.RSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.CANONICAL_XML_1_0,
    )


@lru_cache(maxsize=8)
def _own_certificate(cert_pem: bytes) -> x509.Certificate:
    return _load_certificate(cert_pem)


def _check_own_signature(
    signed: bytes, certificate: x509.Certificate, *, data_id: str, signing_time: datetime
) -> None:
    """Never hand out a signature we cannot check: signxml verifies the exact final bytes.

    The lean form of verify_invoice for a document this process has just written: the
    bytes go to signxml unparsed (it parses them once), against the certificate we signed
    with, at the signing time, and the signature must cover our DLHDon. What verify_invoice
    adds is for documents from outside (which certificate they carry, duplicate Ids, the
    element layout), all fixed by the writer here.
    """
    config = SignatureConfiguration(
        location="./DSCKS/NBan/",
        expect_references=True,
        signature_methods=frozenset({SignatureMethod.RSA_SHA256}),
        digest_algorithms=frozenset({DigestAlgorithm.SHA256}),
        default_reference_c14n_method=CanonicalizationMethod.CANONICAL_XML_1_0,
        verification_time=signing_time.astimezone(UTC),
    )
    try:
        results = _Verifier().verify(
            signed, x509_cert=certificate, expect_config=config, validate_schema=False
        )
    except (InvalidSignature, InvalidDigest, InvalidCertificate, SignxmlInvalidInput) as exc:
        raise InvalidInvoiceXml(
            f"the new seller signature does not verify: {exc}", where=SELLER_SLOT
        ) from exc
    if not _covers_data(results, data_id):
        raise InvalidInvoiceXml("the new seller signature does not cover DLHDon", where=SELLER_SLOT)


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


def _load_certificate(pem_or_base64: bytes | str) -> x509.Certificate:
    text = pem_or_base64.decode("ascii") if isinstance(pem_or_base64, bytes) else pem_or_base64
    if "-----BEGIN" not in text:
        body = "".join(text.split())
        text = f"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n"
    try:
        return x509.load_pem_x509_certificate(text.encode("ascii"))
    except ValueError as exc:
        raise InvalidInvoiceXml(f"unreadable certificate: {exc}", where=SELLER_SLOT) from exc


def verify_invoice(xml: bytes, *, trusted_cert_pem: bytes | None = None) -> VerifiedInvoice:
    """Check the seller signature; raise InvalidInvoiceXml saying what is wrong.

    Without `trusted_cert_pem` this proves only that the document is intact and was signed
    with the key of the certificate it carries (`trusted=False`). With it, the carried
    certificate must be that one. Certificate validity is judged at the stated SigningTime
    (an invoice stays valid after its signing certificate expires).
    """
    root = parse_xml(xml)
    slot = _seller_slot(root)
    signature = slot.find(_ds("Signature"))
    if signature is None:
        raise InvalidInvoiceXml("the invoice has no seller signature", where=SELLER_SLOT)
    data_id = _signed_data_id(root)
    carried = signature.find(f"{_ds('KeyInfo')}/{_ds('X509Data')}/{_ds('X509Certificate')}")
    if carried is None or not (carried.text or "").strip():
        raise InvalidInvoiceXml("the signature carries no X509Certificate", where=SELLER_SLOT)
    certificate = _load_certificate(carried.text)
    trusted = trusted_cert_pem is not None
    if trusted:
        expected = _load_certificate(trusted_cert_pem)
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
    method = signature.find(f"{_ds('SignedInfo')}/{_ds('SignatureMethod')}").get("Algorithm")
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
