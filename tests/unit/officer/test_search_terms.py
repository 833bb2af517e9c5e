import pytest

from payrecon.errors import InvalidInput
from payrecon.payments.references import new_reference
from payrecon.web.officer.search_terms import (
    InvoiceNumber,
    mask_id_number,
    parse_invoice_number,
    parse_search_term,
)


def test_an_id_number_shows_only_its_last_four_digits():
    assert mask_id_number("022090001234") == "••••••••1234"
    assert mask_id_number("123456789") == "•••••6789"
    assert mask_id_number("123") == "123"
    assert mask_id_number(None) == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("C26TAA-123", InvoiceNumber(None, "C26TAA", 123)),
        ("1C26TAA 0000123", InvoiceNumber("1", "C26TAA", 123)),
        ("c26taa/7", InvoiceNumber(None, "C26TAA", 7)),
        ("K26TB1#42", InvoiceNumber(None, "K26TB1", 42)),
    ],
)
def test_invoice_numbers_are_read_in_the_ways_people_write_them(text, expected):
    assert parse_invoice_number(text) == expected


@pytest.mark.parametrize("text", ["C26TAA", "123", "X26TAA-1", "C26TAA-0", "C26TAA-123456789"])
def test_a_malformed_invoice_number_is_refused_on_the_term_field(text):
    with pytest.raises(InvalidInput) as refused:
        parse_invoice_number(text)
    assert refused.value.where == "term"


def test_a_reference_typed_loosely_is_normalised_and_checked():
    reference = new_reference()
    loose = f" {reference[:5].lower()} {reference[5:]} "
    assert parse_search_term("reference", loose).text == reference
    wrong_check = reference[:-1] + ("A" if reference[-1] != "A" else "B")
    with pytest.raises(InvalidInput, match="payment reference"):
        parse_search_term("reference", wrong_check)


def test_id_numbers_are_twelve_or_nine_digits_and_the_error_does_not_repeat_them():
    assert parse_search_term("id_number", "022 090 001 234").text == "022090001234"
    assert parse_search_term("id_number", "123456789").text == "123456789"
    with pytest.raises(InvalidInput) as refused:
        parse_search_term("id_number", "02209000123")
    assert "02209000123" not in str(refused.value)


def test_dossier_codes_are_upper_cased_and_other_kinds_refused():
    assert parse_search_term("dossier_code", " hs-000123 ").text == "HS-000123"
    with pytest.raises(InvalidInput, match="dossier code"):
        parse_search_term("dossier_code", "HS 1; drop")
    with pytest.raises(InvalidInput) as unknown:
        parse_search_term("phone", "0912345678")
    assert unknown.value.where == "kind"


def test_an_empty_or_overlong_term_is_refused():
    with pytest.raises(InvalidInput, match="enter something"):
        parse_search_term("reference", "   ")
    with pytest.raises(InvalidInput, match="at most 60"):
        parse_search_term("dossier_code", "A" * 61)
