"""Issue #9's story in two real browsers: the night's reconciliation, worked to the end.

The finance officer signs in and reads the dashboard (last night's run, its open exceptions by
kind, the 30-day chart); filters the exceptions queue with its form (by kind and amount);
clicks through to an exception (its evidence side by side) and proposes a write-off with a
reason, and is not offered the approval. A supervisor, signed in in a second browser context,
approves it (four eyes). The officer goes back to the queue, on to the run's page, downloads
its xlsx report through the link and the workbook is read with openpyxl; then signs out.

The reconciled day of the scenario is a fixed date, so the dashboard's "yesterday" is pinned
to it: the page then shows a normal morning after that night, not the warning that yesterday
has no run (tests/e2e/officer/test_reconciliation_pages.py covers that warning).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from payrecon.db import make_engine
from payrecon.money import format_vnd
from payrecon.reconciliation.models import ReconciliationRun
from payrecon.web.officer import home
from tests.browser.conftest import ACCOUNTS, SEEDED, screenshot
from tests.browser.test_officer_pages import sign_in
from tests.e2e.officer.exception_day import reconciled_day
from tests.integration.reconciliation.scenario import DAY

UNMATCHED_VND = 66_000
WRITE_OFF_REASON = "Khoản nhỏ, không xác định được người nộp"


@dataclass(frozen=True)
class Night:
    run_id: int
    exception_id: int  # the unmatched credit of 66,000 VND (bank line FT8)
    fingerprint: str
    exception_count: int
    match_count: int


@pytest.fixture(scope="module")
def night(live_server) -> Night:
    """A reconciled day in the live server's database."""
    engine = make_engine(SEEDED["database_url"])
    try:
        with Session(engine, expire_on_commit=False) as session:
            day = reconciled_day(session)
            exception = day.exception("unmatched_credit", line="L:FT8")
            return Night(
                run_id=day.run_id,
                exception_id=exception.id,
                fingerprint=exception.fingerprint,
                exception_count=len(day.exceptions),
                match_count=session.get(ReconciliationRun, day.run_id).match_count,
            )
    finally:
        engine.dispose()


def _fact(page, term: str) -> str:
    """The text of the dashboard fact named `term` (a <dt>) in the last run's card."""
    card = page.locator("section.card", has=page.locator("#last-run"))
    return card.locator(f"dt:text-is('{term}') + dd").inner_text()


