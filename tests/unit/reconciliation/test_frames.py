"""Frame contracts: a wrong dtype, a missing column or a bad value is refused, naming where."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from payrecon.errors import InvalidInput
from payrecon.reconciliation import frames as f
from tests.unit.reconciliation.builders import credit, payment

DAY = date(2026, 11, 24)


def payments_frame(**overrides) -> pd.DataFrame:
    return f.frame_from_records(f.PAYMENTS, [payment(1, 100_000, paid=DAY, **overrides)])


def refused(frame: pd.DataFrame, contract: f.FrameContract) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        f.check_frame(frame, contract)
    return caught.value


def test_built_frames_have_the_documented_dtypes():
    frame = payments_frame()
    assert list(frame.columns) == f.PAYMENTS.column_names
    assert str(frame["amount_vnd"].dtype) == "int64"
    assert str(frame["settlement_batch_id"].dtype) == "int64"
    assert isinstance(frame["paid_at"].dtype, pd.DatetimeTZDtype)
    lines = f.frame_from_records(f.BANK_LINES, [credit(1, 5_000, "x", DAY)])
    assert lines["booking_date"].dtype == "datetime64[ns]"
    assert lines["bank_reference"].tolist() == [""]


def test_float_money_is_refused_naming_the_column():
    frame = payments_frame().astype({"amount_vnd": "float64"})
    error = refused(frame, f.PAYMENTS)
    assert error.where == "payments.amount_vnd"
    assert "must be int64, got float64" in str(error)


def test_nullable_integer_ids_are_refused():
    frame = payments_frame().astype({"settlement_batch_id": "Int64"})
    assert refused(frame, f.PAYMENTS).where == "payments.settlement_batch_id"


def test_a_missing_column_is_named():
    error = refused(payments_frame().drop(columns=["reference"]), f.PAYMENTS)
    assert str(error) == "payments lacks column(s) reference"


def test_a_status_outside_the_vocabulary_is_refused():
    error = refused(payments_frame().assign(status="paid"), f.PAYMENTS)
    assert error.where == "payments.status"
    assert "'paid'" in str(error)


def test_a_repeated_id_is_refused():
    frame = pd.concat([payments_frame(), payments_frame()], ignore_index=True)
    assert "repeats 1" in str(refused(frame, f.PAYMENTS))


def test_naive_timestamps_are_refused():
    frame = payments_frame()
    frame["created_at"] = frame["created_at"].dt.tz_localize(None)
    assert "tz-aware" in str(refused(frame, f.PAYMENTS))
    with pytest.raises(InvalidInput, match="naive datetime"):
        f.frame_from_records(f.PAYMENTS, [payment(1, 1, paid=DAY, created_at=datetime(2026, 1, 1))])


def test_a_date_with_a_time_of_day_is_refused():
    lines = f.frame_from_records(f.BANK_LINES, [credit(1, 5_000, "x", DAY)])
    lines["booking_date"] = lines["booking_date"] + pd.Timedelta(hours=3)
    assert "calendar date" in str(refused(lines, f.BANK_LINES))


def test_a_credit_must_be_positive_and_a_debit_negative():
    lines = f.frame_from_records(f.BANK_LINES, [credit(1, 5_000, "x", DAY)])
    error = refused(lines.assign(direction="D"), f.BANK_LINES)
    assert "line 1 is 5000 with direction D" in str(error)


def test_a_settlement_row_whose_net_is_not_gross_minus_fee_is_refused():
    row = {
        "batch_id": 1,
        "batch_reference": "B",
        "settlement_date": DAY,
        "reference": "R",
        "gross_vnd": 100,
        "fee_vnd": 2,
        "net_vnd": 97,
    }
    with pytest.raises(InvalidInput, match="not gross 100 - fee 2"):
        f.frame_from_records(f.SETTLEMENTS, [row])


def test_a_payment_settled_twice_is_refused():
    row = {
        "batch_id": 1,
        "batch_reference": "B",
        "settlement_date": DAY,
        "reference": "R",
        "gross_vnd": 100,
        "fee_vnd": 2,
        "net_vnd": 98,
    }
    with pytest.raises(InvalidInput, match="settled twice"):
        f.frame_from_records(f.SETTLEMENTS, [row, {**row, "batch_id": 2}])


def test_is_in_agrees_with_isin_for_large_string_sets():
    values = pd.Series([f"D{n}" for n in range(200)], dtype="str")
    allowed = pd.Index([f"D{n}" for n in range(0, 400, 3)], dtype="str")
    assert f.is_in(values, allowed).tolist() == values.isin(allowed).tolist()


def test_empty_frames_pass_their_own_contract():
    for contract in (*f.INPUT_CONTRACTS, f.MATCHES, f.PROPOSALS, f.EXCEPTIONS, f.AWAITING):
        f.check_frame(f.empty_frame(contract), contract)


def test_timestamps_read_in_any_zone_are_kept_as_moments():
    frame = payments_frame(paid_at=datetime(2026, 11, 23, 17, 30, tzinfo=UTC))
    assert frame["paid_at"].iloc[0] == pd.Timestamp("2026-11-24 00:30", tz="Asia/Ho_Chi_Minh")
