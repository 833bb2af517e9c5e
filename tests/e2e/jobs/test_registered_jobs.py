"""The real jobs, each run through `payrecon jobs run-once NAME` and doing its real work."""

from __future__ import annotations

import os
import time
from datetime import timedelta

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import func, select

from jobs.registry import JOBS
from payrecon import outbox
from payrecon.cli import cli
from payrecon.db import utcnow
from payrecon.invoices.models import Invoice
from payrecon.jobruns.models import JobRun
from payrecon.outbox import OutboxEvent
from payrecon.payments.models import IdempotencyKey, Payment
from payrecon.statements.models import BankStatement, SettlementBatch, StatementLine
from tests.factories import make_dossier, make_payment
from tests.integration.invoices.helpers import pay
from tests.integration.statements.helpers import add_account, fixture

REAL_JOBS = {
    "issue-invoices": "every minute",
    "import-statements-inbox": "every 5 minutes",
    "expire-payments": "every 5 minutes",
    "vnpay-mop-up": "every 15 minutes",
    "purge-idempotency-keys": "nightly at 00:30 (Asia/Ho_Chi_Minh) for the previous day",
}


def run_once(runner, name: str):
    return runner.invoke(cli, ["jobs", "run-once", name])


def runs_of(db_session, name: str) -> list[JobRun]:
    db_session.rollback()
    return list(db_session.scalars(select(JobRun).where(JobRun.job_name == name)))


def job_runs_metric(name: str, outcome: str) -> float:
    value = REGISTRY.get_sample_value("payrecon_job_runs_total", {"job": name, "outcome": outcome})
    return value or 0.0


def test_list_shows_every_registered_job_with_its_timing(runner):
    result = runner.invoke(cli, ["jobs", "list"])
    assert result.exit_code == 0, result.output
    for name, timing in REAL_JOBS.items():
        [line] = [line for line in result.output.splitlines() if line.startswith(f"{name} ")]
        assert timing in line
        assert line.endswith("never run")
    assert set(REAL_JOBS) <= set(JOBS)


# -- issue-invoices ----------------------------------------------------------------------------


def test_issue_invoices_without_a_signing_key_is_a_failed_run(app, runner, db_session):
    pay(db_session, make_dossier(db_session))
    failed_before = job_runs_metric("issue-invoices", "failed")
    result = run_once(runner, "issue-invoices")
    assert result.exit_code == 1
    assert "SigningNotConfigured: set PAYRECON_SIGNING_KEY" in result.output
    [run] = runs_of(db_session, "issue-invoices")
    assert run.status == "failed"
    assert "SigningNotConfigured" in run.error
    assert db_session.scalar(select(func.count()).select_from(Invoice)) == 0
    assert job_runs_metric("issue-invoices", "failed") == failed_before + 1


def test_issue_invoices_issues_the_invoice_of_a_paid_fee(app, runner, db_session, key_files):
    app.config.update(SIGNING_KEY=key_files[0], SIGNING_CERT=key_files[1])
    payment_id = pay(db_session, make_dossier(db_session, applicant_name="Trần Thị Bích"))
    ok_before = job_runs_metric("issue-invoices", "ok")
    result = run_once(runner, "issue-invoices")
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith(
        "1 invoices issued (0 failed), 0 refunds handled (0 failed)"
    )
    db_session.rollback()
    [invoice] = db_session.scalars(select(Invoice)).all()
    assert invoice.payment_id == payment_id
    assert "Trần Thị Bích".encode() in invoice.xml
    assert job_runs_metric("issue-invoices", "ok") == ok_before + 1


# -- expire-payments ---------------------------------------------------------------------------


def test_expire_payments_expires_a_stale_pending_payment(runner, db_session):
    dossier = make_dossier(db_session)
    now = utcnow()
    stale = make_payment(
        db_session, dossier, status="pending", paid_at=None, expires_at=now - timedelta(hours=1)
    )
    waiting = make_payment(
        db_session, dossier, status="pending", paid_at=None, expires_at=now + timedelta(hours=1)
    )
    result = run_once(runner, "expire-payments")
    assert result.exit_code == 0, result.output
    assert "1 pending payments expired" in result.output
    db_session.expire_all()
    assert db_session.get(Payment, stale.id).status == "expired"
    assert db_session.get(Payment, waiting.id).status == "pending"


