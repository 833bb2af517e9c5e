"""What a run's report shows, as plain rows: the one input of the xlsx, csv and html writers.

Pure: plain values in, plain values out. Nothing here depends on when the report is made or
on the run's id, so a re-run of the same date with the same data gives byte-identical files.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from payrecon.reconciliation.classify import EXCEPTION_KINDS

SUMMARY_HEADER = (
    "agency",
    "procedure",
    "expected_count",
    "expected_vnd",
    "received_vnd",
    "matched_count",
    "matched_vnd",
    "open_exceptions",
    "open_vnd",
    *(f"open_{kind}" for kind in EXCEPTION_KINDS),
)
EXCEPTION_HEADER = (
    "kind",
    "fingerprint",
    "amount_vnd",
    "agency",
    "procedure",
    "status",
    "resolution",
    "resolved_by",
    "note",
    "evidence",
)
MATCH_HEADER = (
    "match_no",
    "rule",
    "payment_id",
    "line_id",
    "batch_id",
    "refund_id",
    "amount_vnd",
    "fee_vnd",
    "confidence",
)
MONEY_COLUMNS = frozenset(
    {"expected_vnd", "received_vnd", "matched_vnd", "open_vnd", "amount_vnd", "fee_vnd"}
)


@dataclass(frozen=True)
class TrendPoint:
    business_date: date
    match_rate: float  # matched payments / expected payments, 0..1
    open_vnd: int  # money held by open exceptions (absolute amounts)


@dataclass(frozen=True)
class ReportData:
    business_date: date
    window_start: date
    parameters: Mapping[str, object]
    summary: list[tuple]
    exceptions: list[tuple]
    matches: list[tuple]
    trend: list[TrendPoint]
    match_count: int = -1  # matches in the run; -1: len(matches), all of them are listed

    def __post_init__(self) -> None:
        if self.match_count < 0:
            object.__setattr__(self, "match_count", len(self.matches))


def summary_table(
    summary: Iterable[Mapping[str, int]],
    open_exceptions: Iterable[tuple[int | None, int | None, str, int]],
    agencies: Mapping[int, str],
    procedures: Mapping[int, str],
) -> list[tuple]:
    """Rows of SUMMARY_HEADER by (agency, procedure) with open exceptions counted in, plus a
    total row. `open_exceptions` holds (agency_id, procedure_id, kind, amount_vnd)."""
    rows: dict[tuple[int, int], dict[str, int]] = {}
    for entry in summary:
        rows[(entry["agency_id"], entry["procedure_id"])] = dict(entry)
    for agency_id, procedure_id, kind, amount in open_exceptions:
        key = (agency_id or 0, procedure_id or 0)
        row = rows.setdefault(key, {"agency_id": key[0], "procedure_id": key[1]})
        row[f"open_{kind}"] = row.get(f"open_{kind}", 0) + 1
        row["open_exceptions"] = row.get("open_exceptions", 0) + 1
        row["open_vnd"] = row.get("open_vnd", 0) + abs(amount)
    table = []
    totals = dict.fromkeys(SUMMARY_HEADER[2:], 0)
    for key in sorted(rows):
        row = rows[key]
        values = [row.get(name, 0) for name in SUMMARY_HEADER[2:]]
        for name, value in zip(SUMMARY_HEADER[2:], values, strict=True):
            totals[name] += value
        table.append((agencies.get(key[0], ""), procedures.get(key[1], ""), *values))
    table.append(("TOTAL", "", *totals.values()))
    return table


def neutralised(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe.

    Cells starting with = + - @ (or a tab / carriage return) are the CSV/formula injection
    vectors (OWASP); remittance text and notes come from outside, so all text is checked.
    """
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@dataclass(frozen=True)
class RunTotals:
    """A run at a glance: what was expected, what the bank shows, what was matched."""

    expected_count: int
    expected_vnd: int
    received_vnd: int
    matched_count: int
    matched_vnd: int

    @property
    def match_rate(self) -> float:
        """Matched payments over expected payments, 0..1 (1 when nothing was expected)."""
        if not self.expected_count:
            return 1.0
        return min(1.0, self.matched_count / self.expected_count)


def run_totals(summary: Iterable[Mapping[str, int]]) -> RunTotals:
    """The totals of a run's stored summary rows (by agency and procedure)."""
    rows = list(summary)
    return RunTotals(
        **{
            name: sum(int(row.get(name, 0)) for row in rows)
            for name in (
                "expected_count",
                "expected_vnd",
                "received_vnd",
                "matched_count",
                "matched_vnd",
            )
        }
    )
