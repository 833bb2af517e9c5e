"""Files and rows the statement import tests share (integration and e2e)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from payrecon.catalog.models import Agency, CollectionAccount
from payrecon.imports import ImportedFile
from payrecon.statements.models import (
    BankStatement,
    SettlementBatch,
    SettlementLine,
    StatementLine,
)

REPO_ROOT = Path(__file__).resolve().parents[3]
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "statements"
SHARED_SAMPLES = REPO_ROOT.parent / "shared" / "data" / "statements"
OUR_ACCOUNT = "0011000000001"  # the account of the synthetic VND fixtures

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>&lol9;</MsgId></GrpHdr></BkToCstmrStmt></Document>
"""


def external_entity(secret_path: Path) -> bytes:
    """A camt.053 whose statement id would be the content of secret_path if entities resolved."""
    return f"""<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file://{secret_path}">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>x</MsgId></GrpHdr><Stmt><Id>&xxe;</Id>
<Acct><Id><Othr><Id>{OUR_ACCOUNT}</Id></Othr></Id><Ccy>VND</Ccy></Acct>
</Stmt></BkToCstmrStmt></Document>
""".encode()


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def duplicate_same_day_vnd() -> bytes:
    """The bsp duplicate-same-day sample (two identical entries, no references), VND and ours."""
    return (
        fixture("bsp_camt053v02_duplicate_same_day.xml")
        .replace(b'Ccy="EUR">4.50<', b'Ccy="VND">45000<')
        .replace(b"<IBAN>DE89370400440532013000</IBAN>", f"<IBAN>{OUR_ACCOUNT}</IBAN>".encode())
    )


def add_account(session: Session, number: str = OUR_ACCOUNT) -> CollectionAccount:
    agency = Agency(code=f"TTPV-{number[-4:]}", name="Trung tâm Phục vụ hành chính công")
    session.add(agency)
    session.flush()
    account = CollectionAccount(
        agency_id=agency.id,
        bank_bin="970436",
        account_number=number,
        account_name="TRUNG TAM PHUC VU HANH CHINH CONG",
    )
    session.add(account)
    session.commit()
    return account


def row_counts(session: Session) -> dict[str, int]:
    """How many rows the statements domain and the import log hold."""
    session.rollback()  # see what other connections committed
    return {
        model.__tablename__: session.scalar(select(func.count()).select_from(model))
        for model in (BankStatement, StatementLine, SettlementBatch, SettlementLine, ImportedFile)
    }


NOTHING = {
    "bank_statements": 0,
    "statement_lines": 0,
    "settlement_batches": 0,
    "settlement_lines": 0,
    "imported_files": 0,
}


def mt940(
    day: str, opening: int, closing: int, lines: list[str], account: str = OUR_ACCOUNT
) -> bytes:
    """A one-statement VND MT940 for day ``yymmdd`` with the given :61: texts."""
    body = "".join(f":61:{day}{day[2:]}{line}\n:86:test line\n" for line in lines)
    return (
        f":20:T{day}\n:25:{account}\n:28C:00001/00001\n"
        f":60F:C{day}VND{opening},\n{body}:62F:C{day}VND{closing},\n-\n"
    ).encode()
