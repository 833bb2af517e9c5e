"""A database that cannot be reached is a 503 the client may retry, never a 500.

The app is pointed at a port where nothing listens: every request that needs the database
fails to connect at once. (tests/hardening/faults restarts a real server under load.)
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import load_all_checks, not_a_server_error
from schemathesis.specs.openapi.checks import positive_data_acceptance

from payrecon import create_app
from payrecon.auth.tokens import generate_token
from payrecon.payments import vnpay_protocol
from tests.processes import free_port


@pytest.fixture
def unreachable_app(tmp_path):
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
    yield app
    app.extensions["payrecon.engine"].dispose()


@pytest.fixture
def unreachable_client(unreachable_app):
    return unreachable_app.test_client()


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


def _send_valid_requests(operation, answered: dict[str, set[int]]) -> None:
    """A few schema-valid requests to one operation, each answer checked against the spec."""

    @settings(
        max_examples=3,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
    def call(case):
        response = case.call_and_validate(
            # well formed, so the guard goes to the database to look it up
            headers={"Authorization": f"Bearer {generate_token().text}"},
            # a 5xx is the point here; the other checks hold it to the documented 503
            excluded_checks=[positive_data_acceptance, not_a_server_error],
        )
        answered.setdefault(operation.label, set()).add(response.status_code)

    call()


def test_every_api_operation_answers_the_503_its_contract_documents(unreachable_app):
    """Schemathesis sends schema-valid requests to every /api/v1 operation while the database
    is away: each answer, the 503 among them, must be as /openapi.json documents it (status,
    problem+json body, the required Retry-After header)."""
    load_all_checks()
    schema = schemathesis.openapi.from_wsgi("/openapi.json", unreachable_app)
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if result.ok().path.startswith("/api/v1")
    ]
    assert len(operations) >= 15
    answered: dict[str, set[int]] = {}

    for operation in operations:
        unavailable = operation.definition.raw["responses"]["503"]
        assert unavailable == {"$ref": "#/components/responses/DATABASE_UNAVAILABLE"}, (
            operation.label
        )
        _send_valid_requests(operation, answered)
    assert {label for label, statuses in answered.items() if 503 in statuses} == {
        operation.label for operation in operations
    }
