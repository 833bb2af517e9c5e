"""The bearer-token guard over HTTP, on PUT /api/v1/dossiers/<code> (scope dossiers:write)."""

from datetime import timedelta

import pytest

from payrecon import create_app
from payrecon.auth import service
from payrecon.db import utcnow
from tests.conftest import delete_all_rows
from tests.e2e.auth.helpers import bearer, bearer_for, issue_token
from tests.factories import make_dossier, make_procedure


def dossier_body(procedure_code: str) -> dict:
    return {
        "procedure_code": procedure_code,
        "applicant_name": "Đỗ Minh Tâm",
        "applicant_id": "022090009999",
        "received_at": "2026-11-23T09:00:00+07:00",
        "status": "received",
        "fee_due_vnd": 200_000,
    }


@pytest.fixture
def body(db_session):
    return dossier_body(make_procedure(db_session).code)


def assert_unauthorized(response):
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    problem = response.get_json()
    assert problem["status"] == 401
    assert set(problem) <= {"type", "title", "status", "detail", "errors"}
    return problem


def test_no_token_is_401_and_nothing_is_written(client, body):
    problem = assert_unauthorized(client.put("/api/v1/dossiers/HS-G-1", json=body))
    assert "Authorization: Bearer" in problem["detail"]
    assert client.get("/api/v1/dossiers/HS-G-1").status_code == 404


def test_the_token_is_checked_before_the_body(client):
    assert_unauthorized(client.put("/api/v1/dossiers/HS-G-1", json={"fee_due_vnd": 1.5}))


@pytest.mark.parametrize(
    "header",
    [
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer not-a-token",
        "Bearer prt_0123456789abcdef_" + "A" * 43,
    ],
)
def test_a_bad_token_is_401_without_echoing_it(client, body, header):
    response = client.put("/api/v1/dossiers/HS-G-1", json=body, headers={"Authorization": header})
    problem = assert_unauthorized(response)
    assert "A" * 20 not in response.get_data(as_text=True)
    assert "not-a-token" not in problem["detail"]


def test_a_revoked_token_is_401(client, db_session, body):
    token = issue_token(db_session, "dossiers:write")
    headers = bearer(token)
    assert client.put("/api/v1/dossiers/HS-G-2", json=body, headers=headers).status_code == 201
    public_id = token.split("_")[1]
    service.revoke_token(db_session, public_id=public_id, actor="test")
    problem = assert_unauthorized(client.put("/api/v1/dossiers/HS-G-2", json=body, headers=headers))
    assert problem["detail"] == "the bearer token has been revoked"


def test_an_expired_token_is_401(client, db_session, body):
    headers = bearer_for(
        db_session, "dossiers:write", expires_in_days=1, now=utcnow() - timedelta(days=1)
    )
    problem = assert_unauthorized(client.put("/api/v1/dossiers/HS-G-3", json=body, headers=headers))
    assert problem["detail"] == "the bearer token has expired"


def test_a_token_without_the_scope_is_403(client, db_session, body):
    headers = bearer_for(db_session, "tax:read", "tax:write")
    response = client.put("/api/v1/dossiers/HS-G-4", json=body, headers=headers)
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["detail"] == "this token does not carry the scope dossiers:write"
    assert client.get("/api/v1/dossiers/HS-G-4").status_code == 404


def test_the_right_scope_is_200_and_the_change_names_the_token(client, db_session):
    dossier = make_dossier(db_session)
    body = dossier_body(dossier.procedure.code) | {"status": "done"}
    token = issue_token(db_session, "dossiers:write", name="one-stop-shop")
    response = client.put(f"/api/v1/dossiers/{dossier.code}", json=body, headers=bearer(token))
    assert response.status_code == 200
    assert response.get_json()["status"] == "done"

    from payrecon.audit import history

    db_session.rollback()
    changes = history(db_session, "dossiers", dossier.id)
    assert changes
    assert {c.actor for c in changes} == {f"api:one-stop-shop:{token.split('_')[1]}"}


def test_reads_stay_open(client, db_session):
    dossier = make_dossier(db_session)
    assert client.get(f"/api/v1/dossiers/{dossier.code}").status_code == 200


@pytest.fixture
def limited_client(database_url, engine):
    """An app allowing each token two requests an hour (the window starts at the first)."""
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "TESTING": True,
            "SECRET_KEY": "test",
            "API_RATE_LIMIT": "2/hour",
        }
    )
    yield app.test_client()
    app.extensions["payrecon.engine"].dispose()
    delete_all_rows(engine)


def test_429_with_retry_after_once_a_token_spends_its_limit(limited_client, db_session, body):
    headers = bearer_for(db_session, "dossiers:write")
    first = limited_client.put("/api/v1/dossiers/HS-R-1", json=body, headers=headers)
    second = limited_client.put("/api/v1/dossiers/HS-R-1", json=body, headers=headers)
    assert (first.status_code, second.status_code) == (201, 200)

    third = limited_client.put("/api/v1/dossiers/HS-R-1", json=body, headers=headers)
    assert third.status_code == 429
    assert third.mimetype == "application/problem+json"
    assert 1 <= int(third.headers["Retry-After"]) <= 3600
    assert third.get_json()["status"] == 429

    other = bearer_for(db_session, "dossiers:write", name="another-client")
    assert (
        limited_client.put("/api/v1/dossiers/HS-R-1", json=body, headers=other).status_code == 200
    )


def test_a_malformed_rate_limit_fails_when_the_app_is_built(database_url):
    from payrecon.config import ConfigError

    with pytest.raises(ConfigError, match="PAYRECON_API_RATE_LIMIT"):
        create_app({"DATABASE_URL": database_url, "TESTING": True, "API_RATE_LIMIT": "lots"})


def test_openapi_documents_the_bearer_scheme_on_guarded_operations(client):
    spec = client.get("/openapi.json").get_json()
    scheme = spec["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    put = spec["paths"]["/api/v1/dossiers/{code}"]["put"]
    assert put["security"] == [{"bearerAuth": ["dossiers:write"]}]
    for status in ("401", "403", "429"):
        assert status in put["responses"]
    assert "security" not in spec["paths"]["/api/v1/dossiers/{code}"]["get"]


def test_the_login_lockout_policy_comes_from_the_settings(database_url):
    from payrecon.auth.lockout import LockoutPolicy
    from payrecon.config import ConfigError
    from payrecon.web.auth import login_lockout_policy

    settings = {"DATABASE_URL": database_url, "TESTING": True}
    with create_app(settings).app_context():
        assert login_lockout_policy() == LockoutPolicy(5, timedelta(minutes=15))
    tuned = settings | {"LOGIN_MAX_FAILURES": 3, "LOGIN_LOCKOUT_MINUTES": 60}
    with create_app(tuned).app_context():
        assert login_lockout_policy() == LockoutPolicy(3, timedelta(hours=1))
    with pytest.raises(ConfigError, match="PAYRECON_LOGIN_MAX_FAILURES"):
        create_app(settings | {"LOGIN_MAX_FAILURES": 0})
