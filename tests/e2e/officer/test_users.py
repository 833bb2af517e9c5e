from payrecon import audit
from payrecon.auth import queries
from tests.e2e.officer.helpers import (
    PASSWORD,
    make_officer,
    page_text,
    post_form,
    sign_in,
    signed_in_client,
)

NEW = {
    "username": "hoa.tran",
    "display_name": "Trần Thị Hoa",
    "role": "supervisor",
    "password": "a long enough password",
    "confirm": "a long enough password",
}


def create(client, **changes):
    return post_form(client, "/officer/users", NEW | changes, form_page="/officer/users")


def test_the_admin_creates_an_account_that_can_then_sign_in(app, db_session):
    client = signed_in_client(app, db_session, "admin")
    response = create(client)
    assert response.status_code == 303
    listing = page_text(client.get("/officer/users"))
    assert "Đã tạo tài khoản hoa.tran." in listing
    assert "Trần Thị Hoa" in listing
    db_session.rollback()
    officer = queries.find_officer(db_session, "hoa.tran")
    assert officer.role == "supervisor"
    created = audit.history(db_session, "officers", officer.id)[0]
    assert created.actor == "officer:admin.test"
    assert sign_in(app.test_client(), "hoa.tran", "a long enough password").status_code == 303


def test_a_taken_username_is_refused_next_to_the_field(app, db_session):
    client = signed_in_client(app, db_session, "admin")
    response = create(client, username="admin.test")
    assert response.status_code == 422
    assert "username &#39;admin.test&#39; is taken" in page_text(response)
    assert 'aria-invalid="true"' in page_text(response)


def test_mismatched_or_short_passwords_are_refused(app, db_session):
    client = signed_in_client(app, db_session, "admin")
    mismatch = create(client, confirm="another long password")
    assert mismatch.status_code == 422
    assert "Hai mật khẩu không khớp nhau." in page_text(mismatch)
    short = create(client, password="short", confirm="short")
    assert short.status_code == 422
    assert "Mật khẩu cần có ít nhất 12 ký tự." in page_text(short)
    db_session.rollback()
    assert queries.find_officer(db_session, "hoa.tran") is None


def test_the_admin_disables_an_account_and_it_can_no_longer_sign_in(app, db_session):
    client = signed_in_client(app, db_session, "admin")
    make_officer(db_session, "officer", "thu.nguyen")
    response = post_form(
        client, "/officer/users/disable", {"username": "thu.nguyen"}, form_page="/officer/users"
    )
    assert response.status_code == 303
    assert "Đã vô hiệu hóa tài khoản thu.nguyen." in page_text(client.get("/officer/users"))
    db_session.rollback()
    assert queries.find_officer(db_session, "thu.nguyen").disabled_at is not None
    refused = sign_in(app.test_client(), "thu.nguyen", PASSWORD)
    assert "Đăng nhập không thành công" in page_text(refused)


def test_the_admin_cannot_disable_their_own_account(app, db_session):
    client = signed_in_client(app, db_session, "admin")
    post_form(
        client, "/officer/users/disable", {"username": "admin.test"}, form_page="/officer/users"
    )
    assert "Bạn không thể tự vô hiệu hóa" in page_text(client.get("/officer/users"))
    db_session.rollback()
    assert queries.find_officer(db_session, "admin.test").disabled_at is None


def test_a_supervisor_may_not_manage_accounts(app, db_session):
    client = signed_in_client(app, db_session, "supervisor")
    assert client.get("/officer/users").status_code == 403
    assert create(client).status_code == 403
    db_session.rollback()
    assert queries.find_officer(db_session, "hoa.tran") is None
