"""The dashboard (/officer/), the exceptions queue, the runs pages and their report downloads,
on a real reconciliation of the hand-made day (tests/integration/reconciliation)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from payrecon.db import utcnow
from payrecon.reconciliation.models import ReconciliationRun
from payrecon.reconciliation.service import run_reconciliation
from payrecon.web.officer.day_bounds import VIETNAM
from tests.e2e.officer.helpers import ROLES, page_text, signed_in_client
from tests.integration.reconciliation.queue_data import build_queue_data

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def yesterday():
    return datetime.now(VIETNAM).date() - timedelta(days=1)


@pytest.fixture
def data(db_session):
    return build_queue_data(db_session)


def rows_of(page: str) -> list[str]:
    """The exception ids listed in the queue's table, in order."""
    return re.findall(r'<td><a href="/officer/exceptions/(\d+)">', page)


def test_the_dashboard_says_plainly_when_no_run_exists(app, db_session):
    client = signed_in_client(app, db_session, "officer")
    page = page_text(client.get("/officer/"))
    assert "Xin chào" in page
    assert "Chưa có lần đối soát nào, nên ở đây chưa có gì để hiển thị." in page
    assert "<svg" not in page


def test_the_dashboard_shows_the_latest_run_and_warns_that_it_is_not_last_nights(
    app, db_session, data
):
    client = signed_in_client(app, db_session, "officer")
    page = page_text(client.get("/officer/"))
    run = data.last_run
    assert f'href="/officer/reconciliation/runs/{run.id}"' in page
    assert "Chưa có lần đối soát hoàn tất cho hôm qua" in page
    assert "Lần hoàn tất gần nhất là của ngày 24/11/2026." in page
    # 12 paid payments of the hand-made day expected (P1 200,000, P2 100,000, P3 300,000,
    # P5 500,000, P6 250,000, P8 80,000, P9 90,000, P10 60,000, P12 40,000, P14 70,000,
    # P15 100,000, P16 200,000: 1,990,000) and the other agency's 700,000
    assert "2.690.000 ₫ · 13 khoản thanh toán" in page
    # matched: P1, P2, P8, P9, P10, P12 and P14 (reversed later, still matched)
    assert "640.000 ₫ · 7 khoản thanh toán" in page
    assert "53,8 %" in page  # 7 of 13
    assert "Thanh toán hai lần" in page  # duplicate_payment, in words
    assert f'href="/officer/exceptions?kind=duplicate_payment&amp;run={run.id}"' in page
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page
    assert "Tỷ lệ khớp và số tiền của các ngoại lệ đang mở" in page  # the chart, in Vietnamese
    assert "<script" not in page
    assert f"/officer/reconciliation/runs/{run.id}/report.xlsx" in page
    assert "Tình trạng tác vụ" in page  # job health
    assert "Chưa từng chạy:" in page  # no job ran in this test
    assert data.day.account_number in page  # statement import status per account
    assert "Chưa nhập sao kê nào." in page  # the other agency's account has none


def test_the_dashboard_counts_open_exceptions_by_kind_with_amounts(app, db_session, data):
    client = signed_in_client(app, db_session, "auditor")
    page = page_text(client.get("/officer/"))
    missing = re.search(
        r"Có thanh toán nhưng chưa thấy tiền</a></th>\s*<td[^>]*>(\d+)</td>\s*<td[^>]*>([^<]+)<",
        page,
    )
    assert missing, "the missing_credit row"
    assert missing.groups() == ("2", "1.200.000 ₫")  # 500,000 + the other agency's 700,000


def test_last_nights_run_is_shown_without_a_warning(app, db_session):
    run_reconciliation(db_session, business_date=yesterday(), actor="test")
    client = signed_in_client(app, db_session, "supervisor")
    page = page_text(client.get("/officer/"))
    assert "Đối soát đêm qua" in page
    assert yesterday().strftime("%d/%m/%Y") in page
    assert "Chưa có lần đối soát hoàn tất cho hôm qua" not in page
    assert "Không có ngoại lệ nào đang mở" in page


def test_a_failed_run_last_night_is_shown_in_red(app, db_session, data):
    db_session.add(
        ReconciliationRun(
            business_date=yesterday(),
            window_start=yesterday() - timedelta(days=7),
            parameters={},
            status="failed",
            started_at=utcnow(),
            finished_at=utcnow(),
            started_by="job:reconcile",
            exception_counts={},
            summary=[],
            error="OperationalError: the database went away",
        )
    )
    db_session.commit()
    client = signed_in_client(app, db_session, "officer")
    page = page_text(client.get("/officer/"))
    assert "bị lỗi: OperationalError: the database went away" in page
    assert 'class="flash flash--error" role="alert"' in page


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_every_reconciliation_page(app, db_session, data, role):
    client = signed_in_client(app, db_session, role)
    run = data.last_run.id
    for path in (
        "/officer/",
        "/officer/exceptions",
        f"/officer/exceptions?run={run}&kind=missing_credit",
        "/officer/reconciliation/runs",
        f"/officer/reconciliation/runs/{run}",
        f"/officer/reconciliation/runs/{run}/report.csv",
    ):
        assert client.get(path).status_code == 200, (role, path)
    menu = page_text(client.get("/officer/"))
    assert 'href="/officer/exceptions">Ngoại lệ</a>' in menu
    assert 'href="/officer/reconciliation/runs">Các lần đối soát</a>' in menu


