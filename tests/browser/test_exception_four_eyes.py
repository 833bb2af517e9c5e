"""An exception resolved by a four-eyes write-off, in two real browsers.

The finance officer signs in, opens the home page and an exception page (its evidence side
by side), proposes a write-off with a reason and is not offered the approval; a supervisor,
signed in in a second browser context, approves it; both see it resolved in the history.

Not here yet: the exceptions queue with its filters and the run page's xlsx download, which
the runs branch (wip/officer-runs) adds; the exception is opened by its URL.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from payrecon.db import make_engine
from tests.browser.conftest import ACCOUNTS, SEEDED, screenshot
from tests.browser.test_officer_pages import sign_in
from tests.e2e.officer.exception_day import reconciled_day


@pytest.fixture(scope="module")
def unmatched_credit(live_server) -> int:
    """The id of an unmatched credit of a reconciled day in the live server's database."""
    engine = make_engine(SEEDED["database_url"])
    try:
        with Session(engine, expire_on_commit=False) as session:
            day = reconciled_day(session)
            return day.exception("unmatched_credit", line="L:FT8").id
    finally:
        engine.dispose()


def test_an_officer_proposes_a_write_off_and_a_supervisor_approves_it(
    page, browser, live_server, unmatched_credit
):
    sign_in(page, "officer")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Nguyễn Thị Thu"))
    screenshot(page, "10-dashboard-officer")

    page.goto(f"/officer/exceptions/{unmatched_credit}")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Ngoại lệ {unmatched_credit}: Có tiền nhưng không có khoản thanh toán"
    )
    evidence = page.locator(".evidence")
    expect(evidence).to_contain_text("FT8")
    expect(evidence).to_contain_text("66.000 ₫")
    expect(page.locator("#history + .table-wrap")).to_contain_text(
        "Chưa có thao tác nào trên ngoại lệ này."
    )
    screenshot(page, "11-exception-officer")

    page.get_by_role("button", name="Đề xuất xóa sổ").click()  # no reason: refused
    expect(page.get_by_role("alert")).to_contain_text("Thao tác bị từ chối")
    page.get_by_label("Lý do xóa sổ").fill("Khoản nhỏ, không xác định được người nộp")
    page.get_by_role("button", name="Đề xuất xóa sổ").click()
    expect(page).to_have_url(re.compile(rf"/officer/exceptions/{unmatched_credit}$"))
    expect(page.get_by_role("status")).to_contain_text("Đã đề xuất xóa sổ")
    expect(page.get_by_role("button", name="Duyệt xóa sổ")).to_have_count(0)
    officer = f"officer:{ACCOUNTS['officer'][0]}"
    expect(page.locator("#history + .table-wrap tbody")).to_contain_text(officer)

    second = browser.new_context(base_url=live_server, locale="vi-VN")
    try:
        boss = second.new_page()
        sign_in(boss, "supervisor")
        boss.goto(f"/officer/exceptions/{unmatched_credit}")
        expect(boss.locator("main")).to_contain_text("Khoản nhỏ, không xác định được người nộp")
        boss.get_by_label("Ghi chú (không bắt buộc)", exact=True).fill("Đồng ý xóa sổ")
        boss.get_by_role("button", name="Duyệt xóa sổ").click()
        expect(boss.get_by_role("status")).to_contain_text("Đã duyệt xóa sổ")
        expect(boss.locator("dl.facts").first).to_contain_text("Đã xóa sổ")
        rows = boss.locator("#history + .table-wrap tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.nth(0)).to_contain_text("Đã đề xuất xóa sổ")
        expect(rows.nth(1)).to_contain_text(f"officer:{ACCOUNTS['supervisor'][0]}")
        screenshot(boss, "12-exception-written-off-supervisor")
    finally:
        second.close()

    page.reload()
    expect(page.locator("dl.facts").first).to_contain_text("Đã xử lý")
    expect(page.get_by_role("button", name="Đề xuất xóa sổ")).to_have_count(0)
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page).to_have_url(re.compile(r"/officer/login$"))
