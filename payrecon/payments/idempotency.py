"""Idempotency keys: the first answer to a POST, replayed when the same request comes again.

How concurrent repeats become one: a request looks for its key first (create_payment reads
it in the statement that locks the dossier, payments.creation); a fresh one does its work and
inserts the key row with the answer in the same transaction. On PostgreSQL a second request
with the same (client, key) that started meanwhile does its work too (waiting on the dossier's
row lock, it finds the first request's payment and would answer with it), then its insert waits
on the unique index until the first commits and fails: it rolls back everything and replays
the stored answer. On SQLite every write transaction begins IMMEDIATE, so the
second request starts only after the first committed and finds the row at once.

Only successful answers are stored: a refused request changes nothing, so it may be retried
with the same key.

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

from sqlalchemy import bindparam, delete, insert, select
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


def replay(row: Any, request_fingerprint: str) -> StoredAnswer:
    """The stored answer of a key's row (request_fingerprint, response_status, response_body),
    or IdempotencyKeyReused (422) when the request differs."""
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


# Built once: they run on every POST that carries a key. Core rows, not ORM objects: the
# answer is only read or written, never tracked. Parameters: client, key (and the row's).
_FIND = select(
    IdempotencyKey.request_fingerprint,
    IdempotencyKey.response_status,
    IdempotencyKey.response_body,
).where(IdempotencyKey.client == bindparam("client"), IdempotencyKey.key == bindparam("key"))
_INSERT = insert(IdempotencyKey.__table__)  # the table: no ORM bulk-insert bookkeeping


def _find(session: Session, client: str, key: str) -> Any:
    """The key's row (request_fingerprint, response_status, response_body), or None."""
    return session.execute(_FIND, {"client": client, "key": key}).one_or_none()


def find_answer(
    session: Session, *, client: str, key: str, request_fingerprint: str
) -> StoredAnswer | None:
    """The first answer to this key, None for a fresh key; IdempotencyKeyReused (422) for a
    repeat with another body."""
    existing = _find(session, client, key)
    if existing is None:
        return None
    answer = replay(existing, request_fingerprint)
    session.rollback()  # nothing to write: end the transaction (SQLite's write lock) now
    return answer


def remember(
    session: Session,
    *,
    client: str,
    key: str,
    request_fingerprint: str,
    status: int,
    body: dict[str, Any],
) -> StoredAnswer | None:
    """Store our answer in the caller's transaction; None when stored.

    If a concurrent request with the same key committed first, the insert fails: our work is
    rolled back and the first answer returned instead (or IdempotencyKeyReused raised).
    """
    try:
        session.execute(
            _INSERT,
            {
                "client": client,
                "key": key,
                "request_fingerprint": request_fingerprint,
                "response_status": status,
                "response_body": body,
                "created_at": utcnow(),
            },
        )
    except IntegrityError:
        session.rollback()
        existing = _find(session, client, key)
        if existing is None:
            raise
        answer = replay(existing, request_fingerprint)
        session.rollback()
        return answer
    return None


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
