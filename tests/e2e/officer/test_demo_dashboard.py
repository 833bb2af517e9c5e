"""`payrecon demo` ends with last night's reconciliation: the dashboard shows it as such."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from payrecon.cli import cli
from payrecon.db import session_scope
from payrecon.payments.models import Payment
from payrecon.reconciliation.models import ReconciliationRun
from payrecon.web.officer.day_bounds import VIETNAM
from tests.e2e.officer.helpers import page_text, sign_in
from tests.e2e.officer.test_demo_logins import printed_logins


def test_the_demo_dashboard_shows_last_nights_run_of_the_demo_data(runner, app):
    result = runner.invoke(cli, ["demo", "--dossiers", "80", "--base-url", "http://127.0.0.1:8123"])
    assert result.exit_code == 0, result.output
    assert "officer pages: http://127.0.0.1:8123/officer/login" in result.output
    yesterday = datetime.now(VIETNAM).date() - timedelta(days=1)
    with app.app_context(), session_scope() as session:
        run = session.scalars(select(ReconciliationRun)).one()
        paid = [
            moment.astimezone(VIETNAM).date()
            for moment in session.scalars(
                select(Payment.paid_at).where(Payment.paid_at.is_not(None))
            )
        ]
        run_id, business_date, matches = run.id, run.business_date, run.match_count
        counts = run.exception_counts
    assert business_date == yesterday
    # the feed's dossier paid at the counter yesterday, with no payment of ours
    assert counts["paid_without_payment"] == 1
    assert "1 paid_without_payment" in result.output
    assert paid
    assert set(paid) == {yesterday}  # the money moved during the business day
    assert matches > 0

    username, password = printed_logins(result.output)["officer"]
    client = app.test_client()
    assert sign_in(client, username, password).status_code == 303
    page = page_text(client.get("/officer/"))
    assert "Đối soát đêm qua" in page
    assert yesterday.strftime("%d/%m/%Y") in page
    assert f'href="/officer/reconciliation/runs/{run_id}"' in page
    assert "Chưa có lần đối soát hoàn tất cho hôm qua" not in page
    assert "<svg" in page
    assert "Hồ sơ ghi đã nộp nhưng không có thanh toán" in page