# -- vnpay-mop-up ------------------------------------------------------------------------------


def stale_vnpay_payment(db_session) -> Payment:
    created = utcnow() - timedelta(hours=1)
    return make_payment(
        db_session,
        make_dossier(db_session),
        method="vnpay",
        status="pending",
        paid_at=None,
        created_at=created,
        expires_at=utcnow() + timedelta(hours=1),
    )


def test_vnpay_mop_up_with_nothing_stale_asks_nobody(runner):
    result = run_once(runner, "vnpay-mop-up")
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith("no stale VNPAY payments to ask about")


def test_vnpay_mop_up_with_the_gateway_down_is_a_failed_run(app, runner, db_session):
    app.config.update(
        VNPAY_TMN_CODE="TESTTMN1",
        VNPAY_HASH_SECRET="s3cr3t",
        VNPAY_PAY_URL="http://127.0.0.1:1/pay",
        VNPAY_API_URL="http://127.0.0.1:1/merchant_webapi/api/transaction",
        VNPAY_TIMEOUT_SECONDS=2,
    )
    payment = stale_vnpay_payment(db_session)
    result = run_once(runner, "vnpay-mop-up")
    assert result.exit_code == 1
    assert "UpstreamFailure: VNPAY querydr mop-up: 0 succeeded, 0 failed" in result.output
    assert "no usable answer for 1" in result.output
    [run] = runs_of(db_session, "vnpay-mop-up")
    assert run.status == "failed"
    db_session.expire_all()
    assert db_session.get(Payment, payment.id).status == "pending"


def test_vnpay_mop_up_without_a_terminal_names_the_missing_settings(runner, db_session):
    stale_vnpay_payment(db_session)
    result = run_once(runner, "vnpay-mop-up")
    assert result.exit_code == 1
    assert "PAYRECON_VNPAY_TMN_CODE" in result.output


# -- purge-idempotency-keys --------------------------------------------------------------------


def test_purge_idempotency_keys_deletes_keys_older_than_a_day(runner, db_session):
    now = utcnow()
    for key, created_at in (("old", now - timedelta(days=3)), ("fresh", now)):
        db_session.add(
            IdempotencyKey(
                client="t",
                key=key,
                request_fingerprint="f" * 64,
                response_status=201,
                response_body={},
                created_at=created_at,
            )
        )
    db_session.commit()
    result = run_once(runner, "purge-idempotency-keys")
    assert result.exit_code == 0, result.output
    assert "1 idempotency keys older than" in result.output
    db_session.rollback()
    assert db_session.scalars(select(IdempotencyKey.key)).all() == ["fresh"]


# -- import-statements-inbox -------------------------------------------------------------------


@pytest.fixture
def inbox(app, tmp_path):
    folder = tmp_path / "statements-inbox"
    folder.mkdir()
    app.config["STATEMENTS_INBOX"] = str(folder)
    return folder


def drop(folder, name: str, data: bytes, *, age_s: float = 120) -> None:
    path = folder / name
    path.write_bytes(data)
    moment = time.time() - age_s
    os.utime(path, (moment, moment))


