"""Tables of the job-run domain: the run history and the lease rows."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from payrecon.db import Base, BigId, UtcDateTime

RUN_STATUSES = ("running", "succeeded", "failed", "abandoned")


class JobRun(Base):
    """One attempt to run a job for a run key; written at start and again at the end.

    `run_key` is what makes two attempts "the same run": the business date for a nightly
    job ("2026-11-25"), the local time slot for a periodic one ("2026-11-25T13:05").
    A row left 'running' by a runner that died is marked 'abandoned' by the next runner
    that gets the lock for the same key, or by the scheduler's sweep.
    """

    __tablename__ = "job_runs"
    __table_args__ = (
        CheckConstraint(
            "status IN ('running', 'succeeded', 'failed', 'abandoned')", name="status_known"
        ),
        Index("ix_job_runs_job_key", "job_name", "run_key"),
        Index("ix_job_runs_job_started", "job_name", "started_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    job_name: Mapped[str] = mapped_column(String(80))
    run_key: Mapped[str] = mapped_column(String(40))
    business_date: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    is_forced: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    heartbeat_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    summary: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)


class JobLease(Base):
    """Who may run (job_name, run_key) until when; the lock where advisory locks are missing.

    SQLite has no session advisory locks, so a runner inserts or takes over this row and
    renews `expires_at` while it works. A runner that dies stops renewing, and its lease
    lapses after the lease time.
    """

    __tablename__ = "job_leases"

    job_name: Mapped[str] = mapped_column(String(80), primary_key=True)
    run_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(300))
    acquired_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
