"""What an import will store, decided from parsed statements alone. Pure: values in, values out.

The import service asks the database for what it cannot know (which accounts are ours, which
lines are stored already, the neighbouring statements' balances) and leaves every decision to
these functions, so each rule is tested without a database:

- ``currency_problems``: our collection accounts are VND accounts; anything else is refused;
- ``statement_period``: the dates a statement covers, for ordering and continuity checks;
- ``bank_reference_of`` / ``duplicate_key``: how a line is recognised when a later statement
  delivers it again;
- ``select_new_lines``: which lines of a statement are new, given what is stored already.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date

from payrecon.errors import Problem
from payrecon.statements.balances import Finding
from payrecon.statements.parsed import ParsedLine, ParsedStatement

OUR_CURRENCY = "VND"
_NO_REFERENCE = frozenset({"", "NONREF", "NOTPROVIDED"})

# (booking date, bank reference, signed amount): a line a bank delivers twice looks the same.
DuplicateKey = tuple[date | None, str, int]


def describe(statement: ParsedStatement) -> str:
    """How a message names a statement: its id, or its place in the file when it has none."""
    if statement.statement_id:
        return f"statement {statement.statement_id}"
    return f"statement at {statement.location}"


def currency_problems(statement: ParsedStatement) -> list[Problem]:
    """One problem if the statement, a balance or a line is in another currency than VND."""
    found = {statement.currency} if statement.currency else set()
    for balance in (statement.opening_balance, statement.closing_balance):
        if balance is not None:
            found.add(balance.currency)
    found.update(line.currency for line in statement.lines if line.currency)
    others = sorted(found - {OUR_CURRENCY})
    if not others:
        return []
    return [
        Problem(
            statement.location,
            f"{describe(statement)} is in {', '.join(others)}; only VND statements of our "
            "collection accounts can be imported",
        )
    ]


def account_candidates(account_id: str | None) -> list[str]:
    """Account numbers to look up for a statement's account text, most literal first.

    MT940 ``:25:`` is often ``<bank code>/<account>``; banks print numbers with spaces.
    """
    if not account_id:
        return []
    compact = "".join(account_id.split())
    candidates = [compact]
    if "/" in compact:
        candidates.append(compact.rsplit("/", 1)[1])
    return [c for c in dict.fromkeys(candidates) if c]


def statement_period(statement: ParsedStatement) -> tuple[date | None, date | None]:
    """(first, last) date the statement covers.

    The declared period wins; otherwise the booking dates of its lines; otherwise the dates of
    its balances. The opening balance's date is a poor start (camt PRCD is dated the day
    before), so it is used only when nothing else is known.
    """
    booked = [line.booking_date for line in statement.lines if line.booking_date is not None]
    opening = statement.opening_balance.on if statement.opening_balance else None
    closing = statement.closing_balance.on if statement.closing_balance else None
    start = statement.period_from or (min(booked) if booked else None) or opening or closing
    end = statement.period_to or closing or (max(booked) if booked else None) or start
    return start, end


def bank_reference_of(line: ParsedLine) -> str | None:
    """The bank's own id of the booking (camt AcctSvcrRef, MT940 after ``//``), else NtryRef."""
    for value in (line.servicer_reference, line.bank_reference):
        if value is not None and value.strip().upper() not in _NO_REFERENCE:
            return value.strip()
    return None


def entry_reference_of(line: ParsedLine) -> str | None:
    """The other reference the row carries (NtryRef, TxId, MT940 customer reference), if any."""
    chosen = bank_reference_of(line)
    value = line.bank_reference
    if value is None or value.strip().upper() in _NO_REFERENCE or value.strip() == chosen:
        return None
    return value.strip()


def duplicate_key(line: ParsedLine) -> DuplicateKey | None:
    """The key of a money-carrying line that has a bank reference; None when it cannot be known.

    A line without a reference cannot be told apart from a genuine second transaction of the
    same amount on the same day, so it is never dropped as a duplicate.
    """
    if not line.carries_money:
        return None
    reference = bank_reference_of(line)
    if reference is None:
        return None
    return (line.booking_date, reference, line.signed_amount)


@dataclass(frozen=True)
class LineSelection:
    """Indexes into ``statement.lines`` to store, and how many money lines were already known."""

    keep: tuple[int, ...]
    duplicates_skipped: int


def select_new_lines(statement: ParsedStatement, stored: Counter[DuplicateKey]) -> LineSelection:
    """Drop lines that are stored already; keep genuine repeats within one statement.

    ``stored`` counts the lines per key already in the database (and in earlier statements of
    the same file); it is updated in place. If the statement has a key ``n`` times and ``m`` are
    stored, the first ``min(n, m)`` are duplicates and the rest are new, so re-delivered lines
    are skipped while two identical transactions in one statement are both kept. Detail rows go
    with their batch row.
    """
    in_statement = Counter(
        key for line in statement.lines if (key := duplicate_key(line)) is not None
    )
    to_skip = {key: min(count, stored[key]) for key, count in in_statement.items()}
    for key, count in in_statement.items():
        stored[key] = max(stored[key], count)
    keep: list[int] = []
    dropped_parents: set[int] = set()
    skipped = 0
    for index, line in enumerate(statement.lines):
        if line.kind == "detail":
            if line.parent_index not in dropped_parents:
                keep.append(index)
            continue
        key = duplicate_key(line)
        if key is not None and to_skip.get(key, 0) > 0:
            to_skip[key] -= 1
            skipped += 1
            dropped_parents.add(index)
            continue
        keep.append(index)
    return LineSelection(tuple(keep), skipped)


def finding_json(finding: Finding) -> dict:
    """A finding as stored on the statement and shown by the CLI and API."""
    return asdict(finding)


def continuity_finding(
    *, where: str, earlier: str, closed: int, later: str, opened: int, account: str
) -> Finding | None:
    """A continuity break between two statements of one account, or None when they tie.

    ``where`` is the location of the statement being imported (the finding is stored on it).
    """
    if closed == opened:
        return None
    return Finding(
        "continuity_break",
        where,
        f"account {account}: {earlier} closed at {closed} VND but {later} opens at {opened} VND",
        expected=closed,
        actual=opened,
    )


def money_totals(lines: Iterable[ParsedLine]) -> tuple[int, int]:
    """(credits, debits) in VND over booked money-carrying lines, both as positive numbers."""
    credits = debits = 0
    for line in lines:
        if not line.carries_money or not is_booked(line):
            continue
        if line.direction == "C":
            credits += line.amount or 0
        else:
            debits += line.amount or 0
    return credits, debits


def is_booked(line: ParsedLine) -> bool:
    """Pending (PDNG), information-only (INFO) and future (FUTR) entries have not moved money."""
    return (line.status or "BOOK").upper() not in {"PDNG", "INFO", "FUTR"}
