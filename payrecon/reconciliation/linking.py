"""Officer decisions that a bank line pays a payment: linking by hand, confirming one of the
engine's candidates for an exception, and confirming a proposal no exception holds (from the
run page). Each is audited and outlives the run: later runs turn the link into a match
(rule manual_linked or manual_confirmed) while the engine leaves the line unmatched.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from payrecon.audit import record_change
from payrecon.db import utcnow
from payrecon.errors import N_, Conflict, InvalidInput, NotFound
from payrecon.payments.models import Payment
from payrecon.reconciliation import queries, run_queries
from payrecon.reconciliation.decisions import (
    Officer,
    evidence_ids,
    open_exception,
    require,
    resolve,
)
from payrecon.reconciliation.models import (
    ManualLink,
    ReconciliationException,
    ReconciliationProposal,
)
from payrecon.statements.models import StatementLine


def _add_link(
    session: Session,
    *,
    line_id: int,
    payment_id: int,
    how: str,
    officer: Officer,
    why: str | None,
    where: str = "line_id",
) -> ManualLink:
    """Record, audited, that bank line `line_id` pays payment `payment_id` from now on; a line
    pays one payment, so a line linked before is refused (Conflict at `where`)."""
    taken = session.scalar(select(ManualLink).where(ManualLink.line_id == line_id))
    if taken is not None:
        raise Conflict(
            N_("bank line %(line)s is already linked to payment %(payment)s"),
            where=where,
            params={"line": line_id, "payment": taken.payment_id},
        )
    link = ManualLink(
        line_id=line_id, payment_id=payment_id, how=how, linked_by=officer.name, linked_at=utcnow()
    )
    session.add(link)
    session.flush()
    record_change(session, link, "payment_id", None, payment_id, actor=officer.name, why=why)
    return link


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
    require(officer, "resolve_exception")
    exception = open_exception(session, exception_id)
    if session.get(StatementLine, line_id) is None:
        raise NotFound(N_("no bank line %(id)s"), where="line_id", params={"id": line_id})
    if session.get(Payment, payment_id) is None:
        raise NotFound(N_("no payment %(id)s"), where="payment_id", params={"id": payment_id})
    _add_link(session, line_id=line_id, payment_id=payment_id, how=how, officer=officer, why=note)
    return resolve(
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
    require(officer, "resolve_exception")
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
    link = _add_link(
        session,
        line_id=proposal.line_id,
        payment_id=proposal.payment_id,
        how="confirmed",
        officer=officer,
        why=note or f"confirmed proposal {proposal_id} (rank {proposal.rank}) of run {run.id}",
        where="proposal_id",
    )
    session.commit()
    return link


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
    require(officer, "resolve_exception")
    exception = open_exception(session, exception_id)
    proposal = session.get(ReconciliationProposal, proposal_id)
    lines = evidence_ids(exception, "line_ids", exception.line_id)
    payments = evidence_ids(exception, "payment_ids", exception.payment_id)
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
    require(officer, "resolve_exception")
    exception = open_exception(session, exception_id)
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
