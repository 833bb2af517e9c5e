"""VietQR: the EMVCo merchant-presented QR payload for a NAPAS 247 bank transfer.

The payload is a string of TLV fields: a 2-digit tag, a 2-digit length, the value; templates
nest the same format. A transfer to an account looks like

    00 02 01                     payload format 01
    01 02 12                     12 = dynamic (one payment, with amount), 11 = static
    38 ..                        merchant account, NAPAS:
       00 10 A000000727              GUID
       01 ..                         beneficiary: 00 bank BIN (6 digits), 01 account (≤ 19)
       02 08 QRIBFTTA                service: to account (QRIBFTTC: to card)
    53 03 704                    VND
    54 ..                        amount in whole VND (omitted for an open amount)
    58 02 VN
    62 ..                        additional data: 01 bill number, 08 purpose (our reference)
    63 04 XXXX                   CRC-16/CCITT-FALSE of everything before it, '6304' included

The CRC is the stdlib's binascii.crc_hqx started at 0xFFFF, which is exactly CRC-16/CCITT-FALSE
(poly 0x1021, no reflection, no final XOR).
"""

from __future__ import annotations

import binascii
import re
from typing import Any

from payrecon.errors import InvalidInput

NAPAS_GUID = "A000000727"
TO_ACCOUNT = "QRIBFTTA"
TO_CARD = "QRIBFTTC"
SERVICE_CODES = frozenset({TO_ACCOUNT, TO_CARD, "QRPUSH", "QRCASH"})
STATIC = "11"
DYNAMIC = "12"
VND = "704"
VIETNAM = "VN"
MAX_PURPOSE_LENGTH = 25
MAX_ACCOUNT_LENGTH = 19
MAX_AMOUNT_DIGITS = 13

_BIN = re.compile(r"[0-9]{6}")
_ACCOUNT = re.compile(r"[0-9A-Za-z]{1,19}")
_AMOUNT = re.compile(r"[1-9][0-9]{0,12}")
_PRINTABLE_ASCII = re.compile(r"[ -~]+")
_CRC_FIELD = re.compile(r"6304[0-9A-Fa-f]{4}")


