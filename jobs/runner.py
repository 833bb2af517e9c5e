"""Run one job once for one run key: lock, run row, heartbeat, the work, the outcome, logs.

`payrecon jobs run-once` and the scheduler both come through `run_job`, so the hand-run and
the timed run cannot drift apart. The run row is written in short transactions of its own,
apart from the job's work, so a failure in the job cannot roll back the record of it.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from flask import Flask

from jobs.registry import JobSpec, get_job
from jobs.timing import (
    Every,
    Nightly,
    latest_due_date,
    local,
    nightly_run_key,
    periodic_run_key,
    slot_start,
)
from payrecon.db import get_engine, session_scope, utcnow
from payrecon.errors import PayreconError
from payrecon.jobruns import queries, service
from payrecon.jobruns.locks import RunLock, make_run_lock
from payrecon.observability import metrics

log = logging.getLogger("payrecon.jobs")

DEFAULT_LEASE_SECONDS = 120

Status = Literal["succeeded", "failed", "already_succeeded", "busy"]


@dataclass(frozen=True)
class RunOutcome:
    job_name: str
    run_key: str
    business_date: date
    status: Status
    run_id: int | None = None
    summary: str | None = None
    error: str | None = None
    duration_s: float | None = None

    @property
    def is_failure(self) -> bool:
        return self.status == "failed"


def lease_seconds(app: Flask) -> float:
    """PAYRECON_JOBS_LEASE_SECONDS: how long a lease lasts without a heartbeat (SQLite)."""
    return float(app.config.get("JOBS_LEASE_SECONDS") or DEFAULT_LEASE_SECONDS)


def heartbeat_seconds(app: Flask) -> float:
    """PAYRECON_JOBS_HEARTBEAT_SECONDS; by default a quarter of the lease time."""
    return float(app.config.get("JOBS_HEARTBEAT_SECONDS") or lease_seconds(app) / 4)


def run_key_for(spec: JobSpec, business_date: date, now: datetime) -> str:
    if isinstance(spec.timing, Every):
        return periodic_run_key(business_date, slot_start(now, spec.timing))
    return nightly_run_key(business_date)


def observe(name: str, duration_s: float, *, ok: bool) -> None:
    """Feed the job metrics (runs by outcome, duration, last success); never fails a run."""
    try:
        metrics.observe_job(name, duration_s, ok=ok)
    except ValueError:
        log.warning("job %s: no metrics (the name is not a metric label slug)", name)


def describe_error(exc: BaseException) -> str:
    where = f" ({exc.where})" if isinstance(exc, PayreconError) and exc.where else ""
    return f"{type(exc).__name__}: {exc}{where}"


class Heartbeat:
    """A thread that renews the run lock and moves the run's heartbeat while the job works."""

    def __init__(self, app: Flask, run_id: int, lock: RunLock, every_s: float) -> None:
        self._app = app
        self._run_id = run_id
        self._lock = lock
        self._every_s = every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{run_id}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        while not self._stop.wait(self._every_s):
            try:
                if not self._lock.renew():
                    log.error("run %s lost its lock; another runner may start it", self._run_id)
                with session_scope(self._app) as session:
                    service.beat(session, self._run_id)
            except Exception:
                log.exception("heartbeat of run %s failed", self._run_id)


def run_job(
    app: Flask,
    name: str,
    *,
    business_date: date | None = None,
    now: datetime | None = None,
    force: bool = False,
    jobs: dict[str, JobSpec] | None = None,
) -> RunOutcome:
    """Run job `name` for `business_date` (default: today's for periodic jobs, the latest
    due date for nightly ones) unless it is running elsewhere or already succeeded
    (`force` re-runs a succeeded one). A job's exception is recorded and returned as a
    'failed' outcome, not raised.
    """
    spec = get_job(name, jobs)
    now = now or utcnow()
    if business_date is None:
        if isinstance(spec.timing, Nightly):
            business_date = latest_due_date(now, spec.timing)
        else:
            business_date = local(now).date()
    run_key = run_key_for(spec, business_date, now)
    fields = {"job": name, "business_date": business_date.isoformat(), "run_key": run_key}
    host, pid = socket.gethostname(), os.getpid()
    lock = make_run_lock(
        get_engine(app),
        name,
        run_key,
        holder=f"{host}:{pid}:{uuid.uuid4().hex[:8]}",
        lease_seconds=lease_seconds(app),
    )
    if not lock.acquire():
        log.info(
            "job %s %s: busy, running elsewhere", name, run_key, extra=fields | {"event": "busy"}
        )
        return RunOutcome(name, run_key, business_date, "busy")
    try:
        with app.app_context():
            return _run_locked(app, spec, lock, fields, host=host, pid=pid, force=force)
    finally:
        lock.release()


def _run_locked(
    app: Flask,
    spec: JobSpec,
    lock: RunLock,
    fields: dict[str, str],
    *,
    host: str,
    pid: int,
    force: bool,
) -> RunOutcome:
    name, run_key = fields["job"], fields["run_key"]
    business_date = date.fromisoformat(fields["business_date"])
    with session_scope(app) as session:
        abandoned = service.abandon_running_runs(
            session, job_name=name, run_key=run_key, reason="its lock was free again"
        )
        if abandoned:
            log.warning(
                "job %s %s: marked %d earlier run(s) abandoned",
                name,
                run_key,
                abandoned,
                extra=fields | {"event": "abandoned", "count": abandoned},
            )
        done = None if force else queries.find_succeeded_run(session, name, run_key)
        if done is not None:
            log.info(
                "job %s %s: already succeeded in run %s; skipped (use --force to re-run)",
                name,
                run_key,
                done.id,
                extra=fields | {"event": "skipped", "run_id": done.id},
            )
            return RunOutcome(name, run_key, business_date, "already_succeeded", run_id=done.id)
        run_id = service.start_run(
            session,
            job_name=name,
            run_key=run_key,
            business_date=business_date,
            host=host,
            pid=pid,
            is_forced=force,
        ).id
    fields = fields | {"run_id": run_id}
    log.info(
        "job %s %s: started (run %s)", name, run_key, run_id, extra=fields | {"event": "started"}
    )
    started = time.monotonic()
    try:
        with Heartbeat(app, run_id, lock, heartbeat_seconds(app)), session_scope(app) as session:
            result = spec.function(session, business_date)
    except BaseException as exc:
        duration = round(time.monotonic() - started, 3)
        error = describe_error(exc)
        with session_scope(app) as session:
            service.fail_run(session, run_id, error=f"{error}\n\n{traceback.format_exc()}")
        observe(name, duration, ok=False)
        log.error(
            "job %s %s: failed after %.1f s: %s",
            name,
            run_key,
            duration,
            error,
            exc_info=True,
            extra=fields | {"event": "failed", "duration_s": duration, "error": error},
        )
        if not isinstance(exc, Exception):
            raise  # KeyboardInterrupt, SystemExit: recorded, then let them end the process
        return RunOutcome(
            name, run_key, business_date, "failed", run_id=run_id, error=error, duration_s=duration
        )
    duration = round(time.monotonic() - started, 3)
    summary = "" if result is None else str(result)
    with session_scope(app) as session:
        service.finish_run(session, run_id, summary=summary)
    observe(name, duration, ok=True)
    log.info(
        "job %s %s: succeeded in %.1f s: %s",
        name,
        run_key,
        duration,
        summary,
        extra=fields | {"event": "succeeded", "duration_s": duration, "summary": summary},
    )
    return RunOutcome(
        name,
        run_key,
        business_date,
        "succeeded",
        run_id=run_id,
        summary=summary,
        duration_s=duration,
    )
