import hashlib
import hmac
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import parse_qsl, urlsplit

import pytest

from payrecon.errors import InvalidInput
from payrecon.payments.states import PaymentStatus
from payrecon.payments.vnpay_merchant_api import (
    build_querydr_request,
    build_refund_request,
    verify_api_response,
)
from payrecon.payments.vnpay_protocol import (
    BadSignature,
    IpnAnswer,
    RspCode,
    build_payment_url,
    ipn_decision,
    sign,
    signed_query,
    verify_query,
    vnpay_time,
)

P = PaymentStatus

# lehuygiang28/vnpay test fixture DEFAULT_RETURN_QUERY_INPUT, secret "test_secret"
# (shared/reference/payments.md §1.3).
IPN_PARAMS = {
    "vnp_Amount": "1000000",
    "vnp_BankCode": "NCB",
    "vnp_BankTranNo": "VNP14422574",
    "vnp_CardType": "ATM",
    "vnp_OrderInfo": "Thanh toan don hang 2024-05-21T02:17:31.249Z",
    "vnp_PayDate": "20240521091806",
    "vnp_ResponseCode": "00",
    "vnp_TmnCode": "TEST_TMN_CODE",
    "vnp_TransactionNo": "14422574",
    "vnp_TransactionStatus": "00",
    "vnp_TxnRef": "1716257871703",
}
IPN_SIGNED = (
    "vnp_Amount=1000000&vnp_BankCode=NCB&vnp_BankTranNo=VNP14422574&vnp_CardType=ATM"
    "&vnp_OrderInfo=Thanh+toan+don+hang+2024-05-21T02%3A17%3A31.249Z&vnp_PayDate=20240521091806"
    "&vnp_ResponseCode=00&vnp_TmnCode=TEST_TMN_CODE&vnp_TransactionNo=14422574"
    "&vnp_TransactionStatus=00&vnp_TxnRef=1716257871703"
)
IPN_HASH = (
    "649982421beb422556a1374713c74e58e716ecbd05007c0c0e1f7effdfaf361d"
    "bf146889ca446139afe11b9954c4d5c486e99e3b86fcfab6957f29eb0be72895"
)
IPN_QUERY = IPN_SIGNED + "&vnp_SecureHash=" + IPN_HASH


def test_signed_string_of_the_published_vector():
    assert signed_query(IPN_PARAMS) == IPN_SIGNED


def test_sign_reproduces_the_published_ipn_hash():
    assert sign(IPN_PARAMS, "test_secret") == IPN_HASH


def test_sign_reproduces_the_published_utility_hash():
    params = {
        "vnp_Amount": "10000",
        "vnp_OrderInfo": "Payment for order #1234567890",
        "vnp_TnxRef": "1234567890",
    }
    assert sign(params, "YOUR_SECURE_SECRET") == (
        "7bb8160a5d2085a85b3267817a40ee4f770a335282f19714726e6fc6f28a64c7"
        "5a1e7e9c1aa96f3cbda5ce44095088fb4cb2af66c596d2f655b0b53966312089"
    )


def test_sign_leaves_out_hash_params_and_empty_values_and_sorts_keys():
    shuffled = dict(reversed(IPN_PARAMS.items()))
    shuffled |= {"vnp_SecureHash": "ab" * 64, "vnp_SecureHashType": "HmacSHA512", "vnp_Bill": ""}
    assert sign(shuffled, "test_secret") == IPN_HASH


def test_sign_refuses_parameters_that_are_not_vnpay_ones():
    with pytest.raises(ValueError, match="'order' is not a VNPAY parameter"):
        sign({"order": "5", "vnp_Amount": "100"}, "s")


def test_verify_query_accepts_the_published_ipn_and_keeps_values_as_sent():
    assert verify_query(IPN_QUERY, "test_secret") == IPN_PARAMS


def test_verify_query_ignores_params_that_are_not_signed():
    values = verify_query(
        "utm_source=x&" + IPN_QUERY + "&vnp_SecureHashType=HmacSHA512", "test_secret"
    )
    assert values == IPN_PARAMS


