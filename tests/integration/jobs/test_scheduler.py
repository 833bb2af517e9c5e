"""JobScheduler in-process: catch-up order, failures do not stop it, the sweep, the clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from jobs.scheduler import JobScheduler
from payrecon.jobruns import service
from tests.integration.jobs.helpers import all_runs, notes, reader

AT_0140_ON_26TH = datetime(2026, 11, 25, 18, 40, tzinfo=UTC)  # 01:40 in Vietnam


def record_success(engine, job_name: str, business_date: date) -> None:
    with reader(engine) as session:
        run = service.start_run(
            session,
            job_name=job_name,
            run_key=business_date.isoformat(),
            business_date=business_date,
            host="earlier",
            pid=1,
        )
        service.finish_run(session, run.id, summary="done earlier")


def scheduler_for(app, test_jobs, *names: str, now: datetime = AT_0140_ON_26TH) -> JobScheduler:
    return JobScheduler(app, {name: test_jobs[name] for name in names}, clock=lambda: now)


def test_catch_up_runs_the_missed_dates_oldest_first_each_day_complete(app, engine, test_jobs):
    record_success(engine, "note-nightly", date(2026, 11, 21))
    record_success(engine, "note-nightly", date(2026, 11, 24))
    scheduler = scheduler_for(app, test_jobs, "note-nightly", "note-nightly-too")

    outcomes = scheduler.catch_up()

    # note-nightly-too is due at 02:00, so at 01:40 its newest date is the 24th.
    assert [(o.job_name, o.run_key, o.status) for o in outcomes] == [
        ("note-nightly-too", "2026-11-18", "succeeded"),
        ("note-nightly", "2026-11-19", "succeeded"),
        ("note-nightly-too", "2026-11-19", "succeeded"),
        ("note-nightly", "2026-11-20", "succeeded"),
        ("note-nightly-too", "2026-11-20", "succeeded"),
        ("note-nightly-too", "2026-11-21", "succeeded"),
        ("note-nightly", "2026-11-22", "succeeded"),
        ("note-nightly-too", "2026-11-22", "succeeded"),
        ("note-nightly", "2026-11-23", "succeeded"),
        ("note-nightly-too", "2026-11-23", "succeeded"),
        ("note-nightly-too", "2026-11-24", "succeeded"),
        ("note-nightly", "2026-11-25", "succeeded"),
    ]
    assert [day for day, _field in notes(engine)] == [o.run_key for o in outcomes]
    assert scheduler.catch_up() == []


def test_a_failing_job_is_recorded_and_the_catch_up_goes_on(app, engine, test_jobs):
    scheduler = scheduler_for(app, test_jobs, "fails-nightly", "note-nightly")

    outcomes = scheduler.catch_up()

    assert [o.status for o in outcomes] == ["failed", "succeeded"] * 7
    runs = all_runs(engine)
    assert len(runs) == 14
    failed = [r for r in runs if r.job_name == "fails-nightly"]
    assert {r.status for r in failed} == {"failed"}
    assert all("statement inbox unreadable" in r.error for r in failed)
    assert len(notes(engine)) == 7  # only the succeeding job's work, none of the failed one's


def test_a_failing_job_on_the_clock_does_not_stop_the_others(app, engine, test_jobs):
    scheduler = scheduler_for(app, test_jobs, "fails-every-minute", "note-every-minute")
    scheduler.install()

    scheduler.schedule.run_all()  # every job on the clock, as run_pending would when due

    runs = all_runs(engine)
    assert sorted((r.job_name, r.status) for r in runs) == [
        ("fails-every-minute", "failed"),
        ("note-every-minute", "succeeded"),
    ]


def test_a_job_that_cannot_even_start_is_logged_not_raised(app, test_jobs, caplog):
    scheduler = scheduler_for(app, test_jobs, "note-nightly")
    assert scheduler.run_safely("not-registered") is None
    assert "job not-registered: could not be run" in caplog.text


def test_after_a_stop_request_no_further_job_starts(app, engine, test_jobs):
    scheduler = scheduler_for(app, test_jobs, "note-nightly")
    scheduler.request_stop()
    assert scheduler.catch_up() == []
    assert all_runs(engine) == []


def test_nightly_jobs_are_put_on_the_clock_in_vietnam_time(app, test_jobs):
    scheduler = scheduler_for(app, test_jobs, "note-nightly", "note-every-minute")
    scheduler.install()

    by_tag = {next(iter(job.tags)): job for job in scheduler.schedule.jobs}
    nightly = by_tag["note-nightly"]
    assert (nightly.unit, nightly.at_time) == ("days", time(1, 30))
    assert str(nightly.at_time_zone) == "Asia/Ho_Chi_Minh"
    minutely = by_tag["note-every-minute"]
    assert (minutely.unit, minutely.interval, minutely.at_time) == ("minutes", 1, time(0, 0, 0))
    assert by_tag["sweep"].interval == 5


def test_periodic_ticks_start_a_job_only_in_the_first_minute_of_its_slot(app, engine, test_jobs):
    from jobs.timing import Every

    spec = test_jobs["note-every-minute"]
    quarter = type(spec)(spec.function, Every(15), spec.description)
    at_1316 = datetime(2026, 11, 25, 6, 16, 0, tzinfo=UTC)
    at_1330 = datetime(2026, 11, 25, 6, 30, 0, tzinfo=UTC)

    JobScheduler(app, {"quarterly": quarter}, clock=lambda: at_1316)._tick_periodic(
        "quarterly", Every(15)
    )
    assert all_runs(engine) == []
    JobScheduler(app, {"quarterly": quarter}, clock=lambda: at_1330)._tick_periodic(
        "quarterly", Every(15)
    )
    assert [r.run_key for r in all_runs(engine)] == ["2026-11-25T13:30"]


def test_the_sweep_abandons_runs_of_dead_runners_and_spares_live_ones(app, engine, test_jobs):
    from payrecon.db import get_engine
    from payrecon.jobruns.locks import make_run_lock

    with reader(engine) as session:
        for run_key in ("2026-11-20", "2026-11-21"):
            service.start_run(
                session,
                job_name="note-nightly",
                run_key=run_key,
                business_date=date.fromisoformat(run_key),
                host="somewhere",
                pid=99,
            )
    live = make_run_lock(
        get_engine(app), "note-nightly", "2026-11-21", holder="live:1:x", lease_seconds=600
    )
    assert live.acquire()
    try:
        assert scheduler_for(app, test_jobs, "note-nightly").sweep() == 1
    finally:
        live.release()

    assert [(r.run_key, r.status) for r in all_runs(engine)] == [
        ("2026-11-20", "abandoned"),
        ("2026-11-21", "running"),
    ]
