import pytest

from payrecon.errors import StatementFormatError
from payrecon.statements.parsed import minor_unit_exponent, to_minor_units


@pytest.mark.parametrize(
    ("text", "currency", "expected"),
    [
        ("50000", "VND", 50000),
        ("50000.00", "VND", 50000),
        ("664.05", "EUR", 66405),
        ("600,", "EUR", 60000),
        ("380115,1", "EUR", 38011510),
        ("000000000000149.87", "EUR", 14987),
        ("2700", "JPY", 2700),
        ("0", "SEK", 0),
        ("1.234", "KWD", 1234),
    ],
)
def test_decimal_text_becomes_exact_minor_units(text, currency, expected):
    assert to_minor_units(text, currency, where="x") == expected


def test_a_vnd_amount_with_real_decimals_is_refused_not_rounded():
    with pytest.raises(StatementFormatError, match="more decimals than VND allows") as caught:
        to_minor_units("50000.5", "VND", where="/Ntry[1]/Amt")
    assert caught.value.where == "/Ntry[1]/Amt"


def test_five_decimal_euro_amount_is_refused():
    with pytest.raises(StatementFormatError, match="more decimals"):
        to_minor_units("1.00001", "EUR", where="x")


@pytest.mark.parametrize("text", ["12..34", "", "abc", "1e3", ".", "1 000"])
def test_malformed_amounts_are_refused(text):
    with pytest.raises(StatementFormatError, match="not a decimal number"):
        to_minor_units(text, "EUR", where="x")


def test_negative_only_when_asked_for():
    with pytest.raises(StatementFormatError, match="must not be negative"):
        to_minor_units("-1.00", "EUR", where="x")
    assert to_minor_units("-1.00", "EUR", where="x", signed=True) == -100


def test_currency_exponents():
    assert [minor_unit_exponent(c) for c in ("VND", "JPY", "EUR", "CHF", "SEK", "BHD")] == [
        0,
        0,
        2,
        2,
        2,
        3,
    ]
    with pytest.raises(StatementFormatError, match="not an ISO 4217"):
        minor_unit_exponent("dong")
