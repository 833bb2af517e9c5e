import pytest
from hypothesis import given
from hypothesis import strategies as st

from payrecon.errors import InvalidInput
from payrecon.money import amount_in_words_vi, format_vnd, parse_vnd

NBSP = "\u00a0"
NARROW_NBSP = "\u202f"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1250000", 1_250_000),
        ("1.250.000", 1_250_000),
        ("1,250,000", 1_250_000),
        ("1 250 000", 1_250_000),
        (f"1{NBSP}250{NBSP}000", 1_250_000),
        (f"1{NARROW_NBSP}250{NARROW_NBSP}000", 1_250_000),
        ("1.250", 1_250),
        ("1,250", 1_250),
        ("999", 999),
        ("0", 0),
        ("0001250000", 1_250_000),
        ("  1.250.000  ", 1_250_000),
        ("1.250.000 ₫", 1_250_000),
        ("1.250.000₫", 1_250_000),
        ("₫1.250.000", 1_250_000),
        ("1.250.000 đ", 1_250_000),
        ("1.250.000Đ", 1_250_000),
        ("1.250.000d", 1_250_000),
        ("1.250.000 VND", 1_250_000),
        ("VND 1,250,000", 1_250_000),
        ("vnd1250000", 1_250_000),
        ("1.250.000 VNĐ", 1_250_000),
        ("1.250.000 vnđ", 1_250_000),
        ("1.250.000 đồng", 1_250_000),
        ("+1.250.000", 1_250_000),
        ("+ 1.250.000 ₫", 1_250_000),
        ("VND +1.250.000", 1_250_000),
        ("1.250.000,00", 1_250_000),
        ("1,250,000.00", 1_250_000),
        ("1 250 000,00", 1_250_000),
        ("1250000.00", 1_250_000),
        ("1250000,0", 1_250_000),
        ("0,00", 0),
        ("1.250.000,00 VND", 1_250_000),
        ("999.999.999.999.999.999", 999_999_999_999_999_999),
    ],
)
def test_parse_vnd_reads_the_ways_amounts_are_written(text, expected):
    assert parse_vnd(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-1.250.000", -1_250_000),
        ("- 1.250.000 ₫", -1_250_000),
        ("-VND 1,250,000", -1_250_000),
        ("VND -1,250,000", -1_250_000),
        ("(1.250.000)", -1_250_000),
        ("( 1.250.000 ₫ )", -1_250_000),
        ("(VND 1,250,000.00)", -1_250_000),
        ("1.250.000", 1_250_000),
        ("+5", 5),
    ],
)
def test_parse_vnd_reads_negatives_when_allowed(text, expected):
    assert parse_vnd(text, allow_negative=True) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "it is empty"),
        ("   ", "it is empty"),
        (NBSP, "it is empty"),
        ("₫", "there are no digits"),
        ("VND", "there are no digits"),
        ("12,5", "decimal part (',5')"),
        ("12.5", "decimal part ('.5')"),
        ("1.250.000,50", "decimal part (',50')"),
        ("1,250,000.05", "decimal part ('.05')"),
        ("1250,0000", "decimal part (',0000')"),
        ("12a5", "letters ('a')"),
        ("abc", "letters ('abc')"),
        ("100 USD", "letters ('USD')"),
        ("1.250.000 EUR", "letters ('EUR')"),
        ("1.250,000", "mixed thousands separators (',' and '.')"),
        ("1 250.000", "mixed thousands separators (a space and '.')"),
        ("1.250.000.00", "'.' is used both to group thousands and for decimals"),
        ("1,250,000,00", "',' is used both to group thousands and for decimals"),
        ("1.25.000", "bad grouping '1.25.000'"),
        ("1250.000.000", "bad grouping '1250.000.000'"),
        ("1.2500.000", "bad grouping"),
        ("1..250", "bad grouping"),
        ("1.", "bad grouping"),
        (".250", "bad grouping"),
        ("1  250", "bad grouping"),
        (",00", "no digits before the decimal separator"),
        ("-1.250.000", "negative amounts are not allowed here"),
        ("(1.250.000)", "negative amounts (in parentheses) are not allowed here"),
        ("1234567890123456789", "more than 18 digits"),
        ("1.000.000.000.000.000.000", "more than 18 digits"),
        ("1" * 5000, "more than 18 digits"),
        ("1.250.000 ₫ VND", "the currency mark is given twice"),
        ("VND 1.250.000 ₫", "the currency mark is given twice"),
        ("1.250.000-", "unexpected character '-'"),
        ("+-5", "unexpected character '-'"),
        ("1_250_000", "unexpected character '_'"),
        ("1.250.000 €", "unexpected character '€'"),
        ("(1.250.000", "unbalanced parenthesis"),
    ],
)
def test_parse_vnd_rejects_bad_text_and_says_why(text, reason):
    with pytest.raises(InvalidInput) as caught:
        parse_vnd(text, where="line 7, column amount")
    assert reason in str(caught.value)
    assert repr(text) in str(caught.value)
    assert caught.value.where == "line 7, column amount"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("(-1.250.000)", "a sign inside parentheses"),
        ("(1.250.000", "unbalanced parenthesis"),
        ("1.250.000)", "unbalanced parenthesis"),
        ("-12,5", "decimal part"),
        ("--5", "unexpected character '-'"),
        ("-1234567890123456789", "more than 18 digits"),
    ],
)
def test_parse_vnd_rejects_bad_negatives_and_says_why(text, reason):
    with pytest.raises(InvalidInput, match=reason):
        parse_vnd(text, allow_negative=True)


