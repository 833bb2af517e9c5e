"""VND amounts: parse them from outside text, format them for people, read them out in Vietnamese.

Pure: stdlib and payrecon.errors only. An amount is a Python int of whole đồng; VND has no minor
unit, so there is no float and no Decimal anywhere in here.
"""

from __future__ import annotations

import re

from payrecon.errors import InvalidInput

MAX_DIGITS = 18  # 10**18 - 1 still fits a signed 64-bit column (BigInteger, pandas int64)

# Longest first, so "VNĐ" is not read as "V" + "NĐ". re.IGNORECASE folds Đ/đ as well as D/d.
# "đồng"/"dong" are not bank notation but appear in typed-in amounts; banks strip diacritics.
# A mark must not touch other letters: "USD" is letters, not "US" + a mark "D".
_CURRENCY_MARK = r"(?:vnđ|vnd|đồng|dong|₫|đ|d)"
_NOT_A_LETTER_AFTER = r"(?![^\W\d_])"
_NOT_A_LETTER_BEFORE = r"(?<![^\W\d_])"
_LEADING_MARK = re.compile(_CURRENCY_MARK + _NOT_A_LETTER_AFTER, re.IGNORECASE)
_TRAILING_MARK = re.compile(_NOT_A_LETTER_BEFORE + _CURRENCY_MARK + "$", re.IGNORECASE)

# Characters that may group thousands. NBSP and the narrow NBSP are what spreadsheets and
# French/Vietnamese locales put there; they all count as one kind of separator, "space".
_SPACE_SEPARATORS = frozenset(" \u00a0\u202f")
_SEPARATOR_NAMES = {".": "'.'", ",": "','", " ": "a space"}
_DIGITS = frozenset("0123456789")


def _reject(text: str | int, reason: str, where: str | None) -> InvalidInput:
    return InvalidInput(f"{text!r} is not a valid VND amount: {reason}", where=where)


def parse_vnd(text: str | int, *, where: str | None = None, allow_negative: bool = False) -> int:
    """Read a whole-đồng amount written the way banks, spreadsheets and people write it.

    Accepted: "1250000", "1.250.000", "1,250,000", "1 250 000" (space, NBSP or narrow NBSP),
    a currency mark before or after ("₫", "đ", "d", "VND", "VNĐ", "đồng", any case), spaces around,
    a leading "+", and zero decimals ",00"/".00" as some bank exports print them. With
    allow_negative, also a leading "-" or the accountants' parentheses "(1.250.000)".

    Both "." and "," are read as thousands separators: VND has no minor unit, so "1.250" and
    "1,250" can only mean 1250. A separator followed by anything other than exactly three digits
    is a decimal part, which is refused unless it is zero.

    An int is checked against the same sign and size limits and returned unchanged; a bool is
    not an amount. Raises InvalidInput(where=where) saying what is wrong.
    """
    if isinstance(text, bool):
        raise _reject(text, "a true/false value is not an amount", where)
    if isinstance(text, int):
        _check_range(text, text, where=where, allow_negative=allow_negative)
        return text
    if not isinstance(text, str):
        kind = type(text).__name__
        raise _reject(text, f"expected text or an integer, got {kind}", where)

    body = text.strip()
    if not body:
        raise _reject(text, "it is empty", where)

    negative = False
    if body.startswith("(") or body.endswith(")"):
        if not (body.startswith("(") and body.endswith(")")):
            raise _reject(text, "unbalanced parenthesis", where)
        if not allow_negative:
            raise _reject(text, "negative amounts (in parentheses) are not allowed here", where)
        body = body[1:-1].strip()
        negative = True

    body, sign = _take_sign(body, text, where, already_negative=negative)
    body, leading_mark = _take_leading_mark(body)
    if sign is None and leading_mark:
        body, sign = _take_sign(body, text, where, already_negative=negative)
    body, trailing_mark = _take_trailing_mark(body)
    if trailing_mark and (leading_mark or _TRAILING_MARK.search(body)):
        raise _reject(text, "the currency mark is given twice", where)
    if sign == "-":
        if not allow_negative:
            raise _reject(text, "negative amounts are not allowed here", where)
        negative = True

    digits = _digits_of(body, text, where).lstrip("0") or "0"
    if len(digits) > MAX_DIGITS:  # checked before int(), which refuses very long strings
        raise _reject(text, f"it has more than {MAX_DIGITS} digits", where)
    amount = -int(digits) if negative else int(digits)
    _check_range(amount, text, where=where, allow_negative=allow_negative)
    return amount


