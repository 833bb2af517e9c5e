"""A run's report as an xlsx workbook: Summary, Exceptions and Matches sheets.

Pure (openpyxl). Money cells are integers with the format #,##0 "₫"; headers are frozen and
filtered; text is neutralised against formula injection. The workbook's timestamps are fixed
to the business date and the zip entries' dates too, so the same data gives the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, time

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

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
    would otherwise hold every cell as an object before a byte is written.

    `data.matches` may hold only the first matches (`data.match_count` says how many the run
    has): the sheet lists at most `match_rows` of them.
    """
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
        # One styled cell per money column, given each row's value in turn: a write-only
        # sheet writes a row out when it is appended, and styling a new cell per value
        # costs more than writing it.
        money = [
            _styled(sheet, None, number_format=MONEY_FORMAT) if name in MONEY_COLUMNS else None
            for name in header
        ]
        for row in rows:
            values = []
            for value, cell in zip(row, money, strict=True):
                if cell is None:
                    values.append(neutralised(value))
                else:
                    cell.value = neutralised(value)
                    values.append(cell)
            sheet.append(values)
    unlisted = data.match_count - len(listed_matches)
    if unlisted > 0:
        sheet.append([])
        sheet.append(
            [
                _styled(
                    sheet,
                    f"{unlisted:,} more matches are not listed here "
                    f"(the first {len(listed_matches):,} of {data.match_count:,} are); "
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
    with _DatedZip(raw, fixed) as archive:
        ExcelWriter(book, archive).save()
    return raw.getvalue()


def _styled(
    sheet, value: object, *, font: Font | None = None, number_format: str | None = None
) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=neutralised(value))
    if font is not None:
        cell.font = font
    if number_format is not None:
        cell.number_format = number_format
    return cell


class _DatedZip(zipfile.ZipFile):
    """A zip whose every entry is dated `when`, so the same data gives the same bytes.

    openpyxl's own `save` stamps the current time on each entry and on the workbook's
    "modified" property; writing through `ExcelWriter` into this archive does neither.
    """

    def __init__(self, file: io.BytesIO, when: datetime) -> None:
        super().__init__(file, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        self._date_time = when.timetuple()[:6]

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo_or_arcname = zipfile.ZipInfo(zinfo_or_arcname, date_time=self._date_time)
            zinfo_or_arcname.compress_type = zipfile.ZIP_DEFLATED
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        with open(filename, "rb") as source:  # a write-only sheet's temporary file
            self.writestr(arcname or str(filename), source.read(), compress_type, compresslevel)
