"""The nightly run: load the frames, reconcile, store the run, keep officers' decisions.

`run_reconciliation(session, business_date=..., actor=...)` is the front door (the CLI, the
job and the demo call it). It commits a `running` run first, so a crash leaves a visible
`failed` run rather than nothing, then writes all results in one transaction.

Re-runs: the engine is deterministic; what officers decided is carried to the new run's
exceptions by fingerprint; an open exception of an earlier run that the new run no longer
finds closes itself (`resolved_by_data`) when the new run matched the money it held (a late
bank posting) or when it is a re-run of the same date.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from payrecon.audit import record_change
from payrecon.catalog.models import CollectionAccount
from payrecon.db import utcnow
from payrecon.faults import fault_point
from payrecon.reconciliation import inputs, queries
from payrecon.reconciliation.classify import EXCEPTION_KINDS
from payrecon.reconciliation.current import mark_current
from payrecon.reconciliation.engine import ReconciliationResult, Settings, reconcile
from payrecon.reconciliation.frames import PREVIOUS_RESOLUTIONS, frame_from_records
from payrecon.reconciliation.links import apply_manual_links
from payrecon.reconciliation.models import (
    ExceptionAction,
    ReconciliationException,
    ReconciliationMatch,
    ReconciliationProposal,
    ReconciliationRun,
)
from payrecon.reconciliation.named import names_in_credits
from payrecon.reconciliation.owners import exception_owner, records_to_look_up
from payrecon.reconciliation.store import insert_frame, insert_rows
from payrecon.reconciliation.summary import attribution, summary_rows
from payrecon.statements.queries import load_bank_lines_frame, load_settlements_frame

DEFAULT_LOOK_BACK_DAYS = 7
Progress = Callable[[str, int, int], None]  # (step, done, total)
STEPS = ("load", "reconcile", "store", "close")


def run_reconciliation(
    session: Session,
    *,
    business_date: date,
    actor: str,
    look_back_days: int = DEFAULT_LOOK_BACK_DAYS,
    progress: Progress | None = None,
    **setting_overrides: int,
) -> ReconciliationRun:
    """Reconcile `business_date` (bank lines of the look-back window up to it) and store it."""
    say = progress or (lambda step, done, total: None)
    settings = Settings(business_date=business_date, **setting_overrides)
    window_start = business_date - timedelta(days=look_back_days)
    parameters = {k: v for k, v in asdict(settings).items() if k != "business_date"}
    parameters["look_back_days"] = look_back_days
    run = ReconciliationRun(
        business_date=business_date,
        window_start=window_start,
        parameters=parameters,
        status="running",
        started_at=utcnow(),
        started_by=actor,
        exception_counts={},
        summary=[],
    )
    session.add(run)
    session.flush()
    _fail_orphaned_runs(session, business_date, found_by=run.id)
    session.commit()
    run_id = run.id
    try:
        _hold(session, run_id)
        say("load", 0, len(STEPS))
        inputs = load_inputs(session, window_start, business_date, settings)
        say("reconcile", 1, len(STEPS))
        decisions = queries.latest_decisions(session)
        result = reconcile(
            **{name: inputs[name] for name in ENGINE_INPUTS},
            previous_resolutions=_previous_resolutions(decisions),
            settings=settings,
        )
        result = apply_manual_links(result, queries.manual_links(session))
        say("store", 2, len(STEPS))
        _store(session, run, result, inputs, decisions)
        mark_current(session, run.id)
        say("close", 3, len(STEPS))
        run.self_closed_count = _close_resolved_by_data(session, run, result, actor)
        run.status = "finished"
        run.finished_at = utcnow()
        fault_point("reconcile_before_commit")
        session.commit()
        say("done", len(STEPS), len(STEPS))
    except Exception as exc:
        session.rollback()
        failed = session.get(ReconciliationRun, run_id)
        if failed is not None:
            failed.status = "failed"
            failed.finished_at = utcnow()
            failed.error = f"{type(exc).__name__}: {exc}"[:2000]
            session.commit()
        raise
    _publish_open_counts(run)
    return run


def _hold(session: Session, run_id: int) -> None:
    """Lock the run's row for the whole working transaction: the sign that it is alive."""
    session.execute(
        select(ReconciliationRun.id).where(ReconciliationRun.id == run_id).with_for_update()
    )


