"""A run's report as CSV: three sections (summary, exceptions, matches) in one UTF-8 file.

Pure. Text cells are neutralised against formula injection; money stays plain integers.
"""

from __future__ import annotations

import csv
import io

from payrecon.reconciliation.report_data import (
    EXCEPTION_HEADER,
    MATCH_HEADER,
    SUMMARY_HEADER,
    ReportData,
    neutralised,
)


def report_csv(data: ReportData) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["# reconciliation", str(data.business_date), "window from", data.window_start])
    for title, header, rows in (
        ("summary", SUMMARY_HEADER, data.summary),
        ("exceptions", EXCEPTION_HEADER, data.exceptions),
        ("matches", MATCH_HEADER, data.matches),
    ):
        writer.writerow([])
        writer.writerow([f"# {title}"])
        writer.writerow(header)
        for row in rows:
            writer.writerow([neutralised(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel reads UTF-8
