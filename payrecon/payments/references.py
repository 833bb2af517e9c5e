"""Our payment reference, and finding it again in the text a bank delivers.

A reference looks like ``PR7K3MABCDW``: the fixed prefix ``PR``, eight random characters and one
check character, 11 characters in all. It has to survive a citizen typing it into a banking app,
a VietQR tag 62-08 (at most 25 characters), VNPAY's ``vnp_TxnRef`` (letters and digits only) and
whatever the bank does to the transfer content before it reaches our statement.

Alphabet: upper-case letters and digits without the look-alikes O/0 and I/1, 32 symbols, so each
random character carries 5 bits and the body 40 bits.

Check character: each character's value is read as an element of GF(32) and the string as a
polynomial evaluated at x; the check character makes the whole value zero. Changing one
character changes the value by (difference)·x^k, which is never zero, and swapping two different
characters k ≤ 30 places apart changes it by (difference)·x^i·(x^k + 1), never zero either: every
single substitution and every transposition (adjacent or not) is caught. This is the Damm scheme
over the quasigroup a∘b = x·a + b. Luhn mod N, the usual suggestion, misses swapping the first and
last symbols of the alphabet (here "A9" ↔ "9A"); python-stdnum's Luhn has that gap, and its Damm
would still need our own table, so the few lines below are written out.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PREFIX = "PR"
BODY_LENGTH = 8
REFERENCE_LENGTH = len(PREFIX) + BODY_LENGTH + 1

_VALUE_OF = {symbol: value for value, symbol in enumerate(ALPHABET)}
# x^5 + x^2 + 1, a primitive polynomial: x has order 31 in GF(32).
_FIELD_POLYNOMIAL = 0b100101
_LETTERS_AND_DIGITS = re.compile(r"[A-Z0-9]")
_NOT_LETTER_OR_DIGIT = re.compile(r"[^A-Z0-9]+")


def _times_x(value: int) -> int:
    value <<= 1
    if value & 0b100000:
        value ^= _FIELD_POLYNOMIAL
    return value


def _polynomial_value(text: str) -> int:
    accumulated = 0
    for symbol in text:
        accumulated = _times_x(accumulated) ^ _VALUE_OF[symbol]
    return accumulated


def check_character(payload: str) -> str:
    """The character that, appended to `payload` (alphabet symbols only), makes it valid."""
    if strangers := sorted(set(payload) - set(ALPHABET)):
        raise ValueError(f"{payload!r} has characters outside the alphabet: {''.join(strangers)}")
    return ALPHABET[_times_x(_polynomial_value(payload))]


def new_reference() -> str:
    """A fresh random reference, e.g. 'PR7K3MABCDW'. Uniqueness is the database's job."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return PREFIX + body + check_character(PREFIX + body)


def is_valid_reference(text: str) -> bool:
    """True only for a reference in canonical form: upper case, no spaces, right check character.

    Text typed by a person should go through normalise_candidate() first.
    """
    return (
        len(text) == REFERENCE_LENGTH
        and text.startswith(PREFIX)
        and all(symbol in _VALUE_OF for symbol in text)
        and _polynomial_value(text) == 0
    )


def fold_to_ascii(text: str) -> str:
    """Strip Vietnamese diacritics the way banks do: 'Nộp phí Đăng ký' -> 'Nop phi Dang ky'.

    Decomposes (NFKD) and drops the combining marks; đ/Đ do not decompose and are mapped by
    hand. Other non-ASCII characters are left as they are.
    """
    decomposed = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def normalise_candidate(text: str) -> str:
    """What a person typed, in canonical form: 'pr 7k3m-abcd.w' -> 'PR7K3MABCDW'.

    Folds diacritics, upper-cases and drops everything but ASCII letters and digits. It does not
    validate; pass the result to is_valid_reference().
    """
    return _NOT_LETTER_OR_DIGIT.sub("", fold_to_ascii(text).upper())


@dataclass(frozen=True)
class _Reading:
    """A valid reference read at compact positions [start, start + REFERENCE_LENGTH)."""

    start: int
    reference: str
    aligned_edges: int  # 0, 1 or 2: how many of its ends fall on a word boundary

    def overlaps(self, other: _Reading) -> bool:
        return abs(self.start - other.start) < REFERENCE_LENGTH


def extract_references(text: str) -> list[str]:
    """Every valid reference in free remittance text, unique, in order of appearance.

    Works on the text as banks deliver it: any case, with or without Vietnamese diacritics,
    spaces, dots or dashes inside the reference ('PR 7K3M-ABCD X'), bank prefixes and
    transaction ids around it ('MBVCB.3278123456.PR7K3MABCDW.NGUYEN VAN A chuyen tien'),
    and words glued together when a bank strips the spaces ('NOPPHIPR7K3MABCDWNGUYENVANA').

    How: fold diacritics and case, keep only letters and digits (remembering where each original
    word started and ended), and read 11 characters from every 'PR'. A reading counts only if its
    check character is right, so a reference cut short by a bank's 25-character memo limit, or
    mistyped in one place, is not a match.

    Two valid readings can overlap when 'PR' occurs inside a reference or just before it. A
    reading is reported only if its ends sit on more word boundaries than every reading that
    overlaps it ('PR PR7K3MABCDW' -> 'PR7K3MABCDW'). When they tie (in 'PRPRAAABXYZ2T' both
    'PRPRAAABXYZ' and 'PRAAABXYZ2T' check out), the characters could belong to either
    reference and neither is reported: reconciliation falls back to proposing a match by amount
    for an officer.
    """
    compact, starts_word, ends_word = _compact(fold_to_ascii(text).upper())
    readings: list[_Reading] = []
    for start in range(len(compact) - REFERENCE_LENGTH + 1):
        candidate = compact[start : start + REFERENCE_LENGTH]
        if candidate.startswith(PREFIX) and is_valid_reference(candidate):
            last = start + REFERENCE_LENGTH - 1
            aligned_edges = int(starts_word[start]) + int(ends_word[last])
            readings.append(_Reading(start, candidate, aligned_edges))
    found: list[str] = []
    for reading in readings:
        rivals = [other for other in readings if other is not reading and reading.overlaps(other)]
        best_placed = all(other.aligned_edges < reading.aligned_edges for other in rivals)
        if best_placed and reading.reference not in found:
            found.append(reading.reference)
    return found


def _compact(folded: str) -> tuple[str, list[bool], list[bool]]:
    """Letters and digits of `folded`, and whether each one starts / ends an original word."""
    kept: list[str] = []
    starts_word: list[bool] = []
    ends_word: list[bool] = []
    previous_kept = False
    for char in folded:
        keep = _LETTERS_AND_DIGITS.fullmatch(char) is not None
        if keep:
            kept.append(char)
            starts_word.append(not previous_kept)
            ends_word.append(True)  # until the next character proves otherwise
            if previous_kept:
                ends_word[-2] = False
        previous_kept = keep
    return "".join(kept), starts_word, ends_word
