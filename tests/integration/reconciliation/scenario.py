"""A hand-made day stored through the database: payments, an imported bank statement (CSV,
through the statements service), a settlement report, invoices and refunds.

Business date 2026-11-24. Names (P1, L7, ...) say what each row is for; `Day.ids` maps them to
database ids so tests can spell expected fingerprints.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from payrecon.invoices.models import Invoice, InvoiceSeries
from payrecon.statements import service as statements
from payrecon.statements.models import StatementLine
from tests.factories import make_agency, make_dossier, make_payment, make_procedure, make_refund

DAY = date(2026, 11, 24)
D20, D23 = date(2026, 11, 20), date(2026, 11, 23)


def moment(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - timedelta(hours=7)


@dataclass
class Day:
    ids: dict[str, int] = field(default_factory=dict)
    references: dict[str, str] = field(default_factory=dict)
    account_number: str = ""


def _pay(session, day, name, procedure, amount, paid, *, dossier=None, **overrides):
    dossier = dossier or make_dossier(session, procedure, fee_due_vnd=amount)
    when = moment(paid) if paid else moment(D23)
    payment = make_payment(
        session,
        dossier,
        amount_vnd=amount,
        created_at=when,
        expires_at=when + timedelta(minutes=15),
        updated_at=when,
        paid_at=moment(paid) if paid else None,
        **overrides,
    )
    day.ids[name] = payment.id
    day.references[name] = payment.reference
    return payment


def _invoice(session: Session, series: InvoiceSeries, payment, number: int) -> None:
    xml = f"<invoice n='{number}'/>".encode()
    session.add(
        Invoice(
            series_id=series.id,
            template_code="1",
            series=series.series,
            number=number,
            kind="original",
            status="issued",
            agency_id=series.agency_id,
            dossier_id=payment.dossier_id,
            payment_id=payment.id,
            issued_at=moment(D23, 10),
            issued_on=D23,
            buyer_name="Nguyễn Văn An",
            total_vnd=payment.amount_vnd,
            lookup_code=f"LK{number:08d}",
            xml=xml,
            xml_sha256=hashlib.sha256(xml).hexdigest(),
        )
    )


def build_day(session: Session, *, unmatched_text: str = "chuyen tien hoc phi") -> Day:
    day = Day()
    agency = make_agency(session)
    procedure = make_procedure(session, agency, fee_vnd=200_000)
    day.account_number = agency.accounts[0].account_number
    p = {}
    p["P1"] = _pay(session, day, "P1", procedure, 200_000, D23)
    p["P2"] = _pay(session, day, "P2", procedure, 100_000, D23)
    p["P3"] = _pay(session, day, "P3", procedure, 300_000, D23)
    p["P5"] = _pay(session, day, "P5", procedure, 500_000, D20)
    p["P6"] = _pay(session, day, "P6", procedure, 250_000, DAY)
    cancelled = make_dossier(session, procedure, fee_due_vnd=80_000, status="cancelled")
    p["P8"] = _pay(session, day, "P8", procedure, 80_000, D23, dossier=cancelled)
    short = make_dossier(session, procedure, fee_due_vnd=95_000)
    p["P9"] = _pay(session, day, "P9", procedure, 90_000, D23, dossier=short)
    p["P10"] = _pay(session, day, "P10", procedure, 60_000, D23)  # no invoice
    p["P11"] = _pay(session, day, "P11", procedure, 45_000, None, status="expired")
    p["P12"] = _pay(session, day, "P12", procedure, 40_000, D20, status="refunded")
    make_refund(session, p["P12"], 40_000, created_at=moment(D20, 11))
    p["P15"] = _pay(session, day, "P15", procedure, 100_000, D23, method="vnpay")
    p["P16"] = _pay(session, day, "P16", procedure, 200_000, D23, method="vnpay")
    series = InvoiceSeries(
        agency_id=agency.id,
        year=2026,
        template_code="1",
        series="C26TAA",
        last_number=0,
        created_at=moment(D20),
    )
    session.add(series)
    session.flush()
    for number, name in enumerate(["P1", "P2", "P3", "P5", "P6", "P8", "P9", "P11", "P15", "P16"]):
        _invoice(session, series, p[name], number + 1)
    session.commit()

    ref = day.references
    statement = "\n".join(
        [
            "booking_date,value_date,amount,direction,bank_reference,description,"
            "counterparty_name,counterparty_account",
            f"2026-11-23,2026-11-23,200000,C,FT1,MBVCB.8812345.{ref['P1']}.NGUYEN VAN A,A,1",
            f"2026-11-23,2026-11-23,100000,C,FT2,CT nhanh 247 den: {ref['P2'].lower()},B,2",
            f"2026-11-24,2026-11-24,100000,C,FT3,IBFT {ref['P2']},B,2",
            f"2026-11-23,2026-11-23,250000,C,FT4,Nop phi {ref['P3']},C,3",
            f'2026-11-23,2026-11-23,77000,C,FT7,"{unmatched_text}",D,4',
            f"2026-11-23,2026-11-23,80000,C,FT9,{ref['P8']},E,5",
            f"2026-11-23,2026-11-23,90000,C,FT10,{ref['P9']},F,6",
            f"2026-11-23,2026-11-23,60000,C,FT11,{ref['P10']},G,7",
            f"2026-11-20,2026-11-20,40000,C,FT12,{ref['P12']},I,10",
            "2026-11-24,2026-11-24,290000,C,FT19,VNPAY TT STL-20261123-A,VNPAY,8",
        ]
    )
    statements.import_statement_file(
        session,
        (statement + "\n").encode(),
        filename="day.csv",
        actor="test",
        fmt="csv",
        account_number=day.account_number,
    )
    settlement = "\n".join(
        [
            "vnp_TxnRef,vnp_TransactionNo,pay_date,gross_vnd,fee_vnd,net_vnd,"
            "settlement_batch_id,settlement_date",
            f"{ref['P15']},9001,2026-11-23 09:00:00,100000,2000,98000,STL-20261123-A,2026-11-23",
            f"{ref['P16']},9002,2026-11-23 10:00:00,200000,4000,196000,STL-20261123-A,2026-11-23",
        ]
    )
    statements.import_settlement_file(
        session, (settlement + "\n").encode(), filename="stl.csv", actor="test"
    )
    for line in session.query(StatementLine).all():
        day.ids[f"L:{line.bank_reference}"] = line.id
    return day


def add_late_credit(session: Session, day: Day) -> None:
    """The bank posts P5's money late, on the 25th."""
    text = (
        "booking_date,value_date,amount,direction,bank_reference,description,"
        "counterparty_name,counterparty_account\n"
        f"2026-11-25,2026-11-25,500000,C,FT50,{day.references['P5']} nop phi,H,9\n"
    )
    statements.import_statement_file(
        session,
        text.encode(),
        filename="late.csv",
        actor="test",
        fmt="csv",
        account_number=day.account_number,
    )
