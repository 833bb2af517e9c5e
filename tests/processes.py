"""Real processes for the tests that need them: gunicorn serving wsgi:app, the payrecon command.

Waiting is by polling up to a generous deadline (the machine is small and shared); nothing
asserts how long anything took.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
DEADLINE_S = 90


def wait_until(what: str, condition: Callable[[], object], deadline_s: float = DEADLINE_S):
    """Poll `condition` until it returns something truthy, and return that."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting for {what}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def venv_command(name: str) -> str:
    """The console script `name` installed beside this Python (gunicorn, payrecon)."""
    return str(Path(sys.executable).with_name(name))


@contextmanager
def gunicorn(env: Mapping[str, str], *, workers: int = 2) -> Iterator[str]:
    """Serve wsgi:app with gunicorn on a free 127.0.0.1 port; yield its base URL once /healthz
    answers; stop it with SIGTERM (SIGKILL if it lingers)."""
    port = free_port()
    process = subprocess.Popen(
        [
            venv_command("gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=dict(env),
    )
    base = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited with {process.returncode}")
        try:
            return requests.get(f"{base}/healthz", timeout=1).ok
        except requests.RequestException:
            return False

    try:
        wait_until("gunicorn to answer /healthz", healthy)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def payrecon_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a payrecon process on `database_url`."""
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PAYRECON_DATABASE_URL": database_url,
        "PAYRECON_SECRET_KEY": "test",
        **extra,
    }


def run_payrecon(env: Mapping[str, str], *args: str) -> subprocess.CompletedProcess:
    """Run `payrecon ARGS…` to its end (or its death) and return what it did."""
    return subprocess.run(
        [venv_command("payrecon"), *args],
        cwd=ROOT,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=DEADLINE_S,
        check=False,
    )
