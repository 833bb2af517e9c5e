"""Read-only selects for the officer pages about runs: the latest run, open money by kind,
the trend over recent runs, a run's matches a page at a time.

Each is one aggregate query (no loop of queries per run or per kind), so the dashboard costs
the same with 3 exceptions or 30,000.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from payrecon.catalog.models import Agency, Procedure
from payrecon.reconciliation import queries
from payrecon.reconciliation.models import (
    ReconciliationException,
    ReconciliationMatch,
    ReconciliationProposal,
    ReconciliationRun,
)
from payrecon.reconciliation.report_data import TrendPoint, run_totals


@dataclass(frozen=True)
class KindTotal:
    kind: str
    count: int
    amount_vnd: int  # absolute amounts added up: money at stake


def latest_finished_run(session: Session) -> ReconciliationRun | None:
    """The finished run of the latest business date (its newest, if the date was re-run)."""
    return session.scalar(
        select(ReconciliationRun)
        .where(ReconciliationRun.status == "finished")
        .order_by(ReconciliationRun.business_date.desc(), ReconciliationRun.id.desc())
        .limit(1)
    )


def latest_run_of(session: Session, business_date: date) -> ReconciliationRun | None:
    """The newest run of a business date, whatever its status (a failed night shows)."""
    return session.scalar(
        select(ReconciliationRun)
        .where(ReconciliationRun.business_date == business_date)
        .order_by(ReconciliationRun.id.desc())
        .limit(1)
    )


def open_totals_by_kind(session: Session, run_id: int) -> list[KindTotal]:
    """A run's open exceptions by kind: how many and how much, kinds in name order."""
    rows = session.execute(
        select(
            ReconciliationException.kind,
            func.count(),
            func.coalesce(func.sum(func.abs(ReconciliationException.amount_vnd)), 0),
        )
        .where(
            ReconciliationException.run_id == run_id,
            ReconciliationException.status == "open",
        )
        .group_by(ReconciliationException.kind)
        .order_by(ReconciliationException.kind)
    )
    return [KindTotal(kind, int(count), int(amount)) for kind, count, amount in rows]


def trend(session: Session, until: date, *, since: date | None = None) -> list[TrendPoint]:
    """Match rate and open money of the latest finished run of each business date, oldest
    first: the last 30 dates that have one, or those from `since` if given."""
    newest = select(func.max(ReconciliationRun.id)).where(
        ReconciliationRun.status == "finished", ReconciliationRun.business_date <= until
    )
    if since is not None:
        newest = newest.where(ReconciliationRun.business_date >= since)
    newest = newest.group_by(ReconciliationRun.business_date)
    runs = list(
        session.scalars(
            select(ReconciliationRun)
            .where(ReconciliationRun.id.in_(newest))
            .order_by(ReconciliationRun.business_date.desc())
            .limit(30)
        )
    )
    open_vnd = dict(
        session.execute(
            select(
                ReconciliationException.run_id,
                func.sum(func.abs(ReconciliationException.amount_vnd)),
            )
            .where(
                ReconciliationException.run_id.in_([run.id for run in runs]),
                ReconciliationException.status == "open",
            )
            .group_by(ReconciliationException.run_id)
        ).all()
    )
    return [
        TrendPoint(
            business_date=run.business_date,
            match_rate=run_totals(run.summary).match_rate,
            open_vnd=int(open_vnd.get(run.id) or 0),
        )
        for run in sorted(runs, key=lambda run: run.business_date)
    ]


def business_dates(session: Session, run_ids: Iterable[int]) -> dict[int, date]:
    ids = sorted(set(run_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(ReconciliationRun.id, ReconciliationRun.business_date).where(
            ReconciliationRun.id.in_(ids)
        )
    )
    return {run_id: day for run_id, day in rows}


def page_of_matches(
    session: Session, run_id: int, *, offset: int, limit: int
) -> tuple[int, list[ReconciliationMatch]]:
    """(total rows, page) of a run's match rows in match order."""
    where = ReconciliationMatch.run_id == run_id
    total = session.scalar(select(func.count()).select_from(ReconciliationMatch).where(where))
    rows = session.scalars(
        select(ReconciliationMatch)
        .where(where)
        .order_by(ReconciliationMatch.match_no, ReconciliationMatch.id)
        .offset(offset)
        .limit(limit)
    )
    return total or 0, list(rows)


def first_proposals(
    session: Session, run_id: int, *, limit: int
) -> tuple[int, list[ReconciliationProposal]]:
    """(how many proposal rows the run has, the first `limit` by bank line and rank)."""
    total = session.scalar(
        select(func.count())
        .select_from(ReconciliationProposal)
        .where(ReconciliationProposal.run_id == run_id)
    )
    return total or 0, queries.run_proposals(session, run_id, limit=limit)


def agency_choices(session: Session) -> list[tuple[str, str]]:
    """(code, name) of every agency, for a filter's choices."""
    rows = session.execute(select(Agency.code, Agency.name).order_by(Agency.code))
    return [(code, name) for code, name in rows]


def procedure_exists(session: Session, code: str) -> bool:
    found = select(func.count()).select_from(Procedure).where(Procedure.code == code)
    return session.scalar(found) == 1
