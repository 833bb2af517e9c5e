"""A hand-made day stored through the database: payments, an imported bank statement (CSV,
through the statements service), a camt.053 statement with a reversal, a settlement report, a
dossier feed with paid_at, invoices and refunds.

Business date 2026-11-24 (window 11-17 … 11-24). Names (P1, FT7, ...) say what each row is for;
`Day.ids` maps them to database ids (statement lines as "L:<bank reference>") so tests can spell
expected fingerprints. One small story per exception kind:

- amount_mismatch: FT4 pays P3 short;  duplicate_payment: FT3 pays P2 again;
- missing_credit: P5 paid on the 20th, no credit;  unmatched_credit: FT7 names nothing;
- cancelled_dossier: P8 paid for a cancelled dossier, and FT22 names a cancelled dossier's code;
- fee_mismatch: P9 pays 90,000 of a 95,000 fee;  paid_without_invoice: P10;
- invoice_without_payment: P11 expired yet invoiced;  refund_not_reflected: P12's refund;
- settlement_mismatch: FT19 is 4,000 short of batch STL-20261123-A;
- unknown_dossier: FT20 names a dossier code we do not have, FT21 a well-formed payment
  reference no payment carries;
- paid_without_payment: the feed marks dossier PAID_AT_COUNTER paid on the 23rd, nobody paid;
  near misses: P1's dossier is marked paid and paid online; OLD_PAID's fee was paid online on
  the 10th (before the payments window); PAID_LONG_AGO was marked paid before the window;
- reversal_of_matched: the camt.053 credit FT14 pays P14 on the 22nd, the bank reverses it
  (RvslInd) on the 23rd as FT14R.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from payrecon.dossiers import service as dossiers
from payrecon.dossiers.models import Dossier
from payrecon.invoices.models import Invoice, InvoiceSeries
from payrecon.payments.references import PREFIX, check_character
from payrecon.statements import service as statements
from payrecon.statements.models import StatementLine
from tests.factories import make_agency, make_dossier, make_payment, make_procedure, make_refund

DAY = date(2026, 11, 24)
D10, D20, D22, D23 = date(2026, 11, 10), date(2026, 11, 20), date(2026, 11, 22), date(2026, 11, 23)
STRANGER = PREFIX + "ZZZZZZZZ" + check_character(PREFIX + "ZZZZZZZZ")  # well formed, not ours
CANCELLED_CODE = "000.00.20.H49-241120-0030"
UNKNOWN_CODE = "000.00.20.H49-241123-0099"
PAID_AT_COUNTER = "000.00.20.H49-241123-0020"
PAID_LONG_AGO = "000.00.20.H49-241110-0021"
OLD_PAID = "000.00.20.H49-241110-0022"


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
    marked = make_dossier(session, procedure, paid_at=moment(D23, 10))
    p["P1"] = _pay(session, day, "P1", procedure, 200_000, D23, dossier=marked)
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
    p["P14"] = _pay(session, day, "P14", procedure, 70_000, D22)
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
    invoiced = ["P1", "P2", "P3", "P5", "P6", "P8", "P9", "P11", "P14", "P15", "P16"]
    for number, name in enumerate(invoiced):
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
            f"2026-11-23,2026-11-23,150000,C,FT20,Nop phi ho so {UNKNOWN_CODE} Nguyen Van C,J,11",
            f"2026-11-23,2026-11-23,120000,C,FT21,{STRANGER} nop phi,K,12",
            "2026-11-23,2026-11-23,95000,C,FT22,nop phi hs 000 00 20 H49 241120 0030,L,13",
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
    statements.import_statement_file(
        session,
        _reversal_camt(day.account_number, ref["P14"]),
        filename="reversal.xml",
        actor="test",
        fmt="camt053",
    )
    _feed_dossiers(session, procedure)
    _pay(session, day, "OLD", procedure, 30_000, D10, dossier=_dossier(session, OLD_PAID))
    make_dossier(session, procedure, code=CANCELLED_CODE, status="cancelled", fee_due_vnd=95_000)
    for line in session.query(StatementLine).all():
        day.ids[f"L:{line.bank_reference}"] = line.id
    return day


def _feed_dossiers(session: Session, procedure) -> None:
    """The dossier feed, with paid_at: one marked paid in the window, two that are not news."""
    rows = [
        (PAID_AT_COUNTER, "2026-11-23T08:00:00+07:00", 55_000, "2026-11-23T10:00:00+07:00"),
        (PAID_LONG_AGO, "2026-11-10T08:00:00+07:00", 25_000, "2026-11-10T10:00:00+07:00"),
        (OLD_PAID, "2026-11-10T08:00:00+07:00", 30_000, "2026-11-23T11:00:00+07:00"),
    ]
    lines = [
        "dossier_code,procedure_code,applicant_name,applicant_id,applicant_tax_code,"
        "received_at,status,fee_due_vnd,paid_at",
        *(
            f"{code},{procedure.code},Lê Thị Hoa,022190004321,,{received},processing,{fee},{paid}"
            for code, received, fee, paid in rows
        ),
    ]
    dossiers.import_dossiers(
        session, ("\n".join(lines) + "\n").encode(), filename="feed.csv", actor="test"
    )


def _dossier(session: Session, code: str) -> Dossier:
    return session.query(Dossier).filter_by(code=code).one()


def _reversal_camt(account_number: str, reference: str) -> bytes:
    """A camt.053: a 70,000 credit for `reference` on the 22nd, reversed by the bank on the 23rd."""
    entries = [
        (
            "CRDT",
            "",
            "2026-11-22",
            "FT14",
            f"<NtryDtls><TxDtls><RmtInf><Ustrd>CT {reference} nop "
            "phi</Ustrd></RmtInf></TxDtls></NtryDtls>",
        ),
        (
            "DBIT",
            "<RvslInd>true</RvslInd>",
            "2026-11-23",
            "FT14R",
            f"<AddtlNtryInf>HOAN TRA GD {reference}</AddtlNtryInf>",
        ),
    ]
    body = "".join(
        f"""<Ntry><Amt Ccy="VND">70000</Amt><CdtDbtInd>{side}</CdtDbtInd>{reversal}
