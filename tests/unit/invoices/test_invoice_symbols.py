"""Series symbols and the local year that decides them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from payrecon.errors import InvalidInput
from payrecon.invoices.symbols import (
    SeriesSymbol,
    invoice_year,
    parse_series,
    series_for,
    series_symbol,
)


def test_a_coded_series_for_2026_and_agency_aa():
    assert series_symbol(2026, "AA") == "C26TAA"
    assert series_symbol(2025, "B7", coded=False) == "K25TB7"
    assert series_symbol(2030, "QN", kind="G") == "C30GQN"


def test_new_year_starts_at_local_midnight_not_utc():
    just_after_local_midnight = datetime(2025, 12, 31, 17, 30, tzinfo=UTC)  # 00:30 on 1 Jan in VN
    just_before = datetime(2025, 12, 31, 16, 59, 59, tzinfo=UTC)  # 23:59:59 on 31 Dec in VN
    assert invoice_year(just_after_local_midnight) == 2026
    assert invoice_year(just_before) == 2025
    assert series_for(just_after_local_midnight, "AA") == "C26TAA"
    assert series_for(just_before, "AA") == "C25TAA"


def test_an_offset_other_than_vietnam_is_converted():
    new_york = timezone(timedelta(hours=-5))
    assert invoice_year(datetime(2025, 12, 31, 12, 0, tzinfo=new_york)) == 2026


def test_a_naive_time_is_refused():
    with pytest.raises(InvalidInput, match="timezone-aware"):
        invoice_year(datetime(2026, 1, 1))


@pytest.mark.parametrize(
    ("year", "suffix", "kind", "where"),
    [
        (1999, "AA", "T", "year"),
        (2026, "aa", "T", "agency_suffix"),
        (2026, "A", "T", "agency_suffix"),
        (2026, "AA", "X", "kind"),
        (2026, "AA", "TT", "kind"),
    ],
)
def test_bad_parts_are_refused_naming_the_part(year, suffix, kind, where):
    with pytest.raises(InvalidInput) as caught:
        series_symbol(year, suffix, kind=kind)
    assert caught.value.where == where


def test_parse_series_splits_and_round_trips():
    parsed = parse_series("K23TXM")
    assert parsed == SeriesSymbol(coded=False, year=2023, kind="T", suffix="XM")
    assert str(parsed) == "K23TXM"


@pytest.mark.parametrize("symbol", ["C26TA", "X26TAA", "C2XTAA", "C26XAA", "1C26TAA", "c26taa"])
def test_parse_series_refuses_malformed_symbols(symbol):
    with pytest.raises(InvalidInput, match="series"):
        parse_series(symbol)