def test_parse_vnd_without_where_leaves_where_empty():
    with pytest.raises(InvalidInput) as caught:
        parse_vnd("12,5")
    assert caught.value.where is None


def test_parse_vnd_returns_an_int_as_is():
    assert parse_vnd(1_250_000) == 1_250_000
    assert parse_vnd(-5, allow_negative=True) == -5
    assert type(parse_vnd(7)) is int


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (True, "true/false"),
        (False, "true/false"),
        (-5, "negative amounts are not allowed here"),
        (10**18, "more than 18 digits"),
        (12.5, "got float"),
        (None, "got NoneType"),
    ],
)
def test_parse_vnd_rejects_values_that_are_not_amounts(value, reason):
    with pytest.raises(InvalidInput, match=reason) as caught:
        parse_vnd(value, where="body.amount")
    assert caught.value.where == "body.amount"


@pytest.mark.parametrize(
    ("amount", "with_symbol", "plain"),
    [
        (0, "0 ₫", "0"),
        (5, "5 ₫", "5"),
        (999, "999 ₫", "999"),
        (1_000, "1.000 ₫", "1.000"),
        (1_250_000, "1.250.000 ₫", "1.250.000"),
        (-1_250_000, "-1.250.000 ₫", "-1.250.000"),
        (1_100_000_000_000, "1.100.000.000.000 ₫", "1.100.000.000.000"),
    ],
)
def test_format_vnd_groups_with_dots(amount, with_symbol, plain):
    assert format_vnd(amount) == with_symbol
    assert format_vnd(amount, symbol=False) == plain


def test_format_vnd_puts_a_plain_space_before_the_symbol():
    assert format_vnd(50_000)[-2:] == " ₫"
    assert NBSP not in format_vnd(50_000)


@pytest.mark.parametrize("value", [12.5, "1250000", True, None])
def test_format_vnd_refuses_anything_but_an_int(value):
    with pytest.raises(TypeError):
        format_vnd(value)


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "Không đồng"),
        (1, "Một đồng"),
        (5, "Năm đồng"),
        (10, "Mười đồng"),
        (11, "Mười một đồng"),
        (14, "Mười bốn đồng"),
        (15, "Mười lăm đồng"),
        (20, "Hai mươi đồng"),
        (21, "Hai mươi mốt đồng"),
        (24, "Hai mươi bốn đồng"),
        (25, "Hai mươi lăm đồng"),
        (100, "Một trăm đồng"),
        (105, "Một trăm lẻ năm đồng"),
        (110, "Một trăm mười đồng"),
        (111, "Một trăm mười một đồng"),
        (1_005, "Một nghìn không trăm lẻ năm đồng"),
        (1_010, "Một nghìn không trăm mười đồng"),
        (1_021, "Một nghìn không trăm hai mươi mốt đồng"),
        (10_000, "Mười nghìn đồng"),
        (50_000, "Năm mươi nghìn đồng"),
        (523_056, "Năm trăm hai mươi ba nghìn không trăm năm mươi sáu đồng"),
        (1_284_000, "Một triệu hai trăm tám mươi bốn nghìn đồng"),
        (1_000_005, "Một triệu không trăm lẻ năm đồng"),
        (13_690_000, "Mười ba triệu sáu trăm chín mươi nghìn đồng"),
        (145_001_000, "Một trăm bốn mươi lăm triệu không trăm lẻ một nghìn đồng"),
        (1_000_000_000, "Một tỷ đồng"),
        (2_015_000_000, "Hai tỷ không trăm mười lăm triệu đồng"),
        (1_100_000_000_000, "Một nghìn một trăm tỷ đồng"),
        (1_000_000_000_010, "Một nghìn tỷ không trăm mười đồng"),
        (10**18, "Một tỷ tỷ đồng"),
        (-1_000, "Âm một nghìn đồng"),
        (-13_690_000, "Âm mười ba triệu sáu trăm chín mươi nghìn đồng"),
    ],
)
def test_amount_in_words_vi_reads_like_an_invoice(amount, words):
    assert amount_in_words_vi(amount) == words


@pytest.mark.parametrize("value", [12.5, "100", True, None])
def test_amount_in_words_vi_refuses_anything_but_an_int(value):
    with pytest.raises(TypeError):
        amount_in_words_vi(value)


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_format_then_parse_gives_the_amount_back(amount):
    assert parse_vnd(format_vnd(amount), allow_negative=True) == amount
    assert parse_vnd(format_vnd(amount, symbol=False), allow_negative=True) == amount


@given(st.integers(min_value=0, max_value=10**15))
def test_amount_in_words_vi_is_always_a_clean_sentence(amount):
    words = amount_in_words_vi(amount)
    assert words.endswith(" đồng")
    assert "  " not in words
    assert words == words.strip()
    assert words[0].isupper()
    assert not words.startswith("Không trăm")
