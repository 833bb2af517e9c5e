"""The app served for real (a thread on a free port) with the simulated bank and a webhook secret.

The simulator's bank side POSTs signed notifications to /gateway/bank/credit through a socket,
so the signature is checked on the bytes that crossed the wire.
"""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from payrecon import create_app
from tests.conftest import delete_all_rows
from tests.e2e.payments.conftest import LiveServer, payments_config

WEBHOOK_SECRET = "e2e-bank-webhook-secret"


@pytest.fixture
def bank_live(database_url, engine, tmp_path):
    config = payments_config(database_url, str(tmp_path / "instance"))
    app = create_app(config | {"BANK_WEBHOOK_SECRET": WEBHOOK_SECRET})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, name="bank-live", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, base)
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
        app.extensions["payrecon.engine"].dispose()
        delete_all_rows(engine)
