"""Demo bank statements for the demo's payments, imported through the real statements service,
then a reconciliation run, so the officer pages and reports have data.

The mix is deliberate: most transfers arrive with their reference and amount (matched), a few
arrive short (amount_mismatch), twice (duplicate_payment) or with no reference at all
(unmatched_credit), and some not yet (awaiting, or missing_credit once their window passes).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from payrecon.catalog.models import CollectionAccount, Procedure
from payrecon.demo.payments import demo_bank_transaction_id
from payrecon.dossiers.models import Dossier
from payrecon.payments.models import Payment
from payrecon.reconciliation.service import run_reconciliation, run_summary_line
from payrecon.statements import service as statements

HEADER = (
    "booking_date,value_date,amount,direction,bank_reference,description,"
    "counterparty_name,counterparty_account"
)


LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def local_today() -> date:
    return datetime.now(LOCAL).date()


def reconcile_demo(session: Session, business_date: date, say: Callable[[str], None]) -> None:
    rows = session.execute(
        select(
            Payment.id,
            Payment.reference,
            Payment.amount_vnd,
            Dossier.applicant_name,
            Procedure.agency_id,
        )
        .join(Dossier, Dossier.id == Payment.dossier_id)
        .join(Procedure, Procedure.id == Dossier.procedure_id)
        .where(Payment.method == "vietqr", Payment.status.in_(("succeeded", "refund_pending")))
        .order_by(Payment.id)
    ).all()
    accounts = dict(
        session.execute(select(CollectionAccount.agency_id, CollectionAccount.account_number)).all()
    )
    lines: dict[str, list[str]] = defaultdict(list)
    day = business_date.isoformat()
    for n, (payment_id, reference, amount, name, agency_id) in enumerate(rows):
        account = accounts.get(agency_id)
        if account is None:
            continue
        text = f"{name} nop phi {reference}"
        bank_ref = demo_bank_transaction_id(payment_id)
        if n % 20 == 7:
            continue  # not arrived yet
        if n % 25 == 3:
            amount -= 10_000  # paid short
        lines[account].append(f"{day},{day},{amount},C,{bank_ref},{text},{name},0")
        if n % 30 == 11:
            lines[account].append(f"{day},{day},{amount},C,{bank_ref}B,{text},{name},0")
    for n, account in enumerate(sorted(lines)):
        if n < 2:
            lines[account].append(f"{day},{day},150000,C,FTUNK{n},chuyen tien,KHONG RO,0")
        data = (HEADER + "\n" + "\n".join(lines[account]) + "\n").encode()
        result = statements.import_statement_file(
            session,
            data,
            filename=f"demo-statement-{account}-{day}.csv",
            actor="demo",
            fmt="csv",
            account_number=account,
        )
        say(f"statement {account}: {result.summary()}")
    run = run_reconciliation(session, business_date=business_date, actor="demo")
    say(f"reconciliation run {run.id}: {run_summary_line(run)}")
