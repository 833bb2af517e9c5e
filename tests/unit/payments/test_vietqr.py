import pytest
from hypothesis import given
from hypothesis import strategies as st

from payrecon.errors import InvalidInput
from payrecon.payments.vietqr import (
    TO_CARD,
    InvalidQrPayload,
    build_payload,
    crc16_ccitt_false,
    parse_payload,
)

BUILD_KEYS = (
    "bank_bin",
    "account_number",
    "amount_vnd",
    "reference",
    "service_code",
    "bill_number",
)

# Published vectors (shared/reference/payments.md §2.2), with the inputs that produce them.
PUBLISHED = [
    pytest.param(
        {"bank_bin": "970423", "account_number": "0099999999", "amount_vnd": None},
        "00020101021138540010A00000072701240006970423011000999999990208QRIBFTTA53037045802VN"
        "6304CBB4",
        id="static-no-amount",
    ),
    pytest.param(
        {
            "bank_bin": "970422",
            "account_number": "0023457923442",
            "amount_vnd": 40123,
            "reference": "test text string",
        },
        "00020101021238570010A00000072701270006970422011300234579234420208QRIBFTTA530370454054"
        "01235802VN62200816test text string6304D9C6",
        id="dynamic-memo",
    ),
    pytest.param(
        {
            "bank_bin": "970422",
            "account_number": "0023457923442",
            "amount_vnd": 40123,
            "reference": "chuyen khoan",
        },
        "00020101021238570010A00000072701270006970422011300234579234420208QRIBFTTA530370454054"
        "01235802VN62160812chuyen khoan6304722F",
        id="memo-without-diacritics",
    ),
    pytest.param(
        {
            "bank_bin": "970415",
            "account_number": "0011001932418",
            "amount_vnd": 120000,
            "reference": "ung ho lu lut",
        },
        "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA530370454061"
        "200005802VN62170813ung ho lu lut6304C15C",
        id="vietinbank",
    ),
    pytest.param(
        {
            "bank_bin": "970422",
            "account_number": "0023457923442ASDFLJ",
            "amount_vnd": 40123,
            "reference": "chuyen khoan alsdkf laksj",
        },
        "00020101021238630010A0000007270133000697042201190023457923442ASDFLJ0208QRIBFTTA5303704"
        "5405401235802VN62290825chuyen khoan alsdkf laksj6304E5DB",
        id="longest-account-and-memo",
    ),
    pytest.param(
        {
            "bank_bin": "970416",
            "account_number": "257678859",
            "amount_vnd": 1000,
            "reference": "Chuyen tien",
        },
        "00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA5303704540410005"
        "802VN62150811Chuyen tien6304BBB8",
        id="acb",
    ),
    pytest.param(
        {
            "bank_bin": "970403",
            "account_number": "9704031101234567",
            "amount_vnd": None,
            "service_code": TO_CARD,
        },
        "00020101021138600010A00000072701300006970403011697040311012345670208QRIBFTTC53037045802VN"
        "63044F52",
        id="card-transfer",
    ),
    pytest.param(
        {
            "bank_bin": "970403",
            "account_number": "0011012345678",
            "amount_vnd": 180000,
            "bill_number": "NPS6869",
            "reference": "thanh toan don hang",
        },
        "00020101021238570010A00000072701270006970403011300110123456780208QRIBFTTA530370454061"
        "800005802VN62340107NPS68690819thanh toan don hang63042E2E",
        id="bill-number-and-purpose",
    ),
]


def _build(inputs):
    return build_payload(**({"reference": None} | inputs))


@pytest.mark.parametrize(("inputs", "payload"), PUBLISHED)
def test_builder_reproduces_every_published_vector(inputs, payload):
    assert _build(inputs) == payload


@pytest.mark.parametrize(("inputs", "payload"), PUBLISHED)
def test_parse_then_build_gives_the_published_payload_back(inputs, payload):
    parsed = parse_payload(payload)
    assert build_payload(**{key: parsed[key] for key in BUILD_KEYS}) == payload
    for key, value in inputs.items():
        assert parsed[key] == value


@pytest.mark.parametrize(
    ("data", "crc"),
    [
        (b"123456789", 0x29B1),
        (b"00", 0x2EC9),
        (b"01", 0x3EE8),
        (b"", 0xFFFF),
    ],
)
def test_crc16_ccitt_false_check_values(data, crc):
    assert crc16_ccitt_false(data) == crc


