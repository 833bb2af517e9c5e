"""/officer/reconciliation/runs: the list, one run in detail, and its report files."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from payrecon.db import utcnow
from payrecon.reconciliation.models import ReconciliationRun
from tests.e2e.officer.helpers import page_text, signed_in_client
from tests.integration.reconciliation.queue_data import build_queue_data

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def data(db_session):
    return build_queue_data(db_session)


def test_no_runs_yet(app, db_session):
    client = signed_in_client(app, db_session, "auditor")
    assert "Chưa có lần đối soát nào." in page_text(client.get("/officer/reconciliation/runs"))


def test_the_runs_list_shows_each_run_newest_first_with_its_reports(app, db_session, data):
    client = signed_in_client(app, db_session, "officer")
    page = page_text(client.get("/officer/reconciliation/runs"))
    first, last = data.first_run.id, data.last_run.id
    assert page.index(f'runs/{last}">{last}</a>') < page.index(f'runs/{first}">{first}</a>')
    assert "24/11/2026" in page
    assert "23/11/2026" in page
    for fmt in ("xlsx", "csv", "html"):
        assert f"/officer/reconciliation/runs/{last}/report.{fmt}" in page


def test_the_run_page_shows_totals_by_agency_and_kinds_linking_to_the_queue(app, db_session, data):
    client = signed_in_client(app, db_session, "officer")
    run = data.last_run
    page = page_text(client.get(f"/officer/reconciliation/runs/{run.id}"))
    assert f"Lần đối soát {run.id}" in page
    assert data.day_agency.code in page
    assert data.other_agency.code in page
    total = re.search(r"<th scope=\"row\">Tổng cộng</th>(.*?)</tr>", page, re.S).group(1)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", total)
    # expected payments (12 of the hand-made day, 1,990,000, and the other agency's 700,000),
    # received (the 640,000 matched + the credits no payment took: FT7's 77,000, FT20's
    # 150,000, FT21's 120,000, FT22's 95,000), matched payments, matched, open exceptions
    # (15 + the other agency's 2), money they hold (absolute amounts: 1,451,000 of the
    # hand-made day + 700,000 twice; the 250,000 invoice found on the 23rd only is not this
    # run's)
    assert cells[1:] == [
        "13",
        "2.690.000 ₫",
        "1.082.000 ₫",
        "7",
        "640.000 ₫",
        "17",
        "2.851.000 ₫",
    ]
    assert f'href="/officer/exceptions?kind=missing_credit&amp;run={run.id}">2</a>' in page
    assert (
        f'href="/officer/exceptions?kind=missing_credit&amp;run={run.id}&amp;status=all">2</a>'
        in page
    )
    assert page.count("<tr>") > run.match_count  # the matches table is there
    assert 'href="/officer/payments/' in page


def test_the_run_page_pages_its_matches(app, db_session, data, monkeypatch):
    from payrecon.web.officer import runs

    monkeypatch.setattr(runs, "MATCHES_PAGE_SIZE", 4)
    client = signed_in_client(app, db_session, "officer")
    path = f"/officer/reconciliation/runs/{data.last_run.id}"
    first = page_text(client.get(path))
    assert "Dòng khớp 1–4 trên tổng số" in first
    second = page_text(client.get(path + "?page=2"))
    assert "Dòng khớp 5–" in second


def test_an_unknown_run_is_not_found(app, db_session):
    client = signed_in_client(app, db_session, "officer")
    assert client.get("/officer/reconciliation/runs/424242").status_code == 404
    assert client.get("/officer/reconciliation/runs/424242/report.csv").status_code == 404


def test_the_xlsx_report_opens_with_its_sheets_and_numbers(app, db_session, data):
    client = signed_in_client(app, db_session, "auditor")
    run = data.last_run
    response = client.get(f"/officer/reconciliation/runs/{run.id}/report.xlsx")
    assert response.status_code == 200
    assert response.content_type == XLSX
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="payrecon-reconciliation-2026-11-24-run{run.id}.xlsx"'
    )
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Summary", "Exceptions", "Matches"]
    summary = book["Summary"]
    header = [cell.value for cell in summary[1]]
    total = dict(zip(header, [cell.value for cell in summary[summary.max_row]], strict=True))
    assert total["agency"] == "TOTAL"
    assert total["expected_count"] == 13  # as on the run page
    assert total["expected_vnd"] == 2_690_000
    assert total["received_vnd"] == 640_000 + 77_000 + 150_000 + 120_000 + 95_000
    assert total["matched_vnd"] == 640_000
    assert total["open_exceptions"] == 17
    assert book["Exceptions"].max_row == 1 + run.exception_count
    assert book["Matches"].max_row == 1 + 7  # the header, P1, P2, P8, P9, P10, P12, P14


def test_the_csv_report_parses_and_the_html_report_has_its_chart(app, db_session, data):
    client = signed_in_client(app, db_session, "officer")
    run = data.last_run
    response = client.get(f"/officer/reconciliation/runs/{run.id}/report.csv")
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].endswith(f'-run{run.id}.csv"')
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["# reconciliation", "2026-11-24"]
    kinds = [row[0] for row in rows[rows.index(["# exceptions"]) + 2 :] if row][
        : run.exception_count
    ]
    assert "missing_credit" in kinds

    html = client.get(f"/officer/reconciliation/runs/{run.id}/report.html")
    assert html.content_type == "text/html; charset=utf-8"
    assert html.headers["Content-Disposition"].startswith("attachment;")
    assert "<svg" in html.get_data(as_text=True)


def test_an_unknown_format_is_not_found_and_an_unfinished_run_has_no_report(app, db_session, data):
    client = signed_in_client(app, db_session, "officer")
    assert (
        client.get(f"/officer/reconciliation/runs/{data.last_run.id}/report.pdf").status_code == 404
    )
    running = ReconciliationRun(
        business_date=data.last_run.business_date,
        window_start=data.last_run.window_start,
        parameters={},
        status="running",
        started_at=utcnow(),
        started_by="job:reconcile",
        exception_counts={},
        summary=[],
    )
    db_session.add(running)
    db_session.commit()
    response = client.get(f"/officer/reconciliation/runs/{running.id}/report.xlsx")
    assert response.status_code == 422
    assert "only a finished run has a report" in page_text(response)
    assert "Đang chạy" in page_text(client.get(f"/officer/reconciliation/runs/{running.id}"))


def test_a_page_past_the_last_links_back_to_the_first(app, db_session, data):
    client = signed_in_client(app, db_session, "officer")
    page = page_text(client.get("/officer/reconciliation/runs?page=99"))
    assert "Chưa có lần đối soát nào." not in page
    assert 'href="/officer/reconciliation/runs">Lần đối soát 1–2 trên tổng số 2' in page
