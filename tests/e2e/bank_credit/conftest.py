"""The app served for real (a thread on a free port) with the simulated bank and a webhook secret.

The simulator's bank side POSTs signed notifications to /gateway/bank/credit through a socket,
so the signature is checked on the bytes that crossed the wire.
"""

from __future__ import annotations

import pytest

from payrecon import create_app
from tests.e2e.payments.conftest import payments_config, serve_live

WEBHOOK_SECRET = "e2e-bank-webhook-secret"


@pytest.fixture
def bank_live(database_url, engine, tmp_path):
    config = payments_config(database_url, str(tmp_path / "instance"))
    app = create_app(config | {"BANK_WEBHOOK_SECRET": WEBHOOK_SECRET})
    with serve_live(app, engine) as server:
        yield server
