"""A VNPAY-style gateway settlement report (CSV), as one ``ParsedSettlement`` per batch.

VNPAY publishes no settlement file format, so this is our contract with whoever exports it
(UTF-8, header row, one payment per line)::

    vnp_TxnRef,vnp_TransactionNo,pay_date,gross_vnd,fee_vnd,net_vnd,settlement_batch_id,settlement_date

plus an optional ``batch_net_vnd`` column: the amount the gateway says it paid out for the batch,
repeated on each of the batch's lines. The gateway pays each batch as a single bank credit of its
net total, which is what reconciliation matches. ``pay_date`` may be ``yyyy-mm-dd[ HH:MM[:SS]]``,
``dd/mm/yyyy[ HH:MM[:SS]]`` or VNPAY's ``yyyyMMddHHmmss``. Every problem in the file is reported
at once (``ImportRejected``): bad values, gross - fee != net, a payment listed twice, a batch
with two settlement dates, or a stated batch total that is not the sum of its lines.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date

from payrecon.errors import ImportRejected, Problem, StatementFormatError
from payrecon.statements.bank_cells import parse_bank_date, parse_vnd
from payrecon.statements.parsed import ParsedSettlement, SettlementRow

REQUIRED_COLUMNS = (
    "vnp_TxnRef",
    "vnp_TransactionNo",
    "pay_date",
    "gross_vnd",
    "fee_vnd",
    "net_vnd",
    "settlement_batch_id",
    "settlement_date",
)
OPTIONAL_COLUMNS = ("batch_net_vnd",)
_VNPAY_TIMESTAMP = re.compile(r"(\d{4})(\d{2})(\d{2})\d{6}")


def _pay_date(value: str) -> date | None:
    if match := _VNPAY_TIMESTAMP.fullmatch(value.strip()):
        return date(*(int(part) for part in match.groups()))
    text = value.strip()
    order = "iso" if re.match(r"\d{4}-", text) else "dmy"
    return parse_bank_date(text[:10] if order == "iso" else text, order)


def _settlement_date(value: str) -> date | None:
    text = value.strip()
    return parse_bank_date(text, "iso" if re.match(r"\d{4}-", text) else "dmy")


def parse_settlement_csv(data: bytes, *, source: str = "settlement.csv") -> list[ParsedSettlement]:
    """All batches in the report, in order of first appearance."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StatementFormatError(f"not UTF-8: {exc.reason}", where=source) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise StatementFormatError(
            f"settlement report lacks column(s) {', '.join(missing)}; expected "
            + ",".join(REQUIRED_COLUMNS),
            where=f"{source}, line 1",
        )
    reader.fieldnames = header
    physical = text.splitlines()
    problems: list[Problem] = []
    rows_by_batch: dict[str, list[SettlementRow]] = {}
    dates_by_batch: dict[str, date] = {}
    stated_totals: dict[str, tuple[int, int]] = {}  # batch -> (stated net, line)
    first_line_of: dict[tuple[str, str], int] = {}
    start = 2
    for record in reader:
        end = reader.line_num
        line = start
        raw = "\n".join(physical[start - 1 : end])
        start = end + 1
        if not any((value or "").strip() for value in record.values()):
            continue

        def problem(column: str | None, detail: str, line: int = line) -> None:
            where = f"line {line}" + (f", column {column}" if column else "")
            problems.append(Problem(where, detail))

        def read(column: str, parse, record: dict = record):
            value = (record.get(column) or "").strip()
            if not value:
                problem(column, "is empty")
                return None
            try:
                return parse(value)
            except ValueError as exc:
                problem(column, str(exc))
                return None

        reference = read("vnp_TxnRef", str)
        transaction_no = read("vnp_TransactionNo", str)
        pay_date = read("pay_date", _pay_date)
        gross, fee, net = (read(name, parse_vnd) for name in ("gross_vnd", "fee_vnd", "net_vnd"))
        batch_id = read("settlement_batch_id", str)
        settled_on = read("settlement_date", _settlement_date)
        if gross == 0:
            problem("gross_vnd", "a settled payment cannot be 0 VND")
        if None not in (gross, fee, net) and gross - fee != net:
            problem("net_vnd", f"gross {gross} - fee {fee} = {gross - fee}, but net is {net}")
        for column, value in (("vnp_TxnRef", reference), ("vnp_TransactionNo", transaction_no)):
            if value is None:
                continue
            earlier = first_line_of.setdefault((column, value), line)
            if earlier != line:
                problem(column, f"{value!r} is already listed on line {earlier}")
        if batch_id is not None and settled_on is not None:
            known = dates_by_batch.setdefault(batch_id, settled_on)
            if known != settled_on:
                problem("settlement_date", f"batch {batch_id} is also dated {known}")
        if record.get("batch_net_vnd", "").strip() and batch_id is not None:
            stated = read("batch_net_vnd", parse_vnd)
            if stated is not None:
                previous = stated_totals.setdefault(batch_id, (stated, line))
                if previous[0] != stated:
                    problem("batch_net_vnd", f"line {previous[1]} states {previous[0]}")
        if None in (reference, transaction_no, pay_date, gross, fee, net, batch_id, settled_on):
            continue
        rows_by_batch.setdefault(batch_id, []).append(
            SettlementRow(reference, transaction_no, pay_date, gross, fee, net, line, raw)
        )
    batches = [
        ParsedSettlement(batch_id, dates_by_batch[batch_id], tuple(rows))
        for batch_id, rows in rows_by_batch.items()
    ]
    for batch in batches:
        stated, line = stated_totals.get(batch.batch_id, (batch.net_total, 0))
        if stated != batch.net_total:
            problems.append(
                Problem(
                    f"line {line}, column batch_net_vnd",
                    f"batch {batch.batch_id} states {stated} VND net but its lines add up "
                    f"to {batch.net_total}",
                )
            )
    if not batches and not problems:
        raise StatementFormatError("settlement report has no payment lines", where=source)
    if problems:
        raise ImportRejected(source, problems)
    return batches
