"""camt.053/052/054 parsing on our own VND statement and on small hand-written documents."""

from datetime import date

import pytest

from payrecon.errors import StatementFormatError
from payrecon.statements.balances import (
    check_batch_totals,
    check_continuity,
    check_statement_balances,
)
from payrecon.statements.camt import parse_camt

NS02 = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"


def camt(body: str, *, namespace: str | None = NS02, message: str = "BkToCstmrStmt") -> bytes:
    xmlns = f' xmlns="{namespace}"' if namespace else ""
    return (
        f"<Document{xmlns}><{message}><GrpHdr><MsgId>M1</MsgId></GrpHdr>{body}</{message}>"
        "</Document>"
    ).encode()


def statement(entries: str, balances: str = "") -> str:
    return f"<Stmt><Id>S1</Id><Acct><Id><IBAN>VN00TEST</IBAN></Id></Acct>{balances}{entries}</Stmt>"


def entry(amount='<Amt Ccy="EUR">1.00</Amt>', indicator="CRDT", extra="") -> str:
    return f"<Ntry>{amount}<CdtDbtInd>{indicator}</CdtDbtInd><Sts>BOOK</Sts>{extra}</Ntry>"


@pytest.fixture
def vnd_statements(fixture_bytes):
    return parse_camt(fixture_bytes("camt053v08_vnd.xml"))


def test_vnd_statement_header(vnd_statements):
    first, second = vnd_statements
    assert (first.format, first.account_id, first.currency) == ("camt053", "0011000000001", "VND")
    assert first.message_id == "VND-CAMT-20261102-0001"
    assert (first.sequence, first.electronic_sequence) == ("305", "305")
    assert (first.period_from, first.period_to) == (date(2026, 11, 1), date(2026, 11, 1))
    assert first.opening_balance.amount == 10_000_000
    assert first.closing_balance.amount == 11_483_500
    assert second.opening_balance.code == "PRCD"  # no OPBD: previous closing is the opening
    assert second.closing_balance.amount == 11_683_500  # "11683500.00" VND


def test_vnd_single_credit_combines_entry_and_details(vnd_statements):
    credit = vnd_statements[0].lines[0]
    assert (credit.kind, credit.amount, credit.currency, credit.direction) == (
        "entry",
        50000,
        "VND",
        "C",
    )
    assert credit.servicer_reference == "FT26305000001"
    assert credit.bank_reference == "NAPAS247-000001"
    assert credit.end_to_end_id is None  # NOTPROVIDED
    assert credit.remittance_text == "PRK7M2Q9XA nop phi HS000123"
    assert (credit.counterparty_name, credit.counterparty_account) == (
        "NGUYEN VAN A",
        "0071000123456",
    )
    assert credit.transaction_code == "PMNT/RCDT/DMCT"
    assert credit.location == "/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]"
    assert credit.line_number == 34
    assert credit.raw.startswith("<Ntry")
    assert "PRK7M2Q9XA" in credit.raw


def test_vnd_batch_carries_money_and_its_details_do_not(vnd_statements):
    lines = vnd_statements[0].lines
    batch, first, second = lines[1], lines[2], lines[3]
    assert (batch.kind, batch.amount, batch.batch_id, batch.batch_size, batch.batch_total) == (
        "batch",
        1_483_500,
        "STL-20261031-01",
        2,
        1_483_500,
    )
    assert batch.remittance_text == "VNPAY TT LO STL-20261031-01"
    assert [(d.kind, d.amount, d.parent_index, d.carries_money) for d in (first, second)] == [
        ("detail", 494_500, 1, False),
        ("detail", 989_000, 1, False),
    ]
    assert [d.remittance_text for d in (first, second)] == ["VNPAY PRK7M2Q9XA", "VNPAY PRB4N8T1ZC"]
    assert first.location.endswith("/Ntry[2]/NtryDtls[1]/TxDtls[1]")
    money = sum(line.signed_amount for line in vnd_statements[0].money_lines)
    all_rows = sum(line.signed_amount for line in lines)
    assert money == 1_483_500 - 7000 + 0  # 50,000 in, 50,000 reversed, 7,000 pending fee
    assert all_rows - money == 1_483_500  # counting details as well would add the batch twice
    assert check_batch_totals(vnd_statements[0]) == []


