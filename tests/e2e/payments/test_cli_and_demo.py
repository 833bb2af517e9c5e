"""`payrecon payments …` and the demo's payments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from payrecon.cli import cli
from payrecon.payments import service
from payrecon.payments.models import STATUSES, BankCredit, Payment
from tests.factories import make_dossier
from tests.integration.payments.helpers import create, make_settings, pay


def test_the_demo_makes_payments_in_every_state(runner, db_session):
    result = runner.invoke(cli, ["demo", "--dossiers", "150"])
    assert result.exit_code == 0, result.output
    assert "payments: " in result.output
    db_session.rollback()
    payments = list(db_session.scalars(select(Payment)))
    assert {p.status for p in payments} == set(STATUSES)
    assert sum(p.is_duplicate for p in payments) == 1
    assert {p.method for p in payments if p.status == "succeeded"} == {"vietqr", "vnpay"}


def test_the_demo_statements_count_each_notified_transfer_once(runner, db_session):
    """Demo transfers settle by the bank's credit notification; the statement books them under
    the same bank transaction id, so each line is linked to its credit, not counted again.
    Only the demo's deliberately repeated transfers are money arriving twice."""
    result = runner.invoke(cli, ["demo", "--dossiers", "300"])
    assert result.exit_code == 0, result.output
    db_session.rollback()
    credits = list(db_session.scalars(select(BankCredit)))
    transfers = [c for c in credits if not c.bank_transaction_id.endswith("B")]
    repeats = [c for c in credits if c.bank_transaction_id.endswith("B")]
    assert transfers
    # every transfer was first notified; the statement's line of it (if booked yet) is linked
    assert {c.first_source for c in transfers} == {"webhook"}
    assert any(c.statement_line_id is not None for c in transfers)
    assert repeats
    assert all(c.outcome == "already_paid" for c in repeats)
    assert "credit(s) linked" in result.output


def test_the_job_commands_run_for_a_date(runner, db_session):
    settings = make_settings()
    dossier = make_dossier(db_session)
    create(db_session, settings, dossier, now=datetime.now(UTC) - timedelta(days=2))
    expired = runner.invoke(cli, ["payments", "expire"])
    assert expired.exit_code == 0, expired.output
    assert "1 pending payments expired" in expired.output
    purged = runner.invoke(cli, ["payments", "purge-keys", "--date", "2026-11-25"])
    assert purged.exit_code == 0
    assert "idempotency keys older than" in purged.output
    bad = runner.invoke(cli, ["payments", "expire", "--date", "25/11/2026"])
    assert bad.exit_code != 0
    assert "is not a date" in bad.output


def test_refund_transferred_completes_a_vietqr_refund(runner, db_session):
    settings = make_settings()
    dossier = make_dossier(db_session, fee_due_vnd=60_000)
    body = create(db_session, settings, dossier).body
    pay(db_session, body["reference"], 60_000)
    refund = service.request_refund(
        db_session, body["id"], amount_vnd=60_000, reason="trả hồ sơ", actor="t", settings=settings
    )
    done = runner.invoke(
        cli, ["payments", "refund-transferred", str(refund["id"]), "--note", "UNC 12"]
    )
    assert done.exit_code == 0, done.output
    assert f"payment {body['id']} is refunded" in done.output
    unknown = runner.invoke(cli, ["payments", "refund-transferred", "999999"])
    assert unknown.exit_code == 1
    assert "no refund with id 999999" in unknown.output
