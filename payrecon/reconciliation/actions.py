"""Officer actions on exceptions and proposals: each one business operation, one commit.

Every action writes an `ExceptionAction` (the exception's history) and an audit record. The
actor is an `Officer(name, role)`; permissions come from `auth.roles`. A write-off needs four
eyes: one officer proposes it with a reason, a supervisor who is someone else approves it.
Decisions carry over to later runs by fingerprint (see service.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from payrecon.audit import record_change
from payrecon.auth.roles import role_allows
from payrecon.db import utcnow
from payrecon.errors import Conflict, Forbidden, InvalidInput, NotFound
from payrecon.payments.models import Payment
from payrecon.reconciliation import queries
from payrecon.reconciliation.models import (
    ExceptionAction,
    ManualLink,
    ReconciliationException,
    ReconciliationProposal,
)
from payrecon.statements.models import StatementLine

REFUND_DUE_KINDS = ("duplicate_payment", "cancelled_dossier", "amount_mismatch", "fee_mismatch")


@dataclass(frozen=True)
class Officer:
    name: str
    role: str


def _require(officer: Officer, permission: str) -> None:
    if not role_allows(officer.role, permission):
        raise Forbidden(f"{officer.name} ({officer.role}) may not {permission.replace('_', ' ')}")


def _open(session: Session, exception_id: int) -> ReconciliationException:
    exception = queries.get_exception(session, exception_id)
    if exception.status != "open":
        raise Conflict(
            f"exception {exception_id} is already resolved ({exception.resolution})",
            where="exception_id",
        )
    return exception


def _log(session: Session, exception: ReconciliationException, action: str, actor: str, note):
    session.add(
        ExceptionAction(
            exception_id=exception.id,
            fingerprint=exception.fingerprint,
            action=action,
            actor=actor,
            at=utcnow(),
            note=note,
        )
    )


def _resolve(
    session: Session,
    exception: ReconciliationException,
    resolution: str,
    officer: Officer,
    note: str | None,
) -> ReconciliationException:
    record_change(session, exception, "status", "open", "resolved", actor=officer.name, why=note)
    record_change(session, exception, "resolution", None, resolution, actor=officer.name)
    exception.status = "resolved"
    exception.resolution = resolution
    exception.resolved_by = officer.name
    exception.resolved_at = utcnow()
    if note:
        exception.note = note
    _log(session, exception, resolution, officer.name, note)
    session.commit()
    return exception


def _reason(text: str | None, where: str) -> str:
    if not text or not text.strip():
        raise InvalidInput("a reason is required", where=where)
    return text.strip()


def add_note(
    session: Session, *, exception_id: int, officer: Officer, note: str
) -> ReconciliationException:
    """Add a note to an exception (open or resolved); the note is kept on re-runs."""
    _require(officer, "resolve_exception")
    exception = queries.get_exception(session, exception_id)
    text = _reason(note, "note")
    record_change(session, exception, "note", exception.note, text, actor=officer.name)
    exception.note = text
    _log(session, exception, "note", officer.name, text)
    session.commit()
    return exception


def mark_refund_due(
    session: Session, *, exception_id: int, officer: Officer, note: str | None = None
) -> ReconciliationException:
    """Decide the citizen gets money back (the refund itself is started in payments)."""
    _require(officer, "resolve_exception")
    exception = _open(session, exception_id)
    if exception.kind not in REFUND_DUE_KINDS:
        raise Conflict(
            f"a {exception.kind} exception cannot be resolved by a refund; "
            f"only {', '.join(REFUND_DUE_KINDS)}",
            where="exception_id",
        )
    return _resolve(session, exception, "refund_due", officer, note)


def propose_write_off(
    session: Session, *, exception_id: int, officer: Officer, reason: str
) -> ReconciliationException:
    """Ask a supervisor to write the exception off; nothing is resolved yet."""
    _require(officer, "resolve_exception")
    exception = _open(session, exception_id)
    text = _reason(reason, "reason")
    record_change(
        session, exception, "proposed_resolution", None, "written_off", actor=officer.name, why=text
    )
    exception.proposed_resolution = "written_off"
    exception.proposed_by = officer.name
    exception.proposed_at = utcnow()
    exception.proposed_reason = text
    _log(session, exception, "write_off_proposed", officer.name, text)
    session.commit()
    return exception


def approve_write_off(
    session: Session, *, exception_id: int, officer: Officer, note: str | None = None
) -> ReconciliationException:
    """A supervisor other than the proposer approves a proposed write-off."""
    _require(officer, "approve_write_off")
    exception = _open(session, exception_id)
    if exception.proposed_resolution != "written_off":
        raise Conflict("no write-off has been proposed for this exception", where="exception_id")
    if exception.proposed_by == officer.name:
        raise Forbidden("the officer who proposed a write-off cannot approve it (four eyes)")
    return _resolve(session, exception, "written_off", officer, note or exception.proposed_reason)


def link_manually(
    session: Session,
    *,
    exception_id: int,
    line_id: int,
    payment_id: int,
    officer: Officer,
    note: str | None = None,
    how: str = "linked",
) -> ReconciliationException:
    """Record that bank line `line_id` pays payment `payment_id`, resolving the exception.

    Later runs turn the link into a match (rule manual_linked) while the engine leaves the line
    unmatched.
    """
    _require(officer, "resolve_exception")
    exception = _open(session, exception_id)
    if session.get(StatementLine, line_id) is None:
        raise NotFound(f"no bank line {line_id}", where="line_id")
    if session.get(Payment, payment_id) is None:
        raise NotFound(f"no payment {payment_id}", where="payment_id")
    taken = session.scalar(select(ManualLink).where(ManualLink.line_id == line_id))
    if taken is not None:
        raise Conflict(
            f"bank line {line_id} is already linked to payment {taken.payment_id}",
            where="line_id",
        )
    link = ManualLink(
        line_id=line_id, payment_id=payment_id, how=how, linked_by=officer.name, linked_at=utcnow()
    )
    session.add(link)
    session.flush()
    record_change(session, link, "payment_id", None, payment_id, actor=officer.name, why=note)
    return _resolve(
        session, exception, "confirmed" if how == "confirmed" else "linked", officer, note
    )


def confirm_proposal(
    session: Session, *, proposal_id: int, officer: Officer, note: str | None = None
) -> ManualLink:
    """Accept an engine proposal: its line pays its payment, from now on."""
    _require(officer, "resolve_exception")
    proposal = session.get(ReconciliationProposal, proposal_id)
    if proposal is None:
        raise NotFound(f"no proposal {proposal_id}", where="proposal_id")
    taken = session.scalar(select(ManualLink).where(ManualLink.line_id == proposal.line_id))
    if taken is not None:
        raise Conflict(
            f"bank line {proposal.line_id} is already linked to payment {taken.payment_id}",
            where="proposal_id",
        )
    link = ManualLink(
        line_id=proposal.line_id,
        payment_id=proposal.payment_id,
        how="confirmed",
        linked_by=officer.name,
        linked_at=utcnow(),
    )
    session.add(link)
    session.flush()
    record_change(
        session,
        link,
        "payment_id",
        None,
        proposal.payment_id,
        actor=officer.name,
        why=note or f"confirmed proposal {proposal_id} of run {proposal.run_id}",
    )
    session.commit()
    return link
