"""Benchmark: the nightly reconciliation at scale, in memory and end to end on PostgreSQL.

    PAYRECON_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        PYTHONPATH=. python bench/reconcile.py --payments 1000000 --runs 3

(a) The engine in memory next to a bare pandas merge on pre-extracted references, measured in
    the same run (bench/reconcile_engine.py, in a child process so its memory stays its own);
    the issue's target is engine <= 3x the bare merge.
(b) End to end: a scratch database seeded with a week of payments and bank lines
    (bench/reconcile_world.py), then per run `run_reconciliation` for the business date (load
    from PostgreSQL, engine, store matches/proposals/exceptions, close) and the xlsx report,
    each phase timed in wall and in this process's CPU seconds; min and median over --runs, the
    issue's 60 s target, the counts, and the process's peak RSS. Every run is a re-run of the
    same date, so the reports must be equal byte for byte; the benchmark says whether they are.

The scratch database is dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.reconcile_world import BUSINESS_DATE, seed  # noqa: E402
from payrecon.db import (  # noqa: E402
    create_scratch_database,
    drop_database,
    make_engine,
    upgrade_to_head,
)
from payrecon.reconciliation.reports import render_report  # noqa: E402
from payrecon.reconciliation.service import (  # noqa: E402
    run_reconciliation,
    run_summary_line,
)

TARGET_SECONDS = 60.0
PHASES = ("load", "reconcile", "store", "close", "report")


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def in_memory(payments: int, runs: int, seed_value: int) -> None:
    print(f"(a) engine in memory, {payments:,} payments, {runs} runs", flush=True)
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "reconcile_engine.py"),
            f"--payments={payments}",
            f"--runs={runs}",
            f"--seed={seed_value}",
        ],
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def one_run(engine, number: int) -> tuple[dict[str, float], bytes, str]:
    """One nightly run and its xlsx report; seconds per phase."""
    from sqlalchemy.orm import Session

    seconds: dict[str, float] = {}
    cpu: dict[str, float] = {}
    started, cpu_started = time.perf_counter(), time.process_time()
    mark = [started, "load", cpu_started]

    def progress(step: str, done: int, total: int) -> None:
        now, cpu_now = time.perf_counter(), time.process_time()
        if step != "load":
            seconds[mark[1]] = now - mark[0]
            cpu[mark[1]] = cpu_now - mark[2]
            print(
                f"    {mark[1]:<9} {now - mark[0]:7.2f} s   cpu {cpu_now - mark[2]:7.2f} s",
                flush=True,
            )
        mark[0], mark[1], mark[2] = now, step, cpu_now

    print(f"  run {number}:", flush=True)
    with Session(engine) as session:
        run = run_reconciliation(
            session, business_date=BUSINESS_DATE, actor="bench", progress=progress
        )
        summary = run_summary_line(run)
        before, cpu_before = time.perf_counter(), time.process_time()
        report = render_report(session, run.id, "xlsx")
        seconds["report"] = time.perf_counter() - before
        cpu["report"] = time.process_time() - cpu_before
    print(
        f"    {'report':<9} {seconds['report']:7.2f} s   cpu {cpu['report']:7.2f} s "
        f"({len(report):,} bytes)",
        flush=True,
    )
    seconds["total"] = time.perf_counter() - started
    cpu["total"] = time.process_time() - cpu_started
    print(
        f"    {'total':<9} {seconds['total']:7.2f} s   cpu {cpu['total']:7.2f} s   "
        f"peak RSS {peak_rss_mib():,.0f} MiB",
        flush=True,
    )
    return {**seconds, **{f"cpu {name}": value for name, value in cpu.items()}}, report, summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--skip-in-memory", action="store_true", help="only part (b)")
    args = parser.parse_args()
    server = os.environ.get("PAYRECON_TEST_POSTGRES_URL")
    if not server:
        print("set PAYRECON_TEST_POSTGRES_URL to a PostgreSQL server URL", file=sys.stderr)
        return 2

    if not args.skip_in_memory:
        in_memory(args.payments, args.runs, args.seed)

    print(f"(b) end to end on PostgreSQL, {args.payments:,} payments, {args.runs} runs", flush=True)
    url = create_scratch_database(server, prefix="bench_reconcile")
    engine = make_engine(url)
    try:
        upgrade_to_head(engine)
        started = time.perf_counter()
        seeded = seed(url, payments=args.payments, seed=args.seed)
        print(
            f"  seeded {seeded.payments:,} payments, {seeded.bank_lines:,} bank lines, "
            f"{seeded.invoices:,} invoices, {seeded.batches:,} settlement batches "
            f"in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        results = []
        reports = []
        summary = ""
        for number in range(1, args.runs + 1):
            seconds, report, summary = one_run(engine, number)
            results.append(seconds)
            reports.append(report)
    finally:
        engine.dispose()
        drop_database(server, url)

    print(f"  last run: {summary}")
    print(f"  reports identical across runs: {'yes' if len(set(reports)) == 1 else 'NO'}")
    print(f"  {'phase':<9} {'min':>8} {'median':>8}   {'cpu min':>8} {'cpu median':>10}")
    for phase in (*PHASES, "total"):
        values = [r[phase] for r in results]
        cpu_values = [r[f"cpu {phase}"] for r in results]
        print(
            f"  {phase:<9} {min(values):7.2f}s {statistics.median(values):7.2f}s   "
            f"{min(cpu_values):7.2f}s {statistics.median(cpu_values):9.2f}s"
        )
    print(
        "  (cpu: this process's CPU seconds; PostgreSQL's own work is not in them, so on a "
        "shared machine they show the Python side's cost and wall time shows the load)"
    )
    totals = [r["total"] for r in results]
    median = statistics.median(totals)
    verdict = "met" if median <= TARGET_SECONDS else "NOT met"
    print(
        f"end to end: min {min(totals):.1f} s, median {median:.1f} s "
        f"(target <= {TARGET_SECONDS:.0f} s: {verdict}); peak RSS {peak_rss_mib():,.0f} MiB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