def test_the_inbox_imports_rejects_and_waits(runner, db_session, inbox):
    add_account(db_session)
    drop(inbox, "mt940_vnd.sta", fixture("mt940_vnd.sta"))
    drop(inbox, "settlement_vnpay.csv", fixture("settlement_vnpay.csv"))
    drop(inbox, "garbage.xml", b"<html><body>not a statement</body></html>")
    drop(inbox, "still-coming.sta", fixture("mt940_vnd.sta"), age_s=0)
    drop(inbox, "upload.csv.part", b"half a file")

    result = run_once(runner, "import-statements-inbox")
    assert result.exit_code == 0, result.output
    assert "2 imported, 0 already imported, 1 rejected, 0 failed, 2 left for the next run" in (
        result.output
    )

    assert sorted(p.name for p in (inbox / "processed").iterdir()) == [
        "mt940_vnd.sta",
        "settlement_vnpay.csv",
    ]
    assert sorted(p.name for p in inbox.iterdir() if p.is_file()) == [
        "still-coming.sta",
        "upload.csv.part",
    ]
    reason = (inbox / "rejected" / "garbage.xml.reason.txt").read_text(encoding="utf-8")
    assert "reason: XML, but not an ISO 20022 camt.052, camt.053 or camt.054 document" in reason
    assert "(at garbage.xml)" in reason

    db_session.rollback()
    statements = db_session.scalars(select(BankStatement)).all()
    assert len(statements) == 2  # the MT940 file holds two statements
    assert {s.source_filename for s in statements} == {"mt940_vnd.sta"}
    assert {s.imported_by for s in statements} == {"job:import-statements-inbox"}
    stored = db_session.scalar(select(func.count()).select_from(StatementLine))
    assert stored == sum(s.lines_stored for s in statements) > 0
    assert db_session.scalar(select(func.count()).select_from(SettlementBatch)) == 2


def test_a_file_imported_before_is_processed_not_rejected(runner, db_session, inbox):
    add_account(db_session)
    drop(inbox, "first.sta", fixture("mt940_vnd.sta"))
    assert run_once(runner, "import-statements-inbox").exit_code == 0
    drop(inbox, "again.sta", fixture("mt940_vnd.sta"))
    again = runner.invoke(cli, ["jobs", "run-once", "import-statements-inbox", "--force"])
    assert again.exit_code == 0, again.output
    assert "0 imported, 1 already imported, 0 rejected" in again.output
    assert sorted(p.name for p in (inbox / "processed").iterdir()) == ["again.sta", "first.sta"]
    db_session.rollback()
    assert db_session.scalars(select(BankStatement.source_filename)).all() == ["first.sta"] * 2


def test_a_symlink_out_of_the_inbox_is_never_read(runner, db_session, inbox, tmp_path):
    add_account(db_session)
    outside = tmp_path / "outside.sta"
    outside.write_bytes(fixture("mt940_vnd.sta"))
    (inbox / "linked.sta").symlink_to(outside)
    result = run_once(runner, "import-statements-inbox")
    assert result.exit_code == 0, result.output
    assert "1 rejected" in result.output
    assert (inbox / "rejected" / "linked.sta").is_symlink()
    assert outside.read_bytes() == fixture("mt940_vnd.sta")
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(BankStatement)) == 0


def test_the_default_inbox_is_in_the_instance_folder(app, runner):
    result = run_once(runner, "import-statements-inbox")
    assert result.exit_code == 0, result.output
    default = os.path.join(app.instance_path, "inbox")
    assert f"inbox {default}: 0 imported" in result.output
    assert os.path.isdir(os.path.join(default, "processed"))


def test_a_configured_inbox_that_does_not_exist_fails_the_run(app, runner, tmp_path):
    app.config["STATEMENTS_INBOX"] = str(tmp_path / "typo")
    result = run_once(runner, "import-statements-inbox")
    assert result.exit_code == 1
    assert f"InvalidInput: the statements inbox {tmp_path / 'typo'} is not a folder" in (
        result.output
    )
    assert not (tmp_path / "typo").exists()


def test_an_event_that_cannot_be_issued_fails_the_run_and_stays_queued(
    app, runner, db_session, key_files
):
    app.config.update(SIGNING_KEY=key_files[0], SIGNING_CERT=key_files[1])
    outbox.enqueue(db_session, "payment.succeeded", 999_999, {"payment_id": 999_999})
    db_session.commit()
    result = run_once(runner, "issue-invoices")
    assert result.exit_code == 1
    assert "OutboxBacklog: 0 invoices issued (1 failed)" in result.output
    db_session.rollback()
    [event] = db_session.scalars(select(OutboxEvent)).all()
    assert event.processed_at is None
    assert event.attempts == 1
    assert event.last_error
