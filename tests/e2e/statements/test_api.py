"""POST /api/v1/statements: multipart upload, problem+json on every refusal."""

from __future__ import annotations

import io

import pytest

from tests.e2e.auth.helpers import bearer_for
from tests.integration.statements.helpers import (
    BILLION_LAUGHS,
    NOTHING,
    add_account,
    fixture,
    row_counts,
)


@pytest.fixture
def token(db_session):
    return bearer_for(db_session, "statements:write")


def upload(client, data: bytes, filename: str = "statement.xml", *, headers, **fields):
    body = {"file": (io.BytesIO(data), filename), **fields}
    return client.post(
        "/api/v1/statements", data=body, content_type="multipart/form-data", headers=headers
    )


def test_an_upload_imports_once_and_reports_what_it_stored(client, db_session, token):
    add_account(db_session)
    response = upload(client, fixture("camt053v08_vnd.xml"), headers=token)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["already_imported"] is False
    assert (body["statements"], body["lines"], body["duplicates_skipped"]) == (2, 7, 0)
    assert (body["credits_vnd"], body["debits_vnd"]) == (1_733_500, 50_000)
    assert body["findings"] == []
    assert len(body["statement_ids"]) == 2
    assert len(body["new_credit_line_ids"]) == 3

    again = upload(client, fixture("camt053v08_vnd.xml"), headers=token)
    assert again.status_code == 200
    assert again.get_json()["already_imported"] is True


def test_the_format_and_account_fields_are_used(client, db_session, token):
    add_account(db_session)
    response = upload(
        client,
        fixture("generic_vnd.csv"),
        "export.txt",
        format="csv",
        account="0011000000001",
        headers=token,
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["lines"] == 3
    findings = response.get_json()["findings"]
    assert [(f["kind"], f["statement"]) for f in findings] == [
        ("no_balances", "statement at line 1")
    ]


def test_a_foreign_statement_is_a_problem_json_422_naming_it(client, db_session, token):
    response = upload(client, fixture("genkgo_camt053v02_multi_statement.xml"), headers=token)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["detail"] == "statement.xml: 2 problems; nothing was imported"
    assert [e["detail"].split(" is in ")[0] for e in body["errors"]] == [
        "statement 253EURNL26VAYB8060476890",
        "statement 254EURNL26VAYB8060476890",
    ]
    assert row_counts(db_session) == NOTHING


def test_hostile_and_malformed_uploads_are_refused(client, db_session, token):
    add_account(db_session)
    laughs = upload(client, BILLION_LAUGHS, headers=token)
    assert laughs.status_code == 422
    assert "DOCTYPE declaration is refused" in laughs.get_json()["detail"]

    no_file = client.post(
        "/api/v1/statements",
        data={"format": "auto"},
        content_type="multipart/form-data",
        headers=token,
    )
    assert no_file.status_code == 422
    assert no_file.mimetype == "application/problem+json"
    assert any(e["where"].endswith("file") for e in no_file.get_json()["errors"])

    bad_format = upload(client, fixture("mt940_vnd.sta"), format="pdf", headers=token)
    assert bad_format.status_code == 422
    assert row_counts(db_session) == NOTHING


def test_uploads_over_the_limits_are_refused_without_importing(app, client, db_session, token):
    add_account(db_session)
    app.config["STATEMENT_MAX_BYTES"] = 1000
    over_statement_limit = upload(client, fixture("camt053v08_vnd.xml"), headers=token)
    assert over_statement_limit.status_code == 422
    assert "over the limit of 1,000 bytes" in over_statement_limit.get_json()["detail"]

    app.config["MAX_CONTENT_LENGTH"] = 2000
    too_large = upload(client, b" " * 5000, headers=token)
    assert too_large.status_code == 413
    assert too_large.mimetype == "application/problem+json"
    assert row_counts(db_session) == NOTHING


def test_the_upload_is_documented_as_one_multipart_body(client):
    spec = client.get("/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/statements"]["post"]
    assert "parameters" not in operation
    body = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    schema = spec["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    assert set(schema["properties"]) == {"file", "format", "account"}
    assert schema["properties"]["file"]["format"] == "binary"
    assert {"201", "200", "413", "422"} <= set(operation["responses"])


def test_an_upload_needs_a_token_with_the_statements_write_scope(client, db_session):
    add_account(db_session)
    anonymous = client.post(
        "/api/v1/statements",
        data={"file": (io.BytesIO(fixture("mt940_vnd.sta")), "s.sta")},
        content_type="multipart/form-data",
    )
    assert anonymous.status_code == 401
    assert anonymous.mimetype == "application/problem+json"
    wrong_scope = upload(
        client, fixture("mt940_vnd.sta"), headers=bearer_for(db_session, "dossiers:write")
    )
    assert wrong_scope.status_code == 403
    assert row_counts(db_session)["bank_statements"] == 0
    spec = client.get("/openapi.json").get_json()
    security = spec["paths"]["/api/v1/statements"]["post"]["security"]
    assert security == [{"bearerAuth": ["statements:write"]}]
