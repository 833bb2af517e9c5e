"""Money arriving in a collection account: settling VietQR payments with bank credits.

Two reports of the same money reach us: the bank's credit notification (the webhook, within
seconds) and the statement line (at import, hours later). Whichever comes first makes the
BankCredit and applies bank_credit.decide_credit to the payment its transfer text names; the
other finds it, by the account and the bank's transaction id or else by the payment, amount
and date, and is only linked to it. Neither can count the money twice:

- a credit naming a payment is handled under the dossier and payment row locks (the order every
  payment operation keeps), so a webhook and a statement import racing for the same money are
  served one after the other and the second finds the first's credit;
- a credit naming no payment has no row to lock; the unique (account_number,
  bank_transaction_id) decides, and the loser links to the winner's row.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import func, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from payrecon.db import utcnow
from payrecon.dossiers.models import Dossier
from payrecon.payments import queries, recording
from payrecon.payments.bank_credit import (
    GMT7,
    CreditDecision,
    CreditNotification,
    CreditOutcome,
    decide_credit,
    pick_reference,
)
from payrecon.payments.models import BankCredit, BankNotification, Payment
from payrecon.payments.money_in import lock_dossier_and_payment
from payrecon.payments.references import extract_references
from payrecon.payments.states import PaymentStatus
from payrecon.payments.transactions import one_transaction

log = logging.getLogger("payrecon.payments")

REPEAT = "repeat"  # this report of the money was seen before: nothing changes
LINKED = "linked"  # the other report of money already counted: linked, not counted
DEBIT_IGNORED = "debit_ignored"
_CHUNK = 500


@dataclass(frozen=True)
class StatementCredit:
    """A booked, non-reversal credit line of an imported statement, as plain values."""

    line_id: int
    account_number: str
    bank_transaction_id: str | None
    amount_vnd: int
    booking_date: date
    text: str


@dataclass(frozen=True)
class CreditResult:
    """What a report of a credit did: a CreditOutcome value, or repeat / linked."""

    result: str
    bank_credit_id: int | None
    payment_id: int | None = None
    reference: str | None = None


@dataclass(frozen=True)
class _Report:
    source: str  # webhook | statement
    account_number: str
    bank_transaction_id: str
    amount_vnd: int
    content: str
    transaction_at: datetime | None
    booking_date: date
    statement_line_id: int | None = None


@one_transaction
def receive_credit_notification(
    session: Session,
    *,
    body: bytes,
    signed_at: datetime,
    notification: CreditNotification,
    actor: str = "bank:webhook",
) -> CreditResult:
    """Act on a verified credit notification once, and store it raw whatever it says.

    Retries of the same bank transaction answer ``repeat`` and change nothing but the log of
    deliveries (bank_notifications).
    """
    if notification.is_credit:
        result = _take(
            session,
            _Report(
                source="webhook",
                account_number=notification.account_number,
                bank_transaction_id=notification.bank_transaction_id,
                amount_vnd=notification.amount_vnd,
                content=notification.content,
                transaction_at=notification.transaction_at,
                booking_date=notification.booking_date,
            ),
            actor=actor,
        )
    else:
        result = CreditResult(DEBIT_IGNORED, None)
    assert result is not None  # only statement lines are passed over
    session.add(
        BankNotification(
            received_at=utcnow(),
            signed_at=signed_at,
            body=body.decode("utf-8", errors="replace"),
            bank_credit_id=result.bank_credit_id,
            result=result.result,
        )
    )
    session.commit()
    return result


def settle_statement_credits(
    session: Session, credits: Sequence[StatementCredit], *, actor: str
) -> dict[str, int]:
    """Settle payments with the credit lines of a statement being imported; count results.

    Does not commit: the statement import calls it inside its own transaction, so the lines
    and what they settled are stored together or not at all. A line is looked at when its text
    holds a valid reference or a credit notification already reported its bank transaction;
    other lines are left to reconciliation.
    """
    notified = _notified_keys(session, credits)
    counts: dict[str, int] = {}
    for credit in credits:
        key = (credit.account_number, credit.bank_transaction_id)
        if key not in notified and not extract_references(credit.text):
            continue
        result = _take(
            session,
            _Report(
                source="statement",
                account_number=credit.account_number,
                bank_transaction_id=(credit.bank_transaction_id or f"line:{credit.line_id}")[:100],
                amount_vnd=credit.amount_vnd,
                content=credit.text,
                transaction_at=None,
                booking_date=credit.booking_date,
                statement_line_id=credit.line_id,
            ),
            actor=actor,
        )
        if result is not None:
            counts[result.result] = counts.get(result.result, 0) + 1
    return counts


def _notified_keys(session: Session, credits: Sequence[StatementCredit]) -> set[tuple[str, str]]:
    keys = [(c.account_number, c.bank_transaction_id) for c in credits if c.bank_transaction_id]
    found: set[tuple[str, str]] = set()
    for start in range(0, len(keys), _CHUNK):
        rows = session.execute(
            select(BankCredit.account_number, BankCredit.bank_transaction_id).where(
                tuple_(BankCredit.account_number, BankCredit.bank_transaction_id).in_(
                    keys[start : start + _CHUNK]
                )
            )
        )
        found.update((account, txn) for account, txn in rows)
    return found


def _payment_named_in(session: Session, text: str) -> Payment | None:
    references = extract_references(text)
    if not references:
        return None
    found = list(session.scalars(select(Payment).where(Payment.reference.in_(references))))
    reference = pick_reference(references, {payment.reference for payment in found})
    return next((p for p in found if p.reference == reference), None)


def _take(session: Session, report: _Report, *, actor: str) -> CreditResult | None:
    """One report of a credit: link it to the credit seen before, or make and apply it.

    None for a statement line that names no payment and was not notified: such lines stay
    statement lines only, for reconciliation, rather than filling bank_credits.
    """
    payment = _payment_named_in(session, report.content)
    dossier = None
    if payment is not None:
        dossier, payment = lock_dossier_and_payment(session, payment)
    seen = _seen_before(session, report, payment)
    if seen is not None:
        return _link(session, seen, report, payment, actor=actor)
    if payment is None and report.source == "statement":
        return None
    row = BankCredit(
        account_number=report.account_number,
        bank_transaction_id=report.bank_transaction_id,
        amount_vnd=report.amount_vnd,
        content=report.content,
        transaction_at=report.transaction_at,
        booking_date=report.booking_date,
        reference=payment.reference if payment is not None else None,
        payment_id=payment.id if payment is not None else None,
        outcome=str(CreditOutcome.UNMATCHED),
        counted_vnd=0,
        surplus_vnd=0,
        first_source=report.source,
        created_at=utcnow(),
        notified_at=utcnow() if report.source == "webhook" else None,
        statement_line_id=report.statement_line_id,
    )
    if payment is None or dossier is None:
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:  # the other report of it won the race for the unique key
            winner = _seen_before(session, report, None)
            if winner is None:
                raise
            return _link(session, winner, report, None, actor=actor)
        log.info("bank credit %s names no payment of ours: left to reconciliation", row.id)
        return CreditResult(row.outcome, row.id)
    decision = decide_credit(
        status=PaymentStatus(payment.status),
        amount_due_vnd=payment.amount_vnd,
        received_before_vnd=_counted_for(session, payment.id),
        credit_vnd=report.amount_vnd,
        dossier_still_due=_dossier_still_due(session, dossier, payment),
    )
    row.outcome = str(decision.outcome)
    row.counted_vnd = decision.counted_vnd
    row.surplus_vnd = decision.surplus_vnd
    session.add(row)
    session.flush()
    _apply(session, dossier, payment, row, decision, report, actor=actor)
    return CreditResult(row.outcome, row.id, payment.id, payment.reference)


def _seen_before(session: Session, report: _Report, payment: Payment | None) -> BankCredit | None:
    """The credit this report is another sighting of, locked, if any."""
    same_transaction = session.scalars(
        select(BankCredit)
        .where(
            BankCredit.account_number == report.account_number,
            BankCredit.bank_transaction_id == report.bank_transaction_id,
        )
        .with_for_update()
    ).one_or_none()
    if same_transaction is not None or payment is None:
        return same_transaction
    # The other source's report of the same money: same payment, amount and date, not yet
    # linked to a report of this source. (Two real transfers of one amount on one day come as
    # two notifications and two lines: each line links to one of them.)
    not_yet_linked = (
        BankCredit.statement_line_id.is_(None)
        if report.source == "statement"
        else BankCredit.notified_at.is_(None)
    )
    return session.scalars(
        select(BankCredit)
        .where(
            BankCredit.payment_id == payment.id,
            BankCredit.amount_vnd == report.amount_vnd,
            BankCredit.booking_date == report.booking_date,
            not_yet_linked,
        )
        .order_by(BankCredit.id)
        .limit(1)
        .with_for_update()
    ).first()


def _link(
    session: Session, credit: BankCredit, report: _Report, payment: Payment | None, *, actor: str
) -> CreditResult:
    linked = False
    if report.source == "statement" and credit.statement_line_id is None:
        credit.statement_line_id = report.statement_line_id
        linked = True
    elif report.source == "webhook" and credit.notified_at is None:
        credit.notified_at = utcnow()
        linked = True
    if linked and credit.payment_id is not None:
        target = payment if payment is not None and payment.id == credit.payment_id else None
        target = target or session.get(Payment, credit.payment_id)
        recording.add_event(
            session,
            target,
            "bank_credit_linked",
            actor=actor,
            why=f"{report.source} report of bank credit {credit.id}: linked, not counted again",
            payload=_evidence(credit, report),
        )
    return CreditResult(
        LINKED if linked else REPEAT, credit.id, credit.payment_id, credit.reference
    )


def _counted_for(session: Session, payment_id: int) -> int:
    return int(
        session.scalar(
            select(func.coalesce(func.sum(BankCredit.counted_vnd), 0)).where(
                BankCredit.payment_id == payment_id
            )
        )
        or 0
    )


def _dossier_still_due(session: Session, dossier: Dossier, payment: Payment) -> bool:
    if dossier.status == "cancelled":
        return False
    others = queries.paid_vnd_for_dossier(session, dossier.id, excluding_payment_id=payment.id)
    return others < dossier.fee_due_vnd


def _paid_at(report: _Report) -> datetime:
    if report.transaction_at is not None:
        return report.transaction_at
    return datetime.combine(report.booking_date, time(0, 0), tzinfo=GMT7)


def _evidence(credit: BankCredit, report: _Report) -> dict[str, Any]:
    return {
        "bank_credit_id": credit.id,
        "source": report.source,
        "account_number": report.account_number,
        "bank_transaction_id": report.bank_transaction_id,
        "amount_vnd": report.amount_vnd,
        "booking_date": report.booking_date.isoformat(),
        "content": report.content,
        "statement_line_id": report.statement_line_id,
    }


def _apply(
    session: Session,
    dossier: Dossier,
    payment: Payment,
    credit: BankCredit,
    decision: CreditDecision,
    report: _Report,
    *,
    actor: str,
) -> None:
    source = "bank credit notification" if report.source == "webhook" else "bank statement"
    recording.add_event(
        session,
        payment,
        f"bank_credit_{decision.outcome}",
        actor=actor,
        why=f"{source}: {decision.why}",
        payload=_evidence(credit, report),
    )
    if decision.outcome != CreditOutcome.SETTLED:
        log.warning("payment %s: %s: %s", payment.reference, source, decision.why)
    if decision.new_status is None:
        return
    payment.paid_at = _paid_at(report)
    payment.provider_transaction_id = report.bank_transaction_id[:64]
    payment.is_duplicate = decision.is_duplicate
    recording.change_status(
        session, payment, decision.new_status, actor=actor, why=f"{source}: {decision.why}"
    )
    if decision.announce:
        recording.announce_success(session, payment, dossier.code)