def test_parse_reads_a_dynamic_payload():
    parsed = parse_payload(
        "00020101021238570010A00000072701270006970422011300234579234420208QRIBFTTA530370454054"
        "01235802VN62200816test text string6304D9C6"
    )
    assert parsed["point_of_initiation"] == "dynamic"
    assert parsed["bank_bin"] == "970422"
    assert parsed["account_number"] == "0023457923442"
    assert parsed["service_code"] == "QRIBFTTA"
    assert parsed["amount_vnd"] == 40123
    assert parsed["reference"] == "test text string"
    assert parsed["bill_number"] is None
    assert parsed["crc"] == "D9C6"
    assert parsed["tags"]["53"] == "704"


def test_parse_reads_a_merchant_qr_with_name_and_city():
    parsed = parse_payload(
        "00020101021138480010A00000072701300006970403011621129950446040255204581253037045802VN"
        "5910PHUONG CAC6005HANOI62110307NPS686963045802"
    )
    assert parsed["point_of_initiation"] == "static"
    assert parsed["bank_bin"] == "970403"
    assert parsed["account_number"] == "2112995044604025"
    assert parsed["service_code"] is None
    assert parsed["merchant_name"] == "PHUONG CAC"
    assert parsed["merchant_city"] == "HANOI"
    assert parsed["tags"]["52"] == "5812"
    assert parsed["reference"] is None


def test_a_payment_reference_round_trips():
    payload = build_payload(
        bank_bin="970436", account_number="1017123456", amount_vnd=50_000, reference="PR7K3MABCDW"
    )
    assert "62150811PR7K3MABCDW6304" in payload
    assert parse_payload(payload)["reference"] == "PR7K3MABCDW"


@given(
    bank_bin=st.from_regex(r"97[0-9]{4}", fullmatch=True),
    account_number=st.from_regex(r"[0-9A-Z]{1,19}", fullmatch=True),
    amount_vnd=st.none() | st.integers(min_value=1, max_value=9_999_999_999_999),
    reference=st.none() | st.from_regex(r"[ -~]{1,25}", fullmatch=True),
    bill_number=st.none() | st.from_regex(r"[A-Z0-9]{1,25}", fullmatch=True),
    service_code=st.sampled_from(["QRIBFTTA", "QRIBFTTC"]),
)
def test_build_parse_round_trip(
    bank_bin, account_number, amount_vnd, reference, bill_number, service_code
):
    inputs = {
        "bank_bin": bank_bin,
        "account_number": account_number,
        "amount_vnd": amount_vnd,
        "reference": reference,
        "service_code": service_code,
        "bill_number": bill_number,
    }
    payload = build_payload(**inputs)
    parsed = parse_payload(payload)
    assert {key: parsed[key] for key in BUILD_KEYS} == inputs
    assert parsed["point_of_initiation"] == ("static" if amount_vnd is None else "dynamic")


VALID = (
    "00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA5303704540410005"
    "802VN62150811Chuyen tien6304BBB8"
)


def test_a_wrong_crc_is_refused_and_named():
    with pytest.raises(InvalidQrPayload) as raised:
        parse_payload(VALID[:-4] + "BBB5")
    assert str(raised.value) == "CRC is BBB5 but the payload's CRC-16/CCITT-FALSE is BBB8"
    assert raised.value.where == "payload tag 63"
    assert isinstance(raised.value, InvalidInput)


def test_a_changed_character_breaks_the_crc():
    tampered = VALID.replace("54041000", "54049000")
    with pytest.raises(InvalidQrPayload, match="CRC is BBB8"):
        parse_payload(tampered)


def _with_crc(body):
    body += "6304"
    return body + f"{crc16_ccitt_false(body.encode()):04X}"


def _tlv(tag, value):
    return f"{tag}{len(value):02d}{value}"


BENEFICIARY = _tlv("00", "970422") + _tlv("01", "0123456789")


def _napas(guid="A000000727", beneficiary=BENEFICIARY):
    return _tlv("38", _tlv("00", guid) + _tlv("01", beneficiary) + _tlv("02", "QRIBFTTA"))


HEAD = _tlv("00", "01") + _tlv("01", "12")
TAIL = _tlv("53", "704") + _tlv("58", "VN")


def test_the_hand_built_fields_make_a_valid_payload():
    assert parse_payload(_with_crc(HEAD + _napas() + TAIL))["account_number"] == "0123456789"


