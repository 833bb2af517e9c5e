"""statements.service.import_statement_file on SQLite and PostgreSQL."""

from __future__ import annotations

import tracemalloc

import pytest
from sqlalchemy import select

from payrecon.errors import ImportRejected, StatementFormatError
from payrecon.statements import service
from payrecon.statements.models import BankStatement, ImmutableRecord, StatementLine
from tests.integration.statements.helpers import (
    BILLION_LAUGHS,
    NOTHING,
    OUR_ACCOUNT,
    add_account,
    duplicate_same_day_vnd,
    external_entity,
    fixture,
    mt940,
    row_counts,
)


def run_import(session, data: bytes, filename: str = "statement", **options):
    return service.import_statement_file(session, data, filename=filename, actor="test", **options)


def stored_lines(session) -> list[StatementLine]:
    return list(session.scalars(select(StatementLine).order_by(StatementLine.id)))


def test_a_camt053_file_imports_every_statement_with_its_lines(db_session):
    add_account(db_session)
    progress = []
    result = run_import(
        db_session,
        fixture("camt053v08_vnd.xml"),
        "camt053v08_vnd.xml",
        progress=lambda done, total: progress.append((done, total)),
    )

    assert result.already_imported is False
    assert (result.statements, result.lines, result.duplicates_skipped) == (2, 7, 0)
    # 50,000 + 1,483,500 on day 1 and 200,000 on day 2; the 7,000 fee is pending, not booked
    assert (result.credits_vnd, result.debits_vnd) == (1_733_500, 50_000)
    assert result.findings == ()
    assert progress == [(6, 7), (7, 7)]

    statements = list(db_session.scalars(select(BankStatement).order_by(BankStatement.id)))
    assert [s.statement_ref for s in statements] == [
        "0011000000001-20261101",
        "0011000000001-20261102",
    ]
    first = statements[0]
    assert (first.opening_balance_vnd, first.closing_balance_vnd) == (10_000_000, 11_483_500)
    assert (first.lines_stored, first.format, first.sequence) == (6, "camt053", "305")
    assert str(first.period_start) == str(first.period_end) == "2026-11-01"

    lines = stored_lines(db_session)
    assert [(line.kind, line.amount_vnd, line.direction) for line in lines] == [
        ("entry", 50_000, "C"),
        ("batch", 1_483_500, "C"),
        ("detail", 494_500, "C"),
        ("detail", 989_000, "C"),
        ("entry", -50_000, "D"),
        ("entry", -7_000, "D"),
        ("entry", 200_000, "C"),
    ]
    batch = lines[1]
    assert [line.parent_line_id for line in lines if line.kind == "detail"] == [batch.id] * 2
    assert batch.batch_id == "STL-20261031-01"
    assert batch.bank_reference == "FT26305000002"
    reversal = lines[4]
    assert reversal.is_reversal is True
    assert lines[0].remittance_text == "PRK7M2Q9XA nop phi HS000123"
    assert lines[0].entry_reference == "NAPAS247-000001"
    assert "PRK7M2Q9XA nop phi HS000123</Ustrd>" in lines[0].raw
    assert lines[0].line_number == 34
    assert lines[5].status == "PDNG"
    # the booked credits that may settle a payment: not the reversal, not the details
    assert result.new_credit_line_ids == (lines[0].id, lines[1].id, lines[6].id)
    assert result.statement_ids == (statements[0].id, statements[1].id)


def test_the_same_file_twice_imports_once_and_says_so(db_session):
    add_account(db_session)
    run_import(db_session, fixture("camt053v08_vnd.xml"))
    before = row_counts(db_session)
    again = run_import(db_session, fixture("camt053v08_vnd.xml"))
    assert again.already_imported is True
    assert "already imported" in again.summary()
    assert row_counts(db_session) == before


