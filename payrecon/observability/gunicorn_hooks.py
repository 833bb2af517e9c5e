"""gunicorn server hooks for Prometheus multi-process mode.

In gunicorn.conf.py:

    from payrecon.observability.gunicorn_hooks import child_exit  # noqa: F401

Without it, the in-progress gauge of a worker that died keeps counting.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import multiprocess

from payrecon.observability.metrics import multiprocess_dir


def child_exit(server: Any, worker: Any) -> None:
    """Forget the live gauges of a worker gunicorn has reaped."""
    if folder := multiprocess_dir():
        multiprocess.mark_process_dead(worker.pid, folder)