class InvalidQrPayload(InvalidInput):
    """A VietQR payload, or a value meant for one, breaks the format."""


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: crc16_ccitt_false(b"123456789") == 0x29B1."""
    return binascii.crc_hqx(data, 0xFFFF)


def _field(tag: str, value: str) -> str:
    if len(value) > 99:
        raise InvalidQrPayload(f"tag {tag} would hold {len(value)} characters; at most 99 fit")
    return f"{tag}{len(value):02d}{value}"


def _require_text(where: str, value: str, max_length: int) -> None:
    if not isinstance(value, str) or not _PRINTABLE_ASCII.fullmatch(value):
        raise InvalidQrPayload(
            f"must be printable ASCII without diacritics, got {value!r}", where=where
        )
    if len(value) > max_length:
        raise InvalidQrPayload(
            f"is {len(value)} characters; banks keep at most {max_length}", where=where
        )


def build_payload(
    *,
    bank_bin: str,
    account_number: str,
    amount_vnd: int | None,
    reference: str | None,
    service_code: str = TO_ACCOUNT,
    bill_number: str | None = None,
) -> str:
    """The QR payload for a transfer of `amount_vnd` to an account, memo `reference`.

    With an amount the QR is dynamic (12), for one payment; without one it is static (11) and
    the payer types the amount. `reference` goes into tag 62-08 (purpose of transaction), the
    transfer content most bank apps pre-fill: normally our payment reference.
    """
    if not isinstance(bank_bin, str) or not _BIN.fullmatch(bank_bin):
        raise InvalidQrPayload(
            f"must be the bank's 6-digit BIN, got {bank_bin!r}", where="bank_bin"
        )
    if not isinstance(account_number, str) or not _ACCOUNT.fullmatch(account_number):
        raise InvalidQrPayload(
            f"must be 1 to {MAX_ACCOUNT_LENGTH} letters or digits, got {account_number!r}",
            where="account_number",
        )
    if service_code not in (TO_ACCOUNT, TO_CARD):
        raise InvalidQrPayload(
            f"must be {TO_ACCOUNT} or {TO_CARD}, got {service_code!r}", where="service_code"
        )
    if amount_vnd is not None:
        if isinstance(amount_vnd, bool) or not isinstance(amount_vnd, int):
            raise InvalidQrPayload("must be a whole number of VND", where="amount_vnd")
        if not _AMOUNT.fullmatch(str(amount_vnd)):
            raise InvalidQrPayload(
                f"must be between 1 and {MAX_AMOUNT_DIGITS} digits of VND, got {amount_vnd}",
                where="amount_vnd",
            )
    if reference is not None:
        _require_text("reference", reference, MAX_PURPOSE_LENGTH)
    if bill_number is not None:
        _require_text("bill_number", bill_number, MAX_PURPOSE_LENGTH)

    beneficiary = _field("00", bank_bin) + _field("01", account_number)
    merchant_account = _field("00", NAPAS_GUID) + _field("01", beneficiary)
    merchant_account += _field("02", service_code)
    parts = [
        _field("00", "01"),
        _field("01", STATIC if amount_vnd is None else DYNAMIC),
        _field("38", merchant_account),
        _field("53", VND),
    ]
    if amount_vnd is not None:
        parts.append(_field("54", str(amount_vnd)))
    parts.append(_field("58", VIETNAM))
    additional = ""
    if bill_number is not None:
        additional += _field("01", bill_number)
    if reference is not None:
        additional += _field("08", reference)
    if additional:
        parts.append(_field("62", additional))
    body = "".join(parts) + "6304"
    return body + f"{crc16_ccitt_false(body.encode('ascii')):04X}"


def _split_fields(text: str, where: str) -> dict[str, str]:
    """Read a TLV string into {tag: value}; every fault names its place."""
    fields: dict[str, str] = {}
    position = 0
    while position < len(text):
        header = text[position : position + 4]
        if len(header) < 4 or not header.isdigit():
            raise InvalidQrPayload(
                f"expected a 2-digit tag and a 2-digit length at character {position}, "
                f"found {header!r}",
                where=where,
            )
        tag, length = header[:2], int(header[2:])
        value = text[position + 4 : position + 4 + length]
        if len(value) < length:
            raise InvalidQrPayload(
                f"tag {tag} declares {length} characters but only {len(value)} remain",
                where=f"{where} tag {tag}",
            )
        if tag in fields:
            raise InvalidQrPayload(f"tag {tag} appears twice", where=f"{where} tag {tag}")
        fields[tag] = value
        position += 4 + length
    return fields


def _require(fields: dict[str, str], tag: str, where: str) -> str:
    if tag not in fields:
        raise InvalidQrPayload(f"required tag {tag} is missing", where=f"{where} tag {tag}")
    return fields[tag]


def _expect(fields: dict[str, str], tag: str, allowed: set[str] | frozenset[str]) -> str:
    value = _require(fields, tag, "payload")
    if value not in allowed:
        raise InvalidQrPayload(
            f"tag {tag} is {value!r}; a VietQR transfer needs {' or '.join(sorted(allowed))}",
            where=f"payload tag {tag}",
        )
    return value


def parse_payload(text: str) -> dict[str, Any]:
    """Check a VietQR payload (CRC, TLV structure, NAPAS layout) and return its fields.

    The keys build_payload takes (bank_bin, account_number, amount_vnd, reference,
    service_code, bill_number) come back under the same names, so
    build_payload(**those) gives the payload again; plus point_of_initiation ('static' or
    'dynamic'), merchant_name, merchant_city, crc, and tags (every top-level tag, raw).
    """
    if not isinstance(text, str) or not text.isascii():
        raise InvalidQrPayload("a VietQR payload is ASCII text", where="payload")
    if not _CRC_FIELD.fullmatch(text[-8:]):
        raise InvalidQrPayload(
            "must end with the CRC field '6304' and 4 hex digits", where="payload tag 63"
        )
    expected_crc = crc16_ccitt_false(text[:-4].encode("ascii"))
    if int(text[-4:], 16) != expected_crc:
        raise InvalidQrPayload(
            f"CRC is {text[-4:]} but the payload's CRC-16/CCITT-FALSE is {expected_crc:04X}",
            where="payload tag 63",
        )
    fields = _split_fields(text, "payload")
    if next(iter(fields)) != "00" or fields["00"] != "01":
        raise InvalidQrPayload("must start with tag 00 = '01'", where="payload tag 00")
    if list(fields)[-1] != "63":
        raise InvalidQrPayload("tag 63 (CRC) must come last", where="payload tag 63")
    initiation = _expect(fields, "01", {STATIC, DYNAMIC})
    _expect(fields, "53", {VND})
    _expect(fields, "58", {VIETNAM})

    merchant = _split_fields(_require(fields, "38", "payload"), "tag 38")
    if _require(merchant, "00", "tag 38") != NAPAS_GUID:
        raise InvalidQrPayload(
            f"GUID is {merchant['00']!r}, not NAPAS's {NAPAS_GUID}", where="tag 38 tag 00"
        )
    beneficiary = _split_fields(_require(merchant, "01", "tag 38"), "tag 38.01")
    bank_bin = _require(beneficiary, "00", "tag 38.01")
    if not _BIN.fullmatch(bank_bin):
        raise InvalidQrPayload(f"BIN {bank_bin!r} is not 6 digits", where="tag 38.01 tag 00")
    service_code = merchant.get("02")
    if service_code is not None and service_code not in SERVICE_CODES:
        raise InvalidQrPayload(f"unknown service code {service_code!r}", where="tag 38 tag 02")

    amount_vnd = None
    if "54" in fields:
        if not _AMOUNT.fullmatch(fields["54"]):
            raise InvalidQrPayload(
                f"amount {fields['54']!r} is not a whole positive number of VND",
                where="payload tag 54",
            )
        amount_vnd = int(fields["54"])
    additional = _split_fields(fields["62"], "tag 62") if "62" in fields else {}
    return {
        "bank_bin": bank_bin,
        "account_number": _require(beneficiary, "01", "tag 38.01"),
        "amount_vnd": amount_vnd,
        "reference": additional.get("08"),
        "service_code": service_code,
        "bill_number": additional.get("01"),
        "point_of_initiation": "dynamic" if initiation == DYNAMIC else "static",
        "merchant_name": fields.get("59"),
        "merchant_city": fields.get("60"),
        "crc": text[-4:].upper(),
        "tags": fields,
    }
