"""Apps for the payments end-to-end tests: one behind the test client, one served for real.

`live` serves the app with werkzeug's make_server in a thread on a free 127.0.0.1 port, the
gateway simulator enabled and VNPAY pointed at it, so a payment travels the real HTTP
protocol: our redirect URL, the simulator's bank page, its signed IPN to our /gateway URL,
its querydr and refund answers.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from flask import Flask
from werkzeug.serving import make_server

from payrecon import create_app
from tests.conftest import delete_all_rows

TMN_CODE = "SIMTMN01"
HASH_SECRET = "e2e-simulator-secret"


def payments_config(database_url: str, instance_path: str) -> dict:
    return {
        "DATABASE_URL": database_url,
        "TESTING": True,
        "SECRET_KEY": "test",
        "INSTANCE_PATH": instance_path,
        "GATEWAY_SIMULATOR": True,
        "VNPAY_TMN_CODE": TMN_CODE,
        "VNPAY_HASH_SECRET": HASH_SECRET,
        "VNPAY_PAY_URL": "http://127.0.0.1:9/_sim/vnpay/paymentv2/vpcpay.html",
        "VNPAY_API_URL": "http://127.0.0.1:9/_sim/vnpay/merchant_webapi/api/transaction",
        "VNPAY_QUERYDR_AFTER_MINUTES": 0,
        "VNPAY_TIMEOUT_SECONDS": 5,
        "API_RATE_LIMIT": "100000/minute",
    }


@pytest.fixture
def payments_app(database_url, engine, tmp_path):
    app = create_app(payments_config(database_url, str(tmp_path / "instance")))
    yield app
    app.extensions["payrecon.engine"].dispose()
    delete_all_rows(engine)


@pytest.fixture
def payments_client(payments_app):
    return payments_app.test_client()


@dataclass
class LiveServer:
    app: Flask
    url: str

    def __call__(self, path: str) -> str:
        return f"{self.url}{path}"


@pytest.fixture
def live(database_url, engine, tmp_path):
    app = create_app(payments_config(database_url, str(tmp_path / "instance")))
    with serve_live(app, engine) as server:
        yield server


@contextmanager
def serve_live(app: Flask, engine) -> Iterator[LiveServer]:
    """Serve `app` in a thread on a free 127.0.0.1 port, VNPAY pointed at its own simulator;
    afterwards stop it, dispose of its engine and delete every row."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    app.config["VNPAY_PAY_URL"] = f"{base}/_sim/vnpay/paymentv2/vpcpay.html"
    app.config["VNPAY_API_URL"] = f"{base}/_sim/vnpay/merchant_webapi/api/transaction"
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, base)
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
        app.extensions["payrecon.engine"].dispose()
        delete_all_rows(engine)