def _fail_orphaned_runs(session: Session, business_date: date, *, found_by: int) -> None:
    """Mark failed the runs of this date left 'running' by a process that died (kill -9, a lost
    machine): they would otherwise look in progress for ever.

    A live run holds its row locked while it works (`_hold`), so on PostgreSQL SKIP LOCKED
    passes over it and finds only orphans. On SQLite every write transaction begins
    IMMEDIATE, so this one starts only when no run is working and every 'running' row left is
    an orphan (bar the instant between a run's first commit and its working transaction).
    """
    orphans = session.scalars(
        select(ReconciliationRun)
        .where(
            ReconciliationRun.business_date == business_date,
            ReconciliationRun.status == "running",
            ReconciliationRun.id != found_by,
        )
        .with_for_update(skip_locked=True)
    ).all()
    now = utcnow()
    for orphan in orphans:
        orphan.status = "failed"
        orphan.finished_at = now
        orphan.error = (
            f"the process running it stopped without finishing; found when run {found_by} began"
        )


def run_reconciliation_job(session: Session, business_date: date) -> str:
    """The nightly job: reconcile the date, write its reports, say what came of it."""
    from payrecon.reconciliation.reports import write_run_reports

    run = run_reconciliation(session, business_date=business_date, actor="job:reconcile")
    written = write_run_reports(session, run)
    return f"run {run.id}: {run_summary_line(run)}; reports: {', '.join(written)}"


def run_summary_line(run: ReconciliationRun) -> str:
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(run.exception_counts.items()) if n)
    return (
        f"{run.business_date}: {run.match_count} matches, {run.proposal_count} proposals, "
        f"{run.exception_count} exceptions"
        + (f" ({kinds})" if kinds else "")
        + f", {run.awaiting_count} awaiting, {run.self_closed_count} closed by later data"
    )


ENGINE_INPUTS = (
    "payments",
    "bank_lines",
    "settlements",
    "dossiers",
    "invoices",
    "refunds",
    "known_references",
    "credit_references",
)


def load_inputs(session: Session, start: date, end: date, settings: Settings) -> dict[str, Any]:
    """The engine's frames (`ENGINE_INPUTS`) for bank lines booked start … end, and more for
    the report (account_agencies)."""
    payments = inputs.load_payments_frame(
        session, start - timedelta(days=settings.proposal_window_days), end
    )
    ids = payments["payment_id"]
    accounts = dict(
        session.execute(select(CollectionAccount.id, CollectionAccount.agency_id)).all()
    )
    bank_lines = load_bank_lines_frame(session, start, end)
    names = names_in_credits(bank_lines)
    outside = sorted(set(names.references) - set(payments["reference"]))
    payments_from = start - timedelta(days=settings.proposal_window_days)
    return {
        "payments": payments,
        "bank_lines": bank_lines,
        "settlements": load_settlements_frame(session, start, end),
        "dossiers": inputs.load_dossiers_frame(
            session,
            ids,
            paid_from=start,
            paid_to=end,
            payments_from=payments_from,
            named_codes=names.dossier_codes,
        ),
        "credit_references": names.found,
        "known_references": inputs.load_known_references_frame(session, outside),
        "invoices": inputs.load_invoices_frame(session, ids, start),
        "refunds": inputs.load_refunds_frame(session, ids),
        "account_agencies": accounts,
    }


def _previous_resolutions(decisions: dict[str, ReconciliationException]) -> pd.DataFrame:
    return frame_from_records(
        PREVIOUS_RESOLUTIONS,
        [
            {"fingerprint": fp, "resolution": row.resolution}
            for fp, row in sorted(decisions.items())
            if row.status == "resolved" and row.resolution
        ],
    )


_MATCH_COLUMNS = (
    "run_id",
    "match_no",
    "rule",
    "payment_id",
    "line_id",
    "paired_line_id",
    "batch_id",
    "refund_id",
    "amount_vnd",
    "fee_vnd",
    "confidence",
)
_PROPOSAL_COLUMNS = (
    "run_id",
    "line_id",
    "rank",
    "payment_id",
    "amount_vnd",
    "day_distance",
    "confidence",
)
_EXCEPTION_COLUMNS = (
    "run_id",
    "kind",
    "fingerprint",
    "amount_vnd",
    "payment_id",
    "line_id",
    "agency_id",
    "procedure_id",
    "evidence",
    "status",
    "resolution",
    "resolved_by",
    "resolved_at",
    "note",
    "proposed_resolution",
    "proposed_by",
    "proposed_at",
    "proposed_reason",
)


def _rows_of(
    run: ReconciliationRun,
    frame: pd.DataFrame,
    columns: tuple[str, ...],
    *,
    absent_when_0: tuple[str, ...] = (),
) -> pd.DataFrame:
    """The run's rows of `frame` in `columns` order; ids in `absent_when_0` that are 0 (none)
    become NULL."""
    rows = {"run_id": np.full(len(frame), run.id, dtype=np.int64)}
    for name in columns[1:]:
        values = frame[name]
        if name in absent_when_0:
            values = values.astype("Int64").mask(values == 0)
        rows[name] = values.array
    return pd.DataFrame(rows)


