"""Read-only selects about runs and exceptions, for the service, the web and the reports.

The engine's input frames are read by `inputs`.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Row, func, or_, select
from sqlalchemy.orm import Session

from payrecon.catalog.models import Agency, Procedure
from payrecon.dossiers.models import Dossier
from payrecon.errors import N_, NotFound
from payrecon.invoices.models import Invoice
from payrecon.payments.models import Payment
from payrecon.reconciliation.exception_filter import ExceptionFilter
from payrecon.reconciliation.models import (
    ExceptionAction,
    ManualLink,
    ReconciliationException,
    ReconciliationMatch,
    ReconciliationProposal,
    ReconciliationRun,
)
from payrecon.reconciliation.owners import Records, Wanted


def latest_decisions(session: Session) -> dict[str, ReconciliationException]:
    """For each fingerprint an officer (or later data) decided, the latest such exception row."""
    newest = (
        select(func.max(ReconciliationException.id))
        .where(
            or_(
                ReconciliationException.status == "resolved",
                ReconciliationException.proposed_resolution.is_not(None),
                ReconciliationException.note.is_not(None),
            )
        )
        .group_by(ReconciliationException.fingerprint)
    )
    rows = session.scalars(
        select(ReconciliationException).where(ReconciliationException.id.in_(newest))
    )
    return {row.fingerprint: row for row in rows}


def record_owners(session: Session, wanted: Wanted) -> Records:
    """(agency_id, procedure_id) of the payments, dossiers and invoices `wanted` names: a
    payment's and a dossier's through the dossier's procedure, an invoice's from its series'
    agency and its dossier's procedure."""
    by_procedure = (Procedure.agency_id, Dossier.procedure_id)
    payments = _places(
        session,
        select(Payment.id, *by_procedure)
        .join(Dossier, Dossier.id == Payment.dossier_id)
        .join(Procedure, Procedure.id == Dossier.procedure_id),
        Payment.id,
        wanted.payment_ids,
    )
    dossiers = _places(
        session,
        select(Dossier.code, *by_procedure).join(Procedure, Procedure.id == Dossier.procedure_id),
        Dossier.code,
        wanted.dossier_codes,
    )
    invoices = _places(
        session,
        select(Invoice.id, Invoice.agency_id, Dossier.procedure_id).join(
            Dossier, Dossier.id == Invoice.dossier_id
        ),
        Invoice.id,
        wanted.invoice_ids,
    )
    return Records(payments=payments, dossiers=dossiers, invoices=invoices)


def _places(session: Session, query, key, values) -> dict:
    found = {}
    ordered = sorted(values)
    for chunk in range(0, len(ordered), 1000):
        rows = session.execute(query.where(key.in_(ordered[chunk : chunk + 1000])))
        found.update({row[0]: (row[1], row[2]) for row in rows})
    return found


def manual_links(session: Session) -> list[ManualLink]:
    return list(session.scalars(select(ManualLink).order_by(ManualLink.line_id)))


def get_run(session: Session, run_id: int) -> ReconciliationRun:
    run = session.get(ReconciliationRun, run_id)
    if run is None:
        raise NotFound(N_("no reconciliation run %(id)s"), where="run_id", params={"id": run_id})
    return run


def get_exception(session: Session, exception_id: int) -> ReconciliationException:
    found = session.get(ReconciliationException, exception_id)
    if found is None:
        raise NotFound(
            N_("no reconciliation exception %(id)s"),
            where="exception_id",
            params={"id": exception_id},
        )
    return found


def list_runs(session: Session, *, offset: int = 0, limit: int = 50) -> tuple[int, list]:
    """(total, page) of runs, newest first."""
    total = session.scalar(select(func.count()).select_from(ReconciliationRun)) or 0
    page = session.scalars(
        select(ReconciliationRun).order_by(ReconciliationRun.id.desc()).offset(offset).limit(limit)
    )
    return total, list(page)


