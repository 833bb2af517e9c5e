"""VNPAY API 2.1.0, the maths only: signatures, the payment URL, the IPN check and decision.
No HTTP, no database. The querydr/refund merchant API messages are in vnpay_merchant_api.

Payment URL and IPN: the signed string is the vnp_* parameters (without vnp_SecureHash and
vnp_SecureHashType, without empty values) sorted by key and form-encoded (space -> '+',
':' -> '%3A', '/' -> '%2F', as Python's quote_plus, PHP's urlencode and JS URLSearchParams
agree for letters, digits, space and .-_:/#(),). The signed string is exactly the query sent.
Python, PHP and JS disagree on '~' and '*', so order_info is limited to characters they agree on
and the reference to letters and digits.

Signatures are HMAC-SHA512 with the terminal's hash secret, in hex.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from typing import NamedTuple
from urllib.parse import quote_plus, unquote_plus

from payrecon.errors import InvalidInput
from payrecon.payments.references import fold_to_ascii
from payrecon.payments.states import FINISHED_WITHOUT_MONEY, PaymentStatus

VERSION = "2.1.0"
GMT7 = timezone(timedelta(hours=7), "GMT+7")
HASH_PARAMS = frozenset({"vnp_SecureHash", "vnp_SecureHashType"})
SUCCESS_CODE = "00"

_TXN_REF = re.compile(r"[A-Za-z0-9]{1,100}")
_ORDER_INFO = re.compile(r"[A-Za-z0-9 .,:\-_#/()]{1,255}")
HEX_SHA512 = re.compile(r"[0-9A-Fa-f]{128}")
_DIGITS = re.compile(r"[0-9]{1,15}")


class BadSignature(InvalidInput):
    """A VNPAY message whose signature is missing, malformed or wrong; answer RspCode 97."""


class RspCode(StrEnum):
    """What we answer to an IPN. 00 and 02 stop VNPAY's retries; the others make it retry."""

    CONFIRM_SUCCESS = "00"
    ORDER_NOT_FOUND = "01"
    ORDER_ALREADY_CONFIRMED = "02"
    INVALID_AMOUNT = "04"
    INVALID_SIGNATURE = "97"
    UNKNOWN_ERROR = "99"


# The messages of VNPAY's own IPN demo (its 99 reads "Unknow error"; VNPAY reads only RspCode).
IPN_MESSAGES: dict[RspCode, str] = {
    RspCode.CONFIRM_SUCCESS: "Confirm Success",
    RspCode.ORDER_NOT_FOUND: "Order not found",
    RspCode.ORDER_ALREADY_CONFIRMED: "Order already confirmed",
    RspCode.INVALID_AMOUNT: "invalid amount",
    RspCode.INVALID_SIGNATURE: "Invalid signature",
    RspCode.UNKNOWN_ERROR: "Unknown error",
}


@dataclass(frozen=True)
class IpnAnswer:
    """The JSON body VNPAY expects back from the IPN URL (with HTTP 200)."""

    rsp_code: RspCode

    @property
    def message(self) -> str:
        return IPN_MESSAGES[self.rsp_code]

    def as_json(self) -> dict[str, str]:
        return {"RspCode": self.rsp_code.value, "Message": self.message}


def hmac_sha512(secret: str, data: str) -> str:
    return hmac.new(secret.encode("utf-8"), data.encode("utf-8"), hashlib.sha512).hexdigest()


def signed_query(params: Mapping[str, str]) -> str:
    """The string VNPAY signs and we send: vnp_* params, sorted, form-encoded, empties left out."""
    pairs = []
    for key in sorted(params):
        if not key.startswith("vnp_"):
            raise ValueError(f"{key!r} is not a VNPAY parameter (they all start with 'vnp_')")
        value = params[key]
        if key in HASH_PARAMS or value in ("", None):
            continue
        pairs.append(f"{quote_plus(key)}={quote_plus(str(value))}")
    return "&".join(pairs)


