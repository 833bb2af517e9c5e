"""Reading the CSV files people hand us: UTF-8 (BOM tolerated), a header row, line numbers kept.

Pure: bytes in, rows out. Every row problem is collected, not just the first, so one
import attempt tells the sender everything that is wrong with the file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from payrecon.errors import ImportRejected, Problem


@dataclass(frozen=True)
class CsvRow:
    line: int  # 1-based physical line where the record starts (the header is line 1)
    values: dict[str, str]


def read_csv(
    data: bytes, *, source: str, columns: Sequence[str], optional: Sequence[str] = ()
) -> list[CsvRow]:
    """Decode, check the header names exactly the expected columns, return stripped rows.

    `optional` columns may follow the expected ones, in their order, so a format can grow
    without breaking older files: the header may end after any of them. A row's values hold
    the columns its header named, no others.

    Raises ImportRejected for undecodable bytes, a wrong header or rows with the wrong
    number of fields (all such rows at once).
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportRejected(
            source, [Problem(f"line {line}", f"not UTF-8 text (byte {exc.start})")]
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportRejected(source, [Problem("line 1", "the file is empty")]) from None
    header = [name.strip() for name in header]
    allowed = [list(columns) + list(optional[:n]) for n in range(len(optional) + 1)]
    if header not in allowed:
        missing = [name for name in columns if name not in header]
        extra = [name for name in header if name not in columns and name not in optional]
        detail = f"the header must be {','.join(columns)}"
        if optional:
            detail += f" (optionally followed by {','.join(optional)})"
        if missing:
            detail += f"; missing: {', '.join(missing)}"
        if extra:
            detail += f"; unexpected: {', '.join(extra)}"
        raise ImportRejected(source, [Problem("line 1", detail)])
    columns = header
    rows: list[CsvRow] = []
    problems: list[Problem] = []
    start = reader.line_num + 1
    for fields in reader:
        line = start
        start = reader.line_num + 1
        if not fields or all(not field.strip() for field in fields):
            continue
        if len(fields) != len(columns):
            problems.append(
                Problem(f"line {line}", f"{len(fields)} fields, expected {len(columns)}")
            )
            continue
        rows.append(CsvRow(line, {n: f.strip() for n, f in zip(columns, fields, strict=True)}))
    if problems:
        raise ImportRejected(source, problems)
    return rows


def duplicate_problems(rows: Iterable[CsvRow], column: str) -> list[Problem]:
    """A problem for every row whose `column` value already appeared earlier in the file."""
    first_seen: dict[str, int] = {}
    problems = []
    for row in rows:
        value = row.values[column]
        if value in first_seen:
            problems.append(
                Problem(
                    f"line {row.line}, column {column}",
                    f"{value!r} appears twice in the file (first on line {first_seen[value]})",
                )
            )
        else:
            first_seen[value] = row.line
    return problems


def by_line(problems: list[Problem]) -> list[Problem]:
    """Problems in file order ("line N, column C" sorts by N, then as found)."""

    def line_number(problem: Problem) -> int:
        head = problem.where.split(",")[0]
        return int(head.removeprefix("line ")) if head.startswith("line ") else 0

    return sorted(problems, key=line_number)
