"""A database that cannot be reached is a 503 the client may retry, never a 500.

The app is pointed at a port where nothing listens: every request that needs the database
fails to connect at once. (tests/hardening/faults restarts a real server under load.)
"""

from __future__ import annotations

import pytest

from payrecon import create_app
from payrecon.payments import vnpay_protocol
from tests.processes import free_port


@pytest.fixture
def unreachable_client(tmp_path):
    app = create_app(
        {
            "DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/gone",
            "TESTING": True,
            "SECRET_KEY": "test",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "VNPAY_TMN_CODE": "TMN00001",
            "VNPAY_HASH_SECRET": "secret",
            "VNPAY_PAY_URL": "https://sandbox.example/paymentv2/vpcpay.html",
        }
    )
    yield app.test_client()
    app.extensions["payrecon.engine"].dispose()


def test_an_api_request_gets_503_problem_json_with_retry_after(unreachable_client):
    response = unreachable_client.get("/api/v1/dossiers/HS-000001")
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.headers["Retry-After"] == "2"
    assert response.json["status"] == 503
    assert "retry" in response.json["detail"]


def test_a_vnpay_ipn_is_answered_99_so_vnpay_retries(unreachable_client):
    params = {
        "vnp_TxnRef": "PRK7M2Q9XA",
        "vnp_Amount": "5000000",
        "vnp_ResponseCode": "00",
        "vnp_TransactionStatus": "00",
        "vnp_TmnCode": "TMN00001",
    }
    query = vnpay_protocol.signed_query(params)
    signature = vnpay_protocol.sign(params, "secret")
    response = unreachable_client.get(f"/gateway/vnpay/ipn?{query}&vnp_SecureHash={signature}")
    assert response.status_code == 200
    assert response.json["RspCode"] == "99"
