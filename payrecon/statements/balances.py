"""Arithmetic checks on parsed statements. Pure; returns findings and never raises.

A statement whose balances do not tie is still imported: the finding becomes evidence for the
officer, because rejecting a bank's own statement would hide the money it does show.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from payrecon.statements.parsed import ParsedStatement

# Booked balances move with booked entries only; pending or information-only entries do not.
_NOT_BOOKED = frozenset({"PDNG", "INFO", "FUTR"})


@dataclass(frozen=True)
class Finding:
    """One thing that does not add up. Amounts are minor units of the statement currency."""

    kind: str  # no_balances, currency_mismatch, balance_mismatch, continuity_break,
    # batch_total_mismatch, batch_count_mismatch
    where: str
    detail: str
    expected: int | None = None
    actual: int | None = None


def check_statement_balances(statement: ParsedStatement) -> list[Finding]:
    """Opening balance + signed booked entries must equal the closing balance.

    Detail rows of a batch are not summed (their parent carries the money). A statement without
    an opening or closing balance gives one ``no_balances`` finding: it cannot be checked.
    """
    opening, closing = statement.opening_balance, statement.closing_balance
    where = statement.location
    if opening is None or closing is None:
        return [Finding("no_balances", where, "statement has no opening and closing balance")]
    booked = [
        line for line in statement.money_lines if (line.status or "BOOK").upper() not in _NOT_BOOKED
    ]
    currencies = {opening.currency, closing.currency} | {line.currency for line in booked}
    if len(currencies) > 1:
        return [
            Finding(
                "currency_mismatch",
                where,
                f"balances and entries are in several currencies ({', '.join(sorted(currencies))})"
                "; they cannot be added up",
            )
        ]
    expected = opening.amount + sum(line.signed_amount for line in booked)
    if expected == closing.amount:
        return []
    return [
        Finding(
            "balance_mismatch",
            where,
            f"opening {opening.amount} + entries {expected - opening.amount} = {expected}, "
            f"but the closing balance is {closing.amount} ({closing.currency} minor units)",
            expected=expected,
            actual=closing.amount,
        )
    ]


def check_batch_totals(statement: ParsedStatement) -> list[Finding]:
    """A batch's details should add up to the batch, and be as many as it says."""
    findings = []
    for index, line in enumerate(statement.lines):
        if line.kind != "batch":
            continue
        details = [d for d in statement.lines if d.kind == "detail" and d.parent_index == index]
        if not details:
            continue  # the details come in another file (camt.054), nothing to compare here
        if line.batch_size is not None and line.batch_size != len(details):
            findings.append(
                Finding(
                    "batch_count_mismatch",
                    line.location,
                    f"batch says {line.batch_size} transactions, {len(details)} are listed",
                    expected=line.batch_size,
                    actual=len(details),
                )
            )
        addable = all(d.currency == line.currency and d.amount is not None for d in details)
        detail_total = sum(d.signed_amount for d in details) if addable else None
        if detail_total != line.signed_amount:
            shown = (
                "cannot be added up (amounts missing or in other currencies)"
                if detail_total is None
                else f"add up to {detail_total:+d}"
            )
            findings.append(
                Finding(
                    "batch_total_mismatch",
                    line.location,
                    f"batch of {line.signed_amount:+d} {line.currency} minor units: "
                    f"its details {shown}",
                    expected=line.signed_amount,
                    actual=detail_total,
                )
            )
    return findings


def check_continuity(statements: Iterable[ParsedStatement]) -> list[Finding]:
    """Each statement of an account must open where the previous one closed.

    Statements are compared in the order given, per account and currency; order them by date
    (or keep file order) before calling. Statements without balances are skipped.
    """
    previous_by_account: dict[tuple[str | None, str | None], ParsedStatement] = {}
    findings = []
    for statement in statements:
        if statement.opening_balance is None or statement.closing_balance is None:
            continue
        key = (statement.account_id, statement.opening_balance.currency)
        previous = previous_by_account.get(key)
        if previous is not None and previous.closing_balance is not None:
            closed = previous.closing_balance.amount
            opened = statement.opening_balance.amount
            if closed != opened:
                findings.append(
                    Finding(
                        "continuity_break",
                        statement.location,
                        f"account {statement.account_id} closed at {closed} in "
                        f"{previous.location} but opens at {opened} here",
                        expected=closed,
                        actual=opened,
                    )
                )
        previous_by_account[key] = statement
    return findings