def _take_sign(
    body: str, text: str, where: str | None, *, already_negative: bool
) -> tuple[str, str | None]:
    if body[:1] not in ("+", "-"):
        return body, None
    if already_negative:
        raise _reject(text, "a sign inside parentheses; use one or the other", where)
    return body[1:].lstrip(), body[0]


def _take_leading_mark(body: str) -> tuple[str, bool]:
    match = _LEADING_MARK.match(body)
    if match is None:
        return body, False
    return body[match.end() :].lstrip(), True


def _take_trailing_mark(body: str) -> tuple[str, bool]:
    match = _TRAILING_MARK.search(body)
    if match is None:
        return body, False
    return body[: match.start()].rstrip(), True


def _digits_of(body: str, text: str, where: str | None) -> str:
    """Return the bare digits of a grouped number, or say why it is not one."""
    if not body:
        raise _reject(text, "there are no digits", where)
    for char in body:
        if char in _DIGITS or char in ".," or char in _SPACE_SEPARATORS:
            continue
        if char.isalpha():
            letters = "".join(c for c in body if c.isalpha())
            raise _reject(
                text, f"it contains letters ({letters!r}); only VND marks are allowed", where
            )
        raise _reject(text, f"unexpected character {char!r}", where)

    normalised = "".join(" " if c in _SPACE_SEPARATORS else c for c in body)
    integer_part, decimal_separator = _drop_zero_decimals(normalised, text, where)
    if not integer_part:
        raise _reject(text, "there are no digits before the decimal separator", where)

    separators = sorted({c for c in integer_part if c in _SEPARATOR_NAMES})
    if len(separators) > 1:
        names = " and ".join(_SEPARATOR_NAMES[s] for s in separators)
        raise _reject(text, f"mixed thousands separators ({names})", where)
    if not separators:
        return integer_part
    separator = separators[0]
    if separator == decimal_separator:
        name = _SEPARATOR_NAMES[separator]
        raise _reject(text, f"{name} is used both to group thousands and for decimals", where)
    groups = integer_part.split(separator)
    if not (1 <= len(groups[0]) <= 3) or any(len(group) != 3 for group in groups[1:]):
        raise _reject(
            text,
            f"bad grouping {integer_part!r}: after a first group of 1-3 digits, "
            "every group must have exactly 3 digits",
            where,
        )
    return "".join(groups)


def _drop_zero_decimals(number: str, text: str, where: str | None) -> tuple[str, str | None]:
    """Cut off a zero decimal part ("…,00"); return the rest and the decimal separator used.

    When the last separator is "." or "," and fewer or more than three digits follow it, those
    digits are a decimal part (three digits are a thousands group). Only "0" and "00" are
    accepted, as some bank exports print them; anything else is a minor unit VND does not have.
    """
    cut = max(number.rfind(separator) for separator in _SEPARATOR_NAMES)
    if cut < 0 or number[cut] == " ":
        return number, None
    tail = number[cut + 1 :]
    if len(tail) in (0, 3):  # an empty tail is left for the grouping check to report
        return number, None
    if tail in ("0", "00"):
        return number[:cut], number[cut]
    raise _reject(
        text,
        f"it has a decimal part ({number[cut:]!r}); VND has no minor unit "
        "(only a zero ',00' or '.00' is accepted)",
        where,
    )


def _check_range(amount: int, text: str | int, *, where: str | None, allow_negative: bool) -> None:
    if amount < 0 and not allow_negative:
        raise _reject(text, "negative amounts are not allowed here", where)
    if abs(amount) >= 10**MAX_DIGITS:
        raise _reject(text, f"it has more than {MAX_DIGITS} digits", where)


