"""Every Prometheus metric payrecon exports, defined once, and the functions that feed them.

Other domains call these after their commit, never the metric objects:

    from payrecon.observability import metrics
    metrics.count_payment_status(PaymentStatus.SUCCEEDED)   # a payment reached a status
    metrics.count_invoice_issued()                          # an invoice got its number
    metrics.observe_job("reconcile", seconds=12.5, ok=True) # or: with metrics.job_timer(...)
    metrics.set_open_exceptions("unmatched_credit", 4)      # after a reconciliation run

Label values are checked (a fixed set or a short slug) so no caller can blow up cardinality;
a bad one raises ValueError, a programming error the tests find. Nothing here touches the
database or Flask: the functions are cheap and safe to call from any layer.

Multi-process mode: when PROMETHEUS_MULTIPROC_DIR is set before this module is first imported
(prometheus_client picks its value store at import), every process writes its samples to files
in that folder and `render` aggregates them; gunicorn's child_exit hook must call
gunicorn_hooks.child_exit. Without the variable, samples live in this process's registry.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, multiprocess
from prometheus_client.exposition import choose_encoder

from payrecon.payments.states import PaymentStatus

MULTIPROC_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"
UNMATCHED_ROUTE = "unmatched"
"""The route label of a request no URL rule matched (404, 405): the raw path is never a label."""

HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_SLUG = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_DIR_ENV) or None


if (_folder := multiprocess_dir()) and not os.path.isdir(_folder):
    raise RuntimeError(
        f"{MULTIPROC_DIR_ENV}={_folder!r} is not a directory; create it (empty) before starting"
    )

HTTP_REQUESTS = Counter(
    "payrecon_http_requests",
    "HTTP requests answered, by method, route template and status.",
    ["method", "route", "status"],
)
HTTP_REQUEST_DURATION = Histogram(
    "payrecon_http_request_duration_seconds",
    "Time from the start of a request to its response, by method and route template.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
HTTP_REQUESTS_IN_PROGRESS = Gauge(
    "payrecon_http_requests_in_progress",
    "Requests being handled right now (live processes only).",
    multiprocess_mode="livesum",
)
PAYMENT_STATUS = Counter(
    "payrecon_payment_status_changes",
    "Payments that reached a status, by the status reached.",
    ["status"],
)
INVOICES_ISSUED = Counter("payrecon_invoices_issued", "E-invoices issued (numbered and signed).")
JOB_RUNS = Counter(
    "payrecon_job_runs", "Job runs finished, by job and outcome (ok, failed).", ["job", "outcome"]
)
JOB_DURATION = Histogram(
    "payrecon_job_duration_seconds",
    "How long job runs took, successful or not.",
    ["job"],
    buckets=(0.1, 1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0),
)
JOB_LAST_SUCCESS = Gauge(
    "payrecon_job_last_success_timestamp_seconds",
    "Unix time a job last finished successfully: alert when it grows old.",
    ["job"],
    multiprocess_mode="mostrecent",
)
OPEN_EXCEPTIONS = Gauge(
    "payrecon_reconciliation_open_exceptions",
    "Reconciliation exceptions not yet resolved, by kind, as of the last count.",
    ["kind"],
    multiprocess_mode="mostrecent",
)


def _slug(value: str, what: str) -> str:
    if not isinstance(value, str) or not _SLUG.fullmatch(value):
        raise ValueError(f"{what} {value!r} must be 1-64 of [a-z0-9_.-], starting alphanumeric")
    return value


def http_method_label(method: str) -> str:
    """The method as a label; anything non-standard is 'other' (clients choose methods)."""
    upper = method.upper()
    return upper if upper in HTTP_METHODS else "other"


def observe_http_request(method: str, route: str, status: int, seconds: float) -> None:
    """Count one answered request and its latency. `route` is a URL rule, never a raw path."""
    method_label = http_method_label(method)
    HTTP_REQUESTS.labels(method_label, route, str(status)).inc()
    HTTP_REQUEST_DURATION.labels(method_label, route).observe(max(seconds, 0.0))


def count_payment_status(status: PaymentStatus | str) -> None:
    """Count one payment reaching `status` (a PaymentStatus or its value, e.g. 'succeeded').

    Call it once per real move, after the commit; a repeated notification that changed
    nothing should not count. ValueError for a status payments does not know.
    """
    value = status.value if isinstance(status, Enum) else status
    PAYMENT_STATUS.labels(PaymentStatus(value).value).inc()


def count_invoice_issued() -> None:
    """Count one invoice issued (call after the commit that numbered it)."""
    INVOICES_ISSUED.inc()


def observe_job(name: str, seconds: float, ok: bool) -> None:
    """Record one finished run of job `name` (e.g. 'reconcile', 'expire-payments').

    `seconds` is the wall-clock duration; a successful run also stamps
    payrecon_job_last_success_timestamp_seconds with the current time.
    """
    job = _slug(name, "job name")
    if seconds < 0:
        raise ValueError(f"job {job}: duration {seconds} s is negative")
    JOB_RUNS.labels(job, "ok" if ok else "failed").inc()
    JOB_DURATION.labels(job).observe(seconds)
    if ok:
        JOB_LAST_SUCCESS.labels(job).set(time.time())


@contextmanager
def job_timer(name: str) -> Iterator[None]:
    """Time a block as one run of job `name`; an exception counts as failed and propagates."""
    _slug(name, "job name")
    started = time.perf_counter()
    ok = False
    try:
        yield
        ok = True
    finally:
        observe_job(name, time.perf_counter() - started, ok)


def set_open_exceptions(kind: str, count: int) -> None:
    """Publish how many exceptions of `kind` (e.g. 'unmatched_credit') are open now.

    Call it for every kind after each run, with 0 for kinds that have none, so a kind
    that was cleared does not keep its old number.
    """
    label = _slug(kind, "exception kind")
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError(f"open {label} exceptions: {count!r} is not a count")
    OPEN_EXCEPTIONS.labels(label).set(count)


def render(accept: str | None) -> tuple[bytes, str]:
    """The exposition for a scrape: (body, content type), OpenMetrics if the scraper asks.

    In multi-process mode a fresh registry collects every process's files per scrape.
    """
    encoder, content_type = choose_encoder(accept or "")
    if folder := multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=folder)
        return encoder(registry), content_type
    return encoder(REGISTRY), content_type
