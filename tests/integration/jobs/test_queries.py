"""Reads for the CLI and the officer dashboard: last run per job, failures, stuck runs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from payrecon.db import utcnow
from payrecon.errors import NotFound
from payrecon.jobruns import queries, service


def start(session, job_name: str, run_key: str, host: str = "node-1"):
    return service.start_run(
        session,
        job_name=job_name,
        run_key=run_key,
        business_date=date.fromisoformat(run_key[:10]),
        host=host,
        pid=7,
    )


@pytest.fixture
def history(db_session):
    """reconcile: 24th ok, 25th failed; expire: one ok, one abandoned, one still running."""
    ok = start(db_session, "reconcile", "2026-11-24")
    service.finish_run(db_session, ok.id, summary="412 matched, 3 exceptions")
    failed = start(db_session, "reconcile", "2026-11-25")
    service.fail_run(db_session, failed.id, error="UpstreamFailure: bank API down")
    done = start(db_session, "expire-payments", "2026-11-25T13:05")
    service.finish_run(db_session, done.id, summary="2 expired")
    start(db_session, "expire-payments", "2026-11-25T13:10", host="node-dead")
    service.abandon_running_runs(
        db_session, job_name="expire-payments", run_key="2026-11-25T13:10", reason="test"
    )
    running = start(db_session, "expire-payments", "2026-11-25T13:15")
    return {"ok": ok.id, "failed": failed.id, "running": running.id}


def test_last_runs_gives_the_newest_run_of_each_job(db_session, history):
    last = queries.list_last_runs(db_session)
    assert [(r.job_name, r.run_key, r.status) for r in last] == [
        ("expire-payments", "2026-11-25T13:15", "running"),
        ("reconcile", "2026-11-25", "failed"),
    ]


def test_failures_are_failed_and_abandoned_runs_newest_first(db_session, history):
    failures = queries.list_failures(db_session)
    assert [(r.job_name, r.status) for r in failures] == [
        ("expire-payments", "abandoned"),
        ("reconcile", "failed"),
    ]
    assert "node-dead pid 7 stopped without finishing: test" in failures[0].error
    assert queries.list_failures(db_session, since=utcnow() + timedelta(seconds=1)) == []


def test_runs_list_newest_first_by_job_and_limit(db_session, history):
    assert [r.run_key for r in queries.list_runs(db_session, job_name="reconcile")] == [
        "2026-11-25",
        "2026-11-24",
    ]
    assert len(queries.list_runs(db_session, limit=3)) == 3
    assert len(queries.list_runs(db_session)) == 5


def test_stuck_runs_are_running_ones_with_an_old_heartbeat(db_session, history):
    assert queries.list_stuck_runs(db_session, heartbeat_before=utcnow() - timedelta(hours=1)) == []
    [stuck] = queries.list_stuck_runs(db_session, heartbeat_before=utcnow() + timedelta(seconds=1))
    assert stuck.id == history["running"]


def test_succeeded_run_lookups(db_session, history):
    assert queries.find_succeeded_run(db_session, "reconcile", "2026-11-24").id == history["ok"]
    assert queries.find_succeeded_run(db_session, "reconcile", "2026-11-25") is None
    assert queries.succeeded_run_keys(
        db_session, "reconcile", ["2026-11-23", "2026-11-24", "2026-11-25"]
    ) == {"2026-11-24"}
    assert queries.succeeded_run_keys(db_session, "reconcile", []) == set()


def test_get_run_raises_not_found_for_an_unknown_id(db_session, history):
    assert queries.get_run(db_session, history["failed"]).status == "failed"
    with pytest.raises(NotFound, match="no job run with id 999999"):
        queries.get_run(db_session, 999_999)
