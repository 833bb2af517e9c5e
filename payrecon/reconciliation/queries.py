"""Read-only selects: the engine's input frames, and runs and exceptions for the web and reports.

The frame loaders use SQLAlchemy Core selects on the session's connection and build each frame
column by column, keeping money and ids int64 (no NULL reaches a numeric column: a missing id
is coalesced to 0, `frames.NO_ID`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Row, and_, func, or_, select
from sqlalchemy.orm import Session

from payrecon.bulk_read import read_frame
from payrecon.catalog.models import Agency, Procedure
from payrecon.dossiers.models import Dossier
from payrecon.errors import NotFound
from payrecon.invoices.models import Invoice
from payrecon.payments.models import Payment, Refund
from payrecon.reconciliation.classify import PAYING_STATUSES
from payrecon.reconciliation.exception_filter import ExceptionFilter
from payrecon.reconciliation.frames import LOCAL_TIMEZONE
from payrecon.reconciliation.models import (
    ExceptionAction,
    ManualLink,
    ReconciliationException,
    ReconciliationMatch,
    ReconciliationProposal,
    ReconciliationRun,
)
from payrecon.statements.models import SettlementBatch, SettlementLine

LOCAL = ZoneInfo(LOCAL_TIMEZONE)


def local_day_start(day: date) -> datetime:
    """Midnight in Vietnam at the start of `day`, as an aware UTC datetime."""
    return datetime.combine(day, time(0), tzinfo=LOCAL).astimezone(UTC)


def _frame(rows: list, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame.from_records(rows, columns=columns, coerce_float=False)


def _moments(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, utc=True).dt.tz_convert(LOCAL_TIMEZONE)


def load_payments_frame(session: Session, date_from: date, date_to: date) -> pd.DataFrame:
    """Payments created or paid between the dates (Vietnam days, inclusive), any status.

    Beyond the contract: procedure_id and agency_id (for the report's totals).
    """
    start, end = local_day_start(date_from), local_day_start(date_to + timedelta(days=1))
    refunded = (
        select(Refund.payment_id, func.sum(Refund.amount_vnd).label("refunded"))
        .where(Refund.status == "succeeded")
        .group_by(Refund.payment_id)
        .subquery()
    )
    batch_of = (
        select(SettlementLine.reference, func.min(SettlementLine.batch_id).label("batch_id"))
        .group_by(SettlementLine.reference)
        .subquery()
    )
    query = (
        select(
            Payment.id,
            Payment.reference,
            Dossier.code,
            Payment.method,
            Payment.status,
            Payment.amount_vnd,
            func.coalesce(refunded.c.refunded, 0),
            Payment.paid_at,
            Payment.created_at,
            func.coalesce(batch_of.c.batch_id, 0),
            Dossier.procedure_id,
            Procedure.agency_id,
        )
        .join(Dossier, Dossier.id == Payment.dossier_id)
        .join(Procedure, Procedure.id == Dossier.procedure_id)
        .outerjoin(refunded, refunded.c.payment_id == Payment.id)
        .outerjoin(batch_of, batch_of.c.reference == Payment.reference)
        .where(
            or_(
                and_(Payment.created_at >= start, Payment.created_at < end),
                and_(Payment.paid_at >= start, Payment.paid_at < end),
            )
        )
        .order_by(Payment.id)
    )
    columns = [
        ("payment_id", "int"),
        ("reference", "str"),
        ("dossier_code", "str"),
        ("method", "str"),
        ("status", "str"),
        ("amount_vnd", "int"),
        ("refunded_vnd", "int"),
        ("paid_at", "timestamp"),
        ("created_at", "timestamp"),
        ("settlement_batch_id", "int"),
        ("procedure_id", "int"),
        ("agency_id", "int"),
    ]
    frame = read_frame(session, query, columns)
    for column in (
        "payment_id",
        "amount_vnd",
        "refunded_vnd",
        "settlement_batch_id",
        "procedure_id",
        "agency_id",
    ):
        frame[column] = frame[column].astype("int64")
    for column in ("reference", "dossier_code", "method", "status"):
        frame[column] = frame[column].astype("str")
    for column in ("paid_at", "created_at"):
        frame[column] = _moments(frame[column])
    return frame


def load_dossiers_frame(
    session: Session,
    payment_ids: pd.Series,
    *,
    paid_from: date,
    paid_to: date,
    payments_from: date,
    named_codes: Sequence[str] = (),
) -> pd.DataFrame:
    """The dossiers of the given payments, those the feed marks paid between `paid_from` and
    `paid_to` (Vietnam days, inclusive), and those the credits' texts name (`named_codes`).

    `marked_paid`: the feed's paid_at falls in those days and no paying payment of the dossier
    is older than `payments_from` (where the payments frame starts): such a payment covers the
    dossier even though the engine does not see it.
    """
    start, end = local_day_start(paid_from), local_day_start(paid_to + timedelta(days=1))
    columns = (
        Dossier.id,
        Dossier.code,
        Dossier.status,
        Dossier.fee_due_vnd,
        Dossier.applicant_name,
        Dossier.paid_at,
    )
    names = ["dossier_id", "dossier_code", "status", "fee_due_vnd", "applicant_name", "paid_at"]
    of_payments = read_frame(
        session,
        select(*columns).where(
            Dossier.id.in_(select(Payment.dossier_id).where(_ids_in(Payment.id, payment_ids)))
        ),
        list(zip(names, ("int", "str", "str", "int", "str", "timestamp"), strict=True)),
    )
    # the few dossiers the feed marks paid in the window, or the credits name, row by row
    rows = list(
        session.execute(
            select(*columns).where(Dossier.paid_at >= start, Dossier.paid_at < end)
        ).all()
    )
    codes = sorted(set(named_codes))
    for chunk in range(0, len(codes), 1000):
        rows += session.execute(
            select(*columns).where(Dossier.code.in_(codes[chunk : chunk + 1000]))
        ).all()
    frame = of_payments
    if rows:
        frame = pd.concat([of_payments, _frame(rows, names)], ignore_index=True)
    frame = frame.drop_duplicates("dossier_id")
    frame = frame.sort_values("dossier_code", ignore_index=True)
    paid_at = pd.to_datetime(frame["paid_at"], utc=True)
    in_window = (paid_at >= pd.Timestamp(start)) & (paid_at < pd.Timestamp(end))
    covered = _paid_before(session, frame.loc[in_window, "dossier_id"], payments_from)
    frame["marked_paid"] = (in_window & ~frame["dossier_id"].isin(covered)).astype(bool)
    frame = frame.drop(columns=["dossier_id", "paid_at"])
    frame["fee_due_vnd"] = frame["fee_due_vnd"].astype("int64")
    for column in ("dossier_code", "status", "applicant_name"):
        frame[column] = frame[column].fillna("").astype("str")
    return frame


def _paid_before(session: Session, dossier_ids: pd.Series, day: date) -> set[int]:
    """Those of the dossiers with a paying payment made (and paid) before `day`."""
    ids = sorted(int(i) for i in dossier_ids)
    before = local_day_start(day)
    covered: set[int] = set()
    for chunk in range(0, len(ids), 1000):
        covered.update(
            session.scalars(
                select(Payment.dossier_id).where(
                    Payment.dossier_id.in_(ids[chunk : chunk + 1000]),
                    Payment.status.in_(PAYING_STATUSES),
                    Payment.created_at < before,
                    Payment.paid_at < before,
                )
            )
        )
    return covered


def load_known_references_frame(session: Session, references: Sequence[str]) -> pd.DataFrame:
    """Payments carrying the given references, whatever their date (named.KNOWN_REFERENCES)."""
    wanted = sorted(set(references))
    rows: list = []
    for chunk in range(0, len(wanted), 1000):
        rows += session.execute(
            select(Payment.reference, Payment.id, Payment.status).where(
                Payment.reference.in_(wanted[chunk : chunk + 1000])
            )
        ).all()
    frame = _frame(rows, ["reference", "payment_id", "status"])
    frame = frame.sort_values("reference", ignore_index=True)
    return frame.astype({"reference": "str", "payment_id": "int64", "status": "str"})


def _ids_in(column, ids: pd.Series):
    """`column IN ids`, or a range test when the ids are many (no huge bind lists)."""
    if len(ids) <= 1000:
        return column.in_([int(i) for i in ids])
    return column.between(int(ids.min()), int(ids.max()))


def load_invoices_frame(session: Session, payment_ids: pd.Series, date_from: date) -> pd.DataFrame:
    """Invoices (originals and replacements) of the payments, and any issued since `date_from`."""
    query = (
        select(Invoice.id, Invoice.payment_id, Invoice.status, Invoice.total_vnd, Invoice.issued_on)
        .where(
            Invoice.kind != "adjustment",
            or_(_ids_in(Invoice.payment_id, payment_ids), Invoice.issued_on >= date_from),
        )
        .order_by(Invoice.id)
    )
    frame = read_frame(
        session,
        query,
        [
            ("invoice_id", "int"),
            ("payment_id", "int"),
            ("status", "str"),
            ("total_vnd", "int"),
            ("issued_on", "date"),
        ],
    )
    if len(payment_ids) > 1000:  # the range test let in payments outside the window
        recent = pd.to_datetime(frame["issued_on"]) >= pd.Timestamp(date_from)
        frame = frame[frame["payment_id"].isin(payment_ids) | recent]
    frame = frame.drop(columns="issued_on")
    for column in ("invoice_id", "payment_id", "total_vnd"):
        frame[column] = frame[column].astype("int64")
    frame["status"] = frame["status"].astype("str")
    return frame.reset_index(drop=True)


def load_refunds_frame(session: Session, payment_ids: pd.Series) -> pd.DataFrame:
    """Refunds of the payments. A VietQR refund awaiting the finance office's transfer is still
    in flight, like a pending one: the engine's vocabulary calls both ``pending``."""
    query = (
        select(Refund.id, Refund.payment_id, Refund.amount_vnd, Refund.status, Refund.created_at)
        .where(_ids_in(Refund.payment_id, payment_ids))
        .order_by(Refund.id)
    )
    frame = _frame(
        session.execute(query).all(),
        ["refund_id", "payment_id", "amount_vnd", "status", "requested_at"],
    )
    frame = frame[frame["payment_id"].isin(payment_ids)].reset_index(drop=True)
    for column in ("refund_id", "payment_id", "amount_vnd"):
        frame[column] = frame[column].astype("int64")
    frame["status"] = frame["status"].replace({"awaiting_transfer": "pending"}).astype("str")
    frame["requested_at"] = _moments(frame["requested_at"])
    return frame


def settlement_batches_frame(session: Session) -> pd.DataFrame:
    rows = session.execute(select(SettlementBatch.id, SettlementBatch.batch_reference)).all()
    return _frame(rows, ["batch_id", "batch_reference"])


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


def manual_links(session: Session) -> list[ManualLink]:
    return list(session.scalars(select(ManualLink).order_by(ManualLink.line_id)))


def get_run(session: Session, run_id: int) -> ReconciliationRun:
    run = session.get(ReconciliationRun, run_id)
    if run is None:
        raise NotFound(f"no reconciliation run {run_id}", where="run_id")
    return run


def get_exception(session: Session, exception_id: int) -> ReconciliationException:
    found = session.get(ReconciliationException, exception_id)
    if found is None:
        raise NotFound(f"no reconciliation exception {exception_id}", where="exception_id")
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

    Without a run, each exception appears once, as its current row: the newest row of its
    fingerprint among finished runs (a re-run, or the next night's run, finds it again and
    carries officers' decisions over; older rows are history). Every filter is SQL.
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
    if wanted.run_id is not None:
        conditions = [exc.run_id == wanted.run_id]
    else:
        current = (
            select(func.max(exc.id))
            .join(ReconciliationRun, ReconciliationRun.id == exc.run_id)
            .where(ReconciliationRun.status == "finished")
            .group_by(exc.fingerprint)
        )
        conditions = [exc.id.in_(current)]
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


def run_proposals(session: Session, run_id: int) -> list[ReconciliationProposal]:
    return list(
        session.scalars(
            select(ReconciliationProposal)
            .where(ReconciliationProposal.run_id == run_id)
            .order_by(ReconciliationProposal.line_id, ReconciliationProposal.rank)
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
