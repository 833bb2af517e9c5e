"""Storing a run's rows: COPY of a whole frame on PostgreSQL, INSERTs elsewhere, same rows."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from payrecon.db import utcnow
from payrecon.reconciliation.models import ReconciliationMatch, ReconciliationRun
from payrecon.reconciliation.store import COPY_THRESHOLD, insert_frame


@pytest.mark.parametrize("count", [3, COPY_THRESHOLD + 1])
def test_a_frame_is_stored_as_it_is_with_na_as_null(db_session, count):
    run = ReconciliationRun(
        business_date=date(2026, 11, 24),
        window_start=date(2026, 11, 24),
        parameters={},
        status="running",
        started_at=utcnow(),
        started_by="test",
        exception_counts={},
        summary=[],
    )
    db_session.add(run)
    db_session.flush()
    numbers = np.arange(1, count + 1, dtype=np.int64)
    frame = pd.DataFrame(
        {
            "run_id": np.full(count, run.id, dtype=np.int64),
            "match_no": numbers,
            "rule": pd.array(np.where(numbers % 2, "reference_amount", 'odd, "quoted"'), "str"),
            "payment_id": pd.array(np.where(numbers % 3 == 0, None, numbers), dtype="Int64"),
            "line_id": numbers * 10,
            "amount_vnd": numbers * 1_000,
            "fee_vnd": np.zeros(count, dtype=np.int64),
            "confidence": np.where(numbers % 2, 1.0, 0.9),
        }
    )
    insert_frame(db_session, ReconciliationMatch.__table__, frame)
    table = ReconciliationMatch.__table__
    stored = db_session.execute(
        select(*(table.c[name] for name in frame.columns))
        .where(table.c.run_id == run.id)
        .order_by(table.c.match_no)
    ).all()
    expected = [
        tuple(None if value is pd.NA else value for value in row)
        for row in frame.astype(object).itertuples(index=False, name=None)
    ]
    assert [tuple(row) for row in stored] == expected
    assert stored[2].payment_id is None
    assert stored[1].rule == 'odd, "quoted"'
