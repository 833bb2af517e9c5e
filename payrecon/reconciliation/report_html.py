"""A run's report as one self-contained HTML page: summary, trend chart, exceptions. Pure."""

from __future__ import annotations

from html import escape

from payrecon.money import format_vnd
from payrecon.reconciliation.chart import trend_svg
from payrecon.reconciliation.report_data import (
    EXCEPTION_HEADER,
    MONEY_COLUMNS,
    SUMMARY_HEADER,
    ReportData,
)

STYLE = (
    "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;font-size:13px}"
    "td,th{border:1px solid #ccc;padding:2px 6px}td.n{text-align:right}"
)


def _table(header: tuple[str, ...], rows: list[tuple]) -> str:
    head = "".join(f"<th>{escape(name)}</th>" for name in header)
    body = []
    for row in rows:
        cells = []
        for name, value in zip(header, row, strict=True):
            if name in MONEY_COLUMNS and isinstance(value, int):
                cells.append(f'<td class="n">{escape(format_vnd(value))}</td>')
            elif isinstance(value, int):
                cells.append(f'<td class="n">{value}</td>')
            else:
                cells.append(f"<td>{escape('' if value is None else str(value))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def report_html(data: ReportData) -> bytes:
    shown_summary = [row[:9] for row in data.summary]
    page = (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        f"<title>Reconciliation {data.business_date}</title><style>{STYLE}</style></head><body>"
        f"<h1>Reconciliation {data.business_date}</h1>"
        f"<p>Bank lines from {data.window_start} to {data.business_date}.</p>"
        "<h2>Summary</h2>"
        + _table(SUMMARY_HEADER[:9], shown_summary)
        + "<h2>Last runs</h2>"
        + trend_svg(data.trend)
        + f"<h2>Exceptions ({len(data.exceptions)})</h2>"
        + _table(EXCEPTION_HEADER[:-1], [row[:-1] for row in data.exceptions])
        + f"<p>{len(data.matches)} match rows: see the xlsx or csv report.</p></body></html>"
    )
    return page.encode("utf-8")
