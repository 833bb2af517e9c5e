import re

from payrecon import audit
from payrecon.auth import queries
from tests.e2e.officer.helpers import (
    PASSWORD,
    csrf_token,
    make_officer,
    page_text,
    post_form,
    sign_in,
)


def test_sign_in_lands_on_home_which_greets_the_officer(client, db_session):
    make_officer(db_session, "officer", "thu.nguyen", display_name="Nguyễn Thị Thu")
    response = sign_in(client, "Thu.Nguyen")  # usernames are case-insensitive
    assert response.status_code == 303
    assert response.headers["Location"] == "/officer/"
    home = client.get("/officer/")
    assert home.status_code == 200
    assert "Nguyễn Thị Thu" in page_text(home)


def test_the_session_cookie_is_secure_httponly_and_samesite_lax(client, db_session):
    make_officer(db_session, "officer")
    response = sign_in(client, "officer.test")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Expires=" in cookie  # a permanent session bounded by the absolute lifetime


def test_a_wrong_password_says_nothing_about_which_part_was_wrong(client, db_session):
    make_officer(db_session, "officer")
    wrong = sign_in(client, "officer.test", "not the password at all")
    unknown = sign_in(client, "nobody.here", PASSWORD)
    assert wrong.status_code == unknown.status_code == 200
    message = "Đăng nhập không thành công"
    assert message in page_text(wrong)
    assert message in page_text(unknown)
    assert client.get("/officer/").status_code == 303  # still signed out


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(client, db_session):
    officer = make_officer(db_session, "officer")
    for _ in range(5):
        sign_in(client, "officer.test", "a wrong password guess")
    refused = sign_in(client, "officer.test", PASSWORD)
    assert refused.status_code == 200
    assert "Đăng nhập không thành công" in page_text(refused)
    db_session.rollback()
    assert queries.find_officer(db_session, "officer.test").locked_until is not None
    outcomes = [r.new_value for r in audit.history(db_session, "officers", officer.id)]
    assert outcomes[-2:] == ["locked", "refused"]


def test_after_sign_in_the_officer_goes_where_they_were_going(client, db_session):
    make_officer(db_session, "auditor")
    bounced = client.get("/officer/audit")
    assert bounced.status_code == 303
    assert bounced.headers["Location"] == "/officer/login?next=/officer/audit"
    login_page = page_text(client.get(bounced.headers["Location"]))
    assert 'name="next" type="hidden" value="/officer/audit"' in login_page
    response = sign_in(client, "auditor.test", next="/officer/audit")
    assert response.headers["Location"] == "/officer/audit"


def test_next_cannot_send_the_officer_to_another_site(client, db_session):
    make_officer(db_session, "officer")
    response = sign_in(client, "officer.test", next="//evil.example/officer/")
    assert response.headers["Location"] == "/officer/"


def test_signing_out_needs_a_post_and_ends_the_session(client, db_session):
    make_officer(db_session, "officer")
    sign_in(client, "officer.test")
    assert client.get("/officer/logout").status_code == 405
    assert client.get("/officer/").status_code == 200
    out = post_form(client, "/officer/logout", {}, form_page="/officer/")
    assert out.status_code == 303
    assert out.headers["Location"] == "/officer/login"
    assert "Bạn đã đăng xuất." in page_text(client.get("/officer/login"))
    assert client.get("/officer/").status_code == 303


def test_signing_out_ends_a_copied_cookie_and_the_other_sessions_of_the_account(
    app, client, db_session
):
    officer = make_officer(db_session, "officer")
    sign_in(client, "officer.test")
    copied_cookie = client.get_cookie("session").value
    other_desk = app.test_client()
    sign_in(other_desk, "officer.test")
    assert other_desk.get("/officer/").status_code == 200

    post_form(client, "/officer/logout", {}, form_page="/officer/")

    thief = app.test_client()
    thief.set_cookie("session", copied_cookie)
    assert thief.get("/officer/").status_code == 303
    assert other_desk.get("/officer/").status_code == 303
    outcomes = [r.new_value for r in audit.history(db_session, "officers", officer.id)]
    assert outcomes[-1] == "signed_out"
    sign_in(client, "officer.test")  # a new sign-in works at once
    assert client.get("/officer/").status_code == 200


def test_a_signed_in_officer_visiting_the_login_page_goes_home(client, db_session):
    make_officer(db_session, "officer")
    sign_in(client, "officer.test")
    response = client.get("/officer/login")
    assert response.status_code == 303
    assert response.headers["Location"] == "/officer/"


def test_too_many_attempts_for_one_username_are_refused_with_retry_after(app, db_session):
    app.config["LOGIN_RATE_LIMIT_PER_USERNAME"] = "3/minute"
    make_officer(db_session, "officer")
    client = app.test_client()
    statuses = [sign_in(client, "officer.test", "wrong password guess").status_code]
    statuses += [sign_in(client, "OFFICER.TEST", "wrong password guess").status_code]
    statuses += [sign_in(client, "officer.test", "wrong password guess").status_code]
    limited = sign_in(client, "officer.test", PASSWORD)
    assert statuses == [200, 200, 200]
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert "Quá nhiều lần đăng nhập" in page_text(limited)
    assert client.get("/officer/").status_code == 303  # the right password did not get in


def test_too_many_attempts_from_one_address_are_refused_whatever_the_username(app, db_session):
    app.config["LOGIN_RATE_LIMIT_PER_ADDRESS"] = "2/minute"
    make_officer(db_session, "officer")
    client = app.test_client()
    assert sign_in(client, "first.name", "guess number one").status_code == 200
    assert sign_in(client, "second.name", "guess number two").status_code == 200
    assert sign_in(client, "officer.test").status_code == 429


def test_an_empty_form_is_answered_with_field_errors(client):
    response = post_form(client, "/officer/login", {"username": "", "password": ""})
    assert response.status_code == 422
    assert len(re.findall("Trường này là bắt buộc.", page_text(response))) == 2


def test_the_login_form_without_a_csrf_token_is_refused(client, db_session):
    make_officer(db_session, "officer")
    csrf_token(client)  # the session has a token, the post does not carry it
    response = client.post(
        "/officer/login", data={"username": "officer.test", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn" in page_text(response)
    assert client.get("/officer/").status_code == 303