def test_verify_query_accepts_upper_case_hex():
    assert verify_query(IPN_SIGNED + "&vnp_SecureHash=" + IPN_HASH.upper(), "test_secret")


def test_verify_query_accepts_the_pairs_exactly_as_sent():
    # A sender that escapes '-' and '.' signs the string it sends; that string verifies too.
    sent = IPN_SIGNED.replace("2024-05-21T02%3A17%3A31.249Z", "2024%2D05%2D21T02%3A17%3A31%2E249Z")
    query = sent + "&vnp_SecureHash=" + hmac.new(b"k", sent.encode(), hashlib.sha512).hexdigest()
    assert verify_query(query, "k")["vnp_OrderInfo"] == IPN_PARAMS["vnp_OrderInfo"]


@pytest.mark.parametrize(
    "tampered",
    [
        IPN_QUERY.replace("vnp_Amount=1000000", "vnp_Amount=2000000"),
        IPN_QUERY.replace("vnp_Amount=1000000", "vnp_Amount=10000"),  # divided by 100 first
        IPN_QUERY.replace("vnp_ResponseCode=00", "vnp_ResponseCode=24"),
        IPN_QUERY.replace("vnp_TxnRef=1716257871703", "vnp_TxnRef=1716257871704"),
        IPN_QUERY.replace("Thanh+toan", "Thanh+Toan"),
        IPN_QUERY + "&vnp_Extra=1",
        IPN_QUERY.replace("vnp_BankCode=NCB&", ""),
        IPN_QUERY.replace(IPN_HASH, IPN_HASH[:-1] + "6"),
    ],
)
def test_verify_query_refuses_any_tampering(tampered):
    with pytest.raises(BadSignature, match="does not match") as raised:
        verify_query(tampered, "test_secret")
    assert raised.value.where == "vnp_SecureHash"
    assert isinstance(raised.value, InvalidInput)


def test_verify_query_refuses_the_wrong_secret():
    with pytest.raises(BadSignature, match="does not match"):
        verify_query(IPN_QUERY, "another_secret")


@pytest.mark.parametrize(
    ("query", "message", "where"),
    [
        (IPN_SIGNED, "vnp_SecureHash is missing", "vnp_SecureHash"),
        (IPN_SIGNED + "&vnp_SecureHash=", "not 128 hex digits", "vnp_SecureHash"),
        (IPN_SIGNED + "&vnp_SecureHash=abc", "not 128 hex digits", "vnp_SecureHash"),
        (IPN_QUERY + "&vnp_Amount=1000000", "vnp_Amount appears more than once", "vnp_Amount"),
        (IPN_QUERY + "&vnp_Note=%FF", "not valid UTF-8", "query"),
    ],
)
def test_verify_query_refuses_malformed_queries(query, message, where):
    with pytest.raises(BadSignature, match=message) as raised:
        verify_query(query, "test_secret")
    assert raised.value.where == where


CREATED = datetime(2024, 5, 21, 2, 17, 31, tzinfo=UTC)


def _payment_url(**overrides):
    values = {
        "pay_url": "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html",
        "tmn_code": "DEMOV210",
        "secret": "test_secret",
        "reference": "PR7K3MABCDW",
        "amount_vnd": 50_000,
        "order_info": "Nộp phí hồ sơ HS-000123: đăng ký",
        "ip_address": "203.0.113.9",
        "created_at": CREATED,
        "expires_at": CREATED + timedelta(minutes=15),
        "return_url": "https://payrecon.example.vn/gateway/vnpay/return",
    } | overrides
    return build_payment_url(**values)


def test_build_payment_url_signs_exactly_the_query_it_sends():
    url = _payment_url()
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
    )
    signed, _, hash_pair = parts.query.rpartition("&")
    assert hash_pair.startswith("vnp_SecureHash=")
    assert hash_pair.removeprefix("vnp_SecureHash=") == (
        hmac.new(b"test_secret", signed.encode(), hashlib.sha512).hexdigest()
    )
    assert signed == (
        "vnp_Amount=5000000&vnp_Command=pay&vnp_CreateDate=20240521091731&vnp_CurrCode=VND"
        "&vnp_ExpireDate=20240521093231&vnp_IpAddr=203.0.113.9&vnp_Locale=vn"
        "&vnp_OrderInfo=Nop+phi+ho+so+HS-000123%3A+dang+ky&vnp_OrderType=other"
        "&vnp_ReturnUrl=https%3A%2F%2Fpayrecon.example.vn%2Fgateway%2Fvnpay%2Freturn"
        "&vnp_TmnCode=DEMOV210&vnp_TxnRef=PR7K3MABCDW&vnp_Version=2.1.0"
    )