def test_an_officer_works_the_night_through_to_the_report(
    page, browser, live_server, night, monkeypatch, tmp_path
):
    monkeypatch.setattr(home, "_yesterday", lambda: DAY)
    ex = night.exception_id

    # the dashboard: last night's run at a glance, and the chart
    sign_in(page, "officer")
    expect(page).to_have_url(re.compile(r"/officer/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Xin chào, Nguyễn Thị Thu")
    card = page.locator("section.card", has=page.locator("#last-run"))
    expect(card.get_by_role("heading", name="Đối soát đêm qua")).to_be_visible()
    expect(card.get_by_role("alert")).to_have_count(0)  # yesterday's run is there
    expect(card.locator("dl.facts")).to_contain_text("24/11/2026")
    expect(card.locator("dl.facts")).to_contain_text(f"lần đối soát {night.run_id}")
    shown = {term: _fact(page, term) for term in ("Phải thu", "Đã khớp", "Ngoại lệ đang mở")}
    assert shown["Ngoại lệ đang mở"].startswith(f"{night.exception_count} · ")
    kinds = card.get_by_role("table", name="Ngoại lệ đang mở của lần đối soát theo loại")
    expect(
        kinds.get_by_role("row", name=re.compile("Có tiền nhưng không có khoản"))
    ).to_contain_text(format_vnd(UNMATCHED_VND))
    chart = card.locator("figure.chart svg")
    expect(chart).to_be_visible()
    open_vnd = shown["Ngoại lệ đang mở"].split(" · ")[1]
    expect(chart).to_contain_text(f"24/11/2026: {open_vnd} đang mở")  # the night's point
    expect(chart).not_to_contain_text("2026-11")  # days as officers write them
    screenshot(page, "10-dashboard-officer")

    # the queue, filtered with its form: by kind, then by amount too
    page.get_by_role("navigation", name="Trình đơn cán bộ").get_by_role(
        "link", name="Ngoại lệ", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ngoại lệ")
    expect(page.locator("tbody tr")).to_have_count(night.exception_count)
    page.get_by_label("Loại", exact=True).select_option("unmatched_credit")
    page.get_by_label("Số tiền từ (₫)").fill("70.000")
    page.get_by_role("button", name="Lọc").click()
    expect(page).to_have_url(re.compile(r"kind=unmatched_credit.*min_vnd=70\.000"))
    expect(page.locator("main")).to_contain_text("Không có ngoại lệ nào khớp với bộ lọc.")
    expect(page.locator("tbody tr")).to_have_count(0)
    page.get_by_label("Số tiền từ (₫)").fill("60.000")
    page.get_by_label("Số tiền đến (₫)").fill("70.000")
    page.get_by_role("button", name="Lọc").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(format_vnd(UNMATCHED_VND))
    screenshot(page, "11-queue-filtered-officer")

    # the exception: evidence, then the officer proposes a write-off
    rows.first.get_by_role("link", name="Có tiền nhưng không có khoản thanh toán").click()
    expect(page).to_have_url(re.compile(rf"/officer/exceptions/{ex}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Ngoại lệ {ex}: Có tiền nhưng không có khoản thanh toán"
    )
    evidence = page.locator(".evidence")
    expect(evidence).to_contain_text("FT8")
    expect(evidence).to_contain_text(format_vnd(UNMATCHED_VND))
    history = page.locator("#history + .table-wrap tbody")
    expect(history).to_contain_text("Chưa có thao tác nào trên ngoại lệ này.")
    screenshot(page, "12-exception-officer")

    page.get_by_role("button", name="Đề xuất xóa sổ").click()  # no reason: refused
    expect(page.get_by_role("alert")).to_contain_text("Thao tác bị từ chối")
    expect(page.get_by_role("alert")).to_contain_text("Trường này là bắt buộc.")
    page.get_by_label("Lý do xóa sổ").fill(WRITE_OFF_REASON)
    page.get_by_role("button", name="Đề xuất xóa sổ").click()
    expect(page).to_have_url(re.compile(rf"/officer/exceptions/{ex}$"))
    expect(page.get_by_role("status")).to_contain_text("Đã đề xuất xóa sổ")
    expect(page.get_by_role("button", name="Duyệt xóa sổ")).to_have_count(0)
    expect(history).to_contain_text(f"officer:{ACCOUNTS['officer'][0]}")

    # a supervisor, in another browser context, approves it
    second = browser.new_context(base_url=live_server, locale="vi-VN")
    try:
        boss = second.new_page()
        sign_in(boss, "supervisor")
        boss.goto(f"/officer/exceptions/{ex}")
        expect(boss.locator("main")).to_contain_text(WRITE_OFF_REASON)
        boss.get_by_label("Ghi chú (không bắt buộc)", exact=True).fill("Đồng ý xóa sổ")
        boss.get_by_role("button", name="Duyệt xóa sổ").click()
        expect(boss.get_by_role("status")).to_contain_text("Đã duyệt xóa sổ")
        expect(boss.locator("dl.facts").first).to_contain_text("Đã xóa sổ")
        steps = boss.locator("#history + .table-wrap tbody tr")
        expect(steps).to_have_count(2)
        expect(steps.nth(0)).to_contain_text("Đã đề xuất xóa sổ")
        expect(steps.nth(1)).to_contain_text(f"officer:{ACCOUNTS['supervisor'][0]}")
        screenshot(boss, "13-exception-written-off-supervisor")
    finally:
        second.close()

    # the officer sees it resolved; the open queue no longer has it
    page.reload()
    expect(page.locator("dl.facts").first).to_contain_text("Đã xử lý")
    expect(page.get_by_role("button", name="Đề xuất xóa sổ")).to_have_count(0)
    page.get_by_role("link", name="Quay lại danh sách ngoại lệ").click()
    expect(page).to_have_url(re.compile(r"/officer/exceptions$"))
    expect(page.locator("tbody tr")).to_have_count(night.exception_count - 1)
    expect(page.get_by_role("link", name=str(ex), exact=True)).to_have_count(0)

    # the run's page, and its xlsx report through the link
    page.get_by_role("link", name="24/11/2026").first.click()
    expect(page).to_have_url(re.compile(rf"/officer/reconciliation/runs/{night.run_id}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Lần đối soát {night.run_id}")
    with page.expect_download() as info:
        page.get_by_role("link", name="xlsx", exact=True).click()
    download = info.value
    assert (
        download.suggested_filename == f"payrecon-reconciliation-2026-11-24-run{night.run_id}.xlsx"
    )
    report = tmp_path / download.suggested_filename
    download.save_as(report)
    _check_report(report, night, shown)

    page.get_by_role("button", name="Đăng xuất").click()
    expect(page).to_have_url(re.compile(r"/officer/login$"))
    page.goto(f"/officer/exceptions/{ex}")
    expect(page).to_have_url(re.compile(r"/officer/login"))


def _check_report(path, night: Night, dashboard: dict[str, str]) -> None:
    """The workbook the officer downloaded: its sheets, the write-off, and totals that agree
    with what the dashboard showed before it (open: one exception and its 66,000 VND fewer)."""
    book = load_workbook(path, read_only=True)
    assert book.sheetnames == ["Summary", "Exceptions", "Matches"]
    sheets = {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}

    header, *exceptions = sheets["Exceptions"]
    rows = [dict(zip(header, row, strict=True)) for row in exceptions]
    assert len(rows) == night.exception_count
    written_off = next(row for row in rows if row["fingerprint"] == night.fingerprint)
    assert written_off["kind"] == "unmatched_credit"
    assert written_off["amount_vnd"] == UNMATCHED_VND
    assert (written_off["status"], written_off["resolution"]) == ("resolved", "written_off")
    assert written_off["resolved_by"] == f"officer:{ACCOUNTS['supervisor'][0]}"
    assert sum(row["status"] == "open" for row in rows) == night.exception_count - 1

    header, *summary = sheets["Summary"]
    total = dict(zip(header, summary[-1], strict=True))
    assert total["agency"] == "TOTAL"
    count_before, vnd_before = dashboard["Ngoại lệ đang mở"].split(" · ")
    assert total["open_exceptions"] == int(count_before) - 1
    assert format_vnd(total["open_vnd"] + UNMATCHED_VND) == vnd_before
    assert dashboard["Phải thu"].startswith(f"{format_vnd(total['expected_vnd'])} · ")
    assert dashboard["Đã khớp"].startswith(f"{format_vnd(total['matched_vnd'])} · ")
    assert total["expected_vnd"] > total["matched_vnd"] > 0

    header, *matches = sheets["Matches"]
    assert header[0] == "match_no"
    assert len(matches) == night.match_count > 0
