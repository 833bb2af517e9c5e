import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from payrecon import audit
from payrecon.audit import AuditRecord
from tests.e2e.officer.helpers import page_text, post_form, signed_in_client


def add_records(session, count: int, *, subject_type: str = "payments", actor: str = "cli:ops"):
    for number in range(count):
        audit.record(
            session,
            subject_type=subject_type,
            subject_id=str(number + 1),
            field="status",
            old="pending",
            new="succeeded",
            actor=actor,
        )
    session.commit()


def rows(response) -> list[str]:
    body = page_text(response).split("<tbody>", 1)[-1]
    return re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)


def filter_by(client, **fields):
    data = {"actor": "", "subject_type": "", "subject_id": "", "date_from": "", "date_to": ""}
    return post_form(client, "/officer/audit", data | fields, form_page="/officer/audit")


def test_the_auditor_sees_records_newest_first_and_a_verified_chain(app, db_session):
    client = signed_in_client(app, db_session, "auditor")
    add_records(db_session, 3)
    page = client.get("/officer/audit")
    assert page.status_code == 200
    text = page_text(page)
    assert "Đã kiểm tra chuỗi băm" in text
    shown = rows(page)
    assert len(shown) == 5  # 3 payments, the auditor's account created, the auditor signed in
    first_ids = [int(re.search(r"<td>(\d+)</td>", row).group(1)) for row in shown]
    assert first_ids == sorted(first_ids, reverse=True)


def test_a_filter_is_kept_out_of_the_url_and_narrows_the_list(app, db_session):
    client = signed_in_client(app, db_session, "auditor")
    add_records(db_session, 2, actor="officer:thu.nguyen")
    add_records(db_session, 3, subject_type="invoices", actor="cli:ops")
    response = filter_by(client, actor="THU.NGUYEN")
    assert response.status_code == 303
    assert response.headers["Location"] == "/officer/audit"
    page = client.get("/officer/audit")
    assert len(rows(page)) == 2
    assert all("officer:thu.nguyen" in row for row in rows(page))

    filter_by(client, subject_type="invoices", subject_id="2")
    shown = rows(client.get("/officer/audit"))
    assert len(shown) == 1
    assert "invoices 2" in shown[0]


def test_the_date_range_is_inclusive_of_vietnam_days(app, db_session):
    client = signed_in_client(app, db_session, "auditor")
    add_records(db_session, 1)
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    filter_by(client, date_from=today.isoformat(), date_to=today.isoformat())
    assert len(rows(client.get("/officer/audit"))) >= 1
    tomorrow = today + timedelta(days=1)
    filter_by(client, date_from=tomorrow.isoformat())
    page = client.get("/officer/audit")
    assert rows(page) == []
    assert "Không có bản ghi nào phù hợp." in page_text(page)


def test_an_end_before_the_start_is_refused_at_the_field(app, db_session):
    client = signed_in_client(app, db_session, "auditor")
    response = filter_by(client, date_from="2026-11-20", date_to="2026-11-19")
    assert response.status_code == 422
    assert "Ngày kết thúc trước ngày bắt đầu." in page_text(response)


def test_clearing_the_filters_shows_everything_again(app, db_session):
    client = signed_in_client(app, db_session, "auditor")
    add_records(db_session, 2)
    filter_by(client, subject_type="payments", subject_id="1")
    assert len(rows(client.get("/officer/audit"))) == 1
    post_form(client, "/officer/audit", {"clear": "1"}, form_page="/officer/audit")
    assert len(rows(client.get("/officer/audit"))) > 1


def test_long_logs_are_paged_fifty_at_a_time(app, db_session):
    client = signed_in_client(app, db_session, "auditor")
    add_records(db_session, 60)
    filter_by(client, subject_type="payments")
    first = client.get("/officer/audit")
    second = client.get("/officer/audit?page=2")
    assert len(rows(first)) == 50
    assert len(rows(second)) == 10
    assert "Trang 1/2" in page_text(first)
    assert 'href="/officer/audit?page=2"' in page_text(first)
    assert "Bản ghi 51–60 trên tổng số 60" in page_text(second)


def test_a_tampered_record_shows_where_the_chain_breaks(app, db_session):
    client = signed_in_client(app, db_session, "auditor")
    add_records(db_session, 3)
    victim = db_session.scalar(
        select(AuditRecord.id)
        .where(AuditRecord.subject_type == "payments")
        .order_by(AuditRecord.id)
        .offset(1)
        .limit(1)
    )
    db_session.execute(
        update(AuditRecord).where(AuditRecord.id == victim).values(new_value="refunded")
    )
    db_session.commit()
    text = page_text(client.get("/officer/audit"))
    assert f"Chuỗi băm bị đứt tại bản ghi {victim}" in text
    assert "Đã kiểm tra chuỗi băm" not in text


def test_a_finance_officer_may_not_open_the_audit_log(app, db_session):
    client = signed_in_client(app, db_session, "officer")
    response = client.get("/officer/audit")
    assert response.status_code == 403
    assert "Không được phép" in page_text(response)