def test_an_overlapping_statement_skips_the_lines_already_stored(db_session):
    add_account(db_session)
    run_import(db_session, fixture("camt053v08_vnd.xml"))
    # the MT940 repeats day 1's three bookings (same bank references) and adds one on day 2
    result = run_import(db_session, fixture("mt940_vnd.sta"))
    assert (result.statements, result.lines, result.duplicates_skipped) == (2, 1, 3)
    assert (result.credits_vnd, result.debits_vnd) == (0, 11_000)
    assert result.new_credit_line_ids == ()
    assert result.findings == ()  # day 1 of the MT940 continues from nothing stored before it
    assert [line.bank_reference for line in stored_lines(db_session)][-1] == "FT26306000009"
    assert len(stored_lines(db_session)) == 8


def test_two_identical_transactions_in_one_statement_are_both_kept(db_session):
    add_account(db_session)
    result = run_import(db_session, duplicate_same_day_vnd())
    assert (result.lines, result.duplicates_skipped) == (2, 0)
    amounts = [(line.amount_vnd, line.remittance_text) for line in stored_lines(db_session)]
    assert amounts == [(-45_000, "CARD PAYMENT CITY COFFEE")] * 2
    assert [f["kind"] for f in result.findings] == ["no_balances"]


def test_a_repeated_reference_is_kept_within_a_statement_and_skipped_when_delivered_again(
    db_session,
):
    add_account(db_session)
    twice = ["C50000,NTRFNONREF//FT1", "C50000,NTRFNONREF//FT1"]
    first = run_import(db_session, mt940("261103", 0, 100000, twice))
    assert (first.lines, first.duplicates_skipped) == (2, 0)
    thrice = run_import(db_session, mt940("261103", 0, 150000, [*twice, twice[0]]))
    assert (thrice.lines, thrice.duplicates_skipped) == (1, 2)


def test_balances_that_do_not_tie_are_imported_with_a_visible_finding(db_session):
    add_account(db_session)
    data = fixture("camt053v08_vnd.xml").replace(
        b'<Amt Ccy="VND">11483500</Amt>', b'<Amt Ccy="VND">11480000</Amt>', 1
    )
    result = run_import(db_session, data)
    assert result.lines == 7
    kinds = [(f["statement"], f["kind"]) for f in result.findings]
    assert kinds == [
        ("statement 0011000000001-20261101", "balance_mismatch"),
        ("statement 0011000000001-20261102", "continuity_break"),
    ]
    mismatch = result.findings[0]
    assert (mismatch["expected"], mismatch["actual"]) == (11_483_500, 11_480_000)
    stored = list(db_session.scalars(select(BankStatement).order_by(BankStatement.id)))
    assert [f["kind"] for f in stored[0].findings] == ["balance_mismatch"]
    assert [f["kind"] for f in stored[1].findings] == ["continuity_break"]


def test_continuity_is_checked_against_statements_already_stored(db_session):
    add_account(db_session)
    run_import(db_session, fixture("camt053v08_vnd.xml"))  # day 2 closes at 11,683,500
    gap_file = mt940("261103", 11_000_000, 11_050_000, ["C50000,NTRFNONREF//FT9"])
    gap = run_import(db_session, gap_file)
    assert [f["kind"] for f in gap.findings] == ["continuity_break"]
    assert "0011000000001-20261102" in gap.findings[0]["detail"]
    assert (gap.findings[0]["expected"], gap.findings[0]["actual"]) == (11_683_500, 11_000_000)

    tied = run_import(db_session, mt940("261104", 11_050_000, 11_050_000, []))
    assert tied.findings == ()

    # a late statement for a day before a stored one must close where that one opens
    late = run_import(db_session, mt940("261031", 9_500_000, 9_500_000, []))
    assert [f["kind"] for f in late.findings] == ["continuity_break"]
    assert (late.findings[0]["expected"], late.findings[0]["actual"]) == (9_500_000, 10_000_000)


@pytest.mark.parametrize(
    "name",
    ["genkgo_camt053v08.xml", "genkgo_camt052v08.xml", "mt940_citi_blank_entry_date.txt"],
)
def test_a_foreign_currency_statement_is_refused_naming_it_and_nothing_is_written(db_session, name):
    add_account(db_session)
    with pytest.raises(ImportRejected) as caught:
        run_import(db_session, fixture(name), name)
    assert "nothing was imported" in str(caught.value)
    assert "only VND statements" in caught.value.problems[0].detail
    assert row_counts(db_session) == NOTHING


