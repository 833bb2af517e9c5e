import time

import pytest

from payrecon.web.security import CONTENT_SECURITY_POLICY
from tests.e2e.officer.helpers import make_officer, page_text, sign_in, signed_in_client


@pytest.mark.parametrize(
    "path",
    ["/officer/login", "/healthz", "/openapi.json", "/api/v1/dossiers/NONE", "/no/such/page"],
)
def test_every_response_carries_the_security_headers(client, path):
    headers = client.get(path).headers
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_the_policy_allows_no_inline_script_and_no_framing():
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY
    assert directives["frame-ancestors"] == "'none'"


def test_static_files_carry_the_headers_too(client):
    response = client.get("/static/css/payrecon.css")
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()


def test_officer_pages_are_not_cached(app, db_session):
    client = signed_in_client(app, db_session, "officer")
    assert client.get("/officer/").headers["Cache-Control"] == "no-store"


def test_the_json_api_needs_no_csrf_token_it_answers_for_its_own_auth(client):
    response = client.put("/api/v1/dossiers/HS-1", json={})
    assert response.status_code == 401  # the bearer-token guard, not a CSRF refusal
    assert response.mimetype == "application/problem+json"


def test_a_form_post_to_another_path_without_a_token_is_refused(client):
    response = client.post("/language", data={"lang": "en"})
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn" in page_text(response)


def test_an_idle_session_ends_and_says_why(app, db_session):
    client = signed_in_client(app, db_session, "officer")
    with client.session_transaction() as session:
        session["seen_at"] = int(time.time()) - 31 * 60
    response = client.get("/officer/")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/officer/login")
    assert "không thao tác trong một thời gian" in page_text(client.get("/officer/login"))


def test_a_session_ends_at_its_absolute_lifetime_however_busy(app, db_session):
    client = signed_in_client(app, db_session, "officer")
    with client.session_transaction() as session:
        session["signed_in_at"] = int(time.time()) - 10 * 3600
    assert client.get("/officer/").status_code == 303
    assert "hết thời hạn" in page_text(client.get("/officer/login"))


def test_idle_time_is_configurable(app, db_session):
    app.config["OFFICER_IDLE_MINUTES"] = 5
    client = signed_in_client(app, db_session, "officer")
    with client.session_transaction() as session:
        session["seen_at"] = int(time.time()) - 6 * 60
    assert client.get("/officer/").status_code == 303


def test_a_disabled_officer_is_signed_out_on_the_next_request(app, db_session):
    from payrecon.auth import service

    client = signed_in_client(app, db_session, "officer")
    service.disable_officer(db_session, username="officer.test", actor="test")
    assert client.get("/officer/").status_code == 303


def test_no_personal_data_in_the_sign_in_redirect(client, db_session):
    make_officer(db_session, "auditor")
    response = client.get("/officer/audit?actor=login:203.0.113.9")
    assert response.headers["Location"] == "/officer/login?next=/officer/audit"
    assert sign_in(client, "auditor.test").status_code == 303
