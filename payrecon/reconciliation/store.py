"""Writing a run's rows fast: COPY on PostgreSQL, executemany elsewhere.

A nightly run at scale writes a million match rows; an INSERT per row (even batched) costs
tens of seconds on PostgreSQL where COPY costs a few. The rows are plain dicts in column order.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
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


def insert_frame(session: Session, table: Table, frame: pd.DataFrame) -> None:
    """Insert the rows of `frame`, whose columns are named as `table`'s, in the session's
    transaction; a missing value (a nullable column's NA) is NULL.

    On PostgreSQL the frame is written as one CSV text by pyarrow and sent by COPY: a million
    rows cost a second that way, where a COPY row by row from Python tuples costs several.
    """
    if frame.empty:
        return
    columns = list(frame.columns)
    if session.get_bind().dialect.name != "postgresql" or len(frame) < COPY_THRESHOLD:
        rows = [tuple(map(_plain, row)) for row in frame.itertuples(index=False, name=None)]
        insert_rows(session, table, columns, rows)
        return
    text = io.BytesIO()
    pa_csv.write_csv(
        pa.Table.from_pandas(frame, preserve_index=False),
        text,
        write_options=pa_csv.WriteOptions(include_header=False, quoting_style="needed"),
    )
    connection = session.connection().connection.driver_connection
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)"
    with connection.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
        copy.write(text.getbuffer())


def _plain(value: object) -> object:
    """A frame's value as the database driver takes it: NA as None, numpy scalars as Python."""
    if value is None or value is pd.NA:
        return None
    item = getattr(value, "item", None)
    return item() if callable(item) else value
