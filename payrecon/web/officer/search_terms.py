"""What an officer typed into the search box, checked and normalised. Pure.

Four kinds of term: a payment reference, a dossier code, a citizen's ID number (CCCD, 12
digits, or the old 9-digit CMND), and an invoice number written as the series and the number
("C26TAA-123", "1C26TAA 0000123", "C26TAA/123"). Bad input is an InvalidInput naming the
field; the message never repeats the term (an ID number must not reach a log through an error).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from payrecon.errors import InvalidInput
from payrecon.payments.references import is_valid_reference, normalise_candidate

KINDS = ("reference", "dossier_code", "id_number", "invoice_number")
FIELD = "term"
MAX_TERM_LENGTH = 60

_ID_NUMBER = re.compile(r"\d{9}|\d{12}")
# optional template code (1 digit), series (C/K + year + type + 2 letters), separator, number
_INVOICE_NUMBER = re.compile(
    r"(?P<template>\d)?(?P<series>[CK]\d{2}[A-Z][A-Z0-9]{2})[\s/#-]*(?P<number>\d{1,8})"
)
_DOSSIER_CODE = re.compile(r"[\w./-]{1,60}")


@dataclass(frozen=True)
class InvoiceNumber:
    template_code: str | None  # None: any template ("1" for VAT invoices, "2" for sales ...)
    series: str
    number: int


@dataclass(frozen=True)
class SearchTerm:
    kind: str
    text: str  # normalised: upper-case, no spaces where none belong
    invoice_number: InvoiceNumber | None = None


def mask_id_number(id_number: str | None) -> str:
    """An ID number with all but its last 4 characters replaced by •; '' for none."""
    if not id_number:
        return ""
    visible = id_number[-4:]
    return "•" * max(len(id_number) - 4, 0) + visible


def parse_invoice_number(text: str) -> InvoiceNumber:
    match = _INVOICE_NUMBER.fullmatch(text.strip().upper())
    if match is None:
        raise InvalidInput(
            "an invoice number is its series and number, like C26TAA-123", where=FIELD
        )
    number = int(match["number"])
    if number < 1:
        raise InvalidInput("invoice numbers start at 1", where=FIELD)
    return InvoiceNumber(match["template"], match["series"], number)


def parse_search_term(kind: str, raw: str) -> SearchTerm:
    """The term checked for its kind; InvalidInput(where='term' or 'kind') otherwise."""
    if kind not in KINDS:
        raise InvalidInput(f"unknown kind of search; one of {', '.join(KINDS)}", where="kind")
    text = (raw or "").strip()
    if not text:
        raise InvalidInput("enter something to search for", where=FIELD)
    if len(text) > MAX_TERM_LENGTH:
        raise InvalidInput(f"at most {MAX_TERM_LENGTH} characters", where=FIELD)
    if kind == "id_number":
        digits = re.sub(r"[\s.]", "", text)
        if not _ID_NUMBER.fullmatch(digits):
            raise InvalidInput("an ID number has 12 digits (CCCD) or 9 (CMND)", where=FIELD)
        return SearchTerm(kind, digits)
    if kind == "invoice_number":
        parsed = parse_invoice_number(text)
        return SearchTerm(kind, text.upper(), parsed)
    if kind == "reference":
        reference = normalise_candidate(text)
        if not is_valid_reference(reference):
            raise InvalidInput(
                "a payment reference is PR and 9 letters or digits, like PR7K3MABCDW", where=FIELD
            )
        return SearchTerm(kind, reference)
    code = text.upper()
    if not _DOSSIER_CODE.fullmatch(code):
        raise InvalidInput("a dossier code has letters, digits, '-', '.' and '/'", where=FIELD)
    return SearchTerm(kind, code)
