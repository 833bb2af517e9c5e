"""Read-only selects over job runs, for `payrecon jobs …` and the officer dashboard."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from payrecon.errors import NotFound
from payrecon.jobruns.models import JobRun

FAILED_STATUSES = ("failed", "abandoned")


def get_run(session: Session, run_id: int) -> JobRun:
    run = session.get(JobRun, run_id)
    if run is None:
        raise NotFound(f"no job run with id {run_id}", where="run_id")
    return run


def list_runs(session: Session, *, job_name: str | None = None, limit: int = 50) -> list[JobRun]:
    """The newest runs first, of one job or of all."""
    query = select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit)
    if job_name is not None:
        query = query.where(JobRun.job_name == job_name)
    return list(session.scalars(query))


def list_last_runs(session: Session) -> list[JobRun]:
    """The most recent run of every job that has run, ordered by job name."""
    newest = (
        select(JobRun.job_name, func.max(JobRun.id).label("last_id"))
        .group_by(JobRun.job_name)
        .subquery()
    )
    query = select(JobRun).join(newest, JobRun.id == newest.c.last_id).order_by(JobRun.job_name)
    return list(session.scalars(query))


def list_failures(
    session: Session, *, since: datetime | None = None, limit: int = 100
) -> list[JobRun]:
    """Failed and abandoned runs, newest first, optionally only those started since `since`."""
    query = (
        select(JobRun)
        .where(JobRun.status.in_(FAILED_STATUSES))
        .order_by(JobRun.started_at.desc(), JobRun.id.desc())
        .limit(limit)
    )
    if since is not None:
        query = query.where(JobRun.started_at >= since)
    return list(session.scalars(query))


def list_running_runs(session: Session) -> list[JobRun]:
    """Runs still marked running, oldest first (live ones and ones whose runner died)."""
    query = select(JobRun).where(JobRun.status == "running").order_by(JobRun.id)
    return list(session.scalars(query))


def list_stuck_runs(session: Session, *, heartbeat_before: datetime) -> list[JobRun]:
    """Runs still 'running' whose heartbeat is older than `heartbeat_before`: hung or dead.

    A live run beats every PAYRECON_JOBS_HEARTBEAT_SECONDS, so pass now minus a few of those.
    """
    query = (
        select(JobRun)
        .where(JobRun.status == "running", JobRun.heartbeat_at < heartbeat_before)
        .order_by(JobRun.heartbeat_at)
    )
    return list(session.scalars(query))


def find_succeeded_run(session: Session, job_name: str, run_key: str) -> JobRun | None:
    return session.scalars(
        select(JobRun)
        .where(JobRun.job_name == job_name, JobRun.run_key == run_key, JobRun.status == "succeeded")
        .order_by(JobRun.id.desc())
        .limit(1)
    ).first()


def succeeded_run_keys(session: Session, job_name: str, run_keys: Iterable[str]) -> set[str]:
    """Which of `run_keys` already have a succeeded run of `job_name`."""
    keys = list(run_keys)
    if not keys:
        return set()
    query = select(JobRun.run_key).where(
        JobRun.job_name == job_name, JobRun.run_key.in_(keys), JobRun.status == "succeeded"
    )
    return set(session.scalars(query))
