"""Idempotency keys: the first answer to a POST, replayed when the same request comes again.

How concurrent repeats become one: the first request inserts its key row before doing any
work, in its own transaction. On PostgreSQL a second request inserting the same (client, key)
waits on the unique index until the first commits, then fails; it rolls back and replays the
stored answer. On SQLite every write transaction begins IMMEDIATE, so the second request
starts only after the first committed and finds the row at once. Only successful answers are
stored: a refused request changes nothing, so it may be retried with the same key.

A key is kept 24 hours (GOV.UK Pay's window); purge_idempotency_keys removes older ones.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from payrecon.db import utcnow
from payrecon.errors import IdempotencyKeyReused, InvalidInput
from payrecon.payments.models import IdempotencyKey

KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,255}")
KEEP_FOR = timedelta(hours=24)
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def check_key(key: str | None) -> str:
    if not key:
        raise InvalidInput(
            "the Idempotency-Key header is required (1 to 255 letters, digits, '-' or '_')",
            where="header.Idempotency-Key",
        )
    if not KEY_PATTERN.fullmatch(key):
        raise InvalidInput(
            "the Idempotency-Key must be 1 to 255 letters, digits, '-' or '_'",
            where="header.Idempotency-Key",
        )
    return key


def fingerprint(operation: str, body: dict[str, Any]) -> str:
    """SHA-256 of the operation and the parsed body in canonical JSON (key order ignored)."""
    canonical = json.dumps(
        {"operation": operation, "body": body}, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class StoredAnswer:
    status: int
    body: dict[str, Any]


def _replay(row: IdempotencyKey, request_fingerprint: str) -> StoredAnswer:
    if row.request_fingerprint != request_fingerprint:
        raise IdempotencyKeyReused(
            "this Idempotency-Key was already used with a different request body; "
            "use a new key for a new request",
            where="header.Idempotency-Key",
        )
    if row.response_status is None or row.response_body is None:
        # Never committed in practice: the claim and its answer share one transaction.
        raise InvalidInput(
            "this Idempotency-Key has no stored answer", where="header.Idempotency-Key"
        )
    return StoredAnswer(row.response_status, row.response_body)


def _find(session: Session, client: str, key: str) -> IdempotencyKey | None:
    return session.scalars(
        select(IdempotencyKey).where(IdempotencyKey.client == client, IdempotencyKey.key == key)
    ).one_or_none()


def claim(
    session: Session, *, client: str, key: str, request_fingerprint: str
) -> tuple[IdempotencyKey | None, StoredAnswer | None]:
    """(our new claim, None) for a fresh key; (None, the first answer) for a repeat.

    A repeat with another body raises IdempotencyKeyReused (422). A fresh claim is flushed
    but not committed: the caller stores the answer in it and commits with its own work.
    """
    existing = _find(session, client, key)
    if existing is not None:
        answer = _replay(existing, request_fingerprint)
        session.rollback()  # nothing to write: end the transaction (SQLite's write lock) now
        return None, answer
    row = IdempotencyKey(
        client=client, key=key, request_fingerprint=request_fingerprint, created_at=utcnow()
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()  # a concurrent request with this key committed first
        existing = _find(session, client, key)
        if existing is None:
            raise
        answer = _replay(existing, request_fingerprint)
        session.rollback()
        return None, answer
    return row, None


def store_answer(row: IdempotencyKey, status: int, body: dict[str, Any]) -> None:
    row.response_status = status
    row.response_body = body


def purge_cutoff(business_date: date, now: datetime) -> datetime:
    """Keys created before this are purged: 24 h before the end of the day (or before now)."""
    end_of_day = datetime.combine(business_date + timedelta(days=1), time(0), tzinfo=LOCAL)
    return min(end_of_day, now) - KEEP_FOR


def purge_idempotency_keys(session: Session, business_date: date) -> str:
    """Delete keys older than 24 hours (as of the end of business_date); one commit.

    Re-runnable: running it again for the same date deletes nothing more.
    """
    cutoff = purge_cutoff(business_date, utcnow())
    result = session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff))
    session.commit()
    return f"{result.rowcount} idempotency keys older than {cutoff.isoformat()} purged"
