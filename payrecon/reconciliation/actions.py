"""Officer actions on exceptions: notes, refund due, write-offs and refunds; each one business
operation, one commit. Links and confirmed proposals are in linking.py; what every decision
shares (the officer, opening, resolving, logging) in decisions.py.

Every action writes an `ExceptionAction` (the exception's history) and an audit record. The
actor is an `Officer(name, role)`; permissions come from `auth.roles`. A write-off needs four
eyes: one officer proposes it with a reason, a supervisor who is someone else approves it.
Decisions carry over to later runs by fingerprint (see service.py).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from payrecon.audit import record_change
from payrecon.db import utcnow
from payrecon.errors import N_, Conflict, Forbidden, InvalidInput
from payrecon.payments import service as payments_service
from payrecon.payments.settings import PaymentSettings
from payrecon.reconciliation import queries
from payrecon.reconciliation.decisions import (
    Officer,
    evidence_ids,
    log_action,
    open_exception,
    require,
    required_reason,
    resolve,
)
from payrecon.reconciliation.models import ReconciliationException

REFUND_DUE_KINDS = ("duplicate_payment", "cancelled_dossier", "amount_mismatch", "fee_mismatch")
# duplicate_payment reasons where the money due back is a bank credit beyond the fee, not a payment
SURPLUS_CREDIT_REASONS = ("credit_repeated", "settled_by_gateway_too")


def holds_surplus_credit(exception: ReconciliationException) -> bool:
    """Whether the money this exception says is due back is bank credit beyond a fee that was
    paid: a transfer repeated, a payment settled both by the gateway and by a transfer, or an
    overpayment. Refunding the payment for it would undo a fee that was paid (its status, its
    invoice), so such money goes back by the finance office's transfer (mark refund due).
    """
    evidence = exception.evidence or {}
    if exception.kind == "duplicate_payment":
        return evidence.get("reason") in SURPLUS_CREDIT_REASONS
    return exception.kind == "amount_mismatch" and evidence.get("direction") == "overpaid"


def add_note(
    session: Session, *, exception_id: int, officer: Officer, note: str
) -> ReconciliationException:
    """Add a note to an exception (open or resolved); the note is kept on re-runs."""
    require(officer, "resolve_exception")
    exception = queries.get_exception(session, exception_id)
    text = required_reason(note, "note")
    record_change(session, exception, "note", exception.note, text, actor=officer.name)
    exception.note = text
    log_action(session, exception, "note", officer.name, text)
    session.commit()
    return exception


def mark_refund_due(
    session: Session, *, exception_id: int, officer: Officer, note: str | None = None
) -> ReconciliationException:
    """Decide the citizen gets money back (the refund itself is started in payments)."""
    require(officer, "resolve_exception")
    exception = open_exception(session, exception_id)
    if exception.kind not in REFUND_DUE_KINDS:
        raise Conflict(
            N_("a %(kind)s exception cannot be resolved by a refund; only %(kinds)s"),
            where="exception_id",
            params={"kind": exception.kind, "kinds": ", ".join(REFUND_DUE_KINDS)},
        )
    return resolve(session, exception, "refund_due", officer, note)


def propose_write_off(
    session: Session, *, exception_id: int, officer: Officer, reason: str
) -> ReconciliationException:
    """Ask a supervisor to write the exception off; nothing is resolved yet."""
    require(officer, "resolve_exception")
    exception = open_exception(session, exception_id)
    text = required_reason(reason, "reason")
    record_change(
        session, exception, "proposed_resolution", None, "written_off", actor=officer.name, why=text
    )
    exception.proposed_resolution = "written_off"
    exception.proposed_by = officer.name
    exception.proposed_at = utcnow()
    exception.proposed_reason = text
    log_action(session, exception, "write_off_proposed", officer.name, text)
    session.commit()
    return exception


def approve_write_off(
    session: Session, *, exception_id: int, officer: Officer, note: str | None = None
) -> ReconciliationException:
    """A supervisor other than the proposer approves a proposed write-off."""
    require(officer, "approve_write_off")
    exception = open_exception(session, exception_id)
    if exception.proposed_resolution != "written_off":
        raise Conflict(
            N_("no write-off has been proposed for this exception"), where="exception_id"
        )
    if exception.proposed_by == officer.name:
        raise Forbidden(N_("the officer who proposed a write-off cannot approve it (four eyes)"))
    return resolve(session, exception, "written_off", officer, note or exception.proposed_reason)


def start_refund(
    session: Session,
    *,
    exception_id: int,
    payment_id: int,
    amount_vnd: int,
    reason: str,
    officer: Officer,
    settings: PaymentSettings,
    expected_available_vnd: int | None = None,
) -> tuple[ReconciliationException, dict]:
    """Give a citizen's money back for this exception, through the payments domain.

    VNPAY payments are refunded through the gateway; VietQR ones are recorded as awaiting the
    finance office's bank transfer. Allowed on an open exception of a refund kind (it is then
    resolved as refund_due) and on one an officer has already marked refund due; refused when
    the money is surplus bank credit (`holds_surplus_credit`), which is no payment's to refund.
    The refund is written first (payments commits it); the exception's history then records it.
    Returns the exception and the refund resource.
    """
    require(officer, "start_refund")
    exception = queries.get_exception(session, exception_id)
    if exception.status == "open" and exception.kind not in REFUND_DUE_KINDS:
        raise Conflict(
            N_("a %(kind)s exception cannot be resolved by a refund; only %(kinds)s"),
            where="exception_id",
            params={"kind": exception.kind, "kinds": ", ".join(REFUND_DUE_KINDS)},
        )
    if exception.status != "open" and exception.resolution != "refund_due":
        raise Conflict(
            N_("exception %(id)s is already resolved (%(resolution)s)"),
            where="exception_id",
            params={"id": exception_id, "resolution": exception.resolution},
        )
    if holds_surplus_credit(exception):
        raise Conflict(
            N_(
                "the money of exception %(id)s is bank credit beyond a fee that was paid: "
                "refunding the payment would undo that fee and its invoice; mark it refund due, "
                "and the finance office returns it by bank transfer"
            ),
            where="exception_id",
            params={"id": exception_id},
        )
    if payment_id not in evidence_ids(exception, "payment_ids", exception.payment_id):
        raise InvalidInput(
            N_("payment %(payment)s is not part of exception %(id)s"),
            where="payment_id",
            params={"payment": payment_id, "id": exception_id},
        )
    text = required_reason(reason, "reason")
    refund = payments_service.request_refund(
        session,
        payment_id,
        amount_vnd=amount_vnd,
        reason=text,
        actor=officer.name,
        settings=settings,
        expected_available_vnd=expected_available_vnd,
    )
    exception = queries.get_exception(session, exception_id)
    note = f"refund {refund['id']} of {refund['amount_vnd']} VND ({refund['status']}): {text}"
    log_action(session, exception, "refund_started", officer.name, note)
    if exception.status == "open":
        return resolve(session, exception, "refund_due", officer, text), refund
    session.commit()
    return exception, refund
