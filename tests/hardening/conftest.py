"""Fixtures for the hardening tests: an app that lets the fuzzer reach every operation."""

from __future__ import annotations

import pytest

from payrecon import create_app
from tests.conftest import delete_all_rows
from tests.e2e.payments.conftest import payments_config


@pytest.fixture
def roomy_app(database_url, engine, tmp_path):
    """VNPAY configured (simulator settings) and a per-token rate limit high enough for fuzzing."""
    app = create_app(payments_config(database_url, str(tmp_path / "instance")))
    yield app
    app.extensions["payrecon.engine"].dispose()
    delete_all_rows(engine)
