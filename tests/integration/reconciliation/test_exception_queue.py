"""The exceptions queue's query: one current row per exception, and every filter done in SQL
narrows the queue to exactly the rows it describes (checked against the rows themselves)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from payrecon.catalog.models import Procedure
from payrecon.dossiers.models import Dossier
from payrecon.reconciliation import actions, queries, run_queries
from payrecon.reconciliation.classify import EXCEPTION_KINDS
from payrecon.reconciliation.exception_filter import ExceptionFilter
from payrecon.reconciliation.service import run_reconciliation
from tests.factories import make_dossier, make_payment
from tests.integration.reconciliation.queue_data import build_queue_data
from tests.integration.reconciliation.scenario import (
    D10,
    D23,
    DAY,
    PAID_AT_COUNTER,
    add_invoice,
    moment,
)


@pytest.fixture
def data(db_session):
    return build_queue_data(db_session)


def current_rows(session):
    _, rows = queries.find_exceptions(session, ExceptionFilter())
    return rows


def test_each_exception_appears_once_as_its_newest_row(db_session, data):
    rows = current_rows(db_session)
    fingerprints = [row.fingerprint for row in rows]
    assert len(fingerprints) == len(set(fingerprints))
    # the 24th's 15 exceptions of the hand-made day and the other agency's 2 (its payment has
    # neither credit nor invoice), and P6's invoice found on the 23rd only (paid on the 24th)
    assert len(rows) == 15 + 2 + 1
    dates = run_queries.business_dates(db_session, [row.run_id for row in rows])
    # found again on the 24th: its row of the 24th; found on the 23rd only: its row of the 23rd
    assert sorted(set(dates.values())) == [D23, DAY]
    assert sum(1 for row in rows if row.run_id == data.first_run.id) == 1


def test_a_run_filter_lists_that_runs_rows(db_session, data):
    total, rows = queries.find_exceptions(db_session, ExceptionFilter(run_id=data.first_run.id))
    assert total == data.first_run.exception_count == len(rows)
    assert {row.run_id for row in rows} == {data.first_run.id}


def _filters(data) -> list[tuple[str, ExceptionFilter, object]]:
    """(name, filter, the predicate a row must satisfy); `dates` maps run id to its date."""
    return [
        ("kind", ExceptionFilter(kind="missing_credit"), lambda r, d: r.kind == "missing_credit"),
        (
            "agency",
            ExceptionFilter(agency_code=data.other_agency.code),
            lambda r, d: r.agency_id == data.other_agency.id,
        ),
        (
            "procedure",
            ExceptionFilter(procedure_code=data.other_procedure.code),
            lambda r, d: r.procedure_id == data.other_procedure.id,
        ),
        ("date from", ExceptionFilter(date_from=DAY), lambda r, d: d[r.run_id] >= DAY),
        ("date to", ExceptionFilter(date_to=D23), lambda r, d: d[r.run_id] <= D23),
        # amounts are compared in absolute value: the -50,000 short payment is 50,000 at stake
        ("min", ExceptionFilter(min_vnd=100_000), lambda r, d: abs(r.amount_vnd) >= 100_000),
        ("max", ExceptionFilter(max_vnd=50_000), lambda r, d: abs(r.amount_vnd) <= 50_000),
        (
            "between",
            ExceptionFilter(min_vnd=50_000, max_vnd=80_000),
            lambda r, d: 50_000 <= abs(r.amount_vnd) <= 80_000,
        ),
    ]


def test_every_filter_narrows_the_queue_to_exactly_its_rows(db_session, data):
    everything = current_rows(db_session)
    dates = run_queries.business_dates(db_session, [row.run_id for row in everything])
    for name, wanted, keeps in _filters(data):
        expected = sorted(row.id for row in everything if keeps(row, dates))
        total, rows = queries.find_exceptions(db_session, wanted)
        assert 0 < len(expected) < len(everything), name
        assert sorted(row.id for row in rows) == expected, name
        assert total == len(expected), name


def test_the_short_payment_counts_by_its_absolute_amount(db_session, data):
    _, rows = queries.find_exceptions(
        db_session, ExceptionFilter(kind="amount_mismatch", min_vnd=50_000, max_vnd=50_000)
    )
    assert [row.amount_vnd for row in rows] == [-50_000]


def test_status_filter_follows_officers_decisions(db_session, data):
    _, [duplicate] = queries.find_exceptions(db_session, ExceptionFilter(kind="duplicate_payment"))
    actions.mark_refund_due(
        db_session,
        exception_id=duplicate.id,
        officer=actions.Officer("officer.an", "officer"),
        note="refund the second transfer",
    )
    open_total, open_rows = queries.find_exceptions(db_session, ExceptionFilter(status="open"))
    resolved_total, resolved = queries.find_exceptions(
        db_session, ExceptionFilter(status="resolved")
    )
    assert [row.id for row in resolved] == [duplicate.id]
    assert duplicate.id not in {row.id for row in open_rows}
    assert open_total + resolved_total == len(current_rows(db_session))


def test_filters_combine_and_pages_cover_the_whole_list(db_session, data):
    wanted = ExceptionFilter(agency_code=data.day_agency.code, min_vnd=60_000, status="open")
    total, rows = queries.find_exceptions(db_session, wanted)
    assert all(abs(row.amount_vnd) >= 60_000 for row in rows)
    assert all(row.agency_id != data.other_agency.id for row in rows)
    pages = [
        queries.find_exceptions(db_session, wanted, offset=offset, limit=3)[1]
        for offset in range(0, total, 3)
    ]
    assert [row.id for page in pages for row in page] == [row.id for row in rows]


def test_an_unknown_agency_or_a_date_with_no_run_gives_an_empty_queue(db_session, data):
    assert queries.find_exceptions(db_session, ExceptionFilter(agency_code="NOPE")) == (0, [])
    later = ExceptionFilter(date_from=date(2027, 1, 1))
    assert queries.find_exceptions(db_session, later) == (0, [])


def test_every_kind_is_filed_under_its_agency_and_procedure(db_session, data):
    """Exceptions that name no payment or bank line of the run's frames are placed through
    the records they name: paid_without_payment through its dossier, invoice_without_payment
    whose payment is older than the window through its invoice (series agency, dossier)."""
    counter = db_session.scalars(select(Dossier).where(Dossier.code == PAID_AT_COUNTER)).one()
    procedure = db_session.get(Procedure, counter.procedure_id)
    old = make_dossier(db_session, procedure, fee_due_vnd=35_000)
    then = moment(D10)
    stale = make_payment(
        db_session,
        old,
        amount_vnd=35_000,
        status="expired",
        created_at=then,
        expires_at=then + timedelta(minutes=15),
        updated_at=then,
    )
    add_invoice(db_session, stale)
    run_reconciliation(db_session, business_date=DAY, actor="test")

    _, rows = queries.find_exceptions(db_session, ExceptionFilter())
    assert [row.kind for row in rows if row.agency_id is None] == []
    _, filed = queries.find_exceptions(
        db_session, ExceptionFilter(agency_code=data.day_agency.code)
    )
    assert {row.kind for row in filed} == set(EXCEPTION_KINDS)
    by_print = {row.fingerprint: row for row in filed}
    paid = by_print[f"paid_without_payment|dossier={PAID_AT_COUNTER}"]
    orphan = next(
        row for row in filed if row.kind == "invoice_without_payment" and row.payment_id == stale.id
    )
    assert (paid.procedure_id, orphan.procedure_id) == (procedure.id, procedure.id)
    _, by_procedure = queries.find_exceptions(
        db_session, ExceptionFilter(procedure_code=procedure.code, kind="paid_without_payment")
    )
    assert [row.id for row in by_procedure] == [paid.id]
    elsewhere = ExceptionFilter(agency_code=data.other_agency.code, kind="paid_without_payment")
    assert queries.find_exceptions(db_session, elsewhere) == (0, [])
