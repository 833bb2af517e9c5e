"""A bounded load run in the suite: gunicorn (2 sync workers) on PostgreSQL, a real process on
a free 127.0.0.1 port, a few hundred requests of the realistic mix from a thread pool.

Zero errors is the assertion (every answer 2xx); nothing here is timed. bench/load.py runs
the same mix with wrk for throughput and latency.
"""

from __future__ import annotations

import os
import secrets
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from bench.load_world import app_environment, request_mix, seed_world
from tests.conftest import create_scratch_postgres, drop_scratch_postgres, postgres_base_url
from tests.processes import gunicorn

REQUESTS = 300
THREADS = 8


@pytest.fixture
def scratch_postgres():
    base_url = postgres_base_url()
    url = create_scratch_postgres(base_url)
    yield url
    drop_scratch_postgres(base_url, url)


@pytest.fixture
def gunicorn_app(scratch_postgres):
    secret = secrets.token_hex(16)
    world = seed_world(scratch_postgres, dossiers=200, card_payments=40, invoices=10, secret=secret)
    with gunicorn(os.environ | app_environment(scratch_postgres, secret)) as base:
        yield base, world


@pytest.mark.slow
@pytest.mark.postgres_only
def test_a_realistic_mix_under_gunicorn_has_no_errors(gunicorn_app):
    base, world = gunicorn_app
    mix = request_mix(world, REQUESTS)
    session = requests.Session()
    auth = {"Authorization": f"Bearer {world.token}"}

    def send(item) -> tuple[str, int]:
        headers = dict(auth) if item.authorised else {}
        if item.body is not None:
            headers["Content-Type"] = "application/json"
            headers["Idempotency-Key"] = uuid.uuid4().hex
        response = session.request(
            item.method, base + item.path, headers=headers, data=item.body, timeout=30
        )
        assert response.status_code < 300, (item.path, response.status_code, response.text)
        if item.kind == "ipn":
            assert response.json()["RspCode"] in ("00", "02"), response.text
        return item.kind, response.status_code

    with ThreadPoolExecutor(THREADS) as pool:
        answers = list(pool.map(send, mix))
    failures = Counter((kind, status) for kind, status in answers if not 200 <= status < 300)
    assert failures == Counter()
    assert {kind for kind, _ in answers} == {
        "dossier",
        "create",
        "ipn",
        "invoice",
        "invoice_xml",
        "feed",
    }