def test_one_refused_statement_refuses_the_whole_file(db_session):
    add_account(db_session)
    data = fixture("camt053v08_vnd.xml").replace(
        b'<Amt Ccy="VND">200000</Amt>', b'<Amt Ccy="USD">200000</Amt>'
    )
    with pytest.raises(ImportRejected) as caught:
        run_import(db_session, data)
    assert [p.detail.split(" is in ")[0] for p in caught.value.problems] == [
        "statement 0011000000001-20261102"
    ]
    assert row_counts(db_session) == NOTHING


def test_an_unknown_account_is_refused_naming_the_account(db_session):
    add_account(db_session, "0011000000999")
    with pytest.raises(ImportRejected) as caught:
        run_import(db_session, fixture("mt940_vnd.sta"))
    details = [p.detail for p in caught.value.problems]
    assert len(details) == 2
    assert details[0].startswith(f"account {OUR_ACCOUNT} of statement STMT20261101")
    assert "not a registered collection account" in details[0]
    assert row_counts(db_session) == NOTHING


def test_a_file_without_an_account_needs_one_given_and_a_given_one_must_agree(db_session):
    add_account(db_session)
    with pytest.raises(ImportRejected, match="1 problem") as caught:
        run_import(db_session, fixture("generic_vnd.csv"))
    assert "names no account" in caught.value.problems[0].detail

    with pytest.raises(ImportRejected) as caught:
        run_import(db_session, fixture("vietcombank_vnd.csv"), account_number="0011000000999")
    assert "not 0011000000999 as given" in caught.value.problems[0].detail
    assert row_counts(db_session) == NOTHING

    result = run_import(db_session, fixture("generic_vnd.csv"), account_number=OUR_ACCOUNT)
    assert (result.lines, result.credits_vnd, result.debits_vnd) == (3, 200_000, 20_000)


def test_an_mt940_account_with_a_bank_code_prefix_is_found(db_session):
    add_account(db_session)
    result = run_import(db_session, mt940("261105", 0, 0, [], account=f"VCBVVNVX/{OUR_ACCOUNT}"))
    assert result.statements == 1


def test_hostile_xml_is_refused_before_any_entity_is_read(db_session, tmp_path):
    add_account(db_session)
    with pytest.raises(StatementFormatError, match="DOCTYPE declaration is refused") as caught:
        run_import(db_session, BILLION_LAUGHS)
    assert "lollol" not in str(caught.value)

    secret = tmp_path / "secret.txt"
    secret.write_text("CANARY-7f3a")
    with pytest.raises(StatementFormatError, match="DOCTYPE declaration is refused") as caught:
        run_import(db_session, external_entity(secret))
    assert "CANARY" not in str(caught.value)
    assert row_counts(db_session) == NOTHING


def test_a_200_mb_file_is_refused_before_it_is_hashed_or_parsed(db_session):
    add_account(db_session)
    huge = b"<" + b" " * (200 * 1024 * 1024)
    tracemalloc.start()
    try:
        with pytest.raises(StatementFormatError, match="the limit is 52,428,800 bytes"):
            run_import(db_session, huge)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5 * 1024 * 1024  # no copy of the 200 MB was made
    assert row_counts(db_session) == NOTHING


def test_a_format_that_does_not_match_the_content_is_refused(db_session):
    add_account(db_session)
    with pytest.raises(StatementFormatError, match="not camt054"):
        run_import(db_session, fixture("camt053v08_vnd.xml"), fmt="camt054")


def test_stored_lines_cannot_be_changed(db_session):
    add_account(db_session)
    run_import(db_session, fixture("mt940_vnd.sta"))
    line = stored_lines(db_session)[0]
    line.amount_vnd = 1
    with pytest.raises(ImmutableRecord, match="cannot be changed"):
        db_session.flush()
    db_session.rollback()
