"""/officer/statements (upload and per-account status) and /officer/jobs (job health)."""

from __future__ import annotations

import io
from datetime import date, timedelta

from sqlalchemy import func, select

from payrecon.audit import AuditRecord
from payrecon.db import utcnow
from payrecon.imports import ImportedFile
from payrecon.jobruns import service as jobruns
from payrecon.jobruns.models import JobRun
from tests.e2e.officer.helpers import csrf_token, page_text, signed_in_client
from tests.integration.statements.helpers import OUR_ACCOUNT, add_account, fixture, row_counts


def upload(client, data: bytes, filename: str = "camt053.xml", **fields):
    body = {
        "csrf_token": csrf_token(client, "/officer/statements"),
        "statement_file": (io.BytesIO(data), filename),
        "file_format": "auto",
        **fields,
    }
    return client.post("/officer/statements", data=body, content_type="multipart/form-data")


def test_an_officer_uploads_a_statement_and_sees_its_summary_and_account_status(app, db_session):
    add_account(db_session)
    client = signed_in_client(app, db_session, "officer")
    response = upload(client, fixture("camt053v08_vnd.xml"))
    assert response.status_code == 201
    page = page_text(response)
    assert "Đã nhập tệp." in page
    assert "1.733.500 ₫" in page  # credits
    assert "50.000 ₫" in page  # debits
    assert OUR_ACCOUNT in page
    assert "Số sao kê đã nhập: 2." in page
    db_session.rollback()
    imported = db_session.query(ImportedFile).one()
    assert imported.imported_by == "officer:officer.test"
    assert row_counts(db_session)["bank_statements"] == 2

    again = upload(client, fixture("camt053v08_vnd.xml"), "same-again.xml")
    assert again.status_code == 200
    assert "Tệp này đã được nhập trước đây; không có gì thay đổi." in page_text(again)


def test_a_file_for_an_unknown_account_is_refused_and_nothing_is_stored(app, db_session):
    client = signed_in_client(app, db_session, "supervisor")
    response = upload(client, fixture("camt053v08_vnd.xml"))
    assert response.status_code == 422
    page = page_text(response)
    assert 'aria-invalid="true"' in page
    assert OUR_ACCOUNT in page  # the refusal names the account it does not know
    assert row_counts(db_session)["bank_statements"] == 0


def test_an_oversized_or_missing_file_is_refused(app, db_session):
    add_account(db_session)
    app.config["STATEMENT_MAX_BYTES"] = 100
    client = signed_in_client(app, db_session, "admin")
    too_big = upload(client, fixture("camt053v08_vnd.xml"))
    assert too_big.status_code == 422
    assert "the limit is 100 bytes" in page_text(too_big)
    missing = client.post(
        "/officer/statements",
        data={"csrf_token": csrf_token(client, "/officer/statements")},
        content_type="multipart/form-data",
    )
    assert missing.status_code == 422
    assert "Hãy chọn tệp để tải lên." in page_text(missing)
    assert row_counts(db_session)["bank_statements"] == 0


def test_the_auditor_sees_the_status_but_no_upload_form(app, db_session):
    add_account(db_session)
    client = signed_in_client(app, db_session, "auditor")
    page = page_text(client.get("/officer/statements"))
    assert "Tình trạng nhập sao kê theo tài khoản chuyên thu" in page
    assert "Chưa nhập sao kê nào." in page
    assert 'enctype="multipart/form-data"' not in page


def test_a_search_writes_nothing_to_the_audit_log(app, db_session):
    """Searches are reads: the terms (an ID number here) are not recorded anywhere."""
    client = signed_in_client(app, db_session, "officer")
    db_session.rollback()
    before = db_session.scalar(select(func.count()).select_from(AuditRecord))
    client.post(
        "/officer/search",
        data={
            "csrf_token": csrf_token(client, "/officer/search"),
            "kind": "id_number",
            "term": "022090001234",
        },
    )
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(AuditRecord)) == before


def run(db_session, name: str, key: str, status: str, **changes) -> JobRun:
    started = jobruns.start_run(
        db_session, job_name=name, run_key=key, business_date=date(2026, 11, 25), host="h", pid=1
    )
    if status == "succeeded":
        jobruns.finish_run(db_session, started.id, summary=f"{name} {key} done")
    elif status == "failed":
        jobruns.fail_run(db_session, started.id, error=f"{name} {key} broke")
    for field, value in changes.items():
        setattr(started, field, value)
    db_session.commit()
    return started


def test_job_health_shows_last_runs_failures_in_red_and_stuck_runs(app, db_session):
    run(db_session, "reconcile", "2026-11-24", "failed")
    run(db_session, "reconcile", "2026-11-25", "succeeded")
    run(db_session, "tax-export", "2026-11-25", "failed")
    stale = utcnow() - timedelta(hours=2)
    run(db_session, "mop-up", "2026-11-25T13:05", "running", heartbeat_at=stale)
    client = signed_in_client(app, db_session, "auditor")
    page = page_text(client.get("/officer/jobs"))
    assert "reconcile 2026-11-25 done" in page
    assert "reconcile 2026-11-24 broke" not in page  # only the last run of each job
    assert '<tr class="row--bad">' in page
    assert "tax-export 2026-11-25 broke" in page
    assert "1 lần chạy bị treo" in page
    assert "Bị treo: không có tín hiệu từ" in page
    assert page.count('<tr class="row--bad">') == 3  # the failure, the stuck row twice


def test_job_history_lists_a_jobs_runs_newest_first(app, db_session):
    run(db_session, "reconcile", "2026-11-24", "failed")
    run(db_session, "reconcile", "2026-11-25", "succeeded")
    client = signed_in_client(app, db_session, "officer")
    page = page_text(client.get("/officer/jobs/reconcile"))
    assert page.index("reconcile 2026-11-25 done") < page.index("reconcile 2026-11-24 broke")
    assert client.get("/officer/jobs/no-such-job").status_code == 404