def test_a_payment_url_verifies_like_an_ipn():
    query = urlsplit(_payment_url(bank_code="NCB")).query
    values = verify_query(query, "test_secret")
    assert values["vnp_BankCode"] == "NCB"
    assert values["vnp_Amount"] == "5000000"
    assert values == dict(parse_qsl(query.rpartition("&")[0]))


def test_dates_are_gmt7_whatever_the_zone():
    in_hanoi = datetime(2024, 5, 21, 9, 17, 31, tzinfo=timezone(timedelta(hours=7)))
    in_new_york = datetime(2024, 5, 20, 22, 17, 31, tzinfo=timezone(timedelta(hours=-4)))
    assert vnpay_time(CREATED) == vnpay_time(in_hanoi) == vnpay_time(in_new_york)
    assert vnpay_time(CREATED) == "20240521091731"


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="has no time zone"):
        vnpay_time(datetime(2024, 5, 21, 9, 0))


@pytest.mark.parametrize(
    ("overrides", "where"),
    [
        ({"reference": "PR-7K3M"}, "vnp_TxnRef"),
        ({"reference": ""}, "vnp_TxnRef"),
        ({"amount_vnd": 0}, "vnp_Amount"),
        ({"amount_vnd": 50_000.0}, "vnp_Amount"),
        ({"amount_vnd": 10**10}, "vnp_Amount"),
        ({"order_info": "50% off ~ *"}, "vnp_OrderInfo"),
        ({"order_info": "   "}, "vnp_OrderInfo"),
        ({"locale": "fr"}, "vnp_Locale"),
        ({"expires_at": CREATED}, "vnp_ExpireDate"),
    ],
)
def test_build_payment_url_refuses_bad_values(overrides, where):
    with pytest.raises(InvalidInput) as raised:
        _payment_url(**overrides)
    assert raised.value.where == where


def test_ipn_answers_carry_vnpays_messages():
    assert IpnAnswer(RspCode.CONFIRM_SUCCESS).as_json() == {
        "RspCode": "00",
        "Message": "Confirm Success",
    }
    assert {code.value: IpnAnswer(code).message for code in RspCode} == {
        "00": "Confirm Success",
        "01": "Order not found",
        "02": "Order already confirmed",
        "04": "invalid amount",
        "97": "Invalid signature",
        "99": "Unknown error",
    }


def _decide(**overrides):
    values = {
        "found": True,
        "expected_amount_vnd": 10_000,
        "reported_amount": "1000000",
        "current_status": P.PENDING,
        "response_code": "00",
        "transaction_status": "00",
    } | overrides
    return ipn_decision(**values)


@pytest.mark.parametrize(
    ("overrides", "rsp_code", "wanted"),
    [
        ({}, "00", P.SUCCEEDED),
        ({"response_code": "24", "transaction_status": "02"}, "00", P.FAILED),
        ({"response_code": "00", "transaction_status": "01"}, "00", P.FAILED),
        ({"response_code": "07", "transaction_status": "00"}, "00", P.FAILED),
        ({"found": False, "expected_amount_vnd": None, "current_status": None}, "01", None),
        ({"reported_amount": "1000100"}, "04", None),
        ({"reported_amount": "10000"}, "04", None),
        ({"reported_amount": "1e6"}, "04", None),
        ({"reported_amount": ""}, "04", None),
        ({"current_status": P.SUCCEEDED}, "02", None),
        ({"current_status": P.REFUND_PENDING}, "02", None),
        ({"current_status": P.REFUNDED}, "02", None),
        ({"current_status": P.SUCCEEDED, "response_code": "24"}, "02", None),
        ({"current_status": P.FAILED, "response_code": "24"}, "02", None),
        ({"current_status": P.EXPIRED, "transaction_status": "02"}, "02", None),
        ({"current_status": P.EXPIRED}, "00", P.SUCCEEDED),
        ({"current_status": P.CANCELLED}, "00", P.SUCCEEDED),
        ({"current_status": P.FAILED}, "00", P.SUCCEEDED),
        ({"current_status": P.SUCCEEDED, "reported_amount": "5"}, "04", None),
    ],
)
def test_ipn_decision(overrides, rsp_code, wanted):
    decision = _decide(**overrides)
    assert decision == (rsp_code, wanted)
    assert decision.rsp_code is RspCode(rsp_code)


