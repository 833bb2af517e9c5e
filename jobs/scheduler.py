"""The scheduler process (`payrecon jobs run`): when each registered job runs.

Nightly jobs run at their local time (Asia/Ho_Chi_Minh) for their business date; periodic
jobs are ticked every minute on the minute and start in the first minute of each of their
slots, so schedulers on several machines agree on the slot and the run lock lets one of
them do it. `schedule` keeps no state across restarts, so on start the scheduler first
catches up the nightly dates in the look-back window that have no succeeded run, oldest
first. Jobs run one after another in this process's main thread.

A failing job is recorded and logged and the loop goes on (`schedule` would otherwise let
the exception out of run_pending() and end it). SIGTERM or SIGINT lets the job in hand
finish, then the loop exits.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Mapping
from datetime import date, datetime

import schedule
from flask import Flask

from jobs.registry import JOBS, JobSpec
from jobs.runner import RunOutcome, lease_seconds, run_job
from jobs.timing import (
    LOCAL_TZ_NAME,
    LOOK_BACK_DAYS,
    Every,
    Nightly,
    catch_up_dates,
    is_slot_start,
    latest_due_date,
    nightly_run_key,
)
from payrecon.db import get_engine, session_scope, utcnow
from payrecon.jobruns import queries, service
from payrecon.jobruns.locks import make_run_lock

log = logging.getLogger("payrecon.jobs")

SWEEP_EVERY_MINUTES = 5


class JobScheduler:
    def __init__(
        self,
        app: Flask,
        jobs: Mapping[str, JobSpec] | None = None,
        *,
        look_back_days: int = LOOK_BACK_DAYS,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.app = app
        self.jobs = dict(JOBS if jobs is None else jobs)
        self.look_back_days = look_back_days
        self.clock = clock
        self.stop_requested = threading.Event()
        self.schedule = schedule.Scheduler()

    # -- one run, never raising -------------------------------------------------------------

    def run_safely(
        self, name: str, *, business_date: date | None = None, now: datetime | None = None
    ) -> RunOutcome | None:
        """run_job, but nothing escapes: the scheduler outlives any one job and any outage."""
        if self.stop_requested.is_set():
            return None
        try:
            return run_job(
                self.app, name, business_date=business_date, now=now or self.clock(), jobs=self.jobs
            )
        except Exception:
            log.exception("job %s: could not be run", name, extra={"event": "error", "job": name})
            return None

    # -- start-up ---------------------------------------------------------------------------

    def missed_nightly_runs(self, now: datetime | None = None) -> list[tuple[date, str]]:
        """(business date, job) pairs in the look-back window with no succeeded run, in order.

        Oldest date first; within a date, jobs in registry order, so day D is complete
        before day D+1 starts.
        """
        now = now or self.clock()
        missed: list[tuple[date, int, str]] = []
        with session_scope(self.app) as session:
            for order, (name, spec) in enumerate(self.jobs.items()):
                if not isinstance(spec.timing, Nightly):
                    continue
                dates = catch_up_dates(now, spec.timing, self.look_back_days)
                done = queries.succeeded_run_keys(session, name, map(nightly_run_key, dates))
                missed += [(d, order, name) for d in dates if nightly_run_key(d) not in done]
        return [(business_date, name) for business_date, _order, name in sorted(missed)]

    def catch_up(self, now: datetime | None = None) -> list[RunOutcome]:
        """Run the missed nightly runs, oldest first; stop early when asked to stop."""
        outcomes = []
        missed = self.missed_nightly_runs(now)
        if missed:
            log.info(
                "catching up %d missed nightly run(s)", len(missed), extra={"event": "catch_up"}
            )
        for business_date, name in missed:
            outcome = self.run_safely(name, business_date=business_date, now=now)
            if outcome is not None:
                outcomes.append(outcome)
        return outcomes

    def sweep(self) -> int:
        """Mark abandoned the 'running' rows whose runner is gone (its lock is free)."""
        count = 0
        with session_scope(self.app) as session:
            running = [(r.job_name, r.run_key) for r in queries.list_running_runs(session)]
        for job_name, run_key in dict.fromkeys(running):
            lock = make_run_lock(
                get_engine(self.app),
                job_name,
                run_key,
                holder="sweep",
                lease_seconds=lease_seconds(self.app),
            )
            if not lock.acquire():
                continue  # its runner is alive
            try:
                with session_scope(self.app) as session:
                    count += service.abandon_running_runs(
                        session, job_name=job_name, run_key=run_key, reason="found by the sweep"
                    )
            finally:
                lock.release()
        if count:
            log.warning(
                "sweep: %d run(s) abandoned by dead runners", count, extra={"event": "sweep"}
            )
        return count

    # -- the clock --------------------------------------------------------------------------

    def _run_nightly(self, name: str, nightly: Nightly) -> None:
        now = self.clock()
        self.run_safely(name, business_date=latest_due_date(now, nightly), now=now)

    def _tick_periodic(self, name: str, every: Every) -> None:
        now = self.clock()
        if is_slot_start(now, every):
            self.run_safely(name, now=now)

    def _sweep_safely(self) -> None:
        try:
            self.sweep()
        except Exception:
            log.exception("sweep failed", extra={"event": "error"})

    def install(self) -> None:
        """Put every registered job on the `schedule` clock."""
        for name, spec in self.jobs.items():
            if isinstance(spec.timing, Nightly):
                self.schedule.every().day.at(spec.timing.at, LOCAL_TZ_NAME).do(
                    self._run_nightly, name, spec.timing
                ).tag(name)
            else:
                self.schedule.every().minute.at(":00").do(
                    self._tick_periodic, name, spec.timing
                ).tag(name)
        self.schedule.every(SWEEP_EVERY_MINUTES).minutes.do(self._sweep_safely).tag("sweep")

    def request_stop(self, signum: int | None = None, _frame: object = None) -> None:
        """Signal handler: finish the job in hand, start no other, leave the loop."""
        if not self.stop_requested.is_set():
            what = signal.Signals(signum).name if signum else "stop"
            log.info(
                "%s received: stopping after the current job", what, extra={"event": "stopping"}
            )
        self.stop_requested.set()

    def serve(self, poll_seconds: float = 1.0) -> None:
        """Sweep, catch up, then run jobs on the clock until SIGTERM/SIGINT."""
        previous = {
            sig: signal.signal(sig, self.request_stop) for sig in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            log.info(
                "scheduler started with %d job(s): %s",
                len(self.jobs),
                ", ".join(self.jobs) or "none",
                extra={"event": "scheduler_started"},
            )
            self._sweep_safely()
            self.catch_up()
            self.install()
            while not self.stop_requested.is_set():
                try:
                    self.schedule.run_pending()
                except Exception:  # run_safely catches job failures; this is the last guard
                    log.exception("scheduler tick failed", extra={"event": "error"})
                self.stop_requested.wait(poll_seconds)
            log.info("scheduler stopped", extra={"event": "scheduler_stopped"})
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