def sign(params: Mapping[str, str], secret: str) -> str:
    """vnp_SecureHash for a payment URL or an IPN/return query: lower-case hex HMAC-SHA512."""
    return hmac_sha512(secret, signed_query(params))


def vnpay_time(moment: datetime) -> str:
    """yyyyMMddHHmmss in GMT+7, whatever time zone `moment` carries. Naive times are refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment!r} has no time zone; VNPAY times must be unambiguous")
    return moment.astimezone(GMT7).strftime("%Y%m%d%H%M%S")


def vnpay_amount(amount_vnd: int, where: str) -> str:
    if isinstance(amount_vnd, bool) or not isinstance(amount_vnd, int) or amount_vnd <= 0:
        raise InvalidInput(
            f"must be a positive whole number of VND, got {amount_vnd!r}", where=where
        )
    text = str(amount_vnd * 100)
    if len(text) > 12:
        raise InvalidInput(f"{amount_vnd} VND is more than VNPAY's 12 digits hold", where=where)
    return text


def check_reference(reference: str) -> None:
    if not isinstance(reference, str) or not _TXN_REF.fullmatch(reference):
        raise InvalidInput(
            f"must be 1 to 100 ASCII letters or digits, got {reference!r}", where="vnp_TxnRef"
        )


def clean_order_info(text: str) -> str:
    """Order info as VNPAY wants it: no diacritics, only characters every encoder agrees on."""
    folded = " ".join(fold_to_ascii(text).split())
    if not _ORDER_INFO.fullmatch(folded):
        raise InvalidInput(
            "must be 1 to 255 letters, digits, spaces or .,:-_#/() once diacritics are "
            f"removed, got {folded!r}",
            where="vnp_OrderInfo",
        )
    return folded


def build_payment_url(
    *,
    pay_url: str,
    tmn_code: str,
    secret: str,
    reference: str,
    amount_vnd: int,
    order_info: str,
    ip_address: str,
    created_at: datetime,
    expires_at: datetime,
    return_url: str,
    locale: str = "vn",
    bank_code: str | None = None,
    order_type: str = "other",
) -> str:
    """The signed URL that sends the citizen's browser to VNPAY's payment page."""
    if "?" in pay_url:
        raise ValueError(f"pay_url {pay_url!r} must not carry a query of its own")
    if locale not in ("vn", "en"):
        raise InvalidInput(f"must be 'vn' or 'en', got {locale!r}", where="vnp_Locale")
    check_reference(reference)
    if expires_at <= created_at:
        raise InvalidInput("the payment must expire after it is created", where="vnp_ExpireDate")
    params = {
        "vnp_Version": VERSION,
        "vnp_Command": "pay",
        "vnp_TmnCode": tmn_code,
        "vnp_Amount": vnpay_amount(amount_vnd, "vnp_Amount"),
        "vnp_CreateDate": vnpay_time(created_at),
        "vnp_CurrCode": "VND",
        "vnp_IpAddr": ip_address,
        "vnp_Locale": locale,
        "vnp_OrderInfo": clean_order_info(order_info),
        "vnp_OrderType": order_type,
        "vnp_ReturnUrl": return_url,
        "vnp_TxnRef": reference,
        "vnp_ExpireDate": vnpay_time(expires_at),
    }
    if bank_code:
        params["vnp_BankCode"] = bank_code
    query = signed_query(params)
    return f"{pay_url}?{query}&vnp_SecureHash={hmac_sha512(secret, query)}"


def _split_raw_query(raw_query: str) -> list[tuple[str, str, str]]:
    """(decoded key, decoded value, raw 'key=value') for every vnp_* pair of a raw query string."""
    pairs: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for raw_pair in raw_query.lstrip("?").split("&"):
        if not raw_pair:
            continue
        raw_key, _, raw_value = raw_pair.partition("=")
        try:
            key = unquote_plus(raw_key, errors="strict")
            value = unquote_plus(raw_value, errors="strict")
        except UnicodeDecodeError as exc:
            raise BadSignature(
                f"the query is not valid UTF-8: {exc.reason}", where="query"
            ) from exc
        if not key.startswith("vnp_"):
            continue
        if key in seen:
            raise BadSignature(f"{key} appears more than once", where=key)
        seen.add(key)
        pairs.append((key, value, raw_pair))
    return pairs


def verify_query(raw_query: str, secret: str) -> dict[str, str]:
    """Check an IPN or return-URL query and return its vnp_* values, exactly as VNPAY sent them.

    Pass the raw query string (request.query_string), not a framework's parsed dict, so that
    nothing is merged, re-encoded or converted first (dividing vnp_Amount by 100 before checking
    is a classic way to break the hash). The hash is recomputed over the decoded values
    re-encoded as VNPAY's demos do; the pairs exactly as received are also accepted, since
    VNPAY signs the string it sends. The comparison is constant-time. Values not starting with
    vnp_ are not signed and not returned. Raises BadSignature on any doubt.
    """
    pairs = _split_raw_query(raw_query)
    values = {key: value for key, value, _ in pairs}
    received = values.pop("vnp_SecureHash", None)
    values.pop("vnp_SecureHashType", None)
    if received is None:
        raise BadSignature("vnp_SecureHash is missing", where="vnp_SecureHash")
    if not HEX_SHA512.fullmatch(received):
        raise BadSignature("vnp_SecureHash is not 128 hex digits", where="vnp_SecureHash")
    as_received = "&".join(
        raw for key, value, raw in sorted(pairs) if key not in HASH_PARAMS and value != ""
    )
    readings = {signed_query(values), as_received}
    if not any(
        hmac.compare_digest(hmac_sha512(secret, reading), received.lower()) for reading in readings
    ):
        raise BadSignature("vnp_SecureHash does not match the parameters", where="vnp_SecureHash")
    return values


class IpnDecision(NamedTuple):
    """What to answer VNPAY and which status to ask the state machine for (None: none)."""

    rsp_code: RspCode
    wanted: PaymentStatus | None


def ipn_decision(
    *,
    found: bool,
    expected_amount_vnd: int | None,
    reported_amount: str,
    current_status: PaymentStatus | None,
    response_code: str,
    transaction_status: str,
) -> IpnDecision:
    """Decide a verified IPN, in the order of VNPAY's own demo: order, amount, state.

    - unknown vnp_TxnRef: 01.
    - vnp_Amount (VND × 100, as a string) differs from ours: 04. Answering 04 does not undo
      the payment at VNPAY; the mismatch must reach reconciliation and a refund.
    - success means vnp_ResponseCode == vnp_TransactionStatus == '00'; anything else is failure.
    - pending: 00 and the outcome.
    - failed, expired or cancelled and VNPAY reports success: 00 and SUCCEEDED: the money
      was taken after we gave up. The caller must route this through
      states.on_money_received (revive, or refund a duplicate), never states.apply_move.
    - any other finished payment: 02, nothing to do (a repeat, or a late failure).
    """
    if not found:
        return IpnDecision(RspCode.ORDER_NOT_FOUND, None)
    if expected_amount_vnd is None or current_status is None:
        raise ValueError("a found payment needs its expected amount and current status")
    if not _DIGITS.fullmatch(reported_amount) or int(reported_amount) != expected_amount_vnd * 100:
        return IpnDecision(RspCode.INVALID_AMOUNT, None)
    succeeded = response_code == SUCCESS_CODE and transaction_status == SUCCESS_CODE
    outcome = PaymentStatus.SUCCEEDED if succeeded else PaymentStatus.FAILED
    current = PaymentStatus(current_status)
    if current == PaymentStatus.PENDING:
        return IpnDecision(RspCode.CONFIRM_SUCCESS, outcome)
    if succeeded and current in FINISHED_WITHOUT_MONEY:
        return IpnDecision(RspCode.CONFIRM_SUCCESS, PaymentStatus.SUCCEEDED)
    return IpnDecision(RspCode.ORDER_ALREADY_CONFIRMED, None)