def _store(
    session: Session,
    run: ReconciliationRun,
    result: ReconciliationResult,
    inputs: dict[str, Any],
    decisions: dict[str, ReconciliationException],
) -> None:
    matches = result.matches
    nullable_ids = ("payment_id", "paired_line_id", "batch_id", "refund_id")
    match_rows = _rows_of(run, matches, _MATCH_COLUMNS, absent_when_0=nullable_ids)
    insert_frame(session, ReconciliationMatch.__table__, match_rows)
    proposals = result.proposals
    insert_frame(
        session, ReconciliationProposal.__table__, _rows_of(run, proposals, _PROPOSAL_COLUMNS)
    )

    owner = attribution(inputs["payments"], inputs["bank_lines"], inputs["account_agencies"])
    evidences = [
        json.loads(json.dumps(evidence, default=str, ensure_ascii=False))
        for evidence in result.exceptions["evidence"].tolist()
    ]
    wanted = records_to_look_up(evidences, owner)
    place = exception_owner(owner, queries.record_owners(session, wanted))
    exception_rows = []
    counts = dict.fromkeys(EXCEPTION_KINDS, 0)
    for row, evidence in zip(result.exceptions.itertuples(index=False), evidences, strict=True):
        payment_id = (evidence.get("payment_ids") or [None])[0]
        line_id = (evidence.get("line_ids") or [None])[0]
        agency_id, procedure_id = place(evidence)
        earlier = decisions.get(row.fingerprint)
        carried = _carried(earlier)
        counts[row.kind] += 1
        exception_rows.append(
            (
                run.id,
                row.kind,
                row.fingerprint,
                int(row.amount_vnd),
                payment_id if isinstance(payment_id, int) else None,
                line_id,
                agency_id,
                procedure_id,
                evidence,
                *carried,
            )
        )
    insert_rows(
        session,
        ReconciliationException.__table__,
        _EXCEPTION_COLUMNS,
        exception_rows,
        json_columns=("evidence",),
    )
    run.match_count = int(matches["match_no"].nunique()) if len(matches) else 0
    run.proposal_count = int(proposals["line_id"].nunique()) if len(proposals) else 0
    run.exception_count = len(exception_rows)
    run.awaiting_count = len(result.awaiting)
    run.exception_counts = counts
    run.summary = summary_rows(inputs["payments"], matches, inputs["bank_lines"], result, owner)


def _carried(earlier: ReconciliationException | None) -> tuple:
    if earlier is None:
        return ("open", None, None, None, None, None, None, None, None)
    return (
        earlier.status,
        earlier.resolution,
        earlier.resolved_by,
        earlier.resolved_at,
        earlier.note,
        earlier.proposed_resolution,
        earlier.proposed_by,
        earlier.proposed_at,
        earlier.proposed_reason,
    )


def _close_resolved_by_data(
    session: Session, run: ReconciliationRun, result: ReconciliationResult, actor: str
) -> int:
    """Close the open exceptions of the previous run that later data has resolved."""
    previous = session.scalar(
        select(ReconciliationRun)
        .where(
            ReconciliationRun.id < run.id,
            ReconciliationRun.status == "finished",
            ReconciliationRun.business_date <= run.business_date,
        )
        .order_by(ReconciliationRun.business_date.desc(), ReconciliationRun.id.desc())
        .limit(1)
    )
    if previous is None:
        return 0
    found = set(result.exceptions["fingerprint"].tolist())
    matched_lines = set(result.matches["line_id"].tolist())
    matched_payments = set(result.matches["payment_id"].tolist()) - {0}
    same_date = previous.business_date == run.business_date
    closed = 0
    _, still_open = queries.list_exceptions(session, previous.id, status="open")
    for exception in still_open:
        if exception.fingerprint in found:
            continue
        lines = set(exception.evidence.get("line_ids") or [])
        payments = set(exception.evidence.get("payment_ids") or [])
        if not (same_date or lines & matched_lines or payments & matched_payments):
            continue
        note = f"not found by run {run.id} of {run.business_date}: later data reconciled it"
        record_change(session, exception, "status", "open", "resolved", actor=actor, why=note)
        exception.status = "resolved"
        exception.resolution = "resolved_by_data"
        exception.resolved_by = actor
        exception.resolved_at = utcnow()
        exception.note = note
        session.add(
            ExceptionAction(
                exception_id=exception.id,
                fingerprint=exception.fingerprint,
                action="resolved_by_data",
                actor=actor,
                at=exception.resolved_at,
                note=note,
            )
        )
        closed += 1
    return closed


def _publish_open_counts(run: ReconciliationRun) -> None:
    from payrecon.observability import metrics

    # counts of this run's open exceptions, every kind (0 for a cleared kind)
    for kind in EXCEPTION_KINDS:
        metrics.set_open_exceptions(kind, int(run.exception_counts.get(kind, 0)))
