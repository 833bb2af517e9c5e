"""run_job: one job, one run key, recorded at start and end, locked against rival runners."""

from __future__ import annotations

import os
import socket
from datetime import UTC, date, datetime

import pytest

from jobs.runner import run_job
from payrecon.db import get_engine
from payrecon.jobruns import service
from payrecon.jobruns.locks import make_run_lock
from tests.integration.jobs.helpers import all_runs, notes, reader

NOV_20 = date(2026, 11, 20)


def test_a_run_is_recorded_from_start_to_success_with_the_work_committed(app, engine, test_jobs):
    outcome = run_job(app, "note-nightly", business_date=NOV_20)

    assert outcome.status == "succeeded"
    assert outcome.summary == "noted 2026-11-20"
    [run] = all_runs(engine)
    assert (run.id, run.job_name, run.run_key, run.business_date) == (
        outcome.run_id,
        "note-nightly",
        "2026-11-20",
        NOV_20,
    )
    assert run.status == "succeeded"
    assert run.summary == "noted 2026-11-20"
    assert (run.host, run.pid) == (socket.gethostname(), os.getpid())
    assert run.started_at <= run.heartbeat_at == run.finished_at
    assert run.error is None
    assert not run.is_forced
    assert notes(engine) == [("2026-11-20", "ran")]


def test_a_succeeded_date_is_skipped_unless_forced(app, engine, test_jobs):
    first = run_job(app, "note-nightly", business_date=NOV_20)
    again = run_job(app, "note-nightly", business_date=NOV_20)
    forced = run_job(app, "note-nightly", business_date=NOV_20, force=True)
    other_day = run_job(app, "note-nightly", business_date=date(2026, 11, 21))

    assert again.status == "already_succeeded"
    assert again.run_id == first.run_id
    assert forced.status == "succeeded"
    assert other_day.status == "succeeded"
    runs = all_runs(engine)
    assert [(r.run_key, r.status, r.is_forced) for r in runs] == [
        ("2026-11-20", "succeeded", False),
        ("2026-11-20", "succeeded", True),
        ("2026-11-21", "succeeded", False),
    ]
    assert notes(engine) == [("2026-11-20", "ran"), ("2026-11-20", "ran"), ("2026-11-21", "ran")]


def test_a_failing_job_is_recorded_failed_and_its_writes_are_rolled_back(app, engine, test_jobs):
    outcome = run_job(app, "fails-nightly", business_date=NOV_20)

    assert outcome.status == "failed"
    assert outcome.is_failure
    assert outcome.error == "RuntimeError: statement inbox unreadable for 2026-11-20"
    [run] = all_runs(engine)
    assert run.status == "failed"
    assert run.finished_at is not None
    assert run.error.startswith("RuntimeError: statement inbox unreadable for 2026-11-20")
    assert "Traceback" in run.error
    assert notes(engine) == []


def test_a_failed_date_is_tried_again_without_force(app, engine, test_jobs):
    run_job(app, "fails-nightly", business_date=NOV_20)
    second = run_job(app, "fails-nightly", business_date=NOV_20)
    assert second.status == "failed"
    assert [r.status for r in all_runs(engine)] == ["failed", "failed"]


def test_a_run_left_running_by_a_dead_runner_is_abandoned_then_repeated(app, engine, test_jobs):
    with reader(engine) as session:
        service.start_run(
            session,
            job_name="note-nightly",
            run_key="2026-11-20",
            business_date=NOV_20,
            host="node-that-crashed",
            pid=4242,
        )

    outcome = run_job(app, "note-nightly", business_date=NOV_20)

    assert outcome.status == "succeeded"
    dead, fresh = all_runs(engine)
    assert dead.status == "abandoned"
    assert dead.finished_at is not None
    assert "node-that-crashed pid 4242 stopped without finishing" in dead.error
    assert fresh.status == "succeeded"
    assert notes(engine) == [("2026-11-20", "ran")]


def test_a_job_whose_lock_another_runner_holds_is_busy_and_touches_nothing(app, engine, test_jobs):
    rival = make_run_lock(
        get_engine(app), "note-nightly", "2026-11-20", holder="rival:1:x", lease_seconds=600
    )
    assert rival.acquire()
    try:
        outcome = run_job(app, "note-nightly", business_date=NOV_20)
    finally:
        rival.release()

    assert outcome.status == "busy"
    assert all_runs(engine) == []
    assert notes(engine) == []
    assert run_job(app, "note-nightly", business_date=NOV_20).status == "succeeded"


def test_periodic_runs_are_keyed_by_their_local_slot(app, engine, test_jobs):
    at_1307 = datetime(2026, 11, 25, 6, 7, 10, tzinfo=UTC)  # 13:07 in Vietnam
    later_same_minute = datetime(2026, 11, 25, 6, 7, 50, tzinfo=UTC)
    next_minute = datetime(2026, 11, 25, 6, 8, 5, tzinfo=UTC)

    first = run_job(app, "note-every-minute", now=at_1307)
    same = run_job(app, "note-every-minute", now=later_same_minute)
    following = run_job(app, "note-every-minute", now=next_minute)

    assert (first.status, first.run_key, first.business_date) == (
        "succeeded",
        "2026-11-25T13:07",
        date(2026, 11, 25),
    )
    assert same.status == "already_succeeded"
    assert (following.status, following.run_key) == ("succeeded", "2026-11-25T13:08")


def test_a_nightly_job_without_a_date_runs_for_the_latest_due_date(app, test_jobs):
    at_0140_on_26th = datetime(2026, 11, 25, 18, 40, tzinfo=UTC)
    outcome = run_job(app, "note-nightly", now=at_0140_on_26th)
    assert outcome.business_date == date(2026, 11, 25)


def test_the_heartbeat_moves_while_the_job_works(app, engine, test_jobs):
    app.config["JOBS_HEARTBEAT_SECONDS"] = 0.05
    outcome = run_job(app, "heartbeat-watcher", business_date=NOV_20)
    assert (outcome.status, outcome.summary) == ("succeeded", "heartbeat seen")


def test_an_unknown_job_name_is_refused_with_the_known_ones(app, test_jobs):
    from payrecon.errors import NotFound

    with pytest.raises(NotFound, match="no job named 'nope'") as caught:
        run_job(app, "nope")
    assert "note-nightly" in str(caught.value)
