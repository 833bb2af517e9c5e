"""Settlement report imports and the frames reconciliation loads, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from payrecon.errors import ImportRejected
from payrecon.statements import queries, service
from tests.integration.statements.helpers import (
    NOTHING,
    add_account,
    fixture,
    mt940,
    row_counts,
)

HEADER = (
    b"vnp_TxnRef,vnp_TransactionNo,pay_date,gross_vnd,fee_vnd,net_vnd,"
    b"settlement_batch_id,settlement_date\n"
)


def import_settlements(session, data: bytes):
    return service.import_settlement_file(session, data, filename="settlement.csv", actor="test")


def test_a_settlement_report_imports_its_batches_once(db_session):
    result = import_settlements(db_session, fixture("settlement_vnpay.csv"))
    assert (result.batches, result.lines) == (2, 3)
    assert (result.gross_vnd, result.fee_vnd, result.net_vnd) == (1_700_000, 18_700, 1_681_300)
    assert len(result.batch_ids) == 2
    again = import_settlements(db_session, fixture("settlement_vnpay.csv"))
    assert again.already_imported is True
    assert "already imported" in again.summary()


def test_a_batch_repeated_line_for_line_is_skipped_and_a_changed_one_refused(db_session):
    import_settlements(db_session, fixture("settlement_vnpay.csv"))
    before = row_counts(db_session)
    repeated = fixture("settlement_vnpay.csv") + (
        b"PRD9X7W3QK,14110009,2026-11-01 08:00:00,100000,1100,98900,STL-20261101-01,2026-11-02\n"
    )
    result = import_settlements(db_session, repeated)
    assert (result.batches, result.lines, result.batches_already_stored) == (1, 1, 2)
    assert row_counts(db_session)["settlement_lines"] == before["settlement_lines"] + 1

    changed = HEADER + (
        b"PRK7M2Q9XA,14110001,2026-10-31 09:12:00,500000,5000,495000,STL-20261031-01,2026-11-01\n"
    )
    with pytest.raises(ImportRejected) as caught:
        import_settlements(db_session, changed)
    assert "batch STL-20261031-01 was imported before" in caught.value.problems[0].detail

    moved = HEADER + (
        b"PRK7M2Q9XA,14110001,2026-10-31 09:12:00,500000,5500,494500,STL-20261105-01,2026-11-05\n"
    )
    with pytest.raises(ImportRejected) as caught:
        import_settlements(db_session, moved)
    assert caught.value.problems[0].where == "line 2, column vnp_TransactionNo"
    assert "already stored in batch STL-20261031-01" in caught.value.problems[0].detail


def test_a_bad_settlement_report_writes_nothing(db_session):
    bad = HEADER + b"PRK7M2Q9XA,14110001,2026-10-31,500000,5500,490000,STL-1,2026-11-01\n"
    with pytest.raises(ImportRejected) as caught:
        import_settlements(db_session, bad)
    assert caught.value.problems[0].where == "line 2, column net_vnd"
    assert row_counts(db_session) == NOTHING


def test_the_settlements_frame_has_one_int64_row_per_payment(db_session):
    import_settlements(db_session, fixture("settlement_vnpay.csv"))
    frame = queries.load_settlements_frame(db_session, date(2026, 11, 1), date(2026, 11, 1))
    assert list(frame["reference"]) == ["PRK7M2Q9XA", "PRB4N8T1ZC", "PRC2D5F8GH"]
    assert list(frame["batch_reference"]) == ["STL-20261031-01"] * 2 + ["STL-20261031-02"]
    assert list(frame["net_vnd"]) == [494_500, 989_000, 197_800]
    for column in ("batch_id", "gross_vnd", "fee_vnd", "net_vnd"):
        assert frame[column].dtype == "int64"
    assert frame["batch_id"].nunique() == 2
    assert str(frame["settlement_date"].dtype).startswith("datetime64")
    assert queries.load_settlements_frame(db_session, date(2026, 11, 2), date(2026, 12, 1)).empty


def test_the_bank_lines_frame_splits_explained_batches_and_keeps_money_int64(db_session):
    add_account(db_session)
    service.import_statement_file(
        db_session, fixture("camt053v08_vnd.xml"), filename="camt", actor="test"
    )
    frame = queries.load_bank_lines_frame(db_session, date(2026, 11, 1), date(2026, 11, 1))
    # the pending fee is left out; the batch of 1,483,500 becomes its two explained transfers
    assert list(frame["amount_vnd"]) == [50_000, 494_500, 989_000, -50_000]
    assert list(frame["direction"]) == ["C", "C", "C", "D"]
    assert list(frame["is_reversal"]) == [False, False, False, True]
    assert list(frame["kind"]) == ["entry", "detail", "detail", "entry"]
    batch_keys = list(frame["batch_key"])
    assert batch_keys[0] == batch_keys[3] == ""
    assert batch_keys[1] == batch_keys[2] == str(frame["entry_line_id"][1])
    assert list(frame["batch_reference"]) == ["", "STL-20261031-01", "STL-20261031-01", ""]
    assert list(frame["remittance_text"]) == [
        "PRK7M2Q9XA nop phi HS000123",
        "VNPAY PRK7M2Q9XA",
        "VNPAY PRB4N8T1ZC",
        "HOAN TRA GD FT26305000001",
    ]
    assert list(frame["bank_reference"]) == ["FT26305000001", "", "", "FT26305000003"]
    for column in ("line_id", "account_id", "amount_vnd", "statement_id", "entry_line_id"):
        assert frame[column].dtype == "int64", column
    assert str(frame["booking_date"].dtype).startswith("datetime64")

    day_two = queries.load_bank_lines_frame(db_session, date(2026, 11, 2), date(2026, 11, 2))
    # only a structured creditor reference: it is the text the engine searches
    assert list(day_two["remittance_text"]) == ["RF18PRC2D5F8GH"]


def test_a_batch_whose_details_do_not_add_up_stays_one_row(db_session):
    add_account(db_session)
    data = fixture("camt053v08_vnd.xml").replace(
        b'<Amt Ccy="VND">989000</Amt>', b'<Amt Ccy="VND">988000</Amt>'
    )
    result = service.import_statement_file(db_session, data, filename="camt", actor="test")
    assert [f["kind"] for f in result.findings] == ["batch_total_mismatch"]
    frame = queries.load_bank_lines_frame(db_session, date(2026, 11, 1), date(2026, 11, 1))
    assert list(frame["kind"]) == ["entry", "batch", "entry"]
    assert list(frame["amount_vnd"]) == [50_000, 1_483_500, -50_000]
    assert frame["batch_key"][1] == str(frame["line_id"][1])


def test_an_empty_window_gives_an_empty_frame_with_the_same_dtypes(db_session):
    add_account(db_session)
    service.import_statement_file(
        db_session, mt940("261103", 0, 0, ["C0,NTRFNONREF//Z"]), filename="m", actor="test"
    )
    frame = queries.load_bank_lines_frame(db_session, date(2026, 11, 3), date(2026, 11, 3))
    assert frame.empty  # a 0 VND line is information, not money
    assert list(frame.columns) == list(queries.BANK_LINE_COLUMNS)
    assert frame["amount_vnd"].dtype == "int64"
    assert frame["line_id"].dtype == "int64"
