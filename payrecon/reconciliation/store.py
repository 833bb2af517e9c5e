"""Writing a run's rows fast: COPY on PostgreSQL, executemany elsewhere.

A nightly run at scale writes a million match rows; an INSERT per row (even batched) costs
tens of seconds on PostgreSQL where COPY costs a few. The rows are plain dicts in column order.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

COPY_THRESHOLD = 2000  # fewer rows than this: a plain executemany is as quick


def insert_rows(
    session: Session,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    json_columns: Sequence[str] = (),
) -> None:
    """Insert `rows` (tuples in `columns` order) into `table` in the session's transaction.

    Values of `json_columns` are Python dicts; COPY gets them as JSON text.
    """
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql" and len(rows) >= COPY_THRESHOLD:
        connection = session.connection().connection.driver_connection
        names = ", ".join(columns)
        positions = [list(columns).index(name) for name in json_columns]
        statement = f"COPY {table.name} ({names}) FROM STDIN"
        with connection.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
            for row in rows:
                if positions:
                    row = list(row)
                    for position in positions:
                        row[position] = json.dumps(row[position], ensure_ascii=False)
                copy.write_row(row)
        return
    session.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
