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
from payrecon.errors import N_, Conflict, Forbidden, InvalidInput, NotFound
from payrecon.payments import service as payments_service
from payrecon.payments.models import Payment
from payrecon.payments.settings import PaymentSettings
from payrecon.reconciliation import queries, run_queries
from payrecon.reconciliation.models import (
    ExceptionAction,
    ManualLink,
    ReconciliationException,
    ReconciliationProposal,
)
from payrecon.statements.models import StatementLine

REFUND_DUE_KINDS = ("duplicate_payment", "cancelled_dossier", "amount_mismatch", "fee_mismatch")
# duplicate_payment reasons where the money due back is a bank credit beyond the fee, not a payment
SURPLUS_CREDIT_REASONS = ("credit_repeated", "settled_by_gateway_too")


@dataclass(frozen=True)
class Officer:
    name: str
    role: str


def _require(officer: Officer, permission: str) -> None:
    if not role_allows(officer.role, permission):
        raise Forbidden(
            N_("%(officer)s (%(role)s) may not %(permission)s"),
            params={
                "officer": officer.name,
                "role": officer.role,
                "permission": permission.replace("_", " "),
            },
        )


def _open(session: Session, exception_id: int) -> ReconciliationException:
    exception = queries.get_exception(session, exception_id)
    if exception.status != "open":
        raise Conflict(
            N_("exception %(id)s is already resolved (%(resolution)s)"),
            where="exception_id",
            params={"id": exception_id, "resolution": exception.resolution},
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


def _reason(text: str | None, where: str) -> str:
    if not text or not text.strip():
        raise InvalidInput(N_("a reason is required"), where=where)
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
            N_("a %(kind)s exception cannot be resolved by a refund; only %(kinds)s"),
            where="exception_id",
            params={"kind": exception.kind, "kinds": ", ".join(REFUND_DUE_KINDS)},
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
        raise Conflict(
            N_("no write-off has been proposed for this exception"), where="exception_id"
        )
    if exception.proposed_by == officer.name:
        raise Forbidden(N_("the officer who proposed a write-off cannot approve it (four eyes)"))
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
        raise NotFound(N_("no bank line %(id)s"), where="line_id", params={"id": line_id})
    if session.get(Payment, payment_id) is None:
        raise NotFound(N_("no payment %(id)s"), where="payment_id", params={"id": payment_id})
    taken = session.scalar(select(ManualLink).where(ManualLink.line_id == line_id))
    if taken is not None:
        raise Conflict(
            N_("bank line %(line)s is already linked to payment %(payment)s"),
            where="line_id",
            params={"line": line_id, "payment": taken.payment_id},
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
    """Accept an engine proposal that no exception holds: its bank line pays its payment.

    A credit the engine proposed to a payment is neither matched nor an exception; this is how
    an officer settles it from the run page. Only the newest run of a business date can be
    confirmed from (an older run's candidates may since have been matched), and a bank line
    pays one payment. Later runs turn the link into a match (rule manual_confirmed).
    """
    _require(officer, "resolve_exception")
    proposal = session.get(ReconciliationProposal, proposal_id)
    if proposal is None:
        raise NotFound(N_("no proposal %(id)s"), where="proposal_id", params={"id": proposal_id})
    run = queries.get_run(session, proposal.run_id)
    newest = run_queries.latest_run_of(session, run.business_date)
    if newest is not None and newest.id != run.id:
        raise Conflict(
            N_(
                "run %(run)s of %(day)s has been superseded by run %(newest)s: "
                "confirm that run's proposals"
            ),
            where="proposal_id",
            params={"run": run.id, "day": f"{run.business_date:%d/%m/%Y}", "newest": newest.id},
        )
    if run.status != "finished":
        raise Conflict(
            N_("run %(run)s has not finished (%(status)s)"),
            where="proposal_id",
            params={"run": run.id, "status": run.status},
        )
    taken = session.scalar(select(ManualLink).where(ManualLink.line_id == proposal.line_id))
    if taken is not None:
        raise Conflict(
            N_("bank line %(line)s is already linked to payment %(payment)s"),
            where="proposal_id",
            params={"line": proposal.line_id, "payment": taken.payment_id},
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
        why=note or f"confirmed proposal {proposal_id} (rank {proposal.rank}) of run {run.id}",
    )
    session.commit()
    return link


def _evidence_ids(exception: ReconciliationException, key: str, first: int | None) -> set[int]:
    ids = {int(v) for v in (exception.evidence or {}).get(key) or () if str(v).isdigit()}
    if first is not None:
        ids.add(first)
    return ids


def confirm_proposed_match(
    session: Session,
    *,
    exception_id: int,
    proposal_id: int,
    officer: Officer,
    note: str | None = None,
) -> ReconciliationException:
    """Accept one of the engine's candidates for this exception's credit or payment.

    The proposal must be of the exception's run and about its bank line or its payment; the
    link outlives the run (the next run turns it into a match) and resolves the exception.
    """
    _require(officer, "resolve_exception")
    exception = _open(session, exception_id)
    proposal = session.get(ReconciliationProposal, proposal_id)
    lines = _evidence_ids(exception, "line_ids", exception.line_id)
    payments = _evidence_ids(exception, "payment_ids", exception.payment_id)
    if (
        proposal is None
        or proposal.run_id != exception.run_id
        or (proposal.line_id not in lines and proposal.payment_id not in payments)
    ):
        raise NotFound(
            N_("proposal %(proposal)s is not a candidate for exception %(id)s"),
            where="proposal_id",
            params={"proposal": proposal_id, "id": exception_id},
        )
    return link_manually(
        session,
        exception_id=exception_id,
        line_id=proposal.line_id,
        payment_id=proposal.payment_id,
        officer=officer,
        note=note or f"confirmed proposal {proposal_id} (rank {proposal.rank})",
        how="confirmed",
    )


def link_exception(
    session: Session,
    *,
    exception_id: int,
    officer: Officer,
    payment_reference: str | None = None,
    line_id: int | None = None,
    note: str | None = None,
) -> ReconciliationException:
    """Link by hand: a payment reference and/or a bank line id; the exception supplies the rest.

    An unmatched credit holds the line, so the officer names the payment; a missing credit
    holds the payment, so the officer names the line.
    """
    _require(officer, "resolve_exception")
    exception = _open(session, exception_id)
    payment_id = exception.payment_id
    if payment_reference and payment_reference.strip():
        reference = payment_reference.strip().upper()
        payment = session.scalar(select(Payment).where(Payment.reference == reference))
        if payment is None:
            raise NotFound(
                N_("no payment with reference %(reference)s"),
                where="payment_reference",
                params={"reference": reference},
            )
        payment_id = payment.id
    if payment_id is None:
        raise InvalidInput(
            N_("name the payment (its reference) to link"), where="payment_reference"
        )
    line_id = line_id if line_id is not None else exception.line_id
    if line_id is None:
        raise InvalidInput(N_("name the bank line (its id) to link"), where="line_id")
    return link_manually(
        session,
        exception_id=exception_id,
        line_id=line_id,
        payment_id=payment_id,
        officer=officer,
        note=note,
    )


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
    _require(officer, "start_refund")
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
    if payment_id not in _evidence_ids(exception, "payment_ids", exception.payment_id):
        raise InvalidInput(
            N_("payment %(payment)s is not part of exception %(id)s"),
            where="payment_id",
            params={"payment": payment_id, "id": exception_id},
        )
    text = _reason(reason, "reason")
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
    _log(session, exception, "refund_started", officer.name, note)
    if exception.status == "open":
        return _resolve(session, exception, "refund_due", officer, text), refund
    session.commit()
    return exception, refund
