"""What every officer decision on an exception shares: who decides (`Officer`, with the
permission check), opening an exception that is still open, resolving it, and logging the
decision in its history (`ExceptionAction`) beside the audit record.

Used by actions.py (notes, refunds due, write-offs, refunds) and linking.py (links and
confirmed proposals); each of those functions is one business operation and one commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from payrecon.audit import record_change
from payrecon.auth.roles import role_allows
from payrecon.db import utcnow
from payrecon.errors import N_, Conflict, Forbidden, InvalidInput
from payrecon.reconciliation import queries
from payrecon.reconciliation.models import ExceptionAction, ReconciliationException


@dataclass(frozen=True)
class Officer:
    name: str
    role: str


def require(officer: Officer, permission: str) -> None:
    if not role_allows(officer.role, permission):
        raise Forbidden(
            N_("%(officer)s (%(role)s) may not %(permission)s"),
            params={
                "officer": officer.name,
                "role": officer.role,
                "permission": permission.replace("_", " "),
            },
        )


def open_exception(session: Session, exception_id: int) -> ReconciliationException:
    exception = queries.get_exception(session, exception_id)
    if exception.status != "open":
        raise Conflict(
            N_("exception %(id)s is already resolved (%(resolution)s)"),
            where="exception_id",
            params={"id": exception_id, "resolution": exception.resolution},
        )
    return exception


def log_action(session: Session, exception: ReconciliationException, action: str, actor: str, note):
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


def resolve(
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
    log_action(session, exception, resolution, officer.name, note)
    session.commit()
    return exception


def required_reason(text: str | None, where: str) -> str:
    if not text or not text.strip():
        raise InvalidInput(N_("a reason is required"), where=where)
    return text.strip()


def evidence_ids(exception: ReconciliationException, key: str, first: int | None) -> set[int]:
    ids = {int(v) for v in (exception.evidence or {}).get(key) or () if str(v).isdigit()}
    if first is not None:
        ids.add(first)
    return ids
