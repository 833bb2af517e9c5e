"""The transactional outbox: events written in the same transaction as the change they announce.

A payment that succeeds writes `payment.succeeded` in its own commit, so the invoice that must
follow can never be lost by a crash between "paid" and "invoiced": a consumer (the invoice
issuer, run by the scheduler every minute and right after the commit) claims pending events,
handles each in its own transaction, and marks it done in that same transaction. Claiming uses
FOR UPDATE SKIP LOCKED on PostgreSQL, so several workers never handle one event twice; SQLite
transactions are serialised anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from payrecon.db import Base, BigId, UtcDateTime, utcnow


class OutboxEvent(Base):
    __tablename__ = "outbox_events"
    __table_args__ = (Index("ix_outbox_events_pending", "topic", "processed_at", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    topic: Mapped[str] = mapped_column(String(80))
    subject_id: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    processed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


def enqueue(session: Session, topic: str, subject_id: str | int, payload: dict[str, Any]) -> None:
    """Add an event to the caller's transaction; it exists only if that transaction commits."""
    session.add(
        OutboxEvent(
            topic=topic,
            subject_id=str(subject_id),
            payload=payload,
            created_at=utcnow(),
            attempts=0,
        )
    )


@dataclass(frozen=True)
class DrainResult:
    handled: int
    failed: int

    def summary(self) -> str:
        return f"{self.handled} handled, {self.failed} failed"


def drain(
    session: Session,
    topic: str,
    handler: Callable[[Session, OutboxEvent], None],
    *,
    limit: int = 500,
    max_attempts: int = 10,
) -> DrainResult:
    """Handle pending events of `topic` oldest first, each in its own transaction.

    The handler does its work in `session` without committing; drain marks the event done
    and commits both together. A handler that raises rolls back its work; the event keeps
    its place with the error recorded and is retried on the next drain (up to max_attempts).
    """
    handled = failed = 0
    failed_ids: list[int] = []  # not retried within this drain
    for _ in range(limit):
        query = select(OutboxEvent).where(
            OutboxEvent.topic == topic,
            OutboxEvent.processed_at.is_(None),
            OutboxEvent.attempts < max_attempts,
        )
        if failed_ids:
            query = query.where(OutboxEvent.id.not_in(failed_ids))
        event = session.scalars(
            query.order_by(OutboxEvent.id).limit(1).with_for_update(skip_locked=True)
        ).first()
        if event is None:
            break
        event_id = event.id
        try:
            handler(session, event)
            event.processed_at = utcnow()
            event.attempts += 1
            session.commit()
            handled += 1
        except Exception as exc:
            session.rollback()
            record_failures(session, {event_id: exc})
            failed_ids.append(event_id)
            failed += 1
    return DrainResult(handled, failed)


def mark_handled(session: Session, event_ids: Collection[int]) -> None:
    """Mark events done in the caller's transaction, so they commit with the work they caused.

    For consumers that claim and handle many events per transaction (invoices.issuing).
    """
    if event_ids:
        session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id.in_(event_ids))
            .values(processed_at=utcnow(), attempts=OutboxEvent.attempts + 1)
            .execution_options(synchronize_session=False)
        )


def record_failures(session: Session, failures: Mapping[int, BaseException]) -> None:
    """Count a failed attempt on each event with its error, and commit.

    Called after the work of the failed attempt was rolled back or committed without it;
    the events keep their place and are retried by a later drain (up to max_attempts).
    """
    if not failures:
        return
    for event_id, exc in failures.items():
        event = session.get(OutboxEvent, event_id, with_for_update=True)
        if event is not None:
            event.attempts += 1
            event.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    session.commit()


def pending_count(session: Session, topic: str) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(OutboxEvent)
            .where(OutboxEvent.topic == topic, OutboxEvent.processed_at.is_(None))
        )
        or 0
    )
