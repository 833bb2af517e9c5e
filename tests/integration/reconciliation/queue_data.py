"""The hand-made day reconciled twice (23 and 24 November) plus a second agency's payment with
no bank credit: exceptions of two agencies, two procedures, two business dates and amounts
of both signs, for the queue's filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from payrecon.catalog.models import Agency, CollectionAccount, Procedure
from payrecon.reconciliation.models import ReconciliationRun
from payrecon.reconciliation.service import run_reconciliation
from tests.factories import make_agency, make_dossier, make_payment, make_procedure
from tests.integration.reconciliation.scenario import D20, D23, DAY, Day, build_day, moment


@dataclass
class QueueData:
    day: Day
    day_agency: Agency  # the hand-made day's agency
    first_run: ReconciliationRun  # 23 November
    last_run: ReconciliationRun  # 24 November
    other_agency: Agency
    other_procedure: Procedure


def build_queue_data(session: Session) -> QueueData:
    day = build_day(session)
    first = run_reconciliation(session, business_date=D23, actor="test")
    agency = make_agency(session)
    procedure = make_procedure(session, agency, fee_vnd=700_000)
    dossier = make_dossier(session, procedure, fee_due_vnd=700_000)
    paid = moment(D20)
    make_payment(
        session,
        dossier,
        amount_vnd=700_000,
        created_at=paid,
        expires_at=paid + timedelta(minutes=15),
        updated_at=paid,
        paid_at=paid,
    )
    last = run_reconciliation(session, business_date=DAY, actor="test")
    day_agency = session.scalars(
        select(Agency)
        .join(CollectionAccount, CollectionAccount.agency_id == Agency.id)
        .where(CollectionAccount.account_number == day.account_number)
    ).one()
    return QueueData(day, day_agency, first, last, agency, procedure)