TRANSACTION_DATE = datetime(2024, 5, 21, 9, 18, 6, tzinfo=timezone(timedelta(hours=7)))
NOW = datetime(2024, 5, 22, 3, 0, 0, tzinfo=UTC)


def _hmac(secret, data):
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


def test_querydr_request_is_signed_over_the_documented_fields():
    body = build_querydr_request(
        tmn_code="TEST_TMN_CODE",
        secret="test_secret",
        request_id="Q20240522100000A1",
        reference="PR7K3MABCDW",
        transaction_date=TRANSACTION_DATE,
        created_at=NOW,
        ip_address="10.0.0.5",
        order_info="Tra cuu PR7K3MABCDW",
    )
    data = (
        "Q20240522100000A1|2.1.0|querydr|TEST_TMN_CODE|PR7K3MABCDW|20240521091806"
        "|20240522100000|10.0.0.5|Tra cuu PR7K3MABCDW"
    )
    assert body["vnp_SecureHash"] == _hmac("test_secret", data)
    assert body["vnp_Command"] == "querydr"
    assert body["vnp_TransactionDate"] == "20240521091806"
    assert body["vnp_CreateDate"] == "20240522100000"
    assert "vnp_TransactionNo" not in body


def test_refund_request_is_signed_over_the_documented_fields():
    body = build_refund_request(
        tmn_code="TEST_TMN_CODE",
        secret="test_secret",
        request_id="R20240522100000A1",
        reference="PR7K3MABCDW",
        amount_vnd=20_000,
        full=False,
        transaction_no="14422574",
        transaction_date=TRANSACTION_DATE,
        created_by="officer.lan",
        created_at=NOW,
        ip_address="10.0.0.5",
        order_info="Hoàn phí PR7K3MABCDW",
    )
    data = (
        "R20240522100000A1|2.1.0|refund|TEST_TMN_CODE|03|PR7K3MABCDW|2000000|14422574"
        "|20240521091806|officer.lan|20240522100000|10.0.0.5|Hoan phi PR7K3MABCDW"
    )
    assert body["vnp_SecureHash"] == _hmac("test_secret", data)
    assert body["vnp_TransactionType"] == "03"
    assert body["vnp_Amount"] == "2000000"
    assert body["vnp_OrderInfo"] == "Hoan phi PR7K3MABCDW"


def test_a_full_refund_without_transaction_number_sends_the_placeholder():
    body = build_refund_request(
        tmn_code="T",
        secret="s",
        request_id="R1",
        reference="PR7K3MABCDW",
        amount_vnd=50_000,
        full=True,
        transaction_date=TRANSACTION_DATE,
        created_by="officer.lan",
        created_at=NOW,
        ip_address="10.0.0.5",
        order_info="Hoan phi",
    )
    assert (body["vnp_TransactionType"], body["vnp_TransactionNo"]) == ("02", "0")
    data = "R1|2.1.0|refund|T|02|PR7K3MABCDW|5000000|0|20240521091806|officer.lan"
    data += "|20240522100000|10.0.0.5|Hoan phi"
    assert body["vnp_SecureHash"] == _hmac("s", data)


