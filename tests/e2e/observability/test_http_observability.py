"""Request ids, access logs and metrics seen through HTTP, on a real app."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest
from prometheus_client import REGISTRY

from payrecon import create_app
from payrecon.config import ConfigError
from payrecon.observability.logs import installed_handler

HEX32 = re.compile(r"[0-9a-f]{32}")
service_log = logging.getLogger("payrecon.payments.service")


def pretend_service_call(reference: str) -> None:
    """Stands in for a service function: it logs without knowing about requests."""
    service_log.info("payment %s moved to succeeded", reference, extra={"payment_ref": reference})


def build_app(tmp_path, **settings):
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'obs.sqlite'}",
            "TESTING": True,
            "SECRET_KEY": "test",
            "LOG_FORMAT": "json",
        }
        | settings
    )

    @app.get("/_probe/<code>")
    def probe(code: str):
        pretend_service_call(f"PR-{code}")
        return {"ok": True}

    @app.get("/_explode")
    def explode():
        raise RuntimeError("kaboom")

    return app


@pytest.fixture
def log_lines():
    """Every line payrecon's log handler writes during the test."""
    buffer = io.StringIO()

    def lines() -> list[str]:
        return buffer.getvalue().splitlines()

    lines.buffer = buffer
    return lines


@pytest.fixture
def client(tmp_path, log_lines):
    app = build_app(tmp_path)
    installed_handler().setStream(log_lines.buffer)
    yield app.test_client()
    app.extensions["payrecon.engine"].dispose()


def entries(lines):
    return [json.loads(line) for line in lines]


def sample(name, **labels):
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_healthz_is_counted_under_its_route(client):
    labels = {"method": "GET", "route": "/healthz", "status": "200"}
    before = sample("payrecon_http_requests_total", **labels)
    latency_before = sample(
        "payrecon_http_request_duration_seconds_count", method="GET", route="/healthz"
    )
    assert client.get("/healthz").status_code == 200
    assert sample("payrecon_http_requests_total", **labels) == before + 1
    assert (
        sample("payrecon_http_request_duration_seconds_count", method="GET", route="/healthz")
        == latency_before + 1
    )
    body = client.get("/metrics").get_data(as_text=True)
    assert 'payrecon_http_requests_total{method="GET",route="/healthz",status="200"}' in body


def test_unmatched_paths_share_one_label_and_never_appear(client):
    labels = {"method": "GET", "route": "unmatched", "status": "404"}
    before = sample("payrecon_http_requests_total", **labels)
    assert client.get("/no/such/HS-000123").status_code == 404
    assert client.get("/another/missing/path").status_code == 404
    assert sample("payrecon_http_requests_total", **labels) == before + 2
    body = client.get("/metrics").get_data(as_text=True)
    assert "HS-000123" not in body
    assert "/another/missing/path" not in body


def test_routes_are_labelled_by_template_not_by_value(client):
    before = sample(
        "payrecon_http_requests_total", method="GET", route="/_probe/<code>", status="200"
    )
    client.get("/_probe/HS-SECRET-42")
    assert (
        sample("payrecon_http_requests_total", method="GET", route="/_probe/<code>", status="200")
        == before + 1
    )
    assert "HS-SECRET-42" not in client.get("/metrics").get_data(as_text=True)


def test_a_given_request_id_is_echoed_and_in_every_log_line(client, log_lines):
    response = client.get("/_probe/7", headers={"X-Request-Id": "lb-2026.11.26_0001"})
    assert response.headers["X-Request-Id"] == "lb-2026.11.26_0001"
    logged = entries(log_lines())
    assert [(e["logger"], e["request_id"]) for e in logged] == [
        ("payrecon.payments.service", "lb-2026.11.26_0001"),
        ("payrecon.access", "lb-2026.11.26_0001"),
    ]


def test_service_layer_records_carry_the_request_id_and_their_extras(client, log_lines):
    response = client.get("/_probe/9")
    generated = response.headers["X-Request-Id"]
    assert HEX32.fullmatch(generated)
    service_entry = next(e for e in entries(log_lines()) if e["logger"] == service_log.name)
    assert service_entry["request_id"] == generated
    assert service_entry["message"] == "payment PR-9 moved to succeeded"
    assert service_entry["payment_ref"] == "PR-9"
    assert service_entry["level"] == "INFO"


@pytest.mark.parametrize(
    "bad", ["x" * 65, "has space", "evil\u2028line", "a;b", "../../etc", "mã-số"]
)
def test_a_bad_request_id_is_replaced(client, log_lines, bad):
    response = client.get("/healthz", headers={"X-Request-Id": bad})
    replaced = response.headers["X-Request-Id"]
    assert HEX32.fullmatch(replaced)
    (access,) = entries(log_lines())
    assert access["request_id"] == replaced
    assert bad not in "\n".join(log_lines())


