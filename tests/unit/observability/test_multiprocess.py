"""Multi-process mode (gunicorn workers): each process writes files, a scrape adds them up.

prometheus_client chooses its value store when it is imported, so the workers here are
separate Python processes started with PROMETHEUS_MULTIPROC_DIR set.
"""

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from payrecon.observability import gunicorn_hooks, metrics

ROOT = Path(__file__).parents[3]

WORKER = """
import os
from payrecon.observability import metrics
metrics.count_invoice_issued()
metrics.count_payment_status("succeeded")
metrics.HTTP_REQUESTS_IN_PROGRESS.inc()
metrics.set_open_exceptions("unmatched_credit", {open_count})
print(os.getpid())
"""


def run_worker(folder: Path, open_count: int) -> int:
    env = os.environ | {"PROMETHEUS_MULTIPROC_DIR": str(folder), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", WORKER.format(open_count=open_count)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout.strip())


def value_of(body: str, series: str) -> float:
    for line in body.splitlines():
        if line.startswith(series + " "):
            return float(line.split(" ")[1])
    raise AssertionError(f"{series} not in the exposition")


def test_two_workers_are_added_up_and_a_dead_worker_is_forgotten(tmp_path, monkeypatch):
    first = run_worker(tmp_path, open_count=5)
    second = run_worker(tmp_path, open_count=3)
    assert first != second
    assert (tmp_path / f"counter_{first}.db").exists()

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    body = metrics.render(None)[0].decode()
    assert value_of(body, "payrecon_invoices_issued_total") == 2
    assert value_of(body, 'payrecon_payment_status_changes_total{status="succeeded"}') == 2
    assert value_of(body, "payrecon_http_requests_in_progress") == 2
    # the most recent value wins, whichever process set it
    assert value_of(body, 'payrecon_reconciliation_open_exceptions{kind="unmatched_credit"}') == 3

    gunicorn_hooks.child_exit(server=None, worker=SimpleNamespace(pid=first))

    assert not (tmp_path / f"gauge_livesum_{first}.db").exists()
    body = metrics.render(None)[0].decode()
    assert value_of(body, "payrecon_http_requests_in_progress") == 1
    assert value_of(body, "payrecon_invoices_issued_total") == 2  # counters keep their history


def test_a_missing_multiprocess_folder_is_named_at_import(tmp_path):
    missing = tmp_path / "not-there"
    env = os.environ | {"PROMETHEUS_MULTIPROC_DIR": str(missing), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", "import payrecon.observability.metrics"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert f"PROMETHEUS_MULTIPROC_DIR='{missing}' is not a directory" in done.stderr


def test_child_exit_does_nothing_in_single_process_mode(monkeypatch):
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    # prometheus_client's mark_process_dead would fail here with no folder to look in
    assert gunicorn_hooks.child_exit(server=None, worker=SimpleNamespace(pid=12345)) is None
