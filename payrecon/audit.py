"""The append-only, hash-chained audit log: who changed what, when, from what to what, and why.

Each record carries the SHA-256 of its own content and of the previous record, so a
record edited or deleted afterwards breaks the chain at that point (`verify_chain`).
Writers take a transaction-scoped lock before reading the last hash (an advisory lock
on PostgreSQL; SQLite transactions are already serialised by BEGIN IMMEDIATE), so
concurrent writers extend the chain one after another instead of forking it. Call
`record_change` late in a transaction: the lock is held until commit.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from payrecon.db import Base, BigId, UtcDateTime, utcnow

GENESIS = "0" * 64
AUDIT_LOCK_KEY = 0x7061797265636F6E  # "payrecon" in ASCII: one chain, one lock


class AuditRecord(Base):
    __tablename__ = "audit_records"
    __table_args__ = (Index("ix_audit_records_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    subject_type: Mapped[str] = mapped_column(String(60))
    subject_id: Mapped[str] = mapped_column(String(100))
    field: Mapped[str] = mapped_column(String(100))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    why: Mapped[str | None] = mapped_column(Text)
    previous_hash: Mapped[str] = mapped_column(String(64))
    record_hash: Mapped[str] = mapped_column(String(64), unique=True)


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _content_hash(previous_hash: str, fields: dict[str, str | None]) -> str:
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{previous_hash}\n{canonical}".encode()).hexdigest()


def _record_fields(record: AuditRecord) -> dict[str, str | None]:
    return {
        "recorded_at": record.recorded_at.isoformat(),
        "actor": record.actor,
        "subject_type": record.subject_type,
        "subject_id": record.subject_id,
        "field": record.field,
        "old_value": record.old_value,
        "new_value": record.new_value,
        "why": record.why,
    }


def _lock_chain(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})


def record(
    session: Session,
    *,
    subject_type: str,
    subject_id: str | int,
    field: str,
    old: Any,
    new: Any,
    actor: str,
    why: str | None = None,
) -> AuditRecord:
    """Append one record to the chain in the caller's transaction (the caller commits)."""
    _lock_chain(session)
    session.flush()
    previous_hash = session.scalar(
        select(AuditRecord.record_hash).order_by(AuditRecord.id.desc()).limit(1)
    )
    entry = AuditRecord(
        recorded_at=utcnow(),
        actor=actor,
        subject_type=subject_type,
        subject_id=str(subject_id),
        field=field,
        old_value=_as_text(old),
        new_value=_as_text(new),
        why=why,
        previous_hash=previous_hash or GENESIS,
    )
    entry.record_hash = _content_hash(entry.previous_hash, _record_fields(entry))
    session.add(entry)
    session.flush()
    return entry


def record_change(
    session: Session,
    obj: Base,
    field: str,
    old: Any,
    new: Any,
    *,
    actor: str,
    why: str | None = None,
) -> AuditRecord:
    """Record that `obj.field` went from `old` to `new`; obj is any mapped row with an id."""
    return record(
        session,
        subject_type=obj.__tablename__,
        subject_id=obj.id,  # type: ignore[attr-defined]
        field=field,
        old=old,
        new=new,
        actor=actor,
        why=why,
    )


def verify_chain(session: Session) -> int | None:
    """Return the id of the first record whose hash or link is wrong, or None if all hold."""
    previous_hash = GENESIS
    for entry in session.scalars(select(AuditRecord).order_by(AuditRecord.id)):
        if entry.previous_hash != previous_hash:
            return entry.id
        if entry.record_hash != _content_hash(previous_hash, _record_fields(entry)):
            return entry.id
        previous_hash = entry.record_hash
    return None


def history(session: Session, subject_type: str, subject_id: str | int) -> list[AuditRecord]:
    return list(
        session.scalars(
            select(AuditRecord)
            .where(
                AuditRecord.subject_type == subject_type,
                AuditRecord.subject_id == str(subject_id),
            )
            .order_by(AuditRecord.id)
        )
    )
