"""Create-payment and IPN handling under gunicorn on PostgreSQL, against a bare Core insert.

In one run, on a scratch PostgreSQL database:
  1. payrecon under gunicorn (sync workers): POST /api/v1/payments (token, unique
     Idempotency-Key, a new dossier each time: every request creates a payment), and
     GET /gateway/vnpay/ipn (a correctly signed success IPN for a pending card payment);
  2. a bare Flask app under the same gunicorn settings whose endpoint does one SQLAlchemy
     Core INSERT ... RETURNING and commits: the reference the brief sets;
then wrk (-t1 -c16, 10 s, 2 s warm-up) measures each --runs times; prints requests/s and
p50/p99 (min and median over the runs) and the ratios to the reference. Target: ≥ 60 % of
the reference, p99 < 50 ms at 16 connections.

    apt-get install -y wrk
    PAYRECON_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        python bench/payments.py --runs 3

Every gunicorn is stopped by its PID; the scratch database is dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from sqlalchemy import insert, text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load_world import app_environment  # noqa: E402
from payrecon.auth import service as auth_service  # noqa: E402
from payrecon.catalog.models import Agency, CollectionAccount, Procedure  # noqa: E402
from payrecon.db import create_scratch_database, drop_database, make_engine, upgrade_to_head  # noqa: E402
from payrecon.dossiers.models import Dossier  # noqa: E402
from payrecon.payments import vnpay_protocol  # noqa: E402
from payrecon.payments.models import Payment  # noqa: E402
from payrecon.payments.references import new_reference  # noqa: E402

TMN_CODE = "BENCHTMN"
FEE = 200_000
PORT_APP, PORT_BARE = 18181, 18182

CREATE_LUA = """
local counter = tonumber(os.getenv("BENCH_START"))
local token = os.getenv("BENCH_TOKEN")
request = function()
  counter = counter + 1
  local body = string.format('{"dossier_code": "BENCH-%07d", "method": "vietqr"}', counter)
  local headers = {["Content-Type"] = "application/json",
                   ["Authorization"] = "Bearer " .. token,
                   ["Idempotency-Key"] = string.format("bench-%d-%d", counter, os.time())}
  return wrk.format("POST", "/api/v1/payments", headers, body)
