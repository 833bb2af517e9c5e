"""`payrecon jobs …`: run the scheduler, run one job by hand, list jobs, show run history.

Exit status of `run-once`: 0 when the job succeeded (or had already succeeded for that run
key and --force was not given), 1 when it failed, 75 (EX_TEMPFAIL) when another runner holds
it right now, 2 for a job name that is not registered.

This module imports nothing from `payrecon.cli`: `payrecon.cli` adds this group, and the
group is also usable on its own (e.g. as a `flask.commands` entry point).
"""

from __future__ import annotations

import sys
from datetime import datetime

import click
from flask import current_app
from flask.cli import AppGroup

from jobs import registry
from jobs.logs import LOG_FORMATS, configure_logging
from jobs.timing import LOCAL_TZ
from payrecon.db import request_session

EXIT_BUSY = 75

jobs_group = AppGroup("jobs", help="Scheduled jobs: the scheduler, runs by hand, run history.")

log_format_option = click.option(
    "--log-format",
    type=click.Choice(LOG_FORMATS),
    default="text",
    show_default=True,
    help="json writes one JSON object per line to stderr.",
)


def _local(moment: datetime | None) -> str:
    return "-" if moment is None else moment.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M:%S")


@jobs_group.command("run")
@log_format_option
@click.option("--log-level", default="INFO", show_default=True)
def run_scheduler(log_format: str, log_level: str) -> None:
    """Run the scheduler until SIGTERM: catch up missed nightly runs, then follow the clock."""
    from jobs.scheduler import JobScheduler

    configure_logging(log_format, log_level)
    JobScheduler(current_app._get_current_object()).serve()


@jobs_group.command("run-once")
@click.argument("name")
@click.option(
    "--date",
    "business_date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Business date (YYYY-MM-DD); default: the latest due one (nightly) or today.",
)
@click.option("--force", is_flag=True, help="Run even if a run for this date already succeeded.")
@log_format_option
def run_once(name: str, business_date: datetime | None, force: bool, log_format: str) -> None:
    """Run job NAME once now, for one business date."""
    from jobs.runner import run_job

    if name not in registry.JOBS:
        known = ", ".join(sorted(registry.JOBS)) or "none registered"
        raise click.BadParameter(f"no job named {name!r} (known: {known})", param_hint="NAME")
    configure_logging(log_format)
    outcome = run_job(
        current_app._get_current_object(),
        name,
        business_date=business_date.date() if business_date else None,
        force=force,
    )
    label = f"{name} {outcome.run_key}"
    if outcome.status == "succeeded":
        click.echo(f"{label}: succeeded (run {outcome.run_id}): {outcome.summary}")
    elif outcome.status == "already_succeeded":
        click.echo(
            f"{label}: already succeeded (run {outcome.run_id}); nothing done, --force re-runs it"
        )
    elif outcome.status == "busy":
        click.echo(f"{label}: being run by another runner right now; nothing done", err=True)
        sys.exit(EXIT_BUSY)
    else:
        click.echo(f"{label}: failed (run {outcome.run_id}): {outcome.error}", err=True)
        sys.exit(1)


@jobs_group.command("list")
def list_jobs() -> None:
    """The registered jobs, when they run, and how their last run went."""
    from payrecon.jobruns.queries import list_last_runs

    last = {run.job_name: run for run in list_last_runs(request_session())}
    if not registry.JOBS:
        click.echo("no jobs registered")
    for name, spec in registry.JOBS.items():
        run = last.get(name)
        status = "never run" if run is None else f"last: {run.run_key} {run.status}"
        click.echo(f"{name:<24} {spec.timing.describe():<52} {status}")
        click.echo(f"{'':<24} {spec.description}")


@jobs_group.command("history")
@click.option("--job", "job_name", help="Only this job.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True)
def history(job_name: str | None, limit: int) -> None:
    """The most recent runs, newest first (times in Vietnam time)."""
    from payrecon.jobruns.queries import list_runs

    runs = list_runs(request_session(), job_name=job_name, limit=limit)
    if not runs:
        click.echo("no runs recorded")
        return
    click.echo(
        f"{'id':>6}  {'job':<22} {'run key':<17} {'status':<10} {'started':<19}  "
        f"{'took':>8}  {'runner':<24} outcome"
    )
    for run in runs:
        took = (
            f"{(run.finished_at - run.started_at).total_seconds():.1f}s" if run.finished_at else "-"
        )
        outcome = run.summary if run.status == "succeeded" else (run.error or "")
        outcome = outcome.splitlines()[0] if outcome else ""
        runner = f"{run.host}:{run.pid}"
        click.echo(
            f"{run.id:>6}  {run.job_name:<22} {run.run_key:<17} {run.status:<10} "
            f"{_local(run.started_at):<19}  {took:>8}  {runner:<24} {outcome}"
        )


COMMANDS = [jobs_group]


COMMANDS = [jobs_group]
