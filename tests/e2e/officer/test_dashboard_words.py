"""The dashboard in the officer's words: the chart's days as dd/mm, a statement's findings
named in Vietnamese with their amounts rather than as codes."""

from __future__ import annotations

import re

from payrecon.statements import service as statements
from tests.e2e.officer.helpers import page_text, signed_in_client
from tests.factories import make_agency
from tests.integration.reconciliation.queue_data import build_queue_data
from tests.integration.reconciliation.scenario import _reversal_camt


def test_the_chart_writes_its_days_as_officers_do(app, db_session):
    build_queue_data(db_session)  # runs of 23 and 24 November 2026
    client = signed_in_client(app, db_session, "officer")
    svg = re.search(r"<svg.*?</svg>", page_text(client.get("/officer/")), re.S).group(0)
    texts = re.findall(r">([^<]+)<", svg)
    assert texts[-2:] == ["23/11", "24/11"]  # the x axis
    assert "23/11/2026: 1.557.000 ₫ đang mở" in texts  # a bar's title
    assert "2026-11" not in svg


def test_a_statements_finding_is_named_with_its_amounts(app, db_session):
    account = make_agency(db_session).accounts[0].account_number
    camt = _reversal_camt(account, "PRNOSUCH000").replace(
        b'<Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="VND">1000000</Amt>',
        b'<Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="VND">1050000</Amt>',
    )
    result = statements.import_statement_file(
        db_session, camt, filename="off.xml", actor="test", fmt="camt053"
    )
    assert [finding["kind"] for finding in result.findings] == ["balance_mismatch"]
    client = signed_in_client(app, db_session, "officer")
    page = page_text(client.get("/officer/"))
    assert (
        "Số dư đầu kỳ cộng các bút toán không bằng số dư cuối kỳ "
        "(dự kiến 1.000.000 ₫, thực tế 1.050.000 ₫)"
    ) in page
    assert "balance_mismatch" not in page
    uploads = page_text(client.get("/officer/statements"))
    assert "Số dư đầu kỳ cộng các bút toán không bằng số dư cuối kỳ" in uploads
