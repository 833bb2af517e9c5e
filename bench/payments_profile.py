"""Where one create-payment and one IPN spend their time: statements, round trips, Python calls.

In one process, on a scratch PostgreSQL database seeded as bench/payments.py seeds it, the
app (wsgi.app, so the production settings and hooks) answers --requests payment creations and
as many signed success IPNs through Flask's test client, one at a time. Printed per kind:

- the SQL statements of one request, and for each the median client-side time from sending it
  to having its result (PostgreSQL's work plus the round trip plus psycopg's part);
- the median wall time and CPU time of this process per request (CPU: Python and psycopg);
- Python function calls per request, counted by cProfile over 100 more requests: a figure that
  does not move with the machine's load, unlike every timing here.

Timings on a 2-core machine shared with other work are only indicative; the statement list
and the call count are exact.

    PAYRECON_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        python bench/payments_profile.py --requests 500

The scratch database is dropped at the end.
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import os
import pstats
import secrets
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

from sqlalchemy import event

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load_world import app_environment  # noqa: E402
from bench.payments import TMN_CODE, seed  # noqa: E402
from payrecon.db import create_scratch_database, drop_database, get_engine  # noqa: E402

CALL_COUNT_REQUESTS = 100


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    base_url = os.environ.get("PAYRECON_TEST_POSTGRES_URL")
    if not base_url:
        print("needs PAYRECON_TEST_POSTGRES_URL")
        return 2
    per_kind = args.requests + CALL_COUNT_REQUESTS + 25
    url = create_scratch_database(base_url, prefix="payrecon_bench")
    app = None
    try:
        secret = secrets.token_hex(32)
        token, ipn_queries = seed(url, per_kind, per_kind, secret)
        os.environ.update(app_environment(url, secret, TMN_CODE))
        import wsgi

        app = wsgi.app
        logging.getLogger("payrecon.access").disabled = True  # not to flood the terminal
        timings: dict[str, list[float]] = defaultdict(list)
        started: dict[str, object] = {}

        def before(_conn, _cursor, statement, _params, _context, _many) -> None:
            started["key"] = " ".join(statement.split())[:70]
            started["at"] = time.perf_counter()

        def after(_conn, _cursor, _statement, _params, _context, _many) -> None:
            timings[started["key"]].append((time.perf_counter() - started["at"]) * 1000)

        engine = get_engine(app)
        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

        def create(n: int) -> None:
            response = client.post(
                "/api/v1/payments",
                data=f'{{"dossier_code": "BENCH-{n + 1:07d}", "method": "vietqr"}}',
                headers=headers | {"Idempotency-Key": f"profile-{n}"},
            )
            if response.status_code != 201:
                raise RuntimeError(f"create answered {response.status_code}: {response.data!r}")

        def ipn(n: int) -> None:
            response = client.get("/gateway/vnpay/ipn?" + ipn_queries[n])
            if response.status_code != 200 or response.json["RspCode"] != "00":
                raise RuntimeError(f"IPN answered {response.status_code}: {response.data!r}")

        for name, request in (("POST /api/v1/payments", create), ("GET /gateway/vnpay/ipn", ipn)):
            for n in range(20):  # warm-up: caches, prepared statements, pool
                request(n)
            timings.clear()
            walls, cpus = [], []
            for n in range(20, 20 + args.requests):
                wall, cpu = time.perf_counter(), time.process_time()
                request(n)
                walls.append((time.perf_counter() - wall) * 1000)
                cpus.append((time.process_time() - cpu) * 1000)
            timed = {statement: list(values) for statement, values in timings.items()}
            counter = cProfile.Profile()
            counter.enable()
            for n in range(20 + args.requests, 20 + args.requests + CALL_COUNT_REQUESTS):
                request(n)
            counter.disable()
            calls = sum(entry[1] for entry in pstats.Stats(counter).stats.values())
            executed = sum(len(values) for values in timed.values()) / args.requests
            print(f"{name}: {executed:.2f} statements per request (besides BEGIN and COMMIT)")
            for statement, values in timed.items():
                print(
                    f"  {len(values) / args.requests:4.2f}× {statistics.median(values):6.3f} ms"
                    f"  {statement}"
                )
            print(
                f"  per request: wall median {statistics.median(walls):.2f} ms, "
                f"CPU of this process median {statistics.median(cpus):.2f} ms, "
                f"{calls / CALL_COUNT_REQUESTS:.0f} Python function calls"
            )
        return 0
    finally:
        if app is not None:
            get_engine(app).dispose()
        drop_database(base_url, url)


if __name__ == "__main__":
    sys.exit(main())