end
"""

IPN_LUA = """
local queries = {}
for line in io.lines(os.getenv("BENCH_IPN_FILE")) do queries[#queries + 1] = line end
local i = tonumber(os.getenv("BENCH_START"))
request = function()
  i = i + 1
  return wrk.format("GET", "/gateway/vnpay/ipn?" .. queries[(i % #queries) + 1])
end
"""

BARE_LUA = """
wrk.method = "POST"
wrk.body = '{"reference": "PR7K3MABCDW", "amount_vnd": 200000}'
wrk.headers["Content-Type"] = "application/json"
"""


def baseline_app():
    """The reference: Flask + one SQLAlchemy Core INSERT ... RETURNING + commit."""
    from flask import Flask, jsonify, request
    from sqlalchemy import BigInteger, Column, MetaData, String, Table

    engine = make_engine(os.environ["BENCH_DATABASE_URL"], pool_size=2)
    table = Table(
        "bench_inserts",
        MetaData(),
        Column("id", BigInteger, primary_key=True),
        Column("reference", String(20)),
        Column("amount_vnd", BigInteger),
    )
    app = Flask("baseline")

    @app.post("/insert")
    def insert_one():
        body = request.get_json()
        with engine.begin() as connection:
            new_id = connection.execute(
                table.insert()
                .values(reference=body["reference"], amount_vnd=body["amount_vnd"])
                .returning(table.c.id)
            ).scalar_one()
        return jsonify(id=new_id), 201

    return app


def seed(url: str, dossiers: int, card_payments: int, secret: str) -> tuple[str, list[str]]:
    """Dossiers BENCH-0000001…, pending card payments with their signed IPNs, a token."""
    engine = make_engine(url)
    upgrade_to_head(engine)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE bench_inserts "
                "(id bigserial primary key, reference text, amount_vnd bigint)"
            )
        )
        agency_id = connection.execute(
            insert(Agency).values(code="BENCH", name="Sở Thử tải").returning(Agency.id)
        ).scalar_one()
        connection.execute(
            insert(CollectionAccount).values(
                agency_id=agency_id,
                bank_bin="970436",
                account_number="0141000999999",
                account_name="SO THU TAI",
            )
        )
        procedure_id = connection.execute(
            insert(Procedure)
            .values(
                code="BENCH-TTHC",
                name="Thủ tục thử tải",
                agency_id=agency_id,
                fee_vnd=FEE,
                fee_kind="fee",
                vat_rate="KCT",
            )
            .returning(Procedure.id)
        ).scalar_one()
        rows = [
            {
                "code": f"BENCH-{n:07d}",
                "procedure_id": procedure_id,
                "applicant_name": "Nguyễn Văn A",
                "applicant_id_number": "022090001234",
                "received_at": now,
                "status": "received",
                "fee_due_vnd": FEE,
                "updated_at": now,
            }
            for n in range(1, dossiers + card_payments + 1)
        ]
        connection.execute(insert(Dossier), rows)
        dossier_ids = (
            connection.execute(
                text("SELECT id FROM dossiers ORDER BY id DESC LIMIT :n"), {"n": card_payments}
            )
            .scalars()
            .all()
        )
        payments = [
            {
                "reference": new_reference(),
                "dossier_id": dossier_id,
                "amount_vnd": FEE,
                "method": "vnpay",
                "status": "pending",
                "created_at": now,
                "expires_at": now + timedelta(days=1),
                "updated_at": now,
                "is_duplicate": False,
            }
            for dossier_id in dossier_ids
        ]
        connection.execute(insert(Payment), payments)
    queries = []
    for number, payment in enumerate(payments):
        params = {
            "vnp_Amount": str(FEE * 100),
            "vnp_BankCode": "NCB",
            "vnp_OrderInfo": "Nop phi",
            "vnp_PayDate": "20261126093000",
            "vnp_ResponseCode": "00",
            "vnp_TmnCode": TMN_CODE,
            "vnp_TransactionNo": str(15_000_000 + number),
            "vnp_TransactionStatus": "00",
            "vnp_TxnRef": payment["reference"],
        }
        query = vnpay_protocol.signed_query(params)
        queries.append(f"{query}&vnp_SecureHash={vnpay_protocol.sign(params, secret)}")
    with Session(engine) as session:
        token = auth_service.create_token(
            session, name="bench", scopes=["payments:write"], actor="bench"
        ).text
    engine.dispose()
    return token, queries


def start_gunicorn(target: str, port: int, env: dict[str, str], workers: int) -> subprocess.Popen:
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    process = subprocess.Popen(
        [
            gunicorn,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
            target,
        ],
        cwd=ROOT,
        env=os.environ | env,
    )
    wait_serving(process, port, "/healthz")
    return process


def wait_serving(process: subprocess.Popen, port: int, path: str) -> None:
    """Wait until every worker of a gunicorn on `port` answers HTTP (any status) on `path`.

    A fixed sleep was not enough on a loaded machine: the first measured run of the bare app
    then found its workers still importing and reported 0 req/s.
    """
    answered = 0
    for _ in range(300):
        try:
            requests.get(f"http://127.0.0.1:{port}{path}", timeout=2)
            answered += 1
            if answered >= 8:  # a few answers in a row: the workers are up, not just one
                return
        except requests.RequestException:
            answered = 0
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"gunicorn on port {port} did not start")


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, script: str, seconds: int, env: dict[str, str]) -> dict[str, float]:
    output = subprocess.run(
        ["wrk", "-t1", "-c16", f"-d{seconds}s", "--latency", "-s", script, url],
        capture_output=True,
        text=True,
        env=os.environ | env,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)\b", output)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", output)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rate": rate,
        "p50": _ms(*p50.groups()),
        "p99": _ms(*p99.groups()),
        "errors": int(errors.group(1)) if errors else 0,
    }


def measure(name, url, script, runs, seconds, env_for_run) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {"rate": [], "p50": [], "p99": [], "errors": []}
    wrk(url, script, 2, env_for_run(-1))  # warm-up
    for run in range(runs):
        outcome = wrk(url, script, seconds, env_for_run(run))
        for key, value in outcome.items():
            results[key].append(value)
        print(
            f"  {name} run {run + 1}: {outcome['rate']:.0f} req/s, p50 {outcome['p50']:.1f} ms, "
            f"p99 {outcome['p99']:.1f} ms, non-2xx {outcome['errors']}",
            flush=True,
        )
    return results


def summary(name: str, results: dict[str, list[float]]) -> str:
    rate, p50, p99 = results["rate"], results["p50"], results["p99"]
    return (
        f"{name:<28} {min(rate):>8.0f} {statistics.median(rate):>8.0f}   "
        f"{min(p50):>6.1f} {statistics.median(p50):>6.1f}   "
        f"{min(p99):>6.1f} {statistics.median(p99):>6.1f}   {int(sum(results['errors']))}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--dossiers", type=int, default=60_000)
    args = parser.parse_args()
    base_url = os.environ.get("PAYRECON_TEST_POSTGRES_URL")
    if not base_url or not shutil.which("wrk"):
        print("needs PAYRECON_TEST_POSTGRES_URL and wrk (apt-get install -y wrk)")
        return 2
    secret = secrets.token_hex(32)
    url = create_scratch_database(base_url, prefix="payrecon_bench")
    processes: list[subprocess.Popen] = []
    workdir = Path(tempfile.mkdtemp(prefix="bench-payments-"))
    try:
        print(
            f"seeding {url.rsplit('/', 1)[-1]}: {args.dossiers} dossiers, card payments ...",
            flush=True,
        )
        token, queries = seed(url, args.dossiers, args.dossiers // 2, secret)
        (workdir / "ipn.txt").write_text("\n".join(queries) + "\n")
        for name, body in (
            ("create.lua", CREATE_LUA),
            ("ipn.lua", IPN_LUA),
            ("bare.lua", BARE_LUA),
        ):
            (workdir / name).write_text(body)
        app_env = app_environment(url, secret, TMN_CODE)
        processes.append(start_gunicorn("wsgi:app", PORT_APP, app_env, args.workers))
        bare_env = {"BENCH_DATABASE_URL": url, "PYTHONPATH": str(ROOT / "bench")}
        bare = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "--bind",
                f"127.0.0.1:{PORT_BARE}",
                "--workers",
                str(args.workers),
                "--worker-class",
                "sync",
                "--log-level",
                "warning",
                "payments:baseline_app()",
            ],
            cwd=ROOT / "bench",
            env=os.environ | bare_env,
        )
        processes.append(bare)
        wait_serving(bare, PORT_BARE, "/insert")
        per_run = args.dossiers // (args.runs + 1)
        app_url = f"http://127.0.0.1:{PORT_APP}"
        print(
            f"wrk -t1 -c16 -d{args.seconds}s, gunicorn sync × {args.workers}, {args.runs} runs",
            flush=True,
        )
        reference = measure(
            "core insert (reference)",
            f"http://127.0.0.1:{PORT_BARE}/insert",
            str(workdir / "bare.lua"),
            args.runs,
            args.seconds,
            lambda run: {},
        )
        create = measure(
            "POST /api/v1/payments",
            app_url,
            str(workdir / "create.lua"),
            args.runs,
            args.seconds,
            lambda run: {"BENCH_TOKEN": token, "BENCH_START": str((run + 1) * per_run)},
        )
        ipn = measure(
            "GET /gateway/vnpay/ipn",
            app_url,
            str(workdir / "ipn.lua"),
            args.runs,
            args.seconds,
            lambda run: {
                "BENCH_IPN_FILE": str(workdir / "ipn.txt"),
                "BENCH_START": str((run + 1) * len(queries) // (args.runs + 1)),
            },
        )
        print()
        print(
            f"{'':<28} {'req/s':>8} {'':>8}   {'p50 ms':>6} {'':>6}   {'p99 ms':>6} {'':>6}"
            "   non-2xx"
        )
        print(
            f"{'':<28} {'min':>8} {'median':>8}   {'min':>6} {'median':>6}   "
            f"{'min':>6} {'median':>6}"
        )
        for name, results in (
            ("core insert (reference)", reference),
            ("POST /api/v1/payments", create),
            ("GET /gateway/vnpay/ipn", ipn),
        ):
            print(summary(name, results))
        base = statistics.median(reference["rate"])
        for name, results in (("create payment", create), ("IPN", ipn)):
            ratio = statistics.median(results["rate"]) / base
            p99 = statistics.median(results["p99"])
            verdict = "meets" if ratio >= 0.6 and p99 < 50 else "misses"
            print(
                f"{name}: {ratio:.0%} of the reference (median), p99 {p99:.1f} ms: "
                f"{verdict} the target (≥ 60 %, p99 < 50 ms)"
            )
        return 0
    finally:
        for process in processes:
            stop(process)
        drop_database(base_url, url)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
