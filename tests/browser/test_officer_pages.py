"""An officer's day in a real browser: sign in, home, language, audit log, lock-out, sign out."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import ACCOUNTS, PASSWORD, SEEDED, screenshot
from tests.integration.statements.helpers import OUR_ACCOUNT, fixture


def sign_in(page, role: str, password: str = PASSWORD) -> None:
    page.goto("/officer/login")
    page.get_by_label("Tên đăng nhập").fill(ACCOUNTS[role][0])
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def test_sign_in_see_home_switch_language_and_sign_out(page):
    page.goto("/officer/")
    expect(page).to_have_url(re.compile(r"/officer/login\?next=/officer/$"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    screenshot(page, "01-login-vi")

    sign_in(page, "officer")
    expect(page).to_have_url(re.compile(r"/officer/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Xin chào, Nguyễn Thị Thu")
    expect(page.get_by_role("navigation", name="Trình đơn cán bộ")).to_contain_text("Trang chủ")
    # a finance officer is not offered the audit log or the accounts page
    expect(page.get_by_role("link", name="Nhật ký kiểm toán")).to_have_count(0)
    screenshot(page, "02-home-officer-vi")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Nguyễn Thị Thu")
    screenshot(page, "03-home-officer-en")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/officer/login$"))
    expect(page.get_by_role("status")).to_have_text("You have signed out.")
    page.goto("/officer/")
    expect(page).to_have_url(re.compile(r"/officer/login"))


def test_the_auditor_opens_and_filters_the_audit_log(page):
    sign_in(page, "auditor")
    page.get_by_role("link", name="Nhật ký kiểm toán").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nhật ký kiểm toán")
    expect(page.locator(".chain--ok")).to_be_visible()
    page.get_by_label("Người thực hiện chứa").fill("browser-tests")
    page.get_by_role("button", name="Lọc").click()
    expect(page).to_have_url(re.compile(r"/officer/audit$"))  # the filter is not in the URL
    rows = page.locator("tbody tr")
    expect(rows.first).to_contain_text("browser-tests")
    assert rows.count() == len(ACCOUNTS)  # one "created" record per account
    screenshot(page, "04-audit-log-auditor")


def test_five_wrong_passwords_lock_the_account(page):
    for attempt in range(5):
        sign_in(page, "locked", f"wrong password number {attempt}")
        expect(page.get_by_role("alert")).to_contain_text("Đăng nhập không thành công")
    sign_in(page, "locked")  # the right password, too late
    expect(page.get_by_role("alert")).to_contain_text("Đăng nhập không thành công")
    expect(page).to_have_url(re.compile(r"/officer/login$"))
    screenshot(page, "05-locked")


def test_signing_in_with_the_keyboard_alone(page):
    page.goto("/officer/login")
    expect(page.get_by_label("Tên đăng nhập")).to_be_focused()  # autofocus
    page.keyboard.type(ACCOUNTS["admin"][0])
    page.keyboard.press("Tab")
    expect(page.get_by_label("Mật khẩu")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Xin chào, Phạm Quang Long")
    # on every page the first Tab offers to skip the header, and Enter does it
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Bỏ qua, đến nội dung chính")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_everything_works_without_javascript(browser, live_server):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, "admin")
        page.get_by_role("link", name="Tài khoản").first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Tài khoản cán bộ")
        page.get_by_role("button", name="English").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Officer accounts")
        screenshot(page, "06-accounts-admin-en-no-js")
    finally:
        context.close()


def test_the_officer_searches_a_payment_opens_it_and_uploads_a_statement(page, tmp_path):
    sign_in(page, "officer")
    page.get_by_role("link", name="Tra cứu").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tra cứu thanh toán và hóa đơn")
    page.get_by_label("Tra cứu theo").select_option("reference")
    page.get_by_label("Nội dung tra cứu").fill(SEEDED["reference"].lower())
    page.get_by_role("button", name="Tra cứu", exact=True).click()
    expect(page).to_have_url(re.compile(r"/officer/search$"))  # the term is not in the URL
    expect(page.get_by_role("status")).to_have_text("Tìm thấy 1 khoản thanh toán.")
    expect(page.locator("tbody")).to_contain_text("••••••••1234")
    screenshot(page, "07-search-officer")

    page.get_by_role("link", name=SEEDED["reference"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Thanh toán {SEEDED['reference']}")
    expect(page.locator("dl.facts")).to_contain_text("200.000 ₫")
    screenshot(page, "08-payment-detail")

    statement = tmp_path / "sao-ke.xml"
    statement.write_bytes(fixture("camt053v08_vnd.xml"))
    page.get_by_role("link", name="Sao kê ngân hàng").first.click()
    page.get_by_label("Tệp sao kê").set_input_files(str(statement))
    page.get_by_role("button", name="Tải lên và nhập").click()
    expect(page.get_by_role("heading", name="Kết quả nhập")).to_be_visible()
    expect(page.locator("section.card").first).to_contain_text("1.733.500 ₫")
    expect(page.locator("main")).to_contain_text("Số sao kê đã nhập: 2.")
    expect(page.locator("main")).to_contain_text(OUR_ACCOUNT)
    screenshot(page, "09-statement-uploaded")
