"""Jobs for the tests only: they do real work (an audit record per run) through a session.

`PAYRECON_TEST_JOB_GATE`, when set, names a file the noting job waits for before it works,
so a test can hold a run in the middle while it starts a rival, kills or stops the runner.
"""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jobs.registry import JobSpec
from jobs.timing import Every, Nightly
from payrecon import audit
from payrecon.audit import AuditRecord
from payrecon.jobruns.models import JobRun

NOTE_SUBJECT = "test-job-note"
GATE_WAIT_S = 120


def wait_for_gate() -> None:
    gate = os.environ.get("PAYRECON_TEST_JOB_GATE")
    if not gate:
        return
    deadline = time.monotonic() + GATE_WAIT_S
    while not Path(gate).exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gate file {gate} never appeared")
        time.sleep(0.05)


def write_note(session: Session, business_date: date) -> str:
    """Append an audit record naming the business date and this process, and commit."""
    wait_for_gate()
    audit.record(
        session,
        subject_type=NOTE_SUBJECT,
        subject_id=business_date.isoformat(),
        field="ran",
        old=None,
        new=os.getpid(),
        actor="job:test",
    )
    session.commit()
    return f"noted {business_date.isoformat()}"


def fail_after_writing(session: Session, business_date: date) -> str:
    """Write, then fail before committing: the run is failed and the write rolled back."""
    audit.record(
        session,
        subject_type=NOTE_SUBJECT,
        subject_id=business_date.isoformat(),
        field="failed",
        old=None,
        new=None,
        actor="job:test",
    )
    raise RuntimeError(f"statement inbox unreadable for {business_date.isoformat()}")


def wait_for_own_heartbeat(session: Session, business_date: date) -> str:
    """Work until the heartbeat thread has moved this run's heartbeat past its start."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        run = session.execute(
            select(JobRun.started_at, JobRun.heartbeat_at)
            .where(JobRun.job_name == "heartbeat-watcher", JobRun.status == "running")
            .order_by(JobRun.id.desc())
        ).first()
        session.rollback()  # a short read: never hold the database while waiting
        if run is not None and run.heartbeat_at > run.started_at:
            return "heartbeat seen"
        time.sleep(0.05)
    raise TimeoutError("the heartbeat never moved")


TEST_JOBS = {
    "note-nightly": JobSpec(write_note, Nightly("01:30"), "notes the business date (test)"),
    "note-nightly-too": JobSpec(write_note, Nightly("02:00"), "a second nightly job (test)"),
    "note-every-minute": JobSpec(write_note, Every(1), "notes every minute (test)"),
    "fails-nightly": JobSpec(fail_after_writing, Nightly("01:30"), "always fails (test)"),
    "fails-every-minute": JobSpec(fail_after_writing, Every(1), "always fails (test)"),
    "heartbeat-watcher": JobSpec(
        wait_for_own_heartbeat, Nightly("03:00"), "waits for its heartbeat (test)"
    ),
}


def notes(session: Session) -> list[tuple[str, str]]:
    """(business date, field) of every note the test jobs committed, in the order written."""
    rows = session.execute(
        select(AuditRecord.subject_id, AuditRecord.field)
        .where(AuditRecord.subject_type == NOTE_SUBJECT)
        .order_by(AuditRecord.id)
    )
    return [(row.subject_id, row.field) for row in rows]


def note_count(session: Session) -> int:
    return session.scalar(
        select(func.count())
        .select_from(AuditRecord)
        .where(AuditRecord.subject_type == NOTE_SUBJECT)
    )
