"""The realistic mix under wrk: throughput, p50/p95/p99 and errors, against a bare Flask insert.

In one run, on a scratch PostgreSQL database seeded by bench/load_world.py:
  1. payrecon under gunicorn (sync workers) takes the mix: dossier lookups, payment
     creations (unique Idempotency-Key each), signed VNPAY IPNs, invoice fetches (JSON and
     signed XML) and tax feed pages, in the weights of load_world.WEIGHTS;
  2. a bare Flask app under the same gunicorn settings whose one endpoint does a single
     SQLAlchemy Core INSERT ... RETURNING and commits (bench/payments.py's reference).
wrk (-t1, --connections, --seconds, after a 2 s warm-up) measures each --runs times; the
table gives min and median over the runs and the mix's throughput as a share of the bare one.

    apt-get install -y wrk
    PAYRECON_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        python bench/load.py --runs 3 --seconds 10

Every gunicorn is stopped by its PID; the scratch database is dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load_world import app_environment, request_mix, seed_world  # noqa: E402
from bench.payments import start_gunicorn, stop, wait_serving  # noqa: E402
from payrecon.db import create_scratch_database, drop_database, make_engine  # noqa: E402

PORT_APP, PORT_BARE = 18281, 18282

# Cycles through the pre-drawn mix; a POST gets a fresh Idempotency-Key. done() prints the
# percentiles wrk's --latency table leaves out (p95) in a form main() parses.
MIX_LUA = """
local items = {}
for line in io.lines(os.getenv("LOAD_MIX_FILE")) do
  local method, path, authorised, body = line:match("^(%u+)\\t([^\\t]+)\\t(%d)\\t?(.*)$")
  items[#items + 1] = {method = method, path = path, authorised = authorised == "1", body = body}
end
local token = os.getenv("LOAD_TOKEN")
local run = os.getenv("LOAD_RUN")
local i = 0
request = function()
  i = i + 1
  local item = items[(i % #items) + 1]
  local headers = {}
  if item.authorised then headers["Authorization"] = "Bearer " .. token end
  if item.method == "POST" then
    headers["Content-Type"] = "application/json"
    headers["Idempotency-Key"] = string.format("load-%s-%d-%d", run, os.time(), i)
    return wrk.format("POST", item.path, headers, item.body)
  end
  return wrk.format(item.method, item.path, headers)
end
"""

BARE_LUA = """
wrk.method = "POST"
wrk.body = '{"reference": "PR7K3MABCDW", "amount_vnd": 200000}'
wrk.headers["Content-Type"] = "application/json"
"""

DONE_LUA = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format("LOAD rate=%f p50=%f p95=%f p99=%f errors=%d\\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, errors))
end
"""


def run_wrk(url: str, script: Path, seconds: int, connections: int, env: dict) -> dict:
    output = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", str(script), url],
        capture_output=True,
        text=True,
        env=os.environ | env,
        check=True,
    ).stdout
    found = re.search(
        r"LOAD rate=([\d.]+) p50=([\d.]+) p95=([\d.]+) p99=([\d.]+) errors=(\d+)", output
    )
    if not found:
        raise RuntimeError(f"wrk printed no summary:\n{output}")
    rate, p50, p95, p99, errors = found.groups()
    return {
        "rate": float(rate),
        "p50": float(p50),
        "p95": float(p95),
        "p99": float(p99),
        "errors": int(errors),
    }


def measure(name, url, script, args, env_for_run) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {k: [] for k in ("rate", "p50", "p95", "p99", "errors")}
    run_wrk(url, script, 2, args.connections, env_for_run("warmup"))
    for run in range(args.runs):
        outcome = run_wrk(url, script, args.seconds, args.connections, env_for_run(str(run)))
        for key, value in outcome.items():
            results[key].append(value)
        print(
            f"  {name} run {run + 1}: {outcome['rate']:.0f} req/s, p50 {outcome['p50']:.1f} ms, "
            f"p95 {outcome['p95']:.1f} ms, p99 {outcome['p99']:.1f} ms, "
            f"errors {outcome['errors']}",
            flush=True,
        )
    return results


def row(name: str, results: dict[str, list[float]]) -> str:
    cells = [f"{name:<22}"]
    for key, width in (("rate", 7), ("p50", 6), ("p95", 6), ("p99", 6)):
        values = results[key]
        best = max(values) if key == "rate" else min(values)
        cells.append(f"{best:>{width}.1f} {statistics.median(values):>{width}.1f}")
    cells.append(f"{int(sum(results['errors'])):>6}")
    return "   ".join(cells)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--dossiers", type=int, default=5_000)
    args = parser.parse_args()
    base_url = os.environ.get("PAYRECON_TEST_POSTGRES_URL")
    if not base_url or not shutil.which("wrk"):
        print("needs PAYRECON_TEST_POSTGRES_URL and wrk (apt-get install -y wrk)")
        return 2
    secret = secrets.token_hex(32)
    url = create_scratch_database(base_url, prefix="payrecon_bench")
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    processes = []
    try:
        print(f"seeding {url.rsplit('/', 1)[-1]}: {args.dossiers} dossiers ...", flush=True)
        world = seed_world(
            url,
            dossiers=args.dossiers,
            card_payments=args.dossiers // 5,
            invoices=min(200, args.dossiers // 10),
            secret=secret,
        )
        engine = make_engine(url)
        with engine.begin() as connection:
            connection.execute(
                text(
                    "CREATE TABLE bench_inserts "
                    "(id bigserial primary key, reference text, amount_vnd bigint)"
                )
            )
        engine.dispose()
        mix = request_mix(world, 20_000)
        (workdir / "mix.tsv").write_text(
            "".join(f"{m.method}\t{m.path}\t{int(m.authorised)}\t{m.body or ''}\n" for m in mix)
        )
        (workdir / "mix.lua").write_text(MIX_LUA + DONE_LUA)
        (workdir / "bare.lua").write_text(BARE_LUA + DONE_LUA)
        processes.append(
            start_gunicorn("wsgi:app", PORT_APP, app_environment(url, secret), args.workers)
        )
        bare_server = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "--bind",
                f"127.0.0.1:{PORT_BARE}",
                "--workers",
                str(args.workers),
                "--log-level",
                "warning",
                "payments:baseline_app()",
            ],
            cwd=ROOT / "bench",
            env=os.environ | {"BENCH_DATABASE_URL": url},
        )
        processes.append(bare_server)
        wait_serving(bare_server, PORT_BARE, "/insert")
        print(
            f"wrk -t1 -c{args.connections} -d{args.seconds}s, gunicorn sync × {args.workers}, "
            f"{args.runs} runs",
            flush=True,
        )
        bare = measure(
            "bare core insert",
            f"http://127.0.0.1:{PORT_BARE}/insert",
            workdir / "bare.lua",
            args,
            lambda run: {},
        )
        mixed = measure(
            "realistic mix",
            f"http://127.0.0.1:{PORT_APP}",
            workdir / "mix.lua",
            args,
            lambda run: {
                "LOAD_MIX_FILE": str(workdir / "mix.tsv"),
                "LOAD_TOKEN": world.token,
                "LOAD_RUN": run,
            },
        )
        print()
        print(
            f"{'':<22}   {'req/s best/median':>15}   {'p50 ms':>13}   {'p95 ms':>13}   "
            f"{'p99 ms':>13}   errors"
        )
        print(row("bare core insert", bare))
        print(row("realistic mix", mixed))
        ratios = [m / b for m, b in zip(mixed["rate"], bare["rate"], strict=True)]
        print(
            f"mix / bare throughput: min {min(ratios):.2f}, median {statistics.median(ratios):.2f}"
        )
        return 1 if sum(mixed["errors"]) else 0
    finally:
        for process in processes:
            stop(process)
        drop_database(base_url, url)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
