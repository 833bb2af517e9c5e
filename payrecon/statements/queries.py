"""Read-only selects over statements and settlements, and the reconciliation frames.

The frames keep money and ids as int64 from the database to the engine: no NaN ever enters an
amount or id column (absent text is ``""``), so nothing turns into float on the way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from payrecon.bulk_read import read_frame
from payrecon.catalog.models import CollectionAccount
from payrecon.errors import NotFound
from payrecon.statements.models import (
    BankStatement,
    SettlementBatch,
    SettlementLine,
    StatementLine,
)

BANK_LINE_COLUMNS = (
    "line_id",
    "account_id",
    "booking_date",
    "value_date",
    "amount_vnd",
    "direction",
    "is_reversal",
    "bank_reference",
    "remittance_text",
    "batch_key",
    "statement_id",
    # beyond the engine's contract, for evidence and rule 3:
    "kind",
    "entry_line_id",
    "batch_reference",
    "end_to_end_id",
    "counterparty_name",
    "counterparty_account",
)
SETTLEMENT_COLUMNS = (
    "batch_id",
    "batch_reference",
    "settlement_date",
    "reference",
    "gross_vnd",
    "fee_vnd",
    "net_vnd",
    "gateway_transaction_no",
    "pay_date",
)
_INT_COLUMNS = ("line_id", "account_id", "amount_vnd", "statement_id", "entry_line_id")
_TEXT_COLUMNS = (
    "direction",
    "bank_reference",
    "remittance_text",
    "batch_key",
    "kind",
    "batch_reference",
    "end_to_end_id",
    "counterparty_name",
    "counterparty_account",
)


def get_statement(session: Session, statement_id: int) -> BankStatement:
    statement = session.get(BankStatement, statement_id)
    if statement is None:
        raise NotFound(f"no bank statement {statement_id}", where="statement_id")
    return statement


@dataclass(frozen=True)
class AccountStatementStatus:
    """Where the statement imports of one collection account stand."""

    account: CollectionAccount
    recent: list[BankStatement]  # newest first
    statement_count: int
    last_period_end: date | None  # the latest day any imported statement covers
    with_findings: int  # statements stored with a finding (balances, continuity, batches)


def statement_status_by_account(
    session: Session, *, recent_per_account: int = 5
) -> list[AccountStatementStatus]:
    """Every collection account, by account number, with its newest imported statements."""
    accounts = list(
        session.scalars(select(CollectionAccount).order_by(CollectionAccount.account_number))
    )
    totals = {
        account_id: (int(count), last_end)
        for account_id, count, last_end in session.execute(
            select(
                BankStatement.account_id,
                func.count(BankStatement.id),
                func.max(BankStatement.period_end),
            ).group_by(BankStatement.account_id)
        )
    }
    statuses = []
    for account in accounts:
        recent = list(
            session.scalars(
                select(BankStatement)
                .where(BankStatement.account_id == account.id)
                .order_by(BankStatement.imported_at.desc(), BankStatement.id.desc())
                .limit(recent_per_account)
            )
        )
        count, last_end = totals.get(account.id, (0, None))
        with_findings = sum(
            1
            for findings in session.scalars(
                select(BankStatement.findings).where(BankStatement.account_id == account.id)
            )
            if findings
        )
        statuses.append(AccountStatementStatus(account, recent, count, last_end, with_findings))
    return statuses


def statement_lines(session: Session, statement_id: int) -> list[StatementLine]:
    """The stored lines of a statement in file order (details right after their batch)."""
    return list(
        session.scalars(
            select(StatementLine)
            .where(StatementLine.statement_id == statement_id)
            .order_by(StatementLine.position)
        )
    )


def _stripped(values: Iterable[object]) -> np.ndarray:
    """Each value stripped (Python's whitespace), "" for anything that is not a string."""
    return np.array([v.strip() if isinstance(v, str) else "" for v in values], dtype=object)


def _matching_texts(remittance: pd.Series, creditor_ref: pd.Series, info: pd.Series) -> np.ndarray:
    """Everything a payer or the bank wrote about each line, in which a reference may hide:
    the three texts stripped, empty and repeated ones dropped, joined by a space.

    Values come from a frame, so an absent text may be None or NaN: only strings count. Most
    lines carry only a remittance text, which is then the answer as it is; the others (a
    creditor reference or additional information) are joined one by one.
    """
    texts, references, infos = _stripped(remittance), _stripped(creditor_ref), _stripped(info)
    joined = texts.copy()
    for row in np.flatnonzero((references != "") | (infos != "")):
        parts = (texts[row], references[row], infos[row])
        joined[row] = " ".join(dict.fromkeys(part for part in parts if part))
    return joined


def load_bank_lines_frame(session: Session, date_from: date, date_to: date) -> pd.DataFrame:
    """Booked statement lines that carry money, booked between the dates (inclusive).

    A batched entry whose details are all known and add up to it is replaced by its detail
    rows, which share ``batch_key`` (the batch row's id as text), so each transfer can be
    matched on its own while the batch can still be summed; otherwise the batch row itself is
    kept, with its ``batch_key``. Pending and information-only rows, and rows of 0 VND, are left
    out. ``amount_vnd`` is signed (credit > 0); ``value_date`` falls back to the booking date.
    """
    query = (
        select(
            StatementLine.id,
            StatementLine.account_id,
            StatementLine.booking_date,
            StatementLine.value_date,
            # no NULL in a numeric column: pandas would make it float
            func.coalesce(StatementLine.amount_vnd, 0),
            StatementLine.amount_vnd.is_not(None),
            StatementLine.direction,
            StatementLine.is_reversal,
            StatementLine.bank_reference,
            StatementLine.remittance_text,
            StatementLine.creditor_reference,
            StatementLine.additional_info,
            StatementLine.statement_id,
            StatementLine.kind,
            func.coalesce(StatementLine.parent_line_id, 0),
            StatementLine.batch_id,
            StatementLine.end_to_end_id,
            StatementLine.counterparty_name,
            StatementLine.counterparty_account,
        )
        .where(
            StatementLine.booking_date.between(date_from, date_to),
            or_(StatementLine.status.is_(None), StatementLine.status == "BOOK"),
        )
        .order_by(StatementLine.id)
    )
    lines = read_frame(
        session,
        query,
        [
            ("line_id", "int"),
            ("account_id", "int"),
            ("booking_date", "date"),
            ("value_date", "date"),
            ("amount_vnd", "int"),
            ("amount_known", "bool"),
            ("direction", "str"),
            ("is_reversal", "bool"),
            ("bank_reference", "str"),
            ("remittance_text", "str"),
            ("creditor_reference", "str"),
            ("additional_info", "str"),
            ("statement_id", "int"),
            ("kind", "str"),
            ("parent_line_id", "int"),
            ("batch_reference", "str"),
            ("end_to_end_id", "str"),
            ("counterparty_name", "str"),
            ("counterparty_account", "str"),
        ],
    )
    if lines.empty:
        return _empty_bank_lines()
    lines = lines.astype({"amount_vnd": "int64", "parent_line_id": "int64"})
    lines["amount_known"] = lines["amount_known"].astype(bool)
    details = lines[lines["kind"] == "detail"]
    per_batch = details.groupby("parent_line_id", sort=False).agg(
        unknown=("amount_known", lambda known: int((~known).sum())),
        total=("amount_vnd", "sum"),
    )
    batches = lines[lines["kind"] == "batch"].set_index("line_id")
    joined = batches.join(per_batch, how="inner")
    explained = joined.index[(joined["unknown"] == 0) & (joined["total"] == joined["amount_vnd"])]
    keep = (
        (lines["kind"] == "entry")
        | ((lines["kind"] == "batch") & ~lines["line_id"].isin(explained))
        | ((lines["kind"] == "detail") & lines["parent_line_id"].isin(explained))
    )
    lines = lines[keep & lines["amount_known"] & (lines["amount_vnd"] != 0)].copy()
    entry_id = lines["parent_line_id"].where(lines["kind"] == "detail", lines["line_id"])
    lines["entry_line_id"] = entry_id
    batch_reference = lines["batch_reference"].astype("object")
    parent_reference = dict(zip(batches.index, batches["batch_reference"], strict=True))
    is_detail = lines["kind"] == "detail"
    batch_reference[is_detail] = lines.loc[is_detail, "parent_line_id"].map(parent_reference)
    lines["batch_reference"] = batch_reference
    batched = (lines["kind"] != "entry").to_numpy()
    lines["batch_key"] = np.where(batched, lines["entry_line_id"].astype(str), "")
    lines["remittance_text"] = _matching_texts(
        lines["remittance_text"], lines["creditor_reference"], lines["additional_info"]
    )
    lines["value_date"] = lines["value_date"].fillna(lines["booking_date"])
    return _typed_bank_lines(lines.loc[:, list(BANK_LINE_COLUMNS)])


def _typed_bank_lines(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.reset_index(drop=True)
    for column in _INT_COLUMNS:
        frame[column] = frame[column].astype("int64")
    for column in _TEXT_COLUMNS:
        frame[column] = frame[column].fillna("").astype(str)
    frame["is_reversal"] = frame["is_reversal"].astype(bool)
    for column in ("booking_date", "value_date"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def _empty_bank_lines() -> pd.DataFrame:
    frame = pd.DataFrame({column: [] for column in BANK_LINE_COLUMNS})
    return _typed_bank_lines(frame)


def load_settlements_frame(session: Session, date_from: date, date_to: date) -> pd.DataFrame:
    """One row per payment of the settlement batches paid out between the dates (inclusive)."""
    query = (
        select(
            SettlementBatch.id,
            SettlementBatch.batch_reference,
            SettlementBatch.settlement_date,
            SettlementLine.reference,
            SettlementLine.gross_vnd,
            SettlementLine.fee_vnd,
            SettlementLine.net_vnd,
            SettlementLine.gateway_transaction_no,
            SettlementLine.pay_date,
        )
        .join(SettlementLine, SettlementLine.batch_id == SettlementBatch.id)
        .where(SettlementBatch.settlement_date.between(date_from, date_to))
        .order_by(SettlementBatch.id, SettlementLine.id)
    )
    frame = pd.DataFrame(session.execute(query).all(), columns=list(SETTLEMENT_COLUMNS))
    for column in ("batch_id", "gross_vnd", "fee_vnd", "net_vnd"):
        frame[column] = frame[column].astype("int64")
    for column in ("batch_reference", "reference", "gateway_transaction_no"):
        frame[column] = frame[column].fillna("").astype(str)
    for column in ("settlement_date", "pay_date"):
        frame[column] = pd.to_datetime(frame[column])
    return frame
