"""Read-only searches over the audit log, for the officer pages' audit viewer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from payrecon.audit import AuditRecord


@dataclass(frozen=True)
class AuditFilter:
    """What to look for; None means 'any'. The time range is [recorded_from, recorded_before)."""

    actor: str | None = None  # a part of the actor, case-insensitive: "officer:", "login:"
    subject_type: str | None = None  # exact: "officers", "dossiers", ...
    subject_id: str | None = None  # exact
    recorded_from: datetime | None = None
    recorded_before: datetime | None = None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _conditions(wanted: AuditFilter) -> list:
    conditions = []
    if wanted.actor:
        pattern = f"%{_escape_like(wanted.actor.lower())}%"
        conditions.append(func.lower(AuditRecord.actor).like(pattern, escape="\\"))
    if wanted.subject_type:
        conditions.append(AuditRecord.subject_type == wanted.subject_type)
    if wanted.subject_id:
        conditions.append(AuditRecord.subject_id == wanted.subject_id)
    if wanted.recorded_from:
        conditions.append(AuditRecord.recorded_at >= wanted.recorded_from)
    if wanted.recorded_before:
        conditions.append(AuditRecord.recorded_at < wanted.recorded_before)
    return conditions


def count_records(session: Session, wanted: AuditFilter) -> int:
    return (
        session.scalar(select(func.count()).select_from(AuditRecord).where(*_conditions(wanted)))
        or 0
    )


def find_records(
    session: Session, wanted: AuditFilter, *, offset: int, limit: int
) -> list[AuditRecord]:
    """The matching records, newest first."""
    return list(
        session.scalars(
            select(AuditRecord)
            .where(*_conditions(wanted))
            .order_by(AuditRecord.id.desc())
            .offset(offset)
            .limit(limit)
        )
    )


def subject_types(session: Session) -> list[str]:
    """Every subject type in the log, for the filter's choices."""
    return list(
        session.scalars(
            select(AuditRecord.subject_type).distinct().order_by(AuditRecord.subject_type)
        )
    )
