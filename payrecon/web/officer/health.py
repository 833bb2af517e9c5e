"""Job health (/officer/jobs): each job's last run, failures in red, stuck runs, and history.

A run is stuck when it is still marked running but has not beaten its heartbeat for
STUCK_AFTER_BEATS heartbeats (PAYRECON_JOBS_HEARTBEAT_SECONDS each): its runner hung or died.
Registered jobs that have never run are listed too, so a job that silently never starts shows.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, render_template

from jobs.registry import JOBS
from jobs.runner import heartbeat_seconds
from payrecon.db import request_session, utcnow
from payrecon.errors import NotFound
from payrecon.jobruns import queries
from payrecon.web.officer.access import require_permission
from payrecon.web.officer.blueprint import bp
from payrecon.web.officer.labels import template_helpers

STUCK_AFTER_BEATS = 3
HISTORY_LENGTH = 50


def stuck_before():
    return utcnow() - timedelta(seconds=STUCK_AFTER_BEATS * heartbeat_seconds(current_app))


def job_health_context(db) -> dict:
    """What the job health page and the dashboard show: last runs, stuck runs, never run."""
    last_runs = queries.list_last_runs(db)
    stuck = queries.list_stuck_runs(db, heartbeat_before=stuck_before())
    ran = {run.job_name for run in last_runs}
    return {
        "last_runs": last_runs,
        "stuck_ids": {run.id for run in stuck},
        "stuck": stuck,
        "never_ran": sorted(name for name in JOBS if name not in ran),
        "descriptions": {name: spec.description for name, spec in JOBS.items()},
    }


@bp.get("/jobs")
@require_permission("view_reports")
def job_health():
    return render_template(
        "officer/jobs.html", **job_health_context(request_session()), **template_helpers()
    )


@bp.get("/jobs/<job_name>")
@require_permission("view_reports")
def job_history(job_name: str):
    db = request_session()
    runs = queries.list_runs(db, job_name=job_name, limit=HISTORY_LENGTH)
    if not runs and job_name not in JOBS:
        raise NotFound(f"no job named {job_name!r}", where="path.job_name")
    stuck = queries.list_stuck_runs(db, heartbeat_before=stuck_before())
    return render_template(
        "officer/job_history.html",
        job_name=job_name,
        description=JOBS[job_name].description if job_name in JOBS else "",
        runs=runs,
        stuck_ids={run.id for run in stuck},
        history_length=HISTORY_LENGTH,
        **template_helpers(),
    )
