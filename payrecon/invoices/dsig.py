"""Where the seller's XML signature sits in an invoice and what it is made of.

Pure helpers shared by the writer (signing.py), the fast check of our own signatures
(own_signature.py) and the tolerant reader of anyone's invoices (verifying.py): the
algorithm URIs of the profile, the ds:Signature slot in HDon/DSCKS/NBan, the DLHDon Id it
signs, the Ids the writer derives from it, the GMT+7 wall time of SigningTime, and the
certificate, read from PEM or from the base64 of KeyInfo.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from cryptography import x509
from lxml import etree

from payrecon.errors import InvalidInput, InvalidInvoiceXml

DS_NS = "http://www.w3.org/2000/09/xmldsig#"
C14N_1_0 = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
LOCAL_TIME = ZoneInfo("Asia/Ho_Chi_Minh")
SELLER_SLOT = "/HDon/DSCKS/NBan"


def ds(tag: str) -> str:
    """The Clark name of an xmldsig element."""
    return f"{{{DS_NS}}}{tag}"


def signature_id(data_id: str) -> str:
    """The Id payrecon gives the seller's ds:Signature (the SigningTime property's Target)."""
    return f"{data_id}-NBan-Signature"


def time_object_id(data_id: str) -> str:
    """The Id of the ds:Object holding SigningTime, the signature's second reference."""
    return f"{data_id}-NBan-SigningTime"


def local_wall_time(moment: datetime) -> str:
    """SigningTime as the profile writes it: GMT+7 wall time without an offset."""
    if moment.tzinfo is None:
        raise InvalidInput("signing_time must be timezone-aware", where="signing_time")
    return moment.astimezone(LOCAL_TIME).replace(tzinfo=None).isoformat(timespec="seconds")


def seller_slot(root: etree._Element) -> etree._Element:
    """HDon/DSCKS/NBan, where the seller's signature goes."""
    if root.tag != "HDon":
        raise InvalidInvoiceXml(f"the root element is {root.tag!r}, not 'HDon'", where="/")
    slot = root.find("DSCKS/NBan")
    if slot is None:
        raise InvalidInvoiceXml("there is no DSCKS/NBan for the seller signature", where="/HDon")
    return slot


def signed_data_id(root: etree._Element) -> str:
    """The Id of DLHDon, which must name nothing else in the document."""
    data = root.find("DLHDon")
    data_id = data.get("Id") if data is not None else None
    if not data_id:
        raise InvalidInvoiceXml("DLHDon is missing or has no Id to sign", where="/HDon/DLHDon")
    if (uses := id_uses(root, data_id)) != 1:
        raise InvalidInvoiceXml(f"the Id {data_id!r} is used {uses} times", where="//@Id")
    return data_id


def id_uses(root: etree._Element, value: str) -> int:
    """How many Id (or ID) attributes in the document have this value."""
    # Collecting the attribute values and comparing in Python is several times faster than
    # an XPath predicate evaluated on every element.
    return sum(1 for found in root.xpath("//@Id|//@ID") if found == value)


def load_certificate(pem_or_base64: bytes | str) -> x509.Certificate:
    """A certificate from PEM, or from the bare base64 DER of an X509Certificate element."""
    text = pem_or_base64.decode("ascii") if isinstance(pem_or_base64, bytes) else pem_or_base64
    if "-----BEGIN" not in text:
        body = "".join(text.split())
        text = f"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n"
    try:
        return x509.load_pem_x509_certificate(text.encode("ascii"))
    except ValueError as exc:
        raise InvalidInvoiceXml(f"unreadable certificate: {exc}", where=SELLER_SLOT) from exc