def list_exceptions(
    session: Session,
    run_id: int,
    *,
    kind: str | None = None,
    status: str | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> tuple[int, list[ReconciliationException]]:
    """(total, page) of a run's exceptions sorted by kind and fingerprint."""
    wanted = ExceptionFilter(kind=kind or None, status=status or None, run_id=run_id)
    return find_exceptions(session, wanted, offset=offset, limit=limit)


def find_exceptions(
    session: Session, wanted: ExceptionFilter, *, offset: int = 0, limit: int | None = None
) -> tuple[int, list[ReconciliationException]]:
    """(total, page) of the exceptions `wanted` describes, sorted by kind and fingerprint.

    Without a run, each exception appears once, as its current row (`is_current`): the newest
    row of its fingerprint among finished runs (a re-run, or the next night's run, finds it
    again and carries officers' decisions over; older rows are history, see `current`).
    Every filter is SQL.
    """
    conditions = _exception_conditions(wanted)
    total = session.scalar(
        select(func.count()).select_from(ReconciliationException).where(*conditions)
    )
    query = (
        select(ReconciliationException)
        .where(*conditions)
        .order_by(ReconciliationException.kind, ReconciliationException.fingerprint)
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    return total or 0, list(session.scalars(query))


def _exception_conditions(wanted: ExceptionFilter) -> list:
    exc = ReconciliationException
    conditions = [exc.is_current if wanted.run_id is None else exc.run_id == wanted.run_id]
    if wanted.kind:
        conditions.append(exc.kind == wanted.kind)
    if wanted.status:
        conditions.append(exc.status == wanted.status)
    if wanted.agency_code:
        agency = select(Agency.id).where(Agency.code == wanted.agency_code)
        conditions.append(exc.agency_id.in_(agency))
    if wanted.procedure_code:
        procedure = select(Procedure.id).where(Procedure.code == wanted.procedure_code)
        conditions.append(exc.procedure_id.in_(procedure))
    if wanted.date_from or wanted.date_to:
        runs = select(ReconciliationRun.id)
        if wanted.date_from:
            runs = runs.where(ReconciliationRun.business_date >= wanted.date_from)
        if wanted.date_to:
            runs = runs.where(ReconciliationRun.business_date <= wanted.date_to)
        conditions.append(exc.run_id.in_(runs))
    if wanted.min_vnd is not None:
        conditions.append(func.abs(exc.amount_vnd) >= wanted.min_vnd)
    if wanted.max_vnd is not None:
        conditions.append(func.abs(exc.amount_vnd) <= wanted.max_vnd)
    return conditions


def run_matches(session: Session, run_id: int) -> list[Row]:
    """The run's match rows in order, as plain rows (attribute access as on the model): a
    night of a million matches would spend most of its report time building ORM objects."""
    table = ReconciliationMatch.__table__
    return list(
        session.execute(
            select(table).where(table.c.run_id == run_id).order_by(table.c.match_no, table.c.id)
        ).all()
    )


def run_proposals(
    session: Session, run_id: int, *, limit: int | None = None
) -> list[ReconciliationProposal]:
    """A run's proposal rows by bank line and rank; the first `limit` of them if given."""
    return list(
        session.scalars(
            select(ReconciliationProposal)
            .where(ReconciliationProposal.run_id == run_id)
            .order_by(ReconciliationProposal.line_id, ReconciliationProposal.rank)
            .limit(limit)
        )
    )


def exception_history(session: Session, fingerprint: str) -> list[ExceptionAction]:
    return list(
        session.scalars(
            select(ExceptionAction)
            .where(ExceptionAction.fingerprint == fingerprint)
            .order_by(ExceptionAction.id)
        )
    )


def agency_and_procedure_names(session: Session) -> tuple[dict[int, str], dict[int, str]]:
    agencies = dict(session.execute(select(Agency.id, Agency.code)).all())
    procedures = dict(session.execute(select(Procedure.id, Procedure.code)).all())
    return agencies, procedures


def dates_without_finished_run(session: Session, *, since: date, until: date) -> list[date]:
    done = set(
        session.scalars(
            select(ReconciliationRun.business_date).where(
                ReconciliationRun.status == "finished",
                ReconciliationRun.business_date.between(since, until),
            )
        )
    )
    days = (until - since).days + 1
    return [since + timedelta(days=n) for n in range(days) if since + timedelta(days=n) not in done]
