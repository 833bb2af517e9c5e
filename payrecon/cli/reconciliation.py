"""`payrecon reconcile --date D [--json]` and `payrecon report RUN_ID --format F -o FILE`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from payrecon.cli.common import cli_actor, reports_errors
from payrecon.db import request_session


@click.command("reconcile")
@click.option(
    "--date",
    "business_date",
    required=True,
    type=click.DateTime(["%Y-%m-%d"]),
    help="the business date to reconcile",
)
@click.option("--look-back", default=7, show_default=True, help="days of bank lines before it")
@click.option("--json", "as_json", is_flag=True, help="print the run as JSON")
@with_appcontext
@reports_errors
def reconcile_command(business_date, look_back: int, as_json: bool) -> None:
    """Reconcile one business date and store the run (a re-run keeps officers' decisions)."""
    from payrecon.reconciliation.service import STEPS, run_reconciliation, run_summary_line

    with click.progressbar(length=len(STEPS), label="reconciling", file=sys.stderr) as bar:
        shown = 0

        def progress(step: str, done: int, total: int) -> None:
            nonlocal shown
            bar.label = f"reconciling: {step}"
            bar.update(done - shown)
            shown = done

        run = run_reconciliation(
            request_session(),
            business_date=business_date.date() if hasattr(business_date, "date") else business_date,
            actor=cli_actor(),
            look_back_days=look_back,
            progress=progress,
        )
    if as_json:
        click.echo(json.dumps(run_json(run), sort_keys=True))
    else:
        click.echo(f"run {run.id}: {run_summary_line(run)}")


def run_json(run) -> dict:
    return {
        "id": run.id,
        "business_date": str(run.business_date),
        "status": run.status,
        "matches": run.match_count,
        "proposals": run.proposal_count,
        "awaiting": run.awaiting_count,
        "exceptions": run.exception_count,
        "exceptions_by_kind": dict(sorted(run.exception_counts.items())),
        "closed_by_later_data": run.self_closed_count,
    }


@click.command("report")
@click.argument("run_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv", "html"]), required=True)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@with_appcontext
@reports_errors
def report_command(run_id: int, fmt: str, output: str) -> None:
    """Write the report of a reconciliation run (same run, same bytes)."""
    from payrecon.reconciliation.reports import render_report

    data = render_report(request_session(), run_id, fmt)
    Path(output).write_bytes(data)
    click.echo(f"{output}: {fmt} report of run {run_id}, {len(data):,} bytes")


COMMANDS = [reconcile_command, report_command]
