"""One runner at a time per (job, run key), across processes and machines.

PostgreSQL: a session advisory lock taken on a connection kept aside for the whole run.
The lock belongs to that server session, so if the runner dies (even SIGKILL, or its machine)
the server ends the session when the socket closes and the lock is gone with it.

SQLite (and any other database): a lease row in `job_leases` with an expiry that the
runner renews while it works; a runner that dies stops renewing and its lease lapses after
`lease_seconds`. Leases compare clocks, so on several machines keep them in sync (NTP).
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from typing import Protocol

from sqlalchemy import Connection, Engine, delete, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from payrecon.db import utcnow
from payrecon.jobruns.models import JobLease

log = logging.getLogger(__name__)


class RunLock(Protocol):
    def acquire(self) -> bool:
        """Take the lock without waiting; False when another runner holds it."""

    def renew(self) -> bool:
        """Keep the lock alive; False when it has been lost."""

    def release(self) -> None:
        """Give the lock up; safe to call when not held."""


def advisory_key(job_name: str, run_key: str) -> int:
    """A signed 64-bit key for pg_advisory_lock, stable across processes and machines."""
    digest = hashlib.blake2b(f"{job_name}\x1f{run_key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class AdvisoryRunLock:
    """PostgreSQL session advisory lock held on a dedicated autocommit connection."""

    def __init__(self, engine: Engine, job_name: str, run_key: str) -> None:
        self._engine = engine
        self._key = advisory_key(job_name, run_key)
        self._connection: Connection | None = None

    def acquire(self) -> bool:
        connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            got = connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}
            ).scalar_one()
        except BaseException:
            connection.close()
            raise
        if not got:
            connection.close()
            return False
        self._connection = connection
        return True

    def renew(self) -> bool:
        """The lock lasts as long as its server session; check this session still holds it.

        Asking pg_locks (not just "SELECT 1") matters: a connection that silently
        reconnected would answer, in a new session that holds nothing.
        """
        if self._connection is None:
            return False
        unsigned = self._key & 0xFFFF_FFFF_FFFF_FFFF  # pg_locks shows a bigint key as two oids
        try:
            return bool(
                self._connection.execute(
                    text(
                        "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
                        " AND pid = pg_backend_pid() AND granted AND objsubid = 1"
                        " AND classid::bigint = :high AND objid::bigint = :low)"
                    ),
                    {"high": unsigned >> 32, "low": unsigned & 0xFFFF_FFFF},
                ).scalar_one()
            )
        except Exception:
            log.exception("the connection holding advisory lock %s failed", self._key)
            return False

    def release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
            connection.close()
        except Exception:
            # Never hand a connection that may still hold the lock back to the pool.
            log.exception("could not unlock advisory lock %s; dropping the connection", self._key)
            connection.invalidate()
            connection.close()


class LeaseRunLock:
    """A row in job_leases owned by `holder` until `expires_at`, renewed while running."""

    def __init__(
        self, engine: Engine, job_name: str, run_key: str, *, holder: str, lease_seconds: float
    ) -> None:
        self._engine = engine
        self._job_name = job_name
        self._run_key = run_key
        self._holder = holder
        self._lease = timedelta(seconds=lease_seconds)
        self._held = False

    def _this_lease(self):
        return (JobLease.job_name == self._job_name, JobLease.run_key == self._run_key)

    def acquire(self) -> bool:
        now = utcnow()
        with Session(self._engine) as session:
            lease = session.get(JobLease, (self._job_name, self._run_key))
            if lease is None:
                session.add(
                    JobLease(
                        job_name=self._job_name,
                        run_key=self._run_key,
                        holder=self._holder,
                        acquired_at=now,
                        expires_at=now + self._lease,
                    )
                )
                try:
                    session.commit()
                except IntegrityError:  # another runner inserted it first
                    session.rollback()
                    return False
                self._held = True
                return True
            if lease.expires_at > now:
                return False
            # Take over a lapsed lease, unless someone else takes it over at the same moment.
            taken = session.execute(
                update(JobLease)
                .where(
                    *self._this_lease(),
                    JobLease.holder == lease.holder,
                    JobLease.expires_at == lease.expires_at,
                )
                .values(holder=self._holder, acquired_at=now, expires_at=now + self._lease)
            )
            session.commit()
            self._held = taken.rowcount == 1
            if self._held:
                log.warning(
                    "lease for %s %s taken over from %s, whose lease lapsed at %s",
                    self._job_name,
                    self._run_key,
                    lease.holder,
                    lease.expires_at.isoformat(),
                )
            return self._held

    def renew(self) -> bool:
        if not self._held:
            return False
        with Session(self._engine) as session:
            renewed = session.execute(
                update(JobLease)
                .where(*self._this_lease(), JobLease.holder == self._holder)
                .values(expires_at=utcnow() + self._lease)
            )
            session.commit()
        self._held = renewed.rowcount == 1
        return self._held

    def release(self) -> None:
        if not self._held:
            return
        self._held = False
        with Session(self._engine) as session:
            session.execute(
                delete(JobLease).where(*self._this_lease(), JobLease.holder == self._holder)
            )
            session.commit()


def make_run_lock(
    engine: Engine, job_name: str, run_key: str, *, holder: str, lease_seconds: float
) -> RunLock:
    """The advisory lock on PostgreSQL, the lease row elsewhere."""
    if engine.dialect.name == "postgresql":
        return AdvisoryRunLock(engine, job_name, run_key)
    return LeaseRunLock(engine, job_name, run_key, holder=holder, lease_seconds=lease_seconds)