def test_vnd_reversal_and_pending_entry(vnd_statements):
    reversal, pending = vnd_statements[0].lines[4], vnd_statements[0].lines[5]
    assert (reversal.direction, reversal.reversal, reversal.signed_amount) == ("D", True, -50000)
    assert reversal.remittance_text == "HOAN TRA GD FT26305000001"  # from AddtlNtryInf
    assert (pending.status, pending.transaction_code) == ("PDNG", "FEE")


def test_vnd_statements_tie_and_continue(vnd_statements):
    assert [check_statement_balances(s) for s in vnd_statements] == [[], []]
    assert check_continuity(vnd_statements) == []


def test_vnd_structured_reference_and_datetime_booking(vnd_statements):
    [line] = vnd_statements[1].lines
    assert line.creditor_reference == "RF18PRC2D5F8GH"
    assert line.bank_reference == "20261102-0001"  # NtryRef
    assert line.booking_date == date(2026, 11, 2)


def test_plain_sts_and_no_namespace_are_read():
    data = camt(statement(entry(extra="<BookgDt><Dt>2026-11-01</Dt></BookgDt>")), namespace=None)
    [parsed] = parse_camt(data)
    assert parsed.lines[0].status == "BOOK"
    assert parsed.lines[0].booking_date == date(2026, 11, 1)


def test_camt052_and_camt054_are_recognised_by_their_message():
    report = camt(
        statement(entry()).replace("Stmt>", "Rpt>"),
        namespace="urn:iso:std:iso:20022:tech:xsd:camt.052.001.08",
        message="BkToCstmrAcctRpt",
    )
    assert parse_camt(report)[0].format == "camt052"
    notice = camt(
        statement(entry()).replace("Stmt>", "Ntfctn>"),
        namespace="urn:iso:std:iso:20022:tech:xsd:camt.054.001.04",
        message="BkToCstmrDbtCdtNtfctn",
    )
    assert parse_camt(notice)[0].format == "camt054"


def test_a_garbled_amount_names_its_element():
    data = camt(statement(entry(amount='<Amt Ccy="EUR">12..34</Amt>')))
    with pytest.raises(StatementFormatError, match="not a decimal number") as caught:
        parse_camt(data)
    assert caught.value.where.startswith("/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Amt (line 1)")


def test_an_amount_without_currency_is_refused():
    with pytest.raises(StatementFormatError, match="no Ccy attribute"):
        parse_camt(camt(statement(entry(amount="<Amt>1.00</Amt>"))))


def test_an_unknown_credit_debit_indicator_is_refused():
    with pytest.raises(StatementFormatError, match="CdtDbtInd is 'CREDIT'") as caught:
        parse_camt(camt(statement(entry(indicator="CREDIT"))))
    assert "Ntry[1]/CdtDbtInd" in caught.value.where


def test_a_bad_booking_date_names_its_element():
    bad = entry(extra="<BookgDt><Dt>2026-13-01</Dt></BookgDt>")
    with pytest.raises(StatementFormatError, match="not an ISO date") as caught:
        parse_camt(camt(statement(bad)))
    assert "Ntry[1]/BookgDt" in caught.value.where


def test_a_namespace_that_contradicts_the_message_is_refused():
    data = camt(statement(entry()), namespace="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02")
    with pytest.raises(StatementFormatError, match=r"namespace says camt\.054"):
        parse_camt(data)


def test_a_document_that_is_not_camt_is_refused():
    with pytest.raises(StatementFormatError, match="expected one of"):
        parse_camt(b"<Document><Invoice/></Document>")
    with pytest.raises(StatementFormatError, match="not an ISO 20022 camt"):
        parse_camt(b'<Document xmlns="urn:example:pain.001"><X/></Document>')


def test_a_statement_without_account_is_refused():
    data = camt("<Stmt><Id>S1</Id></Stmt>")
    with pytest.raises(StatementFormatError, match="missing Acct"):
        parse_camt(data)


def test_a_tx_detail_without_amount_in_a_batch_has_none():
    details = "<NtryDtls><TxDtls/><TxDtls/></NtryDtls>"
    [parsed] = parse_camt(camt(statement(entry(extra=details))))
    assert [line.kind for line in parsed.lines] == ["batch", "detail", "detail"]
    assert [line.amount for line in parsed.lines] == [100, None, None]
    assert [f.kind for f in check_batch_totals(parsed)] == ["batch_total_mismatch"]
