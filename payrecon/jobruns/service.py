"""Job-run use cases: each writes its row change and commits at once.

A run is recorded in short transactions of its own (start, heartbeats, end), apart from the
job's work, so a stuck or failed job is visible to others while, and after, it happens.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from payrecon.db import utcnow
from payrecon.errors import NotFound
from payrecon.jobruns.models import JobRun

MAX_ERROR_CHARS = 8000


def start_run(
    session: Session,
    *,
    job_name: str,
    run_key: str,
    business_date: date,
    host: str,
    pid: int,
    is_forced: bool = False,
) -> JobRun:
    """Record that this runner has begun `job_name` for `run_key`; the caller holds its lock."""
    now = utcnow()
    run = JobRun(
        job_name=job_name,
        run_key=run_key,
        business_date=business_date,
        status="running",
        is_forced=is_forced,
        started_at=now,
        heartbeat_at=now,
        host=host,
        pid=pid,
    )
    session.add(run)
    session.commit()
    return run


def _get_run(session: Session, run_id: int) -> JobRun:
    run = session.get(JobRun, run_id)
    if run is None:
        raise NotFound(f"no job run with id {run_id}", where="run_id")
    return run


def beat(session: Session, run_id: int) -> None:
    """Show the run is alive: move its heartbeat to now (only while it is 'running')."""
    session.execute(
        update(JobRun)
        .where(JobRun.id == run_id, JobRun.status == "running")
        .values(heartbeat_at=utcnow())
    )
    session.commit()


def finish_run(session: Session, run_id: int, *, summary: str) -> JobRun:
    """Mark the run succeeded with the job's one-line summary."""
    run = _get_run(session, run_id)
    now = utcnow()
    run.status = "succeeded"
    run.summary = summary
    run.finished_at = now
    run.heartbeat_at = now
    session.commit()
    return run


def fail_run(session: Session, run_id: int, *, error: str) -> JobRun:
    """Mark the run failed; `error` is kept (cut to MAX_ERROR_CHARS) for the dashboard."""
    run = _get_run(session, run_id)
    now = utcnow()
    run.status = "failed"
    run.error = error[:MAX_ERROR_CHARS]
    run.finished_at = now
    run.heartbeat_at = now
    session.commit()
    return run


def abandon_running_runs(session: Session, *, job_name: str, run_key: str, reason: str) -> int:
    """Mark every 'running' row for (job_name, run_key) abandoned; return how many.

    Call only while holding the run lock for that key: then no live runner can own those
    rows, so they were left by a runner that died (its lock vanished or its lease lapsed).
    """
    stale = session.scalars(
        select(JobRun).where(
            JobRun.job_name == job_name, JobRun.run_key == run_key, JobRun.status == "running"
        )
    ).all()
    now = utcnow()
    for run in stale:
        run.status = "abandoned"
        run.finished_at = now
        run.error = f"runner {run.host} pid {run.pid} stopped without finishing: {reason}"
    session.commit()
    return len(stale)
