"""/api/v1/payments through the test client: contract, idempotency, guards and problems."""

from __future__ import annotations

from payrecon.payments import vietqr
from tests.e2e.auth.helpers import bearer_for
from tests.factories import make_dossier


def post(client, headers, body, key="key-1"):
    extra = {"Idempotency-Key": key} if key is not None else {}
    return client.post("/api/v1/payments", json=body, headers=headers | extra)


def test_create_answers_201_with_the_payment_and_get_reads_it(payments_client, db_session):
    headers = bearer_for(db_session, "payments:write")
    dossier = make_dossier(db_session, fee_due_vnd=75_000)
    response = post(payments_client, headers, {"dossier_code": dossier.code, "method": "vietqr"})
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) >= {
        "id",
        "reference",
        "dossier_code",
        "amount",
        "currency",
        "method",
        "status",
        "expires_at",
        "vietqr",
    }
    assert (body["amount"], body["currency"], body["status"]) == (75_000, "VND", "pending")
    assert vietqr.parse_payload(body["vietqr"]["payload"])["reference"] == body["reference"]
    assert body["links"]["qr_svg"] == f"/pay/{body['reference']}/qr.svg"
    got = payments_client.get(f"/api/v1/payments/{body['id']}", headers=headers)
    assert got.status_code == 200
    assert got.get_json() == body

    card = post(
        payments_client, headers, {"dossier_code": dossier.code, "method": "vnpay"}, key="key-2"
    )
    assert card.status_code == 201
    assert card.get_json()["redirect_url"].startswith("http://127.0.0.1:9/_sim/vnpay/")
    again = post(
        payments_client, headers, {"dossier_code": dossier.code, "method": "vnpay"}, key="key-3"
    )
    assert again.status_code == 200
    assert again.get_json()["id"] == card.get_json()["id"]


def test_the_key_replays_and_guards_its_body(payments_client, db_session):
    headers = bearer_for(db_session, "payments:write")
    dossier = make_dossier(db_session)
    body = {"dossier_code": dossier.code, "method": "vietqr"}
    first = post(payments_client, headers, body)
    replay = post(payments_client, headers, body)
    assert (replay.status_code, replay.get_json()) == (201, first.get_json())
    other = post(payments_client, headers, body | {"method": "vnpay"})
    assert other.status_code == 422
    assert other.mimetype == "application/problem+json"
    assert other.get_json()["errors"][0]["where"] == "header.Idempotency-Key"


def test_a_missing_or_malformed_key_is_422(payments_client, db_session):
    headers = bearer_for(db_session, "payments:write")
    dossier = make_dossier(db_session)
    body = {"dossier_code": dossier.code, "method": "vietqr"}
    for key in (None, "has spaces", "x" * 256):
        response = post(payments_client, headers, body, key=key)
        assert response.status_code == 422, key
        assert response.get_json()["errors"][0]["where"] == "header.Idempotency-Key"


def test_bad_bodies_and_unpayable_dossiers_are_problems(payments_client, db_session):
    headers = bearer_for(db_session, "payments:write")
    cancelled = make_dossier(db_session, status="cancelled")
    cases = [
        ({"dossier_code": cancelled.code, "method": "vietqr"}, 409, "body.dossier_code"),
        ({"dossier_code": "HS-NOPE", "method": "vietqr"}, 404, "body.dossier_code"),
        ({"dossier_code": cancelled.code, "method": "cash"}, 422, "body.method"),
        ({"dossier_code": cancelled.code, "method": "vietqr", "amount": 1}, 422, "body.amount"),
    ]
    for number, (body, status, where) in enumerate(cases):
        response = post(payments_client, headers, body, key=f"k{number}")
        assert response.status_code == status, body
        assert response.mimetype == "application/problem+json"
        assert response.get_json()["errors"][0]["where"] == where


def test_tokens_and_scopes_guard_the_endpoints(payments_client, db_session):
    dossier = make_dossier(db_session)
    body = {"dossier_code": dossier.code, "method": "vietqr"}
    assert post(payments_client, {}, body).status_code == 401
    reader = bearer_for(db_session, "dossiers:write", name="other")
    assert post(payments_client, reader, body).status_code == 403
    writer = bearer_for(db_session, "payments:write", name="writer")
    created = post(payments_client, writer, body).get_json()
    refund = payments_client.post(
        f"/api/v1/payments/{created['id']}/refunds",
        json={"amount_vnd": 1, "reason": "x"},
        headers=writer,
    )
    assert refund.status_code == 403


def test_cancel_then_refund_rules_over_http(payments_client, db_session):
    headers = bearer_for(db_session, "payments:write", "payments:refund")
    dossier = make_dossier(db_session)
    created = post(
        payments_client, headers, {"dossier_code": dossier.code, "method": "vietqr"}
    ).get_json()
    refund = payments_client.post(
        f"/api/v1/payments/{created['id']}/refunds",
        json={"amount_vnd": 1_000, "reason": "x"},
        headers=headers,
    )
    assert refund.status_code == 409
    cancel = payments_client.post(f"/api/v1/payments/{created['id']}/cancel", headers=headers)
    assert cancel.get_json()["status"] == "cancelled"
    assert payments_client.get("/api/v1/payments/999999", headers=headers).status_code == 404


def test_the_dossier_shows_what_has_been_paid(payments_client, db_session):
    headers = bearer_for(db_session, "payments:write")
    dossier = make_dossier(db_session, fee_due_vnd=90_000)
    post(payments_client, headers, {"dossier_code": dossier.code, "method": "vietqr"})
    body = payments_client.get(f"/api/v1/dossiers/{dossier.code}").get_json()
    assert (body["paid_vnd"], body["outstanding_vnd"], body["overpaid_vnd"]) == (0, 90_000, 0)
    assert [(p["method"], p["status"], p["amount_vnd"]) for p in body["payments"]] == [
        ("vietqr", "pending", 90_000)
    ]


def test_the_ipn_and_return_urls_are_documented(payments_client):
    spec = payments_client.get("/openapi.json").get_json()
    assert "get" in spec["paths"]["/gateway/vnpay/ipn"]
    create = spec["paths"]["/api/v1/payments"]["post"]
    assert {"200", "201"} <= set(create["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in create["parameters"])
