"""A run's report as an xlsx workbook: Summary, Exceptions and Matches sheets.

Pure (openpyxl). Money cells are integers with the format #,##0 "₫"; headers are frozen and
filtered; text is neutralised against formula injection. The workbook's timestamps are fixed
to the business date and the zip entries' dates too, so the same data gives the same bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime, time

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from payrecon.reconciliation.report_data import (
    EXCEPTION_HEADER,
    MATCH_HEADER,
    MONEY_COLUMNS,
    SUMMARY_HEADER,
    ReportData,
    neutralised,
)

MONEY_FORMAT = '#,##0 "₫"'
# The Matches sheet lists this many matches at most. A sheet holds 1,048,576 rows, a province's
# busiest night can hold more matches than that, and a person reads a sheet for the exceptions
# and a sample of matches; every match is in the CSV report and the API. Writing a million
# rows with openpyxl also takes minutes, where the rest of the night takes under one.
MATCH_ROWS_IN_XLSX = 50_000


def report_xlsx(data: ReportData, *, match_rows: int = MATCH_ROWS_IN_XLSX) -> bytes:
    """The workbook, streamed row by row (openpyxl write-only): a night of a million matches
    would otherwise hold every cell as an object before a byte is written."""
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    listed_matches = data.matches[:match_rows]
    for title, header, rows in (
        ("Summary", SUMMARY_HEADER, data.summary),
        ("Exceptions", EXCEPTION_HEADER, data.exceptions),
        ("Matches", MATCH_HEADER, listed_matches),
    ):
        sheet = book.create_sheet(title)
        for index, name in enumerate(header, start=1):
            width = max(12, min(40, len(name) + 4))
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(1, len(rows) + 1)}"
        sheet.append([_styled(sheet, name, font=bold) for name in header])
        money = [name in MONEY_COLUMNS for name in header]
        for row in rows:
            sheet.append(
                [
                    _styled(sheet, value, number_format=MONEY_FORMAT)
                    if is_money
                    else neutralised(value)
                    for value, is_money in zip(row, money, strict=True)
                ]
            )
    unlisted = len(data.matches) - len(listed_matches)
    if unlisted:
        sheet.append([])
        sheet.append(
            [
                _styled(
                    sheet,
                    f"{unlisted:,} more matches are not listed here "
                    f"(the first {len(listed_matches):,} of {len(data.matches):,} are); "
                    "the CSV report and the API have every match.",
                    font=bold,
                )
            ]
        )
    fixed = datetime.combine(data.business_date, time(0))
    book.properties.created = fixed
    book.properties.modified = fixed
    book.properties.creator = "payrecon"
    raw = io.BytesIO()
    book.save(raw)
    return _fixed_zip_dates(raw.getvalue(), fixed)


def _styled(
    sheet, value: object, *, font: Font | None = None, number_format: str | None = None
) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=neutralised(value))
    if font is not None:
        cell.font = font
    if number_format is not None:
        cell.number_format = number_format
    return cell


def _fixed_zip_dates(data: bytes, when: datetime) -> bytes:
    """Rewrite the zip with every entry dated `when` (openpyxl stamps the current time)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" on save
                stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp + rb"\g<2>",
                    content,
                )
            target.writestr(entry, content)
    return out.getvalue()