def format_vnd(amount: int, *, symbol: bool = True) -> str:
    """Write an amount the Vietnamese way: "1.250.000 ₫", "-1.250.000 ₫", or "1.250.000".

    The space before ₫ is a plain ASCII space, so the result survives CSV, e-mail and copy-paste.
    """
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"format_vnd takes an int of VND, got {type(amount).__name__}")
    grouped = f"{abs(amount):,}".replace(",", ".")
    text = f"-{grouped}" if amount < 0 else grouped
    return f"{text} ₫" if symbol else text


# ---- amount in words (TgTTTBChu on an e-invoice) ----------------------------------------------

_DIGIT_WORDS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_BILLION = 10**9
_GROUP_NAMES = ("triệu", "nghìn", "")  # the three groups below a tỷ, most significant first


def amount_in_words_vi(amount: int) -> str:
    """Read an amount out in Vietnamese as printed on an e-invoice (TgTTTBChu).

    13_690_000 -> "Mười ba triệu sáu trăm chín mươi nghìn đồng"; 0 -> "Không đồng";
    negatives start with "Âm". The first letter is capitalised, there is no final period.

    Spelling choices, taken from the real invoices quoted in shared/reference/einvoice.md §1.13
    and the expected readings in §4:
    - "nghìn" (not "ngàn") and "tỷ" (not "tỉ");
    - "lẻ" (not "linh") for a zero tens digit: 105 -> "một trăm lẻ năm";
    - 4 after "mươi" is "bốn", not "tư": 24 -> "hai mươi bốn", as in the real invoice
      "Một triệu hai trăm tám mươi bốn nghìn đồng";
    - 1 after "mươi" is "mốt" (21 -> "hai mươi mốt") but 11 stays "mười một";
    - 5 after "mười"/"mươi" is "lăm" (15 -> "mười lăm", 25 -> "hai mươi lăm"), alone "năm";
    - a group that is not the leading one is read in full, with "không trăm" for its empty
      hundreds: 523_056 -> "… nghìn không trăm năm mươi sáu", 1_005 -> "một nghìn không trăm
      lẻ năm"; groups that are all zeros are left out: 1_000_005 -> "một triệu không trăm lẻ năm";
    - above 10**9 the part in tỷ is read as a number of its own and followed by "tỷ", so tỷ
      repeats: 1_100_000_000_000 -> "một nghìn một trăm tỷ", 10**18 -> "một tỷ tỷ".
    """
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"amount_in_words_vi takes an int of VND, got {type(amount).__name__}")
    if amount == 0:
        return "Không đồng"
    words = _number_words(abs(amount), leading=True)
    if amount < 0:
        words.insert(0, "âm")
    sentence = " ".join([*words, "đồng"])
    return sentence[0].upper() + sentence[1:]


def _number_words(number: int, *, leading: bool) -> list[str]:
    """Words for a positive number; `leading` is False when more significant words come before."""
    if number >= _BILLION:
        billions, rest = divmod(number, _BILLION)
        words = [*_number_words(billions, leading=leading), "tỷ"]
        if rest:
            words += _number_words(rest, leading=False)
        return words
    groups = (number // 1_000_000, number // 1_000 % 1_000, number % 1_000)
    words = []
    for group, name in zip(groups, _GROUP_NAMES, strict=True):
        if group == 0:
            continue
        words += _group_words(group, in_full=not leading)
        if name:
            words.append(name)
        leading = False
    return words


def _group_words(group: int, *, in_full: bool) -> list[str]:
    """Words for 1..999; `in_full` reads empty hundreds as "không trăm" (inside a number)."""
    hundreds, tens, units = group // 100, group // 10 % 10, group % 10
    words = []
    has_hundreds = hundreds > 0 or in_full
    if has_hundreds:
        words += [_DIGIT_WORDS[hundreds], "trăm"]
    if tens == 0:
        if units:
            words += ["lẻ", _DIGIT_WORDS[units]] if has_hundreds else [_DIGIT_WORDS[units]]
        return words
    if tens == 1:
        words.append("mười")
        if units:
            words.append("lăm" if units == 5 else _DIGIT_WORDS[units])
        return words
    words += [_DIGIT_WORDS[tens], "mươi"]
    if units == 1:
        words.append("mốt")
    elif units == 5:
        words.append("lăm")
    elif units:
        words.append(_DIGIT_WORDS[units])
    return words
