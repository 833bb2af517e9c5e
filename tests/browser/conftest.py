"""Browser tests: headless Chromium (Debian's `chromium`) driven by Playwright's Python API.

A live server serves the app from a thread (werkzeug's make_server on a free 127.0.0.1 port)
over a migrated SQLite file. Playwright's own browser downloads are never used: the browser
is /usr/bin/chromium (`apt-get install chromium`; .ci/run installs it). Without it these tests
skip and say why, except in CI (CI=true), where a missing browser fails the run.
Screenshots go to test-artifacts/ (ignored by git).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from werkzeug.serving import make_server

from payrecon import create_app
from payrecon.auth import passwords, service
from payrecon.db import make_engine, session_scope, upgrade_to_head
from tests.factories import make_dossier, make_payment
from tests.integration.statements.helpers import add_account

CHROMIUM = os.environ.get("PAYRECON_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "correct horse battery staple"
ACCOUNTS = {
    "officer": ("canbo.browser", "Nguyễn Thị Thu"),
    "supervisor": ("truongbp.browser", "Trần Văn Hải"),
    "auditor": ("kiemtoan.browser", "Lê Minh Tâm"),
    "admin": ("quantri.browser", "Phạm Quang Long"),
    "locked": ("khoa.browser", "Đỗ Thị Lan"),
}
SEEDED: dict[str, str] = {}  # filled by live_server: its database, a paid payment's reference


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.browser)


def _require_chromium() -> None:
    if Path(CHROMIUM).exists() or shutil.which(CHROMIUM):
        return
    reason = f"Chromium not found at {CHROMIUM}: apt-get install chromium"
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the browser tests: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[str]:
    """The app on http://127.0.0.1:<free port>, with one account per role (and one to lock)."""
    folder = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{folder / 'payrecon.sqlite'}"
    engine = make_engine(url)
    upgrade_to_head(engine)
    engine.dispose()
    SEEDED["database_url"] = url
    with pytest.MonkeyPatch.context() as patch:
        # argon2's real cost is the auth tests' business; sign-ins here only need to work
        patch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))
        app = create_app(
            {
                "DATABASE_URL": url,
                "SECRET_KEY": "browser-tests",
                "SESSION_COOKIE_SECURE": False,  # plain http on 127.0.0.1, like the demo
                "INSTANCE_PATH": str(folder / "instance"),
            }
        )
        with app.app_context(), session_scope() as session:
            for role, (username, name) in ACCOUNTS.items():
                service.create_officer(
                    session,
                    username=username,
                    display_name=name,
                    role="officer" if role == "locked" else role,
                    password=PASSWORD,
                    actor="browser-tests",
                )
            add_account(session)  # the account of the statement fixtures
            SEEDED["reference"] = make_payment(session, make_dossier(session)).reference
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()
            thread.join()
            app.extensions["payrecon.engine"].dispose()


@pytest.fixture(scope="session")
def browser():
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server, request):
    """A fresh browser context (no cookies) per test; CSP violations fail the test."""
    context = browser.new_context(base_url=live_server, locale="vi-VN")
    page = context.new_page()
    problems: list[str] = []

    def note_csp_violation(message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            problems.append(message.text)

    page.on("console", note_csp_violation)
    yield page
    context.close()
    assert problems == [], f"{request.node.name}: CSP violations: {problems}"


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
