"""Invoice series symbols (KHHDon) and the local year they belong to.

A KHHDon has six characters (Circular 78/2021, reference §1.4):
    C        the invoice carries a tax-authority code (K: without one)
    26       the last two digits of the year of issue
    T        kind: T registered by an organisation; D, L, M, N, B, G, H for other kinds
    AA       two characters the seller chooses, here one pair per agency
Because the year is part of the symbol, every series ends on 31 December and numbering
restarts at 1 on 1 January, local time (Asia/Ho_Chi_Minh), not UTC: an invoice issued at
00:30 on 1 January in Hạ Long belongs to the new year although it is still 31 December in UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from payrecon.errors import InvalidInput

LOCAL_TIME = ZoneInfo("Asia/Ho_Chi_Minh")
KINDS = "TDLMNBGH"
SERIES_PATTERN = re.compile(
    r"(?P<coded>[CK])(?P<yy>[0-9]{2})(?P<kind>[TDLMNBGH])(?P<suffix>[A-Z0-9]{2})"
)
AGENCY_SUFFIX = re.compile(r"[A-Z0-9]{2}")


@dataclass(frozen=True)
class SeriesSymbol:
    coded: bool  # True for C (with tax-authority code)
    year: int  # four digits, 2000..2099
    kind: str  # one of KINDS
    suffix: str  # the seller's two characters

    def __str__(self) -> str:
        return f"{'C' if self.coded else 'K'}{self.year % 100:02d}{self.kind}{self.suffix}"


def invoice_year(issued_at: datetime) -> int:
    """The calendar year of `issued_at` in Vietnam; `issued_at` must be timezone-aware."""
    if issued_at.tzinfo is None or issued_at.utcoffset() is None:
        raise InvalidInput("issued_at must be timezone-aware", where="issued_at")
    return issued_at.astimezone(LOCAL_TIME).year


def series_symbol(year: int, agency_suffix: str, *, coded: bool = True, kind: str = "T") -> str:
    """The KHHDon for `year` and an agency's two-character suffix, e.g. (2026, "AA") -> "C26TAA"."""
    if not 2000 <= year <= 2099:
        raise InvalidInput(f"year {year} cannot be written in two digits", where="year")
    if not AGENCY_SUFFIX.fullmatch(agency_suffix):
        raise InvalidInput(
            f"agency suffix {agency_suffix!r} must be two capital letters or digits",
            where="agency_suffix",
        )
    if kind not in KINDS or len(kind) != 1:
        raise InvalidInput(f"kind {kind!r} must be one of {', '.join(KINDS)}", where="kind")
    return str(SeriesSymbol(coded=coded, year=year, kind=kind, suffix=agency_suffix))


def series_for(issued_at: datetime, agency_suffix: str, *, coded: bool = True) -> str:
    """The series an invoice issued at `issued_at` belongs to (the local year decides)."""
    return series_symbol(invoice_year(issued_at), agency_suffix, coded=coded)


def parse_series(symbol: str, *, where: str = "KHHDon") -> SeriesSymbol:
    """Split a KHHDon into its parts, or raise InvalidInput saying what is wrong."""
    match = SERIES_PATTERN.fullmatch(symbol)
    if match is None:
        raise InvalidInput(
            f"series {symbol!r} is not C/K + 2-digit year + kind letter + 2 characters",
            where=where,
        )
    return SeriesSymbol(
        coded=match["coded"] == "C",
        year=2000 + int(match["yy"]),
        kind=match["kind"],
        suffix=match["suffix"],
    )
