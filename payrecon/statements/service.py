"""Statement and settlement imports, the domain's front door: one operation, one commit each.

Nothing is written unless the whole file parses and passes: the file is parsed and every
statement checked (currency, account) before the first insert, and the inserts, the imported-file
record and the commit happen in one transaction. Lines are inserted in bulk (executemany), never
one ORM object at a time, so a statement of a million lines stores in seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from payrecon import imports
from payrecon.catalog.models import CollectionAccount
from payrecon.db import utcnow
from payrecon.errors import StatementFormatError
from payrecon.payments import service as payments
from payrecon.statements import inbox, plan, settlement_store, store
from payrecon.statements.detect import parse_statement_file
from payrecon.statements.models import BankStatement, StatementLine
from payrecon.statements.parsed import ParsedStatement
from payrecon.statements.settlement_csv import parse_settlement_csv
from payrecon.statements.xml_safety import DEFAULT_MAX_BYTES

IMPORT_KIND = "statement"
SETTLEMENT_IMPORT_KIND = "settlement"

# Called as progress(lines stored so far, lines to store in all).
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class StatementImportResult:
    """What one statement file import did.

    ``new_credit_line_ids`` are the stored booked credit lines that carry money and are not
    reversals: the lines that may settle a pending VietQR payment. Other domains hook on this
    list after a successful import.
    """

    already_imported: bool
    statements: int = 0
    lines: int = 0  # rows stored: entries, batches and their detail rows
    credits_vnd: int = 0  # booked credits stored, VND
    debits_vnd: int = 0  # booked debits stored, VND (positive)
    duplicates_skipped: int = 0
    findings: tuple[dict, ...] = ()
    statement_ids: tuple[int, ...] = ()
    new_credit_line_ids: tuple[int, ...] = field(default=(), repr=False)
    # what the credit lines did to payments: {"settled": 2, "linked": 1, ...}
    payments_settled: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        if self.already_imported:
            return "already imported: this exact file was imported before; nothing changed"
        return (
            f"{self.statements} statement(s), {self.lines} line(s) stored, "
            f"credits {self.credits_vnd} VND, debits {self.debits_vnd} VND, "
            f"{self.duplicates_skipped} duplicate(s) skipped, {len(self.findings)} finding(s)"
            + "".join(
                f", {count} credit(s) {result}" for result, count in self.payments_settled.items()
            )
        )


def import_statement_file(
    session: Session,
    data: bytes,
    *,
    filename: str,
    actor: str,
    fmt: str = "auto",
    account_number: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Progress | None = None,
) -> StatementImportResult:
    """Import every statement of a camt.05x, MT940, CSV or XLSX file, or nothing at all.

    ``account_number`` names the account for files that do not (the generic CSV layout); when
    the file names one too they must agree. Refused (ImportRejected, nothing written): a
    statement in a currency other than VND, an account that is not a registered collection
    account. Stored with a finding: balances that do not tie, a break in continuity with the
    statements around it, batch details that do not add up.
    """
    if len(data) > max_bytes:  # before hashing or parsing: a huge upload costs nothing more
        raise StatementFormatError(
            f"file is {len(data):,} bytes; the limit is {max_bytes:,} bytes", where=filename
        )
    with imports.claimed(
        session, kind=IMPORT_KIND, data=data, filename=filename, actor=actor
    ) as claim:
        if claim is None:
            return StatementImportResult(already_imported=True)
        result = _store_statement_file(
            session,
            claim,
            data,
            filename=filename,
            actor=actor,
            fmt=fmt,
            account_number=account_number,
            max_bytes=max_bytes,
            progress=progress,
        )
    session.commit()
    return result


def _store_statement_file(
    session: Session,
    claim: imports.ImportedFile,
    data: bytes,
    *,
    filename: str,
    actor: str,
    fmt: str,
    account_number: str | None,
    max_bytes: int,
    progress: Progress | None,
) -> StatementImportResult:
    """Parse, check and store every statement of a claimed file (the caller commits)."""
    statements = parse_statement_file(data, filename, fmt, max_bytes=max_bytes)
    if not statements:
        raise StatementFormatError("the file holds no statement", where=filename)
    accounts = store.resolve_accounts(session, statements, account_number, filename)
    if account_number and not all(s.account_id for s in statements):
        # the generic CSV has no account: continuity is checked per account we resolved
        statements = [
            _with_account(s, a.account_number) for s, a in zip(statements, accounts, strict=True)
        ]
    findings = store.statement_findings(session, statements, accounts)

    counters = store.stored_counts(session, statements, accounts)
    counter = _ProgressCounter(progress, total=sum(len(s.lines) for s in statements))
    now = utcnow()
    statement_ids: list[int] = []
    credit_ids: list[int] = []
    stored = skipped = credits = debits = 0
    for position, (statement, account) in enumerate(zip(statements, accounts, strict=True)):
        selection = plan.select_new_lines(statement, counters[account.id])
        kept = [statement.lines[i] for i in selection.keep]
        start, end = plan.statement_period(statement)
        row = BankStatement(
            account_id=account.id,
            format=statement.format,
            statement_ref=statement.statement_id,
            sequence=statement.sequence,
            electronic_sequence=statement.electronic_sequence,
            period_start=start,
            period_end=end,
            opening_balance_vnd=_amount(statement.opening_balance),
            closing_balance_vnd=_amount(statement.closing_balance),
            source_sha256=claim.sha256,
            source_filename=filename,
            position_in_file=position,
            location=statement.location,
            lines_stored=len(kept),
            duplicates_skipped=selection.duplicates_skipped,
            findings=[plan.finding_json(f) for f in findings[position]],
            imported_at=now,
            imported_by=actor,
        )
        session.add(row)
        session.flush()
        statement_ids.append(row.id)
        counter.advance(len(statement.lines) - len(selection.keep))  # skipped: handled
        credit_ids += store.insert_lines(
            session, statement, selection.keep, row.id, account.id, on_chunk=counter.advance
        )
        stored += len(kept)
        skipped += selection.duplicates_skipped
        line_credits, line_debits = plan.money_totals(kept)
        credits += line_credits
        debits += line_debits
    payments_settled = payments.settle_statement_credits(
        session, _statement_credits(session, credit_ids), actor=actor
    )
    imports.finish_import(session, claim, rows=stored, actor=actor)
    return StatementImportResult(
        already_imported=False,
        statements=len(statements),
        lines=stored,
        credits_vnd=credits,
        debits_vnd=debits,
        duplicates_skipped=skipped,
        findings=tuple(
            {"statement": plan.describe(s), **plan.finding_json(f)}
            for s, found in zip(statements, findings, strict=True)
            for f in found
        ),
        statement_ids=tuple(statement_ids),
        new_credit_line_ids=tuple(credit_ids),
        payments_settled=payments_settled,
    )


_CREDITS_CHUNK = 1000


def _statement_credits(session: Session, line_ids: list[int]) -> list[payments.StatementCredit]:
    """The stored credit lines as the plain values the payments domain settles with."""
    credits: list[payments.StatementCredit] = []
    for start in range(0, len(line_ids), _CREDITS_CHUNK):
        rows = session.execute(
            select(
                StatementLine.id,
                CollectionAccount.account_number,
                StatementLine.bank_reference,
                StatementLine.entry_reference,
                StatementLine.amount_vnd,
                StatementLine.booking_date,
                StatementLine.value_date,
                StatementLine.remittance_text,
                StatementLine.creditor_reference,
                StatementLine.additional_info,
            )
            .join(CollectionAccount, CollectionAccount.id == StatementLine.account_id)
            .where(StatementLine.id.in_(line_ids[start : start + _CREDITS_CHUNK]))
            .order_by(StatementLine.id)
        )
        for row in rows:
            texts = (row.remittance_text, row.creditor_reference, row.additional_info)
            credits.append(
                payments.StatementCredit(
                    line_id=row.id,
                    account_number=row.account_number,
                    bank_transaction_id=row.bank_reference or row.entry_reference,
                    amount_vnd=row.amount_vnd,
                    booking_date=row.booking_date or row.value_date or utcnow().date(),
                    text=" ".join(dict.fromkeys(t.strip() for t in texts if t and t.strip())),
                )
            )
    return credits


class _ProgressCounter:
    """Tells ``progress`` how many lines are handled (stored or skipped) as chunks complete."""

    def __init__(self, progress: Progress | None, *, total: int) -> None:
        self.progress = progress
        self.total = total
        self.done = 0

    def advance(self, count: int) -> None:
        self.done += count
        if count and self.progress is not None:
            self.progress(self.done, self.total)


def _with_account(statement: ParsedStatement, account_number: str) -> ParsedStatement:
    return statement if statement.account_id else replace(statement, account_id=account_number)


def _amount(balance) -> int | None:
    return None if balance is None else balance.amount


@dataclass(frozen=True)
class SettlementImportResult:
    """What one gateway settlement report import did."""

    already_imported: bool
    batches: int = 0  # batches stored
    lines: int = 0  # payments stored
    gross_vnd: int = 0
    fee_vnd: int = 0
    net_vnd: int = 0
    batches_already_stored: int = 0  # the same batch, line for line, from an earlier report
    batch_ids: tuple[int, ...] = ()

    def summary(self) -> str:
        if self.already_imported:
            return "already imported: this exact file was imported before; nothing changed"
        return (
            f"{self.batches} settlement batch(es), {self.lines} payment(s) stored, "
            f"gross {self.gross_vnd} VND, fee {self.fee_vnd} VND, net {self.net_vnd} VND, "
            f"{self.batches_already_stored} batch(es) already stored"
        )


def import_settlement_file(
    session: Session,
    data: bytes,
    *,
    filename: str,
    actor: str,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> SettlementImportResult:
    """Import a gateway settlement report: every batch and its payments, or nothing.

    A batch stored before is skipped when the report repeats it line for line, and refused
    (ImportRejected) when it differs: a payout the gateway has reported cannot change. A
    gateway transaction number that is already stored in another batch is refused too.
    """
    if len(data) > max_bytes:
        raise StatementFormatError(
            f"file is {len(data):,} bytes; the limit is {max_bytes:,} bytes", where=filename
        )
    with imports.claimed(
        session, kind=SETTLEMENT_IMPORT_KIND, data=data, filename=filename, actor=actor
    ) as claim:
        if claim is None:
            return SettlementImportResult(already_imported=True)
        batches = parse_settlement_csv(data, source=filename)
        new_batches, repeated = settlement_store.new_settlement_batches(
            session, batches, source=filename
        )
        now = utcnow()
        batch_ids = [
            settlement_store.insert_settlement_batch(
                session, batch, sha256=claim.sha256, filename=filename, actor=actor, now=now
            )
            for batch in new_batches
        ]
        lines = sum(len(batch.rows) for batch in new_batches)
        imports.finish_import(session, claim, rows=lines, actor=actor)
    session.commit()
    return SettlementImportResult(
        already_imported=False,
        batches=len(new_batches),
        lines=lines,
        gross_vnd=sum(batch.gross_total for batch in new_batches),
        fee_vnd=sum(batch.fee_total for batch in new_batches),
        net_vnd=sum(batch.net_total for batch in new_batches),
        batches_already_stored=repeated,
        batch_ids=tuple(batch_ids),
    )


class InboxIncomplete(RuntimeError):
    """Some inbox files could not be handled (not their fault: they stay for the next run)."""

    def __init__(self, report: inbox.InboxReport) -> None:
        failed = "; ".join(
            f"{inbox.shown_name(outcome.name)}: {outcome.detail}" for outcome in report.failures
        )
        super().__init__(f"{report.summary()}; failed: {failed}")
        self.report = report


def import_statements_inbox(
    session: Session,
    inbox_dir: Path,
    *,
    actor: str,
    now: float | None = None,
    settle_seconds: float = inbox.SETTLE_SECONDS,
) -> inbox.InboxReport:
    """Import every ready file in `inbox_dir` (statements and settlement reports), each in its
    own transaction, and move it to processed/ or rejected/ (see statements.inbox).

    Raises InboxIncomplete, after handling every other file, when some file failed for a
    reason other than its content (e.g. the database went away); the report rides on it.
    """

    def import_one(data: bytes, filename: str, kind: inbox.Kind) -> inbox.ImportResult:
        try:
            if kind == "settlement":
                return import_settlement_file(session, data, filename=filename, actor=actor)
            return import_statement_file(session, data, filename=filename, actor=actor)
        except BaseException:
            session.rollback()
            raise

    report = inbox.process_inbox(inbox_dir, import_one, now=now, settle_seconds=settle_seconds)
    if report.failures:
        raise InboxIncomplete(report)
    return report
