"""One cell of a bank export: an amount as Vietnamese banks write it, a date, a header label.

Vietnamese exports write 50.000 or 50,000 for fifty thousand dong and dd/mm/yyyy dates; header
labels are compared without diacritics, case or punctuation, and a bilingual "Ngày GD / Date"
cell answers to either half. Shared by the bank statement and settlement report readers.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

_VND_PLAIN = re.compile(r"\d+(?:[.,]0+)?")
_VND_DOTS = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,0+)?")
_VND_COMMAS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.0+)?")
_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def normalise_label(value: object) -> str:
    """'Ngày Giao Dịch' -> 'ngay giao dich'; diacritics, case and punctuation dropped."""
    text = unicodedata.normalize("NFD", str(value or "")).replace("đ", "d").replace("Đ", "d")
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    return " ".join(re.sub(r"[^a-z0-9_]+", " ", text).split())


def label_parts(value: object) -> set[str]:
    """A bilingual cell 'Ghi nợ / Debit' answers to each half and to the whole."""
    parts = {normalise_label(part) for part in re.split(r"[/\n()]", str(value or ""))}
    return (parts | {normalise_label(value)}) - {""}


def parse_vnd(value: object, *, signed: bool = False) -> int | None:
    """Read a VND amount as written in a bank export; None for an empty cell.

    Accepts 50000, 50.000, 50,000, 1.234.567,00 and 1,234,567.00 (the decimals must be zeros:
    the dong has no minor unit), and numeric Excel cells holding a whole number.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not an amount")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):  # an Excel number cell: accepted only when whole
        if not value.is_integer():
            raise ValueError(f"{value!r} is not a whole number of dong")
        number = int(value)
    else:
        text = str(value).strip().replace(" ", "").replace("\u00a0", "")
        text = re.sub(r"(?i)(vnd|vnđ|đ)$", "", text)
        sign = -1 if text.startswith("-") else 1
        text = text.lstrip("+-")
        if _VND_DOTS.fullmatch(text):
            digits = text.split(",")[0].replace(".", "")
        elif _VND_COMMAS.fullmatch(text):
            digits = text.split(".")[0].replace(",", "")
        elif _VND_PLAIN.fullmatch(text):
            digits = re.split(r"[.,]", text)[0]
        else:
            raise ValueError(f"{value!r} is not a VND amount")
        number = sign * int(digits)
    if number < 0 and not signed:
        raise ValueError(f"{value!r} must not be negative")
    return number


def parse_bank_date(value: object, order: str = "dmy") -> date | None:
    """dd/mm/yyyy (optionally with a time), yyyy-mm-dd, or an Excel date cell."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if (match := _ISO.fullmatch(text[:10])) and (order == "iso" or len(text) == 10):
        year, month, day = (int(part) for part in match.groups())
    elif order == "dmy" and (match := _DMY.fullmatch(text)):
        day, month, year = (int(part) for part in match.groups())
    else:
        expected = "yyyy-mm-dd" if order == "iso" else "dd/mm/yyyy"
        raise ValueError(f"{value!r} is not a date ({expected})")
    return date(year, month, day)