<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>{day}</Dt></BookgDt><ValDt><Dt>{day}</Dt></ValDt>
<AcctSvcrRef>{bank_ref}</AcctSvcrRef>
<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>DMCT</SubFmlyCd></Fmly></Domn></BkTxCd>
{details}</Ntry>"""
        for side, reversal, day, bank_ref, details in entries
    )
    balances = "".join(
        f"""<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy="VND">1000000</Amt>
<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{day}</Dt></Dt></Bal>"""
        for code, day in (("OPBD", "2026-11-22"), ("CLBD", "2026-11-23"))
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>
<GrpHdr><MsgId>SCENARIO-REVERSAL</MsgId><CreDtTm>2026-11-24T01:00:00+07:00</CreDtTm></GrpHdr>
<Stmt><Id>{account_number}-20261123</Id>
<Acct><Id><Othr><Id>{account_number}</Id></Othr></Id><Ccy>VND</Ccy></Acct>
{balances}{body}</Stmt></BkToCstmrStmt></Document>
""".encode()


def add_late_credit(session: Session, day: Day) -> None:
    """The bank posts P5's money late, on the 25th."""
    add_credit(
        session, day, f"{day.references['P5']} nop phi", 500_000, "FT50", booked="2026-11-25"
    )


def add_credit(
    session: Session, day: Day, text: str, amount: int, bank_reference: str, *, booked="2026-11-23"
) -> None:
    """One more credit on its own statement file; its id joins `day.ids` as L:<bank_reference>."""
    text = (
        "booking_date,value_date,amount,direction,bank_reference,description,"
        "counterparty_name,counterparty_account\n"
        f"{booked},{booked},{amount},C,{bank_reference},{text},H,9\n"
    )
    statements.import_statement_file(
        session,
        text.encode(),
        filename=f"{bank_reference}.csv",
        actor="test",
        fmt="csv",
        account_number=day.account_number,
    )
    line = session.query(StatementLine).filter_by(bank_reference=bank_reference).one()
    day.ids[f"L:{bank_reference}"] = line.id


def add_invoice(session: Session, payment) -> None:
    """One more invoice issued on the 23rd, in the day's series, for `payment`."""
    series = session.query(InvoiceSeries).order_by(InvoiceSeries.id).first()
    number = session.query(Invoice).filter_by(series_id=series.id).count() + 1
    _invoice(session, series, payment, number)
    session.commit()
