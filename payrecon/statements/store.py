"""The database half of a statement import: account lookups, stored neighbours, bulk inserts.

Called only by ``service.import_statement_file``, inside its transaction; nothing here commits.
Decisions are made by the pure functions of ``plan`` and ``balances``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date

from sqlalchemy import func, insert, or_, select, text
from sqlalchemy.orm import Session

from payrecon.catalog.models import CollectionAccount
from payrecon.catalog.queries import find_collection_account
from payrecon.errors import ImportRejected, Problem
from payrecon.faults import fault_point
from payrecon.statements import plan
from payrecon.statements.balances import (
    Finding,
    check_batch_totals,
    check_continuity,
    check_statement_balances,
)
from payrecon.statements.models import BankStatement, StatementLine
from payrecon.statements.parsed import ParsedLine, ParsedStatement

INSERT_CHUNK = 10_000
LINES = StatementLine.__table__


def resolve_accounts(
    session: Session,
    statements: Sequence[ParsedStatement],
    account_number: str | None,
    source: str,
) -> list[CollectionAccount]:
    """The collection account of each statement; every refusal in the file is reported at once."""
    problems: list[Problem] = []
    accounts: list[CollectionAccount] = []
    given = plan.account_candidates(account_number)
    for statement in statements:
        refused = plan.currency_problems(statement)
        if refused:  # not ours whatever the account: say that, and only that
            problems += refused
            continue
        named = plan.account_candidates(statement.account_id)
        if not named and not given:
            problems.append(
                Problem(
                    statement.location,
                    f"{plan.describe(statement)} names no account; give the account number "
                    "(--account on the command line, the 'account' field in the API)",
                )
            )
            continue
        if named and given and not set(named) & set(given):
            problems.append(
                Problem(
                    statement.location,
                    f"{plan.describe(statement)} is for account {statement.account_id}, "
                    f"not {account_number} as given",
                )
            )
            continue
        account = next(
            (
                found
                for number in named or given
                if (found := find_collection_account(session, account_number=number))
            ),
            None,
        )
        if account is None:
            problems.append(
                Problem(
                    statement.location,
                    f"account {statement.account_id or account_number} of "
                    f"{plan.describe(statement)} is not a registered collection account "
                    "(payrecon accounts add)",
                )
            )
            continue
        accounts.append(account)
    if problems:
        raise ImportRejected(source, problems)
    return accounts


def statement_findings(
    session: Session, statements: Sequence[ParsedStatement], accounts: Sequence[CollectionAccount]
) -> list[list[Finding]]:
    """Per statement: balances, batch totals, and continuity in the file and with stored ones."""
    findings = [check_statement_balances(s) + check_batch_totals(s) for s in statements]
    position_of = {s.location: i for i, s in enumerate(statements)}
    for finding in check_continuity(statements):
        findings[position_of[finding.where]].append(finding)
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    for position, (statement, account) in enumerate(zip(statements, accounts, strict=True)):
        if statement.opening_balance and statement.closing_balance:
            first.setdefault(account.id, position)
            last[account.id] = position
    for account_id, position in first.items():
        statement = statements[position]
        earlier = _neighbour(session, account_id, plan.statement_period(statement)[1], before=True)
        if earlier is not None and statement.opening_balance is not None:
            found = plan.continuity_finding(
                where=statement.location,
                earlier=_stored_name(earlier),
                closed=earlier.closing_balance_vnd or 0,
                later=plan.describe(statement),
                opened=statement.opening_balance.amount,
                account=accounts[position].account_number,
            )
            findings[position] += [found] if found else []
    for account_id, position in last.items():
        statement = statements[position]
        later = _neighbour(session, account_id, plan.statement_period(statement)[1], before=False)
        if later is not None and statement.closing_balance is not None:
            found = plan.continuity_finding(
                where=statement.location,
                earlier=plan.describe(statement),
                closed=statement.closing_balance.amount,
                later=_stored_name(later),
                opened=later.opening_balance_vnd or 0,
                account=accounts[position].account_number,
            )
            findings[position] += [found] if found else []
    return findings


def _stored_name(statement: BankStatement) -> str:
    ref = statement.statement_ref or f"#{statement.id}"
    return f"stored statement {ref} of {statement.period_end} (from {statement.source_filename})"


def _neighbour(
    session: Session, account_id: int, period_end: date | None, *, before: bool
) -> BankStatement | None:
    """The stored statement with balances right before (or after) ``period_end`` on the account."""
    if period_end is None:
        return None
    query = select(BankStatement).where(
        BankStatement.account_id == account_id,
        BankStatement.opening_balance_vnd.is_not(None),
        BankStatement.closing_balance_vnd.is_not(None),
    )
    if before:
        query = query.where(BankStatement.period_end < period_end).order_by(
            BankStatement.period_end.desc(), BankStatement.id.desc()
        )
    else:
        query = query.where(BankStatement.period_end > period_end).order_by(
            BankStatement.period_end, BankStatement.id
        )
    return session.scalars(query.limit(1)).first()


def stored_counts(
    session: Session, statements: Sequence[ParsedStatement], accounts: Sequence[CollectionAccount]
) -> dict[int, Counter[plan.DuplicateKey]]:
    """Per account, how many stored money lines share each duplicate key of the new lines.

    The accounts' rows are locked first (FOR UPDATE on PostgreSQL; SQLite transactions are
    serialised anyway), so two overlapping files imported at once cannot both store a line:
    the second waits, then sees the first's lines.
    """
    wanted: dict[int, set[plan.DuplicateKey]] = {}
    for statement, account in zip(statements, accounts, strict=True):
        keys = wanted.setdefault(account.id, set())
        keys.update(k for line in statement.lines if (k := plan.duplicate_key(line)) is not None)
    session.execute(
        select(CollectionAccount.id)
        .where(CollectionAccount.id.in_(sorted(wanted)))
        .order_by(CollectionAccount.id)
        .with_for_update()
    ).all()
    counters: dict[int, Counter[plan.DuplicateKey]] = {}
    for account_id, keys in wanted.items():
        counter: Counter[plan.DuplicateKey] = Counter()
        counters[account_id] = counter
        dates = [k[0] for k in keys if k[0] is not None]
        if not keys:
            continue
        windows = [StatementLine.booking_date.between(min(dates), max(dates))] if dates else []
        if len(dates) < len(keys):
            windows.append(StatementLine.booking_date.is_(None))
        query = (
            select(
                StatementLine.booking_date,
                StatementLine.bank_reference,
                StatementLine.amount_vnd,
                func.count(),
            )
            .where(
                StatementLine.account_id == account_id,
                StatementLine.kind != "detail",
                StatementLine.bank_reference.is_not(None),
                or_(*windows),
            )
            .group_by(
                StatementLine.booking_date, StatementLine.bank_reference, StatementLine.amount_vnd
            )
        )
        for booking_date, reference, amount, count in session.execute(query):
            key = (booking_date, reference, amount)
            if key in keys:
                counter[key] = count
    return counters


def _line_values(
    line: ParsedLine, *, statement_id: int, account_id: int, position: int, parent_id: int | None
) -> dict:
    return {
        "statement_id": statement_id,
        "account_id": account_id,
        "position": position,
        "kind": line.kind,
        "parent_line_id": parent_id,
        "booking_date": line.booking_date,
        "value_date": line.value_date,
        "amount_vnd": None if line.amount is None else line.signed_amount,
        "direction": line.direction,
        "is_reversal": line.reversal,
        "status": line.status,
        "bank_reference": plan.bank_reference_of(line),
        "entry_reference": plan.entry_reference_of(line),
        "end_to_end_id": line.end_to_end_id,
        "remittance_text": line.remittance_text,
        "creditor_reference": line.creditor_reference,
        "additional_info": line.additional_info,
        "counterparty_name": line.counterparty_name,
        "counterparty_account": line.counterparty_account,
        "transaction_code": line.transaction_code,
        "batch_id": line.batch_id,
        "batch_size": line.batch_size,
        "line_number": line.line_number,
        "location": line.location,
        "raw": line.raw,
    }


def _allocate_line_ids(session: Session, count: int) -> list[int]:
    """``count`` fresh ids for statement lines, so a batch row's id is known before its details.

    PostgreSQL: from the column's own sequence (safe with concurrent importers). SQLite: after
    the largest id; payrecon's SQLite transactions begin IMMEDIATE, so writers are serialised.
    """
    if count == 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        ids = session.scalars(
            text(
                "SELECT nextval(pg_get_serial_sequence('statement_lines', 'id')) "
                "FROM generate_series(1, :count)"
            ),
            {"count": count},
        ).all()
        return sorted(ids)
    largest = session.scalar(select(func.coalesce(func.max(StatementLine.id), 0)))
    return list(range(largest + 1, largest + 1 + count))


def _copy_rows(session: Session, rows: list[dict]) -> None:
    """Insert rows in the session's transaction: COPY on PostgreSQL, executemany elsewhere.

    COPY is the fastest way into PostgreSQL by far; a multi-row INSERT makes the driver parse
    a statement with tens of thousands of placeholders for every page.
    """
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        session.execute(insert(LINES), rows)
        return
    columns = list(rows[0])
    driver_connection = session.connection().connection.driver_connection
    command = f"COPY statement_lines ({', '.join(columns)}) FROM STDIN"
    with driver_connection.cursor() as cursor, cursor.copy(command) as copy:
        for row in rows:
            copy.write_row([row[column] for column in columns])


def _may_settle_a_payment(line: ParsedLine) -> bool:
    """A booked credit that moved money and is not a reversal."""
    return (
        line.carries_money
        and line.direction == "C"
        and not line.reversal
        and (plan.is_booked(line))
    )


def insert_lines(
    session: Session,
    statement: ParsedStatement,
    keep: Sequence[int],
    statement_id: int,
    account_id: int,
    *,
    on_chunk: Callable[[int], None] | None = None,
) -> list[int]:
    """Bulk-insert the kept rows in file order (a batch row before its details), in chunks.

    Returns the ids of the booked, non-reversal credit rows that carry money. ``on_chunk`` is
    told how many rows each chunk stored.
    """
    id_of = dict(zip(keep, _allocate_line_ids(session, len(keep)), strict=True))
    credit_ids: list[int] = []
    for start in range(0, len(keep), INSERT_CHUNK):
        chunk = keep[start : start + INSERT_CHUNK]
        rows = []
        for index in chunk:
            line = statement.lines[index]
            parent = None if line.parent_index is None else id_of[line.parent_index]
            values = _line_values(
                line,
                statement_id=statement_id,
                account_id=account_id,
                position=index,
                parent_id=parent if line.kind == "detail" else None,
            )
            rows.append({"id": id_of[index], **values})
            if _may_settle_a_payment(line):
                credit_ids.append(id_of[index])
        _copy_rows(session, rows)
        fault_point("statement_import_mid_file")
        if on_chunk is not None:
            on_chunk(len(chunk))
    return credit_ids
