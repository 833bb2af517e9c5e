"""Reading what the runners wrote, each time in a fresh short transaction."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from payrecon.jobruns.models import JobRun
from tests.integration.jobs import sample_jobs


def reader(engine: Engine) -> Session:
    """A session that never blocks the runners' writers on SQLite."""
    return Session(engine.execution_options(sqlite_begin="DEFERRED"))


def all_runs(engine: Engine) -> list[JobRun]:
    with reader(engine) as session:
        return list(session.scalars(select(JobRun).order_by(JobRun.id)))


def notes(engine: Engine) -> list[tuple[str, str]]:
    with reader(engine) as session:
        return sample_jobs.notes(session)