@pytest.mark.parametrize(
    ("payload", "message", "where"),
    [
        ("", "must end with the CRC field", "payload tag 63"),
        ("000201", "must end with the CRC field", "payload tag 63"),
        (VALID[:-4] + "BB8", "must end with the CRC field", "payload tag 63"),
        (
            _with_crc("000201010212389900"),
            "tag 38 declares 99 characters but only 10 remain",
            "payload tag 38",
        ),
        (_with_crc("00020101X212"), "expected a 2-digit tag and a 2-digit length", "payload"),
        (_with_crc("000201000201"), "tag 00 appears twice", "payload tag 00"),
        (_with_crc("000202010212"), "must start with tag 00 = '01'", "payload tag 00"),
        (
            _with_crc("000201" + _tlv("01", "13") + _napas() + TAIL),
            "tag 01 is '13'; a VietQR transfer needs 11 or 12",
            "payload tag 01",
        ),
        (_with_crc(HEAD + TAIL), "required tag 38 is missing", "payload tag 38"),
        (
            _with_crc(HEAD + _napas(guid="0000000000") + TAIL),
            "GUID is '0000000000', not NAPAS's A000000727",
            "tag 38 tag 00",
        ),
        (
            _with_crc(HEAD + _napas(beneficiary=_tlv("01", "0123456789")) + TAIL),
            "required tag 00 is missing",
            "tag 38.01 tag 00",
        ),
        (
            _with_crc(HEAD + _napas(beneficiary=_tlv("00", "9704") + _tlv("01", "1")) + TAIL),
            "BIN '9704' is not 6 digits",
            "tag 38.01 tag 00",
        ),
        (
            _with_crc(HEAD + _napas() + _tlv("53", "840") + _tlv("58", "VN")),
            "tag 53 is '840'; a VietQR transfer needs 704",
            "payload tag 53",
        ),
        (
            _with_crc(HEAD + _napas() + _tlv("53", "704") + _tlv("54", "1.500") + _tlv("58", "VN")),
            "amount '1.500' is not a whole positive number of VND",
            "payload tag 54",
        ),
        (
            _with_crc(HEAD + _napas() + TAIL + _tlv("62", "0899")),
            "tag 08 declares 99 characters but only 0 remain",
            "tag 62 tag 08",
        ),
        ("Nộp phí", "a VietQR payload is ASCII text", "payload"),
    ],
)
def test_broken_payloads_get_clear_errors(payload, message, where):
    with pytest.raises(InvalidQrPayload, match=message) as raised:
        parse_payload(payload)
    assert raised.value.where == where


def test_a_lower_case_crc_is_accepted():
    assert parse_payload(VALID[:-4] + "bbb8")["crc"] == "BBB8"


def test_the_crc_field_must_be_a_field_of_its_own_at_the_end():
    # Tag 59's declared length swallows the trailing '6304XXXX', so no tag 63 is left.
    body = "00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA5303704"
    body += "5802VN" + "5910AB6304"
    payload = body + f"{crc16_ccitt_false(body.encode()):04X}"
    with pytest.raises(InvalidQrPayload, match="tag 63 \\(CRC\\) must come last"):
        parse_payload(payload)


@pytest.mark.parametrize(
    ("overrides", "where", "message"),
    [
        ({"bank_bin": "97042"}, "bank_bin", "6-digit BIN"),
        ({"bank_bin": 970422}, "bank_bin", "6-digit BIN"),
        ({"account_number": "0" * 20}, "account_number", "1 to 19 letters or digits"),
        ({"account_number": "0011-0019"}, "account_number", "1 to 19 letters or digits"),
        ({"amount_vnd": 0}, "amount_vnd", "between 1 and 13 digits"),
        ({"amount_vnd": -5}, "amount_vnd", "between 1 and 13 digits"),
        ({"amount_vnd": 10**13}, "amount_vnd", "between 1 and 13 digits"),
        ({"amount_vnd": 50_000.0}, "amount_vnd", "whole number of VND"),
        ({"reference": "chuyển khoản"}, "reference", "ASCII without diacritics"),
        ({"reference": "x" * 26}, "reference", "26 characters; banks keep at most 25"),
        ({"reference": ""}, "reference", "printable ASCII"),
        ({"bill_number": "x" * 26}, "bill_number", "at most 25"),
        ({"service_code": "QRPUSH"}, "service_code", "QRIBFTTA or QRIBFTTC"),
    ],
)
def test_builder_refuses_bad_values_and_names_the_field(overrides, where, message):
    values = {
        "bank_bin": "970436",
        "account_number": "1017123456",
        "amount_vnd": 50_000,
        "reference": "PR7K3MABCDW",
    } | overrides
    with pytest.raises(InvalidQrPayload, match=message) as raised:
        build_payload(**values)
    assert raised.value.where == where
