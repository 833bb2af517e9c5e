"""Load the demo data set through the real services; refuses to load twice."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from payrecon.catalog import service as catalog_service
from payrecon.catalog.models import Agency
from payrecon.db import utcnow
from payrecon.demo.catalog_data import AGENCIES
from payrecon.demo.generate import catalog_csv, dossiers_csv
from payrecon.demo.payments import create_demo_payments
from payrecon.demo.reconciliation import LOCAL, local_today, reconcile_demo
from payrecon.dossiers import service as dossier_service
from payrecon.invoices.service import issue_pending_invoices
from payrecon.payments.settings import PaymentSettings

ACTOR = "demo"
DAY_STARTS_AT = time(9, 0)


@dataclass
class DemoResult:
    already_loaded: bool
    lines: list[str] = field(default_factory=list)


def load_demo(
    session: Session,
    *,
    dossiers: int = 3000,
    say: Callable[[str], None] = lambda _: None,
    payment_settings: PaymentSettings | None = None,
) -> DemoResult:
    if session.scalar(select(func.count()).select_from(Agency)):
        return DemoResult(already_loaded=True)
    result = DemoResult(already_loaded=False)
    # the demo is the morning after its business day: last night's run reconciled yesterday
    business_date = local_today() - timedelta(days=1)
    day_start = datetime.combine(business_date, DAY_STARTS_AT, tzinfo=LOCAL)

    def report(line: str) -> None:
        result.lines.append(line)
        say(line)

    report(
        catalog_service.import_catalog(
            session, catalog_csv(), filename="demo-catalog.csv", actor=ACTOR
        ).summary()
    )
    for code, _name, tax_code, address, (bank_bin, account, holder) in AGENCIES:
        catalog_service.update_agency(
            session, code=code, tax_code=tax_code, address=address, actor=ACTOR
        )
        catalog_service.add_collection_account(
            session,
            agency_code=code,
            bank_bin=bank_bin,
            account_number=account,
            account_name=holder,
            actor=ACTOR,
        )
    report(f"{len(AGENCIES)} agencies with tax codes and collection accounts")
    report(
        dossier_service.import_dossiers(
            session,
            dossiers_csv(
                dossiers, now=utcnow() - timedelta(days=1), paid_at_counter_on=business_date
            ),
            filename="demo-dossiers.csv",
            actor=ACTOR,
        ).summary()
    )
    made = create_demo_payments(
        session, payment_settings or PaymentSettings.from_app(), report, day_start=day_start
    )
    report("payments: " + ", ".join(f"{count} {fate}" for fate, count in made.items()))
    invoices = issue_pending_invoices(session)
    report(f"invoices (signed with the demo key, NOT for production): {invoices.summary()}")
    reconcile_demo(session, business_date, report)
    return result
