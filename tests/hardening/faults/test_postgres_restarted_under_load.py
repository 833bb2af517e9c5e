"""PostgreSQL stopped and started again while gunicorn serves payment creations and IPNs.

On a private server (tests/private_postgres.py), never the shared one. Clients create a
payment for each dossier with its own Idempotency-Key (VietQR and VNPAY alternately) and
send each VNPAY payment's signed IPN, retrying both until they get an answer that settles it,
as a well-behaved client and VNPAY do. A third of the way through the server goes down for
a while and comes back. While it is down, requests fail cleanly and at once: 503
problem+json with Retry-After (IPNs: 200 with RspCode 99, which makes VNPAY retry). After it,
every dossier has exactly one payment, every payment acknowledged 201 exists, the same key
always answered with the same payment, and every VNPAY payment succeeded once.
"""

from __future__ import annotations

import os
import secrets
import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest
import requests
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench.load_world import app_environment
from payrecon.db import create_scratch_database, make_engine, upgrade_to_head
from payrecon.payments.models import Payment, PaymentEvent
from tests.e2e.auth.helpers import bearer_for
from tests.factories import make_dossier, make_procedure
from tests.hardening.faults.test_web_worker_killed_during_ipn import gateway_ipn_for
from tests.private_postgres import private_postgres
from tests.processes import DEADLINE_S, gunicorn, wait_until

pytestmark = pytest.mark.slow

DOSSIERS = 24
CLIENTS = 4
TIMEOUT_S = 15  # a request that takes this long counts as hung


@dataclass
class Seen:
    """Every answer the clients got, by kind and status, and what each key was answered."""

    statuses: Counter = field(default_factory=Counter)
    unclean: list[str] = field(default_factory=list)
    payment_ids: dict[str, set[int]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    giving_up: threading.Event = field(default_factory=threading.Event)

    def note(self, kind: str, response: requests.Response) -> None:
        with self.lock:
            self.statuses[(kind, response.status_code)] += 1
            if response.status_code == 503:
                if response.headers.get("Content-Type") != "application/problem+json":
                    self.unclean.append(f"{kind}: 503 as {response.headers.get('Content-Type')}")
                if "Retry-After" not in response.headers:
                    self.unclean.append(f"{kind}: 503 without Retry-After")
            elif response.status_code not in (200, 201):
                self.unclean.append(f"{kind}: {response.status_code} {response.text[:300]}")


def seed(url: str, count: int) -> tuple[list[str], dict[str, str]]:
    engine = make_engine(url)
    upgrade_to_head(engine)
    with Session(engine, expire_on_commit=False) as session:
        procedure = make_procedure(session)
        codes = [make_dossier(session, procedure).code for _ in range(count)]
        headers = bearer_for(session, "payments:write")
    engine.dispose()
    return codes, headers


def test_a_postgres_restart_under_load_fails_cleanly_and_loses_or_doubles_nothing(tmp_path):
    secret = secrets.token_hex(16)
    with private_postgres() as server:
        url = create_scratch_database(server.server_url, prefix="payrecon_restart")
        codes, headers = seed(url, DOSSIERS)
        seen = Seen()
        created = threading.Semaphore(0)

        def pay(number_and_code: tuple[int, str]) -> None:
            number, code = number_and_code
            method = "vnpay" if number % 2 else "vietqr"
            key = uuid.uuid4().hex
            answer = send_until_done(
                seen,
                "create",
                lambda: requests.post(
                    f"{base}/api/v1/payments",
                    json={"dossier_code": code, "method": method},
                    headers=headers | {"Idempotency-Key": key},
                    timeout=TIMEOUT_S,
                ),
                lambda response: response.status_code == 201,
            ).json()
            with seen.lock:
                seen.payment_ids.setdefault(key, set()).add(answer["id"])
            created.release()
            if method == "vnpay":
                ipn = gateway_ipn_for(answer["redirect_url"], secret)
                send_until_done(
                    seen,
                    "ipn",
                    lambda: requests.get(f"{base}/gateway/vnpay/ipn?{ipn}", timeout=TIMEOUT_S),
                    lambda response: response.json()["RspCode"] in ("00", "02"),
                )

        with (
            gunicorn(os.environ | app_environment(url, secret)) as base,
            ThreadPoolExecutor(CLIENTS) as pool,
        ):
            work = pool.map(pay, enumerate(codes))
            try:
                for _ in range(DOSSIERS // 3):
                    assert created.acquire(timeout=DEADLINE_S)
                server.stop()
                down = requests.get(f"{base}/api/v1/dossiers/{codes[0]}", timeout=TIMEOUT_S)
                seen.note("probe", down)
                assert down.status_code == 503
                assert down.json()["status"] == 503
                wait_until("503s under load", lambda: seen.statuses[("create", 503)])
                server.start()
                list(work)  # re-raises a client's failure
            except BaseException:
                seen.giving_up.set()  # the clients stop retrying, so the test fails at once
                raise

        engine = make_engine(url)
        with Session(engine) as session:
            payments = session.execute(select(Payment.id, Payment.dossier_id, Payment.status))
            by_dossier = Counter(row.dossier_id for row in payments)
            stored = set(session.scalars(select(Payment.id)))
            vnpay_statuses = Counter(
                session.scalars(select(Payment.status).where(Payment.method == "vnpay"))
            )
            successes = session.scalar(
                select(func.count())
                .select_from(PaymentEvent)
                .where(PaymentEvent.kind == "status_changed", PaymentEvent.to_status == "succeeded")
            )
        engine.dispose()

    assert seen.unclean == []
    assert by_dossier == Counter({dossier_id: 1 for dossier_id in by_dossier})
    assert len(by_dossier) == DOSSIERS
    assert all(len(ids) == 1 for ids in seen.payment_ids.values())
    acknowledged = {payment_id for ids in seen.payment_ids.values() for payment_id in ids}
    assert acknowledged == stored
    assert vnpay_statuses == Counter({"succeeded": DOSSIERS // 2})
    assert successes == DOSSIERS // 2


def send_until_done(seen: Seen, kind: str, send, done) -> requests.Response:
    """Send until `done(response)`, as a client that retries 503s (and VNPAY its 99s) does."""

    def attempt():
        if seen.giving_up.is_set():
            raise AssertionError(f"{kind}: the test is failing; no more retries")
        response = send()
        seen.note(kind, response)
        return response if response.status_code in (200, 201) and done(response) else None

    return wait_until(f"a settling answer to {kind}", attempt)