def test_the_queue_lists_each_open_exception_once_linking_to_its_page(app, db_session, data):
    client = signed_in_client(app, db_session, "officer")
    page = page_text(client.get("/officer/exceptions"))
    ids = rows_of(page)
    # the 24th's 15 + the other agency's 2, and P6's invoice found on the 23rd only
    assert len(ids) == len(set(ids)) == 18
    assert "Ngoại lệ 1–18 trên tổng số 18." in page
    filters = re.search(r'<form class="filters" method="get".*?</form>', page, re.S).group(0)
    assert 'name="csrf_token"' not in filters  # a GET form changes nothing


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("kind=missing_credit", 2),
        ("agency={other}", 2),
        ("procedure={other_procedure}", 2),
        ("date_to=2026-11-23", 1),
        ("date_from=2026-11-24&date_to=2026-11-24", 17),  # all but P6's invoice of the 23rd
        # P6's 250,000 invoice, P5's 500,000, the other agency's 700,000 twice, the 100,000
        # duplicate, FT20's 150,000 and FT21's 120,000
        ("min_vnd=100.000", 7),
        # P3's -50,000, P9's -5,000, P11's 45,000, P12's 40,000 refund, STL's -4,000
        ("max_vnd=50000", 5),
        # P3's -50,000, P8's 80,000, P10's 60,000, the counter's 55,000, P14's 70,000 reversed,
        # FT7's 77,000
        ("min_vnd=50.000+đ&max_vnd=80.000", 6),
        ("status=all&kind=unmatched_credit", 1),
        ("status=resolved", 0),
        # on the 23rd: FT3 and FT19 (booked on the 24th) and P12's refund (not yet due) are not
        # there yet; P6's invoice is: 15 - 3 + 1
        ("run={first_run}", 13),
    ],
)
def test_each_filter_narrows_the_queue(app, db_session, data, query, count):
    client = signed_in_client(app, db_session, "officer")
    url = "/officer/exceptions?" + query.format(
        other=data.other_agency.code,
        other_procedure=data.other_procedure.code.lower(),  # codes are read in any case
        first_run=data.first_run.id,
    )
    response = client.get(url)
    assert response.status_code == 200
    assert len(rows_of(page_text(response))) == count


def test_the_queue_filtered_by_run_says_which_run(app, db_session, data):
    client = signed_in_client(app, db_session, "officer")
    page = page_text(client.get(f"/officer/exceptions?run={data.first_run.id}"))
    assert f"Các ngoại lệ của lần đối soát {data.first_run.id} (ngày nghiệp vụ 23/11/2026)." in page
    assert f'<input type="hidden" name="run" value="{data.first_run.id}">' in page


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("min_vnd=abc", "min_vnd", "Hãy nhập số tiền nguyên theo đồng, ví dụ 150.000."),
        ("max_vnd=12,5", "max_vnd", "Hãy nhập số tiền nguyên theo đồng, ví dụ 150.000."),
        ("min_vnd=90000&max_vnd=10000", "max_vnd", "Số tiền nhỏ nhất lớn hơn số tiền lớn nhất."),
        ("date_from=2026-11-24&date_to=2026-11-01", "date_to", "Ngày kết thúc trước ngày bắt đầu."),
        ("procedure=NO-SUCH", "procedure", "Không có thủ tục nào có mã này."),
        ("run=x1", "run", "Lần đối soát được chỉ định bằng số của nó."),
    ],
)
def test_bad_filters_are_refused_next_to_their_field(app, db_session, data, query, field, message):
    client = signed_in_client(app, db_session, "officer")
    response = client.get("/officer/exceptions?" + query)
    assert response.status_code == 422
    page = page_text(response)
    assert message in page
    assert "Bộ lọc không hợp lệ" in page
    assert rows_of(page) == []
    if field != "run":
        assert f'id="{field}-errors"' in page


def test_an_unknown_run_in_the_filter_is_not_found(app, db_session, data):
    client = signed_in_client(app, db_session, "officer")
    assert client.get("/officer/exceptions?run=999999").status_code == 404


def test_the_queue_pages_keep_the_filters(app, db_session, data, monkeypatch):
    from payrecon.web.officer import exception_queue

    monkeypatch.setattr(exception_queue, "PAGE_SIZE", 5)
    client = signed_in_client(app, db_session, "officer")
    url, seen, pages = "/officer/exceptions?min_vnd=40000", [], 0
    while url:
        page = page_text(client.get(url))
        seen += rows_of(page)
        pages += 1
        found = re.search(r'<a rel="next" href="([^"]+)"', page)
        url = found.group(1).replace("&amp;", "&") if found else None
        if url:
            assert "min_vnd=40000" in url
    # all 18 but the two small amounts (5,000 short of the fee; a 4,000 gateway fee)
    assert pages == 4
    assert len(seen) == len(set(seen)) == 16


def test_an_empty_queue_says_nothing_is_waiting(app, db_session):
    client = signed_in_client(app, db_session, "officer")
    page = page_text(client.get("/officer/exceptions"))
    assert "Không có ngoại lệ nào đang mở. Không có việc gì chờ cán bộ xử lý." in page
