"""The xlsx report lists a bounded number of matches and says how many it leaves out."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from payrecon.reconciliation.report_data import MATCH_HEADER, ReportData
from payrecon.reconciliation.report_xlsx import report_xlsx


def _data(match_count: int) -> ReportData:
    match = dict.fromkeys(MATCH_HEADER, 0)
    matches = [
        tuple({**match, "match_no": n, "rule": "reference", "amount_vnd": 1000 * n}.values())
        for n in range(1, match_count + 1)
    ]
    return ReportData(
        business_date=date(2026, 11, 25),
        window_start=date(2026, 11, 18),
        parameters={},
        summary=[],
        exceptions=[],
        matches=matches,
        trend=[],
    )


def _matches_sheet(content: bytes):
    return load_workbook(io.BytesIO(content))["Matches"]


def test_matches_beyond_the_limit_are_counted_in_a_closing_line_not_listed():
    sheet = _matches_sheet(report_xlsx(_data(5), match_rows=2))
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == list(MATCH_HEADER)
    assert [row[0] for row in rows[1:3]] == [1, 2]
    assert rows[-1][0] == (
        "3 more matches are not listed here (the first 2 of 5 are); "
        "the CSV report and the API have every match."
    )
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(MATCH_HEADER)).column_letter}3"


def test_a_night_within_the_limit_lists_every_match_and_no_closing_line():
    sheet = _matches_sheet(report_xlsx(_data(3), match_rows=3))
    assert sheet.max_row == 4
    assert [sheet.cell(row, 1).value for row in range(2, 5)] == [1, 2, 3]


def test_a_report_read_with_only_the_first_matches_counts_the_run_s_matches():
    listed = _data(2)
    data = ReportData(**{**listed.__dict__, "match_count": 7})
    rows = [[cell.value for cell in row] for row in _matches_sheet(report_xlsx(data)).iter_rows()]
    assert [row[0] for row in rows[1:3]] == [1, 2]
    assert rows[-1][0].startswith("5 more matches are not listed here (the first 2 of 7 are)")


def test_the_same_data_gives_the_same_bytes():
    assert report_xlsx(_data(3)) == report_xlsx(_data(3))
