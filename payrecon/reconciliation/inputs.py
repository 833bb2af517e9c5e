"""The engine's input frames, read from the database: payments, their dossiers, invoices and
refunds, and the payment references credit texts name.

Core selects on the session's connection (large ones by COPY on PostgreSQL, `bulk_read`), each
frame built column by column, keeping money and ids int64 (no NULL reaches a numeric column: a
missing id is coalesced to 0, `frames.NO_ID`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from payrecon.bulk_read import read_frame
from payrecon.catalog.models import Procedure
from payrecon.dossiers.models import Dossier
from payrecon.invoices.models import Invoice
from payrecon.payments.models import Payment, Refund
from payrecon.reconciliation.classify import PAYING_STATUSES
from payrecon.reconciliation.frames import LOCAL_TIMEZONE
from payrecon.statements.models import SettlementLine

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
