"""The webhook's place in the app: documented in /openapi.json, configured by the demo."""

from __future__ import annotations

from payrecon.demo.settings import ensure_demo_settings


def test_the_credit_webhook_and_its_signature_header_are_documented(client):
    spec = client.get("/openapi.json").get_json()
    operation = spec["paths"]["/gateway/bank/credit"]["post"]
    headers = [p["name"] for p in operation["parameters"] if p["in"] == "header"]
    assert headers == ["X-Payrecon-Signature"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert "reference_code" in body["required"]
    assert {"200", "401", "422"} <= set(operation["responses"])


def test_an_unsigned_notification_is_refused_even_before_a_secret_is_configured(client):
    response = client.post("/gateway/bank/credit", json={"amount": 1})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_a_signed_notification_without_a_configured_secret_is_not_accepted(client):
    response = client.post(
        "/gateway/bank/credit", json={"amount": 1}, headers={"X-Payrecon-Signature": "t=1,v1=ab"}
    )
    assert response.status_code == 401
    assert response.get_json()["errors"][0]["where"] == "header.X-Payrecon-Signature"
    assert "PAYRECON_BANK_WEBHOOK_SECRET" not in response.get_data(as_text=True)


def test_the_demo_generates_a_webhook_secret_once(tmp_path):
    path, _ = ensure_demo_settings(tmp_path)
    first: dict = {}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), first)  # noqa: S102
    assert len(first["BANK_WEBHOOK_SECRET"]) == 64
    ensure_demo_settings(tmp_path)
    again: dict = {}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), again)  # noqa: S102
    assert again["BANK_WEBHOOK_SECRET"] == first["BANK_WEBHOOK_SECRET"]