def test_each_request_gets_its_own_id(client):
    first = client.get("/healthz").headers["X-Request-Id"]
    second = client.get("/healthz").headers["X-Request-Id"]
    assert first != second


def test_access_line_names_route_status_and_duration_never_the_query(client, log_lines):
    client.get("/_probe/ipn?vnp_Amount=5000000&vnp_TxnRef=PR2611XYZ&vnp_SecureHash=abc")
    text = "\n".join(log_lines())
    assert "vnp_" not in text
    assert "5000000" not in text
    access = next(e for e in entries(log_lines()) if e["logger"] == "payrecon.access")
    assert access["method"] == "GET"
    assert access["route"] == "/_probe/<code>"
    assert access["status"] == 200
    assert access["duration_ms"] >= 0
    assert access["message"].startswith("GET /_probe/<code> 200 ")


def test_an_unhandled_error_is_logged_with_the_request_id_and_counted_as_500(client, log_lines):
    before = sample("payrecon_http_requests_total", method="GET", route="/_explode", status="500")
    response = client.get("/_explode", headers={"X-Request-Id": "boom-1"})
    assert response.status_code == 500
    assert response.headers["X-Request-Id"] == "boom-1"
    logged = entries(log_lines())
    error = next(e for e in logged if e["level"] == "ERROR")
    assert error["request_id"] == "boom-1"
    assert "RuntimeError: kaboom" in error["exception"]
    assert [e["status"] for e in logged if e["logger"] == "payrecon.access"] == [500]
    assert (
        sample("payrecon_http_requests_total", method="GET", route="/_explode", status="500")
        == before + 1
    )


def test_no_request_id_outlives_its_request(client, log_lines):
    client.get("/healthz", headers={"X-Request-Id": "short-lived"})
    # not payrecon.jobs: `payrecon jobs` gives that logger a handler of its own, and a jobs
    # test run earlier in this process leaves it so; and other threads may log meanwhile
    logging.getLogger("payrecon.payments").warning("between requests")
    [between] = [e for e in entries(log_lines()) if e["message"] == "between requests"]
    assert between["request_id"] is None


def test_metrics_are_served_to_loopback(client):
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert "# TYPE payrecon_http_requests_total counter" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("remote", "headers"),
    [
        ("203.0.113.7", {}),
        ("2001:db8::5", {}),
        ("127.0.0.1", {"X-Forwarded-For": "203.0.113.7"}),  # through a proxy on this host
        ("127.0.0.1", {"Forwarded": "for=198.51.100.1"}),
    ],
)
def test_metrics_refuse_other_addresses_with_problem_json(client, remote, headers):
    response = client.get("/metrics", headers=headers, environ_base={"REMOTE_ADDR": remote})
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == 403
    assert "PAYRECON_METRICS_ALLOW" in problem["detail"]
    assert "payrecon_http_requests_total" not in response.get_data(as_text=True)


def test_metrics_allow_list_is_configurable(tmp_path):
    app = build_app(tmp_path, METRICS_ALLOW="10.0.0.0/8, 192.168.5.5")
    client = app.test_client()
    try:
        assert (
            client.get("/metrics", environ_base={"REMOTE_ADDR": "10.20.30.40"}).status_code == 200
        )
        assert (
            client.get("/metrics", environ_base={"REMOTE_ADDR": "192.168.5.5"}).status_code == 200
        )
        assert client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 403
    finally:
        app.extensions["payrecon.engine"].dispose()


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ({"METRICS_ALLOW": "127.0.0.1,not-a-net"}, "PAYRECON_METRICS_ALLOW: entry 2 'not-a-net'"),
        ({"LOG_FORMAT": "yaml"}, "log format 'yaml'"),
        ({"LOG_LEVEL": "CHATTY"}, "log level 'CHATTY'"),
    ],
)
def test_bad_observability_settings_stop_the_app_from_building(tmp_path, setting, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        build_app(tmp_path, **setting)


def test_text_format_puts_the_request_id_in_brackets(tmp_path, log_lines):
    app = build_app(tmp_path, LOG_FORMAT="text")
    installed_handler().setStream(log_lines.buffer)
    try:
        app.test_client().get("/healthz", headers={"X-Request-Id": "txt-1"})
    finally:
        app.extensions["payrecon.engine"].dispose()
    (line,) = log_lines()
    assert re.fullmatch(
        r"\S+ \S+ INFO payrecon\.access \[txt-1\] GET /healthz 200 \d+\.\d ms", line
    )


def test_metrics_are_not_in_the_openapi_document(client):
    spec = client.get("/openapi.json").get_json()
    assert not [path for path in spec["paths"] if "metrics" in path]