QUERYDR_ANSWER = {
    "vnp_ResponseId": "4f8d6a0b2c",
    "vnp_Command": "querydr",
    "vnp_ResponseCode": "00",
    "vnp_Message": "QueryDR Success",
    "vnp_TmnCode": "TEST_TMN_CODE",
    "vnp_TxnRef": "PR7K3MABCDW",
    "vnp_Amount": "5000000",
    "vnp_BankCode": "NCB",
    "vnp_PayDate": "20240521091806",
    "vnp_TransactionNo": "14422574",
    "vnp_TransactionType": "01",
    "vnp_TransactionStatus": "00",
    "vnp_OrderInfo": "Nop phi PR7K3MABCDW",
}
QUERYDR_DATA = (
    "4f8d6a0b2c|querydr|00|QueryDR Success|TEST_TMN_CODE|PR7K3MABCDW|5000000|NCB"
    "|20240521091806|14422574|01|00|Nop phi PR7K3MABCDW||"
)


def test_a_querydr_answer_verifies_over_its_documented_fields():
    answer = QUERYDR_ANSWER | {"vnp_SecureHash": _hmac("test_secret", QUERYDR_DATA)}
    assert verify_api_response(answer, "test_secret") == QUERYDR_ANSWER


def test_a_refund_answer_verifies_and_numbers_become_strings():
    answer = QUERYDR_ANSWER | {
        "vnp_Command": "refund",
        "vnp_Message": "Refund success",
        "vnp_Amount": 2000000,
        "vnp_TransactionType": "03",
    }
    data = (
        "4f8d6a0b2c|refund|00|Refund success|TEST_TMN_CODE|PR7K3MABCDW|2000000|NCB"
        "|20240521091806|14422574|03|00|Nop phi PR7K3MABCDW"
    )
    answer["vnp_SecureHash"] = _hmac("test_secret", data)
    assert verify_api_response(answer, "test_secret")["vnp_Amount"] == "2000000"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("vnp_Amount", "500000"),
        ("vnp_TransactionStatus", "02"),
        ("vnp_ResponseCode", "91"),
        ("vnp_PromotionAmount", "1000"),
        ("vnp_TxnRef", "PRQX29HT4N9"),
    ],
)
def test_a_tampered_api_answer_is_refused(field, value):
    answer = QUERYDR_ANSWER | {"vnp_SecureHash": _hmac("test_secret", QUERYDR_DATA)}
    answer[field] = value
    with pytest.raises(BadSignature, match="does not match the answer"):
        verify_api_response(answer, "test_secret")


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (QUERYDR_ANSWER, "missing or not 128 hex digits"),
        (QUERYDR_ANSWER | {"vnp_SecureHash": "00"}, "missing or not 128 hex digits"),
        (QUERYDR_ANSWER | {"vnp_Command": "pay"}, "unknown vnp_Command 'pay'"),
    ],
)
def test_api_answers_without_a_usable_signature_are_refused(answer, message):
    with pytest.raises(BadSignature, match=message):
        verify_api_response(answer, "test_secret")


def test_the_gateway_side_of_the_merchant_api_round_trips():
    from datetime import UTC, datetime

    from payrecon.payments.vnpay_merchant_api import (
        build_querydr_request,
        sign_api_response,
        verify_api_request,
    )

    moment = datetime(2026, 11, 20, 2, 30, tzinfo=UTC)
    request = build_querydr_request(
        tmn_code="SIMTMN01",
        secret="s3cret",
        request_id="abc123",
        reference="PR7K3MABCDW",
        transaction_date=moment,
        created_at=moment,
        ip_address="127.0.0.1",
        order_info="Truy van PR7K3MABCDW",
    )
    assert verify_api_request(request, "s3cret")["vnp_TxnRef"] == "PR7K3MABCDW"
    with pytest.raises(BadSignature):
        verify_api_request(request, "another secret")
    with pytest.raises(BadSignature):
        verify_api_request(request | {"vnp_TxnRef": "PR7K3MABCDX"}, "s3cret")

    answer = sign_api_response(
        {
            "vnp_ResponseId": "r1",
            "vnp_Command": "querydr",
            "vnp_ResponseCode": "00",
            "vnp_TxnRef": "PR7K3MABCDW",
            "vnp_Amount": "5000000",
            "vnp_TransactionStatus": "00",
        },
        "s3cret",
    )
    assert verify_api_response(answer, "s3cret")["vnp_Amount"] == "5000000"
    with pytest.raises(BadSignature):
        verify_api_response(answer | {"vnp_Amount": "5000100"}, "s3cret")
