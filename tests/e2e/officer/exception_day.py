"""A reconciled day for the exception page's tests: the integration scenario, plus two VietQR
payments of 77,000 VND (paid on the 23rd and the 22nd) for its credit of 77,000 VND that names
no reference, so the credit is proposed to the first (rank 1) and the second, whose money the
bank never showed, is a missing credit with that credit as its alternative (rank 2); and a
credit of 66,000 VND that nothing explains (an unmatched credit)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from payrecon.catalog.models import Procedure
from payrecon.reconciliation import queries
from payrecon.reconciliation.models import ReconciliationException
from payrecon.reconciliation.service import run_reconciliation
from payrecon.statements import service as statements
from payrecon.statements.models import StatementLine
from tests.integration.reconciliation.scenario import D23, DAY, Day, _pay, build_day

D22 = date(2026, 11, 22)


@dataclass
class ReconciledDay:
    day: Day
    run_id: int
    exceptions: list[ReconciliationException]

    def exception(self, kind: str, **names: str) -> ReconciliationException:
        """The exception of `kind` about these rows: exception("missing_credit", payment="P21")."""
        wanted = [f"{row}={self.day.ids[name]}" for row, name in names.items()]
        found = [
            e
            for e in self.exceptions
            if e.kind == kind and all(part in e.fingerprint.split("|") for part in wanted)
        ]
        assert len(found) == 1, (kind, names, [e.fingerprint for e in self.exceptions])
        return found[0]


def reconciled_day(session: Session) -> ReconciledDay:
    day = build_day(session)
    procedure = session.query(Procedure).first()
    _pay(session, day, "P20", procedure, 77_000, D23)
    _pay(session, day, "P21", procedure, 77_000, D22)
    session.commit()
    statements.import_statement_file(
        session,
        (
            b"booking_date,value_date,amount,direction,bank_reference,description,"
            b"counterparty_name,counterparty_account\n"
            b'2026-11-23,2026-11-23,66000,C,FT8,"nop tien ho so",K,11\n'
        ),
        filename="second.csv",
        actor="test",
        fmt="csv",
        account_number=day.account_number,
    )
    run = run_reconciliation(session, business_date=DAY, actor="test")
    _, exceptions = queries.list_exceptions(session, run.id)
    for line in session.scalars(select(StatementLine).where(StatementLine.bank_reference == "FT8")):
        day.ids["L:FT8"] = line.id
    session.commit()
    return ReconciledDay(day, run.id, exceptions)
