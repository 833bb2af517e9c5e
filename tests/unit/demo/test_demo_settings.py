"""The demo's generated settings: secrets made once, URLs following where the demo is served."""

from __future__ import annotations

from pathlib import Path

from payrecon.demo.settings import DEMO_BASE_URL, ensure_demo_settings


def read_settings(path: Path) -> dict:
    values: dict = {}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), values)  # noqa: S102
    return values


def test_the_simulated_gateway_follows_the_base_url_and_the_secrets_stay(tmp_path):
    path, written = ensure_demo_settings(tmp_path)
    first = read_settings(path)
    assert written
    assert first["VNPAY_PAY_URL"] == f"{DEMO_BASE_URL}/_sim/vnpay/paymentv2/vpcpay.html"

    assert ensure_demo_settings(tmp_path) == (path, False)  # nothing to change

    path, written = ensure_demo_settings(tmp_path, "http://127.0.0.1:8123/")
    moved = read_settings(path)
    assert written
    assert moved["VNPAY_PAY_URL"] == "http://127.0.0.1:8123/_sim/vnpay/paymentv2/vpcpay.html"
    assert moved["VNPAY_API_URL"] == (
        "http://127.0.0.1:8123/_sim/vnpay/merchant_webapi/api/transaction"
    )
    for secret in ("SECRET_KEY", "VNPAY_HASH_SECRET", "BANK_WEBHOOK_SECRET", "DEMO_PASSWORDS"):
        assert moved[secret] == first[secret]
    assert path.read_text(encoding="utf-8").count("VNPAY_PAY_URL =") == 1
