"""Real runner processes sharing one database: exactly once, crash recovery, clean shutdown.

Each test starts `python -m tests.integration.jobs.entry jobs …` (the payrecon command with
the test jobs) as subprocesses. The noting job waits for a gate file, so a test can hold a
run in the middle while it starts a rival, kills the runner or asks it to stop. Waiting is
by polling the database up to a generous deadline; nothing asserts how long anything took.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.jobs.helpers import all_runs, notes
from tests.processes import wait_until

ROOT = Path(__file__).parents[3]
DEADLINE_S = 90
EXIT_BUSY = 75

pytestmark = pytest.mark.slow


@pytest.fixture
def gate(tmp_path) -> Path:
    return tmp_path / "gate-open"


@pytest.fixture
def runner_env(database_url, engine, gate) -> dict[str, str]:
    """The environment of a runner process: our database, a short lease, the gate, test jobs."""
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(ROOT),
        PAYRECON_DATABASE_URL=database_url,
        PAYRECON_SECRET_KEY="test",
        PAYRECON_JOBS_LEASE_SECONDS="1",
        PAYRECON_TEST_JOB_GATE=str(gate),
        PAYRECON_TEST_JOBS="note-nightly",
    )
    yield env
    from tests.conftest import delete_all_rows

    delete_all_rows(engine)


def start(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.integration.jobs.entry", "jobs", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=DEADLINE_S)
    return process.returncode, out, err


def running_runs(engine):
    return [run for run in all_runs(engine) if run.status == "running"]


def test_two_runners_run_a_nightly_job_once_for_a_date(engine, runner_env, gate):
    first = start(runner_env, "run-once", "note-nightly", "--date", "2026-11-20")
    second = start(runner_env, "run-once", "note-nightly", "--date", "2026-11-20")
    processes = [first, second]
    try:
        wait_until("one runner to start the job", lambda: running_runs(engine))
        loser = wait_until(
            "the other runner to give up",
            lambda: next((p for p in processes if p.poll() is not None), None),
        )
        code, _out, err = finish(loser)
        assert code == EXIT_BUSY, err
        assert "being run by another runner right now" in err
        gate.touch()
        [winner] = [p for p in processes if p is not loser]
        code, out, err = finish(winner)
        assert code == 0, err
        assert "note-nightly 2026-11-20: succeeded" in out
    finally:
        for process in processes:
            process.kill()
            process.wait()

    [run] = all_runs(engine)
    assert (run.run_key, run.status, run.pid) == ("2026-11-20", "succeeded", winner.pid)
    assert notes(engine) == [("2026-11-20", "ran")]

    code, out, _err = finish(start(runner_env, "run-once", "note-nightly", "--date", "2026-11-20"))
    assert code == 0
    assert "already succeeded" in out
    assert len(all_runs(engine)) == 1


def test_a_killed_runner_leaves_a_run_that_the_next_runner_abandons_and_repeats(
    engine, runner_env, gate
):
    victim = start(runner_env, "run-once", "note-nightly", "--date", "2026-11-20")
    try:
        wait_until("the runner to start the job", lambda: running_runs(engine))
    finally:
        victim.send_signal(signal.SIGKILL)
        victim.wait()
    [left_behind] = all_runs(engine)
    assert left_behind.status == "running"
    gate.touch()

    def rerun_until_not_busy():
        # The dead runner's lock is freed when the server notices the closed connection
        # (PostgreSQL) or when its lease lapses (SQLite, 1 s here); until then: busy.
        code, out, err = finish(
            start(runner_env, "run-once", "note-nightly", "--date", "2026-11-20")
        )
        return None if code == EXIT_BUSY else (code, out, err)

    code, out, err = wait_until("the lock of the dead runner to free", rerun_until_not_busy)
    assert code == 0, err
    assert "succeeded" in out
    dead, fresh = all_runs(engine)
    assert (dead.id, dead.status, dead.pid) == (left_behind.id, "abandoned", victim.pid)
    assert f"pid {victim.pid} stopped without finishing" in dead.error
    assert fresh.status == "succeeded"
    assert notes(engine) == [("2026-11-20", "ran")]


def test_sigterm_lets_the_current_job_finish_then_the_scheduler_exits(engine, runner_env, gate):
    scheduler = start(runner_env, "run", "--log-format", "json")
    try:
        wait_until("the scheduler to start its first catch-up run", lambda: running_runs(engine))
        scheduler.send_signal(signal.SIGTERM)
        gate.touch()
        code, _out, err = finish(scheduler)
    finally:
        scheduler.kill()
        scheduler.wait()

    assert code == 0, err
    [run] = all_runs(engine)  # the one in hand finished; none of the other six missed dates began
    assert run.status == "succeeded"
    assert len(notes(engine)) == 1

    lines = [json.loads(line) for line in err.splitlines() if line.strip()]
    events = [line.get("event") for line in lines]
    assert events[:2] == ["scheduler_started", "catch_up"]
    assert events[-4:] == ["started", "stopping", "succeeded", "scheduler_stopped"]
    succeeded = lines[events.index("succeeded")]
    assert succeeded["job"] == "note-nightly"
    assert succeeded["business_date"] == run.business_date.isoformat()
    assert succeeded["run_id"] == run.id
    assert succeeded["summary"] == f"noted {run.business_date.isoformat()}"
    assert isinstance(succeeded["duration_s"], float)
    assert succeeded["level"] == "INFO"
    assert "timestamp" in succeeded
