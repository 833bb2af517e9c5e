"""kill -9 of `payrecon reconcile --date D` mid-run, then the same command again.

The reconciler dies at the `reconcile_before_commit` fault point: every match and exception
of the run written, the commit that finishes it not made. What is left is the run row it
committed on starting, still 'running' and holding nothing; the re-run marks it failed and
stores the same result as the uninterrupted run made before on the same data.
"""

from __future__ import annotations

import json
import signal

import pytest
from sqlalchemy import select

from payrecon.cli.reconciliation import run_json
from payrecon.jobruns.models import JobRun
from payrecon.reconciliation import queries
from payrecon.reconciliation.models import ReconciliationException, ReconciliationMatch
from payrecon.reconciliation.models import ReconciliationRun as Run
from payrecon.reconciliation.service import run_reconciliation
from tests.hardening.faults.helpers import armed_fault, fired
from tests.integration.reconciliation.scenario import DAY, build_day
from tests.processes import payrecon_env, run_payrecon, wait_until

pytestmark = pytest.mark.slow


def reconcile(env: dict[str, str]):
    return run_payrecon(env, "reconcile", "--date", DAY.isoformat(), "--json")


def outcome(session, run_id: int) -> tuple[list, list]:
    """The run's matches and exceptions, without the ids that differ between runs."""
    matches = sorted(
        (m.rule, m.payment_id, m.line_id, m.amount_vnd)
        for m in queries.run_matches(session, run_id)
    )
    _, exceptions = queries.list_exceptions(session, run_id)
    return matches, sorted((e.kind, e.fingerprint, e.amount_vnd) for e in exceptions)


def rows_of(session, model, run_id: int) -> int:
    return len(session.scalars(select(model.id).where(model.run_id == run_id)).all())


def test_a_reconciler_killed_before_finishing_leaves_no_finished_run_and_the_rerun_matches(
    db_session, database_url, tmp_path
):
    build_day(db_session)
    env = payrecon_env(database_url)

    reference = run_json(run_reconciliation(db_session, business_date=DAY, actor="cli"))
    assert reference["exceptions"] == 15  # the hand-made day: 13 kinds, 15 exceptions

    fault = armed_fault("reconcile_before_commit", tmp_path)
    killed = reconcile(env | fault)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert fired(fault)
    db_session.rollback()
    [dead] = db_session.scalars(select(Run).where(Run.id > reference["id"])).all()
    assert (dead.status, dead.finished_at, dead.exception_count) == ("running", None, 0)
    assert rows_of(db_session, ReconciliationMatch, dead.id) == 0
    assert rows_of(db_session, ReconciliationException, dead.id) == 0
    finished = db_session.scalars(select(Run.id).where(Run.status == "finished")).all()
    assert finished == [reference["id"]]

    rerun = reconcile(env)
    assert rerun.returncode == 0, rerun.stderr
    again = json.loads(rerun.stdout)
    assert {k: v for k, v in again.items() if k != "id"} == {
        k: v for k, v in reference.items() if k != "id"
    }
    db_session.rollback()
    assert outcome(db_session, again["id"]) == outcome(db_session, reference["id"])

    runs = db_session.scalars(select(Run).order_by(Run.id)).all()
    assert [(r.id, r.status) for r in runs] == [
        (reference["id"], "finished"),
        (dead.id, "failed"),
        (again["id"], "finished"),
    ]
    assert runs[1].finished_at is not None
    assert runs[1].error == (
        f"the process running it stopped without finishing; found when run {again['id']} began"
    )


EXIT_BUSY = 75


def test_the_nightly_job_killed_mid_run_is_abandoned_and_the_next_runner_repeats_it(
    db_session, database_url, tmp_path
):
    """The same crash under `payrecon jobs run-once reconcile`: its job-run row is marked
    abandoned (naming the dead pid) by the next runner, which reconciles the date once."""
    build_day(db_session)
    env = payrecon_env(
        database_url,
        PAYRECON_REPORTS_DIR=str(tmp_path / "reports"),
        PAYRECON_JOBS_LEASE_SECONDS="1",  # SQLite: the dead runner's lease lapses quickly
    )
    command = ("jobs", "run-once", "reconcile", "--date", DAY.isoformat())

    fault = armed_fault("reconcile_before_commit", tmp_path)
    killed = run_payrecon(env | fault, *command)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert fired(fault)

    def rerun_until_not_busy():
        done = run_payrecon(env, *command)
        return None if done.returncode == EXIT_BUSY else done

    rerun = wait_until("the dead runner's lock to free", rerun_until_not_busy)
    assert rerun.returncode == 0, rerun.stderr
    assert "succeeded" in rerun.stdout

    db_session.rollback()
    dead_job, job = db_session.scalars(select(JobRun).order_by(JobRun.id)).all()
    assert (dead_job.job_name, dead_job.status) == ("reconcile", "abandoned")
    assert "stopped without finishing" in dead_job.error
    assert (job.status, job.business_date) == ("succeeded", DAY)
    runs = db_session.scalars(select(Run).order_by(Run.id)).all()
    assert [r.status for r in runs] == ["failed", "finished"]
    assert runs[1].exception_count == 15
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == [
        f"reconciliation-{DAY.isoformat()}.{ext}" for ext in ("csv", "html", "xlsx")
    ]
